from decimal import Decimal

from django.contrib.gis.db import models as gis_models
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import GistIndex, Index


class DeliveryZone(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(null=True, blank=True)
    city = models.CharField(max_length=100)
    districts = models.JSONField(null=True, blank=True)
    polygon = gis_models.PolygonField(geography=True, srid=4326, spatial_index=False, null=True, blank=True)
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False)

    class Meta:
        verbose_name = _("delivery zone")
        verbose_name_plural = _("delivery zones")
        db_table = "delivery_zones"
        indexes = [
            Index(fields=["city"], name="idx_delivery_zones_city"),
            Index(fields=["is_active"], name="idx_delivery_zones_active"),
            GistIndex(fields=["polygon"], name="idx_delivery_zones_polygon"),
        ]

    def __str__(self):
        return f"{self.name} ({self.city})"


class DeliveryTariff(models.Model):
    zone = models.ForeignKey("DeliveryZone", on_delete=models.CASCADE, related_name="tariffs", db_index=False)
    name = models.CharField(max_length=200)
    base_cost = models.DecimalField(max_digits=12, decimal_places=2)
    cost_per_km = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, default=Decimal("0"), db_default=Decimal("0")
    )
    cost_per_kg = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, default=Decimal("0"), db_default=Decimal("0")
    )
    min_order_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, default=Decimal("0"), db_default=Decimal("0")
    )
    free_delivery_threshold = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    estimated_hours = models.IntegerField(null=True, blank=True)
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False)

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
