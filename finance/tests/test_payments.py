"""Rules of money coming in and going back (finance.services.payments, finance.order_payments):
card top-ups through the provider's signed callbacks, orders paid from the wallet, by card or by
bank transfer at checkout, unpaid card orders expiring, and refunds going back where the money
came from, once. Only the outside world (the card provider's refund) is replaced, at its adapter;
everything else runs against the real database."""

import threading
import time
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.enums import AdminRoleType
from accounts.tests.factories import BuyerFactory, StaffFactory
from catalog.models import Product
from catalog.tests.factories import ProductFactory
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory
from finance.enums import TransactionType
from finance.models import Payment, PaymentPurpose, PaymentRefund, PaymentState, RefundState, Wallet, WalletTransaction
from finance.order_payments import bank_transfer_confirm
from finance.providers import CallbackInvalid, RefundResult, SandboxPaymentProvider
from finance.selectors import payment_for_order
from finance.services.ledger import ledger_check, wallet_for, wallet_post
from finance.services.payments import (
    card_payment_resume,
    payment_callback,
    payment_refund,
    refund_send,
    refund_send_again,
    refunds_retry,
    topup_start,
)
from finance.tasks import retry_refunds
from finance.tests.factories import PaymentFactory, PaymentRefundFactory
from gogomarket.core.enums import SettingType
from gogomarket.core.models import AuditLog, IdempotencyKey
from gogomarket.core.services import IdempotencyConflict, setting_set
from orders import services
from orders.enums import OrderStatus, PaymentMethod, PaymentStatus
from orders.models import CartItem, Order, OrderStatusHistory
from orders.services.expiry import unpaid_orders_expire
from orders.tests.factories import OrderFactory, buyer_with_address, seller_with_pickup

pytestmark = pytest.mark.django_db

D = Decimal
SANDBOX = SandboxPaymentProvider()


# --- helpers ------------------------------------------------------------------------------------
def _callback(payment, outcome="approved", **changes):
    """The provider's signed callback for ``payment`` (what the sandbox bank page posts)."""
    fields = {"token": payment.token, "outcome": outcome, "amount": payment.amount, "reference": "bank-77"}
    fields.update(changes)
    return SANDBOX.sign(fields)


def _pay(payment, outcome="approved"):
    return payment_callback(_callback(payment, outcome))


def _balance(user):
    return Wallet.objects.filter(user=user).values_list("balance", flat=True).first() or D("0")


def _rows(user):
    return list(
        WalletTransaction.objects.filter(wallet__user=user)
        .order_by("pk")
        .values_list("type", "amount", "reference_type", "reference_id")
    )


def _fund(user, amount):
    wallet_post(wallet=wallet_for(user), type=TransactionType.DEPOSIT, amount=D(amount))


def _stock(*products):
    return [Product.objects.values_list("stock_quantity", flat=True).get(pk=p.pk) for p in products]


def _order(order):
    return Order.objects.values_list("status", "payment_status").get(pk=order.pk)


@pytest.fixture
def refunds(monkeypatch):
    """The card provider's refunds, recorded (the sandbox still answers); ``refunds.answer`` set to
    a RefundResult makes the provider answer that instead."""
    calls = []
    real = SandboxPaymentProvider.refund
    state = SimpleNamespace(calls=calls, answer=None)

    def refund(self, payment, amount, key):
        calls.append((payment.pk, amount, key))
        return state.answer or real(self, payment, amount, key)

    monkeypatch.setattr(SandboxPaymentProvider, "refund", refund)
    return state


# --- a shop: two sellers at the same pickup point, a buyer at home in the zone ---------------------
@pytest.fixture
def shop():
    zone = DeliveryZoneFactory()
    DeliveryTariffFactory(zone=zone)
    seller_a, seller_b = seller_with_pickup(), seller_with_pickup()
    buyer, address = buyer_with_address()
    kettle = ProductFactory(seller=seller_a, base_price=D("100000"), stock_quantity=10)
    iron = ProductFactory(seller=seller_b, base_price=D("100000"), stock_quantity=10)
    return SimpleNamespace(buyer=buyer, address=address, kettle=kettle, iron=iron)


def _fill(shop, *lines):
    cart = services.cart_for_user(shop.buyer)
    for product, quantity in lines or ((shop.kettle, 2),):
        services.cart_add(cart=cart, product_id=product.pk, variant_id=None, quantity=quantity)
    return cart


def _total(shop):
    """What the buyer's cart costs with delivery (checkout's own plan)."""
    cart = services.cart_for_user(shop.buyer)
    return services.checkout_plan(buyer=shop.buyer, cart=cart, address=shop.address).total


def _checkout(shop, method, key=""):
    return services.checkout_place(
        buyer=shop.buyer, address_id=shop.address.pk, payment_method=method, idempotency_key=key
    )


def _place(shop, method, *lines):
    _fill(shop, *lines)
    orders, _replayed, redirect_url = _checkout(shop, method)
    return orders, redirect_url


def _cancel(order):
    return services.order_transition(order=order, action="cancel", actor=order.buyer)


# === top-ups ======================================================================================
@pytest.mark.parametrize(
    "amount",
    [
        settings.TOPUP_MIN - D("0.01"),
        settings.TOPUP_MAX + D("0.01"),
        "0",
        "-5000",
        "abc",
        "",
        None,
        "1 000",
        "NaN",
        "Infinity",
        "1e400",
    ],
)
def test_a_top_up_out_of_range_or_not_an_amount_is_refused_and_writes_nothing(amount):
    buyer = BuyerFactory()

    with pytest.raises(ValidationError) as error:
        topup_start(user=buyer, amount=amount, idempotency_key="k-1")

    assert "amount" in error.value.message_dict
    assert not Payment.objects.exists()
    assert not IdempotencyKey.objects.exists()
    assert not AuditLog.objects.filter(action="wallet.topup_start").exists()


def test_the_smallest_and_largest_top_ups_are_accepted():
    buyer = BuyerFactory()

    topup_start(user=buyer, amount=settings.TOPUP_MIN)
    topup_start(user=buyer, amount=str(settings.TOPUP_MAX))

    assert sorted(Payment.objects.values_list("amount", flat=True)) == [settings.TOPUP_MIN, settings.TOPUP_MAX]


def test_a_top_up_makes_a_pending_payment_and_moves_no_money_yet():
    buyer = BuyerFactory()

    payment, url, replayed = topup_start(user=buyer, amount="150000", idempotency_key="k-1")

    assert replayed is False
    payment.refresh_from_db()
    assert (payment.user_id, payment.purpose, payment.amount, payment.state, payment.provider) == (
        buyer.pk, PaymentPurpose.TOPUP, D("150000.00"), PaymentState.PENDING, "sandbox",
    )  # fmt: skip
    assert url.startswith(reverse("finance:sandbox_page", args=[payment.token]))
    assert _balance(buyer) == 0 and _rows(buyer) == []
    assert AuditLog.objects.filter(action="wallet.topup_start", entity_id=payment.pk, user=buyer).count() == 1


def test_the_same_key_again_returns_the_first_payment():
    buyer = BuyerFactory()
    first, first_url, _ = topup_start(user=buyer, amount="150000", idempotency_key="k-1")

    again, again_url, replayed = topup_start(user=buyer, amount="150000.00", idempotency_key="k-1")

    assert replayed is True
    assert (again.pk, again_url) == (first.pk, first_url)
    assert Payment.objects.count() == 1
    # Another buyer's key of the same text is theirs.
    other, _url, other_replayed = topup_start(user=BuyerFactory(), amount="150000", idempotency_key="k-1")
    assert other.pk != first.pk and other_replayed is False


def test_the_same_key_with_another_amount_is_refused_and_writes_nothing():
    buyer = BuyerFactory()
    first, _url, _ = topup_start(user=buyer, amount="150000", idempotency_key="k-1")

    with pytest.raises(IdempotencyConflict):
        topup_start(user=buyer, amount="200000", idempotency_key="k-1")

    assert list(Payment.objects.values_list("pk", "amount")) == [(first.pk, D("150000.00"))]
    assert IdempotencyKey.objects.count() == 1
    assert AuditLog.objects.filter(action="wallet.topup_start").count() == 1


def test_an_approved_callback_credits_the_wallet_once():
    buyer = BuyerFactory()
    payment, _url, _ = topup_start(user=buyer, amount="150000")

    _pay(payment)
    _pay(payment)  # the provider repeats its callback
    _pay(payment, "declined")  # ... or a late, contradicting one

    payment.refresh_from_db()
    assert (payment.state, payment.provider_reference) == (PaymentState.SUCCEEDED, "bank-77")
    assert _rows(buyer) == [("deposit", D("150000.00"), "payment", payment.pk)]
    assert _balance(buyer) == D("150000.00")
    assert AuditLog.objects.filter(action="payment.succeeded", entity_id=payment.pk).count() == 1
    assert ledger_check() == []


def test_a_declined_callback_credits_nothing_and_marks_the_payment_failed():
    buyer = BuyerFactory()
    payment, _url, _ = topup_start(user=buyer, amount="150000")

    _pay(payment, "declined")
    _pay(payment, "declined")  # repeated

    payment.refresh_from_db()
    assert payment.state == PaymentState.FAILED
    assert payment.failure_reason == "declined by the card holder"
    assert _rows(buyer) == [] and _balance(buyer) == 0
    assert AuditLog.objects.filter(action="payment.declined", entity_id=payment.pk).count() == 1


@pytest.mark.parametrize("settled", [PaymentState.FAILED, PaymentState.CANCELLED])
def test_an_approval_after_a_decline_or_a_cancel_is_applied_once_the_provider_charged(settled):
    # The provider's word on a charge is final: a late (or reordered) approval credits the wallet.
    buyer = BuyerFactory()
    payment, _url, _ = topup_start(user=buyer, amount="150000")
    if settled == PaymentState.FAILED:
        _pay(payment, "declined")
    else:
        Payment.objects.filter(pk=payment.pk).update(state=PaymentState.CANCELLED)

    _pay(payment)
    _pay(payment)  # repeated
    _pay(payment, "declined")  # and contradicted: the charge stands

    payment.refresh_from_db()
    assert (payment.state, payment.provider_reference) == (PaymentState.SUCCEEDED, "bank-77")
    assert _rows(buyer) == [("deposit", D("150000.00"), "payment", payment.pk)]
    (late,) = AuditLog.objects.filter(action="payment.late_approval", entity_id=payment.pk)
    assert (late.old_values, late.new_values["state"]) == ({"state": settled}, PaymentState.SUCCEEDED)
    assert AuditLog.objects.filter(action="payment.succeeded", entity_id=payment.pk).count() == 1
    assert not PaymentRefund.objects.exists()
    assert ledger_check() == []


def test_a_late_approval_for_another_amount_is_refused_and_changes_nothing():
    buyer = BuyerFactory()
    payment, _url, _ = topup_start(user=buyer, amount="150000")
    _pay(payment, "declined")

    with pytest.raises(CallbackInvalid):
        payment_callback(_callback(payment, amount=D("1000.00")))

    payment.refresh_from_db()
    assert payment.state == PaymentState.FAILED and _rows(buyer) == []


def test_a_second_approval_under_another_reference_is_a_second_charge_refunded_in_full(
    refunds, django_capture_on_commit_callbacks
):
    buyer = BuyerFactory()
    payment, _url, _ = topup_start(user=buyer, amount="150000")
    _pay(payment)

    with django_capture_on_commit_callbacks(execute=True):
        payment_callback(_callback(payment, reference="bank-78"))  # the card charged again
    with django_capture_on_commit_callbacks(execute=True):
        payment_callback(_callback(payment, reference="bank-78"))  # that callback repeated
        payment_callback(_callback(payment, "declined", reference="bank-79"))  # a decline: nothing

    payment.refresh_from_db()
    # The payment itself stands: credited once, nothing of it counted as refunded.
    assert (payment.state, payment.provider_reference, payment.refunded_amount) == (
        PaymentState.SUCCEEDED, "bank-77", D("0"),
    )  # fmt: skip
    assert _rows(buyer) == [("deposit", D("150000.00"), "payment", payment.pk)]
    (refund,) = PaymentRefund.objects.all()
    assert (refund.key, refund.amount, refund.state, refund.charge_reference) == (
        "late-bank-78", D("150000.00"), RefundState.SUCCEEDED, "bank-78",
    )  # fmt: skip
    assert refunds.calls == [(payment.pk, D("150000.00"), "late-bank-78")]
    assert AuditLog.objects.filter(action="payment.second_charge", entity_id=payment.pk).count() == 1


def test_a_second_charge_of_a_payment_refunded_already_is_refunded_too(
    shop, refunds, django_capture_on_commit_callbacks
):
    # refunded_amount is at the payment's amount: the second charge does not count there.
    (order,), _url = _place(shop, PaymentMethod.CARD)
    payment = Payment.objects.get()
    _pay(payment)
    with django_capture_on_commit_callbacks(execute=True):
        _cancel(order)
    payment.refresh_from_db()
    assert payment.state == PaymentState.REFUNDED

    with django_capture_on_commit_callbacks(execute=True):
        payment_callback(_callback(payment, reference="bank-78"))

    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, payment.amount)
    assert [key for _p, _a, key in refunds.calls] == [f"order-{order.pk}", "late-bank-78"]
    assert set(PaymentRefund.objects.values_list("state", flat=True)) == {RefundState.SUCCEEDED}


def _unsigned(payment):
    data = _callback(payment)
    del data["signature"]
    return data


@pytest.mark.parametrize(
    "forge",
    [
        _unsigned,
        lambda p: {**_callback(p), "signature": "0" * 64},
        lambda p: {**_callback(p), "signature": "ü" * 64},  # not even ASCII
        lambda p: {**_callback(p, "declined"), "outcome": "approved"},  # tampered after signing
        lambda p: {**_callback(p), "amount": "15000000.00"},
        lambda p: {**_callback(p), "token": p.token + "x"},
        lambda p: _callback(p, "maybe"),  # signed, but no outcome we know
        lambda p: _callback(p, amount="lots"),  # signed, but not an amount
        lambda p: [("token", p.token)],
        lambda p: None,
    ],
    ids=[
        "unsigned", "wrong-signature", "non-ascii-signature", "outcome-changed", "amount-changed",
        "token-changed", "unknown-outcome", "amount-not-a-number", "not-a-dict", "nothing",
    ],
)  # fmt: skip
def test_a_callback_not_signed_by_the_provider_is_refused_and_changes_nothing(forge):
    buyer = BuyerFactory()
    payment, _url, _ = topup_start(user=buyer, amount="150000")

    with pytest.raises(CallbackInvalid):
        payment_callback(forge(payment))

    payment.refresh_from_db()
    assert (payment.state, payment.provider_reference) == (PaymentState.PENDING, None)
    assert _rows(buyer) == [] and _balance(buyer) == 0
    assert not AuditLog.objects.filter(action__startswith="payment.").exists()


@pytest.mark.parametrize("outcome", ["approved", "declined"])
def test_a_signed_callback_for_another_amount_is_refused_and_changes_nothing(outcome):
    # The provider says it charged 1 000 so'm for a 150 000 so'm top-up: crediting 150 000 would
    # create money; the payment stays open for the provider's correct answer.
    buyer = BuyerFactory()
    payment, _url, _ = topup_start(user=buyer, amount="150000")

    with pytest.raises(CallbackInvalid):
        payment_callback(_callback(payment, outcome, amount=D("1000.00")))

    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert _rows(buyer) == [] and _balance(buyer) == 0
    _pay(payment)  # the right callback still works
    assert _balance(buyer) == D("150000.00")


def test_a_signed_callback_for_a_payment_we_never_made_changes_nothing():
    buyer = BuyerFactory()
    payment, _url, _ = topup_start(user=buyer, amount="150000")

    assert payment_callback(_callback(payment, token="no-such-payment")) is None

    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING and _rows(buyer) == []


# === paying orders from the wallet ==================================================================
def test_an_order_paid_from_a_wallet_with_enough_money_is_paid_at_once(shop):
    _fill(shop, (shop.kettle, 2), (shop.iron, 1))
    total = _total(shop)
    _fund(shop.buyer, total)  # exactly enough

    orders, replayed, redirect_url = _checkout(shop, PaymentMethod.GOGOMONEY, key="k-1")
    again, replayed_again, _url = _checkout(shop, PaymentMethod.GOGOMONEY, key="k-1")  # pressed twice

    assert len(orders) == 2 and redirect_url is None and not replayed
    assert replayed_again and [o.pk for o in again] == [o.pk for o in orders]
    assert [_order(o) for o in orders] == [(OrderStatus.PENDING, PaymentStatus.PAID)] * 2
    assert sum(o.total_amount for o in orders) == total
    assert _rows(shop.buyer)[1:] == [("purchase", -o.total_amount, "order", o.pk) for o in orders]
    assert _balance(shop.buyer) == 0
    assert _stock(shop.kettle, shop.iron) == [8, 9]
    assert ledger_check() == []
    for order in orders:  # the timeline says how it was paid
        said = [entry.text for entry in OrderStatusHistory.objects.filter(order=order).order_by("pk")]
        assert said == ["Order placed.", "Paid from the GoGoMoney wallet."]


def test_not_enough_money_in_the_wallet_places_nothing(shop):
    _fill(shop, (shop.kettle, 2), (shop.iron, 1))
    _fund(shop.buyer, _total(shop) - D("0.01"))
    balance, rows = _balance(shop.buyer), _rows(shop.buyer)

    with pytest.raises(ValidationError) as error:
        _checkout(shop, PaymentMethod.GOGOMONEY, key="k-1")

    assert "Not enough money in your GoGoMoney wallet" in " ".join(error.value.messages)
    assert not Order.objects.exists() and not OrderStatusHistory.objects.exists()
    assert _stock(shop.kettle, shop.iron) == [10, 10]
    assert (_balance(shop.buyer), _rows(shop.buyer)) == (balance, rows)
    assert CartItem.objects.filter(cart__user=shop.buyer).count() == 2
    assert not IdempotencyKey.objects.exists()
    assert not Payment.objects.exists()


# === card at checkout ============================================================================
def test_a_card_checkout_leaves_the_orders_pending_until_the_provider_approves(shop):
    orders, redirect_url = _place(shop, PaymentMethod.CARD, (shop.kettle, 2), (shop.iron, 1))

    (payment,) = Payment.objects.all()
    assert (payment.purpose, payment.state, payment.user_id) == (PaymentPurpose.ORDERS, "pending", shop.buyer.pk)
    assert payment.amount == sum(o.total_amount for o in orders)
    assert payment.order_ids == [o.pk for o in orders]
    assert redirect_url.startswith(reverse("finance:sandbox_page", args=[payment.token]))
    assert [_order(o) for o in orders] == [(OrderStatus.PENDING, PaymentStatus.PENDING)] * 2
    assert _stock(shop.kettle, shop.iron) == [8, 9]  # taken at checkout, as for any order

    _pay(payment)
    _pay(payment)  # repeated

    assert [_order(o) for o in orders] == [(OrderStatus.PENDING, PaymentStatus.PAID)] * 2
    for order in orders:
        assert [entry.text for entry in order.status_history.order_by("pk")] == ["Order placed.", "Paid by card."]
    assert _rows(shop.buyer) == []  # a card payment is not the wallet's
    assert Payment.objects.get().state == PaymentState.SUCCEEDED


def test_a_declined_card_leaves_the_order_unpaid_and_pay_now_starts_a_new_payment(shop):
    (order,), _url = _place(shop, PaymentMethod.CARD)
    first = Payment.objects.get()

    _pay(first, "declined")

    assert _order(order) == (OrderStatus.PENDING, PaymentStatus.PENDING)
    first.refresh_from_db()
    assert first.state == PaymentState.FAILED

    url = card_payment_resume(order=order, buyer=shop.buyer)
    second = Payment.objects.exclude(pk=first.pk).get()
    assert url.startswith(reverse("finance:sandbox_page", args=[second.token]))
    assert (second.amount, second.order_ids, second.state) == (order.total_amount, [order.pk], "pending")

    _pay(second)
    assert _order(order) == (OrderStatus.PENDING, PaymentStatus.PAID)


def test_pay_now_reuses_the_pending_payment(shop):
    (order,), redirect_url = _place(shop, PaymentMethod.CARD)
    payment = Payment.objects.get()

    assert card_payment_resume(order=order, buyer=shop.buyer) == redirect_url
    assert card_payment_resume(order=order, buyer=shop.buyer) == redirect_url

    assert list(Payment.objects.values_list("pk", flat=True)) == [payment.pk]


def test_pay_now_is_refused_for_someone_elses_a_paid_or_a_wallet_order(shop):
    (order,), _url = _place(shop, PaymentMethod.CARD)

    with pytest.raises(ValidationError, match="This is not your order."):
        card_payment_resume(order=order, buyer=BuyerFactory())
    _pay(Payment.objects.get())
    order.refresh_from_db()
    with pytest.raises(ValidationError, match="not waiting for a card payment"):
        card_payment_resume(order=order, buyer=shop.buyer)
    _fund(shop.buyer, "1000000")
    (wallet_order,), _url = _place(shop, PaymentMethod.GOGOMONEY)
    with pytest.raises(ValidationError, match="not waiting for a card payment"):
        card_payment_resume(order=wallet_order, buyer=shop.buyer)

    assert Payment.objects.count() == 1


# --- unpaid card orders expire ------------------------------------------------------------------
def _timeout(minutes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the cached value is dropped on commit
        setting_set(key="card_payment_timeout_minutes", value=minutes, type_=SettingType.NUMBER)


def _placed_ago(order, minutes):
    """The order, and the card payment its checkout started, made ``minutes`` ago."""
    then = timezone.now() - timedelta(minutes=minutes)
    Order.objects.filter(pk=order.pk).update(created_at=then)
    Payment.objects.filter(order_links__order=order).update(created_at=then, updated_at=then)


def test_unpaid_card_orders_older_than_the_timeout_are_cancelled_and_their_stock_restored(
    shop, django_capture_on_commit_callbacks
):
    _timeout(10, django_capture_on_commit_callbacks)
    (stale,), _url = _place(shop, PaymentMethod.CARD, (shop.kettle, 3))
    (fresh,), _url = _place(shop, PaymentMethod.CARD, (shop.iron, 2))
    (cash,), _url = _place(shop, PaymentMethod.CASH, (shop.iron, 1))
    (paid,), _url = _place(shop, PaymentMethod.CARD, (shop.kettle, 1))
    _pay(Payment.objects.get(order_links__order=paid))
    _placed_ago(stale, 11)
    _placed_ago(fresh, 9)
    _placed_ago(cash, 60)
    _placed_ago(paid, 60)
    assert _stock(shop.kettle, shop.iron) == [6, 7]

    assert unpaid_orders_expire(PaymentMethod.CARD) == 1

    assert _order(stale) == (OrderStatus.CANCELLED, PaymentStatus.PENDING)
    assert [_order(o) for o in (fresh, cash)] == [(OrderStatus.PENDING, PaymentStatus.PENDING)] * 2
    assert _order(paid) == (OrderStatus.PENDING, PaymentStatus.PAID)
    assert _stock(shop.kettle, shop.iron) == [9, 7]
    history = stale.status_history.order_by("-pk").first()
    assert (history.status, history.changed_by_id, history.text, history.notes) == (
        OrderStatus.CANCELLED, None, "Not paid within 10 minutes.", None,
    )  # fmt: skip
    assert unpaid_orders_expire(PaymentMethod.CARD) == 0  # nothing twice


@pytest.mark.parametrize("declined_first", [False, True])
def test_a_buyer_who_pressed_pay_now_is_given_the_whole_timeout_again(
    shop, django_capture_on_commit_callbacks, declined_first
):
    _timeout(10, django_capture_on_commit_callbacks)
    (order,), _url = _place(shop, PaymentMethod.CARD, (shop.kettle, 1))
    if declined_first:
        _pay(Payment.objects.get(order_links__order=order), "declined")  # Pay now makes a new payment
    _placed_ago(order, 11)
    card_payment_resume(order=order, buyer=shop.buyer)  # back on the provider's page, now

    assert unpaid_orders_expire(PaymentMethod.CARD) == 0  # not cancelled under the buyer's feet
    assert _order(order) == (OrderStatus.PENDING, PaymentStatus.PENDING)

    _placed_ago(order, 11)  # ... and left there
    assert unpaid_orders_expire(PaymentMethod.CARD) == 1


def test_the_timeout_is_the_platform_setting(shop, django_capture_on_commit_callbacks):
    (order,), _url = _place(shop, PaymentMethod.CARD)
    _placed_ago(order, 11)

    assert unpaid_orders_expire(PaymentMethod.CARD) == 0  # the default is 30 minutes
    _timeout(10, django_capture_on_commit_callbacks)
    assert unpaid_orders_expire(PaymentMethod.CARD) == 1
    assert _order(order)[0] == OrderStatus.CANCELLED


def _waiting_for_a_lock(timeout=10):
    """Wait until some other connection of this database waits for a row lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_an_order_paid_while_the_expiry_job_runs_is_not_cancelled(shop, refunds):
    # Real threads on their own connections: the provider's callback has paid the order but not
    # committed yet when the job lists the unpaid orders; the job then waits for the order's lock.
    # Once it has it, the order is paid: it must be left alone (not cancelled and refunded).
    setting_set(key="card_payment_timeout_minutes", value=10, type_=SettingType.NUMBER)
    (order,), _url = _place(shop, PaymentMethod.CARD)
    _placed_ago(order, 11)
    payment = Payment.objects.get()
    paid, release, outcome = threading.Event(), threading.Event(), {}

    def provider_callback():
        try:
            with transaction.atomic():
                payment_callback(_callback(payment))
                paid.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    def job():
        try:
            outcome["expired"] = unpaid_orders_expire(PaymentMethod.CARD)
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            outcome["error"] = error
        finally:
            connections.close_all()

    callback_thread = threading.Thread(target=provider_callback)
    callback_thread.start()
    assert paid.wait(timeout=20)
    job_thread = threading.Thread(target=job)
    job_thread.start()
    blocked = _waiting_for_a_lock()
    release.set()
    callback_thread.join(timeout=30)
    job_thread.join(timeout=30)

    assert blocked, "the job never waited for the order's lock"
    assert outcome == {"expired": 0}
    assert _order(order) == (OrderStatus.PENDING, PaymentStatus.PAID)
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (PaymentState.SUCCEEDED, D("0"))
    assert refunds.calls == []
    assert _stock(shop.kettle) == [8]


@pytest.mark.parametrize("how", ["expired", "cancelled_by_buyer"])
def test_a_card_payment_approved_after_the_order_was_cancelled_is_refunded(
    shop, refunds, how, django_capture_on_commit_callbacks
):
    (order,), _url = _place(shop, PaymentMethod.CARD)
    payment = Payment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        if how == "expired":
            _timeout(10, django_capture_on_commit_callbacks)
            _placed_ago(order, 11)
            assert unpaid_orders_expire(PaymentMethod.CARD) == 1
        else:
            _cancel(order)
    assert refunds.calls == []  # nothing was paid yet
    payment.refresh_from_db()
    assert payment.state == PaymentState.CANCELLED  # its page no longer takes the card

    with django_capture_on_commit_callbacks(execute=True):
        _pay(payment)  # the provider charged all the same (a page left open): applied, given back
    with django_capture_on_commit_callbacks(execute=True):
        _pay(payment)

    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, payment.amount)
    assert refunds.calls == [(payment.pk, order.total_amount, "late")]
    assert _order(order) == (OrderStatus.CANCELLED, PaymentStatus.PENDING)
    assert _stock(shop.kettle) == [10]
    assert _rows(shop.buyer) == []
    assert AuditLog.objects.filter(action="payment.refund", entity_id=payment.pk).count() == 1
    assert AuditLog.objects.filter(action="payment.late_approval", entity_id=payment.pk).count() == 1
    (refund,) = PaymentRefund.objects.all()
    assert (refund.key, refund.amount, refund.state) == ("late", order.total_amount, RefundState.SUCCEEDED)


# --- bank transfer -------------------------------------------------------------------------------
def test_a_bank_transfer_order_waits_until_accounting_confirms_the_money(shop):
    (order,), redirect_url = _place(shop, PaymentMethod.BANK_TRANSFER)
    accountant = StaffFactory(role_type=AdminRoleType.ACCOUNTING)
    assert redirect_url is None
    assert _order(order) == (OrderStatus.PENDING, PaymentStatus.PENDING)

    bank_transfer_confirm(order=order, actor=accountant)

    assert _order(order) == (OrderStatus.PENDING, PaymentStatus.PAID)
    history = order.status_history.order_by("-pk").first()
    assert (history.changed_by_id, history.text) == (accountant.pk, "Bank transfer received.")
    assert AuditLog.objects.filter(action="order.bank_transfer_confirm", entity_id=order.pk, user=accountant).exists()
    assert _rows(shop.buyer) == [] and not Payment.objects.exists()

    with pytest.raises(ValidationError, match="not waiting for a payment"):
        bank_transfer_confirm(order=order, actor=accountant)  # twice
    assert order.status_history.count() == 2
    assert AuditLog.objects.filter(action="order.bank_transfer_confirm").count() == 1


@pytest.mark.parametrize("who", ["buyer", "seller", "technical_staff"])
def test_only_accounting_staff_confirm_a_bank_transfer(shop, who):
    (order,), _url = _place(shop, PaymentMethod.BANK_TRANSFER)
    actor = {
        "buyer": shop.buyer,
        "seller": order.seller,
        "technical_staff": StaffFactory(role_type=AdminRoleType.TECHNICAL_ACCESS),
    }[who]

    with pytest.raises(ValidationError, match="Only accounting staff confirm payments."):
        bank_transfer_confirm(order=order, actor=actor)

    assert _order(order) == (OrderStatus.PENDING, PaymentStatus.PENDING)
    assert order.status_history.count() == 1
    assert not AuditLog.objects.filter(action="order.bank_transfer_confirm").exists()


@pytest.mark.parametrize("role_type", [AdminRoleType.TECHNICAL_ACCESS, AdminRoleType.ROLE_MANAGER], ids=str)
def test_staff_of_another_sub_role_cannot_send_a_refund_again_and_nothing_changes(refunds, role_type):
    payment = PaymentFactory(succeeded=True, purpose=PaymentPurpose.ORDERS, amount=D("100000"))
    failed = PaymentRefundFactory(payment=payment, amount=D("40000"), state=RefundState.FAILED, provider_reference=None)

    def state():
        return (
            list(PaymentRefund.objects.order_by("pk").values()),
            Payment.objects.filter(pk=payment.pk).values().get(),
            list(AuditLog.objects.order_by("pk").values_list("pk", flat=True)),
        )

    before = state()
    with pytest.raises(PermissionDenied):
        refund_send_again(refund=failed, actor=StaffFactory(role_type=role_type))

    assert state() == before
    assert refunds.calls == []


def test_accounting_staff_send_a_refund_again(refunds):
    payment = PaymentFactory(succeeded=True, purpose=PaymentPurpose.ORDERS, amount=D("100000"))
    failed = PaymentRefundFactory(payment=payment, amount=D("40000"), state=RefundState.FAILED, provider_reference=None)

    refund = refund_send_again(refund=failed, actor=StaffFactory(role_type=AdminRoleType.ACCOUNTING))

    assert refund.state == RefundState.SUCCEEDED
    assert len(refunds.calls) == 1


def test_another_methods_order_cannot_be_confirmed_as_a_bank_transfer(shop):
    (card,), _url = _place(shop, PaymentMethod.CARD)

    with pytest.raises(ValidationError, match="not paid by bank transfer"):
        bank_transfer_confirm(order=card, actor=StaffFactory())

    assert _order(card) == (OrderStatus.PENDING, PaymentStatus.PENDING)


def test_a_bank_transfer_that_arrives_after_the_order_was_cancelled_goes_to_the_buyers_wallet(shop):
    staff = StaffFactory()
    (cancelled,), _url = _place(shop, PaymentMethod.BANK_TRANSFER)
    _cancel(cancelled)  # e.g. by the expiry job, before the money came

    bank_transfer_confirm(order=cancelled, actor=staff)

    assert _order(cancelled) == (OrderStatus.CANCELLED, PaymentStatus.REFUNDED)
    assert _rows(shop.buyer)[-1] == ("refund", cancelled.total_amount, "order", cancelled.pk)
    assert _balance(shop.buyer) == cancelled.total_amount
    assert "refunded to the GoGoMoney wallet" in cancelled.status_history.order_by("-pk").first().text
    with pytest.raises(ValidationError, match="not waiting for a payment"):  # once
        bank_transfer_confirm(order=cancelled, actor=staff)
    assert _balance(shop.buyer) == cancelled.total_amount
    assert ledger_check() == []


# === refunds =======================================================================================
def test_a_cancelled_wallet_order_is_refunded_to_the_wallet_at_once_and_only_once(shop):
    _fund(shop.buyer, "1000000")
    (order,), _url = _place(shop, PaymentMethod.GOGOMONEY)
    assert _balance(shop.buyer) == D("1000000") - order.total_amount

    _cancel(order)

    assert _order(order) == (OrderStatus.CANCELLED, PaymentStatus.REFUNDED)
    assert _balance(shop.buyer) == D("1000000.00")
    assert _rows(shop.buyer)[1:] == [
        ("purchase", -order.total_amount, "order", order.pk),
        ("refund", order.total_amount, "order", order.pk),
    ]
    for action, actor in (("cancel", shop.buyer), ("staff_cancel", StaffFactory())):
        with pytest.raises(ValidationError):
            services.order_transition(order=order, action=action, actor=actor, note="again")
    assert WalletTransaction.objects.filter(type="refund").count() == 1
    assert _balance(shop.buyer) == D("1000000.00")
    assert _stock(shop.kettle) == [10]
    assert ledger_check() == []


def test_a_cancelled_paid_bank_transfer_order_is_refunded_to_the_wallet(shop):
    (order,), _url = _place(shop, PaymentMethod.BANK_TRANSFER)
    bank_transfer_confirm(order=order, actor=StaffFactory())

    services.order_transition(order=order, action="staff_cancel", actor=StaffFactory(), note="Out of stock")

    assert _order(order) == (OrderStatus.CANCELLED, PaymentStatus.REFUNDED)
    assert _rows(shop.buyer) == [("refund", order.total_amount, "order", order.pk)]
    assert _balance(shop.buyer) == order.total_amount


def test_a_cancelled_unpaid_bank_transfer_order_refunds_nothing(shop):
    (order,), _url = _place(shop, PaymentMethod.BANK_TRANSFER)

    _cancel(order)

    assert _order(order) == (OrderStatus.CANCELLED, PaymentStatus.PENDING)
    assert _rows(shop.buyer) == []


def test_a_cancelled_card_order_is_refunded_through_the_provider_once(
    shop, refunds, django_capture_on_commit_callbacks
):
    (order,), _url = _place(shop, PaymentMethod.CARD)
    payment = Payment.objects.get()
    _pay(payment)

    with django_capture_on_commit_callbacks(execute=True):
        _cancel(order)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _cancel(order)  # twice

    assert refunds.calls == [(payment.pk, order.total_amount, f"order-{order.pk}")]
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, order.total_amount)
    assert _order(order) == (OrderStatus.CANCELLED, PaymentStatus.REFUNDED)
    (audit,) = AuditLog.objects.filter(action="payment.refund", entity_id=payment.pk)
    assert audit.new_values["amount"] == str(order.total_amount)
    assert audit.new_values["reference"] == f"sandbox-refund-{payment.token[:12]}-order-{order.pk}"
    assert _rows(shop.buyer) == []  # the card gets it back, not the wallet
    assert _stock(shop.kettle) == [10]
    (refund,) = PaymentRefund.objects.all()
    assert (refund.payment_id, refund.key, refund.amount, refund.state, refund.attempts) == (
        payment.pk, f"order-{order.pk}", order.total_amount, RefundState.SUCCEEDED, 1,
    )  # fmt: skip
    assert refund.provider_reference == audit.new_values["reference"]


def test_the_cancellation_commits_first_and_the_provider_is_called_after(
    shop, refunds, django_capture_on_commit_callbacks
):
    (order,), _url = _place(shop, PaymentMethod.CARD)
    payment = Payment.objects.get()
    _pay(payment)

    with django_capture_on_commit_callbacks() as callbacks:
        _cancel(order)

    # Committed as asked for: the order cancelled and "refunded" (the money is on its way), the
    # refund pending and counted in the payment; the provider not called yet.
    assert refunds.calls == []
    assert _order(order) == (OrderStatus.CANCELLED, PaymentStatus.REFUNDED)
    (refund,) = PaymentRefund.objects.all()
    assert (refund.state, refund.attempts, refund.amount) == (RefundState.PENDING, 0, order.total_amount)
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (PaymentState.SUCCEEDED, order.total_amount)
    assert refunds.calls == []

    for callback in callbacks:  # the transaction committed: the task runs (eager in tests)
        callback()

    assert refunds.calls == [(payment.pk, order.total_amount, f"order-{order.pk}")]
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert (refund.state, refund.attempts) == (RefundState.SUCCEEDED, 1)
    assert payment.state == PaymentState.REFUNDED


def test_a_cancellation_that_rolls_back_refunds_nothing(shop, refunds, django_capture_on_commit_callbacks):
    (order,), _url = _place(shop, PaymentMethod.CARD)
    _pay(Payment.objects.get())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _cancel(order)
            raise RuntimeError("something after the refund was asked for fails")

    assert callbacks == [] and refunds.calls == []
    assert not PaymentRefund.objects.exists()
    assert _order(order) == (OrderStatus.PENDING, PaymentStatus.PAID)
    assert Payment.objects.get().refunded_amount == 0


def test_a_refund_the_provider_refuses_fails_but_the_order_stays_cancelled(
    shop, refunds, django_capture_on_commit_callbacks, caplog
):
    (order,), _url = _place(shop, PaymentMethod.CARD)
    payment = Payment.objects.get()
    _pay(payment)
    refunds.answer = RefundResult(ok=False, reason="the bank is offline")

    with django_capture_on_commit_callbacks(execute=True):
        _cancel(order)

    assert _order(order) == (OrderStatus.CANCELLED, PaymentStatus.REFUNDED)
    assert _stock(shop.kettle) == [10]
    (refund,) = PaymentRefund.objects.all()
    assert (refund.state, refund.failure_reason, refund.attempts) == (RefundState.FAILED, "the bank is offline", 1)
    payment.refresh_from_db()
    # No longer counted: the payment has it all left, for a refund sent again.
    assert (payment.state, payment.refunded_amount) == (PaymentState.SUCCEEDED, D("0"))
    (failed,) = AuditLog.objects.filter(action="payment.refund_failed", entity_id=payment.pk)
    assert failed.new_values["failure"] == "the bank is offline"
    assert not AuditLog.objects.filter(action="payment.refund").exists()
    assert AuditLog.objects.filter(action="order.cancel", entity_id=order.pk).exists()
    assert any(r.levelname == "ERROR" and "refused by the card provider" in r.getMessage() for r in caplog.records)
    assert refunds_retry(older_than=timedelta(0)) == {}  # a refusal is not retried by itself


def test_a_provider_that_does_not_answer_leaves_the_refund_pending_for_the_retry_job(
    shop, refunds, django_capture_on_commit_callbacks, monkeypatch
):
    (order,), _url = _place(shop, PaymentMethod.CARD)
    payment = Payment.objects.get()
    _pay(payment)
    real = SandboxPaymentProvider.refund

    def down(self, payment, amount, key):
        refunds.calls.append((payment.pk, amount, key))
        raise ConnectionError("no route to the provider")

    monkeypatch.setattr(SandboxPaymentProvider, "refund", down)
    with django_capture_on_commit_callbacks(execute=True):
        _cancel(order)

    (refund,) = PaymentRefund.objects.all()
    assert (refund.state, refund.attempts) == (RefundState.PENDING, 1)
    assert _order(order) == (OrderStatus.CANCELLED, PaymentStatus.REFUNDED)
    assert refunds_retry() == {}  # not before a few minutes have passed

    monkeypatch.setattr(SandboxPaymentProvider, "refund", lambda self, p, a, k: real(self, p, a, k))
    PaymentRefund.objects.filter(pk=refund.pk).update(updated_at=timezone.now() - timedelta(minutes=6))
    assert retry_refunds.delay().get() == {RefundState.SUCCEEDED: 1}

    refund.refresh_from_db()
    payment.refresh_from_db()
    assert (refund.state, refund.attempts) == (RefundState.SUCCEEDED, 2)
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, order.total_amount)
    assert refunds.calls == [(payment.pk, order.total_amount, f"order-{order.pk}")] * 2  # the same key


def test_a_worker_killed_after_the_provider_refunded_is_finished_by_the_retry_job_with_the_same_key(
    shop, django_capture_on_commit_callbacks, monkeypatch
):
    # The provider keeps its answer per (payment, key), as a real one's idempotency key does.
    (order,), _url = _place(shop, PaymentMethod.CARD)
    payment = Payment.objects.get()
    _pay(payment)
    paid_back, calls = {}, []

    def refund(self, payment, amount, key):
        calls.append((payment.pk, amount, key))
        paid_back.setdefault((payment.pk, key), amount)
        if len(calls) == 1:
            raise SystemExit("the worker is killed after the provider refunded")
        return RefundResult(ok=True, provider_reference=f"bank-refund-{key}")

    monkeypatch.setattr(SandboxPaymentProvider, "refund", refund)
    with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):
        _cancel(order)

    (refund_row,) = PaymentRefund.objects.all()
    assert (refund_row.state, refund_row.attempts) == (RefundState.PENDING, 1)  # the attempt committed
    assert _order(order) == (OrderStatus.CANCELLED, PaymentStatus.REFUNDED)

    PaymentRefund.objects.filter(pk=refund_row.pk).update(updated_at=timezone.now() - timedelta(minutes=6))
    assert refunds_retry() == {RefundState.SUCCEEDED: 1}
    assert refunds_retry(older_than=timedelta(0)) == {}  # done: never sent again

    assert calls == [(payment.pk, order.total_amount, f"order-{order.pk}")] * 2  # the same key
    assert paid_back == {(payment.pk, f"order-{order.pk}"): order.total_amount}  # money back once
    refund_row.refresh_from_db()
    payment.refresh_from_db()
    assert (refund_row.state, refund_row.provider_reference) == (RefundState.SUCCEEDED, f"bank-refund-order-{order.pk}")
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, order.total_amount)
    assert AuditLog.objects.filter(action="payment.refund", entity_id=payment.pk).count() == 1


def test_the_same_refund_key_again_asks_for_nothing_more(django_capture_on_commit_callbacks, refunds):
    payment = PaymentFactory(succeeded=True, purpose=PaymentPurpose.ORDERS, amount=D("100000"))

    with django_capture_on_commit_callbacks(execute=True):
        first = payment_refund(payment=payment, amount="30000", key="order-1")
        again = payment_refund(payment=payment, amount="30000", key="order-1")
        with pytest.raises(ValidationError, match="more than what is left"):
            payment_refund(payment=payment, amount="70000.01", key="order-2")

    assert first.pk == again.pk
    payment.refresh_from_db()
    assert payment.refunded_amount == D("30000")
    assert refunds.calls == [(payment.pk, D("30000.00"), "order-1")]
    assert refund_send(refund=first).state == RefundState.SUCCEEDED  # settled: not sent again
    assert len(refunds.calls) == 1


def test_pending_card_payments_of_a_cancelled_order_are_cancelled(shop):
    (a, b), _url = _place(shop, PaymentMethod.CARD, (shop.kettle, 1), (shop.iron, 1))
    checkout = Payment.objects.get()
    card_payment_resume(order=b, buyer=shop.buyer)
    pay_now = Payment.objects.exclude(pk=checkout.pk).get()
    other_buyer = PaymentFactory(purpose=PaymentPurpose.ORDERS, order_ids=[OrderFactory().pk])

    _cancel(a)

    states = dict(Payment.objects.values_list("pk", "state"))
    assert states == {
        checkout.pk: PaymentState.CANCELLED,  # it was for a as well: its page takes no card now
        pay_now.pk: PaymentState.PENDING,  # b is still open and payable
        other_buyer.pk: PaymentState.PENDING,
    }
    assert AuditLog.objects.filter(action="payment.cancelled", entity_id=checkout.pk).count() == 1
    # b can still be paid (its own "pay now" payment).
    assert card_payment_resume(order=b, buyer=shop.buyer).startswith(
        reverse("finance:sandbox_page", args=[pay_now.token])
    )


def test_two_orders_of_one_card_payment_that_cost_the_same_are_two_refunds(
    shop, refunds, django_capture_on_commit_callbacks
):
    orders, _url = _place(shop, PaymentMethod.CARD, (shop.kettle, 1), (shop.iron, 1))
    a, b = orders
    assert a.total_amount == b.total_amount  # the same price, from the same pickup point
    payment = Payment.objects.get()
    _pay(payment)

    with django_capture_on_commit_callbacks(execute=True):
        _cancel(a)
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (PaymentState.SUCCEEDED, a.total_amount)
    with django_capture_on_commit_callbacks(execute=True):
        _cancel(b)

    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, payment.amount)
    # Each refund has its own key: a provider that is idempotent per key pays both.
    assert [key for _p, _amount, key in refunds.calls] == [f"order-{a.pk}", f"order-{b.pk}"]
    references = AuditLog.objects.filter(action="payment.refund").values_list("new_values__reference", flat=True)
    assert len(set(references)) == 2


def test_an_order_paid_twice_is_refunded_from_the_payment_that_kept_the_money(
    shop, refunds, django_capture_on_commit_callbacks
):
    # Two orders in one card payment; the buyer also pressed "pay now" on one of them and paid
    # both pages. The second payment was refunded at once; cancelling the order later must refund
    # it from the first payment, which still holds its money.
    (a, b), _url = _place(shop, PaymentMethod.CARD, (shop.kettle, 1), (shop.iron, 1))
    first = Payment.objects.get()
    card_payment_resume(order=a, buyer=shop.buyer)
    second = Payment.objects.exclude(pk=first.pk).get()
    assert second.order_ids == [a.pk]

    with django_capture_on_commit_callbacks(execute=True):
        _pay(first)
    with django_capture_on_commit_callbacks(execute=True):
        _pay(second)  # a was paid already: given back at once
    second.refresh_from_db()
    assert (second.state, second.refunded_amount) == (PaymentState.REFUNDED, a.total_amount)
    assert payment_for_order(a).pk == first.pk

    with django_capture_on_commit_callbacks(execute=True):
        _cancel(a)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.refunded_amount == a.total_amount and first.state == PaymentState.SUCCEEDED
    assert second.refunded_amount == a.total_amount
    assert refunds.calls == [(second.pk, a.total_amount, "late"), (first.pk, a.total_amount, f"order-{a.pk}")]
    assert _order(a) == (OrderStatus.CANCELLED, PaymentStatus.REFUNDED)
    assert _order(b) == (OrderStatus.PENDING, PaymentStatus.PAID)


def test_a_refused_late_refund_does_not_make_a_cancelled_order_refund_from_the_wrong_payment(
    shop, refunds, django_capture_on_commit_callbacks
):
    # As above, but the provider refuses the second payment's late refund: that payment then looks
    # as if it still held the order's money. The order is refunded from the one that paid it.
    (a, b), _url = _place(shop, PaymentMethod.CARD, (shop.kettle, 1), (shop.iron, 1))
    first = Payment.objects.get()
    card_payment_resume(order=a, buyer=shop.buyer)
    second = Payment.objects.exclude(pk=first.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        _pay(first)
    refunds.answer = RefundResult(ok=False, reason="card closed")
    with django_capture_on_commit_callbacks(execute=True):
        _pay(second)
    second.refresh_from_db()
    assert second.refunded_amount == 0  # the late refund failed: accounting sends it again
    refunds.answer = None

    with django_capture_on_commit_callbacks(execute=True):
        _cancel(a)

    assert refunds.calls[-1] == (first.pk, a.total_amount, f"order-{a.pk}")
    first.refresh_from_db()
    assert first.refunded_amount == a.total_amount
    assert Payment.objects.get(pk=second.pk).refunded_amount == 0  # still there for the late one


def test_pay_now_paid_first_then_the_checkout_payment_is_refunded_from_the_right_one(
    shop, refunds, django_capture_on_commit_callbacks
):
    (a, b), _url = _place(shop, PaymentMethod.CARD, (shop.kettle, 1), (shop.iron, 1))
    first = Payment.objects.get()
    card_payment_resume(order=a, buyer=shop.buyer)
    second = Payment.objects.exclude(pk=first.pk).get()

    with django_capture_on_commit_callbacks(execute=True):
        _pay(second)  # a paid by the "pay now" payment
        _pay(first)  # b paid; a's share of it given back

    first.refresh_from_db()
    assert (first.state, first.refunded_amount) == (PaymentState.SUCCEEDED, a.total_amount)
    with django_capture_on_commit_callbacks(execute=True):
        _cancel(a)
        _cancel(b)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.state, second.refunded_amount) == (PaymentState.REFUNDED, a.total_amount)
    assert (first.state, first.refunded_amount) == (PaymentState.REFUNDED, first.amount)
    assert [(pk, key) for pk, _amount, key in refunds.calls] == [
        (first.pk, "late"), (second.pk, f"order-{a.pk}"), (first.pk, f"order-{b.pk}"),
    ]  # fmt: skip


def test_the_sandbox_page_keeps_a_return_address_with_a_query_whole():
    payment = PaymentFactory()
    url = SandboxPaymentProvider().payment_page_url(payment, "/orders/?page=2&sort=new#top")

    assert parse_qs(urlsplit(url).query) == {"return": ["/orders/?page=2&sort=new#top"]}


def test_the_sandbox_page_of_a_cancelled_order_takes_no_card(shop, client, refunds):
    (order,), redirect_url = _place(shop, PaymentMethod.CARD)
    payment = Payment.objects.get()
    client.force_login(shop.buyer)
    page = client.get(redirect_url).content.decode()
    assert 'data-testid="sandbox-approve"' in page and 'data-testid="sandbox-closed"' not in page

    _cancel(order)

    page = client.get(redirect_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="sandbox-approve"' not in page
    assert 'data-testid="sandbox-closed"' in page and "This payment is no longer open" in page
    # A form posted from a tab opened before: nothing is charged or sent.
    response = client.post(redirect_url.split("?")[0], {"outcome": "approved", "return": "/orders/"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.state == PaymentState.CANCELLED
    assert not PaymentRefund.objects.exists() and refunds.calls == []
    assert _order(order) == (OrderStatus.CANCELLED, PaymentStatus.PENDING)


@pytest.mark.django_db(transaction=True)
def test_an_order_cancelled_while_its_payment_callback_runs_does_not_deadlock(shop, refunds):
    # The callback locks the payment and then the order; the cancellation holds the order and
    # would wait for the payment: it skips it instead, and the callback (once the cancellation
    # has committed) finds the order cancelled and gives its money back.
    (order,), _url = _place(shop, PaymentMethod.CARD)
    payment = Payment.objects.get()
    locked, release, outcome = threading.Event(), threading.Event(), {}

    def provider_callback():
        try:
            with transaction.atomic():
                Payment.objects.select_for_update().get(pk=payment.pk)  # the callback's first lock
                locked.set()
                release.wait(timeout=20)
                payment_callback(_callback(payment))  # now waits for the order
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            outcome["callback"] = error
        finally:
            connections.close_all()

    def buyer_cancels():
        try:
            _cancel(order)
            outcome["cancelled"] = True
        except Exception as error:  # noqa: BLE001
            outcome["cancel"] = error
        finally:
            release.set()
            connections.close_all()

    callback_thread = threading.Thread(target=provider_callback)
    callback_thread.start()
    assert locked.wait(timeout=20)
    cancel_thread = threading.Thread(target=buyer_cancels)
    cancel_thread.start()
    cancel_thread.join(timeout=30)
    callback_thread.join(timeout=30)

    assert outcome == {"cancelled": True}
    assert _order(order) == (OrderStatus.CANCELLED, PaymentStatus.PENDING)
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, payment.amount)
    assert refunds.calls == [(payment.pk, order.total_amount, "late")]
    assert _stock(shop.kettle) == [10]
