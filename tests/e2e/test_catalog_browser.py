"""The catalog in a real browser: a seller lists a product with a picture and a variant; a buyer
finds it by a misspelt search, narrows a category with a filter, opens it and picks a variant."""

import io
import re
from decimal import Decimal

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.tests.factories import SellerFactory
from catalog.enums import ProductStatus
from catalog.models import Product, ProductImage, ProductVariant
from catalog.tests.factories import (
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
    ProductVariantFactory,
)
from tests.e2e.test_accounts_browser import sign_in_through_the_form

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def plain(text):
    return " ".join(text.replace("\u00a0", " ").split())


def png_bytes(color=(200, 40, 40)):
    out = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def tree(transactional_db):
    electronics = CategoryFactory(name="Elektronika", slug="elektronika")
    phones = CategoryFactory(name="Telefonlar", slug="telefonlar", parent=electronics)
    smartphones = CategoryFactory(name="Smartfonlar", slug="smartfonlar", parent=phones)
    cases = CategoryFactory(name="G'iloflar", slug="giloflar", parent=phones)
    return {"root": electronics, "phones": phones, "smartphones": smartphones, "cases": cases}


def test_a_seller_lists_a_product_with_a_picture_and_a_variant(page, live_server, tree):
    page.set_viewport_size(DESKTOP)
    seller = SellerFactory(first_name="Dilshod")
    sign_in_through_the_form(page, live_server, seller.email, next_url="/seller/products/new/")
    expect(page).to_have_url(live_server.url + "/seller/products/new/")

    form = page.get_by_test_id("product-form")
    form.locator("#id_name").fill("Smartfon Redmi Note 13")
    form.locator("#id_category").select_option(str(tree["smartphones"].pk))
    form.locator("#id_brand").fill("Xiaomi")
    form.locator("#id_sku").fill("RN13-8-128")
    form.locator("#id_description").fill("AMOLED ekran, 108 MP kamera, 5000 mAh batareya.")
    form.locator("#id_base_price").fill("3200000")
    form.locator("#id_stock_quantity").fill("10")
    # a mistake first: a sale price above the price is refused next to the field
    form.locator("#id_sale_price").fill("3500000")
    form.locator("button[type=submit]").click()
    expect(page.locator("#id_sale_price")).to_have_class(re.compile(r"\bis-invalid\b"))
    assert not Product.objects.exists()

    page.locator("#id_sale_price").fill("2990000")
    page.get_by_test_id("product-form").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/seller/products/\d+/#images$"))
    product = Product.objects.get(sku="RN13-8-128")
    assert product.status == ProductStatus.DRAFT and product.seller == seller

    # a picture: uploaded, thumbnailed, the main one
    page.locator("#id_images").set_input_files(
        files=[{"name": "redmi.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_test_id("image-upload").locator("button[type=submit]").click()
    expect(page.get_by_test_id("seller-image")).to_have_count(1)
    expect(page.get_by_test_id("primary-badge")).to_be_visible()
    image = ProductImage.objects.get(product=product)
    assert image.is_primary and image.thumbnail_url.endswith("_thumb.jpg")

    # a variant with its own stock: the product's stock becomes the variants' sum
    variant_form = page.get_by_test_id("variant-form")
    variant_form.locator("#id_variant-name").fill("Ko'k, 256 GB")
    variant_form.locator("#id_variant-attributes").fill("Rang: Ko'k, Xotira: 256 GB")
    variant_form.locator("#id_variant-price_adjustment").fill("400000")
    variant_form.locator("#id_variant-stock_quantity").fill("4")
    variant_form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("variant-row")).to_have_count(1)
    variant = ProductVariant.objects.get(product=product)
    assert variant.attributes == {"Rang": "Ko'k", "Xotira": "256 GB"}
    product.refresh_from_db()
    assert product.stock_quantity == 4

    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("unpublish")).to_be_visible()
    product.refresh_from_db()
    assert product.status == ProductStatus.ACTIVE and product.published_at is not None

    # the shop shows it
    page.goto(live_server.url + f"/products/{product.slug}/")
    expect(page.get_by_test_id("product-title")).to_have_text("Smartfon Redmi Note 13")
    expect(page.get_by_test_id("main-image")).to_have_attribute("src", image.url)


@pytest.fixture
def shop(tree):
    seller = SellerFactory(first_name="Dilshod", last_name="Savdo")
    redmi = ProductFactory(
        seller=seller,
        category=tree["smartphones"],
        name="Smartfon Redmi Note 13",
        slug="smartfon-redmi-note-13",
        brand="Xiaomi",
        base_price=Decimal("3200000"),
        stock_quantity=9,
    )
    black = ProductVariantFactory(
        product=redmi, name="Qora, 128 GB", attributes={"Rang": "Qora"}, price_adjustment=Decimal("0"), stock_quantity=9
    )
    blue = ProductVariantFactory(
        product=redmi,
        name="Ko'k, 256 GB",
        attributes={"Rang": "Ko'k"},
        price_adjustment=Decimal("400000"),
        stock_quantity=0,
    )
    ProductAttributeFactory(product=redmi, name="Ekran", value="6.67 AMOLED")
    ProductFactory(seller=seller, category=tree["smartphones"], name="Smartfon Samsung Galaxy A55", brand="Samsung")
    ProductFactory(seller=seller, category=tree["cases"], name="Silikon g'ilof Redmi uchun", brand="Baseus")
    ProductFactory(  # a draft is nowhere to be found
        seller=seller, category=tree["smartphones"], name="Smartfon Redmi Draft", status=ProductStatus.DRAFT
    )
    return {"redmi": redmi, "black": black, "blue": blue}


def test_a_buyer_finds_filters_opens_and_picks_a_variant_on_a_phone(page, live_server, shop):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")

    # search as you type, with a typo ("smartfn")
    box = page.get_by_test_id("search-input")
    box.fill("smartfn redm")
    suggestions = page.get_by_test_id("search-suggestions")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("option")).to_have_count(1)
    expect(suggestions).to_contain_text("Smartfon Redmi Note 13")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=smartfn\+redm"))
    results = page.get_by_test_id("product-card")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Smartfon Redmi Note 13")
    expect(page.get_by_test_id("search-corrected")).to_contain_text("smartfon")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # the category page: everything under Elektronika, then only Xiaomi
    page.goto(live_server.url + "/catalog/elektronika/")
    expect(page.get_by_test_id("product-card")).to_have_count(3)
    page.get_by_role("button", name=re.compile("Filtr|Filter")).click()
    page.get_by_test_id("brand-filter").get_by_label(re.compile("^Xiaomi")).check()
    expect(page).to_have_url(re.compile(r"brand=Xiaomi"))
    expect(page.get_by_test_id("product-card")).to_have_count(1)
    expect(page.get_by_test_id("listing-count")).to_contain_text("1")

    # the product page: the variant picker changes the price and the stock
    page.get_by_test_id("product-card").first.get_by_role("link").click()
    expect(page).to_have_url(live_server.url + "/products/smartfon-redmi-note-13/")
    price = page.locator("#gm-price")
    assert plain(price.inner_text()) == "3 200 000 so'm"
    page.get_by_test_id("variant-picker").select_option(str(shop["blue"].pk))
    expect(price).to_have_text(re.compile(r"3\s600\s000"))
    expect(page.locator("#gm-stock")).to_have_attribute("data-variant-stock", "0")
    expect(page.locator("#gm-stock .text-danger")).to_be_visible()
    page.get_by_test_id("variant-picker").select_option(str(shop["black"].pk))
    expect(price).to_have_text(re.compile(r"3\s200\s000"))
    expect(page.locator("#gm-stock .text-success")).to_be_visible()
    expect(page.get_by_test_id("attributes")).to_contain_text("6.67 AMOLED")
    expect(page.get_by_test_id("seller-card")).to_contain_text("Dilshod Savdo")
