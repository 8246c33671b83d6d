from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from accounts.models import active_account_q
from gogomarket.core.db import EnumField, GinIndex, Index

from . import pricing
from . import stock as stock_rules
from .enums import LISTED_STATUSES, STOREFRONT_STATUSES, ProductStatus


class Category(models.Model):
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="children",
        db_index=False,
        null=True,
        blank=True,
        verbose_name=_("parent"),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    slug = models.CharField(max_length=255, verbose_name=_("slug"))
    description = models.TextField(null=True, blank=True, verbose_name=_("description"))
    icon_url = models.TextField(null=True, blank=True, verbose_name=_("icon URL"))
    image_url = models.TextField(null=True, blank=True, verbose_name=_("image URL"))
    level = models.IntegerField(default=0, db_default=0, verbose_name=_("level"))
    sort_order = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("sort order"))
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True, verbose_name=_("is active"))
    meta_title = models.CharField(max_length=255, null=True, blank=True, verbose_name=_("meta title"))
    meta_description = models.TextField(null=True, blank=True, verbose_name=_("meta description"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))

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


class ProductQuerySet(models.QuerySet):
    """Who may see a product. The one definition, used by every storefront read (pages, lists,
    search's SQL twin in ``catalog.listing``, the API, the cart, checkout, delivery)."""

    def _for_buyers(self, statuses):
        return self.filter(active_account_q("seller__"), status__in=statuses, deleted_at__isnull=True)

    def visible(self):
        """On the storefront: on sale or sold out, not deleted, of an active seller (its page
        opens, a cart holds it, checkout sells it)."""
        return self._for_buyers(STOREFRONT_STATUSES)

    def listed(self):
        """Visible and on sale: in category pages, storefronts, search and the API's lists."""
        return self._for_buyers(LISTED_STATUSES)


class ProductVariantQuerySet(models.QuerySet):
    def live(self):
        """Options a buyer can choose: switched on and not deleted."""
        return self.filter(is_active=True, deleted_at__isnull=True)


class Product(models.Model):
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="products",
        db_index=False,
        verbose_name=_("seller"),
    )
    category = models.ForeignKey(
        "Category", on_delete=models.PROTECT, related_name="products", db_index=False, verbose_name=_("category")
    )
    name = models.CharField(max_length=255, verbose_name=_("name"))
    slug = models.CharField(max_length=255, verbose_name=_("slug"))
    description = models.TextField(verbose_name=_("description"))
    short_description = models.CharField(max_length=500, null=True, blank=True, verbose_name=_("short description"))
    sku = models.CharField(max_length=100, null=True, blank=True, verbose_name=_("SKU"))
    barcode = models.CharField(max_length=100, null=True, blank=True, verbose_name=_("barcode"))
    brand = models.CharField(max_length=100, null=True, blank=True, verbose_name=_("brand"))
    base_price = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("base price"))
    sale_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, verbose_name=_("sale price")
    )
    cost_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, verbose_name=_("cost price")
    )
    currency = models.CharField(max_length=3, default="UZS", db_default="UZS", verbose_name=_("currency"))
    tax_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("tax rate"),
    )
    weight = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True, verbose_name=_("weight"))
    length = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, verbose_name=_("length"))
    width = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, verbose_name=_("width"))
    height = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, verbose_name=_("height"))
    status = EnumField(
        enum_type="product_status_enum",
        choices=ProductStatus.choices,
        default=ProductStatus.DRAFT,
        db_default="draft",
        verbose_name=_("status"),
    )
    is_featured = models.BooleanField(
        null=True, blank=True, default=False, db_default=False, verbose_name=_("is featured")
    )
    is_digital = models.BooleanField(
        null=True, blank=True, default=False, db_default=False, verbose_name=_("is digital")
    )
    requires_shipping = models.BooleanField(
        null=True, blank=True, default=True, db_default=True, verbose_name=_("requires shipping")
    )
    stock_quantity = models.IntegerField(
        null=True, blank=True, default=0, db_default=0, verbose_name=_("stock quantity")
    )
    low_stock_threshold = models.IntegerField(
        null=True, blank=True, default=10, db_default=10, verbose_name=_("low stock threshold")
    )
    allow_backorder = models.BooleanField(
        null=True, blank=True, default=False, db_default=False, verbose_name=_("allow backorder")
    )
    min_order_quantity = models.IntegerField(
        null=True, blank=True, default=1, db_default=1, verbose_name=_("min order quantity")
    )
    max_order_quantity = models.IntegerField(null=True, blank=True, verbose_name=_("max order quantity"))
    view_count = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("view count"))
    rating_average = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("rating average"),
    )
    rating_count = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("rating count"))
    meta_title = models.CharField(max_length=255, null=True, blank=True, verbose_name=_("meta title"))
    meta_description = models.TextField(null=True, blank=True, verbose_name=_("meta description"))
    meta_keywords = models.TextField(null=True, blank=True, verbose_name=_("meta keywords"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))

    objects = ProductQuerySet.as_manager()

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
            # Beyond the spec: lists in their default order (popular first) read the first page
            # from these instead of sorting every listed product. Partial: listed products only.
            Index(
                fields=["-view_count", "-rating_count", "-id"],
                name="idx_products_listed_popular",
                condition=models.Q(status="active", deleted_at__isnull=True),
            ),
            Index(
                fields=["category", "-view_count", "-rating_count", "-id"],
                name="idx_products_listed_category",
                condition=models.Q(status="active", deleted_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="idx_products_slug"),
            models.UniqueConstraint(fields=["sku"], name="idx_products_sku"),
            # Beyond the spec: what ``catalog.pricing`` relies on (the services give the messages).
            models.CheckConstraint(condition=models.Q(base_price__gt=0), name="products_base_price_positive"),
            models.CheckConstraint(
                condition=models.Q(sale_price__isnull=True) | models.Q(sale_price__lt=models.F("base_price")),
                name="products_sale_below_base",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def in_stock(self):
        """Can be ordered now (``catalog.stock.in_stock``)."""
        return stock_rules.in_stock(self)

    @property
    def current_price(self):
        """What one unit costs now (``catalog.pricing.current_price``)."""
        return pricing.current_price(self)

    @property
    def on_sale(self):
        return pricing.on_sale(self)


class ProductImage(models.Model):
    product = models.ForeignKey(
        "Product", on_delete=models.CASCADE, related_name="images", db_index=False, verbose_name=_("product")
    )
    url = models.TextField(verbose_name=_("URL"))
    thumbnail_url = models.TextField(null=True, blank=True, verbose_name=_("thumbnail URL"))
    alt_text = models.CharField(max_length=255, null=True, blank=True, verbose_name=_("alt text"))
    sort_order = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("sort order"))
    is_primary = models.BooleanField(
        null=True, blank=True, default=False, db_default=False, verbose_name=_("is primary")
    )
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

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
    product = models.ForeignKey(
        "Product", on_delete=models.CASCADE, related_name="variants", db_index=False, verbose_name=_("product")
    )
    sku = models.CharField(max_length=100, null=True, blank=True, verbose_name=_("SKU"))
    name = models.CharField(max_length=255, verbose_name=_("name"))
    attributes = models.JSONField(default=dict, verbose_name=_("attributes"))
    price_adjustment = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("price adjustment"),
    )
    stock_quantity = models.IntegerField(
        null=True, blank=True, default=0, db_default=0, verbose_name=_("stock quantity")
    )
    image_url = models.TextField(null=True, blank=True, verbose_name=_("image URL"))
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True, verbose_name=_("is active"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))

    objects = ProductVariantQuerySet.as_manager()

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

    @property
    def is_live(self):
        """``ProductVariant.objects.live()`` for one variant."""
        return self.is_active is True and self.deleted_at is None


class ProductAttribute(models.Model):
    product = models.ForeignKey(
        "Product", on_delete=models.CASCADE, related_name="attributes", db_index=False, verbose_name=_("product")
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    value = models.TextField(verbose_name=_("value"))
    sort_order = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("sort order"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("product attribute")
        verbose_name_plural = _("product attributes")
        db_table = "product_attributes"
        indexes = [
            Index(fields=["product"], name="idx_attributes_product_id"),
        ]

    def __str__(self):
        return f"{self.name}: {self.value}"


# --- Search (tables beyond the spec) ----------------------------------------------------------
# The spec suggests a GIN full-text index on products. Ranking needs the document itself, not
# only an index over an expression (recomputing to_tsvector per matched row is far too slow for
# a broad term), so the document is stored here, one row per product a buyer can see, kept in
# step with `products` and `categories` by database triggers (migration 0002). Nothing in Python
# writes these tables.
class ProductSearch(models.Model):
    product = models.OneToOneField(
        "Product",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search",
        verbose_name=_("product"),
    )
    seller_id = models.BigIntegerField(verbose_name=_("seller"))
    category_id = models.BigIntegerField(verbose_name=_("category"))
    name_normalized = models.TextField(verbose_name=_("normalised name"))
    # What ranks: name and brand (A), category path (B), short description (C). Kept small so
    # that ranking a broad term reads few pages; the description is in ProductSearchText.
    document = SearchVectorField(verbose_name=_("search document"))

    class Meta:
        verbose_name = _("product search document")
        verbose_name_plural = _("product search documents")
        db_table = "product_search"
        indexes = [GinIndex(fields=["document"], name="idx_products_search")]

    def __str__(self):
        return self.name_normalized


class ProductSearchText(models.Model):
    """The description of each product a buyer can see, searched but not ranked: matches here
    come after every match on the ranked document (same triggers as ProductSearch)."""

    product = models.OneToOneField(
        "Product",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_text",
        verbose_name=_("product"),
    )
    document = SearchVectorField(verbose_name=_("description search document"))

    class Meta:
        verbose_name = _("product description search document")
        verbose_name_plural = _("product description search documents")
        db_table = "product_search_text"
        indexes = [GinIndex(fields=["document"], name="idx_products_search_description")]

    def __str__(self):
        return f"description of {self.product_id}"


class SearchTerm(models.Model):
    """The vocabulary of product names, brands and categories (normalised words of 3+ letters),
    for typo correction with pg_trgm: a misspelt query word is replaced by its nearest term."""

    word = models.TextField(primary_key=True, verbose_name=_("word"))

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        db_table = "search_terms"
        indexes = [GinIndex(fields=["word"], name="idx_search_terms_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self):
        return self.word
