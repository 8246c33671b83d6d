#!/usr/bin/env python
"""Load the benchmark database: categories, sellers and products with variants, images and
attributes, written with PostgreSQL COPY.

    .venv/bin/python bench/generate.py                      # 100k products into gogomarket_bench_100000
    .venv/bin/python bench/generate.py --products 1000000   # the big catalog
    .venv/bin/python bench/generate.py --fresh              # reload even if already loaded

The database (default ``postgis:///gogomarket_bench_100000``, or $BENCH_DATABASE_URL; the ambient
DATABASE_URL is ignored so that the development database is never touched) is created from the
PostGIS template and migrated when missing. When it already holds the requested number of
products (and bench/terms.json describes it) nothing is done unless --fresh is given; any other
count means a reload, which drops and re-creates the database.

The search documents (product_search) and the typo vocabulary (search_terms) are filled by the
application's own statement-level triggers, which fire once per COPY batch.

At the end the planted search terms (selective and broad) are counted with the application's
own search code and written to bench/terms.json for bench/run.py.
"""

import argparse
import bisect
import itertools
import json
import os
import queue
import random
import re
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def terms_file(database_url):
    """The planted search terms of one benchmark database (bench/terms-<database>.json)."""
    name = database_url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    return BENCH / f"terms-{name}.json"


DEFAULT_DATABASE_URL = "postgis:///gogomarket_bench_100000"
PLACEHOLDER_IMAGE = "/static/img/placeholder-product.svg"

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import vocab  # noqa: E402

START = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - START:7.1f}s] {message}", flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Load the GOGOMARKET benchmark database with PostgreSQL COPY.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--products", type=int, default=100_000, help="number of products")
    parser.add_argument("--sellers", type=int, default=1_000, help="number of sellers")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="benchmark database (env BENCH_DATABASE_URL); its name must contain 'bench'",
    )
    parser.add_argument(
        "--template",
        default=os.environ.get("BENCH_DATABASE_TEMPLATE", "gogomarket_template"),
        help="PostGIS template the database is created from (made by scripts/setup.sh)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and reload even when already loaded")
    parser.add_argument("--batch", type=int, default=20_000, help="products per COPY batch (one transaction each)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel COPY connections")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same catalog)")
    parser.add_argument("--no-vacuum", action="store_true", help="skip VACUUM ANALYZE at the end")
    args = parser.parse_args(argv)
    if min(args.products, args.sellers, args.batch, args.jobs) < 1:
        parser.error("--products, --sellers, --batch and --jobs must be positive")
    return args


# --- database creation ------------------------------------------------------------------------
def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gogomarket.settings")
    import django

    django.setup()


def admin_connect(settings_db):
    """A connection to the maintenance database ``postgres`` of the same server and role."""
    import psycopg

    params = {"dbname": "postgres", "autocommit": True}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if settings_db.get(key):
            params[name] = str(settings_db[key])
    return psycopg.connect(**params)


def quote_ident(name):
    return '"' + name.replace('"', '""') + '"'


def database_exists(admin, name):
    return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_database(admin, name, template):
    """``createdb -T <template> <name>``; retried while someone else is connected to the template
    (test runs clone it too)."""
    for attempt in range(1, 11):
        try:
            admin.execute(f"CREATE DATABASE {quote_ident(name)} TEMPLATE {quote_ident(template)}")
            return
        except Exception as error:
            if "being accessed by other users" not in str(error) or attempt == 10:
                raise
            log(f"template {template} is in use, retrying ({attempt}/10)")
            time.sleep(2)


def products_loaded(connection):
    """Number of products, or None when the database is not migrated yet."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.products') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT count(*) FROM products")
        return cursor.fetchone()[0]


def already_loaded(args, db_name, count):
    terms_path = terms_file(args.database_url)
    if count != args.products or not terms_path.exists():
        return False
    try:
        terms = json.loads(terms_path.read_text())
    except ValueError:
        return False
    return terms.get("database") == db_name and terms.get("products") == args.products


# --- random helpers ---------------------------------------------------------------------------
class Picker:
    """Weighted choice in O(log n) with precomputed cumulative weights."""

    def __init__(self, items, weights, rng):
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]
        self.rng = rng

    def __call__(self):
        return self.items[bisect.bisect_right(self.cum, self.rng.random() * self.total)]


SLUG_RE = re.compile(r"[^a-z0-9]+")


def slug_part(text):
    return SLUG_RE.sub("-", text.lower().replace("'", "")).strip("-")


def tsv(value):
    """One field of COPY text format (the generated text has no tabs, newlines or backslashes)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def line(*values):
    return "\t".join(map(tsv, values))


# --- categories and sellers -------------------------------------------------------------------
def build_categories(rng):
    """[(id, parent_id, name, slug, level, sort_order, description)], leaves with their root."""
    rows, leaves = [], []
    next_id = itertools.count(1)
    for r, root in enumerate(vocab.ROOTS):
        root_id = next(next_id)
        rows.append((root_id, None, root.name, root.slug, 0, r, f"{root.name}: GOGOMARKET katalogi"))
        for s, sub in enumerate(root.subs):
            sub_id = next(next_id)
            sub_slug = f"{root.slug}-{slug_part(sub.name)}"
            rows.append((sub_id, root_id, sub.name, sub_slug, 1, s, f"{sub.name} ({root.name})"))
            for g, segment in enumerate(root.segments):
                leaf_id = next(next_id)
                name = f"{segment} {sub.name[0].lower()}{sub.name[1:]}"
                leaf_slug = f"{sub_slug}-{slug_part(segment)}"
                rows.append((leaf_id, sub_id, name, leaf_slug, 2, g, None))
                # Popularity of a leaf: the root's share, spread unevenly over its leaves.
                weight = root.weight * rng.paretovariate(1.5)
                leaves.append((leaf_id, root, sub, weight))
    return rows, leaves


def copy_categories(pg, rows):
    now = datetime.now(UTC).isoformat()
    with pg.cursor() as cursor:
        with cursor.copy(
            "COPY categories (id, parent_id, name, slug, level, sort_order, description, is_active, "
            "created_at, updated_at) FROM STDIN"
        ) as copy:
            copy.write(
                "\n".join(line(*row, True, now, now) for row in rows) + "\n",
            )


def copy_sellers(pg, count, rng, start_id):
    now = datetime.now(UTC)
    lines = []
    for k in range(count):
        uid = start_id + k
        created = (now - timedelta(days=rng.uniform(30, 1000))).isoformat()
        shop = f"{rng.choice(vocab.FIRST_NAMES)} {rng.choice(vocab.SHOP_WORDS)}"
        lines.append(
            line(
                uid,
                uuid.UUID(int=rng.getrandbits(128), version=4),
                f"bench-seller-{uid}@bench.gogomarket.uz",
                f"+99899{uid:07d}",
                "!" + uuid.UUID(int=rng.getrandbits(128)).hex,  # unusable password
                shop,
                rng.choice(vocab.LAST_NAMES),
                "seller",
                "active",
                True,
                True,
                created,
                created,
            )
        )
    with pg.cursor() as cursor:
        with cursor.copy(
            "COPY users (id, uuid, email, phone, password_hash, first_name, last_name, role, status, "
            "email_verified, phone_verified, created_at, updated_at) FROM STDIN"
        ) as copy:
            copy.write("\n".join(lines) + "\n")
    return list(range(start_id, start_id + count))


# --- products ---------------------------------------------------------------------------------
STATUSES = (("active", 88), ("draft", 4), ("inactive", 3), ("out_of_stock", 3), ("discontinued", 2))
PRODUCT_COLUMNS = (
    "id, seller_id, category_id, name, slug, description, short_description, sku, barcode, brand, "
    "base_price, sale_price, cost_price, currency, tax_rate, weight, length, width, height, status, "
    "is_featured, is_digital, requires_shipping, stock_quantity, low_stock_threshold, allow_backorder, "
    "min_order_quantity, view_count, rating_average, rating_count, meta_title, created_at, updated_at, "
    "published_at, deleted_at"
)
VARIANT_COLUMNS = (
    "product_id, sku, name, attributes, price_adjustment, stock_quantity, is_active, created_at, updated_at"
)
IMAGE_COLUMNS = "product_id, url, thumbnail_url, alt_text, sort_order, is_primary, created_at"
ATTRIBUTE_COLUMNS = "product_id, name, value, sort_order, created_at"


class ProductFactory:
    def __init__(self, rng, leaves, seller_ids, seed):
        self.rng = rng
        self.seed = seed
        self.leaf = Picker(leaves, [w for *_x, w in leaves], rng)
        # A few big sellers and a long tail of small ones.
        self.seller = Picker(seller_ids, [rng.paretovariate(1.2) for _ in seller_ids], rng)
        self.language = Picker([code for code, _w in vocab.LANGUAGES], [w for _c, w in vocab.LANGUAGES], rng)
        self.color = Picker(vocab.COLORS, [c[3] for c in vocab.COLORS], rng)
        self.status = Picker([s for s, _w in STATUSES], [w for _s, w in STATUSES], rng)
        self.variant_count = Picker((0, 1, 2, 3), (40, 25, 20, 15), rng)
        self.image_count = Picker((1, 2, 3), (45, 35, 20), rng)
        self.now = datetime.now(UTC).replace(microsecond=0)

    def model(self, root):
        rng = self.rng
        if root.slug == vocab.RARE_MODEL_ROOT and rng.random() < vocab.RARE_MODEL_SHARE:
            return vocab.RARE_MODEL
        return f"{rng.choice(vocab.MODEL_SERIES)}{rng.randint(1, 99) * 10}"

    def brand(self, root):
        rng = self.rng
        if root.slug == vocab.RARE_BRAND_ROOT and rng.random() < vocab.RARE_BRAND_SHARE:
            return vocab.RARE_BRAND
        return rng.choice(root.brands)

    def batch(self, first_id, count):
        """COPY text of products [first_id, first_id + count) and of their children."""
        rng = self.rng
        products, variants, images, attributes = [], [], [], []
        for pid in range(first_id, first_id + count):
            leaf_id, root, sub, _w = self.leaf()
            lang = self.language()
            index = {"uz": 0, "ru": 1, "en": 2}[lang]
            noun = sub.noun[index]
            brand = self.brand(root)
            model = self.model(root)
            extra = rng.choice(root.extras)
            color = self.color() if rng.random() < vocab.COLOR_IN_NAME else None
            if lang == "en":
                name = f"{brand} {model} {noun}"
            else:
                name = f"{noun[0].upper()}{noun[1:]} {brand} {model}"
            if extra:
                name += f" {extra}"
            if color:
                name += f", {color[index]}"
            warranty = rng.choice(vocab.WARRANTY)
            sentences = rng.sample(vocab.DESCRIPTION[lang], rng.randint(3, 5))
            description = " ".join(sentences).format(brand=brand, noun=noun, warranty=warranty, root=root.name)
            short = rng.choice(vocab.SHORT[lang]) if rng.random() < 0.6 else None
            sku = f"BN-{pid:08d}"
            slug = f"{slug_part(brand)}-{slug_part(sub.noun[2])}-{slug_part(model)}-{pid}"

            low, high = root.price
            base = round(low * (high / low) ** (rng.random() ** 1.5), -3)
            sale = round(base * rng.uniform(0.6, 0.95), -3) if rng.random() < 0.3 else None
            sale = sale if sale and sale < base else None  # rounding may reach the base price (a CHECK)
            cost = round(base * rng.uniform(0.5, 0.8), -3)
            status = self.status()
            deleted = rng.random() < 0.01
            stock = 0 if status == "out_of_stock" else min(999, 1 + int((rng.paretovariate(1.3) - 1) * 20))
            created = self.now - timedelta(seconds=rng.randrange(2 * 365 * 86400))
            published = None if status == "draft" else created + timedelta(hours=rng.randint(1, 72))
            updated = (published or created) + timedelta(days=rng.randint(0, 60))
            updated = min(updated, self.now)
            rated = rng.random() < 0.65
            products.append(
                line(
                    pid,
                    self.seller(),
                    leaf_id,
                    name,
                    slug,
                    description,
                    short,
                    sku,
                    f"478{rng.randrange(10**10):010d}",
                    brand,
                    f"{base:.2f}",
                    f"{sale:.2f}" if sale else None,
                    f"{cost:.2f}",
                    "UZS",
                    "12.00",
                    f"{rng.uniform(0.1, 30):.3f}",
                    f"{rng.uniform(5, 120):.2f}",
                    f"{rng.uniform(5, 80):.2f}",
                    f"{rng.uniform(1, 60):.2f}",
                    status,
                    rng.random() < 0.01,
                    False,
                    True,
                    stock,
                    10,
                    rng.random() < 0.05,
                    1,
                    min(int(rng.paretovariate(1.1) * 20) - 20, 2_000_000),
                    f"{rng.uniform(3.0, 5.0):.2f}" if rated else "0.00",
                    int(rng.paretovariate(1.4) * 3) if rated else 0,
                    name[:255],
                    created.isoformat(),
                    updated.isoformat(),
                    published.isoformat() if published else None,
                    updated.isoformat() if deleted else None,
                )
            )
            stamp = created.isoformat()
            main_attr = root.attributes[0]
            for k in range(self.variant_count()):
                v_color = self.color()
                v_value = main_attr[1][(pid + k) % len(main_attr[1])]
                attrs = json.dumps({"Rang": v_color[0], main_attr[0]: v_value}, ensure_ascii=False)
                variants.append(
                    line(
                        pid,
                        f"{sku}-V{k + 1}",
                        f"{v_color[0].capitalize()} / {v_value}",
                        attrs,
                        f"{rng.choice((0, 0, 10_000, 25_000, 50_000)) * k:.2f}",
                        rng.randint(0, 100),
                        rng.random() < 0.95,
                        stamp,
                        stamp,
                    )
                )
            for k in range(self.image_count()):
                images.append(line(pid, PLACEHOLDER_IMAGE, PLACEHOLDER_IMAGE, name[:255], k, k == 0, stamp))
            choices = list(root.attributes) + list(vocab.COMMON_ATTRIBUTES)
            for k, (attr_name, values) in enumerate(rng.sample(choices, min(len(choices), rng.randint(2, 5)))):
                attributes.append(line(pid, attr_name, rng.choice(values), k, stamp))
        return products, variants, images, attributes


def copy_rows(cursor, table, columns, rows, chunk=5_000):
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for start in range(0, len(rows), chunk):
            copy.write("\n".join(rows[start : start + chunk]) + "\n")


def load_products(args, factory, first_id):
    """One thread generates batches; ``args.jobs`` threads write them, each over its own
    connection (the statement triggers of a batch run in the backend that wrote it, so two
    writers keep two cores busy). A batch is two transactions: its products, then their children."""
    from django.db import connection

    batches = queue.Queue(maxsize=args.jobs + 1)
    stop = threading.Event()
    errors = []
    lock = threading.Lock()
    progress = {"products": 0, "children": 0}
    began = time.monotonic()

    def put(item):
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for start in range(0, args.products, args.batch):
                count = min(args.batch, args.products - start)
                if not put((count, factory.batch(first_id + start, count))):
                    return
        except BaseException as error:
            errors.append(error)
            stop.set()
        finally:
            for _ in range(args.jobs):
                put(None)

    def write():
        try:
            connection.ensure_connection()
            pg = connection.connection  # this thread's own psycopg connection
            while not stop.is_set():
                try:
                    item = batches.get(timeout=0.2)
                except queue.Empty:
                    continue
                if item is None:
                    return
                count, (products, variants, images, attributes) = item
                # Products commit on their own: the search trigger's vocabulary insert makes a
                # concurrent writer wait for this commit, which should not include the children.
                with pg.transaction(), pg.cursor() as cursor:
                    copy_rows(cursor, "products", PRODUCT_COLUMNS, products)
                with pg.transaction(), pg.cursor() as cursor:
                    copy_rows(cursor, "product_variants", VARIANT_COLUMNS, variants)
                    copy_rows(cursor, "product_images", IMAGE_COLUMNS, images)
                    copy_rows(cursor, "product_attributes", ATTRIBUTE_COLUMNS, attributes)
                with lock:
                    progress["products"] += count
                    progress["children"] += len(variants) + len(images) + len(attributes)
                    done, children = progress["products"], progress["children"]
                log(
                    f"products {done:>9,}/{args.products:,}  (+{children:,} variants/images/attributes)  "
                    f"{done / (time.monotonic() - began):,.0f} products/s"
                )
        except BaseException as error:
            errors.append(error)
            stop.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=produce, name="generate", daemon=True)]
    threads += [threading.Thread(target=write, name=f"write-{k}", daemon=True) for k in range(args.jobs)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    except BaseException:
        stop.set()
        raise
    if errors:
        raise errors[0]
    return progress["products"]


# --- terms ------------------------------------------------------------------------------------
def count_terms(total_products):
    from catalog import search
    from catalog.selectors import ListingFilters

    def measure(q):
        parsed = search.parse(q)
        _ids, matches = search.search_product_ids(parsed, filters=ListingFilters(), limit=1)
        return {"q": q, "matches": matches, "percent": round(100 * matches / max(total_products, 1), 3)}

    selective = [measure(vocab.RARE_BRAND.lower()), measure(vocab.RARE_MODEL.lower())]
    broad = [measure("qora"), measure("samsung"), measure("smartfon")]
    return selective, broad


def main(argv=None):
    args = parse_args(argv)
    setup_django(args.database_url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    db = settings.DATABASES["default"]
    name = db["NAME"]
    if "bench" not in name:
        sys.exit(f"refusing to load into {name!r}: the benchmark database name must contain 'bench'")
    log(f"benchmark database {name}: {args.products:,} products, {args.sellers:,} sellers (seed {args.seed})")

    with admin_connect(db) as admin:
        exists = database_exists(admin, name)
        if exists:
            try:
                count = products_loaded(connection)
            finally:
                connection.close()
            if not args.fresh and already_loaded(args, name, count):
                log(f"{name} already holds {count:,} products ({terms_file(args.database_url).name} matches)")
                log("nothing to do; use --fresh to reload")
                print(terms_file(args.database_url).read_text())
                return 0
            if count:  # another size, an interrupted load, or --fresh: start from an empty database
                log(f"{name} holds {count:,} products, reloading {args.products:,}: dropping it")
                admin.execute(f"DROP DATABASE {quote_ident(name)} WITH (FORCE)")
                exists = False
        if not exists:
            log(f"creating database {name} from template {args.template}")
            create_database(admin, name, args.template)

    terms_file(args.database_url).unlink(missing_ok=True)
    stage = time.monotonic()
    log("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    log(f"migrated in {time.monotonic() - stage:.1f}s")

    load_began = time.monotonic()
    rng = random.Random(args.seed)
    connection.ensure_connection()
    pg = connection.connection  # the psycopg 3 connection, in autocommit mode

    with pg.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM products")
        if cursor.fetchone()[0]:
            sys.exit(f"{name} is not empty after migrating; run with --fresh")
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM users")
        first_user = cursor.fetchone()[0]

    stage = time.monotonic()
    categories, leaves = build_categories(rng)
    with pg.transaction():
        copy_categories(pg, categories)
    roots = sum(1 for row in categories if row[4] == 0)
    log(f"categories: {len(categories)} ({roots} top-level, {len(leaves)} leaves) in {time.monotonic() - stage:.1f}s")

    stage = time.monotonic()
    with pg.transaction():
        seller_ids = copy_sellers(pg, args.sellers, rng, first_user)
    log(f"sellers: {len(seller_ids):,} in {time.monotonic() - stage:.1f}s")

    stage = time.monotonic()
    factory = ProductFactory(rng, leaves, seller_ids, args.seed)
    load_products(args, factory, first_id=1)
    log(f"products loaded in {time.monotonic() - stage:.1f}s")

    with pg.cursor() as cursor:
        for table in ("users", "categories", "products", "product_variants", "product_images", "product_attributes"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
            )
    load_seconds = time.monotonic() - load_began
    log(f"load finished in {load_seconds:.1f}s (categories, sellers, products and children, triggers)")

    if not args.no_vacuum:
        stage = time.monotonic()
        log("VACUUM ANALYZE")
        with pg.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        log(f"vacuumed in {time.monotonic() - stage:.1f}s")

    with pg.cursor() as cursor:
        counts = {}
        for table in (
            "categories",
            "products",
            "product_variants",
            "product_images",
            "product_attributes",
            "product_search",
            "search_terms",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT status, count(*) FROM products GROUP BY status ORDER BY 2 DESC")
        statuses = dict(cursor.fetchall())
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    log("rows: " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
    log("statuses: " + ", ".join(f"{status} {n:,}" for status, n in statuses.items()))
    log(f"database size {size / 2**20:,.0f} MB")

    selective, broad = count_terms(counts["products"])
    terms = {
        "database": name,
        "products": args.products,
        "seed": args.seed,
        "load_seconds": round(load_seconds, 1),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "selective": selective,
        "broad": broad,
    }
    terms_file(args.database_url).write_text(json.dumps(terms, indent=2, ensure_ascii=False) + "\n")
    log("search terms (matches among searchable products):")
    for kind in ("selective", "broad"):
        for term in terms[kind]:
            log(f"  {kind:<9} q={term['q']!r:<12} {term['matches']:>8,} matches ({term['percent']}%)")
    log(f"wrote {terms_file(args.database_url).relative_to(ROOT)}; total {time.monotonic() - START:.1f}s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: the database is incomplete; the next run reloads it")
