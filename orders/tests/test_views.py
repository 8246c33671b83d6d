"""The order pages through the Django test client: the cart (visitor and signed in), checkout,
the buyer's orders, the seller's orders and the courier's page. These tests are about wiring and
permissions: each page calls its service, shows the refusal and writes nothing, and an order
that is not yours is a 404 with nothing changed. The rules themselves are tested on the services."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import AddressType, UserRole
from accounts.models import UserAddress
from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    BuyerFactory,
    CourierFactory,
    SellerFactory,
    StaffFactory,
    UserAddressFactory,
)
from catalog.models import Product, ProductVariant
from catalog.tests.factories import ProductFactory, ProductVariantFactory
from delivery.models import DeliveryTariff
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory, tashkent_polygon
from gogomarket.core.models import AuditLog, IdempotencyKey
from orders.enums import OrderStatus, PaymentStatus, TrackingStatus
from orders.models import Cart, CartItem, Order, OrderItem, OrderStatusHistory, OrderTracking
from orders.services.cart import SESSION_KEY
from orders.tests.factories import (
    CartFactory,
    CartItemFactory,
    OrderFactory,
    OrderItemFactory,
    OrderStatusHistoryFactory,
)
from tests.helpers import messages_of
from tests.helpers import page_client_for as client_for

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}
CART = "/cart/"
CART_ADD = "/cart/add/"
CHECKOUT = "/checkout/"
ORDERS = "/orders/"
SELLER_ORDERS = "/seller/orders/"
COURIER = "/courier/"


def text_of(response):
    return html.unescape(response.content.decode())


def item_url(item):
    return f"/cart/items/{item.pk}/"


def detail_url(order):
    return f"/orders/{order.order_number}/"


def seller_detail_url(order):
    return f"/seller/orders/{order.order_number}/"


def step_url(order):
    return f"/orders/{order.order_number}/step/"


def steps_on(page, number):
    """The step buttons shown for order ``number`` in a list (seller list, courier page)."""
    match = re.search(rf'data-order-number="{re.escape(number)}"(.*?)(?=data-order-number=|\Z)', page, re.S)
    assert match, f"order {number} is on the page"
    return re.findall(r'data-step="([a-z_]+)"', match.group(1))


def numbers_on(page, testid):
    return re.findall(rf'data-testid="{testid}" data-order-number="([^"]+)"', page)


def snapshot():
    """Everything an order page could change."""
    return {
        "orders": list(Order.objects.order_by("pk").values()),
        "items": list(OrderItem.objects.order_by("pk").values()),
        "history": list(OrderStatusHistory.objects.order_by("pk").values()),
        "tracking": list(OrderTracking.objects.order_by("pk").values()),
        "carts": list(Cart.objects.order_by("pk").values()),
        "cart_items": list(CartItem.objects.order_by("pk").values()),
        "products": list(Product.objects.order_by("pk").values("pk", "stock_quantity", "status", "updated_at")),
        "variants": list(ProductVariant.objects.order_by("pk").values("pk", "stock_quantity")),
        "audit": list(AuditLog.objects.order_by("pk").values_list("pk", flat=True)),
        "keys": list(IdempotencyKey.objects.order_by("pk").values_list("pk", flat=True)),
    }


# --- the world: a zone with a tariff, two sellers, a buyer at home in the zone, a courier --------
@pytest.fixture
def zone():
    zone = DeliveryZoneFactory(name="Tashkent centre")
    # 15 000 + 2 000/km x 0 km (sellers have no pickup address) + 1 000/kg x weight; free from 500 000.
    DeliveryTariffFactory(zone=zone, name="Standard", base_cost=Decimal("15000"), estimated_hours=24)
    DeliveryTariffFactory(zone=zone, name="Express", base_cost=Decimal("30000"), estimated_hours=3)
    return zone


@pytest.fixture
def far_zone():
    """A zone in Samarkand, far from the Tashkent addresses."""
    return DeliveryZoneFactory(name="Samarkand", city="Samarkand", polygon=tashkent_polygon((66.9, 39.6, 67.0, 39.7)))


@pytest.fixture
def buyer():
    return BuyerFactory(first_name="Dilnoza", last_name="Karimova")


@pytest.fixture
def home(buyer, zone):
    return UserAddressFactory(user=buyer, latitude=Decimal("41.350000"), longitude=Decimal("69.290000"))


@pytest.fixture
def seller():
    return SellerFactory(first_name="Aziz", last_name="Savdo")


@pytest.fixture
def other_seller():
    return SellerFactory(first_name="Bobur", last_name="Bozor")


@pytest.fixture
def kettle(seller):
    return ProductFactory(seller=seller, name="Artel choynak", base_price=Decimal("100000"), stock_quantity=5,
                          weight=Decimal("1.000"))  # fmt: skip


@pytest.fixture
def carpet(other_seller):
    return ProductFactory(seller=other_seller, name="Gilam", base_price=Decimal("200000"), stock_quantity=3,
                          weight=Decimal("2.000"))  # fmt: skip


@pytest.fixture
def courier(zone):
    courier = CourierFactory(first_name="Jasur")
    UserAddressFactory(user=courier, latitude=Decimal("41.340000"), longitude=Decimal("69.280000"))
    return courier


@pytest.fixture
def buyer_client(buyer):
    return client_for(buyer)


def fill_cart(user, *lines):
    cart = Cart.objects.filter(user=user).first() or CartFactory(user=user)
    for product, quantity in lines:
        CartItemFactory(cart=cart, product=product, quantity=quantity)
    return cart


def order_for(seller, buyer, zone, **kwargs):
    """An order of ``seller`` to ``buyer`` in ``zone`` with one item and a 'placed' history row."""
    order = OrderFactory(seller=seller, buyer=buyer, delivery_zone=zone, **kwargs)
    OrderStatusHistoryFactory(order=order, status=OrderStatus.PENDING, changed_by=buyer, notes="Order placed.")
    return order


# --- cart ---------------------------------------------------------------------------------------
def test_add_from_the_product_page_fills_the_visitors_cart_and_goes_back(kettle):
    visitor = client_for()
    page = visitor.get(reverse("catalog:product_detail", args=[kettle.slug]))
    assert page.status_code == 200
    assert 'action="/cart/add/"' in text_of(page)

    product_path = f"/products/{kettle.slug}/"
    response = visitor.post(CART_ADD, {"product": kettle.pk, "variant": "", "quantity": "2", "next": product_path})

    assert response.status_code == 302 and response.url == product_path
    cart = Cart.objects.get(session_key=visitor.session[SESSION_KEY])
    assert cart.user is None
    assert list(cart.items.values_list("product_id", "quantity", "unit_price")) == [(kettle.pk, 2, Decimal("100000"))]
    cart_page = visitor.get(CART)
    assert "“Artel choynak” is in your cart." in messages_of(cart_page)
    assert 'data-testid="cart-count">2<' in cart_page.content.decode()
    assert 'value="2" data-testid="line-quantity"' in cart_page.content.decode()


def test_buy_now_goes_to_checkout_and_an_outside_next_is_not_followed(kettle):
    visitor = client_for()

    response = visitor.post(CART_ADD, {"product": kettle.pk, "quantity": "1", "buy_now": "1"})
    assert response.status_code == 302 and response.url == CHECKOUT

    response = visitor.post(CART_ADD, {"product": kettle.pk, "quantity": "1", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == CART
    assert CartItem.objects.get().quantity == 2


def test_a_refused_add_shows_why_and_writes_nothing(kettle):
    visitor = client_for()
    before = snapshot()

    response = visitor.post(CART_ADD, {"product": kettle.pk, "quantity": "6"}, follow=True)

    assert "Only 5 of “Artel choynak” left." in messages_of(response)
    assert snapshot() == before
    assert SESSION_KEY not in visitor.session

    response = visitor.post(CART_ADD, {"product": "nope", "quantity": "1"}, follow=True)
    assert "This product is not on sale." in messages_of(response)
    assert snapshot() == before


def test_a_variant_product_needs_its_option(seller):
    shirt = ProductFactory(seller=seller, name="Ko'ylak")
    variant = ProductVariantFactory(product=shirt, name="M", stock_quantity=4)
    client = client_for(BuyerFactory())

    response = client.post(CART_ADD, {"product": shirt.pk, "quantity": "1"}, follow=True)
    assert "Choose an option first." in messages_of(response)
    assert not CartItem.objects.exists()

    response = client.post(CART_ADD, {"product": shirt.pk, "variant": "M", "quantity": "1"}, follow=True)
    assert "This option is not available." in messages_of(response)
    assert not CartItem.objects.exists()

    client.post(CART_ADD, {"product": shirt.pk, "variant": variant.pk, "quantity": "1"})
    assert list(CartItem.objects.values_list("variant_id", flat=True)) == [variant.pk]


def test_quantity_change_and_remove_on_the_cart_page(buyer, buyer_client, kettle, carpet):
    cart = fill_cart(buyer, (kettle, 1), (carpet, 1))
    kettle_line, carpet_line = cart.items.order_by("pk")

    response = buyer_client.post(item_url(kettle_line), {"quantity": "3"})
    assert response.status_code == 302 and response.url == CART
    kettle_line.refresh_from_db()
    assert kettle_line.quantity == 3

    response = buyer_client.post(item_url(carpet_line), {"remove": "1"})
    assert response.status_code == 302
    assert list(cart.items.values_list("pk", flat=True)) == [kettle_line.pk]

    response = buyer_client.post(item_url(kettle_line), {"quantity": "0"})
    assert not cart.items.exists()
    assert 'data-testid="cart-empty"' in buyer_client.get(CART).content.decode()


def test_quantity_change_over_htmx_answers_with_the_cart_partial(buyer, buyer_client, kettle, carpet):
    cart = fill_cart(buyer, (kettle, 1), (carpet, 1))
    kettle_line, carpet_line = cart.items.order_by("pk")

    response = buyer_client.post(item_url(kettle_line), {"quantity": "4"}, **HTMX)

    assert response.status_code == 200
    page = text_of(response)
    assert page.lstrip().startswith('<div id="gm-cart"') and "<html" not in page
    assert 'value="4" data-testid="line-quantity"' in page
    assert re.search(r'data-testid="cart-subtotal">600 000', page.replace("\xa0", " "))  # 4 x 100 000 + 200 000

    response = buyer_client.post(item_url(carpet_line), {"remove": "1"}, **HTMX)
    assert response.status_code == 200
    assert list(cart.items.values_list("pk", flat=True)) == [kettle_line.pk]
    assert "Gilam" not in text_of(response)


def test_a_refused_quantity_over_htmx_is_shown_in_the_answer_and_nothing_changes(buyer, buyer_client, kettle):
    cart = fill_cart(buyer, (kettle, 1))
    line = cart.items.get()
    before = snapshot()

    response = buyer_client.post(item_url(line), {"quantity": "9"}, **HTMX)

    assert response.status_code == 200
    page = text_of(response)
    assert 'hx-swap-oob="true"' in page
    assert "Only 5 of “Artel choynak” left." in page
    assert snapshot() == before
    # The message was shown once, not kept for the next page.
    assert "Only 5 of" not in text_of(buyer_client.get(CART))


def test_another_persons_cart_line_is_a_404_and_unchanged(buyer_client, kettle):
    stranger_cart = fill_cart(BuyerFactory(), (kettle, 1))
    line = stranger_cart.items.get()
    before = snapshot()

    assert buyer_client.post(item_url(line), {"quantity": "3"}).status_code == 404
    assert buyer_client.post(item_url(line), {"remove": "1"}).status_code == 404
    assert client_for().post(item_url(line), {"remove": "1"}).status_code == 404  # a visitor without a cart
    assert snapshot() == before


def test_the_visitors_cart_is_merged_after_signing_in_with_the_login_form(buyer, kettle, carpet):
    fill_cart(buyer, (kettle, 1))  # from an earlier visit, signed in
    visitor = client_for()
    visitor.post(CART_ADD, {"product": kettle.pk, "quantity": "2"})
    visitor.post(CART_ADD, {"product": carpet.pk, "quantity": "1"})
    guest = Cart.objects.get(user__isnull=True)

    response = visitor.post("/account/login/", {"login": buyer.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert visitor.session["_auth_user_id"] == str(buyer.pk)

    page = visitor.get(CART)
    cart = Cart.objects.get(user=buyer)
    assert sorted(cart.items.values_list("product_id", "quantity")) == sorted([(kettle.pk, 3), (carpet.pk, 1)])
    assert not Cart.objects.filter(pk=guest.pk).exists()
    assert SESSION_KEY not in visitor.session
    assert 'data-testid="cart-count">4<' in page.content.decode()
    assert len(re.findall(r'data-testid="cart-line"', page.content.decode())) == 2


def test_the_page_after_signing_in_counts_the_merged_cart(buyer, kettle):
    fill_cart(buyer, (kettle, 1))
    visitor = client_for()
    visitor.post(CART_ADD, {"product": kettle.pk, "quantity": "2"})

    page = visitor.post("/account/login/", {"login": buyer.email, "password": DEFAULT_PASSWORD}, follow=True)

    assert 'data-testid="cart-count">3<' in page.content.decode()


# --- checkout -----------------------------------------------------------------------------------
def test_checkout_needs_signing_in(kettle):
    response = client_for().get(CHECKOUT)
    assert response.status_code == 302 and response.url.startswith("/account/login/")
    before = snapshot()
    response = client_for().post(CHECKOUT, {"address": "1", "payment_method": "cash"})
    assert response.status_code == 302 and response.url.startswith("/account/login/")
    assert snapshot() == before


def test_checkout_shows_each_sellers_delivery_options_and_the_totals(buyer, buyer_client, home, kettle, carpet):
    fill_cart(buyer, (kettle, 1), (carpet, 2))

    response = buyer_client.get(CHECKOUT)

    assert response.status_code == 200
    page = text_of(response).replace("\xa0", " ")
    assert len(re.findall(r'data-testid="plan-seller"', page)) == 2
    # Each seller's order gets both tariffs; the cheapest is chosen.
    for seller_id in (kettle.seller_id, carpet.seller_id):
        radios = re.findall(rf'name="tariff_{seller_id}" id="[^"]+" value="(\d+)"( checked)?', page)
        assert len(radios) == 2 and radios[0][1] == " checked" and radios[1][1] == ""
    plan = response.context["plan"]
    # Standard: 15 000 + 1 000/kg: kettle 1 kg -> 16 000; carpets 4 kg -> 19 000.
    assert [p.shipping for p in plan.sellers] == [Decimal("16000"), Decimal("19000")]
    assert plan.total == Decimal("500000") + Decimal("35000")
    assert re.search(r'data-testid="plan-shipping">35 000', page)
    assert re.search(r'data-testid="plan-total">535 000', page)
    assert 'data-testid="place-order" disabled' not in page
    assert f'value="{home.pk}" checked' in page


def test_choosing_another_tariff_replans_over_htmx(buyer, buyer_client, home, kettle):
    fill_cart(buyer, (kettle, 1))
    express = DeliveryTariff.objects.get(name="Express")

    response = buyer_client.get(CHECKOUT, {"address": home.pk, f"tariff_{kettle.seller_id}": express.pk}, **HTMX)

    assert response.status_code == 200
    page = text_of(response).replace("\xa0", " ")
    assert page.lstrip().startswith('<section id="gm-summary"') and "<html" not in page
    assert re.search(r'data-testid="plan-shipping">31 000', page)


def test_an_address_outside_every_zone_is_refused(buyer, buyer_client, zone, kettle):
    far = UserAddressFactory(user=buyer, label="Dacha", latitude=Decimal("39.650000"), longitude=Decimal("66.950000"))
    fill_cart(buyer, (kettle, 1))

    response = buyer_client.get(CHECKOUT, {"address": far.pk})

    assert response.status_code == 200
    page = text_of(response)
    assert "We do not deliver there yet." in page
    assert 'data-testid="place-order" disabled' in page
    before = snapshot()
    response = buyer_client.post(CHECKOUT, {"address": far.pk, "payment_method": "cash", "token": "t-far"})
    assert response.status_code == 400
    assert "We do not deliver there yet." in text_of(response)
    assert snapshot() == before


def pin_fix(page):
    """The checkout's note that the chosen address has no map pin, and the link that fixes it."""
    note = re.search(r'<div[^>]*data-testid="address-needs-pin".*?</div>', page, re.S)
    if note is None:
        return None, None
    link = re.search(r'<a[^>]*href="([^"]+)"[^>]*data-testid="pin-address"', note.group(0))
    return " ".join(note.group(0).split()), link.group(1) if link else None


def test_an_address_without_a_pin_says_how_to_fix_it(buyer, buyer_client, zone, kettle):
    unpinned = UserAddressFactory(user=buyer, label="Dacha", latitude=None, longitude=None)
    fill_cart(buyer, (kettle, 1))
    fix_url = f"/account/addresses/{unpinned.pk}/edit/?next=%2Fcheckout%2F%3Faddress%3D{unpinned.pk}#location"

    page = text_of(buyer_client.get(CHECKOUT))

    note, link = pin_fix(page)
    assert note and "This address has no pin on the map" in note
    assert link == html.unescape(fix_url)
    assert 'data-testid="place-order" disabled' in page
    # the address in the list says so too, with the same link (near it on a phone)
    row = re.search(r'data-testid="address-no-pin".*?</div>', page, re.S).group(0)
    assert f'href="{html.unescape(fix_url)}"' in row
    # the summary htmx swaps in when another address is chosen says the same
    swapped = text_of(buyer_client.get(CHECKOUT, {"address": unpinned.pk}, **HTMX))
    assert pin_fix(swapped)[1] == html.unescape(fix_url)
    # and so does the page that refuses to place the order
    before = snapshot()
    refused = buyer_client.post(CHECKOUT, {"address": unpinned.pk, "payment_method": "cash", "token": "t-pin"})
    assert refused.status_code == 400
    assert pin_fix(text_of(refused))[1] == html.unescape(fix_url)
    assert snapshot() == before


def test_a_pinned_address_gets_no_pin_note(buyer, buyer_client, home, kettle):
    UserAddressFactory(user=buyer, label="Dacha", is_default=False, latitude=None, longitude=None)
    fill_cart(buyer, (kettle, 1))

    page = text_of(buyer_client.get(CHECKOUT, {"address": home.pk}))

    assert pin_fix(page) == (None, None)


def test_pinning_the_address_from_checkout_comes_back_to_checkout(buyer, buyer_client, zone, kettle):
    unpinned = UserAddressFactory(user=buyer, label="Dacha", latitude=None, longitude=None)
    fill_cart(buyer, (kettle, 1))
    _, link = pin_fix(text_of(buyer_client.get(CHECKOUT)))

    form = text_of(buyer_client.get(link))
    assert f'name="next" value="/checkout/?address={unpinned.pk}"' in form
    data = {
        "type": "delivery", "label": "Dacha", "full_name": unpinned.full_name, "phone": "90 123 45 67",
        "country": "Uzbekistan", "city": "Tashkent", "district": "Yunusobod", "street": unpinned.street,
        "building": "12", "apartment": "", "postal_code": "", "latitude": "41.35", "longitude": "69.29",
        "delivery_instructions": "", "is_default": "on", "next": f"/checkout/?address={unpinned.pk}",
    }  # fmt: skip
    response = buyer_client.post(link.split("?")[0], data)

    assert response.status_code == 302 and response["Location"] == f"/checkout/?address={unpinned.pk}"
    page = text_of(buyer_client.get(response["Location"]))
    assert pin_fix(page) == (None, None)
    assert 'data-testid="place-order" disabled' not in page


def test_placing_makes_one_order_per_seller_and_goes_to_my_orders(buyer, buyer_client, home, kettle, carpet):
    fill_cart(buyer, (kettle, 2), (carpet, 1))
    page = buyer_client.get(CHECKOUT)
    token = re.search(r'name="token" value="([0-9a-f]+)"', page.content.decode()).group(1)

    response = buyer_client.post(
        CHECKOUT, {"address": home.pk, "payment_method": "cash", "notes": "Call first", "token": token}
    )

    assert response.status_code == 302 and response.url == ORDERS
    orders = list(Order.objects.order_by("seller_id"))
    assert [(o.seller_id, o.buyer_id, o.status, o.notes) for o in orders] == [
        (kettle.seller_id, buyer.pk, OrderStatus.PENDING, "Call first"),
        (carpet.seller_id, buyer.pk, OrderStatus.PENDING, "Call first"),
    ]
    assert [o.total_amount for o in orders] == [Decimal("217000"), Decimal("217000")]
    assert OrderStatusHistory.objects.filter(order__in=orders).count() == 2
    kettle.refresh_from_db()
    carpet.refresh_from_db()
    assert (kettle.stock_quantity, carpet.stock_quantity) == (3, 2)
    assert not CartItem.objects.exists()
    listing = buyer_client.get(ORDERS)
    assert sorted(numbers_on(text_of(listing), "order-row")) == sorted(o.order_number for o in orders)
    assert any("are placed" in m for m in messages_of(listing))


def test_one_sellers_cart_goes_to_the_order_page(buyer, buyer_client, home, kettle):
    fill_cart(buyer, (kettle, 1))

    response = buyer_client.post(CHECKOUT, {"address": home.pk, "payment_method": "cash", "token": "one"})

    order = Order.objects.get()
    assert response.status_code == 302 and response.url == detail_url(order)


def test_a_double_submit_with_the_same_form_token_places_once(buyer, buyer_client, home, kettle, carpet):
    fill_cart(buyer, (kettle, 1), (carpet, 1))
    data = {"address": home.pk, "payment_method": "cash", "token": "a1b2c3d4e5f6"}

    first = buyer_client.post(CHECKOUT, data)
    placed = snapshot()
    second = buyer_client.post(CHECKOUT, data)

    assert first.status_code == second.status_code == 302
    assert second.url == first.url == ORDERS
    assert Order.objects.count() == 2
    assert snapshot() == placed


@pytest.mark.parametrize(
    "case",
    ["other_address", "no_address", "bad_address", "no_method", "bad_method", "bad_tariff", "junk_tariff",
     "out_of_stock", "empty"],
)  # fmt: skip
def test_checkout_errors_are_shown_with_400_and_nothing_is_written(case, buyer, buyer_client, home, kettle):
    fill_cart(buyer, (kettle, 2))
    data = {"address": home.pk, "payment_method": "cash", "token": f"t-{case}"}
    expected = {
        "other_address": "Choose one of your delivery addresses.",
        "no_address": "Choose one of your delivery addresses.",
        "bad_address": "Choose one of your delivery addresses.",
        "no_method": "This payment method is not available.",
        "bad_method": "This payment method is not available.",
        "bad_tariff": "The chosen delivery option is not available. Choose another.",
        "junk_tariff": "The chosen delivery option is not available. Choose another.",
        "out_of_stock": "Only 1 of “Artel choynak” left.",
        "empty": "Your cart is empty.",
    }[case]
    if case == "other_address":
        data["address"] = UserAddressFactory().pk
    elif case == "no_address":
        data["address"] = ""
    elif case == "bad_address":
        data["address"] = "12abc"
    elif case == "no_method":
        del data["payment_method"]
    elif case == "bad_method":
        data["payment_method"] = "barter"
    elif case == "bad_tariff":
        data[f"tariff_{kettle.seller_id}"] = "999999"
    elif case == "junk_tariff":
        data[f"tariff_{kettle.seller_id}"] = "express"
        data["tariff_abc"] = "1"
    elif case == "out_of_stock":
        Product.objects.filter(pk=kettle.pk).update(stock_quantity=1)
    elif case == "empty":
        CartItem.objects.all().delete()
    before = snapshot()

    response = buyer_client.post(CHECKOUT, data)

    assert response.status_code == 400
    page = text_of(response)
    assert expected in re.search(r'data-testid="checkout-errors">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert 'data-testid="checkout-form"' in page
    assert snapshot() == before


def test_checkout_with_an_unknown_address_in_the_query_shows_the_default_one(buyer, buyer_client, home, kettle):
    fill_cart(buyer, (kettle, 1))
    for value in ("12abc", str(UserAddressFactory().pk), "٣", "9" * 30):
        response = buyer_client.get(CHECKOUT, {"address": value})
        assert response.status_code == 200
        assert response.context["address"] == home


def test_checkout_and_the_cart_default_to_the_delivery_address_never_the_billing_one(buyer, buyer_client, zone, kettle):
    """The buyer's default address is a billing one (changed most recently); their delivery
    address is not marked default: checkout preselects it and the cart prices delivery to it."""
    home = UserAddressFactory(
        user=buyer, is_default=False, latitude=Decimal("41.350000"), longitude=Decimal("69.290000")
    )
    billing = UserAddressFactory(user=buyer, type=AddressType.BILLING, is_default=True,
                                 latitude=Decimal("39.650000"), longitude=Decimal("66.950000"))  # fmt: skip
    UserAddress.objects.filter(pk=billing.pk).update(updated_at=home.updated_at + timedelta(days=1))
    fill_cart(buyer, (kettle, 1))

    response = buyer_client.get(CHECKOUT)

    assert response.status_code == 200
    assert response.context["address"] == home
    assert f'value="{home.pk}" checked' in text_of(response)
    assert buyer_client.get(CART).context["delivery_address"] == home


def test_checkout_preselects_no_address_when_the_buyer_has_only_a_billing_one(buyer, buyer_client, zone, kettle):
    billing = UserAddressFactory(user=buyer, type=AddressType.BILLING, is_default=True)
    fill_cart(buyer, (kettle, 1))

    response = buyer_client.get(CHECKOUT)

    assert response.status_code == 200 and response.context["address"] is None
    assert f'value="{billing.pk}" checked' not in text_of(response)
    assert buyer_client.get(CART).context["delivery_address"] is None


def test_a_junk_tariff_in_the_query_is_shown_as_a_problem(buyer, buyer_client, home, kettle):
    fill_cart(buyer, (kettle, 1))

    response = buyer_client.get(CHECKOUT, {f"tariff_{kettle.seller_id}": "fast", "tariff_x": "1"})

    assert response.status_code == 200
    assert "The chosen delivery option is not available." in text_of(response)
    assert 'data-testid="place-order" disabled' in text_of(response)


# --- the buyer's orders -------------------------------------------------------------------------
def test_my_orders_lists_only_mine_with_a_status_filter(buyer, buyer_client, seller, zone):
    pending = order_for(seller, buyer, zone)
    delivered = order_for(seller, buyer, zone, delivered=True)
    order_for(seller, BuyerFactory(), zone)

    page = text_of(buyer_client.get(ORDERS))
    assert sorted(numbers_on(page, "order-row")) == sorted([pending.order_number, delivered.order_number])

    page = text_of(buyer_client.get(ORDERS, {"status": "delivered"}))
    assert numbers_on(page, "order-row") == [delivered.order_number]
    for junk in ("nonsense", "pending\x00", "x" * 300):
        response = buyer_client.get(ORDERS, {"status": junk, "page": "last"})
        assert response.status_code == 200
        assert len(numbers_on(text_of(response), "order-row")) == 2

    assert client_for().get(ORDERS).status_code == 302


def test_the_order_page_shows_the_timeline_and_the_cancel_step(buyer, buyer_client, seller, zone, courier):
    order = order_for(seller, buyer, zone)
    OrderStatusHistoryFactory(order=order, status=OrderStatus.CONFIRMED, changed_by=seller, notes="Confirmed by Aziz")
    OrderTracking.objects.create(order=order, courier=courier, status=TrackingStatus.ASSIGNED,
                                 latitude=Decimal("41.3"), longitude=Decimal("69.2"))  # fmt: skip
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CONFIRMED)

    response = buyer_client.get(detail_url(order))

    assert response.status_code == 200
    page = text_of(response)
    assert re.findall(r'data-testid="timeline-entry" data-status="([a-z_]+)"', page) == ["pending", "confirmed"]
    assert "Confirmed by Aziz" in page
    assert re.findall(r'data-testid="tracking-entry" data-status="([a-z_]+)"', page) == ["assigned"]
    assert "mlat=41.30000000" in page
    assert re.findall(r'data-step="([a-z_]+)"', page) == ["cancel"]


def test_the_buyer_cancels_and_the_stock_comes_back(buyer, buyer_client, seller, zone):
    order = order_for(seller, buyer, zone, items=0)
    product = ProductFactory(seller=seller, stock_quantity=4)
    OrderItemFactory(order=order, product=product, quantity=2)

    response = buyer_client.post(step_url(order), {"action": "cancel", "next": detail_url(order)})

    assert response.status_code == 302 and response.url == detail_url(order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancelled_by == buyer
    assert order.status_history.order_by("-pk").first().changed_by == buyer
    product.refresh_from_db()
    assert product.stock_quantity == 6
    page = buyer_client.get(detail_url(order))
    assert "Done: Cancel the order." in messages_of(page)
    assert re.findall(r'data-step="([a-z_]+)"', text_of(page)) == []


def test_a_refused_cancel_says_why_and_changes_nothing(buyer, buyer_client, seller, zone):
    order = order_for(seller, buyer, zone, status=OrderStatus.PROCESSING)
    before = snapshot()

    response = buyer_client.post(step_url(order), {"action": "cancel"}, follow=True)

    assert "Not possible while the order is “Processing”." in messages_of(response)
    assert snapshot() == before
    response = buyer_client.post(step_url(order), {"action": "confirm"}, follow=True)
    assert "You cannot do this with this order." in messages_of(response)
    response = buyer_client.post(step_url(order), {"action": "explode"}, follow=True)
    assert "Unknown step." in messages_of(response)
    assert snapshot() == before


# --- the seller's orders ------------------------------------------------------------------------
def test_the_seller_list_filters_by_status_and_offers_the_next_steps(seller, buyer, zone):
    pending = order_for(seller, buyer, zone)
    confirmed = order_for(seller, buyer, zone, status=OrderStatus.CONFIRMED)
    processing = order_for(seller, buyer, zone, status=OrderStatus.PROCESSING)
    ready = order_for(seller, buyer, zone, status=OrderStatus.READY_FOR_PICKUP)
    order_for(SellerFactory(), buyer, zone)
    client = client_for(seller)

    page = text_of(client.get(SELLER_ORDERS))
    shown = numbers_on(page, "seller-order-row")
    assert sorted(shown) == sorted(o.order_number for o in (pending, confirmed, processing, ready))
    assert steps_on(page, pending.order_number) == ["confirm", "reject"]
    assert steps_on(page, confirmed.order_number) == ["process"]
    assert steps_on(page, processing.order_number) == ["ready"]
    assert steps_on(page, ready.order_number) == []

    page = text_of(client.get(SELLER_ORDERS, {"status": "confirmed"}))
    assert numbers_on(page, "seller-order-row") == [confirmed.order_number]
    page = text_of(client.get(SELLER_ORDERS, {"status": "nonsense"}))
    assert len(numbers_on(page, "seller-order-row")) == 4
    page = text_of(client.get(SELLER_ORDERS, {"q": ready.order_number}))
    assert numbers_on(page, "seller-order-row") == [ready.order_number]
    page = text_of(client.get(SELLER_ORDERS, {"q": buyer.phone[-7:], "status": "ready_for_pickup"}))
    assert numbers_on(page, "seller-order-row") == [ready.order_number]
    response = client.get(SELLER_ORDERS, {"q": "GM\x00", "status": "pending\x00"})
    assert response.status_code == 200


def test_the_seller_pages_are_for_sellers(buyer, zone, seller):
    order = order_for(seller, buyer, zone)
    for user in (buyer, CourierFactory()):
        client = client_for(user)
        assert client.get(SELLER_ORDERS).status_code == 403
        assert client.get(seller_detail_url(order)).status_code == 403
    assert client_for().get(SELLER_ORDERS).status_code == 302


def test_the_seller_takes_the_steps_up_to_ready(seller, buyer, zone):
    order = order_for(seller, buyer, zone)
    client = client_for(seller)

    page = text_of(client.get(seller_detail_url(order)))
    assert re.findall(r'data-step="([a-z_]+)"', page) == ["confirm", "reject"]
    for action, status in (("confirm", "confirmed"), ("process", "processing"), ("ready", "ready_for_pickup")):
        response = client.post(step_url(order), {"action": action, "next": SELLER_ORDERS})
        assert response.status_code == 302 and response.url == SELLER_ORDERS
        order.refresh_from_db()
        assert order.status == status
        last = order.status_history.order_by("-pk").first()
        assert (last.status, last.changed_by_id) == (status, seller.pk)
    page = text_of(client.get(seller_detail_url(order)))
    assert re.findall(r'data-testid="timeline-entry" data-status="([a-z_]+)"', page) == [
        "pending", "confirmed", "processing", "ready_for_pickup",
    ]  # fmt: skip


def test_a_step_without_next_goes_back_to_the_actors_own_page(seller, buyer, zone):
    order = order_for(seller, buyer, zone)

    response = client_for(seller).post(step_url(order), {"action": "confirm"})

    assert response.status_code == 302 and response.url == seller_detail_url(order)


def test_staff_taking_a_step_on_the_site_go_back_to_the_back_office(seller, buyer, zone):
    order = order_for(seller, buyer, zone)
    staff = StaffFactory()

    response = client_for(staff).post(step_url(order), {"action": "confirm"})

    assert response.status_code == 302 and response.url == f"/admin/orders/order/{order.pk}/change/"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.status_history.order_by("-pk").first().changed_by == staff


def test_the_seller_rejects_with_a_reason_only(seller, buyer, zone):
    order = order_for(seller, buyer, zone)
    client = client_for(seller)
    before = snapshot()

    response = client.post(step_url(order), {"action": "reject", "note": "  ", "next": SELLER_ORDERS}, follow=True)
    assert "Say why." in messages_of(response)
    assert snapshot() == before

    client.post(step_url(order), {"action": "reject", "note": "Out of stock", "next": SELLER_ORDERS})
    order.refresh_from_db()
    assert (order.status, order.cancellation_reason, order.cancelled_by) == ("cancelled", "Out of stock", seller)
    assert order.status_history.order_by("-pk").first().notes == "Out of stock"


def test_the_seller_cannot_take_the_buyers_or_couriers_steps(seller, buyer, zone):
    order = order_for(seller, buyer, zone, status=OrderStatus.READY_FOR_PICKUP)
    client = client_for(seller)
    before = snapshot()

    for action in ("cancel", "claim", "pick_up", "deliver", "staff_cancel"):
        response = client.post(step_url(order), {"action": action, "note": "x"}, follow=True)
        assert response.status_code == 200
        assert "You cannot do this with this order." in messages_of(response)
    assert snapshot() == before


# --- the courier's page -------------------------------------------------------------------------
def test_the_courier_page_is_for_couriers():
    assert client_for().get(COURIER).status_code == 302
    for user in (BuyerFactory(), SellerFactory(), StaffFactory()):
        assert client_for(user).get(COURIER).status_code == 403


def test_the_courier_sees_their_orders_and_the_ready_ones_of_their_zone(courier, seller, buyer, zone, far_zone):
    mine = order_for(seller, buyer, zone, status=OrderStatus.PICKED_UP, courier=courier)
    mine_ready = order_for(seller, buyer, zone, status=OrderStatus.READY_FOR_PICKUP, courier=courier)
    claimable = order_for(seller, buyer, zone, status=OrderStatus.READY_FOR_PICKUP)
    order_for(seller, buyer, far_zone, status=OrderStatus.READY_FOR_PICKUP)  # another zone
    order_for(seller, buyer, zone, status=OrderStatus.READY_FOR_PICKUP, courier=CourierFactory())  # taken
    order_for(seller, buyer, zone, status=OrderStatus.PROCESSING)  # not ready yet
    delivered = order_for(seller, buyer, zone, delivered=True, courier=courier)

    response = client_for(courier).get(COURIER)

    assert response.status_code == 200
    page = text_of(response)
    assert numbers_on(page, "courier-order") == [mine.order_number, mine_ready.order_number, claimable.order_number]
    assert steps_on(page, mine.order_number) == ["start_delivery"]
    assert steps_on(page, mine_ready.order_number) == ["pick_up"]
    assert steps_on(page, claimable.order_number) == ["claim"]
    assert "Your zone: Tashkent centre" in page
    assert f"tel:{buyer.phone}" in page or 'data-testid="buyer-phone"' in page
    assert f"mlat={mine.delivery_address.latitude}" in page
    assert delivered.order_number in page.split("Recently delivered")[1]


def test_the_courier_claims_picks_up_carries_and_delivers_with_gps(courier, seller, buyer, zone):
    order = order_for(seller, buyer, zone, status=OrderStatus.READY_FOR_PICKUP)
    client = client_for(courier)

    for action, status in (("claim", "ready_for_pickup"), ("pick_up", "picked_up"), ("start_delivery", "in_transit")):
        response = client.post(step_url(order), {"action": action, "latitude": "", "longitude": "", "next": COURIER})
        assert response.status_code == 302 and response.url == COURIER
        order.refresh_from_db()
        assert (order.status, order.courier_id) == (status, courier.pk)

    response = client.post(
        step_url(order), {"action": "deliver", "latitude": "41.3111", "longitude": "69.2797", "next": COURIER}
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert order.payment_status == PaymentStatus.PAID
    assert order.actual_delivery_date is not None
    rows = list(order.tracking.order_by("pk").values_list("status", "courier_id", "latitude", "longitude"))
    assert rows == [
        ("assigned", courier.pk, None, None),
        ("picked_up", courier.pk, None, None),
        ("in_transit", courier.pk, None, None),
        ("delivered", courier.pk, Decimal("41.31110000"), Decimal("69.27970000")),
    ]
    assert order.status_history.filter(changed_by=courier).count() == 4


def test_a_failed_attempt_needs_a_note(courier, seller, buyer, zone):
    order = order_for(seller, buyer, zone, status=OrderStatus.IN_TRANSIT, courier=courier)
    client = client_for(courier)
    before = snapshot()

    response = client.post(step_url(order), {"action": "fail_attempt", "note": "", "next": COURIER}, follow=True)
    assert "Say why." in messages_of(response)
    assert snapshot() == before

    client.post(step_url(order), {"action": "fail_attempt", "note": "Nobody home", "latitude": "41.35",
                                  "longitude": "69.29", "next": COURIER})  # fmt: skip
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_TRANSIT
    failed = order.tracking.get()
    assert (failed.status, failed.notes, failed.latitude) == ("failed", "Nobody home", Decimal("41.35000000"))


def test_bad_coordinates_are_refused_and_nothing_is_written(courier, seller, buyer, zone):
    order = order_for(seller, buyer, zone, status=OrderStatus.IN_TRANSIT, courier=courier)
    before = snapshot()

    response = client_for(courier).post(
        step_url(order), {"action": "deliver", "latitude": "95", "longitude": "69.29"}, follow=True
    )

    assert "Out of range." in messages_of(response)
    assert snapshot() == before


# --- another person's order ---------------------------------------------------------------------
@pytest.fixture
def their_order(zone, seller):
    """An order between two other people, ready and carried by another courier of the zone."""
    owner = BuyerFactory()
    return order_for(seller, owner, zone, status=OrderStatus.PICKED_UP, courier=CourierFactory())


def other_people(zone):
    outsider_courier = CourierFactory()
    UserAddressFactory(user=outsider_courier, latitude=Decimal("41.34"), longitude=Decimal("69.28"))
    return {
        "buyer": BuyerFactory(),
        "seller": SellerFactory(),
        "courier": outsider_courier,
        "stranger": BuyerFactory(role=UserRole.BUYER, first_name="Stranger"),
    }


def test_visitors_are_sent_to_sign_in_and_nothing_changes(their_order):
    visitor = client_for()
    before = snapshot()

    for response in (
        visitor.get(detail_url(their_order)),
        visitor.get(seller_detail_url(their_order)),
        visitor.post(step_url(their_order), {"action": "start_delivery"}),
    ):
        assert response.status_code == 302 and response.url.startswith("/account/login/")
    assert snapshot() == before


@pytest.mark.parametrize("who", ["buyer", "seller", "courier", "stranger"])
def test_another_persons_order_is_a_404_everywhere_and_nothing_changes(who, their_order, zone):
    user = other_people(zone)[who]
    client = client_for(user)
    before = snapshot()

    assert client.get(detail_url(their_order)).status_code == 404
    if user.role == UserRole.SELLER:
        assert client.get(seller_detail_url(their_order)).status_code == 404
    for action in ("cancel", "confirm", "reject", "process", "ready", "claim", "pick_up", "start_delivery",
                   "deliver", "fail_attempt", "staff_cancel", "nonsense"):  # fmt: skip
        response = client.post(step_url(their_order), {"action": action, "note": "because"})
        assert response.status_code == 404, action
    assert client.get(detail_url(their_order) + "x/").status_code == 404
    for number in ("GM%00", "no%20such", "GM-99999999"):
        assert client.get(f"/orders/{number}/").status_code == 404
        assert client.post(f"/orders/{number}/step/", {"action": "cancel"}).status_code == 404
    assert snapshot() == before


def test_the_seller_and_courier_of_an_order_do_not_get_the_buyers_page(seller, buyer, zone, courier):
    order = order_for(seller, buyer, zone, status=OrderStatus.IN_TRANSIT, courier=courier)

    assert client_for(seller).get(detail_url(order)).status_code == 404
    assert client_for(courier).get(detail_url(order)).status_code == 404
    assert client_for(SellerFactory()).get(seller_detail_url(order)).status_code == 404
    assert client_for(seller).get(seller_detail_url(order)).status_code == 200


def test_a_ready_order_of_another_zone_cannot_be_claimed(seller, buyer, far_zone, courier):
    order = order_for(seller, buyer, far_zone, status=OrderStatus.READY_FOR_PICKUP)
    before = snapshot()

    response = client_for(courier).post(step_url(order), {"action": "claim"})

    assert response.status_code == 404
    assert snapshot() == before


# --- queries per page ---------------------------------------------------------------------------
def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _many(make, n):
    for _ in range(n):
        make()


@pytest.mark.parametrize("page", ["buyer", "seller", "courier"])
def test_the_order_lists_run_the_same_number_of_queries_for_3_and_15_orders(page, buyer, seller, zone, courier):
    def make():
        if page == "buyer":
            order = order_for(seller, buyer, zone, items=2)
        elif page == "seller":
            order = order_for(seller, BuyerFactory(), zone, items=2)
        else:
            order = order_for(SellerFactory(), BuyerFactory(), zone, items=2, status=OrderStatus.IN_TRANSIT,
                              courier=courier)  # fmt: skip
            order_for(SellerFactory(), BuyerFactory(), zone, items=2, status=OrderStatus.READY_FOR_PICKUP)
        return order

    user = {"buyer": buyer, "seller": seller, "courier": courier}[page]
    url = {"buyer": ORDERS, "seller": SELLER_ORDERS, "courier": COURIER}[page]
    client = client_for(user)
    for _warm in range(2):  # the first requests adopt and touch the session row
        client.get(url)

    _many(make, 3)
    three = _queries(client, url)
    _many(make, 12)
    fifteen = _queries(client, url)

    assert three == fifteen
    page_text = text_of(client.get(url))
    testid = {"buyer": "order-row", "seller": "seller-order-row", "courier": "courier-order"}[page]
    assert len(numbers_on(page_text, testid)) == (15 if page != "courier" else 30)


def test_the_cart_prices_each_sellers_delivery_to_the_buyers_address(buyer, home, kettle, carpet):
    fill_cart(buyer, (kettle, 1), (carpet, 1))
    page = client_for(buyer).get(reverse("orders:cart"), headers={"accept-language": "en"})
    content = text_of(page)
    assert content.count('data-testid="cart-delivery"') == 2  # one order per seller, each delivered
    assert "Delivery to" in content and "cart-delivery-problem" not in content


def test_the_cart_says_when_the_address_is_outside_every_zone(buyer, zone, kettle):
    UserAddressFactory(user=buyer, latitude=Decimal("39.650000"), longitude=Decimal("66.950000"))  # Samarkand
    fill_cart(buyer, (kettle, 1))
    content = text_of(client_for(buyer).get(reverse("orders:cart"), headers={"accept-language": "en"}))
    assert 'data-testid="cart-delivery-problem"' in content and "We do not deliver there yet." in content


def test_a_step_taken_on_a_secure_page_never_returns_to_plain_http(buyer, buyer_client, seller, zone):
    """The "next" link follows gogomarket.core.redirects.safe_next: on https, an http link to
    this very site is a downgrade and is not followed."""
    order = order_for(seller, buyer, zone, items=0)
    OrderItemFactory(order=order, product=ProductFactory(seller=seller, stock_quantity=4), quantity=1)

    response = buyer_client.post(
        step_url(order), {"action": "cancel", "next": f"http://testserver{detail_url(order)}"}, secure=True
    )

    assert response.status_code == 302 and response.url == detail_url(order)
