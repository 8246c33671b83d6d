#!/usr/bin/env python
"""Concurrent checkouts against the benchmark database: N buyers check out at once, on threads.

    .venv/bin/python bench/checkout.py                           # 200 checkouts of 50 units, 32 threads
    .venv/bin/python bench/checkout.py --checkouts 1000 --stock 400 --workers 40
    .venv/bin/python bench/checkout.py --products 3              # 3 products per cart, opposite orders

Each checkout is ``orders.services.checkout_place`` for a different buyer, called directly (no
HTTP server: this measures the service, its transaction and its row locks), each thread with its
own PostgreSQL connection. The table gives orders per second, p50/p95/p99 latency, the
out-of-stock answers and the deadlocks; the run fails (exit status 1) when the stock went below
zero, more units were sold than there were, or any checkout deadlocked or crashed.

The database (default ``postgis:///gogomarket_bench_100000``, or $BENCH_DATABASE_URL; the ambient
DATABASE_URL is ignored so the development database is never touched; the name must contain
``bench``) is the one bench/generate.py loads. The data the run needs is its own, made when
missing and recognisable by ``@checkout.bench.gogomarket.uz`` emails, the ``bench-checkout``
category and ``BENCH-CHECKOUT-*`` SKUs: a seller with a pickup point, the products, a small
delivery zone with one tariff, and one buyer with a default address per checkout. Before each run
the orders, carts, idempotency keys and checkout audit rows of those buyers are deleted and the
products' stock is reset; nothing else in the database is changed or removed. Redis keys go
under the prefix ``bench-checkout`` (cleared before and after the run).
"""

import argparse
import os
import queue
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgis:///gogomarket_bench_100000"
CACHE_PREFIX = "bench-checkout"
DOMAIN = "checkout.bench.gogomarket.uz"
SELLER_EMAIL = f"seller@{DOMAIN}"
BUYER_EMAIL = "buyer-{n:06d}@" + DOMAIN
CATEGORY_SLUG = "bench-checkout"
SKU = "BENCH-CHECKOUT-{k}"
ZONE_NAME = "Bench checkout zone"
TARIFF_NAME = "Bench checkout tariff"
# The buyers live at one point in Tashkent; the zone is a small square around it (so it is the
# smallest zone covering them, whatever other zones the database holds) and the seller's pickup
# point is 4.45 km north.
HOME = (Decimal("41.34000000"), Decimal("69.28000000"))
PICKUP = (Decimal("41.30000000"), Decimal("69.28000000"))
ZONE_BOUNDS = (69.25, 41.28, 69.31, 41.37)  # xmin, ymin, xmax, ymax (longitude, latitude)

sys.path.insert(0, str(ROOT))
START = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - START:6.1f}s] {message}", flush=True)


def die(message):
    print(f"bench/checkout.py: {message}", file=sys.stderr)
    sys.exit(2)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Run N concurrent checkouts (orders.services.checkout_place) on threads against the "
        "benchmark database and print throughput, latency, out-of-stock answers and deadlocks.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--checkouts", type=int, default=200, help="checkouts, each by a different buyer")
    parser.add_argument("--stock", type=int, default=50, help="units in stock of each product at the start")
    parser.add_argument(
        "--products",
        type=int,
        default=1,
        help="products in every cart (one unit each; with 2 or more, half the carts hold them in the opposite order)",
    )
    parser.add_argument("--workers", type=int, default=32, help="threads, each with its own database connection")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="benchmark database loaded by bench/generate.py (env BENCH_DATABASE_URL); its name must contain 'bench'",
    )
    parser.add_argument(
        "--migrate",
        action="store_true",
        help="apply pending migrations to the benchmark database first (otherwise the run stops and says so)",
    )
    args = parser.parse_args(argv)
    if min(args.checkouts, args.workers, args.products) < 1 or args.stock < 0:
        parser.error("--checkouts, --workers and --products must be positive, --stock 0 or more")
    if args.products > 20:
        parser.error("--products: at most 20")
    return args


# --- Django ---------------------------------------------------------------------------------------
def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ["CACHE_KEY_PREFIX"] = CACHE_PREFIX
    os.environ["DATABASE_CONN_MAX_AGE"] = "0"
    os.environ["DATABASE_POOL_MAX_SIZE"] = "0"  # one connection per thread, held for the whole run
    os.environ["DJANGO_SETTINGS_MODULE"] = "gogomarket.settings"
    import django

    django.setup()


def check_database(args):
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        die(f"refusing to run against {name!r}: the benchmark database name must contain 'bench'")
    try:
        connection.ensure_connection()
    except Exception as error:  # noqa: BLE001 - any connection failure means the same thing here
        die(f"cannot connect to {name!r} ({error}): run bench/generate.py first")
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in pending)
        if not args.migrate:
            die(f"{name} has unapplied migrations ({names}): run again with --migrate")
        from django.core.management import call_command

        log(f"migrating {name}: {names}")
        call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        used = cursor.fetchone()[0]
    if args.workers + 1 > limit - used - 5:
        die(f"--workers {args.workers} would exhaust PostgreSQL (max_connections {limit}, {used} in use)")
    return name


def clear_cache_prefix():
    from gogomarket.core.cache import redis_client

    client = redis_client()
    keys = list(client.scan_iter(match=f"{CACHE_PREFIX}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.unlink(*keys[start : start + 1000])
    return len(keys)


# --- the run's own data ---------------------------------------------------------------------------
def ensure_data(args):
    """The seller, products, zone, tariff and buyers of the run (made when missing); returns
    (products, buyers with their address ids)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.gis.geos import Polygon
    from django.db import transaction
    from django.utils import timezone

    from accounts.enums import AddressType, UserRole, UserStatus
    from accounts.models import User, UserAddress
    from catalog.enums import ProductStatus
    from catalog.models import Category, Product
    from delivery.models import DeliveryTariff, DeliveryZone
    from delivery.services import zone_for_point

    unusable = make_password(None)

    def address(user, at, label):
        return UserAddress(
            user=user, type=AddressType.DELIVERY, is_default=True, label=label, full_name=user.get_full_name(),
            phone="+998901234567", country="Uzbekistan", city="Tashkent", district="Yunusobod",
            street="Amir Temur ko'chasi 1", latitude=at[0], longitude=at[1],
        )  # fmt: skip

    with transaction.atomic():
        seller = User.objects.filter(email=SELLER_EMAIL).first()
        if seller is None:
            seller = User.objects.create(
                email=SELLER_EMAIL, first_name="Bench", last_name="Seller", role=UserRole.SELLER,
                status=UserStatus.ACTIVE, password=unusable,
            )  # fmt: skip
            address(seller, PICKUP, "Warehouse").save()
        category, _created = Category.objects.get_or_create(
            slug=CATEGORY_SLUG, defaults={"name": "Bench checkout", "level": 0, "is_active": True}
        )
        products = []
        for k in range(1, args.products + 1):
            product = Product.objects.filter(sku=SKU.format(k=k)).first()
            if product is None:
                product = Product.objects.create(
                    seller=seller, category=category, name=f"Bench checkout product {k}",
                    slug=f"bench-checkout-{k}", sku=SKU.format(k=k), description="Checkout benchmark.",
                    base_price=Decimal("120000"), tax_rate=Decimal("12"), weight=Decimal("1.250"),
                    status=ProductStatus.ACTIVE, stock_quantity=0, published_at=timezone.now(),
                )  # fmt: skip
            products.append(product)
        xmin, ymin, xmax, ymax = ZONE_BOUNDS
        polygon = Polygon(((xmin, ymin), (xmax, ymin), (xmax, ymax), (xmin, ymax), (xmin, ymin)), srid=4326)
        zone, _created = DeliveryZone.objects.get_or_create(
            city="Tashkent", name=ZONE_NAME, defaults={"polygon": polygon, "is_active": True}
        )
        if not DeliveryTariff.objects.filter(zone=zone, name=TARIFF_NAME).exists():
            DeliveryTariff.objects.create(
                zone=zone, name=TARIFF_NAME, base_cost=Decimal("15000"), cost_per_km=Decimal("2000"),
                cost_per_kg=Decimal("1000"), min_order_amount=Decimal("0"), free_delivery_threshold=None,
                estimated_hours=24, is_active=True,
            )  # fmt: skip

        emails = [BUYER_EMAIL.format(n=n) for n in range(1, args.checkouts + 1)]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        missing = [e for e in emails if e not in existing]
        if missing:
            User.objects.bulk_create(
                [
                    User(
                        email=e,
                        first_name="Bench",
                        last_name=f"Buyer {e[6:12]}",
                        role=UserRole.BUYER,
                        status=UserStatus.ACTIVE,
                        password=unusable,
                    )  # fmt: skip
                    for e in missing
                ],
                batch_size=1000,
            )
            log(f"made {len(missing):,} bench buyers")
        buyers = list(User.objects.filter(email__in=emails).order_by("email"))
        with_address = set(
            UserAddress.objects.filter(user__in=buyers, is_default=True, deleted_at__isnull=True).values_list(
                "user_id", flat=True
            )
        )
        UserAddress.objects.bulk_create(
            [address(b, HOME, "Home") for b in buyers if b.pk not in with_address], batch_size=1000
        )
        addresses = dict(
            UserAddress.objects.filter(user__in=buyers, is_default=True, deleted_at__isnull=True).values_list(
                "user_id", "pk"
            )
        )
    served_by = zone_for_point(*HOME)
    if served_by is None or served_by.pk != zone.pk:
        die(f"the buyers' point is served by {served_by} instead of {ZONE_NAME!r}: another zone covers it")
    return products, [(buyer, addresses[buyer.pk]) for buyer in buyers]


def reset(products, buyers, stock):
    """Remove what earlier runs left (the bench buyers' orders, carts, keys and checkout audit rows),
    put ``stock`` units on every product and fill each cart with one unit of each product, in the
    products' order for even buyers and the opposite order for odd ones."""
    from django.db import transaction
    from django.utils import timezone

    from catalog.enums import ProductStatus
    from catalog.models import Product
    from gogomarket.core.models import AuditLog, IdempotencyKey
    from orders.models import Cart, CartItem, Order

    users = [buyer for buyer, _address in buyers]
    with transaction.atomic():
        removed = Order.objects.filter(buyer__in=users).delete()[1].get("orders.Order", 0)
        AuditLog.objects.filter(user__in=users, action="order.checkout").delete()
        IdempotencyKey.objects.filter(user__in=users).delete()
        Cart.objects.filter(user__in=users).delete()
        Product.objects.filter(pk__in=[p.pk for p in products]).update(
            stock_quantity=stock, status=ProductStatus.ACTIVE if stock else ProductStatus.OUT_OF_STOCK,
            allow_backorder=False, min_order_quantity=1, max_order_quantity=None, deleted_at=None,
            sale_price=None, updated_at=timezone.now(),
        )  # fmt: skip
        carts = Cart.objects.bulk_create([Cart(user=user) for user in users], batch_size=1000)
        items = []
        for n, cart in enumerate(carts):
            for product in products if n % 2 == 0 else list(reversed(products)):
                items.append(CartItem(cart=cart, product=product, quantity=1, unit_price=product.base_price))
        CartItem.objects.bulk_create(items, batch_size=2000)
    if removed:
        log(f"removed {removed:,} orders of an earlier run")


# --- the run ----------------------------------------------------------------------------------------
def run(buyers, workers):
    """Every buyer checks out once, on ``workers`` threads started together. Returns (results,
    wall seconds) with results = [(kind, seconds, message)]."""
    from django.core.exceptions import ValidationError
    from django.db import OperationalError, connection, connections
    from django.utils import translation

    from orders.services import checkout_place

    todo = queue.Queue()
    for item in buyers:
        todo.put(item)
    results, lock = [], threading.Lock()
    ready = threading.Barrier(workers + 1)

    def worker():
        translation.activate("en")  # the answers are classified by their text
        try:
            connection.ensure_connection()  # connecting is not part of a checkout
            ready.wait()
            while True:
                try:
                    buyer, address_id = todo.get_nowait()
                except queue.Empty:
                    return
                began = time.perf_counter()
                try:
                    checkout_place(buyer=buyer, address_id=address_id, payment_method="cash")
                    kind, message = "placed", ""
                except ValidationError as error:
                    message = " ".join(error.messages)
                    kind = "out of stock" if ("out of stock" in message or " left." in message) else "refused"
                except OperationalError as error:
                    message = str(error).splitlines()[0]
                    kind = "deadlock" if "deadlock" in message.lower() else "error"
                except Exception as error:  # noqa: BLE001 - counted and shown, the run goes on
                    kind, message = "error", f"{type(error).__name__}: {error}"
                with lock:
                    results.append((kind, time.perf_counter() - began, message))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, name=f"checkout-{n}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    ready.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - began


class StockWatch(threading.Thread):
    """Reads the products' stock over and over on its own connection during the run."""

    def __init__(self, product_ids):
        super().__init__(name="stock-watch", daemon=True)
        self.product_ids, self.lowest, self.stop = product_ids, None, threading.Event()

    def run(self):
        from django.db import connections

        from catalog.models import Product

        try:
            while not self.stop.is_set():
                low = min(Product.objects.filter(pk__in=self.product_ids).values_list("stock_quantity", flat=True))
                self.lowest = low if self.lowest is None else min(self.lowest, low)
                time.sleep(0.01)
        finally:
            connections.close_all()


def database_deadlocks():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(deadlocks, 0) FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def percentile(values, fraction):
    """Nearest-rank percentile of ``values`` (seconds) in milliseconds; "-" when there are none."""
    if not values:
        return "-"
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return f"{ordered[rank - 1] * 1000:.1f}"


def report(args, name, results, wall, products, lowest, deadlocks_counted):
    from django.db.models import Sum

    from catalog.models import Product
    from orders.models import Order, OrderItem

    buyers = [BUYER_EMAIL.format(n=n) for n in range(1, args.checkouts + 1)]
    placed_checkouts = sum(1 for kind, _s, _m in results if kind == "placed")
    orders = Order.objects.filter(buyer__email__in=buyers).count()
    sold = (
        OrderItem.objects.filter(order__buyer__email__in=buyers, product__in=products).aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    left = list(Product.objects.filter(pk__in=[p.pk for p in products]).values_list("stock_quantity", flat=True))
    counts = {}
    for kind, _seconds, _message in results:
        counts[kind] = counts.get(kind, 0) + 1
    latencies = [seconds for _kind, seconds, _message in results]

    print()
    print(
        f"{args.checkouts} concurrent checkouts on {args.workers} threads, {args.products} product(s) per cart, "
        f"{args.stock} in stock each; database {name}"
    )
    header = (
        f"{'checkouts':>9}  {'workers':>7}  {'orders':>6}  {'orders/s':>8}  {'checkouts/s':>11}  {'p50 ms':>7}  "
        f"{'p95 ms':>7}  {'p99 ms':>7}  {'out of stock':>12}  {'deadlocks':>9}  {'errors':>6}"
    )
    print(header)
    print(
        f"{len(results):>9}  {args.workers:>7}  {orders:>6}  {orders / wall:>8.1f}  {len(results) / wall:>11.1f}  "
        f"{percentile(latencies, 0.50):>7}  {percentile(latencies, 0.95):>7}  {percentile(latencies, 0.99):>7}  "
        f"{counts.get('out of stock', 0):>12}  {counts.get('deadlock', 0):>9}  "
        f"{counts.get('error', 0) + counts.get('refused', 0):>6}"
    )
    print()
    print(f"{'answer':<14}  {'count':>5}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}")
    for kind in ("placed", "out of stock", "refused", "deadlock", "error"):
        times = [s for k, s, _m in results if k == kind]
        if times:
            print(
                f"{kind:<14}  {len(times):>5}  {percentile(times, 0.5):>7}  {percentile(times, 0.95):>7}  "
                f"{percentile(times, 0.99):>7}"
            )
    print()
    print(f"wall time {wall:.2f} s; mean latency {statistics.fmean(latencies) * 1000:.1f} ms")
    print(f"units sold per product {sold // len(products) if products else 0}, stock left {left}, lowest seen "
          f"{lowest if lowest is not None else '-'}; deadlocks reported by PostgreSQL {deadlocks_counted}")  # fmt: skip
    for kind in ("refused", "deadlock", "error"):
        messages = sorted({m for k, _s, m in results if k == kind})
        for message in messages[:5]:
            print(f"  {kind}: {message}")

    problems = []
    expected = min(args.checkouts, args.stock)
    if placed_checkouts != expected:
        problems.append(f"{placed_checkouts} checkouts placed, expected {expected}")
    if sold != placed_checkouts * len(products):
        problems.append(f"{sold} units sold by {placed_checkouts} checkouts of {len(products)} product(s)")
    if any(value < 0 for value in left) or (lowest is not None and lowest < 0):
        problems.append("the stock went below zero")
    if left != [args.stock - placed_checkouts] * len(products):
        problems.append(f"stock left {left}, expected {args.stock - placed_checkouts} each")
    if counts.get("deadlock") or deadlocks_counted:
        problems.append("deadlocks")
    if counts.get("error") or counts.get("refused"):
        problems.append("checkouts failed for another reason than stock")
    print("OK: every unit sold once, no deadlock" if not problems else "FAILED: " + "; ".join(problems))
    return not problems


def main(argv=None):
    args = parse_args(argv)
    setup_django(args.database_url)
    name = check_database(args)
    log(f"benchmark database {name}; cleared {clear_cache_prefix():,} Redis keys under {CACHE_PREFIX}:")
    products, buyers = ensure_data(args)
    reset(products, buyers, args.stock)
    log(f"{len(buyers):,} buyers with {args.products} product(s) in their carts, {args.stock} in stock each")
    from django.db import connection

    before = database_deadlocks()
    connection.close()
    watch = StockWatch([p.pk for p in products])
    watch.start()
    log(f"checking out on {args.workers} threads")
    results, wall = run(buyers, args.workers)
    watch.stop.set()
    watch.join(timeout=10)
    time.sleep(0.5)  # the backends that ended report their statistics
    counted = database_deadlocks() - before
    ok = report(args, name, results, wall, products, watch.lowest, counted)
    log(f"cleared {clear_cache_prefix():,} Redis keys under {CACHE_PREFIX}:")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
