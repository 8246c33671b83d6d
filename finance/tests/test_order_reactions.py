"""Finance reacts to orders through orders' hooks and registries (README "Layers"): the
commission at delivery (after commit, with a sweep for a lost listener), commissions cancelled
on cancellation and refund, a refund refused once the seller has been paid, statement lines in
the reader's language."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import translation

from accounts.enums import AdminRoleType
from accounts.tests.factories import StaffFactory
from catalog.tests.factories import ProductFactory
from finance.enums import CommissionStatus, TransactionType
from finance.models import Commission, WalletTransaction
from finance.services import earnings
from finance.services.ledger import wallet_for
from orders import hooks
from orders import services as order_services
from orders.enums import OrderStatus, PaymentMethod, PaymentStatus
from orders.models import Order
from orders.tests.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db


def _on_the_road(**kwargs):
    order = OrderFactory(in_transit=True, items=0, **kwargs)
    OrderItemFactory(order=order, product=ProductFactory(seller=order.seller, base_price=Decimal("100000.00")))
    order.refresh_from_db()
    return order


def _deliver(order):
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_services.order_transition(order=order, action="deliver", actor=order.courier)
    order.refresh_from_db()
    return order


def test_the_commission_is_recorded_only_once_the_delivery_has_committed():
    order = _on_the_road()
    with TestCase.captureOnCommitCallbacks(execute=False) as pending:
        order_services.order_transition(order=order, action="deliver", actor=order.courier)
        assert not Commission.objects.filter(order=order).exists()
    for callback in pending:
        callback()
    commission = Commission.objects.get(order=order)
    assert (commission.commission_rate, commission.commission_amount) == (Decimal("10.00"), Decimal("10000.00"))


def test_a_commission_lost_between_commit_and_listener_is_recorded_before_any_release():
    order = _on_the_road()
    hooks.order_delivered.unregister(earnings.commission_record_for_order)  # as if the process died
    try:
        _deliver(order)
    finally:
        hooks.order_delivered.register(earnings.commission_record_for_order)
    assert not Commission.objects.filter(order=order).exists()

    released, cancelled = earnings.earnings_release(now=order.actual_delivery_date + timedelta(days=30))

    assert (released, cancelled) == (1, 0)
    commission = Commission.objects.get(order=order)
    assert commission.status == CommissionStatus.PAID
    assert wallet_for(order.seller).balance == order.total_amount - commission.commission_amount


def test_a_refund_cancels_the_pending_commission_and_is_refused_once_the_seller_was_paid():
    staff = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    refunded = _deliver(_on_the_road())
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_services.order_transition(order=refunded, action="refund", actor=staff, note="Broken")
    assert Commission.objects.get(order=refunded).status == CommissionStatus.CANCELLED

    paid_out = _deliver(_on_the_road())
    earnings.earnings_release(now=paid_out.actual_delivery_date + timedelta(days=30))
    before = (Order.objects.filter(pk=paid_out.pk).values().get(), WalletTransaction.objects.count())
    with pytest.raises(ValidationError, match="already been paid"):
        order_services.order_transition(order=paid_out, action="refund", actor=staff, note="Too late")
    assert (Order.objects.filter(pk=paid_out.pk).values().get(), WalletTransaction.objects.count()) == before


def test_a_wallet_refund_statement_line_is_in_the_readers_language():
    staff = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    order = OrderFactory(payment_method=PaymentMethod.CASH, delivered=True, payment_status=PaymentStatus.PAID)
    with translation.override("ru"), TestCase.captureOnCommitCallbacks(execute=True):
        order_services.order_transition(order=order, action="refund", actor=staff, note="Брак")

    line = WalletTransaction.objects.get(wallet__user=order.buyer, type=TransactionType.REFUND)
    assert line.description == f"Refund of order {order.order_number}"  # English for search and SQL
    with translation.override("uz"):
        uzbek = line.text
    with translation.override("en"):
        english = line.text
    assert english == f"Refund of order {order.order_number}"
    assert order.order_number in uzbek and uzbek != english
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED


def test_the_wallet_page_and_api_show_a_statement_line_in_the_readers_language():
    from tests.helpers import api_client_for, page_client_for

    staff = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    order = OrderFactory(payment_method=PaymentMethod.CASH, delivered=True, payment_status=PaymentStatus.PAID)
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_services.order_transition(order=order, action="refund", actor=staff, note="Broken")
    with translation.override("ru"):
        russian = f"Возврат средств за заказ {order.order_number}"
        assert WalletTransaction.objects.get(wallet__user=order.buyer).text == russian

    page = page_client_for(order.buyer).get("/wallet/", HTTP_ACCEPT_LANGUAGE="ru")
    assert russian in page.content.decode()

    api = api_client_for(order.buyer)
    (line,) = api.get("/api/v1/wallet/transactions/", HTTP_ACCEPT_LANGUAGE="ru").json()["results"]
    assert line["description"] == russian
