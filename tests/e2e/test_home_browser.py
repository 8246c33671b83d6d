"""What a visitor sees on the home page, in a real browser, on a desktop and on a phone."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.tests.factories import CategoryFactory, ProductFactory, ProductImageFactory

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def plain(text):
    """Prices use no-break spaces; compare them as a reader sees them."""
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture
def catalog(transactional_db):
    # live_server answers from another thread: the data must be committed, hence transactional_db
    category = CategoryFactory(name="Maishiy texnika")
    fridge = ProductFactory(
        name="Artel muzlatkich HD 455", category=category, is_featured=True, base_price=Decimal("4250000")
    )
    # the factory's image URLs do not exist: the card must fall back to the placeholder
    ProductImageFactory(product=fridge)
    ProductFactory(
        name="Chinni choynak",
        category=category,
        is_featured=True,
        base_price=Decimal("300000"),
        sale_price=Decimal("249000"),
    )
    return {"category": category, "fridge": fridge}


def product_card(page, name):
    return page.get_by_test_id("product-card").filter(has_text=name)


def test_home_page_on_a_desktop(page, live_server, catalog):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")

    expect(page).to_have_title(re.compile(r"^GOGOMARKET"))
    expect(page.locator("html")).to_have_attribute("lang", "uz")
    expect(page.get_by_role("heading", name="Tavsiya etilgan mahsulotlar")).to_be_visible()
    expect(page.get_by_test_id("category-tile").filter(has_text="Maishiy texnika")).to_be_visible()

    fridge = product_card(page, "Artel muzlatkich HD 455")
    expect(fridge).to_be_visible()
    assert plain(fridge.get_by_test_id("product-price").inner_text()) == "4 250 000 so'm"

    teapot = product_card(page, "Chinni choynak")
    assert plain(teapot.locator(".gm-price-sale").inner_text()) == "249 000 so'm"
    assert "300 000 so'm" in plain(teapot.locator("del").inner_text())

    # The vendored front end loaded from our own static files, not a CDN.
    assert page.evaluate("typeof window.bootstrap") == "object"
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"
    # The missing product image was replaced by the placeholder, which did load.
    image = fridge.locator("img")
    expect(image).to_have_attribute("src", re.compile(r"/static/img/placeholder-product\.svg$"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())

    # On a desktop the menu is laid out in the navbar: no toggler.
    expect(page.locator(".navbar-toggler")).to_be_hidden()
    expect(page.get_by_role("search")).to_be_visible()


def test_language_switcher_switches_to_russian(page, live_server, catalog):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")

    page.locator("#gm-language-toggle").click()
    switcher = page.get_by_test_id("language-switcher")
    expect(switcher).to_be_visible()
    expect(switcher.get_by_role("button", name="O'zbekcha")).to_have_attribute("aria-current", "true")
    switcher.get_by_role("button", name="Русский").click()

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Рекомендуемые товары")).to_be_visible()
    assert plain(product_card(page, "Artel muzlatkich HD 455").get_by_test_id("product-price").inner_text()) == (
        "4 250 000 сум"
    )
    expect(page.locator("#gm-language-toggle")).to_contain_text("Русский")

    # The choice sticks for the next page.
    page.goto(live_server.url + "/no-such-page/")
    expect(page.get_by_role("heading", name="Страница не найдена")).to_be_visible()


def test_navbar_collapses_on_a_phone(page, live_server, catalog):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")

    toggler = page.locator(".navbar-toggler")
    menu = page.locator("#gm-navbar-menu")
    expect(toggler).to_be_visible()
    expect(menu).to_be_hidden()
    # search stays at hand without opening the menu
    expect(page.get_by_role("search")).to_be_visible()
    # nothing sticks out sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # two product cards side by side on a phone
    cards = page.get_by_test_id("product-card")
    expect(cards).to_have_count(2)
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert first["y"] == pytest.approx(second["y"], abs=1)
    assert first["x"] + first["width"] <= second["x"]
    assert first["width"] < PHONE["width"] / 2

    toggler.click()
    expect(menu).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Kategoriyalar")).to_be_visible()
