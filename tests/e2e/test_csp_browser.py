"""The Content-Security-Policy in a real browser: the main pages, used the way people use them
(a variant picked, a map clicked, a quantity changed, a question answered), and not one
violation reported. Map tiles come from the tile host the policy names (answered here by the test,
nothing leaves the machine); any other request to the outside is refused and counted."""

import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image
from playwright.sync_api import expect

from accounts.enums import AdminRoleType
from accounts.tests.factories import BuyerFactory, CourierFactory, SellerFactory, StaffFactory, UserAddressFactory
from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ProductFactory, ProductImageFactory, ProductVariantFactory
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory, tashkent_polygon
from orders.tests.factories import CartFactory, CartItemFactory

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}


def png(size=(256, 256), color=(225, 232, 225)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


TILE = png()  # what the "tile server" answers

# Reports a violation to the test through the console (page.on("console") sees every page).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI + " at " +
                e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


class Watch:
    """Everything a page did that the policy refused, and every request that left the machine."""

    def __init__(self, page, live_server):
        self.violations = []
        self.errors = []
        self.outside = []
        self.tiles = []
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", lambda dialog: dialog.dismiss())  # "Delete this product?": no
        tile_host = re.escape(re.match(r"https?://[^/]+", settings.MAP_TILE_URL).group(0))
        page.route(re.compile(rf"^{tile_host}/"), self.tile)
        page.route(re.compile(rf"^(?!{re.escape(live_server.url)}|{tile_host}/).*"), self.refuse)

    def console(self, message):
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            self.violations.append(text)

    def tile(self, route):
        self.tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    def refuse(self, route):
        self.outside.append(route.request.url)
        route.abort()


def signed_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def market(transactional_db):
    zone = DeliveryZoneFactory(name="Yunusobod")
    DeliveryZoneFactory(name="Chilonzor", polygon=tashkent_polygon((69.10, 41.20, 69.20, 41.30)))
    DeliveryTariffFactory(zone=zone, name="Standart", base_cost=Decimal("15000"), cost_per_km=0, cost_per_kg=0)
    root = CategoryFactory(name="Uy-ro'zg'or", slug="uy-rozgor")
    leaf = CategoryFactory(name="Choynaklar", slug="choynaklar", parent=root)
    seller = SellerFactory(first_name="Artel")
    kettle = ProductFactory(seller=seller, category=leaf, name="Elektr choynak", slug="elektr-choynak",
                            base_price=Decimal("180000"), stock_quantity=9, is_featured=True)  # fmt: skip
    ProductImageFactory(product=kettle, url="/media/missing.jpg", thumbnail_url="/media/missing_thumb.jpg")
    ProductVariantFactory(product=kettle, name="Oq", stock_quantity=0)
    ProductVariantFactory(product=kettle, name="Qora", stock_quantity=9)
    ProductFactory(seller=seller, category=leaf, name="Termos", slug="termos", base_price=Decimal("90000"))
    buyer = BuyerFactory(first_name="Malika")
    home = UserAddressFactory(user=buyer, label="Uy", latitude=Decimal("41.35"), longitude=Decimal("69.29"))
    UserAddressFactory(user=buyer, label="Dacha", is_default=False, latitude=None, longitude=None)
    CartItemFactory(cart=CartFactory(user=buyer), product=kettle, variant=kettle.variants.get(name="Qora"))
    courier = CourierFactory()
    UserAddressFactory(user=courier, label="Uy", latitude=Decimal("41.34"), longitude=Decimal("69.30"))
    return {"zone": zone, "seller": seller, "kettle": kettle, "buyer": buyer, "home": home, "courier": courier}


def test_the_main_pages_keep_to_the_policy(browser, live_server, market):
    url = live_server.url

    # --- a visitor: home, a category (sorted), a product (another variant picked) -----------------
    visitor = browser.new_context(viewport=DESKTOP)
    page = visitor.new_page()
    watch = Watch(page, live_server)
    page.goto(url + "/")
    expect(page.get_by_test_id("product-card").first).to_be_visible()
    # The card's picture is missing: the placeholder replaces it (was an inline onerror).
    expect(page.locator(".gm-product-image").first).to_have_attribute("src", re.compile(r"placeholder-product"))
    page.goto(url + "/catalog/choynaklar/")
    with page.expect_response(re.compile(r"/catalog/choynaklar/\?.*sort=price_asc")):
        page.get_by_test_id("sort-select").select_option("price_asc")  # was an inline onchange
    expect(page.get_by_test_id("product-card").first).to_contain_text("Termos")
    page.goto(url + "/products/elektr-choynak/")
    page.get_by_test_id("variant-picker").select_option(str(market["kettle"].variants.get(name="Oq").pk))
    expect(page.get_by_test_id("add-to-cart-button")).to_be_disabled()
    visitor.close()

    # --- the buyer: cart (quantity over htmx), checkout (another address), the address form's map ---
    buyer = browser.new_context(viewport=DESKTOP)
    signed_in(buyer, live_server, market["buyer"])
    page = buyer.new_page()
    buyer_watch = Watch(page, live_server)
    page.goto(url + "/cart/")
    with page.expect_response(re.compile(r"/cart/items/\d+/")):
        page.get_by_test_id("line-quantity").fill("2")
        page.get_by_test_id("line-quantity").dispatch_event("change")
    page.goto(url + "/checkout/")
    expect(page.get_by_test_id("place-order")).to_be_enabled()
    page.get_by_text("Dacha").click()  # htmx plans again (the trigger was an eval'd filter)
    expect(page.get_by_test_id("address-needs-pin")).to_be_visible()
    expect(page.get_by_test_id("place-order")).to_be_disabled()
    page.get_by_test_id("pin-address").click()
    expect(page.get_by_test_id("address-map").locator(".leaflet-tile-loaded").first).to_be_attached()
    page.get_by_test_id("address-map").click()
    expect(page.locator("#id_latitude")).not_to_have_value("")
    buyer.close()

    # --- the courier's phone page, the seller's product page, the back office's zone editor ---------
    courier = browser.new_context(viewport={"width": 390, "height": 844})
    signed_in(courier, live_server, market["courier"])
    page = courier.new_page()
    courier_watch = Watch(page, live_server)
    page.goto(url + "/courier/")
    expect(page.get_by_test_id("courier-page")).to_be_visible()
    courier.close()

    seller = browser.new_context(viewport=DESKTOP)
    signed_in(seller, live_server, market["seller"])
    page = seller.new_page()
    seller_watch = Watch(page, live_server)
    page.goto(url + f"/seller/products/{market['kettle'].pk}/")
    page.get_by_test_id("delete").click()  # the question is dismissed: nothing happens
    expect(page).to_have_url(url + f"/seller/products/{market['kettle'].pk}/")
    assert Product.objects.get(pk=market["kettle"].pk).deleted_at is None
    page.goto(url + "/seller/products/")
    page.locator("thead input[type=checkbox]").check()  # select all (was an inline onclick)
    expect(page.locator("input[name=products]:checked")).to_have_count(2)
    seller.close()

    staff = browser.new_context(viewport=DESKTOP)
    signed_in(staff, live_server, StaffFactory(role_type=AdminRoleType.SUPER_ADMIN))
    page = staff.new_page()
    staff_watch = Watch(page, live_server)
    page.goto(url + f"/admin/delivery/deliveryzone/{market['zone'].pk}/change/")
    expect(page.get_by_test_id("zone-map").locator("canvas").first).to_be_visible()
    page.wait_for_function("() => window.geodjango_polygon && geodjango_polygon.map.getLayers().getLength() === 2")
    page.goto(url + "/admin/delivery/deliveryzone/add/")
    expect(page.get_by_test_id("zone-map").locator("canvas").first).to_be_visible()
    staff.close()

    watches = [watch, buyer_watch, courier_watch, seller_watch, staff_watch]
    assert [v for w in watches for v in w.violations] == []
    assert [e for w in watches for e in w.errors] == []
    assert [u for w in watches for u in w.outside] == []
    assert buyer_watch.tiles and staff_watch.tiles  # the maps did load tiles from the allowed host
