from decimal import Decimal

import factory
from django.contrib.gis.geos import Polygon
from factory.django import DjangoModelFactory

from delivery.models import DeliveryTariff, DeliveryZone

# Central Tashkent, around 41.31N 69.28E; covers the coordinates of UserAddressFactory.
# GEOS takes (longitude, latitude).
TASHKENT_CENTRE_BOUNDS = (69.20, 41.26, 69.36, 41.38)  # xmin, ymin, xmax, ymax


def tashkent_polygon(bounds=TASHKENT_CENTRE_BOUNDS):
    """A closed rectangle ``(xmin, ymin, xmax, ymax)`` in WGS 84."""
    xmin, ymin, xmax, ymax = bounds
    return Polygon(((xmin, ymin), (xmax, ymin), (xmax, ymax), (xmin, ymax), (xmin, ymin)), srid=4326)


class DeliveryZoneFactory(DjangoModelFactory):
    """An active zone in central Tashkent with a real polygon (SRID 4326)."""

    class Meta:
        model = DeliveryZone

    name = factory.Sequence(lambda n: f"Tashkent centre {n}")
    description = "Yunusobod, Mirzo Ulug'bek, Shayxontohur"
    city = "Tashkent"
    districts = factory.LazyFunction(lambda: ["Yunusobod", "Mirzo Ulug'bek", "Shayxontohur"])
    polygon = factory.LazyFunction(tashkent_polygon)
    is_active = True


class DeliveryTariffFactory(DjangoModelFactory):
    """Standard courier delivery: 15 000 so'm, free from 500 000 so'm."""

    class Meta:
        model = DeliveryTariff

    zone = factory.SubFactory(DeliveryZoneFactory)
    name = factory.Sequence(lambda n: f"Standard {n}")
    base_cost = Decimal("15000.00")
    cost_per_km = Decimal("2000.00")
    cost_per_kg = Decimal("1000.00")
    min_order_amount = Decimal("0.00")
    free_delivery_threshold = Decimal("500000.00")
    estimated_hours = 24
    is_active = True
