"""Where we deliver and what it costs: the rules of delivery.services against PostGIS."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from accounts.enums import AddressType
from accounts.models import UserAddress
from accounts.tests.factories import BuyerFactory, SellerFactory, UserAddressFactory
from catalog.tests.factories import ProductFactory
from delivery import services
from delivery.services import DeliveryUnavailable, distance_km, quote_for, quotes, tariff_cost, zone_for_point
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory, tashkent_polygon
from gogomarket.core.money import format_uzs

pytestmark = pytest.mark.django_db

TASHKENT = ZoneInfo("Asia/Tashkent")
# Inside the factory zone (69.20-69.36 E, 41.26-41.38 N).
INSIDE = (Decimal("41.311"), Decimal("69.2797"))
# The seller's pickup point and a buyer 0.04 degree due north of it: 4.45 km apart.
SELLER_POINT = (Decimal("41.30"), Decimal("69.28"))
BUYER_POINT = (Decimal("41.34"), Decimal("69.28"))


def tariff(**fields):
    """An unsaved tariff: tariff_cost reads only its fields."""
    defaults = {
        "base_cost": Decimal("15000"),
        "cost_per_km": Decimal("2000"),
        "cost_per_kg": Decimal("1000"),
        "free_delivery_threshold": Decimal("500000"),
    }
    return SimpleNamespace(**(defaults | fields))


def address_at(user, point):
    return UserAddressFactory(user=user, latitude=point[0], longitude=point[1])


# --- which zone ---------------------------------------------------------------------------------
def test_zone_for_point_inside_and_outside():
    zone = DeliveryZoneFactory()

    assert zone_for_point(*INSIDE) == zone
    assert zone_for_point(Decimal("39.6542"), Decimal("66.9597")) is None  # Samarkand
    assert zone_for_point(None, Decimal("69.28")) is None
    assert zone_for_point(Decimal("41.3"), None) is None


@pytest.mark.parametrize(
    "point",
    [
        (Decimal("41.26"), Decimal("69.20")),  # a corner
        (Decimal("41.30"), Decimal("69.20")),  # on the western edge (a meridian, so also a geodesic)
        (Decimal("41.38"), Decimal("69.36")),  # the opposite corner
    ],
    ids=["corner", "edge", "far-corner"],
)
def test_a_point_on_the_boundary_is_covered(point):
    zone = DeliveryZoneFactory()

    assert zone_for_point(*point) == zone


def test_inactive_zone_is_ignored():
    DeliveryZoneFactory(is_active=False)
    assert zone_for_point(*INSIDE) is None

    active = DeliveryZoneFactory(polygon=tashkent_polygon((69.0, 41.0, 69.6, 41.6)))
    assert zone_for_point(*INSIDE) == active


def test_overlapping_zones_the_smallest_wins():
    city = DeliveryZoneFactory(name="City", polygon=tashkent_polygon((69.0, 41.0, 69.6, 41.6)))
    centre = DeliveryZoneFactory(name="Centre", polygon=tashkent_polygon((69.25, 41.28, 69.30, 41.33)))
    DeliveryZoneFactory(name="Middle", polygon=tashkent_polygon((69.20, 41.26, 69.36, 41.38)))

    assert zone_for_point(*INSIDE) == centre
    assert zone_for_point(Decimal("41.05"), Decimal("69.05")) == city
    # The smallest active one: with the centre closed, the middle zone serves it.
    centre.is_active = False
    centre.save()
    assert zone_for_point(*INSIDE).name == "Middle"


# --- distance and cost --------------------------------------------------------------------------
def test_distance_km_is_the_great_circle_distance():
    assert distance_km(*SELLER_POINT, *SELLER_POINT) == Decimal("0.00")
    # One degree of latitude is 2 * pi * 6371.0088 / 360 km.
    assert distance_km(Decimal("41"), Decimal("69"), Decimal("42"), Decimal("69")) == Decimal("111.20")
    assert distance_km(*SELLER_POINT, *BUYER_POINT) == Decimal("4.45")
    tashkent, samarkand = (Decimal("41.3111"), Decimal("69.2797")), (Decimal("39.6542"), Decimal("66.9597"))
    tashkent_samarkand = distance_km(*tashkent, *samarkand)
    assert Decimal("265") < tashkent_samarkand < Decimal("275")
    assert tashkent_samarkand == distance_km(*samarkand, *tashkent)
    assert isinstance(tashkent_samarkand, Decimal)


def test_tariff_cost_is_base_plus_km_plus_kg():
    cost, free = tariff_cost(tariff(), subtotal=Decimal("100000"), distance=Decimal("3.25"), weight=Decimal("1.2"))

    assert (cost, free) == (Decimal("22700"), False)  # 15 000 + 2 000 x 3.25 + 1 000 x 1.2


def test_tariff_cost_is_rounded_up_to_whole_sum():
    cost, _free = tariff_cost(
        tariff(cost_per_km=Decimal("1999.99"), cost_per_kg=Decimal("0")),
        subtotal=Decimal("100000"),
        distance=Decimal("1.01"),
        weight=Decimal("0"),
    )

    assert cost == Decimal("17020")  # 17 019.9899 so'm, never rounded down
    assert cost.as_tuple().exponent == 0


def test_tariff_cost_missing_rates_count_as_zero():
    cost, _free = tariff_cost(
        tariff(cost_per_km=None, cost_per_kg=None), subtotal=Decimal("1"), distance=Decimal("9"), weight=Decimal("9")
    )

    assert cost == Decimal("15000")


@pytest.mark.parametrize(
    ("subtotal", "threshold", "expected"),
    [
        (Decimal("500000"), Decimal("500000"), (Decimal("0"), True)),  # from the threshold on
        (Decimal("750000"), Decimal("500000"), (Decimal("0"), True)),
        (Decimal("499999.99"), Decimal("500000"), (Decimal("17000"), False)),
        (Decimal("9000000"), None, (Decimal("17000"), False)),  # no threshold: never free
    ],
)
def test_tariff_is_free_from_the_threshold(subtotal, threshold, expected):
    result = tariff_cost(
        tariff(free_delivery_threshold=threshold), subtotal=subtotal, distance=Decimal("1"), weight=Decimal("0")
    )

    assert result == expected


# --- quotes -------------------------------------------------------------------------------------
@pytest.fixture
def seller():
    seller = SellerFactory()
    address_at(seller, SELLER_POINT)
    return seller


@pytest.fixture
def buyer_address():
    return address_at(BuyerFactory(), BUYER_POINT)


def test_quotes_price_the_distance_from_the_sellers_pickup_point(seller, buyer_address):
    zone = DeliveryZoneFactory()
    DeliveryTariffFactory(zone=zone, name="Standard", free_delivery_threshold=None)

    (quote,) = quotes(
        zone=zone, seller_id=seller.pk, address=buyer_address, subtotal=Decimal("100000"), weight=Decimal("2")
    )

    assert quote.zone == zone and quote.tariff_name == "Standard"
    assert quote.distance_km == Decimal("4.45")
    assert quote.cost == Decimal("15000") + Decimal("2000") * Decimal("4.45") + Decimal("2000")  # 25 900
    assert quote.is_free is False and quote.weight_kg == Decimal("2")


def test_quotes_without_a_pickup_point_charge_no_distance(buyer_address):
    zone = DeliveryZoneFactory()
    DeliveryTariffFactory(zone=zone, free_delivery_threshold=None)
    seller = SellerFactory()  # no address book entry

    (quote,) = quotes(zone=zone, seller_id=seller.pk, address=buyer_address, subtotal=Decimal("1"), weight=Decimal("0"))

    assert quote.distance_km == 0 and quote.cost == Decimal("15000")


def test_quotes_are_cheapest_first_and_skip_inactive_tariffs(seller, buyer_address):
    zone = DeliveryZoneFactory()
    express = DeliveryTariffFactory(zone=zone, name="Express", base_cost=Decimal("35000"), estimated_hours=3)
    standard = DeliveryTariffFactory(zone=zone, name="Standard", base_cost=Decimal("15000"), estimated_hours=24)
    DeliveryTariffFactory(zone=zone, name="Old", base_cost=Decimal("1000"), is_active=False)
    DeliveryTariffFactory(name="Elsewhere", base_cost=Decimal("1000"))  # another zone's

    offered = quotes(zone=zone, seller_id=seller.pk, address=buyer_address, subtotal=Decimal("100000"), weight=0)

    assert [q.tariff for q in offered] == [standard, express]


def test_min_order_amount_hides_a_tariff(seller, buyer_address):
    zone = DeliveryZoneFactory()
    DeliveryTariffFactory(zone=zone, name="Express", base_cost=Decimal("35000"), min_order_amount=Decimal("100000"))
    DeliveryTariffFactory(zone=zone, name="Standard", min_order_amount=Decimal("30000"))

    offered = quotes(zone=zone, seller_id=seller.pk, address=buyer_address, subtotal=Decimal("50000"), weight=0)
    assert [q.tariff_name for q in offered] == ["Standard"]

    offered = quotes(zone=zone, seller_id=seller.pk, address=buyer_address, subtotal=Decimal("100000"), weight=0)
    assert [q.tariff_name for q in offered] == ["Standard", "Express"]


def test_below_every_minimum_says_how_much_to_add(seller, buyer_address):
    zone = DeliveryZoneFactory(name="Yunusobod")
    DeliveryTariffFactory(zone=zone, min_order_amount=Decimal("100000"))
    DeliveryTariffFactory(zone=zone, min_order_amount=Decimal("30000"))

    with pytest.raises(DeliveryUnavailable) as caught:
        quotes(zone=zone, seller_id=seller.pk, address=buyer_address, subtotal=Decimal("12500"), weight=0)

    assert caught.value.code == "below_minimum"
    message = caught.value.message
    assert "Yunusobod" in message
    assert format_uzs(Decimal("30000")) in message  # the lowest minimum
    assert format_uzs(Decimal("17500")) in message  # what is missing


def test_a_zone_without_active_tariffs_is_unavailable(seller, buyer_address):
    zone = DeliveryZoneFactory()
    DeliveryTariffFactory(zone=zone, is_active=False)

    with pytest.raises(DeliveryUnavailable) as caught:
        quotes(zone=zone, seller_id=seller.pk, address=buyer_address, subtotal=Decimal("100000"), weight=0)

    assert caught.value.code == "no_tariff"


def test_estimated_date_is_now_plus_estimated_hours_in_tashkent(seller, buyer_address, monkeypatch):
    zone = DeliveryZoneFactory()
    DeliveryTariffFactory(zone=zone, name="Express", base_cost=Decimal("35000"), estimated_hours=3)
    DeliveryTariffFactory(zone=zone, name="Standard", base_cost=Decimal("15000"), estimated_hours=48)
    DeliveryTariffFactory(zone=zone, name="Someday", base_cost=Decimal("50000"), estimated_hours=None)
    # 22:00 in Tashkent is 17:00 UTC: three hours later it is tomorrow in Tashkent, not in UTC.
    monkeypatch.setattr(services.timezone, "now", lambda: datetime(2026, 3, 10, 22, 0, tzinfo=TASHKENT))

    offered = quotes(zone=zone, seller_id=seller.pk, address=buyer_address, subtotal=Decimal("100000"), weight=0)

    assert {q.tariff_name: q.estimated_date for q in offered} == {
        "Standard": date(2026, 3, 12),
        "Express": date(2026, 3, 11),
        "Someday": None,
    }


def test_quote_for_picks_the_cheapest_or_the_chosen_tariff(seller, buyer_address):
    zone = DeliveryZoneFactory()
    express = DeliveryTariffFactory(zone=zone, name="Express", base_cost=Decimal("35000"))
    standard = DeliveryTariffFactory(zone=zone, name="Standard", base_cost=Decimal("15000"))
    order = {"address": buyer_address, "seller_id": seller.pk, "subtotal": Decimal("100000"), "weight": Decimal("0")}

    quote, offered = quote_for(**order)
    assert quote.tariff == standard and [q.tariff for q in offered] == [standard, express]

    chosen, _offered = quote_for(**order, tariff_id=express.pk)
    assert chosen.tariff == express
    chosen, _offered = quote_for(**order, tariff_id=str(express.pk))  # as a form posts it
    assert chosen.tariff == express

    other_zone = DeliveryTariffFactory(name="Elsewhere")
    with pytest.raises(DeliveryUnavailable) as caught:
        quote_for(**order, tariff_id=other_zone.pk)
    assert caught.value.code == "tariff"


def test_quote_for_an_address_outside_every_zone(seller):
    DeliveryTariffFactory()
    samarkand = address_at(BuyerFactory(), (Decimal("39.6542"), Decimal("66.9597")))

    with pytest.raises(DeliveryUnavailable) as caught:
        quote_for(address=samarkand, seller_id=seller.pk, subtotal=Decimal("100000"), weight=Decimal("1"))

    assert caught.value.code == "no_zone"


# --- the product page ---------------------------------------------------------------------------
def test_delivery_estimate_quotes_one_unit_from_the_products_seller(seller, buyer_address):
    zone = DeliveryZoneFactory()
    DeliveryTariffFactory(zone=zone, name="Express", base_cost=Decimal("35000"))
    DeliveryTariffFactory(zone=zone, name="Standard", free_delivery_threshold=None)
    product = ProductFactory(
        seller=seller, base_price=Decimal("90000"), sale_price=Decimal("80000"), weight=Decimal("1.5")
    )

    estimate = services.delivery_estimate(buyer=buyer_address.user, product=product)

    assert estimate.problem is None and estimate.address == buyer_address
    assert estimate.quote.tariff_name == "Standard" and estimate.quote.zone == zone
    assert estimate.quote.cost == Decimal("15000") + Decimal("2000") * Decimal("4.45") + Decimal("1500")


def test_delivery_estimate_free_above_the_threshold(seller, buyer_address):
    DeliveryTariffFactory(free_delivery_threshold=Decimal("500000"))
    product = ProductFactory(seller=seller, base_price=Decimal("600000"))

    estimate = services.delivery_estimate(buyer=buyer_address.user, product=product)

    assert estimate.quote.is_free and estimate.quote.cost == 0


def test_delivery_estimate_uses_the_default_delivery_address_first(seller):
    """The one rule of accounts.selectors.default_delivery_address: the default delivery address
    over a more recently changed one; without a default (a state the address book never leaves,
    but rows may), the most recently changed delivery address, as on the cart and at checkout."""
    DeliveryTariffFactory()
    buyer = BuyerFactory()
    product = ProductFactory(seller=seller)
    other = UserAddressFactory(user=buyer, is_default=False)
    assert services.delivery_estimate(buyer=buyer, product=product).address == other

    home = UserAddressFactory(user=buyer, is_default=True)
    UserAddress.objects.filter(pk=other.pk).update(updated_at=home.updated_at + timedelta(days=1))
    assert services.delivery_estimate(buyer=buyer, product=product).address == home


@pytest.mark.parametrize("delivery_is_default", [False, True], ids=["delivery_not_default", "both_default"])
def test_delivery_estimate_goes_to_the_delivery_address_never_the_billing_one(seller, delivery_is_default):
    """The buyer's billing address is their default (and the most recently changed one): the
    estimate still prices delivery to their delivery address (accounts.selectors.default_delivery_address)."""
    DeliveryTariffFactory()
    buyer = BuyerFactory()
    home = UserAddressFactory(
        user=buyer, is_default=delivery_is_default, latitude=BUYER_POINT[0], longitude=BUYER_POINT[1]
    )
    billing = UserAddressFactory(user=buyer, type=AddressType.BILLING, is_default=True,
                                 latitude=Decimal("39.6542"), longitude=Decimal("66.9597"))  # fmt: skip
    UserAddress.objects.filter(pk=billing.pk).update(updated_at=home.updated_at + timedelta(days=1))

    estimate = services.delivery_estimate(buyer=buyer, product=ProductFactory(seller=seller))

    assert estimate.address == home
    assert estimate.problem is None and estimate.quote is not None


def test_delivery_estimate_outside_every_zone_and_below_the_minimum(seller):
    DeliveryTariffFactory(min_order_amount=Decimal("30000"))
    far = address_at(BuyerFactory(), (Decimal("39.6542"), Decimal("66.9597")))
    near = address_at(BuyerFactory(), BUYER_POINT)

    outside = services.delivery_estimate(buyer=far.user, product=ProductFactory(seller=seller))
    assert outside.quote is None and outside.problem == "We do not deliver there yet."

    cheap = ProductFactory(seller=seller, base_price=Decimal("10000"))
    below = services.delivery_estimate(buyer=near.user, product=cheap)
    assert below.quote is None and format_uzs(Decimal("20000")) in below.problem


def test_delivery_estimate_of_a_digital_product_ships_nothing(buyer_address):
    product = ProductFactory(is_digital=True)

    estimate = services.delivery_estimate(buyer=buyer_address.user, product=product)

    assert estimate.ships_nothing and estimate.quote is None
