"""What orders announce (orders.hooks), once the change has committed, with ids; the timeline
written by one person is read in another's language; the refund step."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import translation

from accounts.enums import AdminRoleType
from accounts.tests.factories import StaffFactory
from orders import hooks, services
from orders.enums import OrderStatus, PaymentMethod, PaymentStatus
from orders.models import Order
from orders.services.payment_state import order_payment_record
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """Every orders hook, recorded while the test runs."""
    calls = []
    listeners = {}
    for name in ("order_placed", "order_paid", "order_confirmed", "order_shipped", "order_delivered",
                 "order_cancelled", "order_refunded"):  # fmt: skip
        hook = getattr(hooks, name)
        listeners[hook] = lambda _name=name, **ids: calls.append((_name, ids))
        hook.register(listeners[hook])
    yield calls
    for hook, listener in listeners.items():
        hook.unregister(listener)


def test_each_step_is_announced_after_it_commits(heard):
    order = OrderFactory()
    seller = order.seller

    with TestCase.captureOnCommitCallbacks(execute=False) as pending:
        services.order_transition(order=order, action="confirm", actor=seller)
    assert heard == []  # nothing inside the transaction
    for callback in pending:
        callback()
    assert heard == [("order_confirmed", {"order_id": order.pk})]


def test_a_refused_step_announces_nothing(heard):
    order = OrderFactory(status=OrderStatus.DELIVERED)
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(ValidationError):
        services.order_transition(order=order, action="confirm", actor=order.seller)
    assert heard == []


def test_cancellation_by_anyone_is_announced_as_cancelled(heard):
    order = OrderFactory()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.order_transition(order=order, action="reject", actor=order.seller, note="Out of stock")
    assert heard == [("order_cancelled", {"order_id": order.pk})]


def test_paid_is_announced_once_by_the_one_writer_of_the_payment_state(heard):
    order = OrderFactory(payment_method=PaymentMethod.CARD)
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_payment_record(order=order, payment_status=PaymentStatus.PAID)
        order_payment_record(order=order, payment_status=PaymentStatus.PAID)  # again: no second announcement
    assert heard == [("order_paid", {"order_id": order.pk})]
    assert Order.objects.get(pk=order.pk).payment_status == PaymentStatus.PAID


def test_a_timeline_written_in_russian_is_read_in_uzbek():
    order = OrderFactory()
    with translation.override("ru"):  # the seller's interface
        services.order_transition(order=order, action="confirm", actor=order.seller)
    entry = order.status_history.get()

    with translation.override("uz"):
        uzbek = entry.text
    with translation.override("ru"):
        russian = entry.text
    assert uzbek != russian and "Подтвердить" == russian
    assert entry.notes is None  # nobody wrote anything: no text of any language is stored


def test_staff_refund_a_delivered_order_to_the_buyers_wallet(heard):
    from finance.services.ledger import wallet_for

    order = OrderFactory(delivered=True, payment_method=PaymentMethod.CASH)
    staff = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.order_transition(order=order, action="refund", actor=staff, note="Faulty kettle")

    order.refresh_from_db()
    assert (order.status, order.payment_status) == (OrderStatus.REFUNDED, PaymentStatus.REFUNDED)
    assert wallet_for(order.buyer).balance == order.total_amount > Decimal("0")
    entry = order.status_history.order_by("-pk").first()
    assert (entry.status, entry.notes, entry.kind) == (OrderStatus.REFUNDED, "Faulty kettle", "orders.step.refund")
    assert ("order_refunded", {"order_id": order.pk}) in heard


def test_only_staff_refund_and_only_with_a_reason():
    order = OrderFactory(delivered=True)
    before = Order.objects.filter(pk=order.pk).values().get()
    with pytest.raises(ValidationError):
        services.order_transition(order=order, action="refund", actor=order.buyer, note="I want it")
    with pytest.raises(ValidationError):
        services.order_transition(order=order, action="refund", actor=StaffFactory(), note="")
    assert Order.objects.filter(pk=order.pk).values().get() == before
