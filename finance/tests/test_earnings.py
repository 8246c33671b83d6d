"""Commissions and seller earnings (finance.services.earnings).

A delivery through the order lifecycle records one commission (the platform's rate, or the
nearest category override); after the hold period ``earnings_release`` credits the seller's
wallet once with the order's total minus the commission and marks it paid. Orders that were
cancelled or refunded never pay out."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import TestCase
from django.utils import timezone

from accounts.tests.factories import SellerFactory
from catalog.tests.factories import CategoryFactory, ProductFactory
from finance import selectors
from finance.enums import CommissionStatus, TransactionType
from finance.models import Commission, Wallet, WalletTransaction
from finance.services import earnings
from finance.services.ledger import MAX_BALANCE, ledger_check, wallet_for
from finance.tests.factories import CommissionFactory
from gogomarket.core.enums import SettingType
from gogomarket.core.models import AuditLog
from gogomarket.core.services import setting_set
from orders import services as order_services
from orders.enums import OrderStatus, PaymentStatus
from orders.models import Order
from orders.tests.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db


def _number(key, value):
    setting_set(key=key, value=value, type_=SettingType.NUMBER)


def _order_on_the_road(*, price="123457.00", category=None, quantity=1, **kwargs):
    """A card-paid order in transit with one line of ``quantity`` x ``price`` (+ 15 000 shipping)."""
    order = OrderFactory(in_transit=True, items=0, **kwargs)
    product = ProductFactory(
        seller=order.seller, base_price=Decimal(price), **({"category": category} if category else {})
    )
    OrderItemFactory(order=order, product=product, quantity=quantity)
    order.refresh_from_db()
    return order


def _deliver(order):
    # The commission is recorded once the delivery has committed (orders.hooks.order_delivered).
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_services.order_transition(order=order, action="deliver", actor=order.courier)
    order.refresh_from_db()
    return order


def _seller_entries(seller):
    return list(WalletTransaction.objects.filter(wallet__user=seller).order_by("pk"))


# --- the commission recorded at delivery -------------------------------------------------------
def test_delivery_records_one_commission_at_the_platform_rate_rounded_half_up():
    _number("commission_rate_percent", "12.5")
    order = _order_on_the_road(price="123457.00")
    assert (order.subtotal, order.total_amount) == (Decimal("123457.00"), Decimal("138457.00"))

    _deliver(order)

    (commission,) = Commission.objects.filter(order=order)
    assert commission.seller_id == order.seller_id
    assert commission.commission_rate == Decimal("12.50")
    # 12.5 % of 123 457 = 15 432.125: half up (banker's rounding would give .12), on the items only
    assert commission.commission_amount == Decimal("15432.13")
    assert commission.order_amount == Decimal("138457.00")  # what the buyer paid, shipping included
    assert commission.status == CommissionStatus.PENDING
    assert commission.paid_at is None
    assert order.commission_amount == Decimal("15432.13")  # the order says the same


def test_without_the_setting_the_rate_is_ten_percent():
    order = _deliver(_order_on_the_road(price="99999.00"))

    commission = Commission.objects.get(order=order)
    assert (commission.commission_rate, commission.commission_amount) == (Decimal("10.00"), Decimal("9999.90"))


def test_a_category_override_wins_and_a_subcategory_inherits_its_nearest_ancestors():
    _number("commission_rate_percent", "10")
    electronics = CategoryFactory(slug="electronics")
    phones = CategoryFactory(slug="phones", parent=electronics)
    smartphones = CategoryFactory(slug="smartphones", parent=phones)
    cables = CategoryFactory(slug="cables", parent=electronics)
    books = CategoryFactory(slug="books")
    setting_set(key="commission_rate_by_category", value={"electronics": 5, "phones": "3.5"}, type_=SettingType.JSON)

    rates = {}
    for category in (smartphones, phones, cables, electronics, books):
        order = _deliver(_order_on_the_road(price="200000.00", category=category))
        commission = Commission.objects.get(order=order)
        rates[category.slug] = (commission.commission_rate, commission.commission_amount)

    assert rates == {
        "smartphones": (Decimal("3.50"), Decimal("7000.00")),  # its parent's override
        "phones": (Decimal("3.50"), Decimal("7000.00")),
        "cables": (Decimal("5.00"), Decimal("10000.00")),  # the grandparent's override
        "electronics": (Decimal("5.00"), Decimal("10000.00")),
        "books": (Decimal("10.00"), Decimal("20000.00")),  # no override: the platform's rate
    }


def test_the_recorded_rate_is_the_rate_the_amount_was_computed_with():
    """The rate column holds two decimals: a finer setting is rounded before it is used, so the
    row adds up (amount = items x rate / 100)."""
    category = CategoryFactory(slug="gadgets")
    setting_set(key="commission_rate_by_category", value={"gadgets": "12.345"}, type_=SettingType.JSON)

    order = _deliver(_order_on_the_road(price="100000.00", category=category))

    commission = Commission.objects.get(order=order)
    assert commission.commission_rate == Decimal("12.35")
    assert commission.commission_amount == Decimal("12350.00") == order.subtotal * commission.commission_rate / 100


def test_a_commission_is_recorded_once_however_often_delivery_is_reported():
    order = _deliver(_order_on_the_road())

    assert earnings.commission_record(order=order) is None  # a retry of the same delivery
    with pytest.raises(ValidationError):
        _deliver(order)  # a delivered order is not delivered again

    assert Commission.objects.filter(order=order).count() == 1


# --- release after the hold period --------------------------------------------------------------
@pytest.fixture
def delivered():
    _number("commission_rate_percent", "12.5")
    _number("payout_hold_days", "7")
    return _deliver(_order_on_the_road(price="123457.00"))


def test_nothing_is_released_before_the_hold_period_is_over(delivered):
    just_before = delivered.actual_delivery_date + timedelta(days=7) - timedelta(seconds=1)

    assert earnings.earnings_release(now=just_before) == (0, 0)

    assert _seller_entries(delivered.seller) == []
    assert Commission.objects.get(order=delivered).status == CommissionStatus.PENDING
    assert wallet_for(delivered.seller).balance == Decimal("0")


def test_after_the_hold_the_seller_gets_total_minus_commission_once(delivered):
    after_hold = delivered.actual_delivery_date + timedelta(days=7, minutes=1)
    commission = Commission.objects.get(order=delivered)

    assert earnings.earnings_release(now=after_hold) == (1, 0)
    assert earnings.earnings_release(now=after_hold) == (0, 0)
    assert earnings.earnings_release(now=after_hold + timedelta(days=30)) == (0, 0)

    (entry,) = _seller_entries(delivered.seller)
    earning = Decimal("138457.00") - Decimal("15432.13")
    assert (entry.type, entry.amount, entry.balance_before, entry.balance_after) == (
        TransactionType.DEPOSIT, earning, Decimal("0"), earning,
    )  # fmt: skip
    assert (entry.reference_type, entry.reference_id) == ("commission", commission.pk)
    assert entry.metadata["order"] == delivered.order_number
    assert wallet_for(delivered.seller).balance == earning == Decimal("123024.87")
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.PAID
    assert commission.paid_at is not None
    assert AuditLog.objects.filter(action="earnings.release", entity_id=commission.pk).count() == 1


def test_the_ledger_refuses_a_second_credit_for_the_same_commission(delivered):
    """A release that crashed after the credit but left the commission pending is run again."""
    after_hold = delivered.actual_delivery_date + timedelta(days=8)
    earnings.earnings_release(now=after_hold)
    Commission.objects.filter(order=delivered).update(status=CommissionStatus.PENDING, paid_at=None)

    assert earnings.earnings_release(now=after_hold) == (1, 0)

    assert len(_seller_entries(delivered.seller)) == 1
    assert wallet_for(delivered.seller).balance == Decimal("123024.87")
    assert Commission.objects.get(order=delivered).status == CommissionStatus.PAID


def test_the_hold_period_is_the_setting(delivered):
    _number("payout_hold_days", "30")
    release_at = delivered.actual_delivery_date + timedelta(days=8)

    assert earnings.earnings_release(now=release_at) == (0, 0)
    assert earnings.earnings_release(now=delivered.actual_delivery_date + timedelta(days=30)) == (1, 0)


@pytest.mark.parametrize("payment_status", [PaymentStatus.REFUNDED, PaymentStatus.FAILED, PaymentStatus.PENDING])
def test_an_order_not_paid_or_refunded_after_delivery_never_pays_out(delivered, payment_status):
    Order.objects.filter(pk=delivered.pk).update(payment_status=payment_status)

    assert earnings.earnings_release(now=delivered.actual_delivery_date + timedelta(days=8)) == (0, 1)
    assert earnings.earnings_release(now=delivered.actual_delivery_date + timedelta(days=9)) == (0, 0)

    assert Commission.objects.get(order=delivered).status == CommissionStatus.CANCELLED
    assert _seller_entries(delivered.seller) == []
    assert wallet_for(delivered.seller).balance == Decimal("0")


def test_a_cancelled_commission_never_pays_out(delivered):
    earnings.commission_cancel_for(delivered)

    assert earnings.earnings_release(now=delivered.actual_delivery_date + timedelta(days=8)) == (0, 0)

    assert Commission.objects.get(order=delivered).status == CommissionStatus.CANCELLED
    assert _seller_entries(delivered.seller) == []


def test_an_order_that_left_delivered_never_pays_out(delivered):
    Order.objects.filter(pk=delivered.pk).update(status=OrderStatus.CANCELLED)

    assert earnings.earnings_release(now=delivered.actual_delivery_date + timedelta(days=8)) == (0, 1)

    assert _seller_entries(delivered.seller) == []


def test_commission_cancel_for_leaves_a_paid_commission_alone(delivered):
    earnings.earnings_release(now=delivered.actual_delivery_date + timedelta(days=8))

    earnings.commission_cancel_for(delivered)

    assert Commission.objects.get(order=delivered).status == CommissionStatus.PAID


def test_release_credits_each_seller_their_own_orders_in_batches():
    _number("payout_hold_days", "7")
    first = _deliver(_order_on_the_road(price="100000.00"))
    second = _deliver(_order_on_the_road(price="100000.00", seller=first.seller))
    other = _deliver(_order_on_the_road(price="50000.00"))
    later = max(o.actual_delivery_date for o in (first, second, other)) + timedelta(days=8)

    assert earnings.earnings_release(now=later, batch=2) == (3, 0)

    # 10 % on the items; the seller keeps the shipping they paid for
    assert wallet_for(first.seller).balance == 2 * (Decimal("115000") - Decimal("10000"))
    assert wallet_for(other.seller).balance == Decimal("65000") - Decimal("5000")


# --- what a seller sees ---------------------------------------------------------------------------
def test_seller_balances_shows_the_wallet_as_available_and_held_earnings_as_pending(delivered):
    second = _deliver(_order_on_the_road(price="40000.00", seller=delivered.seller))
    a_day_later = delivered.actual_delivery_date + timedelta(days=1)
    Order.objects.filter(pk=second.pk).update(actual_delivery_date=a_day_later)
    refunded = _deliver(_order_on_the_road(price="70000.00", seller=delivered.seller))
    earnings.commission_cancel_for(refunded)

    # 138 457 - 15 432.13, and 55 000 - 5 000 (12.5 % of 40 000); the cancelled one is nothing
    assert selectors.seller_balances(delivered.seller) == (Decimal("0"), Decimal("123024.87") + Decimal("50000.00"))

    earnings.earnings_release(now=delivered.actual_delivery_date + timedelta(days=7, minutes=1))
    assert selectors.seller_balances(delivered.seller) == (Decimal("123024.87"), Decimal("50000.00"))

    earnings.earnings_release(now=a_day_later + timedelta(days=7, minutes=1))
    assert selectors.seller_balances(delivered.seller) == (Decimal("173024.87"), Decimal("0"))


def test_a_commission_that_cannot_be_credited_does_not_hold_up_the_others():
    _number("payout_hold_days", "7")
    full = _deliver(_order_on_the_road(price="100000.00"))
    fine = _deliver(_order_on_the_road(price="100000.00"))
    Wallet.objects.filter(pk=wallet_for(full.seller).pk).update(balance=MAX_BALANCE - 1)  # no room left
    later = max(o.actual_delivery_date for o in (full, fine)) + timedelta(days=8)

    assert earnings.earnings_release(now=later, batch=1) == (1, 0)

    assert Commission.objects.get(order=fine).status == CommissionStatus.PAID
    assert Commission.objects.get(order=full).status == CommissionStatus.PENDING  # the next run tries again
    assert wallet_for(full.seller).balance == MAX_BALANCE - 1


@pytest.mark.django_db(transaction=True)
def test_two_release_runs_at_once_take_the_wallets_in_one_order_and_never_deadlock(monkeypatch):
    # Commissions of two sellers as A B B A ..., batches of two: without one lock order a run holding
    # seller A's wallet waits for B's while another run holding B's waits for A's.
    sellers = [SellerFactory(), SellerFactory()]
    old = timezone.now() - timedelta(days=30)
    for n in range(40):
        order = OrderFactory(delivered=True, seller=sellers[(0, 1, 1, 0)[n % 4]], actual_delivery_date=old)
        CommissionFactory(order=order)
    expected = {s.pk: sum(earnings.earning_of(c) for c in Commission.objects.filter(seller=s)) for s in sellers}
    start, errors, results = threading.Barrier(4), [], []
    real_post = earnings.wallet_post

    def slow_post(**kwargs):  # each credit takes a while: the runs' batches overlap
        posting = real_post(**kwargs)
        time.sleep(0.05)
        return posting

    monkeypatch.setattr(earnings, "wallet_post", slow_post)

    def run():
        try:
            start.wait()
            results.append(earnings.earnings_release(batch=2))
        except Exception as error:  # noqa: BLE001 - a deadlock is what this test is about
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(released for released, _cancelled in results) == 40
    assert not Commission.objects.exclude(status=CommissionStatus.PAID).exists()
    for seller in sellers:
        assert wallet_for(seller).balance == expected[seller.pk]
    assert ledger_check() == []
