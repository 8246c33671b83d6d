"""An order's whole life in a real browser: a buyer with items from two sellers checks out and
gets two orders; a seller confirms and prepares one; a courier on a phone takes it, picks it up
and delivers it; the buyer's timeline shows every step."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import BuyerFactory, CourierFactory, SellerFactory, UserAddressFactory
from catalog.tests.factories import CategoryFactory, ProductFactory
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory
from orders.enums import OrderStatus, PaymentStatus
from orders.models import Order, OrderTracking
from tests.e2e.test_accounts_browser import sign_in_through_the_form

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def market(transactional_db):
    zone = DeliveryZoneFactory(name="Yunusobod")
    DeliveryTariffFactory(zone=zone, name="Standart", base_cost=Decimal("15000"), cost_per_km=0, cost_per_kg=0)
    category = CategoryFactory(name="Uy-ro'zg'or", slug="uy-rozgor")
    artel = SellerFactory(first_name="Artel", last_name="Savdo")
    bahor = SellerFactory(first_name="Bahor", last_name="Do'kon")
    kettle = ProductFactory(seller=artel, category=category, name="Elektr choynak", slug="elektr-choynak",
                            base_price=Decimal("180000"), stock_quantity=5)  # fmt: skip
    towel = ProductFactory(seller=bahor, category=category, name="Paxta sochiq", slug="paxta-sochiq",
                           base_price=Decimal("45000"), stock_quantity=9)  # fmt: skip
    buyer = BuyerFactory(first_name="Malika")
    UserAddressFactory(user=buyer, label="Uy", latitude=Decimal("41.350000"), longitude=Decimal("69.290000"))
    courier = CourierFactory(first_name="Jasur")
    UserAddressFactory(user=courier, label="Uy", latitude=Decimal("41.340000"), longitude=Decimal("69.300000"))
    return {"artel": artel, "bahor": bahor, "kettle": kettle, "towel": towel, "buyer": buyer, "courier": courier}


def add_to_cart(page, live_server, slug):
    page.goto(f"{live_server.url}/products/{slug}/")
    page.get_by_test_id("add-to-cart-button").click()
    expect(page).to_have_url(f"{live_server.url}/products/{slug}/")


def test_two_sellers_two_orders_and_a_delivery_seen_on_the_timeline(browser, live_server, market):
    buyer_context = browser.new_context(viewport=DESKTOP, locale="uz-UZ")
    page = buyer_context.new_page()
    sign_in_through_the_form(page, live_server, market["buyer"].email)
    add_to_cart(page, live_server, "elektr-choynak")
    add_to_cart(page, live_server, "paxta-sochiq")
    expect(page.get_by_test_id("cart-count")).to_have_text("2")

    page.goto(live_server.url + "/cart/")
    expect(page.get_by_test_id("cart-seller")).to_have_count(2)
    page.get_by_test_id("to-checkout").click()
    expect(page).to_have_url(live_server.url + "/checkout/")
    summary = page.get_by_test_id("checkout-summary")
    expect(summary.get_by_test_id("plan-seller")).to_have_count(2)
    # 180 000 + 45 000 of items, 15 000 delivery from each seller
    expect(summary.get_by_test_id("plan-total")).to_have_text(re.compile(r"255\s000"))
    page.get_by_test_id("place-order").click()
    expect(page).to_have_url(live_server.url + "/orders/")
    expect(page.get_by_test_id("order-row")).to_have_count(2)
    orders = list(Order.objects.filter(buyer=market["buyer"]).order_by("seller_id"))
    assert {o.seller for o in orders} == {market["artel"], market["bahor"]}
    assert all(o.status == OrderStatus.PENDING for o in orders)
    kettle_order = next(o for o in orders if o.seller == market["artel"])

    # the seller confirms and prepares
    seller_context = browser.new_context(viewport=DESKTOP, locale="uz-UZ")
    seller_page = seller_context.new_page()
    sign_in_through_the_form(seller_page, live_server, market["artel"].email, next_url="/seller/orders/")
    row = seller_page.get_by_test_id("seller-order-row").filter(has_text=kettle_order.order_number)
    for step, status in (("confirm", "confirmed"), ("process", "processing"), ("ready", "ready_for_pickup")):
        with seller_page.expect_navigation():
            row.locator(f"button[data-step={step}]").click()
        row = seller_page.get_by_test_id("seller-order-row").filter(has_text=kettle_order.order_number)
        expect(row.get_by_test_id("order-status")).to_have_attribute("data-status", status)

    # the courier, on a phone: takes the ready order of their zone, picks it up, delivers it
    # the phone shares its position: every courier step is tracked with it
    courier_context = browser.new_context(
        viewport=PHONE, locale="uz-UZ", geolocation={"latitude": 41.3456, "longitude": 69.2987},
        permissions=["geolocation"],
    )  # fmt: skip
    courier_page = courier_context.new_page()
    sign_in_through_the_form(courier_page, live_server, market["courier"].email, next_url="/courier/")
    card = courier_page.get_by_test_id("courier-order").filter(has_text=kettle_order.order_number)
    expect(card.get_by_test_id("buyer-phone")).to_be_visible()
    expect(card.get_by_test_id("map-link")).to_have_attribute("href", re.compile(r"openstreetmap\.org/\?mlat=41\.35"))
    expect(card.get_by_test_id("collect-cash")).to_contain_text(re.compile(r"195\s000"))  # 180 000 + 15 000
    for step in ("claim", "pick_up", "start_delivery", "deliver"):
        card = courier_page.get_by_test_id("courier-order").filter(has_text=kettle_order.order_number)
        with courier_page.expect_navigation():
            card.locator(f"button[data-step={step}]").click()
        expect(courier_page.locator("#messages .alert-success")).to_be_visible()
    assert courier_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    kettle_order.refresh_from_db()
    assert kettle_order.status == OrderStatus.DELIVERED
    assert kettle_order.payment_status == PaymentStatus.PAID  # cash, paid to the courier
    assert list(OrderTracking.objects.filter(order=kettle_order).order_by("pk").values_list("status", flat=True)) == [
        "assigned", "picked_up", "in_transit", "delivered",
    ]  # fmt: skip
    positions = set(OrderTracking.objects.filter(order=kettle_order).values_list("latitude", "longitude"))
    assert positions == {(Decimal("41.34560000"), Decimal("69.29870000"))}

    # the buyer's timeline tells the whole story
    page.goto(f"{live_server.url}/orders/{kettle_order.order_number}/")
    statuses = page.get_by_test_id("timeline-entry").evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert statuses == [
        "pending", "confirmed", "processing", "ready_for_pickup", "ready_for_pickup", "picked_up", "in_transit",
        "delivered",
    ]  # fmt: skip
    expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "delivered")
    expect(page.get_by_test_id("tracking-entry")).to_have_count(4)
    for context in (buyer_context, seller_context, courier_context):
        context.close()
