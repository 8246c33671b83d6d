"""Totals of money per period for accounting (the back office's "Money totals" page)."""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from ..enums import CommissionStatus, PayoutStatus, TransactionType
from ..models import (
    Commission,
    Payment,
    PaymentPurpose,
    PaymentRefund,
    PaymentState,
    Payout,
    RefundState,
    WalletTransaction,
)

PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
ZERO = Decimal("0")
COLUMNS = (
    "topups",
    "wallet_purchases",
    "card_payments",
    "card_refunds",
    "wallet_refunds",
    "sales",
    "commissions",
    "earnings_released",
    "payouts_completed",
    "payouts_held",
)


@dataclass
class PeriodTotals:
    start: object
    values: dict = field(default_factory=lambda: dict.fromkeys(COLUMNS, ZERO))


def money_totals(*, start, end, period="day"):
    """Totals per ``period`` ("day", "week", "month") between ``start`` and ``end`` (datetimes,
    end excluded), newest period first, plus a row of grand totals. Every figure comes from the
    ledger or the records that move it: top-ups credited, wallet purchases, card payments that
    succeeded (gross) and the part of them given back to the cards (refunds the provider
    confirmed, when it did; a refund of a second charge is left out, as the second charge is not
    counted as paid), refunds to wallets, delivered sales and their commissions (when the earning was
    released), earnings credited to sellers, payouts completed and payouts still held."""
    trunc = PERIODS[period]
    # Accounting's days are the platform's (Tashkent) days, whatever timezone the reader has active.
    zone = ZoneInfo(settings.TIME_ZONE)
    rows = OrderedDict()

    def add(queryset, date_field, column, amount_expr):
        grouped = (
            queryset.filter(**{f"{date_field}__gte": start, f"{date_field}__lt": end})
            .annotate(bucket=trunc(date_field, tzinfo=zone))
            .values("bucket")
            .annotate(total=amount_expr, n=Count("pk"))
        )
        for row in grouped:
            rows.setdefault(row["bucket"], PeriodTotals(row["bucket"])).values[column] += row["total"] or ZERO

    entries = WalletTransaction.objects
    add(entries.filter(type=TransactionType.DEPOSIT, reference_type="payment"), "created_at", "topups", Sum("amount"))
    add(entries.filter(type=TransactionType.PURCHASE), "created_at", "wallet_purchases", -Sum("amount"))
    refunds = entries.filter(type=TransactionType.REFUND, reference_type="order")
    add(refunds, "created_at", "wallet_refunds", Sum("amount"))
    add(
        entries.filter(type=TransactionType.DEPOSIT, reference_type="commission"),
        "created_at", "earnings_released", Sum("amount"),
    )  # fmt: skip
    paid_states = [PaymentState.SUCCEEDED, PaymentState.REFUNDED]
    card = Payment.objects.filter(purpose=PaymentPurpose.ORDERS, state__in=paid_states)
    add(card, "created_at", "card_payments", Sum("amount"))
    card_refunds = PaymentRefund.objects.filter(
        state=RefundState.SUCCEEDED, payment__purpose=PaymentPurpose.ORDERS, charge_reference__isnull=True
    )
    add(card_refunds, "processed_at", "card_refunds", Sum("amount"))
    paid = Commission.objects.filter(status=CommissionStatus.PAID)
    add(paid, "paid_at", "sales", Sum("order_amount"))
    add(paid, "paid_at", "commissions", Sum("commission_amount"))
    add(Payout.objects.filter(status=PayoutStatus.COMPLETED), "processed_at", "payouts_completed", Sum("amount"))
    add(
        Payout.objects.filter(Q(status=PayoutStatus.PENDING) | Q(status=PayoutStatus.PROCESSING)),
        "created_at", "payouts_held", Sum("amount"),
    )  # fmt: skip
    ordered = sorted(rows.values(), key=lambda r: r.start, reverse=True)
    grand = PeriodTotals(None)
    for row in ordered:
        for column in COLUMNS:
            grand.values[column] += row.values[column]
    return ordered, grand
