from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import BaseAdmin, related_count, uzs_column

from .forms import DeliveryZoneForm
from .models import DeliveryTariff, DeliveryZone


class DeliveryTariffInline(admin.TabularInline):
    model = DeliveryTariff
    extra = 0
    fields = (
        "name",
        "base_cost",
        "cost_per_km",
        "cost_per_kg",
        "min_order_amount",
        "free_delivery_threshold",
        "estimated_hours",
        "is_active",
    )
    show_change_link = True


@admin.register(DeliveryZone)
class DeliveryZoneAdmin(BaseAdmin):
    list_display = ("name", "city", "tariff_count", "is_active", "created_at")
    list_filter = ("is_active", "city", "created_at")
    search_fields = ("name", "city", "description")
    ordering = ("city", "name")
    show_full_result_count = True
    # The polygon is drawn on a map (delivery.widgets.ZoneMapWidget: OpenLayers from our own
    # static files, the other zones underneath); the form checks it is valid and in Uzbekistan.
    form = DeliveryZoneForm
    readonly_fields = ("polygon_geojson",)
    inlines = (DeliveryTariffInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tariff_total=related_count(DeliveryTariff, "zone"))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "polygon" in form.base_fields:
            form.base_fields["polygon"].help_text = _(
                "Click on the map to draw the zone's outline, double-click to finish; drag a corner to move "
                "it. The other zones are outlined in grey. The exact outline is shown as GeoJSON below."
            )
        return form

    @admin.display(description=_("tariffs"), ordering="tariff_total")
    def tariff_count(self, obj):
        return obj.tariff_total

    @admin.display(description=_("polygon as GeoJSON"))
    def polygon_geojson(self, obj):
        return obj.polygon.geojson if obj.polygon else "-"


@admin.register(DeliveryTariff)
class DeliveryTariffAdmin(BaseAdmin):
    list_display = (
        "name",
        "zone",
        "base_cost_uzs",
        "cost_per_km_uzs",
        "cost_per_kg_uzs",
        "free_delivery_threshold_uzs",
        "estimated_hours",
        "is_active",
    )
    list_select_related = ("zone",)
    list_filter = ("is_active", "created_at")
    search_fields = ("name", "zone__name", "zone__city")
    autocomplete_fields = ("zone",)

    base_cost_uzs = uzs_column("base_cost", _("base cost"))
    cost_per_km_uzs = uzs_column("cost_per_km", _("per km"))
    cost_per_kg_uzs = uzs_column("cost_per_kg", _("per kg"))
    free_delivery_threshold_uzs = uzs_column("free_delivery_threshold", _("free from"))
