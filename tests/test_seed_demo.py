"""``seed_demo`` builds a believable marketplace, can run again without changing anything, and
``demo_logins`` shows the accounts it creates."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.gis.geos import Point
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from accounts.enums import AdminRoleType, UserRole
from accounts.models import User, UserAddress
from catalog.enums import ProductStatus
from catalog.models import Category, Product, ProductImage
from delivery.models import DeliveryTariff, DeliveryZone
from delivery.services import pickup_address, zone_for_address
from demo import builder, data
from gogomarket.core.models import Setting
from gogomarket.core.services import setting_get
from orders.enums import OrderStatus, PaymentStatus, TrackingStatus
from orders.models import Order
from orders.services.lifecycle import courier_zone

pytestmark = pytest.mark.django_db

YUNUSOBOD_CENTRE = Point(69.285, 41.360, srid=4326)


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Row count of every model, and (pk, updated_at) of every row that has an updated_at."""
    counts, stamps = {}, {}
    for model in apps.get_models():
        counts[model._meta.label] = model.objects.count()
        if any(f.name == "updated_at" for f in model._meta.fields):
            stamps[model._meta.label] = set(model.objects.values_list("pk", "updated_at"))
    return counts, stamps


def media_files():
    root = Path(default_storage.location)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_small_seed_builds_a_three_level_catalogue():
    output = seed("--size", "small", "--no-images")

    assert "products 150/150" in output
    tops = Category.objects.filter(level=0, parent__isnull=True)
    assert tops.count() == len(data.CATEGORY_TREE) >= 8
    for top in tops:
        children = top.children.all()
        assert 3 <= children.count() <= 4, top.slug
        for child in children:
            assert child.level == 1
            grandchildren = child.children.all()
            assert 2 <= grandchildren.count() <= 4, child.slug
            for leaf in grandchildren:
                assert leaf.level == 2 and not leaf.children.exists()
                assert leaf.products.exists(), f"leaf {leaf.slug} has no products"
    assert not Product.objects.exclude(category__level=2).exists(), "products go in leaf categories only"
    assert all(c.slug and c.description for c in Category.objects.all())

    products = Product.objects.all()
    assert products.count() == 150
    assert not products.exclude(status=ProductStatus.ACTIVE).exists()
    assert not products.filter(published_at__isnull=True).exists()
    assert products.filter(is_featured=True).exists()
    assert products.filter(sale_price__isnull=False).exists()
    for product in products.filter(sale_price__isnull=False):
        assert product.sale_price < product.base_price
    for product in products:
        assert product.currency == "UZS"
        assert product.base_price % 1000 == 0, product.base_price  # round UZS amounts
        assert product.attributes.exists()
        assert product.seller.role == UserRole.SELLER
    assert products.filter(variants__isnull=False).distinct().count() > 100
    assert products.filter(seller__email=data.DEMO_SELLER_EMAIL).exists()


def test_small_seed_creates_people_who_can_sign_in():
    seed("--size", "small", "--no-images")

    for login in data.DEMO_LOGINS:
        user = authenticate(email=login.email, password=data.DEMO_PASSWORD)
        assert user is not None, login.email
        validate_password(data.DEMO_PASSWORD, user)  # the demo password passes the validators
        if login.admin_role:
            assert user.role == UserRole.ADMIN
            assert [r.role_type for r in user.admin_roles.all()] == [login.admin_role]
            assert user.is_staff
        else:
            assert user.role == login.role
    assert User.objects.get(email="admin@gogomarket.uz").is_superuser
    for role_type in AdminRoleType.values:
        assert User.objects.filter(role=UserRole.ADMIN, admin_roles__role_type=role_type).exists(), role_type

    sizes = data.SIZES["small"]
    assert User.objects.filter(role=UserRole.SELLER).count() == sizes.sellers
    assert User.objects.filter(role=UserRole.BUYER).count() == sizes.buyers + 1
    assert User.objects.filter(role=UserRole.COURIER).count() == sizes.couriers + 1
    # Generated accounts have no usable password unless --all-passwords is given.
    generated = User.objects.filter(email__endswith=data.GENERATED_EMAIL_DOMAIN).first()
    assert authenticate(email=generated.email, password=data.DEMO_PASSWORD) is None

    # Every buyer has one default delivery address, inside the zone of its district.
    for buyer in User.objects.filter(role=UserRole.BUYER):
        address = UserAddress.objects.get(user=buyer)
        assert address.is_default and address.city == data.CITY
        point = Point(float(address.longitude), float(address.latitude), srid=4326)
        zones = DeliveryZone.objects.filter(polygon__covers=point)
        assert [z.districts for z in zones] == [[address.district]]


def test_delivery_zones_are_valid_district_polygons():
    seed("--products", "0", "--no-images")

    zones = DeliveryZone.objects.filter(city=data.CITY)
    assert zones.count() == len(data.DISTRICTS) == 12
    for zone in zones:
        assert zone.polygon.valid, zone.name
        assert 6 <= zone.polygon.num_coords - 1 <= 12
        assert 1 <= zone.tariffs.count() <= 2
        assert zone.tariffs.filter(name="Standart", base_cost__gte=Decimal(15_000)).exists()
    assert DeliveryTariff.objects.filter(zone__in=zones, is_active=True).count() > len(data.DISTRICTS)
    # A known point lies in exactly one zone, Yunusobod (GIS query on the geography column).
    assert list(DeliveryZone.objects.filter(polygon__covers=YUNUSOBOD_CENTRE).values_list("name", flat=True)) == [
        "Yunusobod tumani"
    ]
    assert DeliveryZone.objects.filter(polygon__intersects=YUNUSOBOD_CENTRE).count() == 1
    # Each district's own centre is in its zone only.
    for district in data.DISTRICTS:
        names = DeliveryZone.objects.filter(polygon__covers=Point(*district.centre, srid=4326))
        assert list(names.values_list("name", flat=True)) == [data.zone_name(district)]
    # Neighbours share edges but do not overlap.
    polygons = [z.polygon for z in zones]
    for k, first in enumerate(polygons):
        for second in polygons[k + 1 :]:
            assert first.intersection(second).area < 1e-9


def test_settings_are_written_through_the_service():
    seed("--products", "0", "--no-images")

    assert setting_get("commission_rate_percent") == Decimal(10)
    assert setting_get("payout_hold_days") == Decimal(14)
    assert setting_get("card_payment_timeout_minutes") == Decimal(30)
    assert setting_get("return_window_days") == Decimal(14)
    assert setting_get("default_currency") == "UZS"
    public = set(Setting.objects.filter(is_public=True).values_list("key", flat=True))
    assert {"support_phone", "min_order_amount", "platform_name", "default_currency"} <= public
    assert "commission_rate_percent" not in public


def test_second_run_changes_nothing():
    first = seed("--products", "60", "--no-images")
    assert "rows created" in first
    counts, stamps = snapshot()
    assert counts["orders.Order"] == 2 * len(OrderStatus)  # the demo orders are part of it

    second = seed("--products", "60", "--no-images")

    assert snapshot() == (counts, stamps)
    assert "nothing to do" in second


def test_pictures_are_real_images_in_storage_and_not_drawn_twice():
    seed("--products", "4", "--no-images")
    assert not ProductImage.objects.exists() and media_files() == []

    seed("--products", "4")  # a later run with pictures draws them for the products that have none

    images = ProductImage.objects.select_related("product")
    assert images.exists()
    for product in Product.objects.all():
        assert 1 <= product.images.count() <= 3
        assert product.images.filter(is_primary=True).count() == 1
    for image in images:
        for url, largest in ((image.url, 800), (image.thumbnail_url, 300)):
            assert url.startswith(f"/media/products/{image.product_id}/")
            name = url.removeprefix("/media/")
            assert default_storage.url(name) == url and default_storage.exists(name)
            with default_storage.open(name) as handle, Image.open(handle) as picture:
                picture.verify()
            with default_storage.open(name) as handle, Image.open(handle) as picture:
                assert picture.format == "JPEG" and max(picture.size) == largest
    files = media_files()
    assert len(files) == 2 * images.count()
    counts, stamps = snapshot()

    seed("--products", "4")

    assert media_files() == files
    assert snapshot() == (counts, stamps)


def test_a_failed_seed_leaves_no_rows_and_no_files(monkeypatch):
    drawn = []
    real = builder.product_picture

    def picture_then_fail(**kwargs):
        drawn.append(kwargs["title"])
        if len(drawn) == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(builder, "product_picture", picture_then_fail)
    before, _ = snapshot()

    with pytest.raises(RuntimeError, match="disk full"):
        seed("--products", "3")

    assert len(drawn) == 3  # two pictures (four files) were written before the failure
    assert snapshot()[0] == before
    assert media_files() == []


def test_the_plan_is_deterministic():
    seed("--products", "0", "--no-images")
    leaves = builder.categories_seed(builder.SeedReport(), print)
    sellers = builder.sellers_seed(3, data.DEFAULT_SEED, False, builder.SeedReport(), print)

    first = [builder.product_plan(i, 7, leaves, sellers).fields for i in range(20)]
    again = [builder.product_plan(i, 7, leaves, sellers).fields for i in range(20)]
    other_seed = [builder.product_plan(i, 8, leaves, sellers).fields for i in range(20)]

    assert first == again
    assert first != other_seed
    assert builder.buyer_plans(10, 7) == builder.buyer_plans(10, 7)


def test_demo_logins_prints_an_aligned_table():
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    lines = out.getvalue().splitlines()

    table = [line for line in lines if "@gogomarket.uz" in line]
    assert len(table) == len(data.DEMO_LOGINS)
    for login in data.DEMO_LOGINS:
        assert any(login.role in line and login.email in line and data.DEMO_PASSWORD in line for line in table)
    assert len({line.index(line.split()[1]) for line in table}) == 1  # the emails form one column
    assert len({line.index(data.DEMO_PASSWORD) for line in table}) == 1  # and so do the passwords
    assert "run `manage.py seed_demo`" in out.getvalue()  # nothing seeded in this test


def test_sellers_ship_from_and_couriers_live_in_a_district_zone():
    seed("--products", "0", "--no-images")

    sellers = User.objects.filter(role=UserRole.SELLER)
    assert sellers.count() == data.SIZES["small"].sellers
    for seller in sellers:
        pickup = pickup_address(seller.pk)
        assert pickup is not None and pickup.is_default, seller.email
        assert zone_for_address(pickup) is not None, seller.email  # so cost_per_km applies
    couriers = User.objects.filter(role=UserRole.COURIER)
    assert couriers.count() == data.SIZES["small"].couriers + 1
    for courier in couriers:
        assert courier_zone(courier) is not None, courier.email
    # The demo courier works where the demo buyer lives: they can take the demo buyer's orders.
    demo_buyer_address = UserAddress.objects.get(user__email=data.DEMO_BUYER_EMAIL)
    assert courier_zone(User.objects.get(email=data.DEMO_COURIER_EMAIL)) == zone_for_address(demo_buyer_address)
    assert "no product to order yet" in seed("--products", "0", "--no-images")  # no products, no orders


def _statuses(history):
    """The history's statuses without repeats (a courier assignment keeps the status)."""
    steps = []
    for status in history:
        if not steps or steps[-1] != status:
            steps.append(status)
    return steps


LIFECYCLE = ["pending", "confirmed", "processing", "ready_for_pickup", "picked_up", "in_transit", "delivered"]


def test_demo_orders_in_every_status_through_the_real_services():
    seed("--products", "60", "--no-images")

    orders = Order.objects.select_related("buyer", "seller", "courier", "delivery_zone", "delivery_address")
    every = set(OrderStatus.values)
    demo_buyer = User.objects.get(email=data.DEMO_BUYER_EMAIL)
    assert set(orders.filter(buyer=demo_buyer).values_list("status", flat=True)) == every
    others = orders.exclude(buyer=demo_buyer)
    assert set(others.values_list("status", flat=True)) == every
    assert others.values("buyer").distinct().count() > 1
    assert set(orders.filter(seller__email=data.DEMO_SELLER_EMAIL).values_list("status", flat=True)) == every
    assert orders.count() == 2 * len(every)

    for order in orders.prefetch_related("status_history", "tracking", "items"):
        history = [h.status for h in sorted(order.status_history.all(), key=lambda h: (h.created_at, h.pk))]
        tracking = {t.status for t in order.tracking.all()}
        assert order.notes.startswith(data.ORDER_NOTE_PREFIX)
        assert order.order_number.startswith("GM") and len(order.items.all()) == 1
        assert order.delivery_address.user_id == order.buyer_id
        assert order.delivery_zone == zone_for_address(order.delivery_address)
        assert order.total_amount == order.subtotal + order.shipping_cost
        if order.status == OrderStatus.CANCELLED:
            assert _statuses(history) == ["pending", "cancelled"]
            assert order.cancelled_at and order.cancellation_reason and order.courier is None
        elif order.status == OrderStatus.REFUNDED:
            # Delivered, then refunded (set directly: returns are the disputes issue's).
            assert _statuses(history) == [*LIFECYCLE, "refunded"]
            assert order.payment_status == PaymentStatus.REFUNDED and order.actual_delivery_date
        else:
            assert _statuses(history) == LIFECYCLE[: LIFECYCLE.index(order.status) + 1], order.status
        if order.status in ("picked_up", "in_transit", "delivered", "refunded"):
            # A courier took it (claimed in their own zone, or assigned by staff) and reported
            # each step from the phone, with its position.
            assert order.courier is not None and TrackingStatus.ASSIGNED in tracking
            assert TrackingStatus.PICKED_UP in tracking
            assert all(t.latitude is not None for t in order.tracking.all() if t.status != TrackingStatus.ASSIGNED)
        if order.status == OrderStatus.DELIVERED:
            assert order.payment_status == PaymentStatus.PAID  # cash, paid to the courier
            assert TrackingStatus.DELIVERED in tracking
    # Delivery was priced from the seller's pickup point: the distance part shows on the bill.
    priced = [o for o in orders if o.shipping_cost > 0]
    assert priced
    for order in priced:
        standard = order.delivery_zone.tariffs.get(name="Standart")
        assert order.shipping_cost > standard.base_cost
    # The demo courier has orders of their own; no product was sold out by the demo orders.
    assert orders.filter(courier__email=data.DEMO_COURIER_EMAIL).exists()
    assert not Product.objects.exclude(status=ProductStatus.ACTIVE).exists()


def test_demo_money_the_buyer_can_pay_with_and_the_seller_can_be_paid_to():
    from django.test import TestCase

    # The seed commits; finance records delivered orders' commissions once it has (orders.hooks).
    with TestCase.captureOnCommitCallbacks(execute=True):
        seed("--products", "60", "--no-images")
    seed("--products", "60", "--no-images")  # once only

    from finance.enums import CommissionStatus, TransactionType
    from finance.models import BankAccount, Commission, WalletTransaction
    from finance.services.ledger import ledger_check, wallet_for
    from finance.services.payouts import bank_account_number

    buyer = User.objects.get(email=data.DEMO_BUYER_EMAIL)
    # The welcome bonus, and the refunded demo order paid back to the wallet by the refund step.
    refunded = Order.objects.get(buyer=buyer, status=OrderStatus.REFUNDED)
    assert wallet_for(buyer).balance == Decimal(data.DEMO_WALLET_BONUS) + refunded.total_amount
    assert sorted(WalletTransaction.objects.filter(wallet__user=buyer).values_list("type", flat=True)) == sorted(
        [TransactionType.REFUND, TransactionType.BONUS]
    )
    assert refunded.payment_status == PaymentStatus.REFUNDED
    seller = User.objects.get(email=data.DEMO_SELLER_EMAIL)
    (account,) = BankAccount.objects.filter(user=seller)
    assert account.is_verified and account.is_default
    assert bank_account_number(account) == data.DEMO_BANK_ACCOUNT[2] != account.account_number
    # Delivered demo orders earn on hold; the refunded one never pays out (no commission).
    commissions = dict(Commission.objects.filter(seller=seller).values_list("order__status", "status"))
    assert commissions == {OrderStatus.DELIVERED: CommissionStatus.PENDING}
    assert not Commission.objects.filter(order=refunded).exclude(status=CommissionStatus.CANCELLED).exists()
    assert ledger_check() == []
