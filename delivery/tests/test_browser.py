"""What staff and buyers see of delivery, in a real browser: the zone editor works with no
internet (OpenLayers from our static files, tiles refused), and a signed-in buyer's product page
fills in the delivery estimate after it loads.

Run with the other browser tests: ``DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest -m e2e``."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.enums import AdminRoleType
from accounts.tests.factories import BuyerFactory, SellerFactory, StaffFactory, UserAddressFactory
from catalog.tests.factories import ProductFactory
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory, tashkent_polygon
from tests.e2e.conftest import browser_context_args, browser_type_launch_args  # noqa: F401

pytestmark = pytest.mark.e2e


def signed_in(page, live_server, user):
    """The browser carries ``user``'s session (signing in is tested in tests/e2e)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page


def offline(page, live_server):
    """Every request that leaves the test server fails, as without internet; returns their list."""
    outside = []

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    page.route(re.compile(rf"^(?!{re.escape(live_server.url)}).*"), refuse)
    return outside


def test_zone_editor_works_offline_and_draws_the_neighbours(page, live_server, transactional_db):
    zone = DeliveryZoneFactory(name="Yunusobod")
    DeliveryZoneFactory(name="Chilonzor", polygon=tashkent_polygon((69.10, 41.20, 69.20, 41.30)))
    signed_in(page, live_server, StaffFactory(role_type=AdminRoleType.SUPER_ADMIN))
    outside = offline(page, live_server)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/admin/delivery/deliveryzone/{zone.pk}/change/")

    expect(page.get_by_test_id("zone-map").locator("canvas").first).to_be_visible()
    assert errors == []
    assert all("tile" in url for url in outside), outside  # only map tiles were asked for outside
    # Tiles, then the neighbours' outlines; the edited zone is the widget's own overlay.
    assert page.evaluate("geodjango_polygon.map.getLayers().getLength()") == 2
    assert page.evaluate("geodjango_polygon.map.getLayers().item(1).getSource().getFeatures().length") == 1
    assert page.evaluate("geodjango_polygon.featureOverlay.getSource().getFeatures().length") == 1

    # Draw a new outline: delete the old one, click three corners, click the first again.
    page.locator(".clear_features a").click()
    box = page.locator("#id_polygon_map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-60, -40), (60, -40), (60, 40), (-60, -40)):
        page.mouse.click(x + dx, y + dy)
        page.wait_for_timeout(150)
    assert '"Polygon"' in page.locator("#id_polygon").input_value()
    page.locator("input[name=_continue]").click()

    expect(page.locator(".messagelist .success")).to_be_visible()
    zone.refresh_from_db()
    assert zone.polygon.valid and zone.polygon.num_coords == 4
    centre = zone.polygon.centroid
    assert abs(centre.x - 69.28) < 0.05 and abs(centre.y - 41.32) < 0.05  # where the map was


def test_buyer_sees_the_delivery_estimate_fill_in(page, live_server, transactional_db):
    zone = DeliveryZoneFactory(name="Yunusobod tumani")
    DeliveryTariffFactory(zone=zone, name="Standart", free_delivery_threshold=None)
    seller = SellerFactory()
    UserAddressFactory(user=seller, latitude=Decimal("41.30"), longitude=Decimal("69.28"))
    product = ProductFactory(seller=seller, base_price=Decimal("120000"), weight=Decimal("2"))
    buyer = BuyerFactory()
    UserAddressFactory(user=buyer, latitude=Decimal("41.34"), longitude=Decimal("69.28"))
    signed_in(page, live_server, buyer)

    page.goto(f"{live_server.url}/products/{product.slug}/")

    box = page.get_by_test_id("delivery-estimate")
    expect(box).to_have_attribute("data-state", "quote")
    expect(box).to_contain_text("Yunusobod tumani")
    expect(box).to_contain_text("Standart")
    # 15 000 + 2 000 x 4.45 km + 1 000 x 2 kg
    expect(box.get_by_test_id("delivery-cost")).to_have_text(re.compile(r"^25\s900\sso'm$"))
