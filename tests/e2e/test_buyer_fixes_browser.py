"""Two things a new buyer ran into, tried again in a real browser: a product whose first variant
is sold out opens on one that is in stock; checkout with an address that has no map pin says so
and leads to the map and back, where the order can then be placed."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import UserAddress
from accounts.tests.factories import BuyerFactory, SellerFactory, UserAddressFactory
from catalog.tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory
from orders.models import CartItem, Order
from orders.tests.factories import CartFactory, CartItemFactory
from tests.e2e.test_accounts_browser import sign_in_through_the_form

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def plain(text):
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture
def offline_tiles(page):
    """Map tiles never load in tests: the picker works on a blank map."""
    page.route(re.compile(r"^https://tile\.openstreetmap\.org/.*"), lambda route: route.abort())
    return page


@pytest.fixture
def kettle(transactional_db):
    category = CategoryFactory(name="Choynaklar", slug="choynaklar")
    product = ProductFactory(seller=SellerFactory(), category=category, name="Elektr choynak",
                             slug="elektr-choynak", base_price=Decimal("180000"), stock_quantity=3)  # fmt: skip
    white = ProductVariantFactory(product=product, name="Oq", stock_quantity=0)
    black = ProductVariantFactory(product=product, name="Qora", stock_quantity=3, price_adjustment=Decimal("20000"))
    return {"product": product, "white": white, "black": black}


def test_a_product_opens_on_a_variant_that_is_in_stock(page, live_server, kettle):
    page.set_viewport_size(PHONE)
    buyer = BuyerFactory()
    sign_in_through_the_form(page, live_server, buyer.email, next_url="/products/elektr-choynak/")

    expect(page.get_by_test_id("variant-picker")).to_have_value(str(kettle["black"].pk))
    expect(page.get_by_test_id("stock-status").locator(".text-success")).to_have_text(re.compile(r"\b3\b"))
    expect(page.get_by_test_id("stock-status").locator(".text-danger")).to_have_count(0)
    assert plain(page.locator("#gm-price").inner_text()) == "200 000 so'm"
    expect(page.get_by_test_id("add-to-cart-button")).to_be_enabled()

    # the sold-out one can be looked at, not bought
    page.get_by_test_id("variant-picker").select_option(str(kettle["white"].pk))
    expect(page.get_by_test_id("stock-status").locator(".text-danger")).to_be_visible()
    expect(page.get_by_test_id("add-to-cart-button")).to_be_disabled()
    page.get_by_test_id("variant-picker").select_option(str(kettle["black"].pk))

    page.get_by_test_id("add-to-cart-button").click()
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    assert list(CartItem.objects.values_list("variant_id", flat=True)) == [kettle["black"].pk]


def test_an_address_without_a_pin_is_fixed_from_checkout(offline_tiles, live_server, kettle):
    page = offline_tiles
    page.set_viewport_size(DESKTOP)
    zone = DeliveryZoneFactory(name="Yunusobod")
    DeliveryTariffFactory(zone=zone, name="Standart", base_cost=Decimal("15000"), cost_per_km=0, cost_per_kg=0)
    buyer = BuyerFactory(first_name="Malika")
    dacha = UserAddressFactory(user=buyer, label="Dacha", latitude=None, longitude=None)
    CartItemFactory(cart=CartFactory(user=buyer), product=kettle["product"], variant=kettle["black"])
    sign_in_through_the_form(page, live_server, buyer.email, next_url="/checkout/")

    # checkout says what is wrong and how to fix it
    note = page.get_by_test_id("address-needs-pin")
    expect(note).to_be_visible()
    expect(note.get_by_test_id("pin-address")).to_be_visible()
    expect(page.get_by_test_id("address-no-pin")).to_be_visible()
    expect(page.get_by_test_id("place-order")).to_be_disabled()
    note.get_by_test_id("pin-address").click()

    # the address's form with the map; a tap puts the pin; saving comes back to checkout
    expect(page).to_have_url(re.compile(rf"/account/addresses/{dacha.pk}/edit/\?next="))
    expect(page.get_by_test_id("address-pin-needed")).to_be_visible()
    page.wait_for_function("() => document.querySelector('[data-address-map]').gmMap !== undefined")
    page.get_by_test_id("address-map").click()  # the middle of the map: central Tashkent, in the zone
    expect(page.locator("#id_latitude")).not_to_have_value("")
    page.get_by_test_id("address-form").locator("button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/checkout/?address={dacha.pk}")
    expect(page.get_by_test_id("address-needs-pin")).to_have_count(0)
    expect(page.locator(f"#gm-address-{dacha.pk}")).to_be_checked()
    expect(page.get_by_test_id("place-order")).to_be_enabled()
    page.get_by_test_id("place-order").click()

    expect(page).to_have_url(re.compile(r"/orders/GM[\w-]+/$"))
    order = Order.objects.get(buyer=buyer)
    assert order.delivery_address_id == dacha.pk
    assert UserAddress.objects.get(pk=dacha.pk).has_pin
