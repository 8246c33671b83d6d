from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import ProductStatus


class Category(models.Model):
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, related_name="children", db_index=False, null=True, blank=True
    )
    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=255)
    description = models.TextField(null=True, blank=True)
    icon_url = models.TextField(null=True, blank=True)
    image_url = models.TextField(null=True, blank=True)
    level = models.IntegerField(default=0, db_default=0)
    sort_order = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True)
    meta_title = models.CharField(max_length=255, null=True, blank=True)
    meta_description = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        db_table = "categories"
        indexes = [
            Index(fields=["parent"], name="idx_categories_parent_id"),
            Index(fields=["level"], name="idx_categories_level"),
            Index(fields=["is_active"], name="idx_categories_active"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="idx_categories_slug"),
        ]

    def __str__(self):
        return self.name


class Product(models.Model):
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="products", db_index=False
    )
    category = models.ForeignKey("Category", on_delete=models.PROTECT, related_name="products", db_index=False)
    name = models.CharField(max_length=255)
    slug = models.CharField(max_length=255)
    description = models.TextField()
    short_description = models.CharField(max_length=500, null=True, blank=True)
    sku = models.CharField(max_length=100, null=True, blank=True)
    barcode = models.CharField(max_length=100, null=True, blank=True)
    brand = models.CharField(max_length=100, null=True, blank=True)
    base_price = models.DecimalField(max_digits=12, decimal_places=2)
    sale_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cost_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="UZS", db_default="UZS")
    tax_rate = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, default=Decimal("0"), db_default=Decimal("0")
    )
    weight = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    length = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    width = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    height = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    status = EnumField(
        enum_type="product_status_enum", choices=ProductStatus.choices, default=ProductStatus.DRAFT, db_default="draft"
    )
    is_featured = models.BooleanField(null=True, blank=True, default=False, db_default=False)
    is_digital = models.BooleanField(null=True, blank=True, default=False, db_default=False)
    requires_shipping = models.BooleanField(null=True, blank=True, default=True, db_default=True)
    stock_quantity = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    low_stock_threshold = models.IntegerField(null=True, blank=True, default=10, db_default=10)
    allow_backorder = models.BooleanField(null=True, blank=True, default=False, db_default=False)
    min_order_quantity = models.IntegerField(null=True, blank=True, default=1, db_default=1)
    max_order_quantity = models.IntegerField(null=True, blank=True)
    view_count = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    rating_average = models.DecimalField(
        max_digits=3, decimal_places=2, null=True, blank=True, default=Decimal("0"), db_default=Decimal("0")
    )
    rating_count = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    meta_title = models.CharField(max_length=255, null=True, blank=True)
    meta_description = models.TextField(null=True, blank=True)
    meta_keywords = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        db_table = "products"
        indexes = [
            Index(fields=["seller"], name="idx_products_seller_id"),
            Index(fields=["category"], name="idx_products_category_id"),
            Index(fields=["status"], name="idx_products_status"),
            Index(fields=["is_featured"], name="idx_products_featured"),
            Index(fields=["-rating_average"], name="idx_products_rating"),
            Index(fields=["-created_at"], name="idx_products_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="idx_products_slug"),
            models.UniqueConstraint(fields=["sku"], name="idx_products_sku"),
        ]

    def __str__(self):
        return self.name


class ProductImage(models.Model):
    product = models.ForeignKey("Product", on_delete=models.CASCADE, related_name="images", db_index=False)
    url = models.TextField()
    thumbnail_url = models.TextField(null=True, blank=True)
    alt_text = models.CharField(max_length=255, null=True, blank=True)
    sort_order = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    is_primary = models.BooleanField(null=True, blank=True, default=False, db_default=False)
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        db_table = "product_images"
        indexes = [
            Index(fields=["product"], name="idx_product_images_product_id"),
            Index(fields=["product", "is_primary"], name="idx_product_images_primary"),
        ]

    def __str__(self):
        return self.alt_text or f"image {self.pk} of product {self.product_id}"


class ProductVariant(models.Model):
    product = models.ForeignKey("Product", on_delete=models.CASCADE, related_name="variants", db_index=False)
    sku = models.CharField(max_length=100, null=True, blank=True)
    name = models.CharField(max_length=255)
    attributes = models.JSONField(default=dict)
    price_adjustment = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, default=Decimal("0"), db_default=Decimal("0")
    )
    stock_quantity = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    image_url = models.TextField(null=True, blank=True)
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("product variant")
        verbose_name_plural = _("product variants")
        db_table = "product_variants"
        indexes = [
            Index(fields=["product"], name="idx_variants_product_id"),
            Index(fields=["is_active"], name="idx_variants_active"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["sku"], name="idx_variants_sku"),
        ]

    def __str__(self):
        return self.name


class ProductAttribute(models.Model):
    product = models.ForeignKey("Product", on_delete=models.CASCADE, related_name="attributes", db_index=False)
    name = models.CharField(max_length=100)
    value = models.TextField()
    sort_order = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        verbose_name = _("product attribute")
        verbose_name_plural = _("product attributes")
        db_table = "product_attributes"
        indexes = [
            Index(fields=["product"], name="idx_attributes_product_id"),
        ]

    def __str__(self):
        return f"{self.name}: {self.value}"
