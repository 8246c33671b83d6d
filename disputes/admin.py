from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import BaseAdmin, LimitedInlineMixin, short_text_column, uzs_column

from .models import Dispute, DisputeMessage, ReturnItem, ReturnRequest


class DisputeMessageInline(LimitedInlineMixin, admin.StackedInline):
    model = DisputeMessage
    raw_id_fields = ("user",)
    fields = ("user", "content", "attachments", "created_at")
    readonly_fields = ("created_at",)
    max_rows = 30


@admin.register(Dispute)
class DisputeAdmin(BaseAdmin):
    list_display = ("__str__", "order", "opened_by", "type", "status", "resolved_by", "resolved_at", "created_at")
    list_select_related = ("order", "opened_by", "resolved_by")
    list_filter = ("status", "type", "created_at", "resolved_at")
    search_fields = ("order__order_number", "opened_by__email", "reason")
    date_hierarchy = "created_at"
    autocomplete_fields = ("order", "opened_by", "resolved_by")
    inlines = (DisputeMessageInline,)


@admin.register(DisputeMessage)
class DisputeMessageAdmin(BaseAdmin):
    list_display = ("__str__", "dispute", "user", "short_content", "created_at")
    list_select_related = ("dispute", "user")
    list_filter = ("created_at",)
    search_fields = ("content", "user__email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("dispute", "user")

    short_content = short_text_column("content", _("content"))


class ReturnItemInline(admin.TabularInline):
    model = ReturnItem
    extra = 0
    raw_id_fields = ("order_item",)
    fields = ("order_item", "quantity", "condition", "reason", "images")
    show_change_link = True


@admin.register(ReturnRequest)
class ReturnRequestAdmin(BaseAdmin):
    list_display = (
        "__str__",
        "order",
        "buyer",
        "status",
        "refund_amount_uzs",
        "refund_method",
        "approved_at",
        "created_at",
    )
    list_select_related = ("order", "buyer")
    list_filter = ("status", "refund_method", "created_at", "approved_at", "completed_at")
    search_fields = ("order__order_number", "buyer__email", "tracking_number")
    date_hierarchy = "created_at"
    autocomplete_fields = ("order", "buyer", "approved_by")
    inlines = (ReturnItemInline,)

    refund_amount_uzs = uzs_column("refund_amount", _("refund"))


@admin.register(ReturnItem)
class ReturnItemAdmin(BaseAdmin):
    list_display = ("__str__", "return_request", "order_item", "quantity", "condition", "created_at")
    list_select_related = ("return_request", "order_item")
    list_filter = ("condition", "created_at")
    search_fields = ("order_item__product_name", "return_request__order__order_number")
    autocomplete_fields = ("return_request", "order_item")
