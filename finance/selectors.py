"""Reads of money shared by the pages and the API: always the asking person's own rows, newest
first, with what each list shows fetched in the same query."""

from decimal import Decimal

from django.db import connection
from django.db.models import Exists, F, OuterRef, Sum

from .enums import CommissionStatus, TransactionType
from .models import (
    BankAccount,
    Commission,
    Payment,
    PaymentOrder,
    PaymentPurpose,
    PaymentState,
    Payout,
    Wallet,
    WalletTransaction,
)


def wallet_transactions_of(user, *, type=None):
    entries = WalletTransaction.objects.filter(wallet__user=user)
    if type:
        entries = entries.filter(type=type)
    return entries.order_by("-created_at", "-pk")


def bank_accounts_of(user):
    """The user's accounts (not deleted), the default first."""
    return BankAccount.objects.filter(user=user, deleted_at__isnull=True).order_by(
        F("is_default").desc(nulls_last=True), "-pk"
    )


def payouts_of(seller):
    return Payout.objects.filter(seller=seller).select_related("bank_account").order_by("-created_at", "-pk")


def commissions_of(seller):
    return Commission.objects.filter(seller=seller).select_related("order").order_by("-created_at", "-pk")


# What a payout may take: the sum below, in one pass over the seller's ledger in posting order.
# Money comes in two kinds: earnings (deposits that reference a commission; earnings_release
# posts them) and spend-only money (card top-ups, refunds, bonuses: anything else that comes in).
# Purchases and fees spend the spend-only money first, then earnings; payouts take earnings only
# (their hold, and the hold given back when one fails or is cancelled, reference the payout).
# The spend-only money left after each posting is a running sum that never goes below zero:
# "left = total - least(0, lowest total so far)" (the running sum clamped at zero, in SQL).
# What is payable is the balance less the spend-only money left.
_PAYABLE_SQL = """
WITH moves AS (
    SELECT t.id,
           CASE WHEN t.type = %(deposit)s AND t.reference_type = 'commission' THEN 0
                WHEN t.reference_type = 'payout' THEN 0
                ELSE t.amount END AS spend_only
    FROM wallet_transactions t
    JOIN wallets w ON w.id = t.wallet_id
    WHERE w.user_id = %(user)s
), running AS (
    SELECT id, sum(spend_only) OVER (ORDER BY id) AS total FROM moves
), spend_only_left AS (
    SELECT id, total - least(0, min(total) OVER (ORDER BY id)) AS amount FROM running
)
SELECT w.balance, coalesce((SELECT amount FROM spend_only_left ORDER BY id DESC LIMIT 1), 0)
FROM wallets w
WHERE w.user_id = %(user)s
"""


def payout_payable_amount(seller):
    """What ``seller`` may be paid out now: the earnings from sales still in the wallet, never
    money topped up by card, refunded or given as a bonus (that can be spent on purchases, and
    would otherwise be a way to turn a stolen card into cash). At most the wallet's balance, never
    below zero; one query. The one definition of the rule: ``payout_request`` checks it with the
    wallet row locked, the finance page and ``GET /api/v1/seller/balance/`` show it."""
    with connection.cursor() as cursor:
        cursor.execute(_PAYABLE_SQL, {"deposit": TransactionType.DEPOSIT.value, "user": seller.pk})
        row = cursor.fetchone()
    if row is None:  # no wallet yet
        return Decimal("0")
    balance, spend_only_left = row
    return max(Decimal("0"), balance - spend_only_left)


def seller_balances(seller):
    """(available, pending): what is in the seller's wallet now, and the earnings still on hold
    (delivered orders inside the return window). Reads only: a seller without a wallet has 0."""
    balance = Wallet.objects.filter(user=seller).values_list("balance", flat=True).first() or Decimal("0")
    pending = Commission.objects.filter(seller=seller, status=CommissionStatus.PENDING).aggregate(
        total=Sum(F("order_amount") - F("commission_amount"))
    )["total"] or Decimal("0")
    return balance, pending


def payment_for_order(order):
    """The card payment that paid ``order``, if any: the one that recorded paying it (else, for
    older rows, the latest one still holding the order's amount). An order can be in two
    succeeded payments (its checkout's, and a "pay now" one made while the first was still open);
    the one that came second was refunded at once, so it is not the one to refund from."""
    paid_it = PaymentOrder.objects.filter(payment=OuterRef("pk"), order_id=order.pk, paid_at__isnull=False)
    payments = list(
        Payment.objects.filter(
            user_id=order.buyer_id, purpose=PaymentPurpose.ORDERS, order_links__order_id=order.pk,
            state__in=[PaymentState.SUCCEEDED, PaymentState.REFUNDED],
        ).annotate(paid_it=Exists(paid_it)).order_by("-pk")
    )  # fmt: skip
    for payment in payments:
        if payment.paid_it:
            return payment  # the one that paid it
    for payment in payments:  # payments recorded before they kept what they paid: the latest holding enough
        if payment.amount - payment.refunded_amount >= order.total_amount:
            return payment
    return payments[0] if payments else None
