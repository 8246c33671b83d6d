"""Card payments: wallet top-ups and checkout orders, through the payment provider.

A ``payments`` row is made first (state pending) and the buyer pays on the provider's page. The
provider's callback is verified (signature) and applied once under a row lock: a repeated or
late callback finds the payment settled and changes nothing. Money moves only then: a top-up
credits the wallet (one ``deposit``, unique per payment), paid orders become ``paid``. Orders
left unpaid are cancelled after ``card_payment_timeout_minutes`` by a Celery beat job, their
stock restored and their open payments cancelled; a payment that still succeeds after that is
refunded at once.

Refunds are ``payment_refunds`` rows: asked for inside the transaction that decides them
(``payment_refund``: pending, counted in the payment's refunded_amount) and sent to the provider
after it commits (``refund_send``, by the task ``send_refund``; ``retry_refunds`` sends again what
a crash or an outage left pending). Money never goes back to the card for something that rolled
back, and no row stays locked while the provider is called.
"""

import logging
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can_refund
from gogomarket.core.money import CENT, format_uzs
from gogomarket.core.services import audit_log_write, idempotent

from .. import texts
from ..enums import TransactionType
from ..models import Payment, PaymentOrder, PaymentPurpose, PaymentRefund, PaymentState, RefundState
from ..providers import CallbackInvalid, payment_provider
from .ledger import wallet_for, wallet_post

logger = logging.getLogger(__name__)

# A refund still pending this long was not sent by its task (a crash) or not answered: sent again.
REFUND_RETRY_AFTER = timezone.timedelta(minutes=5)
REFUND_ATTEMPTS_WORRYING = 12  # about an hour of retries: logged as an error for accounting


def _amount(value):
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (ArithmeticError, ValueError):
        raise ValidationError({"amount": _("Enter an amount in so'm.")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("Enter an amount in so'm.")})
    return amount


def payment_create(*, user, purpose, amount, order_ids=()):
    payment = Payment.objects.create(
        user=user,
        purpose=purpose,
        amount=amount,
        provider=payment_provider().name,
        token=secrets.token_urlsafe(32),
    )
    PaymentOrder.objects.bulk_create(PaymentOrder(payment=payment, order_id=pk) for pk in sorted(set(order_ids)))
    return payment


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
        Payment.objects.filter(purpose=PaymentPurpose.ORDERS, state=PaymentState.PENDING, user=buyer)
        .annotate(orders=Count("order_links"))  # counted before the filter below joins the links again
        .filter(orders=1, order_links__order=order)  # this order's own payment, not its checkout's
        .order_by("-pk")
        .first()
    )
    if payment is None:
        payment = payment_create(
            user=buyer, purpose=PaymentPurpose.ORDERS, amount=order.total_amount, order_ids=[order.pk]
        )
    else:
        # Back to the provider's page: the timeout counts from now (``orders.services.expiry``).
        Payment.objects.filter(pk=payment.pk).update(updated_at=timezone.now())
    return payment_page_url(payment, return_url or reverse("orders:detail", kwargs={"number": order.order_number}))


def payment_callback(data, *, request=None):
    """Apply a provider's callback. Returns the payment; raises CallbackInvalid for one that is
    not signed by the provider, or that is about another amount than the payment asked for
    (nothing changes: we never credit what was not charged). Applying the same callback again
    changes nothing.

    The provider's word on a charge is final: an approval for a payment we had marked failed or
    cancelled (a late or reordered callback, a page still open after the order was cancelled) is
    applied all the same, and an approval of a settled payment under another provider reference
    is a second charge of the card, refunded in full. A decline after a success changes nothing."""
    result = payment_provider().verify_callback(data)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(token=result.token).first()
        if payment is None:
            return None  # not ours
        reference = result.provider_reference[:255]
        if payment.state == PaymentState.PENDING:
            _check_amount(payment, result)
            if result.approved:
                _payment_succeed(payment, reference)
            else:
                _payment_fail(payment, reference, result.reason)
            return payment
        if not result.approved:
            return payment  # a repeated or late decline: whatever was settled stays
        if payment.state in (PaymentState.FAILED, PaymentState.CANCELLED):
            _check_amount(payment, result)
            old_state = payment.state
            _payment_succeed(payment, reference)
            audit_log_write(
                actor=None, action="payment.late_approval", entity_type="payment", entity_id=payment.pk,
                old_values={"state": old_state}, new_values={"state": payment.state, "reference": reference},
            )  # fmt: skip
            return payment
        if (payment.provider_reference or "") != reference:
            _check_amount(payment, result)
            _second_charge_refund(payment, reference)
        return payment  # the same approval repeated


def _check_amount(payment, result):
    if result.amount is not None and result.amount != payment.amount:
        raise CallbackInvalid(f"amount {result.amount}, the payment is for {payment.amount}")


def _payment_fail(payment, reference, reason):
    payment.provider_reference = reference
    payment.state = PaymentState.FAILED
    payment.failure_reason = reason or _("The card was declined.")
    payment.save(update_fields=["state", "provider_reference", "failure_reason", "updated_at"])
    audit_log_write(actor=None, action="payment.declined", entity_type="payment", entity_id=payment.pk)


def _payment_succeed(payment, reference):
    """The provider charged the card for ``payment`` (locked): the money is credited or the orders
    paid, once (a payment becomes succeeded once, from pending, failed or cancelled)."""
    payment.provider_reference = reference
    payment.state = PaymentState.SUCCEEDED
    payment.save(update_fields=["state", "provider_reference", "updated_at"])
    if payment.purpose == PaymentPurpose.TOPUP:
        wallet_post(
            wallet=wallet_for(payment.user),
            type=TransactionType.DEPOSIT,
            amount=payment.amount,
            reference_type="payment",
            reference_id=payment.pk,
            text=texts.TOPUP_BY_CARD.stored(),
            metadata={"provider": payment.provider, "reference": payment.provider_reference},
        )
    else:
        _orders_paid(payment)
    audit_log_write(
        actor=None, action="payment.succeeded", entity_type="payment", entity_id=payment.pk,
        new_values={"amount": str(payment.amount), "purpose": payment.purpose},
    )  # fmt: skip


def _second_charge_refund(payment, reference):
    """The provider approved ``payment`` (locked) again under another reference: the card was
    charged twice. The second charge goes back in full (once per reference)."""
    refund, created = _refund_ask(
        payment, amount=payment.amount, key=f"late-{reference}"[:300], charge_reference=reference,
        reason=_("The card was charged twice for the same payment."),
    )  # fmt: skip
    if created:
        logger.error("payment %s: charged a second time (reference %s); refunded in full", payment.pk, reference)
        audit_log_write(
            actor=None, action="payment.second_charge", entity_type="payment", entity_id=payment.pk,
            new_values={"amount": str(payment.amount), "reference": reference, "refund": refund.pk},
        )  # fmt: skip


def _orders_paid(payment):
    from orders.enums import OrderStatus, PaymentStatus
    from orders.models import Order
    from orders.services.payment_state import order_payment_record

    late = Decimal("0")
    paid = []
    order_ids = PaymentOrder.objects.filter(payment=payment).values("order_id")
    for order in Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk"):
        if order.status == OrderStatus.CANCELLED or order.payment_status == PaymentStatus.PAID:
            # cancelled while the buyer was paying, or paid already by another payment: give it back
            late += order.total_amount
            continue
        order_payment_record(order=order, payment_status=PaymentStatus.PAID, text=texts.PAID_BY_CARD.stored())
        paid.append(order.pk)
    if paid:
        PaymentOrder.objects.filter(payment=payment, order_id__in=paid).update(paid_at=timezone.now())
    if late:
        payment_refund(
            payment=payment, amount=late, key="late",
            reason=_("The order was cancelled before the payment arrived."),
        )  # fmt: skip


# --- refunds ------------------------------------------------------------------------------------
@transaction.atomic
def payment_refund(*, payment, amount, key, reason=""):
    """Ask for ``amount`` of a card payment back, in the caller's transaction: a ``pending``
    refund row is written and counted in the payment's refunded_amount, and sent to the provider
    only once the transaction has committed (``finance.tasks.send_refund``; nothing leaves while
    rows are locked, and a rolled-back cancellation refunds nothing). ``key`` names this refund
    (``order-<id>``): the same key again returns the first refund and asks for nothing more; two
    refunds of the same amount for different orders are two. Refunds never exceed the payment.
    Returns the refund."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    refund, _created = _refund_ask(payment, amount=amount, key=key, reason=reason)
    return refund


def _refund_ask(payment, *, amount, key, reason="", charge_reference=None):
    """The refund ``key`` of ``payment`` (locked by the caller): (refund, created)."""
    existing = PaymentRefund.objects.filter(payment=payment, key=key).first()
    if existing is not None:
        return existing, False
    amount = _amount(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("Enter an amount in so'm.")})
    if payment.state not in (PaymentState.SUCCEEDED, PaymentState.REFUNDED):
        raise ValidationError(_("Only a paid payment can be refunded."))
    if charge_reference is None:
        if payment.refunded_amount + amount > payment.amount:
            raise ValidationError(_("That is more than what is left of this payment."))
        payment.refunded_amount += amount
        payment.save(update_fields=["refunded_amount", "updated_at"])
    refund = PaymentRefund.objects.create(
        payment=payment, key=key, amount=amount, reason=str(reason)[:1000], charge_reference=charge_reference,
    )  # fmt: skip
    _send_on_commit(refund)
    return refund, True


def _send_on_commit(refund):
    from ..tasks import send_refund

    pk = refund.pk
    # robust: a broker hiccup after the commit must not turn a done cancellation into an error;
    # the refund stays pending and the retry job sends it.
    transaction.on_commit(lambda: send_refund.delay(pk), robust=True)


def refund_send(*, refund, actor=None, request=None):
    """Send a pending refund to the provider (the task ``send_refund``, the retry job, accounting's
    "send again"); must be called outside a transaction. The attempt is committed first, then the
    provider is called with no lock held, then its answer is recorded: ``succeeded`` (the payment
    is ``refunded`` once all of it has gone back), or ``failed`` (a refusal: it no longer counts
    in the payment's refunded_amount; accounting sees it in the back office). A provider that does
    not answer leaves it pending for the retry job. A crash anywhere leaves it pending too; the
    provider is idempotent per (payment, key), so sending it again never pays twice. Returns the
    refund in its new state."""
    with transaction.atomic():
        locked = PaymentRefund.objects.select_for_update().filter(pk=refund.pk).first()
        if locked is None or locked.state != RefundState.PENDING:
            return locked
        locked.attempts += 1
        locked.save(update_fields=["attempts", "updated_at"])
    payment = Payment.objects.get(pk=locked.payment_id)
    try:
        result = payment_provider().refund(payment, locked.amount, locked.provider_key)
    except Exception as error:  # the outside world: a network error, the provider down ...
        log = logger.error if locked.attempts >= REFUND_ATTEMPTS_WORRYING else logger.warning
        log("refund %s: the card provider did not answer (attempt %d, %s)", locked.pk, locked.attempts,
            type(error).__name__)  # fmt: skip
        return locked
    with transaction.atomic():
        # The payment first, then the refund: the order payment_refund takes them in.
        payment = Payment.objects.select_for_update().get(pk=locked.payment_id)
        locked = PaymentRefund.objects.select_for_update().get(pk=locked.pk)
        if locked.state != RefundState.PENDING:
            return locked  # another sender recorded the provider's (same) answer first
        locked.processed_at = timezone.now()
        if result.ok:
            locked.state = RefundState.SUCCEEDED
            locked.provider_reference = (result.provider_reference or "")[:255] or None
            locked.save(update_fields=["state", "provider_reference", "processed_at", "updated_at"])
            _payment_refunded_if_all_back(payment)
            action = "payment.refund"
        else:
            locked.state = RefundState.FAILED
            locked.failure_reason = result.reason or _("The card provider refused the refund.")
            locked.save(update_fields=["state", "failure_reason", "processed_at", "updated_at"])
            if locked.charge_reference is None:
                payment.refunded_amount -= locked.amount
                payment.save(update_fields=["refunded_amount", "updated_at"])
            logger.error(
                "refund %s of payment %s (%s so'm): refused by the card provider: %s",
                locked.pk, payment.pk, locked.amount, locked.failure_reason,
            )  # fmt: skip
            action = "payment.refund_failed"
        audit_log_write(
            actor=actor, action=action, entity_type="payment", entity_id=payment.pk, request=request,
            new_values={"refund": locked.pk, "amount": str(locked.amount), "key": locked.key,
                        "reason": locked.reason, "reference": locked.provider_reference or "",
                        "failure": locked.failure_reason or ""},
        )  # fmt: skip
    return locked


def _payment_refunded_if_all_back(payment):
    refunded = PaymentRefund.objects.filter(
        payment=payment, state=RefundState.SUCCEEDED, charge_reference__isnull=True
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if refunded >= payment.amount and payment.state == PaymentState.SUCCEEDED:
        payment.state = PaymentState.REFUNDED
        payment.save(update_fields=["state", "updated_at"])


def refund_send_again(*, refund, actor, request=None):
    """Accounting sends a refund again: a failed one (sorted out with the provider meanwhile) is
    made pending again, counted in the payment's refunded_amount again and audited; then it is
    sent at once (``refund_send``), as is a pending one. Refused for one already refunded, or if
    the payment no longer has that much left. Returns the refund in its new state."""
    if not can_refund(actor):
        raise PermissionDenied(_("Only accounting staff send refunds."))
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund = PaymentRefund.objects.select_for_update().get(pk=refund.pk)
        if refund.state == RefundState.SUCCEEDED:
            raise ValidationError(_("It is refunded already."))
        if refund.state == RefundState.FAILED:
            if refund.charge_reference is None:
                if payment.refunded_amount + refund.amount > payment.amount:
                    raise ValidationError(_("That is more than what is left of this payment."))
                payment.refunded_amount += refund.amount
                payment.save(update_fields=["refunded_amount", "updated_at"])
            old_failure = refund.failure_reason
            refund.state = RefundState.PENDING
            refund.failure_reason = None
            refund.processed_at = None
            refund.generation += 1  # a new request to the provider, not a replay of its refusal
            refund.save(update_fields=["state", "failure_reason", "processed_at", "generation", "updated_at"])
            audit_log_write(
                actor=actor, action="payment.refund_again", entity_type="payment", entity_id=payment.pk,
                old_values={"state": RefundState.FAILED, "failure": old_failure or ""},
                new_values={"refund": refund.pk, "state": RefundState.PENDING}, request=request,
            )  # fmt: skip
    return refund_send(refund=refund, actor=actor, request=request)


def refunds_retry(*, older_than=None):
    """Send again the refunds still pending after ``REFUND_RETRY_AFTER`` (Celery beat): a worker
    that crashed, or a provider that did not answer. Returns {state: count}."""
    limit = timezone.now() - (older_than if older_than is not None else REFUND_RETRY_AFTER)
    pending = PaymentRefund.objects.filter(state=RefundState.PENDING, updated_at__lt=limit)
    counts = {}
    for pk in list(pending.order_by("pk").values_list("pk", flat=True)):
        refund = refund_send(refund=PaymentRefund(pk=pk))
        state = refund.state if refund is not None else "gone"
        counts[state] = counts.get(state, 0) + 1
    return counts


@transaction.atomic
def payments_pending_cancel_for(order):
    """The order was cancelled: its card payments still waiting for the card are closed (the
    provider's page no longer takes the card). One a provider callback is applying right now is
    skipped rather than waited for (that callback locks the payment, then the order: waiting here
    would deadlock); it finds the order cancelled and refunds it. Returns how many."""
    waiting = (
        Payment.objects.select_for_update(skip_locked=True)
        .filter(purpose=PaymentPurpose.ORDERS, state=PaymentState.PENDING, order_links__order_id=order.pk)
        .order_by("pk")
    )
    done = 0
    for payment in waiting:
        payment.state = PaymentState.CANCELLED
        payment.failure_reason = _("The order was cancelled.")
        payment.save(update_fields=["state", "failure_reason", "updated_at"])
        audit_log_write(
            actor=None, action="payment.cancelled", entity_type="payment", entity_id=payment.pk,
            new_values={"order": order.pk},
        )  # fmt: skip
        done += 1
    return done
