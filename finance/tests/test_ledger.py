"""Rules of the GoGoMoney ledger (finance.services.ledger): one wallet per user, every change one
locked posting that records balance before and after, never below zero (service and database),
one movement per thing it is for, and ledger_check finding every kind of broken book."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import BuyerFactory
from finance.enums import TransactionType
from finance.models import Wallet, WalletTransaction
from finance.services.ledger import InsufficientFunds, ledger_check, wallet_for, wallet_post, wallets_lock

pytestmark = pytest.mark.django_db

D = Decimal


def _balance(wallet):
    return Wallet.objects.values_list("balance", flat=True).get(pk=wallet.pk)


def _rows(wallet):
    return list(
        WalletTransaction.objects.filter(wallet=wallet)
        .order_by("pk")
        .values_list("type", "amount", "balance_before", "balance_after", "reference_type", "reference_id")
    )


def _deposit(wallet, amount, reference_id=None):
    return wallet_post(
        wallet=wallet, type=TransactionType.DEPOSIT, amount=D(amount), reference_type="payment",
        reference_id=reference_id,
    )  # fmt: skip


def _problems(wallet):
    return [problem.problem for problem in ledger_check() if problem.wallet_id == wallet.pk]


# --- one wallet per user ----------------------------------------------------------------------
def test_every_user_has_exactly_one_wallet_made_on_first_use():
    buyer = BuyerFactory()
    assert not Wallet.objects.filter(user=buyer).exists()

    first = wallet_for(buyer)
    second = wallet_for(buyer, lock=True)

    assert first.pk == second.pk
    assert (first.balance, first.currency) == (D("0"), "UZS")
    assert Wallet.objects.filter(user=buyer).count() == 1
    # The database refuses a second wallet even if the service is bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.create(user=buyer, currency="UZS")
    assert Wallet.objects.filter(user=buyer).count() == 1


# --- postings ----------------------------------------------------------------------------------
def test_a_posting_writes_one_row_with_balance_before_and_after_and_moves_the_balance():
    wallet = wallet_for(BuyerFactory())

    deposit = _deposit(wallet, "150000", reference_id=1)
    purchase = wallet_post(
        wallet=wallet, type=TransactionType.PURCHASE, amount=D("-40000.50"), reference_type="order",
        reference_id=7, description="Order GM-7",
    )  # fmt: skip

    assert deposit.created and purchase.created
    assert _rows(wallet) == [
        ("deposit", D("150000.00"), D("0.00"), D("150000.00"), "payment", 1),
        ("purchase", D("-40000.50"), D("150000.00"), D("109999.50"), "order", 7),
    ]
    assert purchase.transaction.description == "Order GM-7"
    assert _balance(wallet) == D("109999.50")
    assert ledger_check() == []


def test_a_posting_that_would_make_the_balance_negative_is_refused_and_writes_nothing():
    wallet = wallet_for(BuyerFactory())
    _deposit(wallet, "30000")

    with pytest.raises(InsufficientFunds) as error:
        wallet_post(wallet=wallet, type=TransactionType.PURCHASE, amount=D("-30000.01"), reference_id=5,
                    reference_type="order")  # fmt: skip

    assert [e.code for e in error.value.error_dict["amount"]] == ["insufficient_funds"]
    message = " ".join(error.value.messages)
    assert "Not enough money in your GoGoMoney wallet" in message
    assert "30\u00a0000\u00a0so'm" in message and "30\u00a0000,01\u00a0so'm" in message
    assert _balance(wallet) == D("30000.00")
    assert len(_rows(wallet)) == 1
    # ... and the whole balance may be spent.
    wallet_post(
        wallet=wallet, type=TransactionType.PURCHASE, amount=D("-30000"), reference_id=5, reference_type="order"
    )
    assert _balance(wallet) == D("0.00")


@pytest.mark.parametrize(
    ("type_", "amount"),
    [
        (TransactionType.DEPOSIT, "0"),
        (TransactionType.DEPOSIT, "-100"),  # money in cannot take money out
        (TransactionType.REFUND, "-100"),
        (TransactionType.PURCHASE, "100"),  # money out cannot bring money in
        (TransactionType.PAYOUT, "100"),
    ],
)
def test_an_amount_that_goes_the_wrong_way_for_its_type_is_refused(type_, amount):
    wallet = wallet_for(BuyerFactory())
    _deposit(wallet, "1000")

    with pytest.raises(ValidationError):
        wallet_post(wallet=wallet, type=type_, amount=D(amount))

    assert _balance(wallet) == D("1000.00")
    assert len(_rows(wallet)) == 1


def test_a_closed_wallet_takes_money_in_but_gives_none_out():
    wallet = wallet_for(BuyerFactory())
    _deposit(wallet, "5000")
    Wallet.objects.filter(pk=wallet.pk).update(is_active=False)

    with pytest.raises(ValidationError) as error:
        wallet_post(wallet=wallet, type=TransactionType.PURCHASE, amount=D("-100"))
    assert "This wallet is closed." in error.value.messages
    wallet_post(wallet=wallet, type=TransactionType.REFUND, amount=D("100"), reference_type="order", reference_id=3)

    assert _balance(wallet) == D("5100.00")


def test_the_database_refuses_a_negative_balance_even_when_the_service_is_bypassed():
    wallet = wallet_for(BuyerFactory())
    _deposit(wallet, "1000")

    with pytest.raises(IntegrityError, match="wallets_balance_check"), transaction.atomic():
        Wallet.objects.filter(pk=wallet.pk).update(balance=D("-0.01"))

    assert _balance(wallet) == D("1000.00")


def test_the_database_refuses_a_row_that_does_not_add_up():
    wallet = wallet_for(BuyerFactory())
    entry = _deposit(wallet, "1000").transaction

    with pytest.raises(IntegrityError, match="wallet_txn_adds_up"), transaction.atomic():
        WalletTransaction.objects.filter(pk=entry.pk).update(balance_after=D("2000"))

    assert _rows(wallet) == [("deposit", D("1000.00"), D("0.00"), D("1000.00"), "payment", None)]


# --- once per reference ------------------------------------------------------------------------
def test_the_same_movement_for_the_same_thing_happens_once():
    wallet = wallet_for(BuyerFactory())
    _deposit(wallet, "100000")

    first = wallet_post(wallet=wallet, type=TransactionType.PURCHASE, amount=D("-25000"), reference_type="order",
                        reference_id=42)  # fmt: skip
    again = wallet_post(wallet=wallet, type=TransactionType.PURCHASE, amount=D("-25000"), reference_type="order",
                        reference_id=42)  # fmt: skip

    assert first.created and not again.created
    assert again.transaction.pk == first.transaction.pk
    assert _balance(wallet) == D("75000.00")
    assert WalletTransaction.objects.filter(wallet=wallet, type="purchase").count() == 1
    # Another kind of movement for the same order is a different thing (its refund).
    refund = wallet_post(wallet=wallet, type=TransactionType.REFUND, amount=D("25000"), reference_type="order",
                         reference_id=42)  # fmt: skip
    assert refund.created
    assert _balance(wallet) == D("100000.00")


def test_the_database_refuses_a_second_movement_for_the_same_reference():
    wallet = wallet_for(BuyerFactory())
    entry = _deposit(wallet, "1000", reference_id=9).transaction

    with pytest.raises(IntegrityError, match="wallet_txn_once_per_reference"), transaction.atomic():
        WalletTransaction.objects.create(
            wallet=wallet, type=TransactionType.DEPOSIT, amount=D("1000"), balance_before=D("1000"),
            balance_after=D("2000"), reference_type="payment", reference_id=9,
        )  # fmt: skip

    assert list(WalletTransaction.objects.filter(wallet=wallet).values_list("pk", flat=True)) == [entry.pk]
    # Movements without a reference (none to repeat) are not limited.
    _deposit(wallet, "1")
    _deposit(wallet, "1")
    assert _balance(wallet) == D("1002.00")


def test_wallets_lock_locks_each_wallet_once_in_id_order():
    wallets = [wallet_for(BuyerFactory()) for _ in range(3)]
    ids = [w.pk for w in wallets]

    locked = wallets_lock([ids[2], ids[0], ids[2], ids[1]])

    assert [w.pk for w in locked] == sorted(ids)


# --- checking the books -----------------------------------------------------------------------
def _busy_wallet():
    """A wallet with a few movements: 0 -> 100 000 -> 70 000 -> 80 000."""
    wallet = wallet_for(BuyerFactory())
    _deposit(wallet, "100000", reference_id=1)
    wallet_post(wallet=wallet, type=TransactionType.PURCHASE, amount=D("-30000"), reference_type="order",
                reference_id=1)  # fmt: skip
    wallet_post(wallet=wallet, type=TransactionType.REFUND, amount=D("10000"), reference_type="order",
                reference_id=1)  # fmt: skip
    return wallet


def test_the_books_are_clean_after_normal_work_and_an_empty_wallet():
    _busy_wallet()
    wallet_for(BuyerFactory())  # no movement at all

    assert ledger_check() == []


def test_a_balance_that_is_not_the_last_balance_after_is_reported():
    wallet = _busy_wallet()
    clean = _busy_wallet()
    Wallet.objects.filter(pk=wallet.pk).update(balance=D("90000"))

    problems = _problems(wallet)

    assert "balance 90000.00, last transaction ends at 80000.00" in problems
    assert "balance 90000.00, transactions add up to 80000.00" in problems
    assert _problems(clean) == []


def test_a_balance_of_a_wallet_without_any_movement_is_reported():
    wallet = wallet_for(BuyerFactory())
    Wallet.objects.filter(pk=wallet.pk).update(balance=D("500"))

    assert _problems(wallet) == ["balance 500.00 without any transaction"]


def test_transactions_that_do_not_add_up_to_the_balance_are_reported():
    # Each row is right and the last one ends at the balance, but a row in the middle was changed:
    # the chain breaks and the sum of the amounts is no longer the balance.
    wallet = _busy_wallet()
    middle = WalletTransaction.objects.filter(wallet=wallet).order_by("pk")[1]
    WalletTransaction.objects.filter(pk=middle.pk).update(amount=D("-20000"), balance_after=D("80000"))
    last = WalletTransaction.objects.filter(wallet=wallet).order_by("-pk").first()  # 70 000 -> 80 000

    problems = _problems(wallet)

    assert _balance(wallet) == D("80000.00")  # = last balance_after: that check alone would pass
    assert "balance 80000.00, transactions add up to 90000.00" in problems
    assert f"transaction {last.pk}: starts at 70000.00, the one before ended elsewhere" in problems
    assert not any("last transaction ends" in p for p in problems)


def test_a_first_transaction_that_does_not_start_at_zero_is_reported():
    wallet = _busy_wallet()
    first = WalletTransaction.objects.filter(wallet=wallet).order_by("pk").first()
    WalletTransaction.objects.filter(pk=first.pk).update(balance_before=D("5000"), amount=D("95000"))

    problems = _problems(wallet)

    assert "first transaction starts at 5000.00, not 0" in problems
    assert "balance 80000.00, transactions add up to 75000.00" in problems


def test_a_row_whose_arithmetic_is_wrong_is_reported():
    # The CHECK constraint (wallet_txn_adds_up) keeps such rows out; ledger_check must still find
    # them in a database where it is missing (restored from an old dump, a manual repair ...).
    wallet = _busy_wallet()
    row = WalletTransaction.objects.filter(wallet=wallet).order_by("pk")[1]
    with connection.cursor() as cursor:  # DDL is transactional: the test's rollback restores it
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks may block the ALTER
        cursor.execute("ALTER TABLE wallet_transactions DROP CONSTRAINT wallet_txn_adds_up")
        cursor.execute("UPDATE wallet_transactions SET amount = -35000 WHERE id = %s", [row.pk])

    problems = _problems(wallet)

    assert f"transaction {row.pk}: 100000.00 + -35000.00 is not 70000.00" in problems
    assert "balance 80000.00, transactions add up to 75000.00" in problems
