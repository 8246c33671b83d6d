"""The back office of money for the accounting sub-role: the ledger is shown and never written
by hand, the money totals page sums a period (a bad period is a form error, not a crash),
payouts are approved or cancelled and bank accounts verified through the services, bank
transfers are confirmed on the order; other sub-roles are kept out with nothing changed, and a
bank account number is never on a page in full."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import constants
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import AdminRoleType
from accounts.tests.factories import BuyerFactory, SellerFactory, StaffFactory
from finance.enums import PayoutMethod, PayoutStatus, TransactionType
from finance.models import (
    BankAccount,
    Payment,
    PaymentPurpose,
    PaymentRefund,
    Payout,
    RefundState,
    Wallet,
    WalletTransaction,
)
from finance.providers import RefundResult, SandboxPaymentProvider
from finance.services.ledger import ledger_check, wallet_for, wallet_post
from finance.services.payments import payment_callback, topup_start
from finance.services.payouts import bank_account_add, bank_account_verify, payout_request
from finance.tests.factories import PaymentFactory, PaymentRefundFactory
from gogomarket.core.models import AuditLog
from gogomarket.core.money import format_uzs
from orders.enums import PaymentMethod, PaymentStatus
from orders.models import Order, OrderStatusHistory
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

NUMBER = "20208000123456789012"
REFUSED_NUMBER = "20208000123456780000"  # the sandbox bank refuses numbers ending in 0000
LEDGER = reverse("admin:finance_wallettransaction_changelist")
TOTALS = reverse("admin:finance_money_totals")
PAYOUTS = reverse("admin:finance_payout_changelist")
ACCOUNTS = reverse("admin:finance_bankaccount_changelist")
ORDERS = reverse("admin:orders_order_changelist")
REFUNDS = reverse("admin:finance_paymentrefund_changelist")


def text_of(response):
    return html.unescape(response.content.decode())


def messages_after(response):
    return [(m.level, str(m)) for m in response.context["messages"]]


def run_action(client, changelist, action, rows):
    data = {"action": action, "_selected_action": [row.pk for row in rows], "index": 0}
    return client.post(changelist, data, follow=True)


def staff_client(role_type, **role):
    staff = StaffFactory(role_type=role_type, **{f"admin_role__{k}": v for k, v in role.items()})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    client.staff = staff
    return client


@pytest.fixture
def accounting():
    return staff_client(AdminRoleType.ACCOUNTING)


def money_snapshot():
    return {
        "wallets": list(Wallet.objects.order_by("pk").values_list("pk", "balance")),
        "ledger": list(WalletTransaction.objects.order_by("pk").values()),
        "payouts": list(Payout.objects.order_by("pk").values()),
        "accounts": list(BankAccount.objects.order_by("pk").values()),
        "orders": list(Order.objects.order_by("pk").values()),
        "audit": list(AuditLog.objects.order_by("pk").values_list("pk", flat=True)),
    }


def _seller_account(number=NUMBER, verified=True):
    seller = SellerFactory()
    account = bank_account_add(user=seller, bank_name="Kapitalbank", account_holder_name="Aziz Karimov",
                               account_number=number)  # fmt: skip
    if verified:
        bank_account_verify(account=account, actor=StaffFactory(role_type=AdminRoleType.ACCOUNTING))
    return seller, account


def _payout(number=NUMBER, amount=Decimal("200000")):
    seller, account = _seller_account(number)
    wallet_post(wallet=wallet_for(seller), type=TransactionType.DEPOSIT, amount=Decimal("500000"),
                reference_type="commission", reference_id=seller.pk)  # fmt: skip
    payout, _replayed = payout_request(seller=seller, amount=amount, bank_account_id=account.pk)
    return payout


def _topup(user, amount):
    payment, _url, _replayed = topup_start(user=user, amount=amount)
    signed = SandboxPaymentProvider().sign(
        {"token": payment.token, "outcome": "approved", "amount": payment.amount, "reference": f"r{payment.pk}"}
    )
    return payment_callback(signed)


# --- the ledger: shown, never written by hand --------------------------------------------------------------
def test_accounting_sees_the_ledger_with_a_link_to_the_totals(accounting):
    buyer = BuyerFactory()
    _topup(buyer, "125000")

    response = accounting.get(LEDGER)

    assert response.status_code == 200
    page = text_of(response)
    assert format_uzs(Decimal("125000")) in page
    assert f'href="{TOTALS}"' in page and "Money totals" in page


def test_nobody_adds_changes_or_deletes_a_ledger_row(accounting):
    _topup(BuyerFactory(), "125000")
    entry = WalletTransaction.objects.get()
    before = money_snapshot()

    assert accounting.get(reverse("admin:finance_wallettransaction_add")).status_code == 403
    assert accounting.post(reverse("admin:finance_wallettransaction_add"), {"amount": "1"}).status_code == 403
    change = reverse("admin:finance_wallettransaction_change", args=[entry.pk])
    response = accounting.get(change)
    assert response.status_code == 200  # shown read-only
    assert 'name="amount"' not in response.content.decode()
    assert accounting.post(change, {"amount": "999999", "balance_after": "999999"}).status_code == 403
    delete = reverse("admin:finance_wallettransaction_delete", args=[entry.pk])
    assert accounting.post(delete, {"post": "yes"}).status_code == 403
    response = accounting.post(LEDGER, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert response.status_code in (200, 302)  # no such action: the list is shown again
    wallet = reverse("admin:finance_wallet_change", args=[entry.wallet_id])
    assert accounting.post(wallet, {"balance": "999999"}).status_code == 403
    assert money_snapshot() == before


# --- money totals ----------------------------------------------------------------------------------------
def test_the_totals_page_sums_the_period(accounting):
    buyer = BuyerFactory()
    _topup(buyer, "300000")
    _topup(buyer, "200000.50")
    wallet_post(wallet=wallet_for(buyer), type=TransactionType.PURCHASE, amount=Decimal("-120000"),
                reference_type="order", reference_id=1)  # fmt: skip
    today = timezone.localdate()

    response = accounting.get(TOTALS, {"start": today - timedelta(days=6), "end": today, "period": "week"})

    assert response.status_code == 200
    assert response.templates[0].name == "admin/finance/money_totals.html"
    assert response.context["period"] == "week"
    assert response.context["form"].is_valid()
    grand = dict(zip([name for name, _title in response.context["columns"]], response.context["grand"], strict=True))
    assert grand["topups"] == Decimal("500000.50")
    assert grand["wallet_purchases"] == Decimal("120000")
    page = text_of(response)
    assert "Top-ups by card" in page and format_uzs(Decimal("500000.50")) in page
    assert format_uzs(Decimal("120000")) in page

    # Only the end given: the 30 days up to it.
    response = accounting.get(TOTALS, {"end": today})
    assert response.context["form"].cleaned_data["start"] == today - timedelta(days=29)
    assert response.context["grand"][0] == Decimal("500000.50")

    # A period before any of it: nothing moved.
    response = accounting.get(TOTALS, {"start": "2020-01-01", "end": "2020-01-31", "period": "month"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "No money moved in this period." in text_of(response)


def test_the_totals_page_opens_on_the_last_30_days(accounting):
    _topup(BuyerFactory(), "50000")

    response = accounting.get(TOTALS)

    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert form.initial["end"] == timezone.localdate()
    assert form.initial["start"] == timezone.localdate() - timedelta(days=29)
    assert response.context["grand"][0] == Decimal("50000")


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"start": "not-a-date"}, "start", "Enter a valid date."),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "start", "Enter a valid date."),
        ({"start": "2026-03-10", "end": "2026-03-01"}, "__all__", "The start is after the end."),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "__all__", "Choose at most three years."),
        ({"period": "year"}, "period", "Select a valid choice. year is not one of the available choices."),
        ({"start": "99999-01-01"}, "start", "Enter a valid date."),
        ({"end": "9999-12-31"}, "end", "Enter a valid date."),  # was a 500 (OverflowError)
        ({"start": "9999-12-01", "end": "9999-12-31"}, "end", "Enter a valid date."),
        ({"start": "1900-01-01"}, "__all__", "Choose at most three years."),  # up to today
    ],
)
def test_a_bad_period_is_a_form_error_not_a_crash(accounting, params, field, message):
    response = accounting.get(TOTALS, params)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in text_of(response)


# --- payouts ----------------------------------------------------------------------------------------------
def test_approving_payouts_sends_them_through_the_provider(accounting):
    sent, refused = _payout(NUMBER), _payout(REFUSED_NUMBER)

    response = run_action(accounting, PAYOUTS, "approve", [sent, refused])

    assert response.status_code == 200
    sent.refresh_from_db()
    refused.refresh_from_db()
    assert (sent.status, sent.transaction_id) == (PayoutStatus.COMPLETED, f"sandbox-payout-{sent.pk}")
    assert refused.status == PayoutStatus.FAILED
    assert wallet_for(sent.seller).balance == Decimal("300000")
    assert wallet_for(refused.seller).balance == Decimal("500000")  # the hold is back
    staff = accounting.staff
    assert AuditLog.objects.filter(action="payout.completed", entity_id=sent.pk, user_id=staff.pk).exists()
    assert AuditLog.objects.filter(action="payout.failed", entity_id=refused.pk, user_id=staff.pk).exists()
    assert messages_after(response) == [
        (constants.WARNING, f"{refused}: the payout provider refused it; the money is back in the wallet."),
        (constants.SUCCESS, "1 payouts sent."),
    ]
    assert ledger_check() == []


def test_approving_a_payout_that_is_done_changes_nothing(accounting):
    payout = _payout()
    run_action(accounting, PAYOUTS, "approve", [payout])
    before = money_snapshot()

    response = run_action(accounting, PAYOUTS, "approve", [payout])

    assert messages_after(response) == [(constants.WARNING, f"{payout}: it is Completed.")]
    assert money_snapshot() == before


def test_approving_a_payout_another_worker_is_sending_does_not_send_it_again(accounting):
    payout = _payout()
    Payout.objects.filter(pk=payout.pk).update(status=PayoutStatus.PROCESSING)  # the job took it a moment ago
    before = money_snapshot()

    response = run_action(accounting, PAYOUTS, "approve", [payout])

    assert messages_after(response) == [
        (constants.WARNING, f"{payout}: it is being sent already; its result will show here.")
    ]
    assert money_snapshot() == before


def test_approving_a_cash_payout_completes_it(accounting):
    seller = SellerFactory()
    wallet_post(wallet=wallet_for(seller), type=TransactionType.DEPOSIT, amount=Decimal("80000"),
                reference_type="commission", reference_id=seller.pk)  # fmt: skip
    payout, _replayed = payout_request(seller=seller, amount=Decimal("50000"), method=PayoutMethod.CASH)

    response = run_action(accounting, PAYOUTS, "approve", [payout])

    payout.refresh_from_db()
    assert (payout.status, payout.transaction_id) == (PayoutStatus.COMPLETED, f"cash-{payout.pk}")
    assert wallet_for(seller).balance == Decimal("30000")
    assert messages_after(response) == [(constants.SUCCESS, "1 payouts sent.")]


def test_cancelling_a_payout_returns_the_hold(accounting):
    payout = _payout()
    assert wallet_for(payout.seller).balance == Decimal("300000")

    response = run_action(accounting, PAYOUTS, "cancel", [payout])

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.CANCELLED
    assert wallet_for(payout.seller).balance == Decimal("500000")
    back = WalletTransaction.objects.get(type=TransactionType.REFUND, reference_type="payout", reference_id=payout.pk)
    assert back.amount == Decimal("200000")
    assert messages_after(response) == [(constants.SUCCESS, "1 payouts cancelled.")]
    # Cancelled once: a second cancel is refused and moves nothing.
    before = money_snapshot()
    response = run_action(accounting, PAYOUTS, "cancel", [payout])
    assert messages_after(response) == [
        (constants.WARNING, f"{payout}: Only a payout that has not started can be cancelled.")
    ]
    assert money_snapshot() == before
    assert ledger_check() == []


def test_the_payout_and_bank_account_pages_change_nothing_by_hand(accounting):
    payout = _payout()
    before = money_snapshot()

    for path in (
        reverse("admin:finance_payout_change", args=[payout.pk]),
        reverse("admin:finance_bankaccount_change", args=[payout.bank_account_id]),
    ):
        page = accounting.get(path)
        assert page.status_code == 200, path  # shown read-only, without a save button
        assert 'name="_save"' not in page.content.decode(), path
        # Saving it would write back what was read a moment before (a lost update): refused.
        response = accounting.post(path, {"status": "completed", "amount": "1", "is_verified": ""})
        assert response.status_code == 403, path
    assert accounting.get(reverse("admin:finance_payout_add")).status_code == 403
    assert accounting.post(reverse("admin:finance_payout_delete", args=[payout.pk]), {"post": "yes"}).status_code == 403
    assert money_snapshot() == before


# --- bank accounts --------------------------------------------------------------------------------------
def test_verifying_bank_accounts(accounting):
    _seller, account = _seller_account(verified=False)

    response = run_action(accounting, ACCOUNTS, "verify", [account])

    account.refresh_from_db()
    assert account.is_verified
    assert AuditLog.objects.filter(action="bank_account.verify", entity_id=account.pk,
                                   user_id=accounting.staff.pk).count() == 1  # fmt: skip
    assert messages_after(response) == [(constants.SUCCESS, "1 accounts verified.")]


def test_an_account_number_is_shown_masked_on_every_admin_page(accounting):
    payout = _payout(NUMBER)
    account = payout.bank_account
    pages = [
        ACCOUNTS,
        reverse("admin:finance_bankaccount_change", args=[account.pk]),
        PAYOUTS,
        reverse("admin:finance_payout_change", args=[payout.pk]),
        reverse("admin:core_auditlog_changelist"),
    ]
    super_admin = staff_client(AdminRoleType.SUPER_ADMIN)
    for path in pages:
        client = super_admin if "auditlog" in path else accounting
        response = client.get(path)
        assert response.status_code == 200, path
        page = text_of(response)
        assert NUMBER not in page and NUMBER[-8:] not in page, path
        if "auditlog" not in path:
            assert "•••• 9012" in page, path


# --- card refunds ------------------------------------------------------------------------------------------
@pytest.fixture
def provider_refunds(monkeypatch):
    """The card provider's refunds: answers ``state.answer`` (the sandbox's own by default)."""
    real = SandboxPaymentProvider.refund
    state = type("State", (), {"answer": None, "calls": []})()

    def refund(self, payment, amount, key):
        state.calls.append(key)
        return state.answer or real(self, payment, amount, key)

    monkeypatch.setattr(SandboxPaymentProvider, "refund", refund)
    return state


def test_accounting_sends_a_failed_card_refund_again(accounting, provider_refunds):
    payment = PaymentFactory(succeeded=True, purpose=PaymentPurpose.ORDERS, amount=Decimal("100000"))
    failed = PaymentRefundFactory(payment=payment, amount=Decimal("40000"), state=RefundState.FAILED,
                                  provider_reference=None, failure_reason="the bank is offline")  # fmt: skip
    pending = PaymentRefundFactory(payment=payment, pending=True, amount=Decimal("10000"))
    done = PaymentRefundFactory(payment=payment, amount=Decimal("5000"))
    assert accounting.get(REFUNDS, {"state__exact": "failed"}).status_code == 200
    page = accounting.get(reverse("admin:finance_paymentrefund_change", args=[failed.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert accounting.get(reverse("admin:finance_paymentrefund_add")).status_code == 403

    response = run_action(accounting, REFUNDS, "send_again", [failed, pending, done])

    assert messages_after(response) == [
        (constants.WARNING, f"{PaymentRefund.objects.get(pk=done.pk)}: It is refunded already."),
        (constants.SUCCESS, "2 refunds sent."),
    ]
    # a new request to the provider for the refused one (not a replay of its refusal), the same for the other
    assert provider_refunds.calls == [f"{failed.key}#2", pending.key]
    assert set(PaymentRefund.objects.values_list("state", flat=True)) == {RefundState.SUCCEEDED}
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("55000")
    (again,) = AuditLog.objects.filter(action="payment.refund_again", entity_id=payment.pk)
    assert (again.user_id, again.new_values["refund"], again.old_values["failure"]) == (
        accounting.staff.pk, failed.pk, "the bank is offline",
    )  # fmt: skip
    assert AuditLog.objects.filter(action="payment.refund", user_id=accounting.staff.pk).count() == 2


def test_a_card_refund_refused_again_is_failed_again_and_nothing_stays_counted(accounting, provider_refunds):
    payment = PaymentFactory(succeeded=True, purpose=PaymentPurpose.ORDERS, amount=Decimal("100000"))
    failed = PaymentRefundFactory(payment=payment, amount=Decimal("40000"), state=RefundState.FAILED,
                                  provider_reference=None, failure_reason="the bank is offline")  # fmt: skip
    provider_refunds.answer = RefundResult(ok=False, reason="card closed")

    response = run_action(accounting, REFUNDS, "send_again", [failed])

    failed.refresh_from_db()
    assert (failed.state, failed.failure_reason, failed.attempts) == (RefundState.FAILED, "card closed", 2)
    assert messages_after(response) == [
        (constants.WARNING, f"{failed}: the card provider refused it: card closed"),
    ]
    assert Payment.objects.get(pk=payment.pk).refunded_amount == 0


def test_a_failed_card_refund_is_not_sent_again_beyond_what_is_left(accounting, provider_refunds):
    payment = PaymentFactory(succeeded=True, purpose=PaymentPurpose.ORDERS, amount=Decimal("100000"))
    failed = PaymentRefundFactory(payment=payment, amount=Decimal("40000"), state=RefundState.FAILED,
                                  provider_reference=None)  # fmt: skip
    PaymentRefundFactory(payment=payment, amount=Decimal("70000"))
    before = (list(PaymentRefund.objects.order_by("pk").values()), Payment.objects.filter(pk=payment.pk).values().get())

    response = run_action(accounting, REFUNDS, "send_again", [failed])

    assert messages_after(response) == [
        (constants.WARNING, f"{failed}: That is more than what is left of this payment."),
    ]
    assert provider_refunds.calls == []
    assert (
        list(PaymentRefund.objects.order_by("pk").values()),
        Payment.objects.filter(pk=payment.pk).values().get(),
    ) == before


# --- bank transfer orders -----------------------------------------------------------------------------
def test_bank_transfer_received_marks_the_order_paid(accounting):
    order = OrderFactory(payment_method=PaymentMethod.BANK_TRANSFER)
    card = OrderFactory(payment_method=PaymentMethod.CARD)
    card_before = Order.objects.filter(pk=card.pk).values().get()

    response = run_action(accounting, ORDERS, "bank_transfer_received", [order, card])

    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PAID
    history = OrderStatusHistory.objects.get(order=order)
    assert (history.changed_by, history.text) == (accounting.staff, "Bank transfer received.")
    assert AuditLog.objects.filter(action="order.bank_transfer_confirm", entity_id=order.pk).count() == 1
    assert Order.objects.filter(pk=card.pk).values().get() == card_before
    assert not OrderStatusHistory.objects.filter(order=card).exists()
    assert messages_after(response) == [
        (constants.WARNING, f"{card.order_number}: This order is not paid by bank transfer."),
        (constants.SUCCESS, "1 orders marked paid."),
    ]
    # Confirmed once: again it is refused.
    response = run_action(accounting, ORDERS, "bank_transfer_received", [order])
    assert messages_after(response) == [
        (constants.WARNING, f"{order.order_number}: This order is not waiting for a payment.")
    ]
    assert OrderStatusHistory.objects.filter(order=order).count() == 1


# --- other sub-roles ------------------------------------------------------------------------------------
@pytest.mark.parametrize("role_type", [AdminRoleType.TECHNICAL_ACCESS, AdminRoleType.ROLE_MANAGER], ids=str)
def test_staff_of_another_sub_role_is_kept_out_with_nothing_changed(role_type):
    client = staff_client(role_type)
    payout = _payout()
    _seller, account = _seller_account(verified=False)
    order = OrderFactory(payment_method=PaymentMethod.BANK_TRANSFER)
    before = money_snapshot()

    refund = PaymentRefundFactory(state=RefundState.FAILED, provider_reference=None)
    before = {**before, "refunds": list(PaymentRefund.objects.values())}
    for path in (LEDGER, TOTALS, PAYOUTS, ACCOUNTS, ORDERS, REFUNDS,
                 reverse("admin:finance_payout_change", args=[payout.pk])):  # fmt: skip
        assert client.get(path).status_code == 403, path
    assert client.get(TOTALS, {"start": "2026-01-01", "end": "2026-01-31"}).status_code == 403
    for changelist, action, row in [
        (PAYOUTS, "approve", payout), (PAYOUTS, "cancel", payout), (ACCOUNTS, "verify", account),
        (ORDERS, "bank_transfer_received", order), (REFUNDS, "send_again", refund),
    ]:  # fmt: skip
        response = client.post(changelist, {"action": action, "_selected_action": [row.pk], "index": 0})
        assert response.status_code == 403, action
    assert {**money_snapshot(), "refunds": list(PaymentRefund.objects.values())} == before


def test_accounting_without_payouts_cannot_approve_them():
    client = staff_client(AdminRoleType.ACCOUNTING, permissions={"deny": ["finance.change_payout"]})
    payout = _payout()
    before = money_snapshot()

    assert client.get(PAYOUTS).status_code == 200  # may still look
    response = client.post(PAYOUTS, {"action": "approve", "_selected_action": [payout.pk], "index": 0}, follow=True)

    assert response.status_code == 200
    assert response.context["action_form"] is None  # no action is offered (approve, cancel need "change")
    assert money_snapshot() == before


def test_buyers_and_sellers_are_sent_to_the_login_page():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(SellerFactory())
    for path in (LEDGER, TOTALS, PAYOUTS):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
