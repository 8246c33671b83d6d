from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import BaseAdmin, HistoryInline, LimitedInlineMixin, uzs_column
from gogomarket.core.money import format_uzs

from .enums import PromoType
from .models import FlashSale, FlashSaleProduct, PromoCode, PromoCodeUsage


class PromoCodeUsageInline(HistoryInline):
    model = PromoCodeUsage
    fields = ("created_at", "user", "order", "discount_amount_uzs")
    select_related = ("user", "order")
    max_rows = 20

    discount_amount_uzs = uzs_column("discount_amount", _("discount"))


@admin.register(PromoCode)
class PromoCodeAdmin(BaseAdmin):
    list_display = (
        "code",
        "name",
        "type",
        "value_display",
        "usage_display",
        "applicable_to",
        "starts_at",
        "expires_at",
        "is_active",
    )
    list_filter = ("type", "applicable_to", "is_active", "starts_at", "expires_at")
    search_fields = ("code", "name")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("created_by",)
    # usage_count moves with each promo_code_usage row; created_by is who added the code.
    readonly_fields = ("usage_count", "created_by")
    inlines = (PromoCodeUsageInline,)

    @admin.display(description=_("value"), ordering="value")
    def value_display(self, obj):
        if obj.type == PromoType.PERCENTAGE:
            return f"{obj.value.normalize():f}%"
        if obj.type == PromoType.FREE_SHIPPING:
            return _("free shipping")
        return format_uzs(obj.value)

    @admin.display(description=_("used"), ordering="usage_count")
    def usage_display(self, obj):
        return f"{obj.usage_count or 0} / {obj.usage_limit}" if obj.usage_limit else str(obj.usage_count or 0)

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PromoCodeUsage)
class PromoCodeUsageAdmin(BaseAdmin):
    list_display = ("promo_code", "user", "order", "discount_amount_uzs", "created_at")
    list_select_related = ("promo_code", "user", "order")
    list_filter = ("created_at",)
    search_fields = ("promo_code__code", "user__email", "order__order_number")
    date_hierarchy = "created_at"
    autocomplete_fields = ("promo_code", "user", "order")
    immutable = True

    discount_amount_uzs = uzs_column("discount_amount", _("discount"))


class FlashSaleProductInline(LimitedInlineMixin, admin.TabularInline):
    model = FlashSaleProduct
    raw_id_fields = ("product",)
    fields = ("product", "original_price", "sale_price", "stock_limit", "sold_count")
    readonly_fields = ("sold_count",)
    max_rows = 50
    ordering = ("pk",)


@admin.register(FlashSale)
class FlashSaleAdmin(BaseAdmin):
    list_display = ("name", "discount_percentage", "starts_at", "ends_at", "is_active", "created_at")
    list_filter = ("is_active", "starts_at", "ends_at")
    search_fields = ("name",)
    date_hierarchy = "starts_at"
    show_full_result_count = True
    inlines = (FlashSaleProductInline,)


@admin.register(FlashSaleProduct)
class FlashSaleProductAdmin(BaseAdmin):
    list_display = (
        "product",
        "flash_sale",
        "original_price_uzs",
        "sale_price_uzs",
        "stock_limit",
        "sold_count",
        "created_at",
    )
    list_select_related = ("product", "flash_sale")
    list_filter = ("created_at",)
    search_fields = ("product__name", "flash_sale__name")
    autocomplete_fields = ("flash_sale", "product")
    readonly_fields = ("sold_count",)

    original_price_uzs = uzs_column("original_price", _("original price"))
    sale_price_uzs = uzs_column("sale_price", _("sale price"))
