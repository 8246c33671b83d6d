"""Shapes of the catalog API. Output serializers read selector results; input serializers only
check types (the rules are in ``catalog.services``)."""

from django.urls import reverse
from rest_framework import serializers

from catalog import pricing
from catalog import stock as stock_rules
from catalog.models import Product, ProductAttribute, ProductImage, ProductVariant

MONEY = {"max_digits": 12, "decimal_places": 2}


class CategoryNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    level = serializers.IntegerField()
    icon_url = serializers.CharField(allow_null=True)
    image_url = serializers.CharField(allow_null=True)
    children = serializers.SerializerMethodField()

    def get_children(self, node) -> list[dict]:
        return CategoryNodeSerializer(node.children, many=True).data


class ProductCardSerializer(serializers.Serializer):
    """A product in a list (from the Redis card cache)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    brand = serializers.CharField(allow_null=True)
    price = serializers.DecimalField(**MONEY, help_text="What the buyer pays now (the sale price when on sale).")
    base_price = serializers.DecimalField(**MONEY)
    sale_price = serializers.DecimalField(**MONEY, allow_null=True)
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2)
    rating_count = serializers.IntegerField()
    image_url = serializers.CharField(allow_null=True)
    thumbnail_url = serializers.CharField(allow_null=True)
    in_stock = serializers.BooleanField()
    seller_id = serializers.IntegerField()
    category_id = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, card) -> str:
        return reverse("catalog:product_detail", args=[card.slug])


class ProductPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    count_capped = serializers.BooleanField(help_text="There are more than `count` (a search counts up to 10 000).")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    corrected_query = serializers.CharField(allow_null=True, help_text="The query with typos corrected, if any.")
    results = ProductCardSerializer(many=True)


class ImageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductImage
        fields = ("id", "url", "thumbnail_url", "alt_text", "sort_order", "is_primary")


class VariantSerializer(serializers.ModelSerializer):
    price = serializers.SerializerMethodField()

    class Meta:
        model = ProductVariant
        fields = ("id", "sku", "name", "attributes", "price_adjustment", "price", "stock_quantity", "image_url",
                  "is_active")  # fmt: skip

    def get_price(self, variant) -> str:
        return str(pricing.current_price(variant.product, variant))


class AttributeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductAttribute
        fields = ("id", "name", "value", "sort_order")


class ProductDetailSerializer(serializers.ModelSerializer):
    """A product page: what buyers see."""

    price = serializers.SerializerMethodField()
    in_stock = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    seller = serializers.SerializerMethodField()
    images = ImageSerializer(many=True)
    variants = VariantSerializer(many=True, source="live_variants")
    attributes = AttributeSerializer(many=True)

    class Meta:
        model = Product
        fields = (
            "id", "name", "slug", "description", "short_description", "brand", "sku", "barcode", "price",
            "base_price", "sale_price", "currency", "tax_rate", "weight", "length", "width", "height", "status",
            "in_stock", "stock_quantity", "allow_backorder", "min_order_quantity", "max_order_quantity",
            "is_digital", "requires_shipping", "rating_average", "rating_count", "meta_title", "meta_description",
            "published_at", "category", "seller", "images", "variants", "attributes",
        )  # fmt: skip

    def get_price(self, product) -> str:
        return str(pricing.current_price(product))

    def get_in_stock(self, product) -> bool:
        return stock_rules.in_stock(product)

    def get_category(self, product) -> dict:
        return {"id": product.category_id, "name": product.category.name, "slug": product.category.slug}

    def get_seller(self, product) -> dict:
        seller = product.seller
        return {"id": seller.pk, "name": seller.get_full_name() or f"#{seller.pk}"}


class SellerProductSerializer(ProductDetailSerializer):
    """A seller's own product: also what only the seller sees."""

    variants = VariantSerializer(many=True, source="live_variants")

    class Meta(ProductDetailSerializer.Meta):
        fields = ProductDetailSerializer.Meta.fields + (
            "cost_price", "low_stock_threshold", "meta_keywords", "is_featured", "view_count", "created_at",
            "updated_at",
        )  # fmt: skip


class SellerProductListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ("id", "name", "slug", "sku", "status", "base_price", "sale_price", "stock_quantity",
                  "low_stock_threshold", "category_id", "updated_at", "published_at")  # fmt: skip


class ProductInputSerializer(serializers.Serializer):
    category = serializers.IntegerField(required=False, help_text="A leaf category's id.")
    name = serializers.CharField(required=False, max_length=255)
    slug = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=255)
    description = serializers.CharField(required=False)
    short_description = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=500)
    sku = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=100)
    barcode = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=100)
    brand = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=100)
    base_price = serializers.DecimalField(required=False, **MONEY)
    sale_price = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    cost_price = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    tax_rate = serializers.DecimalField(required=False, max_digits=5, decimal_places=2)
    weight = serializers.DecimalField(required=False, allow_null=True, max_digits=10, decimal_places=3)
    length = serializers.DecimalField(required=False, allow_null=True, max_digits=10, decimal_places=2)
    width = serializers.DecimalField(required=False, allow_null=True, max_digits=10, decimal_places=2)
    height = serializers.DecimalField(required=False, allow_null=True, max_digits=10, decimal_places=2)
    is_digital = serializers.BooleanField(required=False)
    requires_shipping = serializers.BooleanField(required=False)
    stock_quantity = serializers.IntegerField(required=False, min_value=0)
    low_stock_threshold = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    allow_backorder = serializers.BooleanField(required=False)
    min_order_quantity = serializers.IntegerField(required=False, min_value=1)
    max_order_quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    meta_title = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=255)
    meta_description = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    meta_keywords = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class ProductCreateInputSerializer(ProductInputSerializer):
    category = serializers.IntegerField(help_text="A leaf category's id.")
    name = serializers.CharField(max_length=255)
    description = serializers.CharField()
    base_price = serializers.DecimalField(**MONEY)


class ImageUploadInputSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="JPEG, PNG or WebP.")
    alt_text = serializers.CharField(required=False, allow_blank=True, max_length=255)


class ImageOrderInputSerializer(serializers.Serializer):
    images = serializers.ListField(child=serializers.IntegerField(), help_text="Every picture id, in the new order.")


class VariantInputSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=255)
    sku = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=100)
    attributes = serializers.DictField(child=serializers.CharField(), required=False)
    price_adjustment = serializers.DecimalField(required=False, **MONEY)
    stock_quantity = serializers.IntegerField(required=False, min_value=0)
    image_url = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    is_active = serializers.BooleanField(required=False)


class AttributeInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    value = serializers.CharField(max_length=1000)
