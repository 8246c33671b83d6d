"""Card payments: wallet top-ups and checkout orders, through the payment provider.

A ``payments`` row is made first (state pending) and the buyer pays on the provider's page. The
provider's callback is verified (signature) and applied once under a row lock: a repeated or
late callback finds the payment settled and changes nothing. Money moves only then: a top-up
credits the wallet (one ``deposit``, unique per payment), paid orders become ``paid``. Orders
left unpaid are cancelled after ``card_payment_timeout_minutes`` by a Celery beat job, their
stock restored; a payment that still succeeds after that is refunded at once.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gogomarket.core.services import audit_log_write, idempotent, setting_get
from gogomarket.core.templatetags.money import format_uzs

from ..enums import TransactionType
from ..models import Payment, PaymentPurpose, PaymentState
from ..providers import CallbackInvalid, payment_provider
from .ledger import wallet_for, wallet_post

CENT = Decimal("0.01")


def _amount(value):
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (ArithmeticError, ValueError):
        raise ValidationError({"amount": _("Enter an amount in so'm.")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("Enter an amount in so'm.")})
    return amount


def payment_create(*, user, purpose, amount, order_ids=()):
    return Payment.objects.create(
        user=user,
        purpose=purpose,
        amount=amount,
        provider=payment_provider().name,
        token=secrets.token_urlsafe(32),
        order_ids=list(order_ids),
    )


def payment_page_url(payment, return_url):
    return payment_provider().payment_page_url(payment, return_url)


def topup_start(*, user, amount, idempotency_key="", return_url="/wallet/", request=None):
    """Start a card top-up of the user's wallet; returns (payment, page url, replayed). The wallet
    is credited when the provider confirms, once."""
    amount = _amount(amount)
    if not settings.TOPUP_MIN <= amount <= settings.TOPUP_MAX:
        raise ValidationError(
            {
                "amount": _("A top-up is from %(low)s to %(high)s.")
                % {"low": format_uzs(settings.TOPUP_MIN), "high": format_uzs(settings.TOPUP_MAX)}
            }
        )

    def run():
        payment = payment_create(user=user, purpose=PaymentPurpose.TOPUP, amount=amount)
        audit_log_write(
            actor=user, action="wallet.topup_start", entity_type="payment", entity_id=payment.pk,
            new_values={"amount": str(amount)}, request=request,
        )  # fmt: skip
        return {"payment": payment.pk}

    answer, replayed = idempotent(
        user=user, scope="topup", key=idempotency_key, payload={"amount": str(amount)}, run=run
    )
    payment = Payment.objects.get(pk=answer["payment"])
    return payment, payment_page_url(payment, return_url), replayed


def orders_payment_start(*, orders, buyer):
    """The card payment of a checkout's orders (called by the card handler inside checkout)."""
    total = sum((order.total_amount for order in orders), Decimal("0"))
    return payment_create(user=buyer, purpose=PaymentPurpose.ORDERS, amount=total, order_ids=[o.pk for o in orders])


def card_payment_resume(*, order, buyer, return_url=None):
    """ "Pay now" for an unpaid card order (the buyer left the provider's page, or the card was
    declined): the order's pending payment if there is one, else a new one for this order.
    Returns the provider's page URL. A second payment that still succeeds is refunded at once."""
    from orders.enums import OrderStatus, PaymentMethod, PaymentStatus

    if order.buyer_id != buyer.pk:
        raise ValidationError(_("This is not your order."))
    if (
        order.payment_method != PaymentMethod.CARD
        or order.payment_status != PaymentStatus.PENDING
        or order.status != OrderStatus.PENDING
    ):
        raise ValidationError(_("This order is not waiting for a card payment."))
    payment = (
        Payment.objects.filter(
            purpose=PaymentPurpose.ORDERS, order_ids=[order.pk], state=PaymentState.PENDING, user=buyer
        )
        .order_by("-pk")
        .first()
    )
    if payment is None:
        payment = payment_create(
            user=buyer, purpose=PaymentPurpose.ORDERS, amount=order.total_amount, order_ids=[order.pk]
        )
    return payment_page_url(payment, return_url or reverse("orders:detail", kwargs={"number": order.order_number}))


def payment_callback(data, *, request=None):
    """Apply a provider's callback. Returns the payment; raises CallbackInvalid for one that is
    not signed by the provider, or that is about another amount than the payment asked for
    (nothing changes: we never credit what was not charged). Applying the same callback again
    changes nothing."""
    result = payment_provider().verify_callback(data)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(token=result.token).first()
        if payment is None or payment.state != PaymentState.PENDING:
            return payment  # unknown, or already settled: a repeated callback
        if result.amount is not None and result.amount != payment.amount:
            raise CallbackInvalid(f"amount {result.amount}, the payment is for {payment.amount}")
        payment.provider_reference = result.provider_reference[:255]
        if not result.approved:
            payment.state = PaymentState.FAILED
            payment.failure_reason = result.reason or _("The card was declined.")
            payment.save(update_fields=["state", "provider_reference", "failure_reason", "updated_at"])
            audit_log_write(actor=None, action="payment.declined", entity_type="payment", entity_id=payment.pk)
            return payment
        payment.state = PaymentState.SUCCEEDED
        payment.save(update_fields=["state", "provider_reference", "updated_at"])
        if payment.purpose == PaymentPurpose.TOPUP:
            wallet_post(
                wallet=wallet_for(payment.user),
                type=TransactionType.DEPOSIT,
                amount=payment.amount,
                reference_type="payment",
                reference_id=payment.pk,
                description=_("Top-up by card"),
                metadata={"provider": payment.provider, "reference": payment.provider_reference},
            )
        else:
            _orders_paid(payment)
        audit_log_write(
            actor=None, action="payment.succeeded", entity_type="payment", entity_id=payment.pk,
            new_values={"amount": str(payment.amount), "purpose": payment.purpose},
        )  # fmt: skip
    return payment


def _orders_paid(payment):
    from orders.enums import OrderStatus, PaymentStatus
    from orders.models import Order, OrderStatusHistory

    late = Decimal("0")
    for order in Order.objects.select_for_update().filter(pk__in=payment.order_ids).order_by("pk"):
        if order.status == OrderStatus.CANCELLED or order.payment_status == PaymentStatus.PAID:
            # cancelled while the buyer was paying, or paid already by another payment: give it back
            late += order.total_amount
            continue
        if order.payment_status != PaymentStatus.PAID:
            order.payment_status = PaymentStatus.PAID
            order.save(update_fields=["payment_status", "updated_at"])
            OrderStatusHistory.objects.create(order=order, status=order.status, notes=_("Paid by card."))
    if late:
        payment_refund(
            payment=payment, amount=late, key="late",
            reason=_("The order was cancelled before the payment arrived."),
        )  # fmt: skip


@transaction.atomic
def payment_refund(*, payment, amount, key, reason=""):
    """Give ``amount`` of a card payment back through the provider. ``key`` names this refund
    (``order-<id>``) for the provider's idempotency: a retry is not paid twice, two refunds of the
    same amount for different orders are two. The payment's refunded_amount never exceeds what
    was paid."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    amount = _amount(amount)
    if payment.state not in (PaymentState.SUCCEEDED, PaymentState.REFUNDED):
        raise ValidationError(_("Only a paid payment can be refunded."))
    if payment.refunded_amount + amount > payment.amount:
        raise ValidationError(_("That is more than what is left of this payment."))
    result = payment_provider().refund(payment, amount, key)
    if not result.ok:
        raise ValidationError(_("The card provider refused the refund: %(reason)s") % {"reason": result.reason})
    payment.refunded_amount += amount
    if payment.refunded_amount == payment.amount:
        payment.state = PaymentState.REFUNDED
    payment.save(update_fields=["refunded_amount", "state", "updated_at"])
    audit_log_write(
        actor=None, action="payment.refund", entity_type="payment", entity_id=payment.pk,
        new_values={"amount": str(amount), "reason": str(reason), "key": key, "reference": result.provider_reference},
    )  # fmt: skip
    return payment


def payment_for_order(order):
    """The card payment that paid ``order``, if any: the latest one still holding the order's
    amount. An order can be in two succeeded payments (its checkout's, and a "pay now" one made
    while the first was still open); the one that came second was refunded at once, so it is not
    the one to refund from."""
    payments = list(
        Payment.objects.filter(
            user_id=order.buyer_id, purpose=PaymentPurpose.ORDERS, order_ids__contains=[order.pk],
            state__in=[PaymentState.SUCCEEDED, PaymentState.REFUNDED],
        ).order_by("-pk")
    )  # fmt: skip
    for payment in payments:
        if payment.amount - payment.refunded_amount >= order.total_amount:
            return payment
    return payments[0] if payments else None


def unpaid_card_orders_expire(*, now=None):
    """Cancel card orders still unpaid after ``card_payment_timeout_minutes`` (Celery beat):
    their stock comes back. Returns how many were cancelled."""
    from orders.enums import OrderStatus, PaymentMethod, PaymentStatus
    from orders.models import Order
    from orders.services import order_transition

    minutes = int(Decimal(str(setting_get("card_payment_timeout_minutes", 30))))
    limit = (now or timezone.now()) - timezone.timedelta(minutes=minutes)
    unpaid = Order.objects.filter(
        payment_method=PaymentMethod.CARD,
        payment_status=PaymentStatus.PENDING,
        status=OrderStatus.PENDING,
        deleted_at__isnull=True,
    )
    done = 0
    for order_id in list(unpaid.filter(created_at__lt=limit).order_by("pk").values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                # Judged again under the order's lock: a callback may have paid it since the list
                # was read (the lifecycle's step looks at the status only, not at the payment).
                order = unpaid.select_for_update().filter(pk=order_id).first()
                if order is None:
                    continue  # paid or changed meanwhile
                order_transition(
                    order=order, action="payment_timeout", actor=None,
                    note=_("Not paid within %(n)d minutes.") % {"n": minutes},
                )  # fmt: skip
            done += 1
        except ValidationError:
            continue  # changed meanwhile
    return done
