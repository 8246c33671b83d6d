"""``seed_demo``: write the demo marketplace described in ``data``.

Guarantees:

* Deterministic: every generated value comes from a ``random.Random`` seeded with the seed and the
  row's own index, never from the database state, so the same options give the same data.
* Idempotent: each row is looked up by its natural key (user email, category slug, product SKU,
  zone name + city, tariff name within a zone, setting key, a demo order's note "Demo buyurtma
  NN.") and left alone when it exists: a second run inserts nothing, updates nothing and writes
  no files. Children (variants, attributes, addresses) are written only with their new parent;
  a user gets an address only while they have none; pictures are drawn for a seeded product that
  has none (so a later run without ``--no-images`` adds them).
* All or nothing: the whole seed is one transaction; if it fails, the picture files it wrote are
  deleted again.

Users are created through ``accounts.services`` (``user_create`` / ``staff_user_create``),
settings through ``setting_set`` and orders through ``orders.services`` (``cart_add``,
``checkout_place``, then ``order_transition`` step by step), so passwords are hashed, admin roles
granted, stock taken, delivery priced and every order step recorded as everywhere else.
"""

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.contrib.gis.geos import Point, Polygon
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch

from accounts.enums import AddressType, UserRole
from accounts.models import User, UserAddress
from accounts.selectors import default_delivery_address
from accounts.services import staff_user_create, user_create
from catalog.enums import ProductStatus
from catalog.models import Category, Product, ProductAttribute, ProductImage, ProductVariant
from delivery.models import DeliveryTariff, DeliveryZone
from delivery.services import pickup_address
from finance.enums import TransactionType
from finance.models import BankAccount
from finance.services.ledger import wallet_for, wallet_post
from finance.services.payouts import bank_account_add, bank_account_verify
from gogomarket.core.models import Setting
from gogomarket.core.services import setting_set
from gogomarket.core.text import slug_of
from orders.enums import OrderStatus, PaymentMethod
from orders.models import CartItem, Order
from orders.services import cart_add, cart_for_user, checkout_place, order_assign_courier, order_transition
from orders.services.cart import unit_price
from orders.services.lifecycle import courier_zone

from . import data
from .images import THUMBNAIL_SIZE, jpeg_bytes, product_picture

BATCH_SIZE = 50  # products per bulk insert (and per progress line)
# Publication dates are spread over the 300 days before this fixed moment (not "now"), so that
# two runs on different days still describe the same catalogue.
PUBLISHED_ANCHOR = datetime(2025, 10, 1, 10, 0, tzinfo=ZoneInfo("Asia/Tashkent"))
SKU_PREFIX = "GGM"


@dataclass
class SeedReport:
    """What a run did: rows created and rows found already there, per kind; files written."""

    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    files: list = field(default_factory=list)
    seconds: float = 0.0

    ORDER = (
        "settings", "categories", "delivery zones", "delivery tariffs", "users", "addresses", "products",
        "product variants", "product attributes", "product images", "orders", "wallet credits",
        "bank accounts",
    )  # fmt: skip

    def lines(self):
        touched = {*self.created, *self.existing}
        kinds = [k for k in self.ORDER if k in touched] + sorted(touched - set(self.ORDER))
        width = max((len(k) for k in kinds), default=0)
        for kind in kinds:
            yield f"  {kind:<{width}}  {self.created[kind]:>6} created  {self.existing[kind]:>6} already there"
        yield f"  image files written: {len(self.files)}"


class Progress:
    """Writes "label done/total" lines: about ten per task, and always the last one."""

    def __init__(self, log, label, total):
        self.log, self.label, self.total = log, label, total
        self.step = max(5, total // 10)
        self.done = 0

    def advance(self, count=1):
        before, self.done = self.done, self.done + count
        if self.total and (self.done == self.total or self.done // self.step != before // self.step):
            self.log(f"  {self.label} {self.done}/{self.total}")


def _silent(message):
    pass


def money(value, step=None):
    """A round UZS amount: to 10 000 above a million, else to 1 000."""
    value = Decimal(str(value))
    if step is None:
        step = Decimal(10_000) if value >= 1_000_000 else Decimal(1_000)
    return ((value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step).quantize(Decimal("0.01"))


def ean13(number):
    """A valid EAN-13 with the GS1 prefix of Uzbekistan (478)."""
    digits = f"478{number:09d}"
    total = sum(int(d) * (3 if k % 2 else 1) for k, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


# --- entry point ------------------------------------------------------------------------------
def seed_demo(*, size="small", products=None, images=True, seed=data.DEFAULT_SEED, all_passwords=False, log=None):
    """Build (or complete) the demo marketplace. Returns a SeedReport.

    ``size`` picks the counts of ``data.SIZES``; ``products`` overrides the product count;
    ``images=False`` skips drawing pictures; ``all_passwords`` gives the generated sellers,
    buyers and couriers the demo password too (slow: bcrypt), otherwise only the demo logins
    can sign in."""
    log = log or _silent
    counts = data.SIZES[size]
    if products is not None:
        counts = data.SeedSize(counts.sellers, counts.buyers, counts.couriers, products)
    report = SeedReport()
    started = time.monotonic()
    try:
        with transaction.atomic():
            settings_seed(report, log)
            leaves = categories_seed(report, log)
            zones_seed(report, log)
            demo_logins_seed(report, log)
            sellers = sellers_seed(counts.sellers, seed, all_passwords, report, log)
            buyers = buyers_seed(counts.buyers, seed, all_passwords, report, log)
            couriers = couriers_seed(counts.couriers, seed, all_passwords, report, log)
            products_seed(counts.products, seed, leaves, sellers, report, log)
            orders_seed(buyers, couriers, seed, report, log)
            money_seed(report, log)
            if images:
                images_seed(counts.products, seed, report, log)
    except BaseException:
        for name in report.files:
            default_storage.delete(name)
        raise
    report.seconds = time.monotonic() - started
    return report


# --- settings ---------------------------------------------------------------------------------
def settings_seed(report, log):
    existing = set(Setting.objects.filter(key__in=[s[0] for s in data.SETTINGS]).values_list("key", flat=True))
    for key, value, type_, is_public, description in data.SETTINGS:
        if key in existing:
            report.existing["settings"] += 1
            continue
        setting_set(key=key, value=value, type_=type_, description=description, is_public=is_public)
        report.created["settings"] += 1
    log(f"settings: {len(data.SETTINGS)}")


# --- categories -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaf:
    node: data.Category
    category: Category
    top: data.Category
    top_slug: str


def category_slugs():
    """(node, slug, parent slug, level, sort order, top node) for the whole tree, parents first."""
    rows, used = [], set()

    def walk(nodes, parent_slug, level, top):
        for position, node in enumerate(nodes, start=1):
            slug = node.slug or slug_of(node.name)
            if slug in used:
                slug = f"{parent_slug}-{slug}"
            used.add(slug)
            rows.append((node, slug, parent_slug, level, position, top or node))
            walk(node.children, slug, level + 1, top or node)

    walk(data.CATEGORY_TREE, None, 0, None)
    return rows


def categories_seed(report, log):
    """The three-level tree; returns the leaves (in tree order) with their Category rows."""
    rows = category_slugs()
    by_slug = {c.slug: c for c in Category.objects.filter(slug__in=[r[1] for r in rows])}
    leaves = []
    top_slugs = {}
    for node, slug, parent_slug, level, position, top in rows:
        if level == 0:
            top_slugs[id(node)] = slug
        category = by_slug.get(slug)
        if category is None:
            category = Category.objects.create(
                parent=by_slug[parent_slug] if parent_slug else None,
                name=node.name,
                slug=slug,
                description=node.description,
                level=level,
                sort_order=position,
                is_active=True,
                meta_title=f"{node.name} — Toshkentda arzon narxlarda | GOGOMARKET",
                meta_description=node.description,
            )
            by_slug[slug] = category
            report.created["categories"] += 1
        else:
            report.existing["categories"] += 1
        if not node.children:
            leaves.append(Leaf(node, category, top, top_slugs[id(top)]))
    log(f"categories: {len(rows)} ({len(leaves)} leaves)")
    return leaves


# --- delivery zones ---------------------------------------------------------------------------
def district_polygon(district):
    ring = list(district.polygon)
    return Polygon([*ring, ring[0]], srid=4326)


def tariffs_for(district):
    outskirts = district.base_cost > 18_000
    yield {
        "name": "Standart",
        "base_cost": Decimal(district.base_cost),
        "cost_per_km": Decimal(2_000),
        "cost_per_kg": Decimal(1_000),
        "min_order_amount": Decimal(30_000),
        "free_delivery_threshold": Decimal(500_000),
        "estimated_hours": 48 if outskirts else 24,
    }
    if district.express:
        yield {
            "name": "Ekspress",
            "base_cost": Decimal(35_000),
            "cost_per_km": Decimal(3_000),
            "cost_per_kg": Decimal(1_500),
            "min_order_amount": Decimal(50_000),
            "free_delivery_threshold": None,
            "estimated_hours": 3,
        }


def zones_seed(report, log):
    zones = {z.name: z for z in DeliveryZone.objects.filter(city=data.CITY)}
    tariffs = set(DeliveryTariff.objects.filter(zone__city=data.CITY).values_list("zone__name", "name"))
    for district in data.DISTRICTS:
        name = data.zone_name(district)
        zone = zones.get(name)
        if zone is None:
            zone = DeliveryZone.objects.create(
                name=name,
                description=f"Toshkent shahri, {district.name} tumani bo'ylab yetkazib berish.",
                city=data.CITY,
                districts=[district.name],
                polygon=district_polygon(district),
                is_active=True,
            )
            report.created["delivery zones"] += 1
        else:
            report.existing["delivery zones"] += 1
        for tariff in tariffs_for(district):
            if (name, tariff["name"]) in tariffs:
                report.existing["delivery tariffs"] += 1
                continue
            DeliveryTariff.objects.create(zone=zone, is_active=True, **tariff)
            report.created["delivery tariffs"] += 1
    log(f"delivery zones: {len(data.DISTRICTS)}")


def point_in_district(district, rng):
    """A random (lat, lon) as Decimals, inside the district's polygon."""
    polygon = district_polygon(district)
    x0, y0, x1, y1 = polygon.extent
    while True:
        lon = Decimal(str(round(rng.uniform(x0, x1), 6)))
        lat = Decimal(str(round(rng.uniform(y0, y1), 6)))
        if polygon.contains(Point(float(lon), float(lat), srid=4326)):
            return lat, lon


# --- people -----------------------------------------------------------------------------------
def _free_phone(phone):
    return None if User.objects.filter(phone=phone).exists() else phone


def _existing_emails(emails):
    return set(User.objects.filter(email__in=list(emails)).values_list("email", flat=True))


def demo_logins_seed(report, log):
    """The accounts of ``data.DEMO_LOGINS``, with the demo password; staff get their admin role."""
    existing = _existing_emails(login.email for login in data.DEMO_LOGINS)
    for login in data.DEMO_LOGINS:
        if login.email in existing:
            report.existing["users"] += 1
            continue
        fields = {
            "email": login.email,
            "password": data.DEMO_PASSWORD,
            "first_name": login.first_name,
            "last_name": login.last_name,
            "phone": _free_phone(login.phone),
            "email_verified": True,
            "phone_verified": True,
        }
        if login.admin_role:
            staff_user_create(role_type=login.admin_role, **fields)
        else:
            user_create(role=login.role, **fields)
        report.created["users"] += 1
    # The demo buyer has a default delivery address like every generated buyer.
    buyer = User.objects.get(email=data.DEMO_BUYER_EMAIL)
    _address_ensure(buyer, data.DISTRICTS[0], random.Random("demo-buyer"), report)
    log(f"demo logins: {len(data.DEMO_LOGINS)}")


@dataclass(frozen=True)
class SellerPlan:
    name: str
    email: str
    phone: str
    specialties: tuple


def seller_plans(count):
    plans = []
    shops = data.SHOPS
    for i in range(count):
        if i < len(shops):
            shop = shops[i]
            name, specialties, email = shop.name, shop.specialties, shop.email
        else:
            k = i - len(shops)
            prefixes, suffixes = data.SHOP_PREFIXES, data.SHOP_SUFFIXES
            name = f"{prefixes[k % len(prefixes)]} {suffixes[(k // len(prefixes)) % len(suffixes)]}"
            if k >= len(prefixes) * len(suffixes):
                name = f"{name} {k // (len(prefixes) * len(suffixes)) + 1}"
            specialties, email = (data.ALL_TOPS[i % len(data.ALL_TOPS)],), None
        email = email or f"{slug_of(name)}@{data.GENERATED_EMAIL_DOMAIN}"
        plans.append(SellerPlan(name, email, f"+998971{i:06d}", specialties))
    return plans


def _accounts_seed(label, plans, all_passwords, report, log):
    """Create the accounts of ``plans`` (dicts for user_create) that do not exist yet."""
    demo_emails = {login.email for login in data.DEMO_LOGINS}
    plans = [p for p in plans if p["email"] not in demo_emails]  # demo_logins_seed's own
    existing = _existing_emails(p["email"] for p in plans)
    progress = Progress(log, label, len(plans))
    for plan in plans:
        if plan["email"] in existing:
            report.existing["users"] += 1
        else:
            user_create(
                password=data.DEMO_PASSWORD if all_passwords else None,
                **{**plan, "phone": _free_phone(plan["phone"])},
            )
            report.created["users"] += 1
        progress.advance()


def sellers_seed(count, seed, all_passwords, report, log):
    """Sellers (shops). Returns [(SellerPlan, User)]."""
    plans = seller_plans(count)
    _accounts_seed(
        "sellers",
        [
            {"email": p.email, "first_name": p.name, "last_name": "", "phone": p.phone, "role": UserRole.SELLER}
            for p in plans
        ],
        all_passwords,
        report,
        log,
    )
    users = {u.email: u for u in User.objects.filter(email__in=[p.email for p in plans])}
    # A pickup point in a district zone (the distance part of the delivery cost starts there).
    with_address = _users_with_address(users.values())
    for i, plan in enumerate(plans):
        user = users[plan.email]
        if user.pk in with_address:
            report.existing["addresses"] += 1
            continue
        district = data.DISTRICTS[(i + 3) % len(data.DISTRICTS)]  # the demo shop in Shayxontohur
        rng = random.Random(f"{seed}:seller-address:{i}")
        _address_ensure(user, district, rng, report, labels=data.PICKUP_LABELS, instructions=data.PICKUP_INSTRUCTIONS)
    return [(p, users[p.email]) for p in plans]


def _users_with_address(users):
    return set(UserAddress.objects.filter(user__in=list(users)).values_list("user_id", flat=True))


def person(rng, female=None):
    female = rng.random() < 0.5 if female is None else female
    first = rng.choice(data.FEMALE_FIRST_NAMES if female else data.MALE_FIRST_NAMES)
    last = rng.choice(data.SURNAMES) + ("a" if female else "")
    return first, last


def buyer_plans(count, seed):
    plans = []
    for i in range(count):
        rng = random.Random(f"{seed}:buyer:{i}")
        first, last = person(rng)
        email = f"{slug_of(first)}.{slug_of(last)}{i + 1}@{data.GENERATED_EMAIL_DOMAIN}"
        plans.append(
            {
                "email": email,
                "first_name": first,
                "last_name": last,
                "phone": f"+998991{i:06d}",
                "role": UserRole.BUYER,
            }
        )
    return plans


def buyers_seed(count, seed, all_passwords, report, log):
    """Buyers, each with a default delivery address. Returns the Users in plan order."""
    plans = buyer_plans(count, seed)
    _accounts_seed("buyers", plans, all_passwords, report, log)
    users = {u.email: u for u in User.objects.filter(email__in=[p["email"] for p in plans])}
    with_address = _users_with_address(users.values())
    for i, plan in enumerate(plans):
        user = users[plan["email"]]
        if user.pk in with_address:
            report.existing["addresses"] += 1
            continue
        district = data.DISTRICTS[i % len(data.DISTRICTS)]
        _address_ensure(user, district, random.Random(f"{seed}:address:{i}"), report)
    return [users[plan["email"]] for plan in plans]


def _address_ensure(
    user, district, rng, report, labels=("Uy", "Uy", "Ish", "Ota-onamnikida"), instructions=data.DELIVERY_INSTRUCTIONS
):
    """A default delivery address in ``district`` for a user who has none."""
    if UserAddress.objects.filter(user=user).exists():
        report.existing["addresses"] += 1
        return
    lat, lon = point_in_district(district, rng)
    UserAddress.objects.create(
        user=user,
        type=AddressType.DELIVERY,
        is_default=True,
        label=rng.choice(labels),
        full_name=user.get_full_name(),
        phone=user.phone or "+998901234567",
        country=data.COUNTRY,
        city=data.CITY,
        district=district.name,
        street=rng.choice(district.streets),
        building=str(rng.randint(1, 120)),
        apartment=str(rng.randint(1, 90)) if rng.random() < 0.8 else None,
        postal_code=district.postal_code,
        latitude=lat,
        longitude=lon,
        delivery_instructions=rng.choice(instructions),
    )
    report.created["addresses"] += 1


def couriers_seed(count, seed, all_passwords, report, log):
    plans = []
    for i in range(count):
        rng = random.Random(f"{seed}:courier:{i}")
        first, last = person(rng, female=rng.random() < 0.15)
        plans.append(
            {
                "email": f"kuryer.{slug_of(first)}{i + 1}@{data.GENERATED_EMAIL_DOMAIN}",
                "first_name": first,
                "last_name": last,
                "phone": f"+998951{i:06d}",
                "role": UserRole.COURIER,
            }
        )
    _accounts_seed("couriers", plans, all_passwords, report, log)
    # A courier works in the zone of their home address (orders.services.lifecycle.courier_zone):
    # the demo courier in Yunusobod, where the demo buyer lives; the others district by district.
    users = {u.email: u for u in User.objects.filter(email__in=[p["email"] for p in plans])}
    demo = User.objects.get(email=data.DEMO_COURIER_EMAIL)
    with_address = _users_with_address([demo, *users.values()])
    homes = [(demo, data.DISTRICTS[0], "demo-courier")]
    homes += [(users[plan["email"]], data.DISTRICTS[i % len(data.DISTRICTS)], i) for i, plan in enumerate(plans)]
    for user, district, key in homes:
        if user.pk in with_address:
            report.existing["addresses"] += 1
            continue
        rng = random.Random(f"{seed}:courier-address:{key}")
        _address_ensure(user, district, rng, report, labels=data.COURIER_LABELS)
    return [user for user, _district, _key in homes]


# --- products ---------------------------------------------------------------------------------
def product_sku(i):
    return f"{SKU_PREFIX}-{i + 1:06d}"


def _variants(kind, base, rng):
    """[(name, attributes, price adjustment)] for a product of variant kind ``kind``."""
    if kind is None:
        return []
    if kind == "color":
        colors = rng.sample(data.COLORS, rng.randint(2, 4))
        return [(c, {"color": c}, Decimal("0.00")) for c in colors]
    if kind == "phone":
        colors = rng.sample(data.PHONE_COLORS, 2)
        options = data.VARIANT_KINDS["phone"][: rng.randint(2, 3)]
        return [
            (f"{label}, {c}", {**attrs, "color": c}, money(base * Decimal(str(share))))
            for attrs, share, label in options
            for c in colors
        ]
    options = data.VARIANT_KINDS[kind]
    if kind in ("clothing", "shoes", "kids", "baby"):
        color = rng.choice(data.COLORS)
        first = rng.randint(0, 1)
        return [
            (f"{color}, {label}", {"color": color, **attrs}, Decimal("0.00")) for attrs, _, label in options[first:]
        ]
    return [(label, dict(attrs), money(base * Decimal(str(share)))) for attrs, share, label in options]


def _description(name, brand, leaf, rng):
    top = leaf.top_slug
    lines = [
        f"{name} — {leaf.node.name.lower()} toifasidan {brand} mahsuloti. {leaf.node.description}",
        data.TOP_BLURBS[top],
        rng.choice(
            (
                "Toshkent bo'ylab 1-2 kun ichida yetkazib beramiz, Yunusobod va Chilonzorga — shu kunning o'zida.",
                "Buyurtmani kuryer orqali yoki topshirish punktidan olishingiz mumkin.",
                "To'lov: naqd, Uzcard, Humo yoki bank kartasi orqali.",
            )
        ),
        rng.choice(
            (
                "Доставка по Ташкенту за 1-2 дня. Оригинальный товар с гарантией.",
                "Оплата наличными или картой при получении.",
                "Original product, delivered across Tashkent in 1-2 days.",
            )
        ),
    ]
    return "\n\n".join(lines)


@dataclass
class ProductPlan:
    index: int
    sku: str
    leaf: Leaf
    seller: User
    fields: dict
    variants: list
    attributes: list


def product_plan(i, seed, leaves, sellers):
    rng = random.Random(f"{seed}:product:{i}")
    leaf = leaves[i % len(leaves)]
    # Each leaf starts its round at a different entry, so a small seed still mixes the
    # Uzbek, Russian and English names of the lists.
    brand, name, price = leaf.node.products[(i // len(leaves) + i) % len(leaf.node.products)]
    candidates = [user for plan, user in sellers if leaf.top_slug in plan.specialties] or [sellers[0][1]]
    seller = rng.choice(candidates)
    base = money(price * rng.choice((0.95, 1, 1, 1, 1.05, 1.1)))
    sale = money(base * Decimal(str(rng.choice((0.75, 0.8, 0.85, 0.9))))) if rng.random() < 0.3 else None
    cost = money(base * Decimal(str(round(rng.uniform(0.55, 0.8), 2))))
    (w0, w1), (length, width, height) = data.PACKS[leaf.node.pack]
    variants = _variants(leaf.node.variants, base, rng)
    variant_stock = [rng.choice((0, 3, 5, 8, 12, 20, 35, 50)) for _ in variants]
    if variants and not any(variant_stock):
        variant_stock[0] = 10
    stock = sum(variant_stock) if variants else rng.choice((5, 12, 25, 40, 60, 100, 150))
    sku = product_sku(i)
    fields = {
        "seller": seller,
        "category": leaf.category,
        "name": name,
        "slug": f"{slug_of(name)[:230]}-{i + 1}",
        "description": _description(name, brand, leaf, rng),
        "short_description": f"{brand}: {leaf.node.name.lower()}. {data.TOP_BLURBS[leaf.top_slug]}"[:500],
        "sku": sku,
        "barcode": ean13(i + 1),
        "brand": brand,
        "base_price": base,
        "sale_price": sale,
        "cost_price": cost,
        "currency": "UZS",
        "weight": Decimal(str(round(rng.uniform(w0, w1), 3))),
        "length": Decimal(length),
        "width": Decimal(width),
        "height": Decimal(height),
        "status": ProductStatus.ACTIVE,
        "is_featured": rng.random() < 0.12,
        "stock_quantity": stock,
        "view_count": rng.randint(0, 5000),
        "meta_title": f"{name} — narxi Toshkentda | GOGOMARKET"[:255],
        "meta_description": f"{name} ({brand}) GOGOMARKET'da: {leaf.node.description}",
        "meta_keywords": ", ".join((brand, leaf.node.name, leaf.top.name, "Toshkent", "yetkazib berish")),
        "published_at": PUBLISHED_ANCHOR - timedelta(days=rng.randint(0, 300), minutes=rng.randint(0, 600)),
    }
    attributes = [("Brend", brand)]
    attributes += [(attr, rng.choice(values)) for attr, values in data.TOP_ATTRIBUTES[leaf.top_slug]]
    colors = [v[1]["color"] for v in variants if "color" in v[1]]
    if colors:
        attributes.append(("Rang", ", ".join(dict.fromkeys(colors))))
    attributes.append(("Og'irligi", f"{fields['weight'].normalize():f} kg"))
    variant_rows = [
        (name_, attrs, adjustment, stock_)
        for (name_, attrs, adjustment), stock_ in zip(variants, variant_stock, strict=True)
    ]
    return ProductPlan(i, sku, leaf, seller, fields, variant_rows, attributes)


def products_seed(count, seed, leaves, sellers, report, log):
    """Products with their variants and attributes, in batches; existing SKUs are skipped."""
    progress = Progress(log, "products", count)
    for start in range(0, count, BATCH_SIZE):
        indexes = range(start, min(start + BATCH_SIZE, count))
        existing = set(Product.objects.filter(sku__in=[product_sku(i) for i in indexes]).values_list("sku", flat=True))
        plans = [product_plan(i, seed, leaves, sellers) for i in indexes if product_sku(i) not in existing]
        report.existing["products"] += len(indexes) - len(plans)
        created = Product.objects.bulk_create([Product(**plan.fields) for plan in plans])
        variants, attributes = [], []
        for plan, product in zip(plans, created, strict=True):
            variants += [
                ProductVariant(
                    product=product,
                    sku=f"{plan.sku}-{k + 1:02d}",
                    name=name,
                    attributes=attrs,
                    price_adjustment=adjustment,
                    stock_quantity=stock,
                    is_active=True,
                )
                for k, (name, attrs, adjustment, stock) in enumerate(plan.variants)
            ]
            attributes += [
                ProductAttribute(product=product, name=name, value=value, sort_order=k)
                for k, (name, value) in enumerate(plan.attributes)
            ]
        ProductVariant.objects.bulk_create(variants)
        ProductAttribute.objects.bulk_create(attributes)
        report.created["products"] += len(created)
        report.created["product variants"] += len(variants)
        report.created["product attributes"] += len(attributes)
        progress.advance(len(indexes))


# --- orders -----------------------------------------------------------------------------------
# The lifecycle steps that take a new (pending) order to each status, and who takes them; COURIER
# is "a courier takes the order": a courier of its zone claims it, else staff assign one.
COURIER = "courier"
_TO_READY = [("confirm", "seller"), ("process", "seller"), ("ready", "seller")]
_TO_DELIVERED = [
    *_TO_READY, (COURIER, None), ("pick_up", "courier"), ("start_delivery", "courier"), ("deliver", "courier"),
]  # fmt: skip
ORDER_STEPS = {
    OrderStatus.PENDING: [],
    OrderStatus.CONFIRMED: _TO_READY[:1],
    OrderStatus.PROCESSING: _TO_READY[:2],
    OrderStatus.READY_FOR_PICKUP: _TO_READY,
    OrderStatus.PICKED_UP: _TO_DELIVERED[:5],
    OrderStatus.IN_TRANSIT: _TO_DELIVERED[:6],
    OrderStatus.DELIVERED: _TO_DELIVERED,
    OrderStatus.REFUNDED: _TO_DELIVERED,  # then refunded, see _order_refund
}
# Demo orders take products priced between these: above the platform's and the standard tariffs'
# minimum order, and mostly below the free delivery threshold, so that delivery costs show.
MIN_ORDER_PRICE, MAX_ORDER_PRICE = Decimal(35_000), Decimal(3_000_000)


@dataclass(frozen=True)
class OrderPlan:
    number: int  # 1.., the natural key (in the note)
    buyer: User
    status: str
    from_demo_seller: bool

    @property
    def key(self):
        return f"{data.ORDER_NOTE_PREFIX} {self.number:02d}."


def order_plans(demo_buyer, buyers):
    """Every status for the demo buyer (from the demo shop and others in turn), then every status
    for other buyers, all from the demo shop."""
    plans = [
        OrderPlan(k + 1, demo_buyer, status, from_demo_seller=k % 2 == 0)
        for k, status in enumerate(data.ORDER_STATUSES)
    ]
    if buyers:
        start = len(plans)
        plans += [
            OrderPlan(start + k + 1, buyers[k % len(buyers)], status, from_demo_seller=True)
            for k, status in enumerate(data.ORDER_STATUSES)
        ]
    return plans


@dataclass
class _Stock:
    """A product (or one of its variants) a demo order can take without selling it out."""

    product: Product
    variant: ProductVariant | None
    left: int


def _order_stock(limit=300):
    """What demo orders may take, in SKU order: seeded, active, shipped, priced above the minimum
    order, in stock (an option of it, for a product with options). Each order takes one unit and
    leaves at least one, so no product sells out."""
    live = ProductVariant.objects.filter(is_active=True, deleted_at__isnull=True).order_by("pk")
    products = (
        Product.objects.filter(
            sku__startswith=f"{SKU_PREFIX}-",
            status=ProductStatus.ACTIVE,
            deleted_at__isnull=True,
            stock_quantity__gte=2,
            base_price__gte=MIN_ORDER_PRICE,
            base_price__lte=MAX_ORDER_PRICE,
        )
        .exclude(is_digital=True)
        .exclude(requires_shipping=False)
        .prefetch_related(Prefetch("variants", queryset=live, to_attr="live_options"))
        .order_by("sku")[:limit]
    )
    stock = []
    for product in products:
        if not product.live_options:
            stock.append(_Stock(product, None, product.stock_quantity - 1))
            continue
        variant = next((v for v in product.live_options if (v.stock_quantity or 0) >= 2), None)
        if variant is not None:
            stock.append(_Stock(product, variant, min(variant.stock_quantity, product.stock_quantity) - 1))
    return [s for s in stock if unit_price(s.product, s.variant) >= MIN_ORDER_PRICE]


def orders_seed(buyers, couriers, seed, report, log):
    """Demo orders in every status (``data.ORDER_STATUSES``), placed and moved by the real services."""
    demo_buyer = User.objects.get(email=data.DEMO_BUYER_EMAIL)
    plans = order_plans(demo_buyer, buyers)
    notes = Order.objects.filter(notes__startswith=f"{data.ORDER_NOTE_PREFIX} ").values_list("notes", flat=True)
    done = {note[: len(plans[0].key)] for note in notes}
    todo = [plan for plan in plans if plan.key not in done]
    report.existing["orders"] += len(plans) - len(todo)
    if not todo:
        log(f"orders: {len(plans)}")
        return
    stock = _order_stock()
    if not stock:
        log("orders: no product to order yet (seed some products first)")
        return
    demo_seller = User.objects.get(email=data.DEMO_SELLER_EMAIL)
    staff = User.objects.get(email=data.DEMO_ADMIN_EMAIL)
    by_zone = {}
    for courier in couriers:  # the first courier of each zone takes its orders (the demo courier first)
        zone = courier_zone(courier)
        if zone is not None:
            by_zone.setdefault(zone.pk, courier)
    progress = Progress(log, "orders", len(todo))
    for plan in todo:
        rng = random.Random(f"{seed}:order:{plan.number}")
        pool = [s for s in stock if s.left > 0]
        mine = [s for s in pool if (s.product.seller_id == demo_seller.pk) == plan.from_demo_seller] or pool
        if not mine:
            log(f"  order {plan.number} ({plan.status}) skipped: no stock left")
            continue
        line = mine[(plan.number * 7) % len(mine)]
        try:
            with transaction.atomic():
                _order_place(plan, line, rng, staff, by_zone, couriers)
        except ValidationError as error:
            # Not the seed's to force: say why and go on (the next run tries again).
            log(f"  order {plan.number} ({plan.status}) skipped: {error.messages}")
            continue
        line.left -= 1
        report.created["orders"] += 1
        progress.advance()


def _order_place(plan, line, rng, staff, by_zone, couriers):
    buyer = plan.buyer
    address = default_delivery_address(buyer)
    if address is None:
        raise ValidationError(f"{buyer.email} has no delivery address")
    cart = cart_for_user(buyer)
    if CartItem.objects.filter(cart=cart).exists():
        raise ValidationError(f"{buyer.email} has items in their cart")  # not ours to order
    cart_add(cart=cart, product_id=line.product.pk, variant_id=line.variant.pk if line.variant else None)
    (order,), _replayed, _redirect = checkout_place(
        buyer=buyer,
        address_id=address.pk,
        payment_method=PaymentMethod.CASH,
        notes=f"{plan.key} {rng.choice(data.ORDER_NOTES)}",
    )
    seller = order.seller
    pickup = pickup_address(seller.pk)
    if plan.status == OrderStatus.CANCELLED:
        if plan.number % 2:  # the buyer changes their mind, or the shop cannot serve it
            order_transition(order=order, action="cancel", actor=buyer, note=rng.choice(data.ORDER_CANCEL_NOTES))
        else:
            order_transition(order=order, action="reject", actor=seller, note=rng.choice(data.ORDER_REJECT_NOTES))
        return order
    courier = None
    for action, who in ORDER_STEPS[plan.status]:
        if action == COURIER:
            courier = by_zone.get(order.delivery_zone_id)
            if courier is not None:
                order = order_transition(order=order, action="claim", actor=courier)
            else:
                courier = couriers[plan.number % len(couriers)]
                order = order_assign_courier(order=order, courier=courier, actor=staff)
            continue
        actor = seller if who == "seller" else courier
        # Where the courier's phone was: at the shop, halfway, at the door.
        spot = {"pick_up": pickup, "deliver": address}.get(action)
        if action == "start_delivery" and pickup is not None and address.latitude is not None:
            spot = _halfway(pickup, address)
        order = order_transition(
            order=order,
            action=action,
            actor=actor,
            latitude=spot.latitude if spot else None,
            longitude=spot.longitude if spot else None,
        )
    if plan.status == OrderStatus.REFUNDED:
        _order_refund(order, staff)
    return order


@dataclass(frozen=True)
class _Spot:
    latitude: Decimal
    longitude: Decimal


def _halfway(a, b):
    q = Decimal("0.000001")
    return _Spot(((a.latitude + b.latitude) / 2).quantize(q), ((a.longitude + b.longitude) / 2).quantize(q))


def _order_refund(order, staff):
    # Staff refund the delivered cash order through the lifecycle's refund step: the money goes to
    # the buyer's GoGoMoney wallet, the commission is cancelled (finance listens to the refund), and
    # the goods are not put back in stock (a returned item is checked first).
    return order_transition(order=order, action="refund", actor=staff, note=data.ORDER_REFUND_NOTE)


# --- money ------------------------------------------------------------------------------------
def money_seed(report, log):
    """The demo buyer has GoGoMoney to pay with (a welcome bonus, once: the ledger records one
    bonus per reference), and the demo seller a verified bank account to ask payouts to. The
    seller's delivered demo orders are earnings on hold (released after ``payout_hold_days``)."""
    buyer = User.objects.get(email=data.DEMO_BUYER_EMAIL)
    posting = wallet_post(
        wallet=wallet_for(buyer), type=TransactionType.BONUS, amount=data.DEMO_WALLET_BONUS,
        reference_type="demo", reference_id=buyer.pk, description=data.DEMO_WALLET_BONUS_NOTE,
    )  # fmt: skip
    report.created["wallet credits"] += posting.created
    report.existing["wallet credits"] += not posting.created
    seller = User.objects.get(email=data.DEMO_SELLER_EMAIL)
    if BankAccount.objects.filter(user=seller, deleted_at__isnull=True).exists():
        report.existing["bank accounts"] += 1
    else:
        bank, holder, number, mfo = data.DEMO_BANK_ACCOUNT
        account = bank_account_add(
            user=seller, bank_name=bank, account_holder_name=holder, account_number=number, routing_number=mfo
        )
        bank_account_verify(account=account, actor=User.objects.get(email=data.DEMO_ADMIN_EMAIL))
        report.created["bank accounts"] += 1
    log("money: demo buyer's wallet, demo seller's bank account")


# --- pictures ---------------------------------------------------------------------------------
def _top_color(product, tops):
    category = product.category
    while category.parent_id is not None:
        category = category.parent
    return tops.get(category.slug, (100, 116, 139))


def images_seed(count, seed, report, log):
    """1-3 pictures (and thumbnails) for each seeded product that has none."""
    tops = {node.slug: node.color for node in data.CATEGORY_TREE}
    skus = [product_sku(i) for i in range(count)]
    has_image = ProductImage.objects.filter(product=OuterRef("pk"))
    todo = list(
        Product.objects.filter(sku__in=skus)
        .annotate(has_image=Exists(has_image))
        .filter(has_image=False)
        .select_related("category__parent__parent")
        .order_by("sku")
    )
    progress = Progress(log, "pictures", len(todo))
    rows = []
    for product in todo:
        rng = random.Random(f"{seed}:images:{product.sku}")
        color = _top_color(product, tops)
        total = rng.choice((1, 2, 2, 3))
        for k in range(total):
            picture = product_picture(
                title=product.name,
                brand=product.brand or "GOGOMARKET",
                category=product.category.name,
                color=color,
                rng=rng,
                index=k,
                count=total,
            )
            url = _store(f"products/{product.pk}/{k + 1}.jpg", jpeg_bytes(picture), report)
            thumbnail_url = _store(
                f"products/{product.pk}/{k + 1}_thumb.jpg", jpeg_bytes(picture, THUMBNAIL_SIZE), report
            )
            rows.append(
                ProductImage(
                    product=product,
                    url=url,
                    thumbnail_url=thumbnail_url,
                    alt_text=product.name[:255],
                    sort_order=k,
                    is_primary=k == 0,
                )
            )
        progress.advance()
        if len(rows) >= BATCH_SIZE:
            report.created["product images"] += len(ProductImage.objects.bulk_create(rows))
            rows = []
    report.created["product images"] += len(ProductImage.objects.bulk_create(rows))


def _store(name, content, report):
    # A file left at this name belongs to no image row (the product has none): replace it.
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(content))
    report.files.append(saved)
    return default_storage.url(saved)
