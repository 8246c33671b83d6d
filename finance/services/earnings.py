"""Commissions and seller earnings.

At delivery a ``commissions`` row records the rate and the amount (``commission_record``, run
once the delivery has committed, from ``orders.hooks.order_delivered``; ``earnings_release``
first records any a crash lost): the rate is the platform's
``commission_rate_percent`` setting, or the ``commission_rate_by_category`` override (a JSON
object ``{"category-slug": percent}``; a category inherits its nearest ancestor's override). The
commission is taken on the items; the delivery charge is the seller's (they ship).

After the hold period (``payout_hold_days``, the return window) ``earnings_release`` (Celery
beat, hourly, and ``manage.py release_earnings``) credits the seller's wallet with the order's
total minus the commission, once (the ledger refuses a second credit for the same commission),
and marks the commission paid. Cancelled or refunded orders never pay out: their commission is
cancelled instead.
"""

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gogomarket.core.money import CENT, money
from gogomarket.core.services import audit_log_write, setting_get

from .. import texts
from ..enums import CommissionStatus, TransactionType
from ..models import Commission
from .ledger import wallet_for, wallet_post, wallets_lock

logger = logging.getLogger(__name__)


def commission_rate_for(order):
    """The percent taken on ``order``: the nearest category override, else the platform rate,
    rounded to the two decimals ``commissions.commission_rate`` keeps (so the amount is computed
    with the rate the row records)."""
    first = order.items.select_related("product__category__parent__parent").order_by("pk").first()
    # An order's items share the seller; the first item's category decides.
    return category_commission_rate(first.product.category if first and first.product else None)


def category_commission_rate(category):
    """The percent taken on items of ``category``: its nearest ``commission_rate_by_category``
    override (itself, its parent, ...), else the platform's ``commission_rate_percent``."""
    overrides = setting_get("commission_rate_by_category", {}) or {}
    rate = None
    while overrides and category is not None and rate is None:
        if category.slug in overrides:
            rate = Decimal(str(overrides[category.slug]))
        category = category.parent
    if rate is None:
        rate = Decimal(str(setting_get("commission_rate_percent", Decimal("10"))))
    return rate.quantize(CENT, rounding=ROUND_HALF_UP)


def commission_amount(subtotal, rate):
    """The commission on the items' ``subtotal`` at ``rate`` percent, in tiyin, half up."""
    return money(subtotal * rate / Decimal("100"))


def commission_quote(category, subtotal):
    """``(rate, amount)``: the one rule of the platform's commission. Checkout records it on the
    order (through ``orders.commission``, installed by ``FinanceConfig.ready``), delivery on its
    ``commissions`` row (``commission_record``)."""
    rate = category_commission_rate(category)
    return rate, commission_amount(subtotal, rate)


def commission_record(*, order):
    """Record the commission of a delivered order, once. Called after the delivery commits
    (``orders.hooks.order_delivered``), and by ``earnings_release`` for a delivered order that
    has none (a listener lost to a crash): a commission is never missed, never recorded twice."""
    from orders.enums import OrderStatus
    from orders.services.payment_state import order_commission_set

    with transaction.atomic():
        order = type(order).objects.select_for_update().get(pk=order.pk)
        if order.status != OrderStatus.DELIVERED:
            return None
        if Commission.objects.filter(order=order).exists():
            return None
        rate = commission_rate_for(order)
        amount = commission_amount(order.subtotal, rate)
        commission = Commission.objects.create(
            order=order,
            seller_id=order.seller_id,
            commission_rate=rate,
            commission_amount=amount,
            order_amount=order.total_amount,
            status=CommissionStatus.PENDING,
        )
        order_commission_set(order=order, amount=amount)  # orders writes its own row
    return commission


def commission_record_for_order(*, order_id):
    """``orders.hooks.order_delivered`` listener."""
    from orders.models import Order

    return commission_record(order=Order(pk=order_id))


def commission_cancel_for_order(*, order_id):
    """``orders.hooks.order_cancelled`` / ``order_refunded`` listener: the order will not pay out
    (``earnings_release`` never pays an order that is not delivered, should this be lost)."""
    from orders.models import Order

    commission_cancel_for(Order(pk=order_id))


def commissions_record_missing(*, limit=1000):
    """Delivered orders without a commission (the delivery's listener was lost to a crash between
    the commit and the listener): recorded now. Returns how many."""
    from orders.enums import OrderStatus
    from orders.models import Order

    missing = (
        Order.objects.filter(status=OrderStatus.DELIVERED, deleted_at__isnull=True)
        .exclude(pk__in=Commission.objects.values("order_id"))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in list(missing) if commission_record(order=Order(pk=pk)) is not None)


def earning_of(commission):
    return commission.order_amount - commission.commission_amount


def hold_days():
    return int(Decimal(str(setting_get("payout_hold_days", 14))))


def earnings_release(*, now=None, batch=500, progress=None):
    """Credit sellers with the earnings whose hold period is over. Safe to run from several
    workers at once (rows taken with SKIP LOCKED, each batch's seller wallets locked in id order,
    so two runs never deadlock) and again after a crash (the ledger credits a commission once).
    A commission that cannot be credited (the seller's wallet is full) is logged and left
    pending for the next run; it does not hold up the others. Returns (released, cancelled)."""
    from orders.enums import OrderStatus, PaymentStatus

    commissions_record_missing()
    limit = (now or timezone.now()) - timezone.timedelta(days=hold_days())
    released = cancelled = 0
    held = set()  # could not be credited in this run
    while True:
        with transaction.atomic():
            rows = list(
                Commission.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("order", "order__seller")
                .filter(status=CommissionStatus.PENDING)
                .filter(order__actual_delivery_date__lte=limit)
                .exclude(pk__in=held)
                .order_by("pk")[:batch]
            )
            if not rows:
                break
            # Made (if missing) and locked in seller/wallet id order: two runs never wait on each other crosswise.
            sellers = {c.order.seller_id: c.order.seller for c in rows}
            wallets = {pk: wallet_for(sellers[pk]) for pk in sorted(sellers)}
            wallets_lock([w.pk for w in wallets.values()])
            done = []
            for commission in rows:
                order = commission.order
                if order.status != OrderStatus.DELIVERED or order.payment_status != PaymentStatus.PAID:
                    commission.status = CommissionStatus.CANCELLED
                    commission.save(update_fields=["status"])
                    cancelled += 1
                    done.append(commission.pk)
                    continue
                try:
                    with transaction.atomic():
                        _earning_credit(commission, wallets[order.seller_id])
                except ValidationError as error:
                    logger.warning("commission %s not released: %s", commission.pk, " ".join(error.messages))
                    held.add(commission.pk)
                    continue
                released += 1
                done.append(commission.pk)
            if done:
                audit_log_write(
                    actor=None, action="earnings.release", entity_type="commission", entity_id=done[-1],
                    new_values={"commissions": done},
                )  # fmt: skip
        if progress:
            progress(released + cancelled)
    return released, cancelled


def _earning_credit(commission, wallet):
    order = commission.order
    earning = earning_of(commission)
    if earning > 0:
        wallet_post(
            wallet=wallet,
            type=TransactionType.DEPOSIT,
            amount=earning,
            reference_type="commission",
            reference_id=commission.pk,
            text=texts.EARNING.stored(number=order.order_number),
            metadata={
                "order": order.order_number,
                "order_amount": str(commission.order_amount),
                "commission": str(commission.commission_amount),
                "rate": str(commission.commission_rate),
            },
        )
    commission.status = CommissionStatus.PAID
    commission.paid_at = timezone.now()
    commission.save(update_fields=["status", "paid_at"])


def commission_cancel_for(order):
    """An order that will not pay out (cancelled, refunded): its pending commission is cancelled."""
    Commission.objects.filter(order=order, status=CommissionStatus.PENDING).update(status=CommissionStatus.CANCELLED)
