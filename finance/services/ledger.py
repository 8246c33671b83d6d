"""The GoGoMoney ledger: every change of a wallet's balance is one ``wallet_post``.

Guarantees: the wallet row is locked (``SELECT ... FOR UPDATE``) for the change, one
``wallet_transactions`` row records it (type, signed amount, balance before and after, what it
is for), and the balance is updated in the same transaction. A balance never goes below zero
(refused here with a message; the database's CHECK refuses it too). The same movement for the
same thing (an order paid, refunded; a payout held ...) can happen once: the database refuses a
second one (unique on wallet, type, reference), and ``wallet_post`` answers with the first.
Several wallets in one change are locked in id order, so two transfers never deadlock.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from gogomarket.core.money import CENT, format_uzs
from gogomarket.core.texts import render

from ..enums import TransactionType
from ..models import Wallet, WalletTransaction

MAX_BALANCE = Decimal("9999999999.99")  # DECIMAL(12, 2)
# What may take money out (negative amounts) and what brings it in.
OUTGOING = {TransactionType.PURCHASE, TransactionType.WITHDRAWAL, TransactionType.PAYOUT, TransactionType.COMMISSION}
INCOMING = {TransactionType.DEPOSIT, TransactionType.REFUND, TransactionType.BONUS}


class InsufficientFunds(ValidationError):
    def __init__(self, balance, needed):
        # The code goes on the message: Django drops the ``code`` of an error given as a dict.
        message = _("Not enough money in your GoGoMoney wallet: %(balance)s, %(needed)s needed.") % {
            "balance": format_uzs(balance),
            "needed": format_uzs(needed),
        }
        super().__init__({"amount": [ValidationError(message, code="insufficient_funds")]})


def wallet_for(user, *, lock=False):
    """The user's wallet (made on first use: every user has one)."""
    wallet = Wallet.objects.filter(user=user).first()
    if wallet is None:
        try:
            with transaction.atomic():
                wallet = Wallet.objects.create(user=user, currency="UZS")
        except IntegrityError:  # made by a concurrent request
            wallet = Wallet.objects.get(user=user)
    if lock:
        wallet = Wallet.objects.select_for_update().get(pk=wallet.pk)
    return wallet


@dataclass
class Posting:
    transaction: WalletTransaction
    created: bool  # False: this movement was recorded before; nothing moved now


@transaction.atomic
def wallet_post(
    *, wallet, type, amount, reference_type=None, reference_id=None, text=None, description="", metadata=None
):
    """Move ``amount`` (signed: negative takes money out) on ``wallet``; see the module docstring.
    ``text`` is the statement line, a ``gogomarket.core.texts`` entry (``{"kind", "params"}``,
    kept in ``metadata["text"]`` and shown in the reader's language; ``description`` keeps it in
    English); a plain ``description`` is for lines people typed (a staff note).
    Returns a Posting; raises InsufficientFunds (nothing written) when the balance would go
    below zero, ValidationError for an amount that makes no sense for the type."""
    amount = Decimal(amount).quantize(CENT)
    if amount == 0:
        raise ValidationError({"amount": _("The amount must not be zero.")})
    if type in OUTGOING and amount > 0 or type in INCOMING and amount < 0:
        raise ValidationError({"amount": _("This kind of movement goes the other way.")})
    wallet = Wallet.objects.select_for_update().get(pk=wallet.pk)
    if reference_id is not None:
        earlier = WalletTransaction.objects.filter(
            wallet=wallet, type=type, reference_type=reference_type, reference_id=reference_id
        ).first()
        if earlier is not None:
            return Posting(earlier, created=False)
    if not wallet.is_active and amount < 0:
        raise ValidationError({"amount": _("This wallet is closed.")})
    before = wallet.balance
    after = before + amount
    if after < 0:
        raise InsufficientFunds(before, -amount)
    if after > MAX_BALANCE:
        raise ValidationError({"amount": _("A wallet holds at most %(max)s.") % {"max": format_uzs(MAX_BALANCE)}})
    if text is not None:
        with translation.override("en"):
            description = render(text["kind"], text.get("params"))
        metadata = {**(metadata or {}), "text": text}
    entry = WalletTransaction.objects.create(
        wallet=wallet,
        type=type,
        amount=amount,
        balance_before=before,
        balance_after=after,
        reference_type=reference_type,
        reference_id=reference_id,
        description=description or None,
        metadata=metadata or None,
    )
    Wallet.objects.filter(pk=wallet.pk).update(balance=F("balance") + amount)
    return Posting(entry, created=True)


def wallets_lock(wallet_ids):
    """Lock several wallets in id order (for changes that touch more than one)."""
    return list(Wallet.objects.select_for_update().filter(pk__in=sorted(set(wallet_ids))).order_by("pk"))


# --- checking the books -----------------------------------------------------------------------
@dataclass
class LedgerProblem:
    wallet_id: int
    problem: str


def ledger_check(*, progress=None):
    """Every wallet: balance = the last transaction's balance_after = the sum of its amounts, and
    every transaction's balance_after = balance_before + amount, each following the one before.
    Returns the problems found (an empty list when the books are right). One pass in SQL."""
    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.wallet_id, t.id, t.balance_before, t.amount, t.balance_after,
                   lag(t.balance_after) OVER (PARTITION BY t.wallet_id ORDER BY t.id) AS previous_after
            FROM wallet_transactions t
            WHERE t.balance_after <> t.balance_before + t.amount
               OR t.id IN (
                   SELECT id FROM (
                       SELECT id, balance_before,
                              lag(balance_after) OVER (PARTITION BY wallet_id ORDER BY id) AS prev
                       FROM wallet_transactions) x
                   WHERE x.prev IS NOT NULL AND x.prev <> x.balance_before)
            ORDER BY t.wallet_id, t.id
            """
        )
        for wallet_id, txn_id, before, amount, after, _previous in cursor.fetchall():
            if after != before + amount:
                problems.append(LedgerProblem(wallet_id, f"transaction {txn_id}: {before} + {amount} is not {after}"))
            else:
                problems.append(
                    LedgerProblem(
                        wallet_id, f"transaction {txn_id}: starts at {before}, the one before ended elsewhere"
                    )
                )
        cursor.execute(
            """
            SELECT w.id, w.balance, coalesce(s.total, 0), l.balance_after, coalesce(f.balance_before, 0)
            FROM wallets w
            LEFT JOIN (SELECT wallet_id, sum(amount) AS total FROM wallet_transactions GROUP BY wallet_id) s
                   ON s.wallet_id = w.id
            LEFT JOIN LATERAL (SELECT balance_after FROM wallet_transactions t WHERE t.wallet_id = w.id
                               ORDER BY t.id DESC LIMIT 1) l ON true
            LEFT JOIN LATERAL (SELECT balance_before FROM wallet_transactions t WHERE t.wallet_id = w.id
                               ORDER BY t.id LIMIT 1) f ON true
            ORDER BY w.id
            """
        )
        rows = cursor.fetchall()
    for n, (wallet_id, balance, total, last_after, first_before) in enumerate(rows, start=1):
        if progress and n % 10_000 == 0:
            progress(n, len(rows))
        if last_after is None:
            if balance != 0:
                problems.append(LedgerProblem(wallet_id, f"balance {balance} without any transaction"))
            continue
        if balance != last_after:
            problems.append(LedgerProblem(wallet_id, f"balance {balance}, last transaction ends at {last_after}"))
        if first_before != 0:
            problems.append(LedgerProblem(wallet_id, f"first transaction starts at {first_before}, not 0"))
        if balance != total:
            problems.append(LedgerProblem(wallet_id, f"balance {balance}, transactions add up to {total}"))
    if progress:
        progress(len(rows), len(rows))
    return problems
