"""The money commands (check_ledger, release_earnings, process_payouts, rotate_bank_account_keys,
finance_new_key) and the Celery jobs that beat runs: each does its work through the services and
says what it did; check_ledger fails the shell (exit status 1) on any mismatch."""

import base64
import io
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connection
from django.utils import timezone

from accounts.enums import AdminRoleType
from accounts.tests.factories import SellerFactory, StaffFactory
from finance import crypto, tasks
from finance.enums import CommissionStatus, PayoutStatus, TransactionType
from finance.models import BankAccount, Commission, Payout, Wallet, WalletTransaction
from finance.services.ledger import ledger_check, wallet_for, wallet_post
from finance.services.payouts import bank_account_add, bank_account_number, bank_account_verify, payout_request
from finance.tests.factories import BankAccountFactory, CommissionFactory
from gogomarket.celery import app as celery_app
from orders import tasks as order_tasks
from orders.enums import OrderStatus, PaymentMethod, PaymentStatus
from orders.models import Order
from orders.tests.factories import OrderFactory
from tests.helpers import ROOT, database_url

pytestmark = pytest.mark.django_db


def run(name, *args):
    """(stdout, stderr) of ``manage.py name args``, run in this process."""
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _books(*amounts_per_wallet):
    """Wallets whose movements went through the ledger: one per list of signed amounts."""
    wallets = []
    for n, amounts in enumerate(amounts_per_wallet):
        wallet = wallet_for(SellerFactory())
        for m, amount in enumerate(amounts):
            kind = TransactionType.DEPOSIT if amount > 0 else TransactionType.PURCHASE
            wallet_post(wallet=wallet, type=kind, amount=amount, reference_type="test", reference_id=n * 100 + m)
        wallets.append(wallet)
    return wallets


# --- check_ledger ---------------------------------------------------------------------------------------
def test_check_ledger_on_clean_books_says_so():
    _books([Decimal("100000"), Decimal("-25000.50")], [Decimal("5000")], [])

    out, _err = run("check_ledger")

    assert "The ledger is consistent." in out
    assert "3/3 wallets checked" in out
    assert "wallet " not in out.replace("wallets checked", "")


def test_check_ledger_prints_a_balance_that_was_changed_by_hand_and_fails():
    good, bad = _books([Decimal("100000")], [Decimal("70000"), Decimal("-20000")])
    with connection.cursor() as cursor:  # someone "fixed" a balance in SQL, without a transaction row
        cursor.execute("UPDATE wallets SET balance = balance + 1000 WHERE id = %s", [bad.pk])
    out = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("check_ledger", stdout=out)

    assert raised.value.returncode == 1
    assert str(raised.value) == "2 mismatches in 1 wallets"
    printed = out.getvalue()
    assert f"wallet {bad.pk}: balance 51000.00, last transaction ends at 50000.00" in printed
    assert f"wallet {bad.pk}: balance 51000.00, transactions add up to 50000.00" in printed
    assert f"wallet {good.pk}:" not in printed
    assert "consistent" not in printed


def test_check_ledger_finds_a_broken_chain_of_transactions():
    (wallet,) = _books([Decimal("100000"), Decimal("-30000"), Decimal("10000")])
    middle = WalletTransaction.objects.filter(wallet=wallet).order_by("pk")[1]
    # The row still adds up on its own (the CHECK holds) but no longer starts where the one before ended.
    WalletTransaction.objects.filter(pk=middle.pk).update(
        balance_before=Decimal("90000"), balance_after=Decimal("60000")
    )

    out = io.StringIO()
    with pytest.raises(CommandError, match="2 mismatches in 1 wallets"):
        call_command("check_ledger", stdout=out)
    assert f"wallet {wallet.pk}: transaction {middle.pk}: starts at 90000.00" in out.getvalue()
    problems = ledger_check()
    assert [p.wallet_id for p in problems] == [wallet.pk, wallet.pk]
    assert f"transaction {middle.pk}: starts at 90000.00, the one before ended elsewhere" in problems[0].problem
    assert "starts at 70000.00, the one before ended elsewhere" in problems[1].problem


@pytest.mark.django_db(transaction=True)  # the command closes the connections when it is done
def test_check_ledger_exits_with_status_1_from_the_command_line(capsys):
    wallet = wallet_for(SellerFactory())
    Wallet.objects.filter(pk=wallet.pk).update(balance=Decimal("5.00"))  # money without a transaction

    with pytest.raises(SystemExit) as raised:
        ManagementUtility(["manage.py", "check_ledger"]).execute()

    assert raised.value.code == 1
    captured = capsys.readouterr()
    assert f"wallet {wallet.pk}: balance 5.00 without any transaction" in captured.out
    assert "CommandError: 1 mismatches in 1 wallets" in captured.err


@pytest.mark.django_db(transaction=True)
def test_manage_py_check_ledger_exit_status_in_a_real_shell():
    """The command run as a separate process on this test's database: 0 clean, 1 corrupted."""
    (wallet,) = _books([Decimal("42000")])
    env = dict(os.environ, DATABASE_URL=database_url(connection.settings_dict))
    command = [sys.executable, "manage.py", "check_ledger"]

    clean = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stderr[-2000:]
    assert "The ledger is consistent." in clean.stdout

    Wallet.objects.filter(pk=wallet.pk).update(balance=Decimal("41000"))
    corrupted = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert corrupted.returncode == 1
    assert f"wallet {wallet.pk}: balance 41000.00, last transaction ends at 42000.00" in corrupted.stdout


# --- release_earnings -------------------------------------------------------------------------------------
def _delivered(days_ago, **order_fields):
    order = OrderFactory(delivered=True, actual_delivery_date=timezone.now() - timedelta(days=days_ago), **order_fields)
    return CommissionFactory(order=order)


def test_release_earnings_credits_sellers_once_and_cancels_what_will_not_pay_out():
    due = _delivered(20)
    recent = _delivered(3)  # still in the return window (14 days)
    refunded = _delivered(30, payment_status=PaymentStatus.REFUNDED)

    out, _err = run("release_earnings")

    assert "Releasing earnings of orders delivered over 14 days ago" in out
    assert "2 commissions done" in out
    assert "1 earnings credited, 1 commissions cancelled (order not paid)." in out
    earning = due.order_amount - due.commission_amount
    assert earning > 0
    (entry,) = WalletTransaction.objects.filter(wallet__user=due.seller)
    assert (entry.type, entry.amount, entry.reference_type, entry.reference_id) == (
        TransactionType.DEPOSIT, earning, "commission", due.pk,
    )  # fmt: skip
    assert wallet_for(due.seller).balance == earning
    statuses = dict(Commission.objects.values_list("pk", "status"))
    assert statuses == {due.pk: CommissionStatus.PAID, recent.pk: CommissionStatus.PENDING,
                        refunded.pk: CommissionStatus.CANCELLED}  # fmt: skip
    assert not WalletTransaction.objects.filter(wallet__user__in=[recent.seller, refunded.seller]).exists()

    again, _err = run("release_earnings")

    assert "0 earnings credited, 0 commissions cancelled" in again
    assert WalletTransaction.objects.filter(wallet__user=due.seller).count() == 1
    assert ledger_check() == []


# --- process_payouts -----------------------------------------------------------------------------------
def _payout(number, amount=Decimal("200000")):
    seller = SellerFactory()
    account = bank_account_add(user=seller, bank_name="Kapitalbank", account_holder_name="Aziz Karimov",
                               account_number=number)  # fmt: skip
    bank_account_verify(account=account, actor=StaffFactory(role_type=AdminRoleType.ACCOUNTING))
    wallet_post(wallet=wallet_for(seller), type=TransactionType.DEPOSIT, amount=Decimal("500000"),
                reference_type="commission", reference_id=seller.pk)  # fmt: skip
    payout, _replayed = payout_request(seller=seller, amount=amount, bank_account_id=account.pk)
    return payout


def test_process_payouts_sends_waiting_payouts_and_returns_the_hold_of_a_refused_one():
    sent = _payout("20208000123456789012")
    refused = _payout("20208000123456780000")  # the sandbox bank refuses numbers ending in 0000

    out, _err = run("process_payouts")

    assert "1/2 payouts" in out and "2/2 payouts" in out
    assert "Payouts done: 1 completed, 1 failed." in out
    sent.refresh_from_db()
    refused.refresh_from_db()
    assert (sent.status, sent.transaction_id) == (PayoutStatus.COMPLETED, f"sandbox-payout-{sent.pk}")
    assert refused.status == PayoutStatus.FAILED and "refused" in refused.notes
    assert wallet_for(sent.seller).balance == Decimal("300000")
    assert wallet_for(refused.seller).balance == Decimal("500000")  # the hold came back
    assert ledger_check() == []

    again, _err = run("process_payouts")

    assert "No payout is waiting." in again
    assert WalletTransaction.objects.filter(reference_type="payout").count() == 3  # two holds, one return


# --- rotate_bank_account_keys and finance_new_key ---------------------------------------------------------
def _key(seed):
    return base64.urlsafe_b64encode(bytes([seed]) * 32).decode()


@pytest.fixture
def old_key(settings):
    settings.FINANCE_ENCRYPTION_KEYS = f"old:{_key(1)}"
    return settings


def test_rotate_bank_account_keys_re_encrypts_every_number_with_the_new_key(old_key):
    numbers = ["20208000111122223333", "GB33BUKB20201555555555"]
    accounts = [BankAccountFactory(account_number=crypto.encrypt(number)) for number in numbers]
    assert all(a.account_number.startswith("old$") for a in accounts)
    old_key.FINANCE_ENCRYPTION_KEYS = f"new:{_key(2)},old:{_key(1)}"

    out, _err = run("rotate_bank_account_keys")

    assert "Re-encrypting bank account numbers with key new" in out
    assert "2/2" in out and "2 accounts re-encrypted." in out
    for account, number in zip(accounts, numbers, strict=True):
        account.refresh_from_db()
        assert account.account_number.startswith("new$") and number not in account.account_number
        assert len(account.account_number) <= 100
        assert bank_account_number(account) == number
    # The old key can go: the numbers are readable with the new one alone.
    old_key.FINANCE_ENCRYPTION_KEYS = f"new:{_key(2)}"
    assert [bank_account_number(a) for a in BankAccount.objects.order_by("pk")] == numbers
    old_key.FINANCE_ENCRYPTION_KEYS = f"new:{_key(2)},old:{_key(1)}"
    again, _err = run("rotate_bank_account_keys")
    assert "0 accounts re-encrypted." in again


def test_rotate_bank_account_keys_without_the_old_key_fails_and_changes_nothing(old_key):
    account = BankAccountFactory(account_number=crypto.encrypt("20208000111122223333"))
    stored = account.account_number
    old_key.FINANCE_ENCRYPTION_KEYS = f"new:{_key(2)}"  # the old key was dropped too early

    with pytest.raises(CommandError, match="is its old key still in FINANCE_ENCRYPTION_KEYS"):
        run("rotate_bank_account_keys")

    account.refresh_from_db()
    assert account.account_number == stored


def test_rotate_bank_account_keys_with_bad_keys_is_a_clear_error(settings):
    settings.FINANCE_ENCRYPTION_KEYS = "new:not-a-key"
    with pytest.raises(CommandError, match="FINANCE_ENCRYPTION_KEYS"):
        run("rotate_bank_account_keys")


def test_finance_new_key_prints_a_key_that_encrypts(settings):
    out, _err = run("finance_new_key")
    entry = out.strip()
    key_id, _sep, encoded = entry.partition(":")
    assert key_id.isalnum() and key_id.startswith("k")
    assert len(base64.urlsafe_b64decode(encoded)) == 32

    settings.FINANCE_ENCRYPTION_KEYS = f"{entry},old:{_key(1)}"
    sealed = crypto.encrypt("20208000999988887777")
    assert sealed.startswith(f"{key_id}$")
    assert crypto.decrypt(sealed) == "20208000999988887777"
    assert run("finance_new_key")[0].strip() != entry  # a fresh one each time


def test_finance_new_key_takes_an_id():
    assert run("finance_new_key", "--id", "k2027")[0].startswith("k2027:")
    with pytest.raises(CommandError, match="letters and digits"):
        run("finance_new_key", "--id", "bad:id")
    # what finance.crypto would refuse later, at every bank account operation
    for refused in ("k" * 17, "ключ2027"):
        with pytest.raises(CommandError, match="1 to 16 ASCII letters and digits"):
            run("finance_new_key", "--id", refused)
    assert run("finance_new_key", "--id", "k" * 16)[0].startswith("k" * 16 + ":")


# --- the Celery jobs and beat --------------------------------------------------------------------------
FINANCE_TASKS = {
    "finance.tasks.process_payouts": 300.0,
    "finance.tasks.release_earnings": 3600.0,
    "finance.tasks.retry_refunds": 300.0,
}


# The unpaid-order expiry is orders' policy (orders.services.expiry), run by orders' tasks.
ORDER_TASKS = {
    "orders.tasks.expire_unpaid_card_orders": 60.0,
    "orders.tasks.expire_unpaid_bank_transfers": 3600.0,
}


def test_beat_runs_the_money_jobs_and_a_worker_knows_their_names(settings):
    scheduled = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {name: scheduled.get(name) for name in FINANCE_TASKS} == FINANCE_TASKS
    # What a fresh worker process registers (autodiscovery from INSTALLED_APPS, not this test's
    # imports): a beat entry naming a task it does not know would be dropped with an error.
    registered = subprocess.run(
        [sys.executable, "-c", "from gogomarket.celery import app; app.loader.import_default_modules(); "
                               "print('\\n'.join(app.tasks))"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    ).stdout.split()  # fmt: skip
    assert set(FINANCE_TASKS) | set(ORDER_TASKS) | {"finance.tasks.send_refund"} <= set(registered)
    for name in FINANCE_TASKS:
        assert celery_app.tasks[name].run.__module__ == "finance.tasks"
    assert {name: scheduled.get(name) for name in ORDER_TASKS} == ORDER_TASKS
    for name in ORDER_TASKS:
        assert celery_app.tasks[name].run.__module__ == "orders.tasks"


def test_the_release_earnings_task_credits_the_seller():
    due = _delivered(15)

    result = tasks.release_earnings.delay().get()

    assert result == {"released": 1, "cancelled": 0}
    assert wallet_for(due.seller).balance == due.order_amount - due.commission_amount
    assert tasks.release_earnings.delay().get() == {"released": 0, "cancelled": 0}


def test_the_process_payouts_task_sends_waiting_payouts():
    payout = _payout("20208000123456789012")

    result = tasks.process_payouts.delay().get()

    assert result == {PayoutStatus.COMPLETED: 1}
    assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.COMPLETED
    assert tasks.process_payouts.delay().get() == {}


def test_the_expire_task_cancels_card_orders_not_paid_in_time_and_restores_their_stock():
    late = OrderFactory(payment_method=PaymentMethod.CARD)
    fresh = OrderFactory(payment_method=PaymentMethod.CARD)
    paid = OrderFactory(payment_method=PaymentMethod.CARD, payment_status=PaymentStatus.PAID)
    hour_ago = timezone.now() - timedelta(minutes=31)  # card_payment_timeout_minutes is 30
    Order.objects.filter(pk__in=[late.pk, paid.pk]).update(created_at=hour_ago)
    item = late.items.get()
    stock_before = item.product.stock_quantity

    order_tasks.expire_unpaid_card_orders.delay()

    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {late.pk: OrderStatus.CANCELLED, fresh.pk: OrderStatus.PENDING, paid.pk: OrderStatus.PENDING}
    item.product.refresh_from_db()
    assert item.product.stock_quantity == stock_before + item.quantity
    assert order_tasks.expire_unpaid_card_orders.apply().get() == 0  # nothing left to cancel
    assert Order.objects.filter(status=OrderStatus.CANCELLED).count() == 1


def test_the_expire_task_cancels_bank_transfer_orders_whose_money_never_came():
    late = OrderFactory(payment_method=PaymentMethod.BANK_TRANSFER)
    fresh = OrderFactory(payment_method=PaymentMethod.BANK_TRANSFER)
    card = OrderFactory(payment_method=PaymentMethod.CARD)
    four_days_ago = timezone.now() - timedelta(days=4)  # bank_transfer_timeout_days is 3
    Order.objects.filter(pk__in=[late.pk, card.pk]).update(created_at=four_days_ago)
    item = late.items.get()
    stock_before = item.product.stock_quantity

    order_tasks.expire_unpaid_bank_transfers.delay()

    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {late.pk: OrderStatus.CANCELLED, fresh.pk: OrderStatus.PENDING, card.pk: OrderStatus.PENDING}
    assert Order.objects.get(pk=late.pk).cancellation_reason == "The bank transfer did not arrive within 3 days."
    item.product.refresh_from_db()
    assert item.product.stock_quantity == stock_before + item.quantity
