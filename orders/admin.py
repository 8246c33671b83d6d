from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import BaseAdmin, HistoryInline, uzs_column

from .models import Order, OrderItem, OrderStatusHistory, OrderTracking

MONEY_FIELDS = ("subtotal", "discount_amount", "tax_amount", "shipping_cost", "commission_amount", "total_amount")


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    raw_id_fields = ("product", "variant")
    fields = (
        "product",
        "variant",
        "product_name",
        "variant_name",
        "sku",
        "quantity",
        "unit_price",
        "discount_amount",
        "tax_amount",
        "subtotal",
    )
    show_change_link = True

    # Lines are typed in when an order is made by hand; afterwards they are the checkout's record,
    # like the amounts of the order, and are only shown.
    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is None and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "variant")


class OrderStatusHistoryInline(HistoryInline):
    model = OrderStatusHistory
    fields = ("status", "notes", "changed_by", "created_at")
    select_related = ("changed_by",)
    max_rows = 50


class OrderTrackingInline(HistoryInline):
    model = OrderTracking
    fields = ("status", "courier", "latitude", "longitude", "notes", "created_at")
    select_related = ("courier",)
    max_rows = 50


@admin.register(Order)
class OrderAdmin(BaseAdmin):
    list_display = (
        "order_number",
        "buyer",
        "seller",
        "status",
        "payment_status",
        "payment_method",
        "total_amount_uzs",
        "created_at",
    )
    list_select_related = ("buyer", "seller")
    list_filter = ("status", "payment_status", "payment_method", "created_at", "estimated_delivery_date")
    search_fields = ("order_number", "buyer__email", "buyer__phone", "seller__email")
    date_hierarchy = "created_at"
    autocomplete_fields = (
        "buyer",
        "seller",
        "courier",
        "promo_code",
        "delivery_address",
        "delivery_zone",
        "cancelled_by",
    )
    fieldsets = (
        (None, {"fields": ("order_number", "buyer", "seller", "courier", "status", "notes")}),
        (
            _("Payment"),
            {"fields": ("payment_status", "payment_method", *MONEY_FIELDS, "currency", "promo_code")},
        ),
        (
            _("Delivery"),
            {"fields": ("delivery_address", "delivery_zone", "estimated_delivery_date", "actual_delivery_date")},
        ),
        (_("Cancellation"), {"fields": ("cancellation_reason", "cancelled_by", "cancelled_at")}),
        (_("History"), {"fields": ("created_at", "updated_at", "deleted_at")}),
    )
    inlines = (OrderItemInline, OrderStatusHistoryInline, OrderTrackingInline)

    subtotal_uzs = uzs_column("subtotal", _("subtotal"))
    discount_amount_uzs = uzs_column("discount_amount", _("discount"))
    tax_amount_uzs = uzs_column("tax_amount", _("tax"))
    shipping_cost_uzs = uzs_column("shipping_cost", _("shipping"))
    commission_amount_uzs = uzs_column("commission_amount", _("commission"))
    total_amount_uzs = uzs_column("total_amount", _("total"))

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        # Once placed, the amounts are the checkout's record: shown in UZS, not edited.
        shown = {name: f"{name}_uzs" for name in MONEY_FIELDS}
        return [
            (title, {**opts, "fields": [shown.get(f, f) for f in opts["fields"]]}) for title, opts in self.fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, *(f"{name}_uzs" for name in MONEY_FIELDS)] if obj is not None else fields


@admin.register(OrderItem)
class OrderItemAdmin(BaseAdmin):
    list_display = ("__str__", "order", "product", "quantity", "unit_price_uzs", "subtotal_uzs", "created_at")
    list_select_related = ("order", "product")
    list_filter = ("created_at",)
    search_fields = ("order__order_number", "product_name", "sku")
    date_hierarchy = "created_at"
    autocomplete_fields = ("order", "product", "variant")

    unit_price_uzs = uzs_column("unit_price", _("unit price"))
    subtotal_uzs = uzs_column("subtotal", _("subtotal"))


@admin.register(OrderStatusHistory)
class OrderStatusHistoryAdmin(BaseAdmin):
    list_display = ("order", "status", "changed_by", "created_at")
    list_select_related = ("order", "changed_by")
    list_filter = ("status", "created_at")
    search_fields = ("order__order_number", "notes")
    date_hierarchy = "created_at"
    autocomplete_fields = ("order", "changed_by")
    # A status change that happened is not rewritten later.
    immutable = True


@admin.register(OrderTracking)
class OrderTrackingAdmin(BaseAdmin):
    list_display = ("order", "courier", "status", "latitude", "longitude", "created_at")
    list_select_related = ("order", "courier")
    list_filter = ("status", "created_at")
    search_fields = ("order__order_number", "courier__email")
    # No date_hierarchy: on a table this size it costs a DISTINCT over every row per page.
    autocomplete_fields = ("order", "courier")
    immutable = True
