"""Orders that add up: one buyer, one seller, the buyer's own delivery address, items of the
seller's products, and totals recomputed from the items."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.db.models import Sum
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.enums import AddressType
from accounts.models import UserAddress
from accounts.tests.factories import BuyerFactory, CourierFactory, SellerFactory, UserAddressFactory
from catalog.tests.factories import ProductFactory, ProductVariantFactory
from orders.enums import OrderStatus, PaymentMethod, PaymentStatus, TrackingStatus
from orders.models import Cart, CartItem, Order, OrderItem, OrderStatusHistory, OrderTracking

# Platform commission used by the factories (percent of the items subtotal).
COMMISSION_RATE = Decimal("10.00")
CENT = Decimal("0.01")


def order_totals_refresh(order):
    """Recompute ``subtotal``, ``total_amount`` and ``commission_amount`` of ``order`` from its
    items (test data only; the real computation belongs to the checkout service)."""
    subtotal = order.items.aggregate(total=Sum("subtotal"))["total"] or Decimal("0")
    order.subtotal = subtotal
    # Prices include VAT: tax_amount is the part of the subtotal that is tax, not added on top.
    order.total_amount = subtotal - (order.discount_amount or 0) + (order.shipping_cost or 0)
    order.commission_amount = (subtotal * COMMISSION_RATE / 100).quantize(CENT)
    Order.objects.filter(pk=order.pk).update(
        subtotal=order.subtotal, total_amount=order.total_amount, commission_amount=order.commission_amount
    )
    return order


def buyer_delivery_address(buyer):
    """The buyer's default delivery address, made when they have none: a buyer has one default
    address per type, so a second order of the same buyer reuses it."""
    if buyer.pk is None:
        return UserAddressFactory.build(user=buyer)
    existing = UserAddress.objects.filter(
        user=buyer, type=AddressType.DELIVERY, is_default=True, deleted_at__isnull=True
    ).first()
    return existing or UserAddressFactory(user=buyer)


def order_first_item(order):
    """The order's first item, adding one of the seller's products when the order has none."""
    item = order.items.select_related("product", "variant").order_by("pk").first()
    return item if item is not None else OrderItemFactory(order=order)


class OrderFactory(DjangoModelFactory):
    """A pending cash order with one item (``items=N`` for more, ``items=0`` for none).

    Traits: ``paid``, ``in_transit`` (has a courier), ``delivered``, ``cancelled``."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    class Params:
        paid = factory.Trait(payment_status=PaymentStatus.PAID, payment_method=PaymentMethod.CARD)
        in_transit = factory.Trait(paid=True, status=OrderStatus.IN_TRANSIT, courier=factory.SubFactory(CourierFactory))
        delivered = factory.Trait(
            paid=True,
            status=OrderStatus.DELIVERED,
            courier=factory.SubFactory(CourierFactory),
            actual_delivery_date=factory.LazyFunction(timezone.now),
        )
        cancelled = factory.Trait(
            status=OrderStatus.CANCELLED,
            cancellation_reason="Changed my mind",
            cancelled_by=factory.SelfAttribute("buyer"),
            cancelled_at=factory.LazyFunction(timezone.now),
        )

    order_number = factory.Sequence(lambda n: f"GM-{n + 1:08d}")
    buyer = factory.SubFactory(BuyerFactory)
    seller = factory.SubFactory(SellerFactory)
    courier = None
    status = OrderStatus.PENDING
    payment_status = PaymentStatus.PENDING
    payment_method = PaymentMethod.CASH
    subtotal = Decimal("0.00")
    discount_amount = Decimal("0.00")
    tax_amount = Decimal("0.00")
    shipping_cost = Decimal("15000.00")
    commission_amount = Decimal("0.00")
    total_amount = factory.LazyAttribute(lambda o: o.subtotal - o.discount_amount + o.shipping_cost)
    currency = "UZS"
    delivery_address = factory.LazyAttribute(lambda o: buyer_delivery_address(o.buyer))
    estimated_delivery_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=2))

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        if not create:
            return
        for _ in range(1 if extracted is None else extracted):
            OrderItemFactory(order=obj, **kwargs)


class OrderItemFactory(DjangoModelFactory):
    """One line of an order: a product of the order's seller, priced from the product; the
    order's totals are recomputed after it is saved. ``with_variant=True`` adds a variant of it."""

    class Meta:
        model = OrderItem
        skip_postgeneration_save = True

    class Params:
        with_variant = factory.Trait(
            variant=factory.SubFactory(ProductVariantFactory, product=factory.SelfAttribute("..product")),
            variant_name=factory.SelfAttribute("variant.name"),
        )

    order = factory.SubFactory(OrderFactory, items=0)
    product = factory.SubFactory(ProductFactory, seller=factory.SelfAttribute("..order.seller"))
    variant = None
    product_name = factory.SelfAttribute("product.name")
    sku = factory.SelfAttribute("product.sku")
    quantity = 1
    unit_price = factory.LazyAttribute(
        lambda o: (
            (o.product.sale_price or o.product.base_price) + ((o.variant.price_adjustment or 0) if o.variant else 0)
        )
    )
    discount_amount = Decimal("0.00")
    tax_amount = Decimal("0.00")
    subtotal = factory.LazyAttribute(lambda o: o.unit_price * o.quantity - o.discount_amount)

    @factory.post_generation
    def refresh_order_totals(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            order_totals_refresh(obj.order)


class OrderStatusHistoryFactory(DjangoModelFactory):
    class Meta:
        model = OrderStatusHistory

    order = factory.SubFactory(OrderFactory)
    status = factory.SelfAttribute("order.status")
    notes = None
    changed_by = factory.SelfAttribute("order.seller")


def _order_courier(order):
    """The courier of ``order``, assigning a new one when it has none."""
    if order.courier_id is None:
        order.courier = CourierFactory()
        Order.objects.filter(pk=order.pk).update(courier=order.courier)
    return order.courier


class OrderTrackingFactory(DjangoModelFactory):
    """A position report of the courier who carries the order, in Tashkent."""

    class Meta:
        model = OrderTracking

    order = factory.SubFactory(OrderFactory, in_transit=True)
    courier = factory.LazyAttribute(lambda o: _order_courier(o.order))
    status = TrackingStatus.IN_TRANSIT
    latitude = factory.Faker("pydecimal", left_digits=2, right_digits=6, min_value=41.28, max_value=41.36)
    longitude = factory.Faker("pydecimal", left_digits=2, right_digits=6, min_value=69.22, max_value=69.34)
    notes = None


class CartFactory(DjangoModelFactory):
    """A signed-in buyer's cart (``user=None, session_key=...`` for a visitor's)."""

    class Meta:
        model = Cart

    user = factory.SubFactory(BuyerFactory)
    session_key = None


class CartItemFactory(DjangoModelFactory):
    class Meta:
        model = CartItem

    cart = factory.SubFactory(CartFactory)
    product = factory.SubFactory(ProductFactory)
    variant = None
    quantity = 1
    unit_price = factory.LazyAttribute(lambda o: o.product.sale_price or o.product.base_price)


# --- a buyer and a seller placed on the map (checkout tests) -----------------------------------
# Both inside DeliveryZoneFactory's polygon, on the same meridian 0.04 degrees apart: the
# straight line between them is 4.45 km (0.04 * pi / 180 * 6371.0088 km).
SELLER_PICKUP = (Decimal("41.30000000"), Decimal("69.28000000"))
BUYER_HOME = (Decimal("41.34000000"), Decimal("69.28000000"))
PICKUP_TO_HOME_KM = Decimal("4.45")


def seller_with_pickup(*, at=SELLER_PICKUP, **kwargs):
    """A seller whose pickup point (their default address) is at ``at`` (latitude, longitude)."""
    seller = SellerFactory(**kwargs)
    UserAddressFactory(user=seller, label="Warehouse", latitude=at[0], longitude=at[1])
    return seller


def buyer_with_address(*, at=BUYER_HOME, **kwargs):
    """(buyer, their default delivery address at ``at``)."""
    buyer = BuyerFactory(**kwargs)
    return buyer, UserAddressFactory(user=buyer, latitude=at[0], longitude=at[1])
