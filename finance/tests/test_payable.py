"""Only earnings are paid out (finance.selectors.payout_payable_amount, used by payout_request, the
seller's finance page and ``GET /api/v1/seller/balance/``).

A wallet holds two kinds of money: the seller's earnings from sales (the ``deposit`` postings that
reference a commission) and everything else - card top-ups, refunds, bonuses - which can be spent
on purchases but never leaves as a payout (a stolen card topped up into a seller's wallet must not
come out as cash). Purchases spend the spend-only money first; a payout takes earnings only, and a
cancelled or failed one gives them back."""

import html
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.enums import AdminRoleType
from accounts.tests.factories import SellerFactory, StaffFactory
from finance.enums import PayoutMethod, PayoutStatus, TransactionType
from finance.models import BankAccount, Payout, Wallet, WalletTransaction
from finance.providers import SandboxPaymentProvider
from finance.selectors import payout_payable_amount
from finance.services.ledger import InsufficientFunds, ledger_check, wallet_for, wallet_post
from finance.services.payments import payment_callback, topup_start
from finance.services.payouts import (
    bank_account_add,
    bank_account_verify,
    payout_cancel,
    payout_process,
    payout_request,
)
from gogomarket.core.models import AuditLog, IdempotencyKey
from gogomarket.core.money import format_uzs
from tests.helpers import api_client_for, database_deadlocks, outcome_counts, page_client_for, run_concurrently

pytestmark = pytest.mark.django_db

NUMBER = "20208000123456789012"
REFUSED_NUMBER = "20208000123456780000"  # the sandbox bank refuses numbers ending in 0000
_references = iter(range(1, 10**9))


def _earn(seller, amount):
    """An earning credited, as earnings_release posts it."""
    wallet_post(wallet=wallet_for(seller), type=TransactionType.DEPOSIT, amount=Decimal(amount),
                reference_type="commission", reference_id=next(_references))  # fmt: skip


def _topup(user, amount):
    """A card top-up, through the provider's signed callback."""
    payment, _url, _replayed = topup_start(user=user, amount=amount)
    signed = SandboxPaymentProvider().sign(
        {"token": payment.token, "outcome": "approved", "amount": payment.amount, "reference": f"r{payment.pk}"}
    )
    payment_callback(signed)


def _spend(user, amount):
    wallet_post(wallet=wallet_for(user), type=TransactionType.PURCHASE, amount=-Decimal(amount),
                reference_type="order", reference_id=next(_references))  # fmt: skip


def _refund(user, amount):
    wallet_post(wallet=wallet_for(user), type=TransactionType.REFUND, amount=Decimal(amount),
                reference_type="order", reference_id=next(_references))  # fmt: skip


def _bonus(user, amount):
    wallet_post(wallet=wallet_for(user), type=TransactionType.BONUS, amount=Decimal(amount),
                reference_type="demo", reference_id=next(_references))  # fmt: skip


STEPS = {"earn": _earn, "topup": _topup, "spend": _spend, "refund": _refund, "bonus": _bonus}


def _account(seller, number=NUMBER):
    account = bank_account_add(user=seller, bank_name="Kapitalbank", account_holder_name="Aziz Karimov",
                               account_number=number)  # fmt: skip
    return bank_account_verify(account=account, actor=StaffFactory(role_type=AdminRoleType.ACCOUNTING))


def _books():
    return {
        "payouts": list(Payout.objects.order_by("pk").values()),
        "entries": list(WalletTransaction.objects.order_by("pk").values_list("pk", flat=True)),
        "balances": list(Wallet.objects.order_by("pk").values_list("pk", "balance")),
        "accounts": list(BankAccount.objects.order_by("pk").values()),
        "audit": list(AuditLog.objects.order_by("pk").values_list("pk", flat=True)),
        "keys": IdempotencyKey.objects.count(),
    }


def _refused(seller, account, amount):
    """payout_request refused on ``amount`` with nothing written; returns the message."""
    before = _books()
    with pytest.raises(ValidationError) as error:
        payout_request(seller=seller, amount=amount, bank_account_id=account.pk, idempotency_key=f"k-{amount}")
    assert not isinstance(error.value, InsufficientFunds)
    assert list(error.value.message_dict) == ["amount"]
    assert _books() == before
    return error.value.message_dict["amount"][0]


def not_payable_message(payable):
    return (
        f"You can be paid out at most {format_uzs(Decimal(payable))} now: only your earnings from sales are paid "
        "out. Top-ups, refunds and bonuses can be spent on purchases."
    )


@pytest.fixture
def seller():
    return SellerFactory()


@pytest.fixture
def account(seller):
    return _account(seller)


# --- the rule ---------------------------------------------------------------------------------------
def test_money_topped_up_by_card_is_not_paid_out(seller, account):
    _topup(seller, "500000")

    assert wallet_for(seller).balance == Decimal("500000.00")
    assert payout_payable_amount(seller) == Decimal("0")
    assert _refused(seller, account, "500000") == not_payable_message("0")
    assert _refused(seller, account, "10000") == not_payable_message("0")


def test_earnings_are_paid_out_up_to_what_was_earned(seller, account):
    _earn(seller, "300000")
    _topup(seller, "200000")
    assert payout_payable_amount(seller) == Decimal("300000.00")

    assert _refused(seller, account, "300000.01") == not_payable_message("300000")
    payout, _replayed = payout_request(seller=seller, amount="300000", bank_account_id=account.pk)

    assert payout.status == PayoutStatus.PENDING
    assert wallet_for(seller).balance == Decimal("200000.00")  # the top-up, to spend on purchases
    assert payout_payable_amount(seller) == Decimal("0")
    assert _refused(seller, account, "10000") == not_payable_message("0")


def test_more_than_the_balance_is_still_insufficient_funds(seller, account):
    _earn(seller, "300000")

    with pytest.raises(InsufficientFunds):
        payout_request(seller=seller, amount="300000.01", bank_account_id=account.pk)


def test_refunds_and_bonuses_are_spent_not_paid_out(seller, account):
    _refund(seller, "100000")
    _bonus(seller, "50000")
    _earn(seller, "20000")

    assert payout_payable_amount(seller) == Decimal("20000.00")
    assert _refused(seller, account, "20000.01") == not_payable_message("20000")


@pytest.mark.parametrize(
    "steps, payable",
    [
        # Nothing else in the wallet: the purchase was paid with earnings.
        ([("earn", "500000"), ("spend", "300000")], "200000"),
        # Spend-only money is spent first: the earnings stay payable.
        ([("topup", "1000000"), ("earn", "500000"), ("spend", "300000")], "500000"),
        ([("earn", "500000"), ("topup", "100000"), ("spend", "300000")], "300000"),
        # Earnings spent are not made payable again by a later top-up (the same stolen-card path,
        # one step longer: spend the earnings with an accomplice, refill the wallet by card).
        ([("earn", "500000"), ("spend", "500000"), ("topup", "500000")], "0"),
        ([("earn", "500000"), ("spend", "200000"), ("refund", "200000"), ("bonus", "50000")], "300000"),
    ],
    ids=["earnings-spent", "top-up-spent-first", "the-rest-from-earnings", "spent-then-refilled", "refunded"],
)
def test_spending_then_a_payout(seller, account, steps, payable):
    for step, amount in steps:
        STEPS[step](seller, amount)
    payable, balance = Decimal(payable), wallet_for(seller).balance

    assert payout_payable_amount(seller) == payable
    over = max(payable + Decimal("0.01"), settings.PAYOUT_MIN)
    if over <= balance:
        assert _refused(seller, account, str(over)) == not_payable_message(payable)
    else:  # all of the balance is payable: more than that is more than there is
        with pytest.raises(InsufficientFunds):
            payout_request(seller=seller, amount=over, bank_account_id=account.pk)
    if payable:
        payout_request(seller=seller, amount=payable, bank_account_id=account.pk)
        assert payout_payable_amount(seller) == Decimal("0")
    assert ledger_check() == []


def test_a_cancelled_or_failed_payout_gives_its_earnings_back_and_a_completed_one_does_not(seller, account):
    _earn(seller, "500000")
    _topup(seller, "100000")
    cancelled, _ = payout_request(seller=seller, amount="100000", bank_account_id=account.pk)
    assert payout_payable_amount(seller) == Decimal("400000.00")
    payout_cancel(payout=cancelled, actor=seller)
    assert payout_payable_amount(seller) == Decimal("500000.00")

    completed, _ = payout_request(seller=seller, amount="200000", bank_account_id=account.pk)
    assert payout_process(payout=completed).status == PayoutStatus.COMPLETED
    assert payout_payable_amount(seller) == Decimal("300000.00")

    refused_account = _account(seller, REFUSED_NUMBER)
    failed, _ = payout_request(seller=seller, amount="250000", bank_account_id=refused_account.pk)
    assert payout_payable_amount(seller) == Decimal("50000.00")
    assert payout_process(payout=failed).status == PayoutStatus.FAILED
    assert payout_payable_amount(seller) == Decimal("300000.00")
    assert wallet_for(seller).balance == Decimal("400000.00")


def test_a_seller_without_a_wallet_has_nothing_payable(seller):
    assert payout_payable_amount(seller) == Decimal("0")
    assert not Wallet.objects.filter(user=seller).exists()  # a read makes no wallet


# --- the page and the API -----------------------------------------------------------------------------
def test_the_balance_api_shows_what_is_payable_next_to_the_balance(seller):
    _earn(seller, "300000")
    _topup(seller, "200000")

    response = api_client_for(seller).get("/api/v1/seller/balance/")

    assert response.status_code == 200
    assert response.json() == {"available": "500000.00", "payable": "300000.00", "pending": "0.00", "currency": "UZS"}


def test_a_payout_over_the_payable_amount_is_a_400_on_amount(seller, account):
    _topup(seller, "500000")
    before = _books()

    response = api_client_for(seller).post(
        "/api/v1/seller/payouts/", {"amount": "100000", "bank_account": account.pk}, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json() == {"amount": [not_payable_message("0")]}
    assert _books() == before


def test_the_finance_page_shows_the_payable_amount_and_refuses_more(seller, account):
    _earn(seller, "300000")
    _topup(seller, "200000")
    client = page_client_for(seller)

    page = client.get("/seller/finance/").content.decode()
    assert 'data-testid="balance-payable"' in page
    shown = page.split('data-testid="balance-payable">', 1)[1].split("<", 1)[0]
    assert html.unescape(shown).strip() == format_uzs(Decimal("300000"))

    before = _books()
    response = client.post(
        "/seller/finance/payouts/",
        {"amount": "400000", "method": "bank_transfer", "bank_account": account.pk, "token": "t-1"},
    )
    assert response.status_code == 400
    assert response.context["payout_form"].errors == {"amount": [not_payable_message("300000")]}
    assert _books() == before


# --- at once ------------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", [PayoutMethod.BANK_TRANSFER, PayoutMethod.CASH])
def test_concurrent_requests_never_take_the_same_earnings_twice(method):
    """A bank payout also locks its account row; a cash payout has only the wallet's lock."""
    seller = SellerFactory()
    account = _account(seller)
    _earn(seller, "300000")
    _topup(seller, "1000000")  # enough money for every request: only the earnings limit them
    deadlocks = database_deadlocks()

    def ask(n):
        payout, _replayed = payout_request(seller=seller, amount="200000", method=method, bank_account_id=account.pk,
                                           idempotency_key=f"payout-{n}")  # fmt: skip
        return payout.pk

    results = run_concurrently(range(8), ask, workers=8, name="payout")

    assert outcome_counts(results) == {"ok": 1, "refused": 7}, results
    for _attempt, kind, value in results:
        if kind == "refused":
            assert value.message_dict == {"amount": [not_payable_message("100000")]}
    assert Payout.objects.filter(seller=seller).count() == 1
    assert wallet_for(seller).balance == Decimal("1100000.00")
    assert payout_payable_amount(seller) == Decimal("100000.00")
    assert database_deadlocks() == deadlocks
    assert ledger_check() == []
