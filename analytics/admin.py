from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import BaseAdmin, uzs_column

from .models import AnalyticsEvent, SellerStatistics


@admin.register(AnalyticsEvent)
class AnalyticsEventAdmin(BaseAdmin):
    list_display = ("created_at", "event_type", "event_name", "user", "session_id", "ip_address")
    list_select_related = ("user",)
    list_filter = ("created_at",)
    search_fields = ("event_type", "event_name", "session_id", "user__email")
    # No date_hierarchy: on a table this size it costs a DISTINCT over every row per page.
    autocomplete_fields = ("user",)
    # Events are recorded as they happened.
    immutable = True


@admin.register(SellerStatistics)
class SellerStatisticsAdmin(BaseAdmin):
    list_display = (
        "seller",
        "total_products",
        "total_orders",
        "completed_orders",
        "total_revenue_uzs",
        "total_commission_uzs",
        "average_rating",
        "total_reviews",
        "updated_at",
    )
    list_select_related = ("seller",)
    list_filter = ("updated_at",)
    search_fields = ("seller__email", "seller__first_name", "seller__last_name")
    autocomplete_fields = ("seller",)
    readonly_on_change = ("seller",)

    total_revenue_uzs = uzs_column("total_revenue", _("revenue"))
    total_commission_uzs = uzs_column("total_commission", _("commission"))
