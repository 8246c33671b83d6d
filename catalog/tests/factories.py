from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import SellerFactory
from catalog.enums import ProductStatus
from catalog.models import Category, Product, ProductAttribute, ProductImage, ProductVariant


class CategoryFactory(DjangoModelFactory):
    """A top-level category; pass ``parent=`` for a child (its level follows the parent's)."""

    class Meta:
        model = Category

    parent = None
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = factory.Faker("sentence")
    level = factory.LazyAttribute(lambda o: o.parent.level + 1 if o.parent else 0)
    sort_order = factory.Sequence(int)
    is_active = True


class ProductFactory(DjangoModelFactory):
    """An active (published) product of a seller, priced in UZS, in stock."""

    class Meta:
        model = Product

    seller = factory.SubFactory(SellerFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = factory.Faker("paragraph")
    short_description = factory.Faker("sentence")
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    brand = "Artel"
    base_price = factory.Sequence(lambda n: Decimal(50_000 + (n % 50) * 10_000))
    currency = "UZS"
    weight = Decimal("1.250")
    status = ProductStatus.ACTIVE
    stock_quantity = 100
    published_at = factory.LazyFunction(timezone.now)


class ProductImageFactory(DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    url = factory.Sequence(lambda n: f"/media/products/test/{n}.jpg")
    thumbnail_url = factory.Sequence(lambda n: f"/media/products/test/{n}_thumb.jpg")
    alt_text = factory.LazyAttribute(lambda o: o.product.name)
    sort_order = 0
    is_primary = True


class ProductVariantFactory(DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"VAR-{n:06d}")
    name = factory.Sequence(lambda n: f"Variant {n}")
    attributes = factory.LazyFunction(lambda: {"color": "black", "size": "M"})
    price_adjustment = Decimal("0")
    stock_quantity = 20
    is_active = True


class ProductAttributeFactory(DjangoModelFactory):
    class Meta:
        model = ProductAttribute

    product = factory.SubFactory(ProductFactory)
    name = "Material"
    value = "Cotton"
    sort_order = factory.Sequence(int)
