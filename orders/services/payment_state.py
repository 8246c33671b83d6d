"""The one writer of an order's money state: its payment status (``order_payment_record``) and
the commission it carries (``order_commission_set``).

Every change of ``orders.payment_status`` goes through ``order_payment_record``: the payment
handlers of finance (wallet, card, bank transfer) call it when money arrives or goes back, and the
lifecycle calls it with what a handler returns at delivery, cancellation and refund. It writes the
status and a timeline row (a sentence by kind, shown in the reader's language), and announces a
payment (``orders.hooks.order_paid``) after commit.
"""

from django.db import transaction
from django.utils import timezone

from .. import hooks
from ..enums import PaymentStatus
from ..models import Order, OrderStatusHistory


@transaction.atomic
def order_payment_record(*, order, payment_status, text=None, actor=None, history=True):
    """Set ``order``'s payment status (the order row is locked, or already locked by the caller)
    and write its timeline row: ``text`` is a ``gogomarket.core.texts`` entry (``{"kind",
    "params"}``) saying how it was paid or refunded. ``history=False`` when the caller writes the
    step's own row (a transition). Returns the order, its ``payment_status`` updated."""
    locked = Order.objects.select_for_update().only("pk", "status", "payment_status").get(pk=order.pk)
    old = locked.payment_status
    if old != payment_status:
        Order.objects.filter(pk=order.pk).update(payment_status=payment_status, updated_at=timezone.now())
    order.payment_status = payment_status
    if history and (old != payment_status or text):
        OrderStatusHistory.objects.create(
            order_id=order.pk, status=locked.status, changed_by=actor if getattr(actor, "pk", None) else None,
            kind=(text or {}).get("kind"), params=(text or {}).get("params") or None,
        )  # fmt: skip
    if payment_status == PaymentStatus.PAID and old != PaymentStatus.PAID:
        hooks.order_paid.fire(order_id=order.pk)
    return order


def order_commission_set(*, order, amount):
    """The platform's commission on ``order`` as finance recorded it at delivery (the same rule
    checkout quoted; a rate changed since makes them differ). Called inside finance's transaction,
    with the order row locked there."""
    if order.commission_amount != amount:
        Order.objects.filter(pk=order.pk).update(commission_amount=amount, updated_at=timezone.now())
        order.commission_amount = amount
    return order
