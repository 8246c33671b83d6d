"""The money API (/api/v1/wallet/..., /api/v1/seller/balance/, /payouts/, /bank-accounts/) with
bearer tokens: wiring, permissions, idempotency and error shapes. Refusals are 4xx with
``{field: [messages]}`` and write nothing; a payout or bank account that is not the caller's is
a 404; a bank account number is never in a response. The money rules themselves are tested on
the services. The concurrency tests at the end use real threads, each with its own client and
database connection, against the real database."""

import threading
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import BuyerFactory, SellerFactory
from finance import crypto
from finance.enums import CommissionStatus, PayoutMethod, PayoutStatus, TransactionType
from finance.models import BankAccount, Payment, PaymentPurpose, PaymentState, Payout, Wallet, WalletTransaction
from finance.providers import SandboxPaymentProvider
from finance.services.payouts import bank_account_delete
from finance.tests.factories import (
    BankAccountFactory,
    CommissionFactory,
    PayoutFactory,
    WalletFactory,
    WalletTransactionFactory,
)
from gogomarket.core.models import AuditLog, IdempotencyKey
from orders.tests.factories import OrderFactory
from tests.helpers import api_client_for as client_for

WALLET = "/api/v1/wallet/"
TRANSACTIONS = "/api/v1/wallet/transactions/"
TOPUP = "/api/v1/wallet/topup/"
BALANCE = "/api/v1/seller/balance/"
PAYOUTS = "/api/v1/seller/payouts/"
ACCOUNTS = "/api/v1/seller/bank-accounts/"
CALLBACK = "/payments/callback/"
# A bank account number, as typed and as stored (encrypted) by the service.
NUMBER = "2020 8000 9001 2345 6789"
PLAIN = "20208000900123456789"


def payout_url(payout, action=""):
    return f"{PAYOUTS}{payout.pk}/{action + '/' if action else ''}"


def account_url(account, action=""):
    return f"{ACCOUNTS}{account.pk}/{action + '/' if action else ''}"


def snapshot():
    """Everything a money request could change."""
    return {
        "wallets": list(Wallet.objects.order_by("pk").values("pk", "user_id", "balance", "is_active")),
        "transactions": list(WalletTransaction.objects.order_by("pk").values()),
        "payments": list(Payment.objects.order_by("pk").values()),
        "payouts": list(Payout.objects.order_by("pk").values()),
        "accounts": list(BankAccount.objects.order_by("pk").values()),
        "keys": list(IdempotencyKey.objects.order_by("pk").values()),
        "audit": list(AuditLog.objects.order_by("pk").values_list("pk", "action")),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def funded(user, amount="1000000.00"):
    """The user's wallet with ``amount`` in it (one deposit)."""
    wallet = WalletFactory(user=user)
    WalletTransactionFactory(wallet=wallet, amount=Decimal(amount))
    return wallet


def earned(seller, amount="1000000.00"):
    """The seller's wallet with ``amount`` of earnings in it (what a payout may take)."""
    wallet = WalletFactory(user=seller)
    WalletTransactionFactory(wallet=wallet, amount=Decimal(amount), reference_type="commission")
    return wallet


def balance_of(user):
    wallet = Wallet.objects.filter(user=user).first()
    return wallet.balance if wallet else Decimal("0")


def measured(django_assert_max_num_queries, api, url):
    """Counts the queries of a GET of ``url`` now (after one to warm up); returns a context
    manager factory asserting that a later request needs no more."""
    assert api.get(url).status_code == 200
    with CaptureQueriesContext(connection) as first:
        assert api.get(url).status_code == 200
    return lambda: django_assert_max_num_queries(len(first.captured_queries))


@pytest.fixture
def buyer():
    return BuyerFactory()


@pytest.fixture
def api(buyer):
    return client_for(buyer)


@pytest.fixture
def seller():
    return SellerFactory()


@pytest.fixture
def seller_api(seller):
    return client_for(seller)


@pytest.fixture
def account(seller):
    """The seller's verified default account."""
    return BankAccountFactory(user=seller, account_number=crypto.encrypt(PLAIN))


# --- who may ask ----------------------------------------------------------------------------------
ENDPOINTS = [
    ("get", WALLET),
    ("get", TRANSACTIONS),
    ("post", TOPUP),
    ("get", BALANCE),
    ("get", PAYOUTS),
    ("post", PAYOUTS),
    ("get", f"{PAYOUTS}1/"),
    ("post", f"{PAYOUTS}1/cancel/"),
    ("get", ACCOUNTS),
    ("post", ACCOUNTS),
    ("get", f"{ACCOUNTS}1/"),
    ("delete", f"{ACCOUNTS}1/"),
    ("post", f"{ACCOUNTS}1/make-default/"),
]
SELLER_ENDPOINTS = [(method, url) for method, url in ENDPOINTS if url.startswith("/api/v1/seller/")]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_every_money_endpoint_needs_a_signed_in_caller(method, url):
    before = snapshot()
    response = getattr(client_for(), method)(url, {}, format="json")
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "not_authenticated"
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), SELLER_ENDPOINTS)
def test_seller_endpoints_refuse_a_buyer(method, url, buyer, api):
    funded(buyer)
    owner = SellerFactory()  # a payout and an account at the ids the urls name: still refused
    PayoutFactory(pk=1, seller=owner, bank_account=BankAccountFactory(pk=1, user=owner))
    before = snapshot()
    body = {"amount": "50000", "method": "cash", "bank_name": "Ipak Yo'li", "account_holder_name": "Ali",
            "account_number": PLAIN}  # fmt: skip
    response = getattr(api, method)(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 403, response.content
    assert response.json() == {"detail": "Only seller accounts may do this.", "code": "permission_denied"}
    assert snapshot() == before


# --- wallet ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_wallet_shows_the_callers_own_balance(buyer, api):
    funded(buyer, "125000.50")
    funded(BuyerFactory(), "999999.00")
    response = api.get(WALLET)
    assert response.status_code == 200
    assert response.json() == {"balance": "125000.50", "currency": "UZS", "is_active": True}


@pytest.mark.django_db
def test_a_new_users_wallet_is_empty(buyer, api):
    response = api.get(WALLET)
    assert response.status_code == 200
    assert response.json()["balance"] == "0.00"
    assert Wallet.objects.filter(user=buyer).count() == 1


@pytest.mark.django_db
def test_transactions_are_the_callers_own_newest_first_20_a_page(buyer, api):
    wallet = WalletFactory(user=buyer)
    mine = [WalletTransactionFactory(wallet=wallet, amount=Decimal(1000 + n)).pk for n in range(25)]
    WalletTransactionFactory.create_batch(3)  # other people's
    first = api.get(TRANSACTIONS)
    body = first.json()
    assert body["count"] == 25
    assert ids(first) == mine[::-1][:20]
    assert body["previous"] is None and body["next"]
    second = api.get(body["next"])
    assert ids(second) == mine[::-1][20:]
    row = first.json()["results"][0]
    assert row == {
        "id": mine[-1],
        "type": "deposit",
        "amount": "1024.00",
        "balance_before": row["balance_before"],
        "balance_after": str(Decimal(row["balance_before"]) + Decimal("1024.00")),
        "reference_type": None,
        "reference_id": None,
        "description": "deposit 1024",
        "created_at": row["created_at"],
    }


@pytest.mark.django_db
def test_transactions_filter_by_type(buyer, api):
    wallet = funded(buyer)
    withdrawals = [WalletTransactionFactory(wallet=wallet, withdrawal=True).pk for _ in range(2)]
    response = api.get(TRANSACTIONS, {"type": "withdrawal"})
    assert ids(response) == withdrawals[::-1]
    assert {row["type"] for row in response.json()["results"]} == {"withdrawal"}
    assert ids(api.get(TRANSACTIONS, {"type": "refund"})) == []
    assert len(ids(api.get(TRANSACTIONS, {"type": ""}))) == 3  # a blank filter is every kind


@pytest.mark.django_db
def test_an_unknown_transaction_type_is_a_400_with_its_field(buyer, api):
    funded(buyer)
    response = api.get(TRANSACTIONS, {"type": "gift"})
    assert response.status_code == 400
    assert response.json() == {"type": ['"gift" is not a valid choice.']}


@pytest.mark.django_db
def test_nobody_reads_another_users_transactions(buyer, api):
    other = BuyerFactory()
    funded(other)
    assert ids(api.get(TRANSACTIONS)) == []
    assert api.get(WALLET).json()["balance"] == "0.00"


@pytest.mark.django_db
def test_transaction_list_queries_do_not_grow_with_rows(buyer, api, django_assert_max_num_queries):
    wallet = funded(buyer)
    within = measured(django_assert_max_num_queries, api, TRANSACTIONS)
    for _ in range(30):
        WalletTransactionFactory(wallet=wallet, amount=Decimal("1000"))
    with within():
        assert len(ids(api.get(TRANSACTIONS))) == 20
    with within():
        assert len(ids(api.get(TRANSACTIONS, {"type": "deposit"}))) == 20


# --- top-up ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_topup_starts_one_card_payment_and_answers_with_the_sandbox_page(buyer, api):
    response = api.post(TOPUP, {"amount": "150000"}, format="json", HTTP_IDEMPOTENCY_KEY="topup-1")
    assert response.status_code == 201, response.content
    payment = Payment.objects.get()
    assert (payment.user, payment.purpose, payment.amount, payment.state) == (
        buyer, PaymentPurpose.TOPUP, Decimal("150000.00"), PaymentState.PENDING,
    )  # fmt: skip
    assert response.json() == {
        "payment_id": payment.pk,
        "amount": "150000.00",
        "state": "pending",
        "payment_url": f"http://testserver/payments/sandbox/{payment.token}/?return=/wallet/",
    }
    page = Client().get(response.json()["payment_url"])
    assert page.status_code == 200
    assert b'data-testid="sandbox-approve"' in page.content
    assert balance_of(buyer) == 0  # nothing is credited before the provider says so
    assert WalletTransaction.objects.count() == 0


@pytest.mark.django_db
def test_topup_with_the_same_key_again_answers_with_the_first_payment(buyer, api):
    first = api.post(TOPUP, {"amount": "150000"}, format="json", HTTP_IDEMPOTENCY_KEY="topup-1")
    again = api.post(TOPUP, {"amount": "150000.00"}, format="json", HTTP_IDEMPOTENCY_KEY="topup-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_is_anyones_own(buyer, api):
    """Keys are per user: another buyer's request with the same key is a request of its own."""
    other = client_for(BuyerFactory())
    first = api.post(TOPUP, {"amount": "150000"}, format="json", HTTP_IDEMPOTENCY_KEY="topup-1")
    second = other.post(TOPUP, {"amount": "150000"}, format="json", HTTP_IDEMPOTENCY_KEY="topup-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["payment_id"] != second.json()["payment_id"]


@pytest.mark.django_db
def test_topup_without_a_key_starts_a_payment_each_time(buyer, api):
    assert api.post(TOPUP, {"amount": "150000"}, format="json").status_code == 201
    assert api.post(TOPUP, {"amount": "150000"}, format="json").status_code == 201
    assert Payment.objects.count() == 2


@pytest.mark.django_db
def test_the_same_key_with_another_amount_is_a_409_and_starts_nothing(buyer, api):
    api.post(TOPUP, {"amount": "150000"}, format="json", HTTP_IDEMPOTENCY_KEY="topup-1")
    before = snapshot()
    response = api.post(TOPUP, {"amount": "200000"}, format="json", HTTP_IDEMPOTENCY_KEY="topup-1")
    assert response.status_code == 409
    assert response.json() == {"idempotency_key": ["This key was already used for a different request."]}
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("999", "A top-up is from"),
        ("50000000.01", "A top-up is from"),
        ("0", "A top-up is from"),
        ("-150000", "A top-up is from"),
        ("abc", "A valid number is required."),
        ("", "A valid number is required."),
        ("NaN", "A valid number is required."),
        ("Infinity", "A valid number is required."),
        ("1000.001", "Ensure that there are no more than 2 decimal places."),
        ("10000000000000", "Ensure that there are no more than 12 digits in total."),
        (None, "This field may not be null."),
        ([], "A valid number is required."),
    ],
)
def test_a_topup_amount_out_of_range_or_garbage_is_a_400_and_writes_nothing(buyer, api, amount, message):
    funded(buyer)
    before = snapshot()
    response = api.post(TOPUP, {"amount": amount}, format="json", HTTP_IDEMPOTENCY_KEY="topup-1")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["amount"]
    assert response.json()["amount"][0].startswith(message), response.json()
    assert snapshot() == before
    # The key was not used up: the corrected request goes through.
    assert api.post(TOPUP, {"amount": "5000"}, format="json", HTTP_IDEMPOTENCY_KEY="topup-1").status_code == 201


@pytest.mark.django_db
def test_a_topup_without_an_amount_or_with_a_bad_key_is_a_400(buyer, api):
    before = snapshot()
    response = api.post(TOPUP, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"amount": ["This field is required."]}
    response = api.post(TOPUP, {"amount": "5000"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 101)
    assert response.status_code == 400
    assert response.json() == {"idempotency_key": ["Use at most 100 printable characters as the key."]}
    assert snapshot() == before


# --- the sandbox provider's side: the wallet is credited once -------------------------------------
def _topup(api, amount="150000"):
    response = api.post(TOPUP, {"amount": amount}, format="json")
    assert response.status_code == 201, response.content
    return Payment.objects.get(pk=response.json()["payment_id"]), response.json()["payment_url"]


def _signed(payment, outcome="approved", **changes):
    fields = {"token": payment.token, "outcome": outcome, "amount": payment.amount, "reference": "bank-ref-1"}
    return {**SandboxPaymentProvider().sign(fields), **changes}


@pytest.mark.django_db
def test_approving_on_the_sandbox_page_credits_the_wallet_once(buyer, api):
    payment, url = _topup(api)
    bank = Client()
    path = urlsplit(url).path
    response = bank.post(path, {"outcome": "approved", "return": "/wallet/"})
    assert response.status_code == 302 and response["Location"] == "/wallet/"
    bank.post(path, {"outcome": "approved", "return": "/wallet/"})  # pressed twice

    assert api.get(WALLET).json()["balance"] == "150000.00"
    rows = api.get(TRANSACTIONS).json()["results"]
    assert [(r["type"], r["amount"], r["reference_type"], r["reference_id"]) for r in rows] == [
        ("deposit", "150000.00", "payment", payment.pk)
    ]
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED


@pytest.mark.django_db
def test_a_signed_callback_credits_the_wallet_once_however_often_it_comes(buyer, api):
    first = api.post(TOPUP, {"amount": "250000"}, format="json", HTTP_IDEMPOTENCY_KEY="topup-1")
    payment = Payment.objects.get(pk=first.json()["payment_id"])
    for _ in range(3):
        response = Client().post(CALLBACK, _signed(payment))
        assert response.status_code == 200
    assert api.get(WALLET).json()["balance"] == "250000.00"
    assert WalletTransaction.objects.filter(wallet__user=buyer, type=TransactionType.DEPOSIT).count() == 1
    # The app retrying its request afterwards gets the same payment, settled, and nothing more.
    again = api.post(TOPUP, {"amount": "250000"}, format="json", HTTP_IDEMPOTENCY_KEY="topup-1")
    assert again.status_code == 200
    assert (again.json()["payment_id"], again.json()["state"]) == (payment.pk, "succeeded")
    assert Payment.objects.count() == 1
    assert api.get(WALLET).json()["balance"] == "250000.00"


@pytest.mark.django_db
def test_an_unsigned_or_altered_callback_credits_nothing(buyer, api):
    payment, _url = _topup(api)
    before = snapshot()
    altered = _signed(payment, amount="9999999")
    assert Client().post(CALLBACK, altered).status_code == 400
    assert Client().post(CALLBACK, {"token": payment.token, "outcome": "approved"}).status_code == 400
    assert snapshot() == before
    assert api.get(WALLET).json()["balance"] == "0.00"


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["approved", "declined"])
@pytest.mark.parametrize(
    "amount", ["sNaN", "NaN", "-sNaN", "Infinity", "-Infinity", "-0", "0", "1e999", "1.5E+5", "150000.00 ",
               "-150000.00", "150000.000", "", "١٥٠٠٠٠"],
)  # fmt: skip
def test_a_signed_callback_with_an_amount_that_is_not_money_is_a_400_and_changes_nothing(buyer, api, amount, outcome):
    """The provider's signature does not make its amount a number: sNaN could not even be compared
    (500); a value that is not plainly written money is refused, whatever it equals."""
    payment, _url = _topup(api, "150000")
    before = snapshot()
    signed = SandboxPaymentProvider().sign(
        {"token": payment.token, "outcome": outcome, "amount": amount, "reference": "bank-ref-1"}
    )
    response = Client().post(CALLBACK, signed)
    assert response.status_code == 400, response.content
    assert snapshot() == before
    # The provider's correct callback still settles it.
    assert Client().post(CALLBACK, _signed(payment)).status_code == 200
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["token", "reference", "outcome"])
def test_a_signed_callback_with_a_nul_character_is_a_400_and_changes_nothing(buyer, api, field):
    """PostgreSQL text cannot hold NUL: such a field must be refused, not reach the database."""
    payment, _url = _topup(api, "150000")
    before = snapshot()
    fields = {"token": payment.token, "outcome": "approved", "amount": payment.amount, "reference": "bank-ref-1"}
    fields[field] = f"{fields[field]}\x00"
    response = Client().post(CALLBACK, SandboxPaymentProvider().sign(fields))
    assert response.status_code == 400, response.content
    assert snapshot() == before


@pytest.mark.django_db
def test_a_declined_card_credits_nothing_and_a_late_approval_is_applied_once(buyer, api):
    payment, _url = _topup(api)
    assert Client().post(CALLBACK, _signed(payment, "declined")).status_code == 200
    assert api.get(WALLET).json()["balance"] == "0.00"
    # The provider says it charged after all: the charge stands, credited once.
    for _ in range(2):
        assert Client().post(CALLBACK, _signed(payment, "approved")).status_code == 200
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED
    assert api.get(WALLET).json()["balance"] == f"{payment.amount}"
    assert len(ids(api.get(TRANSACTIONS))) == 1


# --- seller: balance ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_seller_balance_shows_available_and_pending(seller, seller_api):
    funded(seller, "700000")
    for amount, commission, status in [
        ("300000", "30000", CommissionStatus.PENDING),
        ("100000", "10000", CommissionStatus.PENDING),
        ("500000", "50000", CommissionStatus.PAID),  # already in the wallet
        ("200000", "20000", CommissionStatus.CANCELLED),  # never paid out
    ]:
        CommissionFactory(order=OrderFactory(seller=seller, delivered=True), order_amount=Decimal(amount),
                          commission_amount=Decimal(commission), status=status)  # fmt: skip
    CommissionFactory(order_amount=Decimal("900000"), commission_amount=Decimal("0"))  # another seller's
    response = seller_api.get(BALANCE)
    assert response.status_code == 200
    # A plain deposit is not an earning: none of it is payable (finance/tests/test_payable.py).
    assert response.json() == {"available": "700000.00", "payable": "0.00", "pending": "360000.00", "currency": "UZS"}


@pytest.mark.django_db
def test_a_new_sellers_balance_is_zero(seller_api):
    zero = {"available": "0.00", "payable": "0.00", "pending": "0.00", "currency": "UZS"}
    assert seller_api.get(BALANCE).json() == zero


# --- seller: payouts ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_payout_holds_the_money_at_once(seller, seller_api, account):
    earned(seller, "1000000")
    response = seller_api.post(PAYOUTS, {"amount": "400000", "bank_account": account.pk, "notes": " weekly "},
                               format="json", HTTP_IDEMPOTENCY_KEY="payout-1")  # fmt: skip
    assert response.status_code == 201, response.content
    payout = Payout.objects.get()
    body = response.json()
    assert body == {
        "id": payout.pk,
        "amount": "400000.00",
        "currency": "UZS",
        "method": "bank_transfer",
        "status": "pending",
        "bank_account": {"id": account.pk, "bank_name": "Kapitalbank", "account_number_masked": "•••• 6789"},
        "transaction_id": None,
        "notes": "weekly",
        "processed_at": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert PLAIN not in response.content.decode()
    assert balance_of(seller) == Decimal("600000.00")
    hold = WalletTransaction.objects.get(wallet__user=seller, type=TransactionType.PAYOUT)
    assert (hold.amount, hold.reference_type, hold.reference_id) == (Decimal("-400000.00"), "payout", payout.pk)
    assert seller_api.get(BALANCE).json()["available"] == "600000.00"


@pytest.mark.django_db
def test_a_payout_with_the_same_key_again_holds_once(seller, seller_api, account):
    earned(seller, "1000000")
    body = {"amount": "400000", "bank_account": account.pk}
    first = seller_api.post(PAYOUTS, body, format="json", HTTP_IDEMPOTENCY_KEY="payout-1")
    again = seller_api.post(PAYOUTS, body, format="json", HTTP_IDEMPOTENCY_KEY="payout-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Payout.objects.count() == 1
    assert balance_of(seller) == Decimal("600000.00")
    before = snapshot()
    other = seller_api.post(PAYOUTS, {**body, "amount": "300000"}, format="json", HTTP_IDEMPOTENCY_KEY="payout-1")
    assert other.status_code == 409
    assert list(other.json()) == ["idempotency_key"]
    assert snapshot() == before


@pytest.mark.django_db
def test_a_cash_payout_needs_no_bank_account(seller, seller_api):
    earned(seller, "100000")
    response = seller_api.post(PAYOUTS, {"amount": "50000", "method": "cash"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["bank_account"] is None
    assert balance_of(seller) == Decimal("50000.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"amount": "9999.99"}, "amount", "A payout is at least"),
        ({"amount": "-50000"}, "amount", "A payout is at least"),
        ({"amount": "abc"}, "amount", "A valid number is required."),
        ({"amount": "NaN"}, "amount", "A valid number is required."),
        ({"amount": None}, "amount", "This field may not be null."),
        ({"amount": "1000001"}, "amount", "Not enough money in your GoGoMoney wallet"),
        ({"bank_account": "unverified"}, "bank_account", "This account is not verified yet."),
        ({"bank_account": "another sellers"}, "bank_account", "Choose one of your bank accounts."),
        ({"bank_account": "deleted"}, "bank_account", "Choose one of your bank accounts."),
        ({"bank_account": None}, "bank_account", "Choose one of your bank accounts."),
        ({"bank_account": 10**20}, "bank_account", "Choose one of your bank accounts."),
        ({"bank_account": "x"}, "bank_account", "A valid integer is required."),
        ({"method": "gogomoney"}, "method", "Your earnings are already in your GoGoMoney wallet."),
        ({"method": "barter"}, "method", '"barter" is not a valid choice.'),
    ],
)
def test_a_payout_that_cannot_be_made_is_a_400_with_its_field_and_writes_nothing(
    seller, seller_api, account, body, field, message
):
    earned(seller, "1000000")
    accounts = {
        "unverified": BankAccountFactory(user=seller, is_default=False, is_verified=False).pk,
        "another sellers": BankAccountFactory().pk,
        "deleted": BankAccountFactory(user=seller, is_default=False, deleted_at=timezone.now()).pk,
    }
    request = {"amount": "500000", "bank_account": account.pk, **body}
    request["bank_account"] = accounts.get(request["bank_account"], request["bank_account"])
    before = snapshot()
    response = seller_api.post(PAYOUTS, request, format="json", HTTP_IDEMPOTENCY_KEY="payout-1")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert response.json()[field][0].startswith(message), response.json()
    assert snapshot() == before


@pytest.mark.django_db
def test_cancelling_a_pending_payout_gives_the_money_back(seller, seller_api, account):
    earned(seller, "1000000")
    payout_id = seller_api.post(PAYOUTS, {"amount": "400000", "bank_account": account.pk}, format="json").json()["id"]
    response = seller_api.post(f"{PAYOUTS}{payout_id}/cancel/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled" and response.json()["processed_at"]
    assert balance_of(seller) == Decimal("1000000.00")
    assert list(
        WalletTransaction.objects.filter(reference_type="payout", reference_id=payout_id)
        .order_by("pk")
        .values_list("type", "amount")
    ) == [(TransactionType.PAYOUT, Decimal("-400000.00")), (TransactionType.REFUND, Decimal("400000.00"))]
    # Twice is refused: the money came back once.
    before = snapshot()
    again = seller_api.post(f"{PAYOUTS}{payout_id}/cancel/")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["Only a payout that has not started can be cancelled."]}
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [PayoutStatus.PROCESSING, PayoutStatus.COMPLETED, PayoutStatus.FAILED, PayoutStatus.CANCELLED]
)
def test_a_payout_that_is_not_pending_cannot_be_cancelled(seller, seller_api, account, status):
    earned(seller, "100000")
    payout = PayoutFactory(seller=seller, bank_account=account, status=status)
    before = snapshot()
    response = seller_api.post(payout_url(payout, "cancel"))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only a payout that has not started can be cancelled."]}
    assert snapshot() == before


@pytest.mark.django_db
def test_payouts_list_and_retrieve_are_the_sellers_own(seller, seller_api, account):
    mine = [PayoutFactory(seller=seller, bank_account=account).pk for _ in range(3)]
    theirs = PayoutFactory()
    assert ids(seller_api.get(PAYOUTS)) == mine[::-1]
    response = seller_api.get(f"{PAYOUTS}{mine[0]}/")
    assert response.status_code == 200
    assert response.json()["id"] == mine[0]
    assert response.json()["bank_account"]["account_number_masked"] == "•••• 6789"
    before = snapshot()
    assert seller_api.get(payout_url(theirs)).status_code == 404
    assert seller_api.get(f"{PAYOUTS}99999999999999999999/").status_code == 404
    assert seller_api.post(payout_url(theirs, "cancel")).status_code == 404
    assert snapshot() == before
    theirs.refresh_from_db()
    assert theirs.status == PayoutStatus.PENDING


@pytest.mark.django_db
def test_payout_list_queries_do_not_grow_with_rows(seller, seller_api, account, django_assert_max_num_queries):
    PayoutFactory(seller=seller, bank_account=account)
    within = measured(django_assert_max_num_queries, seller_api, PAYOUTS)
    for n in range(25):
        PayoutFactory(seller=seller, bank_account=BankAccountFactory(user=seller, is_default=False),
                      method=PayoutMethod.CASH if n % 5 == 0 else PayoutMethod.BANK_TRANSFER)  # fmt: skip
    with within():
        assert len(ids(seller_api.get(PAYOUTS))) == 20


# --- seller: bank accounts ------------------------------------------------------------------------
@pytest.mark.django_db
def test_adding_a_bank_account_shows_only_the_masked_number(seller, seller_api):
    body = {"bank_name": " Ipak Yo'li ", "account_holder_name": "Alisher Navoiy", "account_number": NUMBER,
            "routing_number": "00444"}  # fmt: skip
    response = seller_api.post(ACCOUNTS, body, format="json")
    assert response.status_code == 201, response.content
    account = BankAccount.objects.get()
    body = response.json()
    assert body == {
        "id": account.pk,
        "bank_name": "Ipak Yo'li",
        "account_holder_name": "Alisher Navoiy",
        "account_number_masked": "•••• 6789",
        "routing_number": "00444",
        "is_verified": False,
        "is_default": True,  # the first one
        "created_at": body["created_at"],
    }
    assert PLAIN not in response.content.decode() and "2345" not in response.content.decode()
    assert PLAIN not in account.account_number  # stored encrypted
    assert crypto.decrypt(account.account_number) == PLAIN
    for log in AuditLog.objects.all():  # never logged
        assert PLAIN not in str(log.new_values) + str(log.old_values)
    for url in (ACCOUNTS, account_url(account)):
        assert PLAIN not in seller_api.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"account_number": "1234567"}, "account_number", "Enter the account number"),
        ({"account_number": "2020-8000-9001"}, "account_number", "Enter the account number"),
        ({"account_number": "x" * 101}, "account_number", "Ensure this field has no more than 100 characters."),
        ({"account_number": ""}, "account_number", "Enter the account number"),
        ({"bank_name": "  "}, "bank_name", "Which bank?"),
        ({"account_holder_name": ""}, "account_holder_name", "Whose account is it?"),
    ],
)
def test_a_bank_account_that_cannot_be_added_is_a_400_and_writes_nothing(seller, seller_api, body, field, message):
    before = snapshot()
    request = {"bank_name": "Ipak Yo'li", "account_holder_name": "Alisher Navoiy", "account_number": NUMBER, **body}
    response = seller_api.post(ACCOUNTS, request, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert response.json()[field][0].startswith(message)
    assert snapshot() == before


@pytest.mark.django_db
def test_bank_accounts_list_retrieve_make_default_delete(seller, seller_api, account):
    second = BankAccountFactory(user=seller, is_default=False, is_verified=False)
    BankAccountFactory()  # another seller's
    BankAccountFactory(user=seller, is_default=False, deleted_at=timezone.now())  # deleted
    assert ids(seller_api.get(ACCOUNTS)) == [account.pk, second.pk]  # the default first
    one = seller_api.get(account_url(second))
    assert one.status_code == 200
    assert one.json()["id"] == second.pk and one.json()["account_number_masked"].startswith("•••• ")

    response = seller_api.post(account_url(second, "make-default"))
    assert response.status_code == 200
    assert response.json()["is_default"] is True
    assert ids(seller_api.get(ACCOUNTS)) == [second.pk, account.pk]
    assert list(BankAccount.objects.filter(user=seller, is_default=True).values_list("pk", flat=True)) == [second.pk]

    assert seller_api.delete(account_url(second)).status_code == 204
    assert ids(seller_api.get(ACCOUNTS)) == [account.pk]
    second.refresh_from_db()
    assert second.deleted_at is not None
    assert seller_api.get(account_url(second)).status_code == 404
    account.refresh_from_db()
    assert account.is_default  # the one left takes over


@pytest.mark.django_db
def test_a_bank_account_with_a_payout_on_its_way_cannot_be_deleted(seller, seller_api, account):
    PayoutFactory(seller=seller, bank_account=account)
    before = snapshot()
    response = seller_api.delete(account_url(account))
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert snapshot() == before


@pytest.mark.django_db
def test_another_sellers_bank_account_is_a_404(seller, seller_api, account):
    theirs = BankAccountFactory(is_default=False)
    before = snapshot()
    assert seller_api.get(account_url(theirs)).status_code == 404
    assert seller_api.delete(account_url(theirs)).status_code == 404
    assert seller_api.post(account_url(theirs, "make-default")).status_code == 404
    assert seller_api.get(f"{ACCOUNTS}99999999999999999999/").status_code == 404
    assert snapshot() == before


@pytest.mark.django_db
def test_bank_account_list_queries_do_not_grow_with_rows(seller, seller_api, account, django_assert_max_num_queries):
    within = measured(django_assert_max_num_queries, seller_api, ACCOUNTS)
    BankAccountFactory.create_batch(25, user=seller, is_default=False)
    with within():
        assert len(ids(seller_api.get(ACCOUNTS))) == 20


# --- the same key many times at once: real threads, real connections -----------------------------
def _run_at_once(user, n, send):
    """``send(client)`` from ``n`` threads started together, each with its own APIClient (signed in
    as ``user``) and its own database connection; returns [(status, body)]."""
    results, errors, lock = [], [], threading.Lock()
    start = threading.Barrier(n)

    def worker(api):
        try:
            start.wait()
            response = send(api)
            with lock:
                results.append((response.status_code, response.json()))
        except Exception as error:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    clients = [client_for(user) for _ in range(n)]
    threads = [threading.Thread(target=worker, args=(api,), name=f"money-{i}") for i, api in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert not errors, errors[:3]
    return results


@pytest.mark.django_db(transaction=True)
def test_20_concurrent_topups_with_one_key_start_one_payment():
    buyer = BuyerFactory()
    results = _run_at_once(
        buyer, 20, lambda api: api.post(TOPUP, {"amount": "150000"}, format="json", HTTP_IDEMPOTENCY_KEY="tap-tap")
    )
    assert sorted(status for status, _body in results) == [200] * 19 + [201], results[:3]
    payment = Payment.objects.get()
    assert {body["payment_id"] for _status, body in results} == {payment.pk}
    assert {body["payment_url"] for _status, body in results} == {
        f"http://testserver/payments/sandbox/{payment.token}/?return=/wallet/"
    }
    assert IdempotencyKey.objects.filter(user=buyer, scope="topup").count() == 1
    assert AuditLog.objects.filter(action="wallet.topup_start").count() == 1


@pytest.mark.django_db(transaction=True)
def test_20_concurrent_payouts_with_one_key_hold_the_money_once():
    seller = SellerFactory()
    earned(seller, "1000000")
    account = BankAccountFactory(user=seller)
    results = _run_at_once(
        seller,
        20,
        lambda api: api.post(
            PAYOUTS, {"amount": "400000", "bank_account": account.pk}, format="json", HTTP_IDEMPOTENCY_KEY="tap-tap"
        ),
    )
    assert sorted(status for status, _body in results) == [200] * 19 + [201], results[:3]
    payout = Payout.objects.get()
    assert {body["id"] for _status, body in results} == {payout.pk}
    assert WalletTransaction.objects.filter(type=TransactionType.PAYOUT).count() == 1
    assert balance_of(seller) == Decimal("600000.00")


def _wait_for_a_blocked_backend(timeout=10.0):
    """Until another connection of this test database waits for a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("no request got blocked")


@pytest.mark.django_db(transaction=True)
def test_a_payout_racing_the_deletion_of_its_account_is_not_made_to_the_deleted_account():
    seller = SellerFactory()
    earned(seller, "1000000")
    account = BankAccountFactory(user=seller)
    api = client_for(seller)
    deleted, release, answers = threading.Event(), threading.Event(), []

    def delete():
        try:
            with transaction.atomic():
                bank_account_delete(account=account, user=seller)
                deleted.set()
                release.wait(10)  # the deletion is not committed yet
        finally:
            connections.close_all()

    def ask():
        try:
            answers.append(api.post(PAYOUTS, {"amount": "400000", "bank_account": account.pk}, format="json"))
        finally:
            connections.close_all()

    deleter = threading.Thread(target=delete)
    deleter.start()
    assert deleted.wait(10)
    asker = threading.Thread(target=ask)
    asker.start()
    try:
        _wait_for_a_blocked_backend()  # the payout request waits on the account's row lock
    finally:
        release.set()
        deleter.join(10)
        asker.join(30)
    account.refresh_from_db()
    assert account.deleted_at is not None
    assert answers[0].status_code == 400, answers[0].content
    assert not Payout.objects.filter(bank_account=account).exists()
    assert balance_of(seller) == Decimal("1000000.00")
