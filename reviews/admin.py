from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import BaseAdmin, short_text_column

from .models import Review, ReviewImage, ReviewResponse


class ReviewImageInline(admin.TabularInline):
    model = ReviewImage
    extra = 0
    fields = ("url", "thumbnail_url", "sort_order")
    ordering = ("sort_order", "pk")


class ReviewResponseInline(admin.StackedInline):
    model = ReviewResponse
    extra = 0
    max_num = 1
    raw_id_fields = ("seller",)
    fields = ("seller", "content", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")


@admin.register(Review)
class ReviewAdmin(BaseAdmin):
    list_display = (
        "__str__",
        "product",
        "buyer",
        "seller",
        "rating",
        "is_approved",
        "is_verified_purchase",
        "created_at",
    )
    list_select_related = ("product", "buyer", "seller")
    list_filter = (
        "rating",
        "is_approved",
        "is_verified_purchase",
        "created_at",
        ("deleted_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("title", "content", "product__name", "buyer__email", "order__order_number")
    date_hierarchy = "created_at"
    autocomplete_fields = ("order", "product", "seller", "buyer")
    readonly_fields = ("helpful_count",)
    inlines = (ReviewImageInline, ReviewResponseInline)


@admin.register(ReviewImage)
class ReviewImageAdmin(BaseAdmin):
    list_display = ("__str__", "review", "sort_order", "created_at")
    list_select_related = ("review",)
    list_filter = ("created_at",)
    search_fields = ("review__title", "url")
    autocomplete_fields = ("review",)


@admin.register(ReviewResponse)
class ReviewResponseAdmin(BaseAdmin):
    list_display = ("__str__", "review", "seller", "short_content", "created_at")
    list_select_related = ("review", "seller")
    list_filter = ("created_at",)
    search_fields = ("content", "seller__email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("review", "seller")

    short_content = short_text_column("content", _("content"))
