"""Rules of checkout (orders.services.checkout): one order per seller placed all or none, the
order lines as snapshots, totals and commission, delivery priced per seller from the zone's
tariffs, stock taken in the same transaction, idempotent submissions and order numbers. Every
refusal is checked to have written nothing."""

import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import UserAddressFactory
from catalog.enums import ProductStatus
from catalog.models import Product, ProductVariant
from catalog.tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory
from delivery.models import DeliveryZone
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory
from finance.services.earnings import commission_rate_for
from gogomarket.core.enums import SettingType
from gogomarket.core.models import AuditLog, IdempotencyKey
from gogomarket.core.services import IdempotencyConflict, setting_set
from orders import payments, services
from orders.enums import OrderStatus, PaymentMethod, PaymentStatus
from orders.models import CartItem, Order, OrderItem, OrderStatusHistory
from orders.services import checkout as checkout_module
from orders.tests.factories import PICKUP_TO_HOME_KM, buyer_with_address, seller_with_pickup

pytestmark = pytest.mark.django_db


# --- the world: a zone with a tariff, two sellers with pickup points, a buyer at home -------------
@pytest.fixture
def world():
    zone = DeliveryZoneFactory()
    # 15 000 base + 2 000 per km + 1 000 per kg, free from 500 000, 24 hours.
    tariff = DeliveryTariffFactory(zone=zone)
    seller_a = seller_with_pickup()  # 4.45 km from the buyer
    seller_b = seller_with_pickup(at=(Decimal("41.32"), Decimal("69.28")))  # 2.22 km from the buyer
    buyer, address = buyer_with_address()
    return SimpleNamespace(zone=zone, tariff=tariff, a=seller_a, b=seller_b, buyer=buyer, address=address)


def _fill(buyer, *lines):
    """Put (product, quantity) or (product, quantity, variant) lines in the buyer's cart."""
    cart = services.cart_for_user(buyer)
    for product, quantity, *variant in lines:
        services.cart_add(
            cart=cart, product_id=product.pk, variant_id=variant[0].pk if variant else None, quantity=quantity
        )
    return cart


def _place(world, *, buyer=None, address=None, **kwargs):
    buyer = buyer or world.buyer
    kwargs.setdefault("payment_method", PaymentMethod.CASH)
    address_id = kwargs.pop("address_id", (address or world.address).pk)
    return services.checkout_place(buyer=buyer, address_id=address_id, **kwargs)


def _written():
    """Everything checkout writes, counted (to prove a refusal wrote nothing)."""
    return {
        "orders": Order.objects.count(),
        "items": OrderItem.objects.count(),
        "history": OrderStatusHistory.objects.count(),
        "audit": AuditLog.objects.filter(action__startswith="order.").count(),
        "keys": IdempotencyKey.objects.count(),
    }


NOTHING = {"orders": 0, "items": 0, "history": 0, "audit": 0, "keys": 0}


def _stock(*rows):
    out = []
    for row in rows:
        model = ProductVariant if isinstance(row, ProductVariant) else Product
        out.append(model.objects.values_list("stock_quantity", flat=True).get(pk=row.pk))
    return out


def _cart_lines(buyer):
    return list(CartItem.objects.filter(cart__user=buyer).order_by("pk").values_list("product_id", "quantity"))


def _messages(error):
    return " ".join(error.value.messages)


def _set(key, value):
    setting_set(key=key, value=value, type_=SettingType.NUMBER)


# --- one order per seller -------------------------------------------------------------------
def test_a_cart_from_two_sellers_becomes_two_orders(world):
    kettle = ProductFactory(seller=world.a, name="Choynak Artel", stock_quantity=10)
    iron = ProductFactory(seller=world.a, name="Dazmol Philips", stock_quantity=10)
    phone = ProductFactory(seller=world.b, name="Redmi 13C", stock_quantity=10)
    _fill(world.buyer, (phone, 1), (kettle, 2), (iron, 1))

    orders, replayed, redirect_url = _place(world, notes="  Call before coming  ")

    assert replayed is False and redirect_url is None
    assert [o.seller_id for o in orders] == [world.a.pk, world.b.pk]
    by_seller = {o.seller_id: o for o in orders}
    assert sorted(by_seller[world.a.pk].items.values_list("product_id", "quantity")) == sorted(
        [(kettle.pk, 2), (iron.pk, 1)]
    )
    assert list(by_seller[world.b.pk].items.values_list("product_id", "quantity")) == [(phone.pk, 1)]
    for order in orders:
        order.refresh_from_db()
        assert order.buyer_id == world.buyer.pk
        assert (order.status, order.payment_status, order.payment_method) == ("pending", "pending", "cash")
        assert order.delivery_address_id == world.address.pk
        assert order.delivery_zone_id == world.zone.pk
        assert order.currency == "UZS"
        assert order.notes == "Call before coming"
        assert order.estimated_delivery_date == timezone.localtime(timezone.now() + timedelta(hours=24)).date()
        (history,) = order.status_history.all()
        assert (history.status, history.changed_by_id) == (OrderStatus.PENDING, world.buyer.pk)
    assert _cart_lines(world.buyer) == []
    audit = AuditLog.objects.get(action="order.checkout")
    assert audit.user_id == world.buyer.pk
    assert audit.new_values["orders"] == [o.order_number for o in orders]


# --- all or none ----------------------------------------------------------------------------
def test_a_line_of_seller_b_without_stock_places_nothing_from_seller_a(world):
    kettle = ProductFactory(seller=world.a, stock_quantity=10)
    phone = ProductFactory(seller=world.b, name="Redmi 13C", stock_quantity=10)
    assert world.a.pk < world.b.pk  # seller A's order would be written first
    _fill(world.buyer, (kettle, 2), (phone, 3))
    Product.objects.filter(pk=phone.pk).update(stock_quantity=2)  # someone else bought them meanwhile

    with pytest.raises(ValidationError) as error:
        _place(world, idempotency_key="first-try")

    assert "Only 2 of “Redmi 13C” left." in _messages(error)
    assert _written() == NOTHING
    assert _stock(kettle, phone) == [10, 2]
    assert _cart_lines(world.buyer) == [(kettle.pk, 2), (phone.pk, 3)]

    # Nothing was stored under the key either: once fixed, the same key places the orders.
    services.cart_item_set_quantity(
        cart=services.cart_for_user(world.buyer), item_id=CartItem.objects.get(product=phone).pk, quantity=2
    )
    orders, replayed, _url = _place(world, idempotency_key="first-try")
    assert len(orders) == 2 and not replayed
    assert _stock(kettle, phone) == [8, 0]


@pytest.mark.parametrize("what", ["product_inactive", "variant_inactive", "seller_b_below_tariff_minimum"])
def test_any_failing_line_of_seller_b_refuses_the_whole_checkout(world, what):
    kettle = ProductFactory(seller=world.a, stock_quantity=10)
    phone = ProductFactory(seller=world.b, base_price=Decimal("100000"), stock_quantity=10)
    variant = ProductVariantFactory(product=phone, stock_quantity=10)
    _fill(world.buyer, (kettle, 1), (phone, 1, variant))
    if what == "product_inactive":
        Product.objects.filter(pk=phone.pk).update(status=ProductStatus.INACTIVE)
    elif what == "variant_inactive":
        ProductVariant.objects.filter(pk=variant.pk).update(is_active=False)
    else:
        # The only tariff delivers from 150 000: seller A's order (200 000) is fine, B's (100 000) is not.
        Product.objects.filter(pk=kettle.pk).update(base_price=Decimal("200000"))
        world.tariff.min_order_amount = Decimal("150000")
        world.tariff.save()

    with pytest.raises(ValidationError):
        _place(world)

    assert _written() == NOTHING
    assert _stock(kettle, phone, variant) == [10, 10, 10]
    assert len(_cart_lines(world.buyer)) == 2


def test_a_failure_after_seller_as_order_was_written_rolls_everything_back(world, monkeypatch):
    kettle = ProductFactory(seller=world.a, stock_quantity=10)
    phone = ProductFactory(seller=world.b, stock_quantity=10)
    _fill(world.buyer, (kettle, 2), (phone, 1))
    real = checkout_module._order_create
    created = []

    def create_then_fail_for_b(buyer, seller_plan, *args):
        if seller_plan.seller.pk == world.b.pk:
            assert Order.objects.filter(seller=world.a).exists()  # A's order is in the transaction
            raise ValidationError("database said no")
        order = real(buyer, seller_plan, *args)
        created.append(order)
        return order

    monkeypatch.setattr(checkout_module, "_order_create", create_then_fail_for_b)

    with pytest.raises(ValidationError):
        _place(world, idempotency_key="k-1")

    assert len(created) == 1
    assert _written() == NOTHING
    assert _stock(kettle, phone) == [10, 10]
    assert len(_cart_lines(world.buyer)) == 2


def test_a_payment_handler_refusing_at_the_start_rolls_everything_back(world, monkeypatch):
    kettle = ProductFactory(seller=world.a, stock_quantity=10)
    phone = ProductFactory(seller=world.b, stock_quantity=10)
    _fill(world.buyer, (kettle, 2), (phone, 1))

    def refuse(self, *, orders, buyer, request=None):
        assert len(orders) == 2
        raise ValidationError({"payment_method": "The provider is down."})

    monkeypatch.setattr(payments.CashOnDelivery, "start", refuse)

    with pytest.raises(ValidationError) as error:
        _place(world)

    assert "The provider is down." in _messages(error)
    assert _written() == NOTHING
    assert _stock(kettle, phone) == [10, 10]
    assert len(_cart_lines(world.buyer)) == 2


# --- snapshots, totals, commission ----------------------------------------------------------
def test_order_lines_are_snapshots_of_the_purchase(world):
    shirt = ProductFactory(
        seller=world.a, name="Ko'ylak", sku="SHIRT-1", base_price=Decimal("120000"), sale_price=Decimal("100000"),
        tax_rate=Decimal("12"), stock_quantity=10,
    )  # fmt: skip
    blue = ProductVariantFactory(
        product=shirt, name="Ko'k, L", sku="SHIRT-1-BL", attributes={"color": "blue", "size": "L"},
        price_adjustment=Decimal("12000"), stock_quantity=5,
    )  # fmt: skip
    plain = ProductVariantFactory(
        product=shirt, name="Oq, M", sku=None, attributes={"color": "white"}, stock_quantity=5
    )
    book = ProductFactory(
        seller=world.a, name="Kitob", sku="BOOK-9", base_price=Decimal("99999"), tax_rate=Decimal("15")
    )
    free = ProductFactory(seller=world.a, name="Stiker", sku="STICK", base_price=Decimal("5000"), tax_rate=None)
    _fill(world.buyer, (shirt, 2, blue), (shirt, 1, plain), (book, 1), (free, 3))

    (order,) = _place(world)[0]
    # Later changes to the catalog do not touch what was bought.
    Product.objects.filter(pk=shirt.pk).update(name="Renamed", base_price=Decimal("1"), sale_price=None)
    ProductVariant.objects.filter(pk=blue.pk).update(name="Renamed", attributes={}, sku="X")

    rows = {
        (item.product_id, item.variant_id): item
        for item in OrderItem.objects.filter(order=order)
    }  # fmt: skip
    blue_line = rows[(shirt.pk, blue.pk)]
    assert (blue_line.product_name, blue_line.variant_name, blue_line.sku) == ("Ko'ylak", "Ko'k, L", "SHIRT-1-BL")
    assert blue_line.attributes == {"color": "blue", "size": "L"}
    assert (blue_line.quantity, blue_line.unit_price, blue_line.subtotal) == (
        2,
        Decimal("112000.00"),
        Decimal("224000.00"),
    )
    assert blue_line.tax_amount == Decimal("24000.00")  # 12% VAT inside: 224 000 x 12 / 112
    assert blue_line.discount_amount == Decimal("0.00")
    plain_line = rows[(shirt.pk, plain.pk)]
    assert (plain_line.variant_name, plain_line.sku) == (
        "Oq, M",
        "SHIRT-1",
    )  # the product's SKU when the variant has none
    assert plain_line.tax_amount == Decimal("10714.29")  # 100 000 x 12 / 112
    book_line = rows[(book.pk, None)]
    assert (book_line.product_name, book_line.variant_name, book_line.sku, book_line.attributes) == (
        "Kitob", None, "BOOK-9", None,
    )  # fmt: skip
    assert book_line.tax_amount == Decimal("13043.35")  # 99 999 x 15 / 115 = 13 043.347...
    assert rows[(free.pk, None)].tax_amount == Decimal("0.00")


def test_totals_contain_the_tax_and_add_shipping(world):
    _set("commission_rate_percent", "12.5")
    kettle = ProductFactory(
        seller=world.a, base_price=Decimal("112000"), tax_rate=Decimal("12"), weight=Decimal("1.25")
    )
    book = ProductFactory(seller=world.a, base_price=Decimal("99999"), tax_rate=Decimal("15"), weight=Decimal("1.25"))
    _fill(world.buyer, (kettle, 2), (book, 1))

    (order,) = _place(world)[0]
    order.refresh_from_db()

    assert order.subtotal == Decimal("323999.00")
    assert order.tax_amount == Decimal("24000.00") + Decimal("13043.35")  # contained, not added
    assert order.discount_amount == Decimal("0.00")
    # 15 000 + 2 000 x 4.45 km + 1 000 x 3.75 kg
    assert order.shipping_cost == Decimal("15000") + 2000 * PICKUP_TO_HOME_KM + Decimal("3750")
    assert order.shipping_cost == Decimal("27650.00")
    assert order.total_amount == order.subtotal + order.shipping_cost == Decimal("351649.00")
    assert order.commission_amount == Decimal("40499.88")  # 12.5% of 323 999 = 40 499.875


def test_commission_defaults_to_ten_percent_without_the_setting(world):
    _fill(world.buyer, (ProductFactory(seller=world.a, base_price=Decimal("123456")), 1))

    (order,) = _place(world)[0]

    assert order.commission_amount == Decimal("12345.60")


def test_commission_follows_the_setting_per_order(world):
    _set("commission_rate_percent", "7")
    _fill(
        world.buyer,
        (ProductFactory(seller=world.a, base_price=Decimal("100000")), 1),
        (ProductFactory(seller=world.b, base_price=Decimal("30000")), 2),
    )

    orders = _place(world)[0]

    assert [o.commission_amount for o in orders] == [Decimal("7000.00"), Decimal("4200.00")]


def test_commission_at_checkout_is_the_one_delivery_records_with_category_overrides(world):
    phones = CategoryFactory(slug="telefonlar")
    smartphones = CategoryFactory(slug="smartfonlar", parent=phones)
    setting_set(key="commission_rate_by_category", value={"telefonlar": 4.5}, type_=SettingType.JSON)
    _fill(
        world.buyer,
        (ProductFactory(seller=world.a, category=smartphones, base_price=Decimal("2000000")), 1),
        (ProductFactory(seller=world.b, base_price=Decimal("100000")), 1),
    )

    orders = _place(world)[0]

    # 4.5 % inherited from the parent category; the other seller's order at the platform's 10 %
    assert [o.commission_amount for o in orders] == [Decimal("90000.00"), Decimal("10000.00")]
    assert [commission_rate_for(o) for o in orders] == [Decimal("4.50"), Decimal("10.00")]


def test_the_price_charged_is_todays_not_the_one_in_the_cart(world):
    product = ProductFactory(seller=world.a, base_price=Decimal("100000"))
    _fill(world.buyer, (product, 1))
    Product.objects.filter(pk=product.pk).update(sale_price=Decimal("90000"))

    (order,) = _place(world)[0]

    assert order.items.get().unit_price == Decimal("90000.00")
    assert order.subtotal == Decimal("90000.00")


def test_a_price_changed_between_the_plan_and_the_stock_lock_is_planned_again(world, monkeypatch):
    """Checkout plans before it locks the stock rows; a seller changing the price in between gets
    the order planned again, so that totals, free delivery and the payment check agree."""
    product = ProductFactory(seller=world.a, base_price=Decimal("450000"), weight=None)
    _fill(world.buyer, (product, 1))
    real_plan, plans, checked = checkout_module.checkout_plan, [], []

    def plan_then_the_price_rises(**kwargs):
        plans.append(real_plan(**kwargs))
        if len(plans) == 1:
            Product.objects.filter(pk=product.pk).update(base_price=Decimal("520000"))
        return plans[-1]

    monkeypatch.setattr(checkout_module, "checkout_plan", plan_then_the_price_rises)
    monkeypatch.setattr(payments.CashOnDelivery, "check", lambda self, *, buyer, total: checked.append(total))

    (order,) = _place(world)[0]

    assert len(plans) == 2
    assert (order.subtotal, order.shipping_cost, order.total_amount) == (
        Decimal("520000.00"), Decimal("0.00"), Decimal("520000.00"),
    )  # fmt: skip
    assert order.items.get().unit_price == Decimal("520000.00")
    assert checked == [Decimal("520000.00")]


def test_a_price_changed_between_the_plan_and_the_lock_is_planned_again_on_the_stock_before_the_take(
    world, monkeypatch
):
    """The second plan judges the stock that is there before this checkout takes any (the last
    units in stock are sold, not refused as sold out by the order's own take)."""
    product = ProductFactory(seller=world.a, base_price=Decimal("450000"), stock_quantity=3)
    _fill(world.buyer, (product, 3))
    real_plan, plans = checkout_module.checkout_plan, []

    def plan_then_the_price_rises(**kwargs):
        plans.append(real_plan(**kwargs))
        if len(plans) == 1:
            Product.objects.filter(pk=product.pk).update(base_price=Decimal("460000"))
        return plans[-1]

    monkeypatch.setattr(checkout_module, "checkout_plan", plan_then_the_price_rises)

    (order,) = _place(world)[0]

    assert len(plans) == 2 and plans[1].ok
    assert order.items.get().unit_price == Decimal("460000.00")
    assert _stock(product) == [0]


def test_a_product_deleted_between_the_plan_and_the_stock_lock_refuses_the_checkout(world, monkeypatch):
    kettle = ProductFactory(seller=world.a, stock_quantity=10)
    gone = ProductFactory(seller=world.b, stock_quantity=10)
    _fill(world.buyer, (kettle, 1), (gone, 1))
    real_plan = checkout_module.checkout_plan

    def plan_then_the_product_is_deleted(**kwargs):
        plan = real_plan(**kwargs)
        Product.objects.filter(pk=gone.pk).delete()
        return plan

    monkeypatch.setattr(checkout_module, "checkout_plan", plan_then_the_product_is_deleted)

    with pytest.raises(ValidationError) as error:
        _place(world)

    assert "no longer on sale" in _messages(error)
    assert _written() == NOTHING
    assert _stock(kettle) == [10]


def test_a_seller_suspended_between_the_plan_and_the_stock_lock_refuses_the_checkout(world, monkeypatch):
    """Under the lock checkout judges the rows by the one rule of a visible product
    (``Product.objects.visible()``), the seller included, as the cart does."""
    from accounts.enums import UserStatus
    from accounts.models import User

    kettle = ProductFactory(seller=world.a, stock_quantity=10)
    phone = ProductFactory(seller=world.b, stock_quantity=10)
    _fill(world.buyer, (kettle, 1), (phone, 1))
    real_plan = checkout_module.checkout_plan

    def plan_then_the_seller_is_suspended(**kwargs):
        plan = real_plan(**kwargs)
        User.objects.filter(pk=world.b.pk).update(status=UserStatus.SUSPENDED)
        return plan

    monkeypatch.setattr(checkout_module, "checkout_plan", plan_then_the_seller_is_suspended)

    with pytest.raises(ValidationError) as error:
        _place(world)

    assert "no longer on sale" in _messages(error)
    assert _written() == NOTHING
    assert _stock(kettle, phone) == [10, 10]


# --- delivery ---------------------------------------------------------------------------------
def test_shipping_is_priced_per_seller_from_their_own_pickup_point(world):
    near = ProductFactory(seller=world.b, base_price=Decimal("50000"), weight=Decimal("1.25"))
    far = ProductFactory(seller=world.a, base_price=Decimal("50000"), weight=Decimal("2"))
    _fill(world.buyer, (near, 1), (far, 2))

    order_a, order_b = _place(world)[0]

    assert order_a.shipping_cost == Decimal("27900.00")  # 15 000 + 2 000 x 4.45 + 1 000 x 4
    assert order_b.shipping_cost == Decimal("20690.00")  # 15 000 + 2 000 x 2.22 + 1 000 x 1.25


def test_shipping_is_rounded_up_to_whole_som(world):
    world.tariff.cost_per_km = Decimal("333.33")
    world.tariff.save()
    _fill(world.buyer, (ProductFactory(seller=world.a, base_price=Decimal("100000"), weight=None), 1))

    (order,) = _place(world)[0]

    assert order.shipping_cost == Decimal("16484.00")  # 15 000 + 333.33 x 4.45 = 16 483.3185


def test_shipping_is_free_from_the_threshold(world):
    _fill(world.buyer, (ProductFactory(seller=world.a, base_price=Decimal("250000")), 2))

    (order,) = _place(world)[0]

    assert order.shipping_cost == Decimal("0.00")
    assert order.total_amount == Decimal("500000.00")


def test_a_seller_without_a_pickup_point_pays_no_distance(world):
    from accounts.tests.factories import SellerFactory

    nowhere = SellerFactory()
    _fill(world.buyer, (ProductFactory(seller=nowhere, base_price=Decimal("100000"), weight=Decimal("1")), 1))

    (order,) = _place(world)[0]

    assert order.shipping_cost == Decimal("16000.00")


def test_digital_products_ship_nothing(world):
    ebook = ProductFactory(
        seller=world.a, base_price=Decimal("100000"), is_digital=True, weight=Decimal("3"), stock_quantity=0
    )
    kettle = ProductFactory(seller=world.a, base_price=Decimal("100000"), weight=Decimal("1"))
    voucher = ProductFactory(seller=world.b, is_digital=True, stock_quantity=0)
    _fill(world.buyer, (ebook, 1), (kettle, 1), (voucher, 2))

    order_a, order_b = _place(world)[0]

    assert order_a.shipping_cost == Decimal("24900.00")  # the kettle's kilogram only
    assert order_b.shipping_cost == Decimal("0.00")
    assert order_b.total_amount == order_b.subtotal


def test_the_buyer_may_choose_another_tariff(world):
    express = DeliveryTariffFactory(
        zone=world.zone, name="Express", base_cost=Decimal("40000"), cost_per_km=Decimal("0"),
        cost_per_kg=Decimal("0"), free_delivery_threshold=None, estimated_hours=3,
    )  # fmt: skip
    cheap = {"base_price": Decimal("100000"), "weight": None}
    _fill(world.buyer, (ProductFactory(seller=world.a, **cheap), 1), (ProductFactory(seller=world.b, **cheap), 1))

    order_a, order_b = _place(world, tariffs={world.a.pk: express.pk})[0]

    assert order_a.shipping_cost == Decimal("40000.00")
    assert order_a.estimated_delivery_date == timezone.localtime(timezone.now() + timedelta(hours=3)).date()
    assert order_b.shipping_cost == Decimal("19440.00")  # the cheapest: 15 000 + 2 000 x 2.22


@pytest.mark.parametrize("tariff", ["of_another_zone", "inactive", "missing", "not_a_number"])
def test_a_tariff_that_is_not_offered_is_refused(world, tariff):
    if tariff == "of_another_zone":
        chosen = DeliveryTariffFactory().pk
    elif tariff == "inactive":
        chosen = DeliveryTariffFactory(zone=world.zone, is_active=False).pk
    elif tariff == "missing":
        chosen = 987_654_321
    else:
        chosen = "express"
    _fill(world.buyer, (ProductFactory(seller=world.a), 1))

    with pytest.raises(ValidationError) as error:
        _place(world, tariffs={world.a.pk: chosen})

    assert "delivery option is not available" in _messages(error)
    assert _written() == NOTHING


def test_a_tariff_choice_for_a_seller_id_that_is_not_a_number_is_ignored(world):
    _fill(world.buyer, (ProductFactory(seller=world.a, base_price=Decimal("100000"), weight=None), 1))

    (order,) = _place(world, tariffs={"abc": world.tariff.pk, "": "1"})[0]

    assert order.shipping_cost == Decimal("23900.00")


def test_a_tariff_below_its_minimum_is_not_offered(world):
    world.tariff.min_order_amount = Decimal("300000")
    world.tariff.save()
    DeliveryTariffFactory(
        zone=world.zone, name="Small orders", base_cost=Decimal("30000"), cost_per_km=0, cost_per_kg=0
    )
    _fill(world.buyer, (ProductFactory(seller=world.a, base_price=Decimal("100000")), 1))

    (order,) = _place(world)[0]

    assert order.shipping_cost == Decimal("30000.00")


def test_an_order_below_every_tariffs_minimum_is_refused_with_how_much_to_add(world):
    world.tariff.min_order_amount = Decimal("150000")
    world.tariff.save()
    product = ProductFactory(seller=world.a, base_price=Decimal("100000"))
    _fill(world.buyer, (product, 1))

    with pytest.raises(ValidationError) as error:
        _place(world)

    assert "starts from an order of 150" in _messages(error)
    assert "Add 50" in _messages(error)
    assert _written() == NOTHING
    assert _stock(product) == [100]


def test_the_platform_minimum_order_refuses_a_smaller_cart(world):
    _set("min_order_amount", "200000")
    _fill(world.buyer, (ProductFactory(seller=world.a, base_price=Decimal("100000")), 1))

    with pytest.raises(ValidationError) as error:
        _place(world)

    assert "The smallest order is 200" in _messages(error)
    assert _written() == NOTHING


@pytest.mark.parametrize("where", ["outside", "zone_inactive", "zone_without_tariffs"])
def test_an_address_no_zone_serves_is_refused(world, where):
    address = world.address
    if where == "outside":
        # Samarkand, far outside the Tashkent polygon.
        address = UserAddressFactory(
            user=world.buyer, is_default=False, latitude=Decimal("39.654"), longitude=Decimal("66.975")
        )
    elif where == "zone_inactive":
        DeliveryZone.objects.filter(pk=world.zone.pk).update(is_active=False)
    else:
        world.tariff.delete()
    product = ProductFactory(seller=world.a)
    _fill(world.buyer, (product, 1))

    with pytest.raises(ValidationError) as error:
        _place(world, address=address)

    assert "We do not deliver there yet" in _messages(error)
    assert _written() == NOTHING
    assert _stock(product) == [100]
    assert len(_cart_lines(world.buyer)) == 1


def test_an_address_without_coordinates_is_refused(world):
    address = UserAddressFactory(user=world.buyer, is_default=False, latitude=None, longitude=None)
    _fill(world.buyer, (ProductFactory(seller=world.a), 1))

    with pytest.raises(ValidationError) as error:
        _place(world, address=address)

    assert "Mark the address on the map" in _messages(error)
    assert error.value.message_dict == {"address": ["Mark the address on the map so that we can find it."]}
    assert _written() == NOTHING


def test_the_smallest_zone_covering_the_address_serves_it(world):
    from delivery.tests.factories import tashkent_polygon

    small = DeliveryZoneFactory(polygon=tashkent_polygon((69.27, 41.33, 69.29, 41.35)))
    DeliveryTariffFactory(zone=small, base_cost=Decimal("5000"), cost_per_km=0, cost_per_kg=0)
    _fill(world.buyer, (ProductFactory(seller=world.a, base_price=Decimal("100000")), 1))

    (order,) = _place(world)[0]

    assert order.delivery_zone_id == small.pk
    assert order.shipping_cost == Decimal("5000.00")


@pytest.mark.parametrize("which", ["someone_elses", "deleted", "missing", "not_a_number", "none"])
def test_only_the_buyers_own_live_address_is_accepted(world, which):
    if which == "someone_elses":
        address_id = UserAddressFactory().pk
    elif which == "deleted":
        address_id = UserAddressFactory(user=world.buyer, is_default=False, deleted_at=timezone.now()).pk
    elif which == "missing":
        address_id = 987_654_321
    elif which == "not_a_number":
        address_id = "12abc"
    else:
        address_id = None
    _fill(world.buyer, (ProductFactory(seller=world.a), 1))

    with pytest.raises(ValidationError) as error:
        _place(world, address_id=address_id)

    assert "address" in error.value.message_dict
    assert _written() == NOTHING


def test_an_empty_cart_is_refused(world):
    with pytest.raises(ValidationError) as error:
        _place(world)
    assert "Your cart is empty." in _messages(error)

    services.cart_for_user(world.buyer)  # a cart without lines
    with pytest.raises(ValidationError):
        _place(world)
    assert _written() == NOTHING


@pytest.mark.parametrize("method", ["bitcoin", "", None])
def test_a_payment_method_without_a_handler_is_refused(world, method):
    _fill(world.buyer, (ProductFactory(seller=world.a), 1))

    with pytest.raises(ValidationError) as error:
        _place(world, payment_method=method)

    assert "payment_method" in error.value.message_dict
    assert _written() == NOTHING


# --- stock ------------------------------------------------------------------------------------
def test_stock_is_taken_from_the_product(world):
    product = ProductFactory(seller=world.a, stock_quantity=5)
    _fill(world.buyer, (product, 2))

    _place(world)

    assert _stock(product) == [3]
    assert Product.objects.get(pk=product.pk).status == ProductStatus.ACTIVE


def test_the_last_units_put_the_product_out_of_stock(world):
    product = ProductFactory(seller=world.a, stock_quantity=2)
    _fill(world.buyer, (product, 2))

    _place(world)

    assert _stock(product) == [0]
    assert Product.objects.get(pk=product.pk).status == ProductStatus.OUT_OF_STOCK


def test_stock_is_taken_from_the_variant_and_its_product(world):
    product = ProductFactory(seller=world.a, stock_quantity=15)
    red = ProductVariantFactory(product=product, stock_quantity=5)
    blue = ProductVariantFactory(product=product, stock_quantity=10)
    _fill(world.buyer, (product, 2, red), (product, 3, blue))

    _place(world)

    assert _stock(red, blue, product) == [3, 7, 10]


def test_a_variant_without_enough_stock_is_refused_by_name(world):
    product = ProductFactory(seller=world.a, name="Krossovka", stock_quantity=10)
    size = ProductVariantFactory(product=product, name="42", stock_quantity=3)
    _fill(world.buyer, (product, 3, size))
    ProductVariant.objects.filter(pk=size.pk).update(stock_quantity=1)

    with pytest.raises(ValidationError) as error:
        _place(world)

    assert "Only 1 of “Krossovka (42)” left." in _messages(error)
    assert _stock(size, product) == [1, 10]
    assert _written() == NOTHING


def test_sold_out_since_adding_is_refused_as_out_of_stock(world):
    product = ProductFactory(seller=world.a, name="PlayStation 5", stock_quantity=1)
    _fill(world.buyer, (product, 1))
    Product.objects.filter(pk=product.pk).update(stock_quantity=0, status=ProductStatus.OUT_OF_STOCK)

    with pytest.raises(ValidationError) as error:
        _place(world)

    assert "“PlayStation 5” is out of stock." in _messages(error)
    assert _written() == NOTHING


def test_backorders_are_taken_below_zero_and_given_back_exactly(world):
    from orders.services import order_transition

    product = ProductFactory(seller=world.a, stock_quantity=2, allow_backorder=True)
    variant_product = ProductFactory(seller=world.a, stock_quantity=1, allow_backorder=True)
    variant = ProductVariantFactory(product=variant_product, stock_quantity=1)
    ebook = ProductFactory(seller=world.a, stock_quantity=0, is_digital=True, requires_shipping=False)
    _fill(world.buyer, (product, 5), (variant_product, 4, variant), (ebook, 2))

    (order,) = _place(world)[0]

    assert order.items.count() == 3
    # below 0: the units owed; a digital product has no stock to take
    assert _stock(product, variant, variant_product, ebook) == [-3, -3, -3, 0]
    assert Product.objects.get(pk=product.pk).status == ProductStatus.ACTIVE  # backorders keep it on sale
    order_transition(order=order, action="cancel", actor=world.buyer)
    assert _stock(product, variant, variant_product, ebook) == [2, 1, 1, 0]


def test_a_product_that_needs_no_delivery_takes_no_stock_and_gets_none_back(world):
    """catalog.stock: what is not delivered counts no stock. Checkout took units of a product
    marked as needing no delivery (and the cart refused it at 0), while its status said it never
    sells out."""
    from orders.services import order_transition

    lesson = ProductFactory(seller=world.a, requires_shipping=False, stock_quantity=0, weight=Decimal("5"))
    ticket = ProductFactory(seller=world.a, requires_shipping=False, stock_quantity=3)
    _fill(world.buyer, (lesson, 2), (ticket, 5))

    (order,) = _place(world)[0]

    assert order.shipping_cost == Decimal("0.00")  # nothing to deliver
    assert _stock(lesson, ticket) == [0, 3]
    assert set(Product.objects.filter(pk__in=[lesson.pk, ticket.pk]).values_list("status", flat=True)) == {
        ProductStatus.ACTIVE
    }
    order_transition(order=order, action="cancel", actor=world.buyer)
    assert _stock(lesson, ticket) == [0, 3]


# --- idempotency --------------------------------------------------------------------------------
def test_the_same_key_twice_places_the_orders_once(world):
    product = ProductFactory(seller=world.a, stock_quantity=10)
    other = ProductFactory(seller=world.b, stock_quantity=10)
    _fill(world.buyer, (product, 2), (other, 1))

    first, replayed_first, _ = _place(world, idempotency_key="click-1")
    written = _written()
    # The cart is filled again (another tab): the repeated request still places nothing.
    _fill(world.buyer, (product, 1))
    second, replayed_second, _ = _place(world, idempotency_key="click-1")

    assert (replayed_first, replayed_second) == (False, True)
    assert [o.pk for o in second] == [o.pk for o in first]
    assert _written() == written
    assert _stock(product, other) == [8, 9]
    assert _cart_lines(world.buyer) == [(product.pk, 1)]


@pytest.mark.parametrize(
    "change",
    [{"notes": "Ring twice"}, {"payment_method": "card"}, {"address": "other"}, {"tariffs": "express"}],
    ids=["notes", "payment_method", "address", "tariffs"],
)
def test_the_same_key_for_a_different_request_is_a_conflict(world, change):
    product = ProductFactory(seller=world.a, stock_quantity=10)
    _fill(world.buyer, (product, 1))
    _place(world, idempotency_key="click-1")
    written = _written()
    _fill(world.buyer, (product, 1))
    kwargs = dict(change)
    if "address" in kwargs:
        kwargs.pop("address")
        kwargs["address"] = UserAddressFactory(user=world.buyer, is_default=False)
    if "tariffs" in kwargs:
        kwargs["tariffs"] = {world.a.pk: DeliveryTariffFactory(zone=world.zone).pk}

    with pytest.raises(IdempotencyConflict) as error:
        _place(world, idempotency_key="click-1", **kwargs)

    assert "idempotency_key" in error.value.message_dict
    assert _written() == written
    assert _stock(product) == [9]
    assert _cart_lines(world.buyer) == [(product.pk, 1)]


def test_without_a_key_two_submissions_place_twice(world):
    product = ProductFactory(seller=world.a, stock_quantity=10)
    _fill(world.buyer, (product, 1))
    first = _place(world)[0]
    _fill(world.buyer, (product, 1))
    second, replayed, _ = _place(world)

    assert not replayed
    assert first[0].pk != second[0].pk
    assert Order.objects.count() == 2
    assert _stock(product) == [8]


def test_a_key_belongs_to_its_buyer(world):
    product = ProductFactory(seller=world.a, stock_quantity=10)
    other_buyer, other_address = buyer_with_address()
    _fill(world.buyer, (product, 1))
    _fill(other_buyer, (product, 1))

    mine = _place(world, idempotency_key="same")[0]
    theirs, replayed, _ = _place(world, buyer=other_buyer, address=other_address, idempotency_key="same")

    assert not replayed
    assert theirs[0].buyer_id == other_buyer.pk != mine[0].buyer_id
    assert _stock(product) == [8]


@pytest.mark.parametrize("key", ["x" * 101, "ключ", "tab\tkey"])
def test_a_malformed_key_is_refused(world, key):
    _fill(world.buyer, (ProductFactory(seller=world.a), 1))

    with pytest.raises(ValidationError) as error:
        _place(world, idempotency_key=key)

    assert "idempotency_key" in error.value.message_dict
    assert _written() == NOTHING


# --- order numbers ------------------------------------------------------------------------------
def test_order_numbers_are_unique_and_human_readable(world):
    sellers = [world.a, world.b, seller_with_pickup(), seller_with_pickup()]
    numbers = []
    for _round in range(3):
        _fill(world.buyer, *[(ProductFactory(seller=seller), 1) for seller in sellers])
        numbers += [order.order_number for order in _place(world)[0]]

    assert len(numbers) == len(set(numbers)) == 12
    today = timezone.localdate().strftime("%y%m%d")
    for number in numbers:
        assert re.fullmatch(rf"GM{today}-\d{{6,}}", number), number
        assert len(number) <= 20
    sequence = [int(n.split("-")[1]) for n in numbers]
    assert sequence == sorted(sequence)


def test_checkout_plan_writes_nothing_and_shows_the_same_figures(world):
    kettle = ProductFactory(seller=world.a, base_price=Decimal("112000"), weight=Decimal("1.25"))
    _fill(world.buyer, (kettle, 2))
    cart = services.cart_for_user(world.buyer)

    plan = services.checkout_plan(buyer=world.buyer, cart=cart, address=world.address)

    assert plan.ok and _written() == NOTHING
    assert (plan.subtotal, plan.shipping, plan.total) == (Decimal("224000.00"), Decimal("26400"), Decimal("250400.00"))
    (order,) = _place(world)[0]
    assert (order.subtotal, order.shipping_cost, order.total_amount) == (plan.subtotal, plan.shipping, plan.total)


def test_orders_pay_on_delivery_by_default(world):
    _fill(world.buyer, (ProductFactory(seller=world.a), 1))

    (order,) = _place(world)[0]

    assert order.payment_status == PaymentStatus.PENDING
