from datetime import timedelta
from decimal import Decimal

import factory
from django.db.models import F
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import StaffFactory
from catalog.tests.factories import ProductFactory
from orders.tests.factories import OrderFactory
from promotions.enums import PromoApplicable, PromoType
from promotions.models import FlashSale, FlashSaleProduct, PromoCode, PromoCodeUsage

CENT = Decimal("0.01")


class PromoCodeFactory(DjangoModelFactory):
    """10% off everything (at most 50 000 so'm) on orders from 100 000 so'm, valid for a month."""

    class Meta:
        model = PromoCode

    code = factory.Sequence(lambda n: f"GOGO{n + 1:04d}")
    name = factory.Sequence(lambda n: f"Promo {n}")
    description = "Test promo code"
    type = PromoType.PERCENTAGE
    value = Decimal("10.00")
    min_order_amount = Decimal("100000.00")
    max_discount_amount = Decimal("50000.00")
    usage_limit = 100
    usage_count = 0
    usage_limit_per_user = 1
    applicable_to = PromoApplicable.ALL
    applicable_ids = None
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    is_active = True
    created_by = factory.SubFactory(StaffFactory)


class PromoCodeUsageFactory(DjangoModelFactory):
    """The code used on an order of the same buyer: the order names the code and carries the
    discount, and the code's ``usage_count`` goes up by one."""

    class Meta:
        model = PromoCodeUsage

    promo_code = factory.SubFactory(PromoCodeFactory)
    order = factory.SubFactory(
        OrderFactory,
        promo_code=factory.SelfAttribute("..promo_code"),
        discount_amount=Decimal("10000.00"),
    )
    user = factory.SelfAttribute("order.buyer")
    discount_amount = factory.SelfAttribute("order.discount_amount")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        usage = super()._create(model_class, *args, **kwargs)
        PromoCode.objects.filter(pk=usage.promo_code_id).update(usage_count=F("usage_count") + 1)
        usage.promo_code.usage_count = (usage.promo_code.usage_count or 0) + 1
        return usage


class FlashSaleFactory(DjangoModelFactory):
    """A running 20% flash sale (started an hour ago, ends tomorrow)."""

    class Meta:
        model = FlashSale

    name = factory.Sequence(lambda n: f"Flash sale {n}")
    description = "Test flash sale"
    discount_percentage = Decimal("20.00")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    is_active = True


class FlashSaleProductFactory(DjangoModelFactory):
    """A product in a flash sale, at the sale's discount off its base price."""

    class Meta:
        model = FlashSaleProduct

    flash_sale = factory.SubFactory(FlashSaleFactory)
    product = factory.SubFactory(ProductFactory)
    original_price = factory.SelfAttribute("product.base_price")
    sale_price = factory.LazyAttribute(
        lambda o: (o.original_price * (100 - o.flash_sale.discount_percentage) / 100).quantize(CENT)
    )
    stock_limit = 10
    sold_count = 0
