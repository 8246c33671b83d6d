"""The money pages through the Django test client: the buyer's wallet (balance, history, card
top-up), the seller's finance page (balances, commissions, payouts, bank accounts) and "Pay now"
on an unpaid card order. These tests are about wiring and permissions: each page calls its
service, shows a refusal on the page and writes nothing, and another person's payout, bank
account or order is a 404 with nothing changed. The rules themselves are tested on the services."""

import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import BuyerFactory, CourierFactory, SellerFactory
from finance import crypto
from finance.enums import CommissionStatus, PayoutMethod, PayoutStatus, TransactionType
from finance.models import (
    BankAccount,
    Commission,
    Payment,
    PaymentPurpose,
    PaymentState,
    Payout,
    Wallet,
    WalletTransaction,
)
from finance.tests.factories import (
    BankAccountFactory,
    CommissionFactory,
    PayoutFactory,
    WalletFactory,
    WalletTransactionFactory,
)
from gogomarket.core.models import AuditLog, IdempotencyKey
from gogomarket.core.money import format_uzs
from orders.enums import PaymentMethod, PaymentStatus
from orders.models import Order
from orders.tests.factories import OrderFactory
from tests.helpers import messages_of
from tests.helpers import page_client_for as client_for

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NBSP = "\u00a0"
WALLET = "/wallet/"
TOPUP = "/wallet/topup/"
FINANCE = "/seller/finance/"
PAYOUTS = "/seller/finance/payouts/"
ACCOUNTS = "/seller/finance/bank-accounts/"
PLAIN_NUMBER = "20208000905512345678"


def text_of(response):
    return html.unescape(response.content.decode())


def uzs(text):
    """``"100 000 so'm"`` written with the no-break spaces the money filter uses."""
    return text.replace(" ", NBSP)


def token_on(page):
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def cancel_url(payout):
    return f"/seller/finance/payouts/{payout.pk}/cancel/"


def default_url(account):
    return f"/seller/finance/bank-accounts/{account.pk}/default/"


def delete_url(account):
    return f"/seller/finance/bank-accounts/{account.pk}/delete/"


def pay_url(order):
    return f"/orders/{order.order_number}/pay/"


def order_url(order):
    return f"/orders/{order.order_number}/"


def snapshot():
    """Everything a money page could change."""
    return {
        "wallets": list(Wallet.objects.order_by("pk").values("pk", "user_id", "balance", "is_active")),
        "transactions": list(WalletTransaction.objects.order_by("pk").values()),
        "payments": list(Payment.objects.order_by("pk").values()),
        "payouts": list(Payout.objects.order_by("pk").values()),
        "accounts": list(BankAccount.objects.order_by("pk").values()),
        "commissions": list(Commission.objects.order_by("pk").values()),
        "orders": list(Order.objects.order_by("pk").values("pk", "status", "payment_status")),
        "audit": list(AuditLog.objects.order_by("pk").values_list("pk", flat=True)),
        "keys": list(IdempotencyKey.objects.order_by("pk").values_list("pk", flat=True)),
    }


def balance_of(user):
    return Wallet.objects.get(user=user).balance


def funded(user, amount):
    """``user``'s wallet with one deposit of ``amount``."""
    wallet = Wallet.objects.filter(user=user).first() or WalletFactory(user=user)
    WalletTransactionFactory(wallet=wallet, amount=Decimal(amount), description="Opening deposit")
    return wallet


def earned(seller, amount):
    """``seller``'s wallet with ``amount`` of earnings (what a payout may take)."""
    wallet = Wallet.objects.filter(user=seller).first() or WalletFactory(user=seller)
    WalletTransactionFactory(wallet=wallet, amount=Decimal(amount), reference_type="commission",
                             description="Earnings")  # fmt: skip
    return wallet


def with_wallet(user):
    """Every user has a wallet (a page makes it on first use): made here, so that a snapshot
    taken before a request only changes if money does."""
    WalletFactory(user=user)
    return user


@pytest.fixture
def buyer():
    return with_wallet(BuyerFactory(first_name="Dilnoza"))


@pytest.fixture
def seller():
    return with_wallet(SellerFactory(first_name="Aziz"))


@pytest.fixture
def account(seller):
    """The seller's verified default account."""
    return BankAccountFactory(user=seller, bank_name="Kapitalbank")


# --- who gets in ----------------------------------------------------------------------------------
def test_visitors_are_sent_to_sign_in_and_nothing_changes(seller, account):
    payout = PayoutFactory(seller=seller, bank_account=account)
    order = OrderFactory(payment_method=PaymentMethod.CARD)
    visitor = client_for()
    before = snapshot()

    for response in (
        visitor.get(WALLET),
        visitor.post(TOPUP, {"amount": "100000", "token": "t1"}),
        visitor.get(FINANCE),
        visitor.post(PAYOUTS, {"amount": "50000", "method": "cash", "token": "t2"}),
        visitor.post(cancel_url(payout)),
        visitor.post(ACCOUNTS, {"bank_name": "Ipoteka", "account_holder_name": "X", "account_number": PLAIN_NUMBER}),
        visitor.post(default_url(account)),
        visitor.post(delete_url(account)),
        visitor.post(pay_url(order)),
    ):
        assert response.status_code == 302 and response.url.startswith("/account/login/")
    assert snapshot() == before


@pytest.mark.parametrize("make", [BuyerFactory, CourierFactory], ids=["buyer", "courier"])
def test_the_finance_page_is_for_sellers_only_and_nothing_changes(make, seller, account):
    payout = PayoutFactory(seller=seller, bank_account=account)
    user = make()
    funded(user, "900000")
    client = client_for(user)
    before = snapshot()

    assert client.get(FINANCE).status_code == 403
    assert client.post(PAYOUTS, {"amount": "50000", "method": "cash", "token": "t"}).status_code == 403
    assert client.post(cancel_url(payout)).status_code == 403
    assert client.post(ACCOUNTS, {"bank_name": "Ipoteka", "account_holder_name": "X",
                                  "account_number": PLAIN_NUMBER}).status_code == 403  # fmt: skip
    assert client.post(default_url(account)).status_code == 403
    assert client.post(delete_url(account)).status_code == 403
    assert snapshot() == before


def test_the_menus_link_the_wallet_and_the_finance_page(buyer, seller):
    assert 'href="/wallet/"' in text_of(client_for(buyer).get("/orders/"))
    seller_page = text_of(client_for(seller).get("/seller/orders/"))
    assert 'href="/wallet/"' in seller_page and 'href="/seller/finance/"' in seller_page
    assert 'href="/wallet/"' not in text_of(client_for().get("/orders/", follow=True))


# --- the wallet -------------------------------------------------------------------------------------
def test_the_wallet_shows_the_buyers_own_balance_and_history_only(buyer):
    wallet = Wallet.objects.get(user=buyer)
    WalletTransactionFactory(wallet=wallet, amount=Decimal("250000"), description="Top-up by card")
    WalletTransactionFactory(wallet=wallet, type=TransactionType.PURCHASE, amount=Decimal("-75000"),
                             description="Order GM-1")  # fmt: skip
    other = WalletFactory()
    WalletTransactionFactory(wallet=other, amount=Decimal("9990000"), description="Someone else's money")

    response = client_for(buyer).get(WALLET)

    assert response.status_code == 200
    page = text_of(response)
    assert re.search(r'data-testid="wallet-balance">\s*' + re.escape(uzs("175 000 so'm")), page)
    assert page.count('data-testid="wallet-entry"') == 2
    assert "Top-up by card" in page and "Order GM-1" in page
    assert uzs("+250 000 so'm") in page and uzs("-75 000 so'm") in page
    assert "Purchase" in page and "Deposit" in page  # the type labels
    assert "Someone else" not in page and uzs("9 990 000") not in page


def test_a_new_buyer_gets_an_empty_wallet(buyer):
    page = text_of(client_for(buyer).get(WALLET))

    assert re.search(r'data-testid="wallet-balance">\s*0' + NBSP + "so'm", page)
    assert 'data-testid="wallet-history-empty"' in page
    assert Wallet.objects.filter(user=buyer).count() == 1


def test_the_history_shows_20_per_page_newest_first(buyer):
    wallet = Wallet.objects.get(user=buyer)
    entries = [WalletTransactionFactory(wallet=wallet, amount=Decimal("1000")) for _ in range(25)]
    client = client_for(buyer)

    first = text_of(client.get(WALLET))
    second = text_of(client.get(WALLET + "?page=2"))

    ids_first = [int(i) for i in re.findall(r'data-testid="wallet-entry" data-entry-id="(\d+)"', first)]
    ids_second = [int(i) for i in re.findall(r'data-testid="wallet-entry" data-entry-id="(\d+)"', second)]
    assert ids_first == [e.pk for e in reversed(entries)][:20]
    assert ids_second == [e.pk for e in reversed(entries)][20:]
    assert "1 / 2" in first and 'href="/wallet/?page=2"' in first
    assert client.get(WALLET + "?page=junk").status_code == 200


def test_a_top_up_starts_one_card_payment_and_goes_to_the_providers_page(buyer):
    client = client_for(buyer)
    token = token_on(text_of(client.get(WALLET)))

    response = client.post(TOPUP, {"amount": "150 000", "token": token})

    payment = Payment.objects.get()
    assert (payment.user, payment.purpose, payment.amount, payment.state) == (
        buyer, PaymentPurpose.TOPUP, Decimal("150000.00"), PaymentState.PENDING,
    )  # fmt: skip
    assert response.status_code == 302
    assert response.url == f"/payments/sandbox/{payment.token}/?return=/wallet/"
    assert balance_of(buyer) == 0  # credited only when the provider confirms


def test_the_same_top_up_form_sent_twice_starts_one_payment(buyer):
    client = client_for(buyer)

    first = client.post(TOPUP, {"amount": "100000", "token": "form-token-1"})
    second = client.post(TOPUP, {"amount": "100000", "token": "form-token-1"})

    assert Payment.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert second.url == first.url == f"/payments/sandbox/{Payment.objects.get().token}/?return=/wallet/"


def test_the_same_token_with_another_amount_is_refused_with_a_fresh_token(buyer):
    client = client_for(buyer)
    client.post(TOPUP, {"amount": "100000", "token": "form-token-1"})
    before = snapshot()

    response = client.post(TOPUP, {"amount": "200000", "token": "form-token-1"})

    assert response.status_code == 400
    page = text_of(response)
    assert "already sent with different details" in page
    assert token_on(page) != "form-token-1"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "This field is required."),
        ("lots", "Enter a number."),
        ("10", "A top-up is from"),
        ("-5000", "A top-up is from"),
        ("99999999999", "no more than 10 digits before the decimal point"),
        ("1000.555", "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_a_bad_amount_is_shown_on_the_page_and_nothing_is_written(buyer, amount, message):
    funded(buyer, "5000")
    client = client_for(buyer)
    before = snapshot()

    response = client.post(TOPUP, {"amount": amount, "token": "form-token-2"})

    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert 'data-testid="topup-form"' in page and 'data-testid="wallet-history"' in page
    assert re.search(r'data-testid="wallet-balance">\s*' + re.escape(uzs("5 000 so'm")), page)
    assert token_on(page) == "form-token-2"  # nothing was written: a retry is the same request
    assert snapshot() == before


def test_a_top_up_get_is_not_allowed(buyer):
    assert client_for(buyer).get(TOPUP).status_code == 405


def _pay_on_the_sandbox(client, response, outcome):
    page_url = response.url
    return client.post(page_url.split("?")[0], {"outcome": outcome, "return": "/wallet/"}, follow=True)


def test_back_from_an_approved_card_payment_the_wallet_shows_the_new_balance(buyer):
    client = client_for(buyer)
    started = client.post(TOPUP, {"amount": "120000", "token": "form-token-3"})

    back = _pay_on_the_sandbox(client, started, "approved")

    assert back.redirect_chain[-1][0] == WALLET
    page = text_of(back)
    assert re.search(r'data-testid="wallet-balance">\s*' + re.escape(uzs("120 000 so'm")), page)
    assert uzs("120 000 so'm") + " is in your wallet." in messages_of(back)
    assert page.count('data-testid="wallet-entry"') == 1
    # the message is said once
    assert messages_of(client.get(WALLET)) == []


def test_back_from_a_declined_card_payment_the_wallet_says_so(buyer):
    client = client_for(buyer)
    started = client.post(TOPUP, {"amount": "120000", "token": "form-token-4"})

    back = _pay_on_the_sandbox(client, started, "declined")

    assert balance_of(buyer) == 0
    assert any("was declined" in m for m in messages_of(back))


# --- the seller's finance page -------------------------------------------------------------------
def test_the_seller_sees_available_and_pending_balances_and_commissions(seller):
    funded(seller, "300000")
    pending = CommissionFactory(order__seller=seller, commission_rate=Decimal("12.50"))
    CommissionFactory(order__seller=seller, status=CommissionStatus.PAID)
    CommissionFactory()  # another seller's

    response = client_for(seller).get(FINANCE)

    assert response.status_code == 200
    page = text_of(response)
    earning = pending.order_amount - pending.commission_amount
    assert re.search(r'data-testid="balance-available">\s*' + re.escape(uzs("300 000 so'm")), page)
    assert re.search(r'data-testid="balance-pending">\s*' + re.escape(format_uzs(earning)), page)
    assert page.count('data-testid="commission-row"') == 2
    assert pending.order.order_number in page and "12.50% commission" in page
    assert format_uzs(pending.commission_amount) in page
    assert 'data-status="pending"' in page and 'data-status="paid"' in page


def test_a_payout_request_holds_the_money_and_shows_the_payout(seller, account):
    earned(seller, "1000000")
    client = client_for(seller)
    token = token_on(text_of(client.get(FINANCE)))

    response = client.post(
        PAYOUTS, {"amount": "400 000", "method": "bank_transfer", "bank_account": account.pk, "token": token},
        follow=True,
    )  # fmt: skip

    payout = Payout.objects.get()
    assert (payout.seller, payout.amount, payout.status, payout.bank_account) == (
        seller, Decimal("400000.00"), PayoutStatus.PENDING, account,
    )  # fmt: skip
    assert balance_of(seller) == Decimal("600000.00")
    assert response.redirect_chain[-1][0] == FINANCE + "#payouts"
    page = text_of(response)
    assert re.search(r'data-testid="balance-available">\s*' + re.escape(uzs("600 000 so'm")), page)
    assert f'data-payout-id="{payout.pk}"' in page and 'data-testid="payout-cancel"' in page
    assert any("held from your wallet" in m for m in messages_of(response))


def test_a_cash_payout_needs_no_bank_account(seller):
    earned(seller, "100000")

    response = client_for(seller).post(PAYOUTS, {"amount": "100000", "method": "cash", "token": "tok-cash"})

    assert response.status_code == 302
    assert Payout.objects.get().method == PayoutMethod.CASH
    assert balance_of(seller) == 0


def test_the_same_payout_form_sent_twice_holds_the_money_once(seller, account):
    earned(seller, "1000000")
    client = client_for(seller)
    data = {"amount": "400000", "method": "bank_transfer", "bank_account": account.pk, "token": "payout-token"}

    client.post(PAYOUTS, data)
    again = client.post(PAYOUTS, data, follow=True)

    assert Payout.objects.count() == 1
    assert balance_of(seller) == Decimal("600000.00")
    assert "This payout was already requested." in messages_of(again)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "2000000", "method": "bank_transfer"}, "Not enough money in your GoGoMoney wallet"),
        ({"amount": "500", "method": "bank_transfer"}, "A payout is at least"),
        ({"amount": "50000", "method": "gogomoney"}, "Select a valid choice."),
        ({"amount": "50000", "method": "bank_transfer", "bank_account": ""}, "Choose one of your bank accounts."),
        ({"amount": "", "method": "cash"}, "This field is required."),
    ],
)
def test_a_refused_payout_is_shown_on_the_page_and_nothing_is_written(seller, account, data, message):
    earned(seller, "1000000")
    data = {"bank_account": account.pk, "token": "payout-token", **data}
    before = snapshot()

    response = client_for(seller).post(PAYOUTS, data)

    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert 'data-testid="payout-form"' in page and 'data-testid="bank-accounts"' in page
    assert snapshot() == before


def test_only_the_sellers_verified_accounts_can_receive_a_payout(seller, account):
    earned(seller, "1000000")
    unverified = BankAccountFactory(user=seller, is_default=False, is_verified=False, bank_name="Hamkorbank")
    theirs = BankAccountFactory(bank_name="Ipak Yo'li")
    client = client_for(seller)
    page = text_of(client.get(FINANCE))
    choices = re.search(r'<select name="bank_account".*?</select>', page, re.S).group(0)
    assert f'value="{account.pk}"' in choices and f'value="{unverified.pk}"' not in choices
    assert "Waiting for verification" in page
    before = snapshot()

    for other in (unverified, theirs):
        response = client.post(PAYOUTS, {"amount": "50000", "method": "bank_transfer", "bank_account": other.pk,
                                         "token": f"t-{other.pk}"})  # fmt: skip
        assert response.status_code == 400
        assert "Select a valid choice." in text_of(response)
    assert "Ipak" not in text_of(response)
    assert snapshot() == before


def test_cancelling_a_pending_payout_gives_the_money_back(seller, account):
    earned(seller, "1000000")
    client = client_for(seller)
    client.post(PAYOUTS, {"amount": "400000", "method": "bank_transfer", "bank_account": account.pk, "token": "t"})
    payout = Payout.objects.get()

    response = client.post(cancel_url(payout), follow=True)

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.CANCELLED
    assert balance_of(seller) == Decimal("1000000.00")
    page = text_of(response)
    assert 'data-testid="payout-cancel"' not in page and 'data-status="cancelled"' in page
    assert any("is back in your wallet" in m for m in messages_of(response))


def test_a_payout_on_its_way_cannot_be_cancelled(seller, account):
    payout = PayoutFactory(seller=seller, bank_account=account, status=PayoutStatus.PROCESSING)
    before = snapshot()

    response = client_for(seller).post(cancel_url(payout), follow=True)

    assert "Only a payout that has not started can be cancelled." in messages_of(response)
    assert snapshot() == before


def test_another_sellers_payout_and_accounts_are_404_and_nothing_changes(seller, account):
    other = with_wallet(SellerFactory())
    earned(other, "1000000")
    client_for(other).post(PAYOUTS, {"amount": "400000", "method": "cash", "token": "t"})
    their_payout = Payout.objects.get()
    their_account = BankAccountFactory(user=other, is_default=True)
    client = client_for(seller)
    before = snapshot()

    assert client.post(cancel_url(their_payout)).status_code == 404
    assert client.post(default_url(their_account)).status_code == 404
    assert client.post(delete_url(their_account)).status_code == 404
    assert client.post("/seller/finance/payouts/999999999/cancel/").status_code == 404
    page = text_of(client.get(FINANCE))
    assert f'data-payout-id="{their_payout.pk}"' not in page and f'data-account-id="{their_account.pk}"' not in page
    assert snapshot() == before
    assert balance_of(other) == Decimal("600000.00")


# --- bank accounts --------------------------------------------------------------------------------
def test_an_added_bank_account_is_shown_masked_and_never_in_full(seller):
    client = client_for(seller)

    response = client.post(
        ACCOUNTS,
        {"bank_name": "Ipoteka-bank", "account_holder_name": "Aziz Savdo",
         "account_number": "2020 8000 9055 1234 5678", "routing_number": "00873"},
        follow=True,
    )  # fmt: skip

    account = BankAccount.objects.get()
    assert crypto.decrypt(account.account_number) == PLAIN_NUMBER
    assert account.is_default and not account.is_verified
    assert response.redirect_chain[-1][0] == FINANCE + "#bank-accounts"
    content = response.content.decode()
    page = html.unescape(content)
    assert "•••• 5678" in page and "Waiting for verification" in page
    assert 'data-testid="bank-account-default"' in page
    assert PLAIN_NUMBER not in re.sub(r"\s", "", page)
    assert "2020 8000 9055 1234 5678" not in page and account.account_number not in page


def test_a_refused_bank_account_is_not_echoed_back_and_nothing_is_written(seller):
    before = snapshot()

    response = client_for(seller).post(
        ACCOUNTS, {"bank_name": "", "account_holder_name": "Aziz", "account_number": PLAIN_NUMBER}
    )

    assert response.status_code == 400
    page = text_of(response)
    assert "This field is required." in page
    assert PLAIN_NUMBER not in page
    assert snapshot() == before

    bad = client_for(seller).post(ACCOUNTS, {"bank_name": "Ipoteka", "account_holder_name": "Aziz",
                                             "account_number": "12-34"})  # fmt: skip
    assert bad.status_code == 400 and "8 to 34 letters and digits" in text_of(bad)
    assert snapshot() == before


def test_make_default_and_delete_a_bank_account(seller, account):
    second = BankAccountFactory(user=seller, is_default=False, bank_name="Hamkorbank")
    client = client_for(seller)

    response = client.post(default_url(second), follow=True)

    account.refresh_from_db()
    second.refresh_from_db()
    assert second.is_default and not account.is_default
    card = re.search(rf'data-account-id="{second.pk}".*?</article>', text_of(response), re.S).group(0)
    assert 'data-testid="bank-account-default"' in card and 'data-testid="bank-account-make-default"' not in card

    response = client.post(delete_url(second), follow=True)

    second.refresh_from_db()
    account.refresh_from_db()
    assert second.deleted_at is not None and account.is_default
    assert f'data-account-id="{second.pk}"' not in text_of(response)
    assert client.post(delete_url(second)).status_code == 404  # gone


def test_an_account_with_a_payout_on_its_way_is_not_deleted(seller, account):
    PayoutFactory(seller=seller, bank_account=account)
    before = snapshot()

    response = client_for(seller).post(delete_url(account), follow=True)

    assert any("A payout to this account is on its way" in m for m in messages_of(response))
    assert snapshot() == before


# --- "Pay now" on an unpaid card order -----------------------------------------------------------
@pytest.fixture
def card_order(buyer):
    return OrderFactory(buyer=buyer, payment_method=PaymentMethod.CARD)


def test_pay_now_is_offered_for_an_unpaid_card_order_and_goes_to_the_providers_page(buyer, card_order):
    client = client_for(buyer)
    assert 'data-testid="pay-now"' in text_of(client.get(order_url(card_order)))

    response = client.post(pay_url(card_order))

    payment = Payment.objects.get()
    assert (payment.purpose, payment.order_ids, payment.amount) == (
        PaymentPurpose.ORDERS, [card_order.pk], card_order.total_amount,
    )  # fmt: skip
    assert response.status_code == 302
    assert response.url == f"/payments/sandbox/{payment.token}/?return={order_url(card_order)}"
    # Pressing it again goes back to the same pending payment.
    assert client.post(pay_url(card_order)).url == response.url
    assert Payment.objects.count() == 1


def test_paying_on_the_sandbox_brings_the_buyer_back_to_the_paid_order(buyer, card_order):
    client = client_for(buyer)
    started = client.post(pay_url(card_order))

    back = client.post(started.url.split("?")[0], {"outcome": "approved", "return": order_url(card_order)},
                       follow=True)  # fmt: skip

    card_order.refresh_from_db()
    assert card_order.payment_status == PaymentStatus.PAID
    assert back.redirect_chain[-1][0] == order_url(card_order)
    assert 'data-testid="pay-now"' not in text_of(back)


def test_pay_now_for_another_buyers_order_is_a_404_and_nothing_changes(card_order, seller):
    before = snapshot()

    for user in (BuyerFactory(), card_order.seller):
        assert client_for(user).post(pay_url(card_order)).status_code == 404
    assert client_for(BuyerFactory()).post("/orders/GM-99999999/pay/").status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    "kind",
    ["cash", "paid", "cancelled", "wallet"],
)
def test_no_pay_now_for_orders_that_do_not_wait_for_a_card(buyer, kind):
    order = {
        "cash": lambda: OrderFactory(buyer=buyer),
        "paid": lambda: OrderFactory(buyer=buyer, paid=True),
        "cancelled": lambda: OrderFactory(buyer=buyer, payment_method=PaymentMethod.CARD, cancelled=True),
        "wallet": lambda: OrderFactory(buyer=buyer, payment_method=PaymentMethod.GOGOMONEY),
    }[kind]()
    client = client_for(buyer)
    assert 'data-testid="pay-now"' not in text_of(client.get(order_url(order)))
    before = snapshot()

    response = client.post(pay_url(order), follow=True)

    assert response.redirect_chain[-1][0] == order_url(order)
    assert "This order is not waiting for a card payment." in messages_of(response)
    assert snapshot() == before


def test_pay_now_is_post_only(buyer, card_order):
    assert client_for(buyer).get(pay_url(card_order)).status_code == 405


# --- queries per page -------------------------------------------------------------------------------
def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_wallet_page_runs_the_same_queries_for_3_and_40_movements(buyer, django_assert_max_num_queries):
    wallet = Wallet.objects.get(user=buyer)
    client = client_for(buyer)
    for _warm in range(2):  # the first requests adopt and touch the session row
        client.get(WALLET)
    for _ in range(3):
        WalletTransactionFactory(wallet=wallet, amount=Decimal("1000"))
    few = _queries(client, WALLET)
    for _ in range(37):
        WalletTransactionFactory(wallet=wallet, amount=Decimal("1000"))

    with django_assert_max_num_queries(few):
        response = client.get(WALLET)
    with django_assert_max_num_queries(few):
        client.get(WALLET + "?page=2")

    assert text_of(response).count('data-testid="wallet-entry"') == 20
    assert few <= 6, few


def test_the_finance_page_runs_the_same_queries_for_few_and_many_rows(seller, django_assert_max_num_queries):
    earned(seller, "100000000")
    client = client_for(seller)
    for _warm in range(2):
        client.get(FINANCE)

    def rows(n):
        for i in range(n):
            account = BankAccountFactory(user=seller, is_default=False, is_verified=i % 2 == 0)
            PayoutFactory(seller=seller, bank_account=account, status=PayoutStatus.COMPLETED, transaction_id=f"x{i}")
            PayoutFactory(seller=seller, bank_account=None, method=PayoutMethod.CASH)
            CommissionFactory(order__seller=seller)

    rows(2)
    few = _queries(client, FINANCE)
    rows(20)

    with django_assert_max_num_queries(few):
        response = client.get(FINANCE)

    page = text_of(response)
    assert page.count('data-testid="payout-row"') == 20
    assert page.count('data-testid="commission-row"') == 20
    assert page.count('data-testid="bank-account"') == 22
    assert few <= 10, few


def test_the_sandbox_page_never_returns_a_secure_buyer_to_plain_http(buyer):
    """Its "return" link follows gogomarket.core.redirects.safe_next."""
    client = client_for(buyer)
    started = client.post(TOPUP, {"amount": "120000", "token": "form-token-http"}, secure=True)
    page = started.url.split("?")[0]
    back = client.post(page, {"outcome": "declined", "return": "http://testserver/wallet/"}, secure=True)
    assert back.status_code == 302 and back.url == "/"
    elsewhere = client.post(page, {"outcome": "declined", "return": "/\\evil.example/"}, secure=True)
    assert elsewhere.url == "/"
