"""Unpaid orders expire: an order that must be paid in advance (card, bank transfer) and is not
paid in time is cancelled, its stock given back (Celery beat: ``orders.tasks``).

The policy is orders': which orders, judged again under the order's lock, cancelled by the
lifecycle's ``payment_timeout`` step. Each payment method's handler says how long its orders may
wait and whether the buyer is paying right now (``PaymentHandler.payment_timeout`` /
``is_being_paid``: a card order whose buyer pressed "Pay now" gets the whole timeout again).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..enums import OrderStatus, PaymentStatus
from ..models import Order
from ..payments import handler_for
from .lifecycle import order_transition


def unpaid_orders_expire(method, *, now=None):
    """Cancel the orders of payment ``method`` still unpaid after its handler's timeout. Returns
    how many were cancelled (0 for a method without a timeout)."""
    handler = handler_for(method)
    timeout = handler.payment_timeout()
    if timeout is None:
        return 0
    wait, text = timeout
    limit = (now or timezone.now()) - wait
    unpaid = Order.objects.filter(
        payment_method=method,
        payment_status=PaymentStatus.PENDING,
        status=OrderStatus.PENDING,
        deleted_at__isnull=True,
    )
    done = 0
    for order_id in list(unpaid.filter(created_at__lt=limit).order_by("pk").values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                # Judged again under the order's lock: a callback (or accounting) may have paid it
                # since the list was read (the lifecycle's step looks at the status only).
                order = unpaid.select_for_update().filter(pk=order_id).first()
                if order is None or handler.is_being_paid(order, since=limit):
                    continue
                order_transition(order=order, action="payment_timeout", actor=None, text=text)
            done += 1
        except ValidationError:
            continue  # changed meanwhile
    return done
