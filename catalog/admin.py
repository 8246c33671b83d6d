from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import BaseAdmin, uzs_column

from .models import Category, Product, ProductAttribute, ProductImage, ProductVariant


@admin.register(Category)
class CategoryAdmin(BaseAdmin):
    list_display = ("name", "slug", "parent", "level", "sort_order", "is_active")
    list_select_related = ("parent",)
    list_filter = ("is_active", "level", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "slug")
    ordering = ("level", "sort_order", "name")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
    show_full_result_count = True


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("url", "thumbnail_url", "alt_text", "sort_order", "is_primary")
    ordering = ("sort_order", "pk")


class ProductVariantInline(admin.TabularInline):
    model = ProductVariant
    extra = 0
    fields = ("name", "sku", "attributes", "price_adjustment", "stock_quantity", "is_active")
    show_change_link = True


class ProductAttributeInline(admin.TabularInline):
    model = ProductAttribute
    extra = 0
    fields = ("name", "value", "sort_order")
    ordering = ("sort_order", "pk")


@admin.register(Product)
class ProductAdmin(BaseAdmin):
    list_display = (
        "name",
        "sku",
        "seller",
        "category",
        "base_price_uzs",
        "sale_price_uzs",
        "stock_quantity",
        "status",
        "is_featured",
        "created_at",
    )
    list_select_related = ("seller", "category")
    list_filter = ("status", "is_featured", "is_digital", "requires_shipping", "created_at", "published_at")
    search_fields = ("name", "sku", "barcode", "brand", "seller__email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("seller", "category")
    prepopulated_fields = {"slug": ("name",)}
    # Counters kept up to date by the services that record views and reviews.
    readonly_fields = ("view_count", "rating_average", "rating_count")
    inlines = (ProductImageInline, ProductVariantInline, ProductAttributeInline)

    base_price_uzs = uzs_column("base_price", _("price"))
    sale_price_uzs = uzs_column("sale_price", _("sale price"))


@admin.register(ProductImage)
class ProductImageAdmin(BaseAdmin):
    list_display = ("__str__", "product", "sort_order", "is_primary", "created_at")
    list_select_related = ("product",)
    list_filter = ("is_primary", "created_at")
    search_fields = ("product__name", "alt_text")
    autocomplete_fields = ("product",)


@admin.register(ProductVariant)
class ProductVariantAdmin(BaseAdmin):
    list_display = ("name", "sku", "product", "price_adjustment_uzs", "stock_quantity", "is_active")
    list_select_related = ("product",)
    list_filter = ("is_active", "created_at")
    search_fields = ("name", "sku", "product__name")
    autocomplete_fields = ("product",)

    price_adjustment_uzs = uzs_column("price_adjustment", _("price adjustment"))


@admin.register(ProductAttribute)
class ProductAttributeAdmin(BaseAdmin):
    list_display = ("name", "value", "product", "sort_order")
    list_select_related = ("product",)
    list_filter = ("created_at",)
    search_fields = ("name", "value", "product__name")
    autocomplete_fields = ("product",)
