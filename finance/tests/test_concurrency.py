"""The money "must hold" of issue #6 under real concurrency: real threads, each with its own
PostgreSQL connection, on the real test database (transactional tests, so every movement
commits for the others to see).

* 1,000 mixed card top-ups (some callbacks sent twice or three times, some declined), wallet
  purchases, real GoGoMoney checkouts and buyers cancelling some of those orders (refunded by the
  order lifecycle), refunds of earlier purchases (some sent again) and purchases that must fail
  for insufficient funds, across 20 wallets on 20 threads: the books are clean (``ledger_check`` and
  ``manage.py check_ledger``), no balance is ever negative, and every wallet holds exactly the
  money the threads saw come in (approved top-ups, refunds) minus what they saw go out
  (purchases). The expected figures come from what each thread did, never from the ledger.
* One idempotency key sent 20 times at once: one order and one charge for a GoGoMoney checkout,
  one payment for a top-up; 20 copies of one approve callback at once: one deposit.
* Two workers processing the same payout at once: the provider is asked once, one completion.

Like orders/tests/test_concurrency.py, WORKERS threads take the attempts from a queue until every
attempt has been made, well below PostgreSQL's max_connections.
"""

import io
import random
import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.models import Min, Sum
from django.utils import timezone

from accounts.enums import AdminRoleType
from accounts.tests.factories import BuyerFactory, SellerFactory, StaffFactory
from catalog.tests.factories import ProductFactory
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory
from finance import providers
from finance.enums import PayoutStatus, TransactionType
from finance.models import Payment, PaymentState, Payout, Wallet, WalletTransaction
from finance.providers import SandboxPaymentProvider, SandboxPayoutProvider
from finance.services.ledger import InsufficientFunds, ledger_check, wallet_for, wallet_post
from finance.services.payments import payment_callback, topup_start
from finance.services.payouts import bank_account_add, bank_account_verify, payout_process, payout_request
from gogomarket.core.models import AuditLog, IdempotencyKey
from orders import services as order_services
from orders.enums import PaymentMethod, PaymentStatus
from orders.models import Order
from orders.tests.factories import buyer_with_address, seller_with_pickup
from tests.helpers import database_deadlocks, outcome_counts, run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 20
SANDBOX = SandboxPaymentProvider()


def _run_all(attempts, work, *, workers=WORKERS):
    return run_concurrently(attempts, work, workers=workers, name="money")


class BalanceWatch:
    """Reads the lowest balance of some wallets over and over on its own connection while the
    threads run; ``lowest`` is the smallest value seen."""

    def __init__(self, wallet_ids):
        self.wallet_ids = list(wallet_ids)
        self.lowest, self.reads = None, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="balance-watch")

    def _watch(self):
        try:
            while not self._stop.is_set():
                low = Wallet.objects.filter(pk__in=self.wallet_ids).aggregate(low=Min("balance"))["low"]
                self.lowest = low if self.lowest is None else min(self.lowest, low)
                self.reads += 1
                time.sleep(0.005)
        finally:
            connections.close_all()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=30)


def _callback(payment, outcome="approved"):
    """The provider's signed callback for ``payment`` (what the sandbox bank page posts)."""
    return SANDBOX.sign(
        {"token": payment.token, "outcome": outcome, "amount": payment.amount, "reference": f"bank-{payment.pk}"}
    )


# --- 1,000 mixed operations across 20 wallets -------------------------------------------------------
TOPUPS, DECLINED, PURCHASES, REFUNDS, REFUNDS_AGAIN, HOPELESS = 260, 40, 370, 140, 40, 60
CHECKOUTS, CANCELS = 60, 30  # real GoGoMoney checkouts, and buyers cancelling some (refunded by the lifecycle)
TOO_MUCH = Decimal("999999999.00")  # more than all the top-ups of the run together


class Seen:
    """What the threads saw happen, kept apart from the database: money in and out per user."""

    def __init__(self):
        self.lock = threading.Lock()
        self.money_in, self.money_out = {}, {}
        self.approved_payments = {}  # payment id -> amount
        self.declined_payments = set()
        self.purchases = {}  # reference id -> (user id, amount): paid and not yet taken for a refund
        self.refunded = {}  # reference id -> (user id, amount)
        self.orders = {}  # real order id -> (buyer, total): placed and not yet taken for a cancel
        self.cancelled = {}  # real order id -> (buyer, total)

    def add(self, table, user_id, amount):
        table[user_id] = table.get(user_id, Decimal("0")) + amount


def _operations(users):
    rng = random.Random(6)
    amounts = [Decimal(n) * 1000 for n in range(10, 301)] + [Decimal("12345.50"), Decimal("99999.99")]
    ops = [("topup", rng.choice(users), rng.choice(amounts), rng.choice([1, 1, 1, 2, 3])) for _ in range(TOPUPS)]
    ops += [("topup_declined", rng.choice(users), rng.choice(amounts), 1) for _ in range(DECLINED)]
    halves = [(amount / 2).quantize(Decimal("0.01")) for amount in amounts]  # tiyin, as the ledger keeps them
    ops += [("purchase", rng.choice(users), rng.choice(halves), n) for n in range(PURCHASES)]
    ops += [("checkout", rng.choice(users), None, rng.randint(1, 2)) for _ in range(CHECKOUTS)]
    ops += [("cancel", None, None, None) for _ in range(CANCELS)]
    ops += [("refund", None, None, None) for _ in range(REFUNDS)]
    ops += [("refund_again", None, None, None) for _ in range(REFUNDS_AGAIN)]
    ops += [("hopeless", rng.choice(users), TOO_MUCH, n) for n in range(HOPELESS)]
    # Start with money coming in (the queue is served in order), then everything mixed, so that
    # wallets are paid from, refunded and refused while top-ups land.
    first, rest = ops[:80], ops[80:]
    rng.shuffle(rest)
    return [(n, *op) for n, op in enumerate(first + rest)]


def _mixed(op, seen, product):
    n, kind, user, amount, extra = op
    if kind in ("topup", "topup_declined"):
        payment, _url, replayed = topup_start(user=user, amount=amount, idempotency_key=f"topup-{n}")
        assert not replayed
        outcome = "approved" if kind == "topup" else "declined"
        for _ in range(extra):  # the provider may call back more than once
            payment = payment_callback(_callback(payment, outcome))
        with seen.lock:
            if payment.state == PaymentState.SUCCEEDED:
                seen.approved_payments[payment.pk] = payment.amount
                seen.add(seen.money_in, user.pk, payment.amount)
            else:
                seen.declined_payments.add(payment.pk)
        return payment.state
    if kind in ("purchase", "hopeless"):
        reference = 10_000_000 + extra if kind == "purchase" else 20_000_000 + extra
        wallet_post(
            wallet=wallet_for(user), type=TransactionType.PURCHASE, amount=-amount, reference_type="order",
            reference_id=reference, description=f"order {reference}",
        )  # fmt: skip
        with seen.lock:
            seen.purchases[reference] = (user.pk, amount)
            seen.add(seen.money_out, user.pk, amount)
        return "paid"
    if kind == "checkout":
        order_services.cart_add(cart=order_services.cart_for_user(user), product_id=product.pk, quantity=extra)
        orders, replayed, _url = order_services.checkout_place(
            buyer=user, address_id=user.test_address.pk, payment_method=PaymentMethod.GOGOMONEY,
            idempotency_key=f"checkout-{n}",
        )  # fmt: skip
        assert not replayed
        with seen.lock:
            for order in orders:
                seen.orders[order.pk] = (user, order.total_amount)
                seen.add(seen.money_out, user.pk, order.total_amount)
        return "placed"
    if kind == "cancel":
        with seen.lock:
            if not seen.orders:
                return "nothing to cancel yet"
            order_id = min(seen.orders)
            buyer, total = seen.orders.pop(order_id)
        order = order_services.order_transition(order=Order(pk=order_id), action="cancel", actor=buyer)
        with seen.lock:
            seen.cancelled[order_id] = (buyer, total)
            seen.add(seen.money_in, buyer.pk, total)
        return order.payment_status
    if kind == "refund":
        with seen.lock:
            if not seen.purchases:
                return "nothing to refund yet"
            reference = random.Random(len(seen.refunded)).choice(sorted(seen.purchases))
            user_id, amount = seen.purchases.pop(reference)
        posting = wallet_post(
            wallet=Wallet.objects.get(user_id=user_id), type=TransactionType.REFUND, amount=amount,
            reference_type="order", reference_id=reference, description=f"refund of order {reference}",
        )  # fmt: skip
        assert posting.created
        with seen.lock:
            seen.refunded[reference] = (user_id, amount)
            seen.add(seen.money_in, user_id, amount)
        return "refunded"
    # refund_again: the same refund sent a second time must move nothing.
    with seen.lock:
        if not seen.refunded:
            return "nothing refunded yet"
        reference = sorted(seen.refunded)[len(seen.refunded) // 2]
        user_id, amount = seen.refunded[reference]
    posting = wallet_post(
        wallet=Wallet.objects.get(user_id=user_id), type=TransactionType.REFUND, amount=amount,
        reference_type="order", reference_id=reference, description=f"refund of order {reference}",
    )  # fmt: skip
    return "already refunded" if not posting.created else "refunded twice"


@pytest.fixture
def zone():
    zone = DeliveryZoneFactory()
    DeliveryTariffFactory(zone=zone)
    return zone


def test_1000_mixed_topups_payments_and_refunds_leave_the_books_right(zone):
    product = ProductFactory(
        seller=seller_with_pickup(), stock_quantity=10_000, base_price=Decimal("45000"), max_order_quantity=None
    )
    users = []
    for _ in range(20):
        user, address = buyer_with_address()
        user.test_address = address
        order_services.cart_for_user(user)
        users.append(user)
    wallets = [wallet_for(user) for user in users]
    ops = _operations(users)
    assert len(ops) == 1000
    seen = Seen()
    deadlocks_before = database_deadlocks()

    started = time.monotonic()
    with BalanceWatch([w.pk for w in wallets]) as watch:
        results = _run_all(ops, lambda op: _mixed(op, seen, product))
    elapsed = time.monotonic() - started

    errors = [(op[1], value) for op, kind, value in results if kind not in ("ok", "refused")]
    assert not errors, errors[:3]
    assert len(results) == 1000
    assert elapsed < 120, f"1,000 operations took {elapsed:.0f} s"
    # Only payments are refused: for want of money (nothing written), or a checkout whose cart
    # another checkout of the same buyer had just taken. Every hopeless purchase was refused.
    refused = [(op, value) for op, kind, value in results if kind == "refused"]
    for op, value in refused:
        assert op[1] in ("purchase", "hopeless", "checkout"), (op[1], value)
        if op[1] != "checkout":
            assert isinstance(value, InsufficientFunds)
            assert value.messages[0].startswith("Not enough money in your GoGoMoney wallet"), value.messages
        else:
            assert isinstance(value, InsufficientFunds) or value.messages == ["Your cart is empty."], value.messages
    assert sum(1 for op, _v in refused if op[1] == "hopeless") == HOPELESS
    assert not WalletTransaction.objects.filter(amount=-TOO_MUCH).exists()
    # Every kind of movement really happened, and refunds sent again moved nothing.
    outcomes = {}
    for op, kind, value in results:
        if kind == "ok":
            outcomes[(op[1], str(value))] = outcomes.get((op[1], str(value)), 0) + 1
    assert outcomes[("topup", PaymentState.SUCCEEDED)] == TOPUPS
    assert outcomes[("topup_declined", PaymentState.FAILED)] == DECLINED
    assert outcomes[("purchase", "paid")] > PURCHASES / 2
    assert outcomes[("checkout", "placed")] > CHECKOUTS / 2
    assert outcomes[("cancel", PaymentStatus.REFUNDED)] > CANCELS / 2
    assert outcomes[("refund", "refunded")] > REFUNDS / 2
    assert outcomes.get(("refund_again", "refunded twice"), 0) == 0
    assert outcomes[("refund_again", "already refunded")] > REFUNDS_AGAIN / 2

    # The books: clean, never negative, and exactly what the threads saw come in and go out.
    assert ledger_check() == []
    out = io.StringIO()
    call_command("check_ledger", stdout=out)  # raises CommandError (exit 1) on any mismatch
    assert "The ledger is consistent." in out.getvalue()
    assert watch.reads > 0 and watch.lowest >= 0
    assert not Wallet.objects.filter(balance__lt=0).exists()
    assert not WalletTransaction.objects.filter(balance_after__lt=0).exists()
    for user, wallet in zip(users, wallets, strict=True):
        wallet.refresh_from_db()
        expected = seen.money_in.get(user.pk, Decimal("0")) - seen.money_out.get(user.pk, Decimal("0"))
        assert wallet.balance == expected, user.pk
    total = Wallet.objects.filter(pk__in=[w.pk for w in wallets]).aggregate(total=Sum("balance"))["total"]
    money_in = (
        sum(seen.approved_payments.values())
        + sum(amount for _u, amount in seen.refunded.values())
        + sum(amount for _u, amount in seen.cancelled.values())
    )
    money_out = sum(
        amount
        for _u, amount in [*seen.purchases.values(), *seen.refunded.values(), *seen.orders.values(),
                           *seen.cancelled.values()]
    )  # fmt: skip
    assert total == money_in - money_out
    # One entry per movement: a deposit per approved payment (however often it called back),
    # none for a declined one, a purchase per paid order, a refund per refunded order.
    deposits = WalletTransaction.objects.filter(type=TransactionType.DEPOSIT, reference_type="payment")
    assert sorted(deposits.values_list("reference_id", flat=True)) == sorted(seen.approved_payments)
    assert Payment.objects.filter(pk__in=seen.declined_payments, state=PaymentState.FAILED).count() == DECLINED
    purchases = WalletTransaction.objects.filter(type=TransactionType.PURCHASE)
    assert sorted(purchases.values_list("reference_id", flat=True)) == sorted(
        [*seen.purchases, *seen.refunded, *seen.orders, *seen.cancelled]
    )
    refunds = WalletTransaction.objects.filter(type=TransactionType.REFUND)
    assert sorted(refunds.values_list("reference_id", flat=True)) == sorted([*seen.refunded, *seen.cancelled])
    # The real orders: paid from the wallet, or cancelled and refunded; nothing else was placed.
    assert set(Order.objects.values_list("pk", flat=True)) == {*seen.orders, *seen.cancelled}
    assert set(Order.objects.filter(payment_status=PaymentStatus.PAID).values_list("pk", flat=True)) == set(seen.orders)
    assert database_deadlocks() == deadlocks_before


# --- one idempotency key, 20 times at once -------------------------------------------------------------
def test_one_checkout_key_sent_20_times_at_once_charges_the_wallet_once(zone):
    product = ProductFactory(seller=seller_with_pickup(), stock_quantity=10, base_price=Decimal("150000"))
    buyer, address = buyer_with_address()
    order_services.cart_add(cart=order_services.cart_for_user(buyer), product_id=product.pk, quantity=2)
    wallet = wallet_for(buyer)
    wallet_post(wallet=wallet, type=TransactionType.BONUS, amount=Decimal("1000000"), description="start")

    def checkout(_n):
        orders, replayed, _url = order_services.checkout_place(
            buyer=buyer, address_id=address.pk, payment_method=PaymentMethod.GOGOMONEY,
            idempotency_key="pay-once-9c1e",
        )  # fmt: skip
        return [o.pk for o in orders], replayed

    results = _run_all(range(20), checkout)

    errors = [value for _a, kind, value in results if kind != "ok"]
    assert not errors, errors[:3]
    answers = [value for _a, _kind, value in results]
    assert len({tuple(ids) for ids, _replayed in answers}) == 1
    assert sorted(replayed for _ids, replayed in answers) == [False] + [True] * 19
    (order,) = Order.objects.all()
    assert order.buyer_id == buyer.pk and answers[0][0] == [order.pk]
    assert (order.payment_method, order.payment_status) == (PaymentMethod.GOGOMONEY, PaymentStatus.PAID)
    (charge,) = WalletTransaction.objects.filter(wallet=wallet, type=TransactionType.PURCHASE)
    assert (charge.reference_type, charge.reference_id, charge.amount) == ("order", order.pk, -order.total_amount)
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("1000000") - order.total_amount
    assert IdempotencyKey.objects.filter(user=buyer, scope="checkout").count() == 1
    assert ledger_check() == []


def test_one_topup_key_sent_20_times_at_once_makes_one_payment():
    buyer = BuyerFactory()

    def start(_n):
        payment, url, replayed = topup_start(user=buyer, amount="250000", idempotency_key="topup-once-41aa")
        return payment.pk, url, replayed

    results = _run_all(range(20), start)

    errors = [value for _a, kind, value in results if kind != "ok"]
    assert not errors, errors[:3]
    (payment,) = Payment.objects.filter(user=buyer)
    assert {(pk, url) for _a, _k, (pk, url, _r) in results} == {
        (payment.pk, SANDBOX.payment_page_url(payment, "/wallet/"))
    }
    assert sorted(replayed for _a, _k, (_pk, _url, replayed) in results) == [False] + [True] * 19
    assert (payment.amount, payment.state) == (Decimal("250000.00"), PaymentState.PENDING)
    # Nothing is credited before the provider says so.
    assert not WalletTransaction.objects.exists()


def test_20_copies_of_one_approve_callback_at_once_credit_the_wallet_once():
    buyer = BuyerFactory()
    payment, _url, _replayed = topup_start(user=buyer, amount="320000.50")
    callback = _callback(payment)

    results = _run_all(range(20), lambda _n: payment_callback(dict(callback)).state)

    assert outcome_counts(results) == {"ok": 20}
    assert {value for _a, _k, value in results} == {PaymentState.SUCCEEDED}
    (deposit,) = WalletTransaction.objects.filter(wallet__user=buyer)
    assert (deposit.type, deposit.reference_type, deposit.reference_id) == ("deposit", "payment", payment.pk)
    assert deposit.amount == Decimal("320000.50")
    assert wallet_for(buyer).balance == Decimal("320000.50")
    assert AuditLog.objects.filter(action="payment.succeeded", entity_id=payment.pk).count() == 1
    assert ledger_check() == []


# --- two workers on one payout -------------------------------------------------------------------------
class SlowCountingPayoutProvider(SandboxPayoutProvider):
    """The sandbox bank, slow enough for a second worker to arrive while the first is sending;
    counts every transfer asked for (the outside world, mocked at its adapter)."""

    sent = []
    lock = threading.Lock()

    def send(self, payout, account_number):
        with self.lock:
            self.sent.append(payout.pk)
        time.sleep(0.3)
        return super().send(payout, account_number)


@pytest.fixture
def counting_provider(settings):
    settings.PAYOUT_PROVIDER = f"{__name__}.SlowCountingPayoutProvider"
    providers._provider.cache_clear()
    SlowCountingPayoutProvider.sent.clear()
    yield SlowCountingPayoutProvider
    providers._provider.cache_clear()


def _pending_payout(amount=Decimal("300000")):
    seller = SellerFactory()
    account = bank_account_add(
        user=seller, bank_name="Kapitalbank", account_holder_name="Aziz Karimov", account_number="20208000123456789012"
    )
    bank_account_verify(account=account, actor=StaffFactory(role_type=AdminRoleType.ACCOUNTING))
    wallet_post(wallet=wallet_for(seller), type=TransactionType.DEPOSIT, amount=Decimal("1000000"),
                reference_type="commission", reference_id=seller.pk)  # fmt: skip
    payout, _replayed = payout_request(seller=seller, amount=amount, bank_account_id=account.pk)
    return seller, payout


@pytest.mark.parametrize("stale", [False, True], ids=["pending", "left-processing-by-a-crash"])
def test_two_workers_processing_one_payout_send_it_once(counting_provider, stale):
    seller, payout = _pending_payout()
    if stale:  # a worker was killed after taking it to processing, before the provider was asked
        Payout.objects.filter(pk=payout.pk).update(
            status=PayoutStatus.PROCESSING, updated_at=timezone.now() - timezone.timedelta(hours=1)
        )

    results = _run_all(range(2), lambda _n: payout_process(payout=Payout(pk=payout.pk)).status, workers=2)

    assert outcome_counts(results) == {"ok": 2}
    assert counting_provider.sent == [payout.pk]
    assert sorted(value for _a, _k, value in results) == [PayoutStatus.COMPLETED, PayoutStatus.PROCESSING]
    payout.refresh_from_db()
    assert (payout.status, payout.transaction_id) == (PayoutStatus.COMPLETED, f"sandbox-payout-{payout.pk}")
    assert AuditLog.objects.filter(action="payout.completed", entity_id=payout.pk).count() == 1
    # The hold was taken once and never given back.
    movements = WalletTransaction.objects.filter(wallet__user=seller, reference_type="payout")
    assert list(movements.values_list("type", "amount")) == [(TransactionType.PAYOUT, Decimal("-300000.00"))]
    assert wallet_for(seller).balance == Decimal("700000.00")
    assert ledger_check() == []
