"""Checkout under real concurrency: real threads, each with its own PostgreSQL connection, on the
real test database (transactional tests, so every checkout commits for the others to see).

* 200 buyers check out the one product with 50 in stock at the same time: exactly 50 orders and
  50 units sold, 150 clear out-of-stock refusals, the stock never below zero, no deadlock.
* Carts holding the same three products, put in the cart in opposite orders, 100 at once: no
  deadlock (locks are taken by id, whatever the cart's order) and the stock adds up.
* The same submission sent many times at once (same idempotency key, or two clicks without
  one) places one set of orders.

The thread pools stay well below PostgreSQL's max_connections (100 here) on the 2-core machine:
WORKERS threads take the attempts from a queue until every attempt has been made.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connections

from catalog.enums import ProductStatus
from catalog.models import Product, ProductVariant
from catalog.tests.factories import ProductFactory, ProductVariantFactory
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory
from orders import services
from orders.models import CartItem, Order, OrderItem
from orders.tests.factories import buyer_with_address, seller_with_pickup
from tests.helpers import database_deadlocks, outcome_counts, run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 32


def _run_all(attempts, work, *, workers=WORKERS):
    return run_concurrently(attempts, work, workers=workers, name="checkout")


class StockWatch:
    """Reads the stock of some rows over and over on its own connection while the checkouts run;
    ``lowest`` is the smallest value seen."""

    def __init__(self, products=(), variants=()):
        self.products, self.variants = [p.pk for p in products], [v.pk for v in variants]
        self.lowest, self.reads = None, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="stock-watch")

    def _watch(self):
        try:
            while not self._stop.is_set():
                values = list(Product.objects.filter(pk__in=self.products).values_list("stock_quantity", flat=True))
                values += list(
                    ProductVariant.objects.filter(pk__in=self.variants).values_list("stock_quantity", flat=True)
                )
                low = min(values)
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


@pytest.fixture
def zone():
    zone = DeliveryZoneFactory()
    DeliveryTariffFactory(zone=zone)
    return zone


def _buyers_with(lines_in_order, count):
    """``count`` buyers with an address, each cart holding ``lines_in_order(n)`` = [(product,
    quantity, variant or None)], put in the cart in that order."""
    buyers = []
    for n in range(count):
        buyer, address = buyer_with_address()
        cart = services.cart_for_user(buyer)
        for product, quantity, variant in lines_in_order(n):
            services.cart_add(
                cart=cart, product_id=product.pk, variant_id=variant.pk if variant else None, quantity=quantity
            )
        buyers.append((buyer, address))
    return buyers


def _checkout(buyer_and_address, key=""):
    buyer, address = buyer_and_address
    orders, replayed, _url = services.checkout_place(
        buyer=buyer, address_id=address.pk, payment_method="cash", idempotency_key=key
    )
    return [o.pk for o in orders], replayed


# --- 200 buyers, 50 units -----------------------------------------------------------------------
def test_200_concurrent_checkouts_of_50_units_sell_exactly_50(zone):
    seller = seller_with_pickup()
    product = ProductFactory(seller=seller, name="iPhone 15 Pro", stock_quantity=50, max_order_quantity=None)
    buyers = _buyers_with(lambda n: [(product, 1, None)], 200)
    deadlocks_before = database_deadlocks()

    with StockWatch(products=[product]) as watch:
        results = _run_all(buyers, _checkout)

    counts = outcome_counts(results)
    errors = [value for _a, kind, value in results if kind in ("error", "deadlock")]
    assert not errors, errors[:3]
    assert len(results) == 200  # every checkout was attempted
    assert counts == {"ok": 50, "refused": 150}
    for _attempt, kind, value in results:
        if kind == "refused":
            assert value.messages == ["“iPhone 15 Pro” is out of stock."]
    assert Order.objects.count() == 50
    assert Order.objects.values("buyer").distinct().count() == 50
    assert sum(OrderItem.objects.values_list("quantity", flat=True)) == 50
    product.refresh_from_db()
    assert (product.stock_quantity, product.status) == (0, ProductStatus.OUT_OF_STOCK)
    assert watch.reads > 0 and watch.lowest >= 0
    # The refused buyers keep their carts; the served ones have empty carts.
    assert CartItem.objects.count() == 150
    assert database_deadlocks() == deadlocks_before


# --- the same three products in opposite orders --------------------------------------------------
def test_carts_with_the_same_products_in_opposite_orders_never_deadlock(zone):
    seller_a, seller_b = seller_with_pickup(), seller_with_pickup()
    kettle = ProductFactory(seller=seller_a, name="Choynak", stock_quantity=60)
    shirt = ProductFactory(seller=seller_a, name="Ko'ylak", stock_quantity=60)
    shirt_m = ProductVariantFactory(product=shirt, name="M", stock_quantity=60)
    phone = ProductFactory(seller=seller_b, name="Redmi", stock_quantity=60)
    lines = [(kettle, 1, None), (shirt, 1, shirt_m), (phone, 1, None)]
    buyers = _buyers_with(lambda n: lines if n % 2 == 0 else list(reversed(lines)), 100)
    # The carts really hold the items in opposite orders (a cart's own order is its lines' ids).
    first_lines = {
        CartItem.objects.filter(cart__user=buyer).order_by("pk").values_list("product_id", flat=True).first()
        for buyer, _address in buyers
    }
    assert first_lines == {kettle.pk, phone.pk}
    deadlocks_before = database_deadlocks()

    with StockWatch(products=[kettle, shirt, phone], variants=[shirt_m]) as watch:
        results = _run_all(buyers, _checkout)

    counts = outcome_counts(results)
    errors = [value for _a, kind, value in results if kind in ("error", "deadlock")]
    assert not errors, errors[:3]
    assert counts == {"ok": 60, "refused": 40}
    for _attempt, kind, value in results:
        if kind == "refused":
            assert all("out of stock" in message for message in value.messages), value.messages
    # All or none: each served buyer got one of each, in two orders (one per seller).
    assert Order.objects.count() == 120
    for product in (kettle, shirt, phone):
        sold = sum(OrderItem.objects.filter(product=product).values_list("quantity", flat=True))
        product.refresh_from_db()
        assert (sold, product.stock_quantity) == (60, 0)
    shirt_m.refresh_from_db()
    assert shirt_m.stock_quantity == 0
    assert watch.lowest >= 0
    assert database_deadlocks() == deadlocks_before


def test_opposite_orders_with_plenty_of_stock_all_succeed_and_the_stock_adds_up(zone):
    seller = seller_with_pickup()
    a, b, c = (ProductFactory(seller=seller, stock_quantity=1000) for _ in range(3))
    orders_of_lines = [[a, b, c], [c, b, a], [b, c, a], [a, c, b]]
    buyers = _buyers_with(lambda n: [(p, 1 + n % 3, None) for p in orders_of_lines[n % 4]], 100)
    wanted = sum(1 + n % 3 for n in range(100))

    results = _run_all(buyers, _checkout)

    assert outcome_counts(results) == {"ok": 100}
    for product in (a, b, c):
        product.refresh_from_db()
        assert product.stock_quantity == 1000 - wanted


# --- the same submission many times at once -------------------------------------------------------
def test_concurrent_submissions_with_one_idempotency_key_place_one_set_of_orders(zone):
    seller_a, seller_b = seller_with_pickup(), seller_with_pickup()
    kettle = ProductFactory(seller=seller_a, stock_quantity=10)
    phone = ProductFactory(seller=seller_b, stock_quantity=10)
    (buyer,) = _buyers_with(lambda n: [(kettle, 2, None), (phone, 1, None)], 1)

    results = _run_all([buyer] * 20, lambda b: _checkout(b, key="double-click-7f3a"), workers=20)

    errors = [value for _a, kind, value in results if kind != "ok"]
    assert not errors, errors[:3]
    answers = [value for _a, _kind, value in results]
    assert len({tuple(order_ids) for order_ids, _replayed in answers}) == 1
    assert sorted(replayed for _ids, replayed in answers) == [False] + [True] * 19
    assert Order.objects.count() == 2
    assert Product.objects.get(pk=kettle.pk).stock_quantity == 8
    assert Product.objects.get(pk=phone.pk).stock_quantity == 9


def test_concurrent_submissions_without_a_key_still_place_the_cart_once(zone):
    """Two clicks without a key: the cart is locked and emptied by the first, so the others find
    an empty cart."""
    product = ProductFactory(seller=seller_with_pickup(), stock_quantity=10, base_price=Decimal("100000"))
    (buyer,) = _buyers_with(lambda n: [(product, 3, None)], 1)

    results = _run_all([buyer] * 10, _checkout, workers=10)

    assert outcome_counts(results) == {"ok": 1, "refused": 9}
    for _attempt, kind, value in results:
        if kind == "refused":
            assert value.messages == ["Your cart is empty."]
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock_quantity == 7
