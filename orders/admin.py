from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts.enums import UserRole
from accounts.models import User
from gogomarket.core.admin_utils import (
    BaseAdmin,
    HistoryInline,
    ReadOnlyAdmin,
    ReadOnlyInlineMixin,
    run_per_row,
    uzs_column,
)

from . import services
from .models import Cart, CartItem, Order, OrderItem, OrderStatusHistory, OrderTracking

MONEY_FIELDS = ("subtotal", "discount_amount", "tax_amount", "shipping_cost", "commission_amount", "total_amount")
# What staff may change on an order's page: a note and the expected delivery date. Everything else
# is the checkout's record (lines, amounts, commission, stock taken) or moves with the lifecycle
# (status, payment, courier, cancellation), through the actions below and their services.
EDITABLE_FIELDS = ("notes", "estimated_delivery_date")


class OrderItemInline(ReadOnlyInlineMixin, admin.TabularInline):
    """An order's lines, as checkout wrote them: the totals, the stock taken and the commission
    were computed from them, so they are never added, changed or deleted by hand."""

    model = OrderItem
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
    readonly_fields = fields

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
    actions = (
        "assign_courier", "cancel_with_reason", "confirm", "start_preparing", "mark_ready", "bank_transfer_received",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _step(self, request, queryset, action, note=""):
        run_per_row(
            self, request, queryset,
            lambda order: services.order_transition(
                order=order, action=action, actor=request.user, note=note, request=request
            ),
            _("%(n)d orders changed."),
        )  # fmt: skip

    @admin.action(description=_("Confirm"), permissions=["change"])
    def confirm(self, request, queryset):
        self._step(request, queryset, "confirm")

    @admin.action(description=_("Start preparing"), permissions=["change"])
    def start_preparing(self, request, queryset):
        self._step(request, queryset, "process")

    @admin.action(description=_("Ready for pickup"), permissions=["change"])
    def mark_ready(self, request, queryset):
        self._step(request, queryset, "ready")

    @admin.action(description=_("Bank transfer received (mark paid)"), permissions=["change"])
    def bank_transfer_received(self, request, queryset):
        from finance.order_payments import bank_transfer_confirm

        run_per_row(
            self, request, queryset,
            lambda order: bank_transfer_confirm(order=order, actor=request.user, request=request),
            _("%(n)d orders marked paid."),
        )  # fmt: skip

    @admin.action(description=_("Cancel with a reason"), permissions=["change"])
    def cancel_with_reason(self, request, queryset):
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._step(request, queryset, "staff_cancel", note=form.cleaned_data["reason"])
            return None
        return self._action_page(request, queryset, form, "cancel_with_reason", _("Cancel orders"))

    @admin.action(description=_("Assign a courier"), permissions=["change"])
    def assign_courier(self, request, queryset):
        form = AssignCourierForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            courier = form.cleaned_data["courier"]
            run_per_row(
                self, request, queryset,
                lambda order: services.order_assign_courier(
                    order=order, courier=courier, actor=request.user, request=request
                ),
                _("%(n)d orders assigned."),
            )  # fmt: skip
            return None
        return self._action_page(request, queryset, form, "assign_courier", _("Assign a courier"))

    def _action_page(self, request, queryset, form, action, title):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "orders": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/orders/order_action.html", context)

    subtotal_uzs = uzs_column("subtotal", _("subtotal"))
    discount_amount_uzs = uzs_column("discount_amount", _("discount"))
    tax_amount_uzs = uzs_column("tax_amount", _("tax"))
    shipping_cost_uzs = uzs_column("shipping_cost", _("shipping"))
    commission_amount_uzs = uzs_column("commission_amount", _("commission"))
    total_amount_uzs = uzs_column("total_amount", _("total"))

    def get_fieldsets(self, request, obj=None):
        # The amounts are the checkout's record: shown in UZS, never as inputs.
        shown = {name: f"{name}_uzs" for name in MONEY_FIELDS}
        return [
            (title, {**opts, "fields": [shown.get(f, f) for f in opts["fields"]]}) for title, opts in self.fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        # Every field but EDITABLE_FIELDS: a field added to orders later is read-only until
        # someone decides otherwise.
        return [name for _title, opts in self.get_fieldsets(request, obj) for name in opts["fields"]
                if name not in EDITABLE_FIELDS]  # fmt: skip


@admin.register(OrderItem)
class OrderItemAdmin(ReadOnlyAdmin):
    """Order lines, read-only: see OrderItemInline."""

    list_display = ("__str__", "order", "product", "quantity", "unit_price_uzs", "subtotal_uzs", "created_at")
    list_select_related = ("order", "product")
    list_filter = ("created_at",)
    search_fields = ("order__order_number", "product_name", "sku")
    date_hierarchy = "created_at"
    autocomplete_fields = ("order", "product", "variant")

    unit_price_uzs = uzs_column("unit_price", _("unit price"))
    subtotal_uzs = uzs_column("subtotal", _("subtotal"))


@admin.register(OrderStatusHistory)
class OrderStatusHistoryAdmin(ReadOnlyAdmin):
    list_display = ("order", "status", "changed_by", "created_at")
    list_select_related = ("order", "changed_by")
    list_filter = ("status", "created_at")
    search_fields = ("order__order_number", "notes")
    date_hierarchy = "created_at"
    autocomplete_fields = ("order", "changed_by")
    # Written by the lifecycle services with each change: never added, rewritten or removed later.


@admin.register(OrderTracking)
class OrderTrackingAdmin(ReadOnlyAdmin):
    list_display = ("order", "courier", "status", "latitude", "longitude", "created_at")
    list_select_related = ("order", "courier")
    list_filter = ("status", "created_at")
    search_fields = ("order__order_number", "courier__email")
    # No date_hierarchy: on a table this size it costs a DISTINCT over every row per page.
    autocomplete_fields = ("order", "courier")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class AssignCourierForm(forms.Form):
    courier = forms.ModelChoiceField(
        label=_("Courier"),
        queryset=User.objects.active().filter(role=UserRole.COURIER).order_by("first_name", "last_name"),
    )


@admin.register(CartItem)
class CartItemAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "cart", "product", "quantity", "unit_price", "updated_at")
    list_select_related = ("cart", "product")
    search_fields = ("product__name", "cart__user__email")
    raw_id_fields = ("cart", "product", "variant")


class CartItemInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = CartItem
    fields = ("product", "variant", "quantity", "unit_price", "created_at")
    readonly_fields = fields
    show_change_link = False


@admin.register(Cart)
class CartAdmin(ReadOnlyAdmin):
    """Carts are the buyer's; staff look (e.g. to help on the phone) but do not change them."""

    list_display = ("__str__", "user", "session_key", "updated_at")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    inlines = (CartItemInline,)
