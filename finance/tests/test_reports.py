"""Money totals per period for accounting (finance.services.reports.money_totals).

A known set of movements is placed around the edges of Tashkent days, weeks and months (UTC+5:
2:00 on a Tashkent morning is still the evening before in UTC), together with records that must
not count (failed card payments, payout holds coming back, pending commissions ...), and every
column of every period is checked against the figures written out by hand."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.tests.factories import BuyerFactory, SellerFactory
from finance.enums import CommissionStatus, PayoutStatus, TransactionType
from finance.models import (
    Commission,
    Payment,
    PaymentPurpose,
    PaymentState,
    Payout,
    RefundState,
    WalletTransaction,
)
from finance.services.reports import COLUMNS, money_totals
from finance.tests.factories import (
    CommissionFactory,
    PaymentFactory,
    PaymentRefundFactory,
    PayoutFactory,
    WalletFactory,
    WalletTransactionFactory,
)

pytestmark = pytest.mark.django_db

TASHKENT = ZoneInfo("Asia/Tashkent")


def at(month, day, hour=12, minute=0):
    """A moment of 2026 on the clock in Tashkent."""
    return datetime(2026, month, day, hour, minute, tzinfo=TASHKENT)


def _when(obj, **fields):
    type(obj).objects.filter(pk=obj.pk).update(**fields)


def _entry(wallet, type, amount, when, reference_type=None, reference_id=None):
    entry = WalletTransactionFactory(
        wallet=wallet, type=type, amount=Decimal(amount), reference_type=reference_type, reference_id=reference_id
    )
    _when(entry, created_at=when)
    return entry


def _card(amount, when, state=PaymentState.SUCCEEDED, purpose=PaymentPurpose.ORDERS):
    payment = PaymentFactory(amount=Decimal(amount), state=state, purpose=purpose)
    _when(payment, created_at=when)
    return payment


def _card_refund(payment, amount, processed, state=RefundState.SUCCEEDED, **fields):
    refund = PaymentRefundFactory(payment=payment, amount=Decimal(amount), state=state, **fields)
    _when(refund, created_at=processed - timedelta(minutes=1), processed_at=processed)
    return refund


def _commission(order_amount, commission_amount, paid_at, status=CommissionStatus.PAID):
    commission = CommissionFactory(
        order_amount=Decimal(order_amount), commission_amount=Decimal(commission_amount), status=status
    )
    _when(commission, paid_at=paid_at)
    return commission


def _payout(seller, amount, status, created, processed=None):
    payout = PayoutFactory(seller=seller, amount=Decimal(amount), status=status)
    _when(payout, created_at=created, processed_at=processed)
    return payout


@pytest.fixture
def books():
    buyer = WalletFactory(user=BuyerFactory())
    seller_user = SellerFactory()
    seller = WalletFactory(user=seller_user)
    # counted
    _entry(buyer, TransactionType.DEPOSIT, "100000", at(3, 2, 10), "payment", 1)
    _entry(buyer, TransactionType.DEPOSIT, "50000", at(3, 3, 2), "payment", 2)  # 2 March 21:00 UTC
    _entry(buyer, TransactionType.PURCHASE, "-30000", at(3, 2, 23, 30), "order", 1)
    _card("200000", at(3, 3, 12))
    refunded = _card("80000", at(3, 9, 0, 30), state=PaymentState.REFUNDED)  # Monday in Tashkent, Sunday in UTC
    _card_refund(refunded, "50000", at(3, 9, 0, 40))
    _card_refund(refunded, "30000", at(3, 10, 4, 59))  # 9 March 23:59 UTC: the 10th in Tashkent
    _entry(buyer, TransactionType.REFUND, "30000", at(3, 9, 0, 30), "order", 1)
    _commission("115000", "10000", at(3, 3, 2))
    _entry(seller, TransactionType.DEPOSIT, "105000", at(3, 3, 2), "commission", 1)
    _payout(seller_user, "60000", PayoutStatus.COMPLETED, at(3, 20), processed=at(4, 1, 1))  # 31 March UTC
    _payout(seller_user, "40000", PayoutStatus.PENDING, at(3, 31, 23))
    _payout(seller_user, "25000", PayoutStatus.PROCESSING, at(4, 1, 1))
    _entry(buyer, TransactionType.DEPOSIT, "1000", at(4, 30, 23, 59), "payment", 3)  # the last minute
    # not counted: other kinds, other states, outside the range
    _entry(buyer, TransactionType.DEPOSIT, "7000", at(3, 3), None)  # not a card top-up
    _entry(buyer, TransactionType.BONUS, "3000", at(3, 3))
    _entry(seller, TransactionType.PAYOUT, "-60000", at(3, 20), "payout", 1)  # a hold is not a payout
    _entry(seller, TransactionType.REFUND, "20000", at(3, 9, 0, 30), "payout", 2)  # a hold coming back
    _card("999", at(3, 3), state=PaymentState.FAILED)
    _card("888", at(3, 3), state=PaymentState.PENDING)
    _card("777", at(3, 3), purpose=PaymentPurpose.TOPUP)  # counted as its wallet deposit, not twice
    _commission("50000", "5000", None, status=CommissionStatus.PENDING)
    _commission("40000", "4000", at(3, 3), status=CommissionStatus.CANCELLED)
    _payout(seller_user, "20000", PayoutStatus.FAILED, at(3, 20), processed=at(4, 1, 1))
    _payout(seller_user, "15000", PayoutStatus.CANCELLED, at(3, 20), processed=at(3, 21))
    _entry(buyer, TransactionType.DEPOSIT, "555", at(2, 28, 23, 59), "payment", 4)  # before the start
    _entry(buyer, TransactionType.DEPOSIT, "444", at(5, 1, 0, 0), "payment", 5)  # the end is excluded
    _card("333", at(5, 1, 0, 0))
    paid = _card("120000", at(3, 3))
    _card_refund(paid, "20000", at(3, 4), state=RefundState.PENDING)  # on its way, not back yet
    _card_refund(paid, "20000", at(3, 4), state=RefundState.FAILED)  # refused: not back
    _card_refund(paid, "120000", at(3, 4), charge_reference="second")  # a second charge given back
    _card_refund(_card("666", at(3, 3), purpose=PaymentPurpose.TOPUP), "666", at(3, 4))  # not an order's
    _card_refund(paid, "10000", at(5, 1, 0, 0))  # the end is excluded


def _table(rows):
    return [(row.start, {c: v for c, v in row.values.items() if v}) for row in rows]


def _totals(period):
    return money_totals(start=at(3, 1, 0), end=at(5, 1, 0), period=period)


D = Decimal


def test_totals_per_day_in_tashkent_time(books):
    rows, grand = _totals("day")

    assert _table(rows) == [
        (at(4, 30, 0), {"topups": D("1000")}),
        (at(4, 1, 0), {"payouts_completed": D("60000"), "payouts_held": D("25000")}),
        (at(3, 31, 0), {"payouts_held": D("40000")}),
        (at(3, 10, 0), {"card_refunds": D("30000")}),
        (at(3, 9, 0), {"card_payments": D("80000"), "card_refunds": D("50000"), "wallet_refunds": D("30000")}),
        (
            at(3, 3, 0),
            {
                "topups": D("50000"),
                "card_payments": D("320000"),
                "sales": D("115000"),
                "commissions": D("10000"),
                "earnings_released": D("105000"),
            },
        ),
        (at(3, 2, 0), {"topups": D("100000"), "wallet_purchases": D("30000")}),
    ]
    assert all(row.start.utcoffset() == timedelta(hours=5) for row in rows)  # Tashkent midnights


def test_totals_per_week_start_on_a_tashkent_monday(books):
    rows, _grand = _totals("week")

    assert _table(rows) == [
        (at(4, 27, 0), {"topups": D("1000")}),
        (at(3, 30, 0), {"payouts_completed": D("60000"), "payouts_held": D("65000")}),
        (at(3, 9, 0), {"card_payments": D("80000"), "card_refunds": D("80000"), "wallet_refunds": D("30000")}),
        (
            at(3, 2, 0),
            {
                "topups": D("150000"),
                "wallet_purchases": D("30000"),
                "card_payments": D("320000"),
                "sales": D("115000"),
                "commissions": D("10000"),
                "earnings_released": D("105000"),
            },
        ),
    ]


def test_totals_per_month(books):
    rows, _grand = _totals("month")

    assert _table(rows) == [
        (at(4, 1, 0), {"topups": D("1000"), "payouts_completed": D("60000"), "payouts_held": D("25000")}),
        (
            at(3, 1, 0),
            {
                "topups": D("150000"),
                "wallet_purchases": D("30000"),
                "card_payments": D("400000"),
                "card_refunds": D("80000"),
                "wallet_refunds": D("30000"),
                "sales": D("115000"),
                "commissions": D("10000"),
                "earnings_released": D("105000"),
                "payouts_held": D("40000"),
            },
        ),
    ]


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_the_grand_total_is_the_sum_of_the_rows_and_the_same_for_every_period(books, period):
    rows, grand = _totals(period)

    assert grand.start is None
    assert set(grand.values) == set(COLUMNS)
    for column in COLUMNS:
        assert grand.values[column] == sum((row.values[column] for row in rows), D("0"))
    assert grand.values == {
        "topups": D("151000"),
        "wallet_purchases": D("30000"),
        "card_payments": D("400000"),
        "card_refunds": D("80000"),
        "wallet_refunds": D("30000"),
        "sales": D("115000"),
        "commissions": D("10000"),
        "earnings_released": D("105000"),
        "payouts_completed": D("60000"),
        "payouts_held": D("65000"),
    }
    assert all(isinstance(value, Decimal) for value in grand.values.values())


def test_periods_are_tashkent_ones_whatever_timezone_is_active(books):
    """Accounting's days are Tashkent days, not the reader's."""
    with timezone.override(ZoneInfo("UTC")):
        rows, _grand = _totals("day")

    days = {row.start: row.values for row in rows}
    assert days[at(3, 3, 0)]["topups"] == D("50000")  # 02:00 in Tashkent is 21:00 of 2 March in UTC
    assert days[at(3, 2, 0)]["topups"] == D("100000")


def test_no_movements_no_rows():
    rows, grand = money_totals(start=at(3, 1, 0), end=at(4, 1, 0), period="day")

    assert rows == []
    assert set(grand.values.values()) == {D("0")}


def test_the_fixture_wrote_what_the_figures_say(books):
    """Guards the test data itself: the noise rows exist, so leaving them out is the report's doing."""
    assert WalletTransaction.objects.filter(type=TransactionType.REFUND, reference_type="payout").exists()
    assert Payment.objects.filter(state=PaymentState.FAILED).exists()
    assert Commission.objects.filter(status=CommissionStatus.PENDING).exists()
    assert Payout.objects.filter(status=PayoutStatus.FAILED).exists()
