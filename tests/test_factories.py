"""Every model has a factory, and what the factories make is valid and hangs together."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.gis.geos import Point, Polygon
from django.db import models
from django.utils import timezone

from accounts.enums import UserRole
from accounts.models import AdminRole
from accounts.tests.factories import BuyerFactory, CourierFactory, SellerFactory, UserAddressFactory
from catalog.models import ProductSearch, ProductSearchText, SearchTerm
from chat.models import ChatParticipant
from chat.tests.factories import ChatFactory, MessageFactory, MessageReadFactory
from delivery.models import DeliveryZone
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory
from disputes.tests.factories import DisputeFactory, ReturnItemFactory, ReturnRequestFactory
from finance.models import Wallet
from finance.tests.factories import (
    CommissionFactory,
    PayoutFactory,
    WalletFactory,
    WalletTransactionFactory,
)
from orders.enums import OrderStatus, PaymentStatus
from orders.models import Order
from orders.tests.factories import OrderFactory, OrderItemFactory, OrderTrackingFactory
from promotions.models import PromoCode
from promotions.tests.factories import FlashSaleProductFactory, PromoCodeFactory, PromoCodeUsageFactory
from reviews.tests.factories import ReviewFactory, ReviewResponseFactory
from social.tests.factories import ReelCommentFactory, SubscriptionFactory
from tests.factory_map import MODEL_FACTORIES, PROJECT_APPS

pytestmark = pytest.mark.django_db

# Fields full_clean() refuses although the row is valid in the database: AdminRole.permissions is
# a JSONField(default=dict) without blank=True, so its default {} counts as "blank".
FULL_CLEAN_EXCLUDE = {AdminRole: ["permissions"]}


# Derived tables that database triggers keep; no code (and so no factory) writes them.
TRIGGER_MAINTAINED = {ProductSearch, ProductSearchText, SearchTerm}


def project_models():
    return {m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS} - TRIGGER_MAINTAINED


def test_every_model_has_a_factory():
    assert set(MODEL_FACTORIES) == project_models()
    # the 47 tables of the spec, and the carts, idempotency keys, card payments, their orders and
    # their refunds, and spent refresh tokens beyond it
    assert len(MODEL_FACTORIES) == 47 + 7


@pytest.mark.parametrize("model", list(MODEL_FACTORIES), ids=lambda m: m._meta.label)
def test_factory_makes_valid_rows_and_respects_unique_constraints(model):
    rows = MODEL_FACTORIES[model].create_batch(3)
    assert model.objects.filter(pk__in=[r.pk for r in rows]).count() == 3
    for row in rows:
        row.full_clean(exclude=FULL_CLEAN_EXCLUDE.get(model))
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DecimalField):
                value = getattr(row, field.attname)
                assert value is None or isinstance(value, Decimal), f"{field.name} is {type(value).__name__}"


# --- orders ------------------------------------------------------------------------------


def assert_order_adds_up(order):
    order.refresh_from_db()
    items = list(order.items.select_related("product"))
    assert order.subtotal == sum((i.subtotal for i in items), Decimal("0"))
    # prices include VAT: the tax is part of the subtotal, not added on top
    assert order.total_amount == order.subtotal - order.discount_amount + order.shipping_cost
    for item in items:
        assert item.product.seller_id == order.seller_id
        assert item.subtotal == item.unit_price * item.quantity - item.discount_amount


def test_order_is_a_buyers_order_from_one_seller_to_the_buyers_address():
    order = OrderFactory(items=3)
    assert order.buyer.role == UserRole.BUYER
    assert order.seller.role == UserRole.SELLER
    assert order.buyer_id != order.seller_id
    assert order.delivery_address.user_id == order.buyer_id
    assert order.items.count() == 3
    assert order.subtotal > 0
    assert_order_adds_up(order)


def test_order_without_items_costs_only_the_shipping():
    order = OrderFactory(items=0)
    assert_order_adds_up(order)
    assert order.subtotal == 0
    assert order.total_amount == order.shipping_cost


def test_order_for_a_given_buyer_uses_that_buyers_address():
    buyer = BuyerFactory()
    order = OrderFactory(buyer=buyer)
    assert order.delivery_address.user_id == buyer.pk


def test_order_item_is_a_product_of_the_orders_seller_and_updates_the_totals():
    order = OrderFactory(items=1)
    item = OrderItemFactory(order=order, quantity=2)
    assert item.product.seller_id == order.seller_id
    assert_order_adds_up(order)
    standalone = OrderItemFactory()
    assert standalone.product.seller_id == standalone.order.seller_id
    assert_order_adds_up(standalone.order)


def test_order_item_with_variant_prices_the_variant():
    item = OrderItemFactory(with_variant=True, variant__price_adjustment=Decimal("5000.00"))
    assert item.variant.product_id == item.product_id
    assert item.unit_price == (item.product.sale_price or item.product.base_price) + Decimal("5000.00")
    assert_order_adds_up(item.order)


def test_order_traits():
    delivered = OrderFactory(delivered=True)
    assert delivered.status == OrderStatus.DELIVERED
    assert delivered.payment_status == PaymentStatus.PAID
    assert delivered.courier.role == UserRole.COURIER
    assert delivered.actual_delivery_date is not None
    cancelled = OrderFactory(cancelled=True)
    assert cancelled.cancelled_by_id == cancelled.buyer_id
    assert cancelled.cancelled_at is not None


def test_tracking_comes_from_the_orders_courier():
    tracking = OrderTrackingFactory()
    assert tracking.courier_id == tracking.order.courier_id
    assert tracking.courier.role == UserRole.COURIER
    # An order without a courier gets one, and the tracking row names the same courier.
    order = OrderFactory()
    tracking = OrderTrackingFactory(order=order)
    order.refresh_from_db()
    assert order.courier_id == tracking.courier_id


# --- finance -----------------------------------------------------------------------------


def test_wallet_transactions_chain_and_move_the_balance():
    wallet = WalletFactory()
    first = WalletTransactionFactory(wallet=wallet, amount=Decimal("100000.00"))
    second = WalletTransactionFactory(wallet=wallet, withdrawal=True)
    for txn in (first, second):
        assert txn.balance_after == txn.balance_before + txn.amount
    assert first.balance_before == Decimal("0")
    assert second.balance_before == first.balance_after
    assert second.amount < 0
    assert Wallet.objects.get(pk=wallet.pk).balance == second.balance_after == Decimal("50000.00")


def test_commission_is_on_the_orders_seller_and_subtotal():
    commission = CommissionFactory()
    order = commission.order
    assert commission.seller_id == order.seller_id
    assert commission.order_amount == order.subtotal > 0
    assert commission.commission_amount == (order.subtotal * commission.commission_rate / 100).quantize(Decimal("0.01"))
    order.refresh_from_db()
    assert commission.commission_amount == order.commission_amount


def test_payout_goes_to_the_sellers_own_bank_account():
    payout = PayoutFactory()
    assert payout.seller.role == UserRole.SELLER
    assert payout.bank_account.user_id == payout.seller_id
    seller = SellerFactory()
    assert PayoutFactory(seller=seller).bank_account.user_id == seller.pk


# --- reviews -----------------------------------------------------------------------------


def test_review_order_product_seller_and_buyer_agree():
    review = ReviewFactory()
    order = review.order
    assert order.status == OrderStatus.DELIVERED
    assert review.buyer_id == order.buyer_id
    assert review.seller_id == order.seller_id == review.product.seller_id
    assert order.items.filter(product=review.product).exists()
    assert 1 <= review.rating <= 5


def test_review_of_a_given_order_reviews_a_product_of_that_order():
    order = OrderFactory(delivered=True, items=2)
    review = ReviewFactory(order=order)
    assert order.items.filter(product=review.product).exists()
    assert (review.buyer_id, review.seller_id) == (order.buyer_id, order.seller_id)


def test_review_response_is_written_by_the_reviewed_seller():
    response = ReviewResponseFactory()
    assert response.seller_id == response.review.seller_id


# --- delivery ----------------------------------------------------------------------------


def test_delivery_zone_has_a_real_polygon_in_tashkent():
    zone = DeliveryZoneFactory()
    zone.refresh_from_db()
    assert isinstance(zone.polygon, Polygon)
    assert zone.polygon.srid == 4326
    assert zone.polygon.valid
    assert zone.polygon.contains(Point(69.28, 41.31, srid=4326))
    # The database agrees, and the factory addresses fall inside the zone.
    address = UserAddressFactory()
    inside = Point(float(address.longitude), float(address.latitude), srid=4326)
    assert DeliveryZone.objects.filter(pk=zone.pk, polygon__intersects=inside).exists()
    assert not DeliveryZone.objects.filter(pk=zone.pk, polygon__intersects=Point(64.42, 39.77, srid=4326)).exists()


def test_delivery_tariff_belongs_to_a_zone_and_is_in_uzs():
    tariff = DeliveryTariffFactory()
    assert tariff.zone.polygon is not None
    assert tariff.free_delivery_threshold > tariff.base_cost > 0


# --- disputes and returns ----------------------------------------------------------------


def test_dispute_is_opened_by_the_orders_buyer():
    dispute = DisputeFactory()
    assert dispute.opened_by_id == dispute.order.buyer_id


def test_return_item_belongs_to_the_returns_order():
    item = ReturnItemFactory()
    assert item.order_item.order_id == item.return_request.order_id
    assert 0 < item.quantity <= item.order_item.quantity


def test_return_request_returns_its_first_item_for_its_subtotal():
    request = ReturnRequestFactory()
    assert request.buyer_id == request.order.buyer_id
    items = list(request.items.select_related("order_item"))
    assert len(items) == 1
    assert items[0].order_item.order_id == request.order_id
    assert request.refund_amount == items[0].order_item.subtotal
    assert ReturnRequestFactory(items=False).items.count() == 0


# --- social and chat ---------------------------------------------------------------------


def test_subscription_is_between_two_different_users():
    subscription = SubscriptionFactory()
    assert subscription.subscriber_id != subscription.subscribed_to_id
    user = BuyerFactory()
    with pytest.raises(ValueError):
        SubscriptionFactory(subscriber=user, subscribed_to=user)


def test_reply_is_on_its_parents_reel():
    comment = ReelCommentFactory()
    reply = ReelCommentFactory(parent=comment)
    assert reply.reel_id == comment.reel_id


def test_chat_messages_come_from_participants():
    chat = ChatFactory()
    assert ChatParticipant.objects.filter(chat=chat).count() == 2
    message = MessageFactory(chat=chat)
    assert ChatParticipant.objects.filter(chat=chat, user=message.sender).exists()
    stranger = CourierFactory()
    MessageFactory(chat=chat, sender=stranger)
    assert ChatParticipant.objects.filter(chat=chat, user=stranger).exists()


def test_message_is_read_by_another_participant():
    read = MessageReadFactory()
    assert read.user_id != read.message.sender_id
    assert ChatParticipant.objects.filter(chat_id=read.message.chat_id, user=read.user).exists()


# --- promotions --------------------------------------------------------------------------


def test_promo_code_usage_is_on_an_order_of_the_same_buyer_with_that_code():
    code = PromoCodeFactory()
    usage = PromoCodeUsageFactory(promo_code=code)
    order = Order.objects.get(pk=usage.order_id)
    assert order.promo_code_id == code.pk
    assert usage.user_id == order.buyer_id
    assert usage.discount_amount == order.discount_amount > 0
    # prices include VAT: the tax is part of the subtotal, not added on top
    assert order.total_amount == order.subtotal - order.discount_amount + order.shipping_cost
    assert PromoCode.objects.get(pk=code.pk).usage_count == 1
    assert code.starts_at < timezone.now() < code.expires_at < timezone.now() + timedelta(days=31)


def test_flash_sale_price_is_the_discounted_base_price():
    entry = FlashSaleProductFactory()
    assert entry.original_price == entry.product.base_price
    expected = entry.original_price * (100 - entry.flash_sale.discount_percentage) / 100
    assert entry.sale_price == expected.quantize(Decimal("0.01"))
    assert entry.sale_price < entry.original_price
