"""Reads of the catalog for buyers: only what a buyer may see."""

from django.db.models import Prefetch

from accounts.enums import UserStatus

from .enums import ProductStatus
from .models import Category, Product, ProductImage


def visible_products():
    """Products a buyer may see: active, not deleted, of an active seller."""
    return Product.objects.filter(
        status=ProductStatus.ACTIVE,
        deleted_at__isnull=True,
        seller__status=UserStatus.ACTIVE,
        seller__deleted_at__isnull=True,
    )


def featured_products(*, limit=12):
    primary_images = Prefetch(
        "images",
        queryset=ProductImage.objects.filter(is_primary=True).only(
            "id", "product_id", "url", "thumbnail_url", "alt_text"
        ),
        to_attr="primary_images",
    )
    return (
        visible_products()
        .filter(is_featured=True)
        .select_related("category", "seller")
        .prefetch_related(primary_images)
        .order_by("-rating_average", "-created_at")[:limit]
    )


def top_categories(*, limit=12):
    return Category.objects.filter(level=0, is_active=True, deleted_at__isnull=True).order_by("sort_order", "name")[
        :limit
    ]
