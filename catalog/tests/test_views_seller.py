"""The seller center (/seller/) through the Django test client: who gets in, that every page
calls its service and shows its errors, and that another seller's product is a 404 on every URL
with nothing changed. The rules themselves are tested on the services."""

import csv
import html
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from accounts.tests.factories import BuyerFactory, SellerFactory, StaffFactory
from catalog.enums import ProductStatus
from catalog.models import Product, ProductAttribute, ProductImage, ProductVariant
from catalog.tests.factories import (
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)
from gogomarket.core.models import AuditLog
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def text_of(response):
    return html.unescape(response.content.decode())


def png_bytes(size=(60, 40), color=(200, 30, 90)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def png(name="photo.png", **kwargs):
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


def media_files():
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def snapshot():
    """Everything a seller center request could change."""
    return {
        "products": list(Product.objects.order_by("pk").values()),
        "images": list(ProductImage.objects.order_by("pk").values()),
        "variants": list(ProductVariant.objects.order_by("pk").values()),
        "attributes": list(ProductAttribute.objects.order_by("pk").values()),
        "audit": list(AuditLog.objects.order_by("pk").values_list("pk", flat=True)),
        "media": media_files(),
    }


def field_errors(response, name):
    """The error messages shown under form field ``name`` (by its input id)."""
    page = text_of(response)
    match = re.search(rf'id="id_{name}".*?(?=<div class="mb-3|</fieldset>|</form>)', page, re.S)
    assert match, f"field {name} is on the page"
    return re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', match.group(0))


@pytest.fixture
def leaf():
    root = CategoryFactory(name="Elektronika", slug="elektronika")
    middle = CategoryFactory(name="Telefonlar", slug="telefonlar", parent=root)
    return CategoryFactory(name="Smartfonlar", slug="smartfonlar", parent=middle)


@pytest.fixture
def seller():
    return SellerFactory(first_name="Aziz")


@pytest.fixture
def seller_client(client, seller):
    client.force_login(seller)
    client.defaults.update(EN)
    return client


@pytest.fixture
def product(seller, leaf):
    return ProductFactory(seller=seller, category=leaf, name="Honor X8b", status=ProductStatus.DRAFT,
                          published_at=None, stock_quantity=7, low_stock_threshold=10)  # fmt: skip


def form_data(in_category, **overrides):
    data = {
        "category": in_category.pk,
        "name": "Artel choynak",
        "description": "Elektr choynak, 1.7 litr.",
        "short_description": "",
        "brand": "Artel",
        "sku": "ART-KETTLE-1",
        "barcode": "",
        "base_price": "250000",
        "sale_price": "",
        "cost_price": "180000",
        "tax_rate": "12",
        "stock_quantity": "15",
        "low_stock_threshold": "3",
        "min_order_quantity": "1",
        "max_order_quantity": "",
        "weight": "1.2",
        "length": "",
        "width": "",
        "height": "",
        "requires_shipping": "on",
        "slug": "",
        "meta_title": "",
        "meta_description": "",
        "meta_keywords": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- who gets in -----------------------------------------------------------------------------
SELLER_GET_URLS = ["/seller/", "/seller/products/", "/seller/products/new/", "/seller/products/low-stock/",
                   "/seller/products/export.csv", "/seller/products/import/"]  # fmt: skip


@pytest.mark.parametrize("url", SELLER_GET_URLS)
def test_seller_center_needs_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    assert f"next={url}" in response["Location"].replace("%2F", "/")


def test_anonymous_posts_are_redirected_and_change_nothing(client, product):
    before = snapshot()
    for url in (
        "/seller/products/new/",
        f"/seller/products/{product.pk}/",
        f"/seller/products/{product.pk}/status/publish/",
        "/seller/products/bulk/",
    ):
        response = client.post(url, {"action": "publish", "products": [product.pk], **form_data(product.category)})
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert snapshot() == before


@pytest.mark.parametrize("url", SELLER_GET_URLS)
def test_a_buyer_gets_403(client, url):
    client.force_login(BuyerFactory())

    assert client.get(url).status_code == 403


def test_a_buyer_cannot_create_or_change_products(client, product, leaf):
    client.force_login(BuyerFactory())
    before = snapshot()

    assert client.post("/seller/products/new/", form_data(leaf)).status_code == 403
    assert client.post(f"/seller/products/{product.pk}/status/publish/").status_code == 403
    assert client.post("/seller/products/bulk/", {"action": "delete", "products": [product.pk]}).status_code == 403
    assert snapshot() == before


def test_staff_without_a_seller_account_gets_403(client):
    client.force_login(StaffFactory())

    assert client.get("/seller/products/").status_code == 403


def test_dashboard_leads_to_the_product_list(seller_client):
    response = seller_client.get("/seller/")

    assert response.status_code == 302 and response["Location"] == "/seller/products/"


# --- product list ----------------------------------------------------------------------------
def row_ids(response):
    return [
        int(pk) for pk in re.findall(r'data-testid="seller-product-row" data-product-id="(\d+)"', text_of(response))
    ]


def test_product_list_shows_only_my_live_products_with_filters(seller_client, seller, leaf):
    kettle = ProductFactory(seller=seller, category=leaf, name="Choynak", sku="CH-1", stock_quantity=50)
    low = ProductFactory(seller=seller, category=leaf, name="Dazmol", stock_quantity=2, low_stock_threshold=5)
    out = ProductFactory(seller=seller, category=leaf, name="Fen", stock_quantity=0, status=ProductStatus.DRAFT)
    ProductFactory(seller=seller, category=leaf, name="O'chirilgan", deleted_at=timezone.now())
    ProductFactory(category=leaf, name="Someone else's")

    response = seller_client.get("/seller/products/")

    assert response.status_code == 200
    assert set(row_ids(response)) == {kettle.pk, low.pk, out.pk}
    page = text_of(response)
    assert "Someone else's" not in page and "O'chirilgan" not in page
    assert 'data-testid="low-stock-alert"' in page and "2 products are running low on stock." in page
    assert row_ids(seller_client.get("/seller/products/", {"q": "choy"})) == [kettle.pk]
    assert row_ids(seller_client.get("/seller/products/", {"q": "CH-1"})) == [kettle.pk]
    assert row_ids(seller_client.get("/seller/products/", {"status": "draft"})) == [out.pk]
    assert set(row_ids(seller_client.get("/seller/products/", {"stock": "low"}))) == {low.pk, out.pk}
    assert row_ids(seller_client.get("/seller/products/", {"stock": "out"})) == [out.pk]
    # a bad filter value is ignored, not an error
    assert seller_client.get("/seller/products/", {"status": "nonsense", "page": "x"}).status_code == 200


def test_product_list_paginates(seller_client, seller, leaf):
    ProductFactory.create_batch(55, seller=seller, category=leaf)

    first = seller_client.get("/seller/products/")
    second = seller_client.get("/seller/products/", {"page": "2"})

    assert len(row_ids(first)) == 50 and len(row_ids(second)) == 5
    assert "1 / 2" in text_of(first)
    assert not set(row_ids(first)) & set(row_ids(second))


def test_product_list_runs_the_same_queries_for_10_and_60_products(seller_client, seller, leaf):
    def grow(n):
        for _ in range(n):
            product = ProductFactory(seller=seller, category=CategoryFactory(parent=leaf.parent))
            ProductImageFactory(product=product)
            ProductImageFactory(product=product, is_primary=False)

    grow(10)
    seller_client.get("/seller/products/")  # the session row is adopted on the first request,
    seller_client.get("/seller/products/")  # checked and touched on the second (then cached)

    with CaptureQueriesContext(connection) as few:
        assert len(row_ids(seller_client.get("/seller/products/"))) == 10
    grow(50)
    with CaptureQueriesContext(connection) as many:
        assert len(row_ids(seller_client.get("/seller/products/"))) == 50

    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]


# --- create and edit -------------------------------------------------------------------------
def test_create_page_offers_only_leaf_categories(seller_client, leaf):
    response = seller_client.get("/seller/products/new/")

    assert response.status_code == 200
    select = re.search(r'<select name="category".*?</select>', text_of(response), re.S).group(0)
    assert re.search(rf'<option value="{leaf.pk}"[^>]*>Telefonlar › Smartfonlar</option>', select)
    assert f'value="{leaf.parent_id}"' not in select and f'value="{leaf.parent.parent_id}"' not in select


def test_create_saves_a_draft_and_goes_to_its_pictures(seller_client, seller, leaf):
    response = seller_client.post("/seller/products/new/", form_data(leaf))

    product = Product.objects.get(seller=seller)
    assert response.status_code == 302
    assert response["Location"] == f"/seller/products/{product.pk}/#images"
    assert product.status == ProductStatus.DRAFT and product.published_at is None
    assert product.name == "Artel choynak" and product.sku == "ART-KETTLE-1"
    assert product.base_price == Decimal("250000") and product.tax_rate == Decimal("12")
    assert product.slug == "artel-choynak" and product.stock_quantity == 15
    assert AuditLog.objects.filter(action="product.create", entity_id=product.pk, user=seller).exists()
    followed = seller_client.get(response["Location"])
    assert "Product saved as a draft. Add pictures, then publish it." in messages_of(followed)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"description": ""}, "description", "This field is required."),
        ({"base_price": "abc"}, "base_price", "Enter a number."),
        ({"base_price": "0"}, "base_price", "The price must be more than 0."),
        ({"sale_price": "300000"}, "sale_price", "The sale price must be lower than the price."),
        ({"tax_rate": "150"}, "tax_rate", "Ensure this value is less than or equal to 100."),
        ({"stock_quantity": "-1"}, "stock_quantity", "Ensure this value is greater than or equal to 0."),
        ({"max_order_quantity": "0"}, "max_order_quantity", "Ensure this value is greater than or equal to 1."),
        ({"sku": "HAS SPACE"}, "sku", "A SKU has no spaces."),
        ({"slug": "Not A Slug"}, "slug", "Use lowercase Latin letters, digits and hyphens only."),
        ({"category": ""}, "category", "This field is required."),
    ],
)
def test_create_errors_show_on_the_fields_with_400_and_write_nothing(seller_client, leaf, overrides, field, message):
    before = snapshot()

    response = seller_client.post("/seller/products/new/", form_data(leaf, **overrides))

    assert response.status_code == 400
    assert message in field_errors(response, field)
    assert snapshot() == before
    assert 'value="Artel"' in text_of(response)  # what was typed is kept


def test_create_in_a_category_with_subcategories_is_refused(seller_client, leaf):
    before = snapshot()

    response = seller_client.post("/seller/products/new/", form_data(leaf, category=leaf.parent_id))

    assert response.status_code == 400
    assert field_errors(response, "category")
    assert snapshot() == before


def test_create_with_a_taken_sku_is_refused(seller_client, leaf):
    ProductFactory(sku="ART-KETTLE-1")
    before = snapshot()

    response = seller_client.post("/seller/products/new/", form_data(leaf))

    assert response.status_code == 400
    assert "This SKU is already used by another product." in field_errors(response, "sku")
    assert snapshot() == before


def test_edit_page_shows_the_product(seller_client, product):
    ProductImageFactory(product=product)
    ProductVariantFactory(product=product, name="Qora")
    ProductAttributeFactory(product=product, name="Ekran", value="6.7")

    response = seller_client.get(f"/seller/products/{product.pk}/")

    assert response.status_code == 200
    page = text_of(response)
    assert 'data-testid="edit-title">Honor X8b</h1>' in page
    assert 'name="name" value="Honor X8b"' in page
    assert page.count('data-testid="seller-image"') == 1
    assert page.count('data-testid="variant-row"') == 1
    assert page.count('data-testid="attribute-row"') == 1
    assert re.search(r'name="stock_quantity"[^>]*disabled', page)  # the variants hold the stock


def test_edit_saves_changes(seller_client, product, seller):
    response = seller_client.post(
        f"/seller/products/{product.pk}/",
        form_data(product.category, name="Honor X8b Pro", sku=product.sku, base_price="3100000", stock_quantity="4"),
    )

    assert response.status_code == 302 and response["Location"] == f"/seller/products/{product.pk}/"
    product.refresh_from_db()
    assert product.name == "Honor X8b Pro" and product.base_price == Decimal("3100000") and product.stock_quantity == 4
    log = AuditLog.objects.get(action="product.update", entity_id=product.pk)
    assert log.user == seller and log.new_values["name"] == "Honor X8b Pro"


def test_edit_cannot_set_what_the_platform_keeps(seller_client, product):
    data = form_data(product.category, sku=product.sku, status="active", is_featured="on", view_count="999")
    data["seller"] = BuyerFactory().pk

    assert seller_client.post(f"/seller/products/{product.pk}/", data).status_code == 302

    product.refresh_from_db()
    assert product.status == ProductStatus.DRAFT and not product.is_featured
    assert product.view_count == 0


def test_edit_errors_are_400_and_change_nothing(seller_client, product):
    before = snapshot()

    response = seller_client.post(
        f"/seller/products/{product.pk}/", form_data(product.category, name="", sale_price="99999999")
    )

    assert response.status_code == 400
    assert "This field is required." in field_errors(response, "name")
    assert snapshot() == before
    response = seller_client.post(f"/seller/products/{product.pk}/", form_data(product.category, sale_price="99999999"))
    assert response.status_code == 400
    assert "The sale price must be lower than the price." in field_errors(response, "sale_price")
    assert snapshot() == before


def test_edit_with_variants_keeps_the_variants_stock(seller_client, product):
    ProductVariantFactory(product=product, stock_quantity=3)
    ProductVariantFactory(product=product, stock_quantity=4)
    Product.objects.filter(pk=product.pk).update(stock_quantity=7)

    response = seller_client.post(f"/seller/products/{product.pk}/", form_data(product.category, stock_quantity="500"))

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.stock_quantity == 7


# --- status ----------------------------------------------------------------------------------
STATUS_MESSAGES = {
    "en": ["The product is on sale.", "The product is off sale.", "The product is discontinued.",
           "The product is deleted."],
    "ru": ["Товар в продаже.", "Товар снят с публикации.", "Товар снят с продажи.", "Товар удалён."],
}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "ru"])
def test_status_messages_are_in_the_sellers_language(seller_client, product, language):
    # They were translated once, when the module was imported (always Uzbek).
    seller_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    url = f"/seller/products/{product.pk}/status/"

    shown = []
    for action in ("publish", "unpublish", "discontinue", "delete"):
        shown += messages_of(seller_client.post(url + f"{action}/", follow=True))

    assert shown == STATUS_MESSAGES[language]


def test_publish_unpublish_discontinue_and_delete(seller_client, product, seller):
    url = f"/seller/products/{product.pk}/status/"

    response = seller_client.post(url + "publish/")
    assert response.status_code == 302 and response["Location"] == f"/seller/products/{product.pk}/"
    product.refresh_from_db()
    assert product.status == ProductStatus.ACTIVE and product.published_at is not None
    first_published = product.published_at

    seller_client.post(url + "unpublish/")
    product.refresh_from_db()
    assert product.status == ProductStatus.INACTIVE

    seller_client.post(url + "publish/")
    product.refresh_from_db()
    assert product.status == ProductStatus.ACTIVE and product.published_at == first_published

    seller_client.post(url + "discontinue/")
    product.refresh_from_db()
    assert product.status == ProductStatus.DISCONTINUED

    response = seller_client.post(url + "delete/")
    assert response.status_code == 302 and response["Location"] == "/seller/products/"
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert seller_client.get(f"/seller/products/{product.pk}/").status_code == 404
    actions = list(AuditLog.objects.filter(entity_id=product.pk).order_by("pk").values_list("action", flat=True))
    assert actions == ["product.publish", "product.unpublish", "product.publish", "product.discontinue",
                       "product.delete"]  # fmt: skip


def test_publishing_without_stock_goes_out_of_stock(seller_client, product):
    Product.objects.filter(pk=product.pk).update(stock_quantity=0)

    seller_client.post(f"/seller/products/{product.pk}/status/publish/")

    product.refresh_from_db()
    assert product.status == ProductStatus.OUT_OF_STOCK


def test_a_refused_transition_is_a_message_and_changes_nothing(seller_client, product):
    before = snapshot()

    response = seller_client.post(f"/seller/products/{product.pk}/status/unpublish/", follow=True)

    assert "A product that is draft cannot be unpublished." in messages_of(response)
    assert snapshot() == before


def test_unknown_status_action_is_404_and_get_is_not_allowed(seller_client, product):
    before = snapshot()

    assert seller_client.post(f"/seller/products/{product.pk}/status/feature/").status_code == 404
    assert seller_client.get(f"/seller/products/{product.pk}/status/publish/").status_code == 405
    assert snapshot() == before


# --- pictures --------------------------------------------------------------------------------
def test_upload_one_picture_stores_it_with_a_thumbnail(seller_client, product):
    response = seller_client.post(f"/seller/products/{product.pk}/images/", {"images": png(size=(2000, 1000))})

    assert response.status_code == 302 and response["Location"] == f"/seller/products/{product.pk}/#images"
    image = ProductImage.objects.get(product=product)
    assert image.is_primary and image.alt_text == "Honor X8b"
    files = media_files()
    assert len(files) == 2
    root = Path(django_settings.MEDIA_ROOT)
    with Image.open(root / image.url.removeprefix(django_settings.MEDIA_URL)) as stored:
        assert max(stored.size) == 1600 and stored.format == "JPEG"
    with Image.open(root / image.thumbnail_url.removeprefix(django_settings.MEDIA_URL)) as thumbnail:
        assert max(thumbnail.size) == 400
    assert "1 picture added." in messages_of(seller_client.get(response["Location"]))


def test_upload_several_pictures_at_once(seller_client, product):
    response = seller_client.post(
        f"/seller/products/{product.pk}/images/", {"images": [png("a.png"), png("b.png", color=(0, 0, 255))]}
    )

    assert response.status_code == 302
    images = list(ProductImage.objects.filter(product=product).order_by("sort_order"))
    assert [i.is_primary for i in images] == [True, False]
    assert [i.sort_order for i in images] == [0, 1]
    assert len(media_files()) == 4


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("notes.png", b"this is not a picture", content_type="image/png"),
        SimpleUploadedFile("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"),
        SimpleUploadedFile("empty.png", b"", content_type="image/png"),
    ],
    ids=["text", "gif", "empty"],
)
def test_a_bad_file_shows_an_error_and_stores_nothing(seller_client, product, upload):
    before = snapshot()

    response = seller_client.post(f"/seller/products/{product.pk}/images/", {"images": upload}, follow=True)

    assert response.status_code == 200
    assert messages_of(response), "an error is shown"
    assert all("added" not in m for m in messages_of(response))
    assert snapshot() == before


def test_a_too_large_picture_is_refused(seller_client, product, settings):
    settings.PRODUCT_IMAGE_MAX_BYTES = 100
    before = snapshot()

    response = seller_client.post(f"/seller/products/{product.pk}/images/", {"images": png()}, follow=True)

    assert any("too large" in m for m in messages_of(response))
    assert snapshot() == before


def test_a_bad_file_among_good_ones_is_reported_by_name(seller_client, product):
    bad = SimpleUploadedFile("broken.png", b"nope", content_type="image/png")

    response = seller_client.post(f"/seller/products/{product.pk}/images/", {"images": [png(), bad]}, follow=True)

    assert ProductImage.objects.filter(product=product).count() == 1
    assert len(media_files()) == 2
    assert any(m.startswith("broken.png: ") for m in messages_of(response))
    assert "1 picture added." in messages_of(response)


def test_upload_without_a_file_says_so(seller_client, product):
    before = snapshot()

    response = seller_client.post(f"/seller/products/{product.pk}/images/", {}, follow=True)

    assert "Choose one or more pictures." in messages_of(response)
    assert snapshot() == before


@pytest.fixture
def pictures(seller_client, product):
    seller_client.post(f"/seller/products/{product.pk}/images/", {"images": [png("a.png"), png("b.png"), png("c.png")]})
    return list(ProductImage.objects.filter(product=product).order_by("sort_order", "id"))


def order_of(product):
    return list(ProductImage.objects.filter(product=product).order_by("sort_order", "id").values_list("pk", flat=True))


def test_picture_primary_move_and_delete(seller_client, product, pictures, django_capture_on_commit_callbacks):
    a, b, c = pictures
    base = f"/seller/products/{product.pk}/images/"

    response = seller_client.post(f"{base}{c.pk}/primary/")
    assert response.status_code == 302 and response["Location"].endswith("#images")
    assert list(ProductImage.objects.filter(product=product, is_primary=True).values_list("pk", flat=True)) == [c.pk]

    seller_client.post(f"{base}{c.pk}/up/")
    assert order_of(product) == [a.pk, c.pk, b.pk]
    seller_client.post(f"{base}{a.pk}/down/")
    assert order_of(product) == [c.pk, a.pk, b.pk]
    seller_client.post(f"{base}{c.pk}/up/")  # already first: stays
    assert order_of(product) == [c.pk, a.pk, b.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client.post(f"{base}{c.pk}/delete/", follow=True)
    assert "Picture removed." in messages_of(response)
    assert order_of(product) == [a.pk, b.pk]
    assert ProductImage.objects.get(pk=a.pk).is_primary  # the next one became primary
    assert len(media_files()) == 4


def test_picture_actions_on_an_unknown_picture_or_action(seller_client, product, pictures, leaf):
    other = ProductImageFactory(product=ProductFactory(seller=product.seller, category=leaf))
    before = snapshot()
    base = f"/seller/products/{product.pk}/images/"

    assert seller_client.post(f"{base}{pictures[0].pk}/rotate/").status_code == 404
    response = seller_client.post(f"{base}{other.pk}/primary/", follow=True)  # a picture of another product
    assert "This picture is not one of the product's." in messages_of(response)
    response = seller_client.post(f"{base}{other.pk}/delete/", follow=True)
    assert "This picture is not one of the product's." in messages_of(response)
    assert snapshot() == before


# --- variants --------------------------------------------------------------------------------
def variant_data(prefix="", **overrides):
    data = {"name": "Qora, 128 GB", "attributes": "Rang: qora, Xotira: 128 GB", "sku": "HX8B-BLK-128",
            "price_adjustment": "0", "stock_quantity": "5", "image_url": "", "is_active": "on"}  # fmt: skip
    data.update(overrides)
    return {f"{prefix}{k}": v for k, v in data.items() if v is not None}


def test_variant_add(seller_client, product):
    response = seller_client.post(f"/seller/products/{product.pk}/variants/", variant_data("variant-"))

    assert response.status_code == 302 and response["Location"].endswith("#variants")
    variant = ProductVariant.objects.get(product=product)
    assert variant.attributes == {"Rang": "qora", "Xotira": "128 GB"} and variant.sku == "HX8B-BLK-128"
    product.refresh_from_db()
    assert product.stock_quantity == 5  # the product's stock is the variants' sum


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"attributes": "no pairs here"}, "attributes", "Write attributes as name: value, separated by commas."),
        ({"price_adjustment": "-99999999"}, "price_adjustment", "nothing or less"),
        ({"stock_quantity": "-3"}, "stock_quantity", "Ensure this value is greater than or equal to 0."),
        ({"sku": "TAKEN-SKU"}, "sku", "This SKU is already used by another variant."),
        ({"image_url": "/media/elsewhere.jpg"}, "image_url", "Select a valid choice."),
    ],
)
def test_variant_add_errors_are_400_on_the_fields_and_write_nothing(seller_client, product, overrides, field, message):
    ProductVariantFactory(sku="TAKEN-SKU")
    before = snapshot()

    response = seller_client.post(f"/seller/products/{product.pk}/variants/", variant_data("variant-", **overrides))

    assert response.status_code == 400
    form = re.search(r'data-testid="variant-form".*?</form>', text_of(response), re.S).group(0)
    field_block = re.search(rf'id="id_variant-{field}".*?(?=<div class="(?:mb-3|col)|</form>)', form, re.S).group(0)
    assert any(message in error for error in re.findall(r'invalid-feedback d-block">(.*?)</div>', field_block))
    assert snapshot() == before


def test_variant_edit_and_delete(seller_client, product):
    ProductImageFactory(product=product, url="/media/products/x/1.jpg")
    variant = ProductVariantFactory(product=product, stock_quantity=2)
    prefix = f"v{variant.pk}-"
    url = f"/seller/products/{product.pk}/variants/{variant.pk}/"

    response = seller_client.post(
        url, variant_data(prefix, name="Oq", sku="", stock_quantity="9", image_url="/media/products/x/1.jpg")
    )
    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.name == "Oq" and variant.sku is None and variant.stock_quantity == 9
    assert variant.image_url == "/media/products/x/1.jpg"
    product.refresh_from_db()
    assert product.stock_quantity == 9

    before = snapshot()
    response = seller_client.post(url, variant_data(prefix, name="", stock_quantity="-1"))
    assert response.status_code == 400
    row = re.search(rf'data-variant-id="{variant.pk}".*?</form>', text_of(response), re.S).group(0)
    assert "This field is required." in row and "Ensure this value is greater than or equal to 0." in row
    assert snapshot() == before

    response = seller_client.post(url, {"delete": "1"})
    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.deleted_at is not None
    assert seller_client.post(url, {"delete": "1"}).status_code == 404  # already gone


def test_a_variant_of_another_product_is_404(seller_client, product, leaf):
    mine_too = ProductFactory(seller=product.seller, category=leaf)
    variant = ProductVariantFactory(product=mine_too)
    before = snapshot()

    assert (
        seller_client.post(f"/seller/products/{product.pk}/variants/{variant.pk}/", {"delete": "1"}).status_code == 404
    )
    assert snapshot() == before


# --- attributes ------------------------------------------------------------------------------
def attribute_order(product):
    return list(
        ProductAttribute.objects.filter(product=product).order_by("sort_order", "id").values_list("name", flat=True)
    )


def test_attribute_add_save_move_delete(seller_client, product):
    base = f"/seller/products/{product.pk}/attributes/"
    for name in ("Ekran", "Protsessor", "Batareya"):
        response = seller_client.post(base, {"attribute-name": name, "attribute-value": "x"})
        assert response.status_code == 302 and response["Location"].endswith("#attributes")
    assert attribute_order(product) == ["Ekran", "Protsessor", "Batareya"]
    battery = ProductAttribute.objects.get(product=product, name="Batareya")

    seller_client.post(f"{base}{battery.pk}/save/", {"name": "Batareya", "value": "5000 mAh"})
    battery.refresh_from_db()
    assert battery.value == "5000 mAh"
    seller_client.post(f"{base}{battery.pk}/up/")
    assert attribute_order(product) == ["Ekran", "Batareya", "Protsessor"]
    seller_client.post(f"{base}{battery.pk}/down/")
    assert attribute_order(product) == ["Ekran", "Protsessor", "Batareya"]
    response = seller_client.post(f"{base}{battery.pk}/delete/", follow=True)
    assert "Attribute removed." in messages_of(response)
    assert attribute_order(product) == ["Ekran", "Protsessor"]


def test_attribute_errors_are_messages_and_write_nothing(seller_client, product):
    attribute = ProductAttributeFactory(product=product, name="Ekran", value="6.7")
    base = f"/seller/products/{product.pk}/attributes/"
    before = snapshot()

    response = seller_client.post(base, {"attribute-name": "", "attribute-value": "x"}, follow=True)
    assert "This field is required." in messages_of(response)
    response = seller_client.post(f"{base}{attribute.pk}/save/", {"name": "Ekran", "value": "  "}, follow=True)
    assert "Give the attribute a value." in messages_of(response)
    assert seller_client.post(f"{base}{attribute.pk}/spin/").status_code == 404
    assert snapshot() == before


def test_an_attribute_of_another_product_is_404(seller_client, product, leaf):
    attribute = ProductAttributeFactory(product=ProductFactory(seller=product.seller, category=leaf))
    before = snapshot()

    assert seller_client.post(f"/seller/products/{product.pk}/attributes/{attribute.pk}/delete/").status_code == 404
    assert snapshot() == before


# --- bulk actions ----------------------------------------------------------------------------
def test_bulk_publish_reports_done_and_refused(seller_client, seller, leaf):
    drafts = ProductFactory.create_batch(2, seller=seller, category=leaf, status=ProductStatus.DRAFT, published_at=None)
    active = ProductFactory(seller=seller, category=leaf, name="Already on sale")
    foreign = ProductFactory(category=leaf, status=ProductStatus.DRAFT)

    response = seller_client.post(
        "/seller/products/bulk/",
        {
            "action": "publish",
            "products": [p.pk for p in drafts] + [active.pk, foreign.pk, "junk"],
            "next": "/seller/products/?status=draft",
        },  # fmt: skip
    )

    assert response.status_code == 302 and response["Location"] == "/seller/products/?status=draft"
    assert set(Product.objects.filter(pk__in=[p.pk for p in drafts]).values_list("status", flat=True)) == {"active"}
    foreign.refresh_from_db()
    assert foreign.status == ProductStatus.DRAFT
    shown = messages_of(seller_client.get(response["Location"]))
    assert "2 products changed." in shown
    assert "Already on sale: A product that is active cannot be published." in shown


def test_bulk_delete(seller_client, seller, leaf):
    products = ProductFactory.create_batch(3, seller=seller, category=leaf)

    seller_client.post("/seller/products/bulk/", {"action": "delete", "products": [p.pk for p in products[:2]]})

    assert Product.objects.filter(seller=seller, deleted_at__isnull=True).get() == products[2]


def test_bulk_without_products_or_with_a_bad_action_changes_nothing(seller_client, seller, leaf):
    product = ProductFactory(seller=seller, category=leaf, status=ProductStatus.DRAFT)
    before = snapshot()

    response = seller_client.post("/seller/products/bulk/", {"action": "publish"}, follow=True)
    assert "Choose products and an action." in messages_of(response)
    response = seller_client.post(
        "/seller/products/bulk/", {"action": "explode", "products": [product.pk]}, follow=True
    )
    assert "Choose products and an action." in messages_of(response)
    response = seller_client.post(
        "/seller/products/bulk/", {"action": "delete", "products": [product.pk], "next": "https://evil.example/"}
    )
    assert response["Location"] == "/seller/products/"  # never sent off the site
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert snapshot()["products"] != before["products"]


def test_bulk_next_on_an_error_stays_on_the_site(seller_client):
    response = seller_client.post("/seller/products/bulk/", {"action": "publish", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/seller/products/"


# --- low stock -------------------------------------------------------------------------------
def test_low_stock_lists_and_updates_stock(seller_client, seller, leaf):
    low = ProductFactory(seller=seller, category=leaf, name="Kam qolgan", stock_quantity=2, low_stock_threshold=5)
    ProductFactory(seller=seller, category=leaf, name="Ko'p", stock_quantity=50, low_stock_threshold=5)
    ProductFactory(seller=seller, category=leaf, name="Tugatilgan", stock_quantity=0,
                   status=ProductStatus.DISCONTINUED)  # fmt: skip
    ProductFactory(category=leaf, name="Begona", stock_quantity=1)

    response = seller_client.get("/seller/products/low-stock/")

    assert response.status_code == 200
    page = text_of(response)
    assert page.count('data-testid="low-stock-row"') == 1 and "Kam qolgan" in page
    response = seller_client.post("/seller/products/low-stock/", {"product": low.pk, "stock_quantity": "40"})
    assert response.status_code == 302 and response["Location"] == "/seller/products/low-stock/"
    low.refresh_from_db()
    assert low.stock_quantity == 40
    assert "Stock of “Kam qolgan” saved." in messages_of(seller_client.get("/seller/products/low-stock/"))


def test_low_stock_update_errors(seller_client, seller, leaf):
    low = ProductFactory(seller=seller, category=leaf, stock_quantity=2)
    foreign = ProductFactory(category=leaf, stock_quantity=1)
    before = snapshot()

    response = seller_client.post(
        "/seller/products/low-stock/", {"product": low.pk, "stock_quantity": "-5"}, follow=True
    )
    assert "Stock cannot be negative." in messages_of(response)
    response = seller_client.post(
        "/seller/products/low-stock/", {"product": low.pk, "stock_quantity": "x"}, follow=True
    )
    assert "Enter a whole number." in messages_of(response)
    assert (
        seller_client.post("/seller/products/low-stock/", {"product": foreign.pk, "stock_quantity": "9"}).status_code
        == 404
    )
    assert (
        seller_client.post("/seller/products/low-stock/", {"product": "abc", "stock_quantity": "9"}).status_code == 404
    )
    assert seller_client.post("/seller/products/low-stock/", {"stock_quantity": "9"}).status_code == 404
    assert snapshot() == before


# --- CSV export and import -------------------------------------------------------------------
def test_csv_export_streams_a_header_and_my_rows(seller_client, seller, leaf):
    mine = ProductFactory(seller=seller, category=leaf, name="Choynak, 1.7 l", sku="CH-17")
    ProductFactory(seller=seller, category=leaf, name="O'chirilgan", deleted_at=timezone.now())
    ProductFactory(category=leaf, name="Begona")

    response = seller_client.get("/seller/products/export.csv")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert re.match(r'attachment; filename="gogomarket-products-\d{8}-\d{4}\.csv"', response["Content-Disposition"])
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(content.lstrip("\ufeff"))))
    assert [row["id"] for row in rows] == [str(mine.pk)]
    assert rows[0]["name"] == "Choynak, 1.7 l" and rows[0]["sku"] == "CH-17" and rows[0]["category"] == "smartfonlar"


def upload_csv(text, name="products.csv"):
    content = text if isinstance(text, bytes) else text.encode("utf-8")
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_csv_import_success_redirects_with_a_summary(seller_client, seller, leaf, product):
    text = (
        "id,sku,name,category,description,base_price,stock_quantity,status\n"
        f"{product.pk},,Honor X8b (2025),smartfonlar,Yangi model,3200000,4,active\n"
        ",NEW-1,Yangi choynak,smartfonlar,Elektr choynak,150000,10,draft\n"
    )

    response = seller_client.post("/seller/products/import/", {"file": upload_csv(text)})

    assert response.status_code == 302 and response["Location"] == "/seller/products/"
    product.refresh_from_db()
    assert product.name == "Honor X8b (2025)" and product.status == ProductStatus.ACTIVE
    created = Product.objects.get(sku="NEW-1")
    assert created.seller == seller and created.status == ProductStatus.DRAFT
    assert "Import done: 1 new, 1 updated." in messages_of(seller_client.get("/seller/products/"))


def test_csv_import_errors_page_lists_every_row_and_writes_nothing(seller_client, seller, leaf, product):
    foreign = ProductFactory(category=leaf, sku="FOREIGN-1")
    text = (
        "id,sku,name,category,description,base_price\n"
        ",OK-1,Good row,smartfonlar,Fine,1000\n"
        ",BAD-1,,smartfonlar,No name,1000\n"
        ",BAD-2,Bad price,smartfonlar,Desc,abc\n"
        ",BAD-3,Bad category,no-such-category,Desc,1000\n"
        f"{foreign.pk},,Not mine,smartfonlar,Desc,1000\n"
        ",FOREIGN-1,Taken sku,smartfonlar,Desc,1000\n"
    )
    before = snapshot()

    response = seller_client.post("/seller/products/import/", {"file": upload_csv(text)})

    assert response.status_code == 400
    page = text_of(response)
    assert 'data-testid="import-errors"' in page
    rows = re.findall(r'<tr data-testid="import-error"><td>(\d+)</td><td><code>([^<]*)</code></td>', page)
    assert set(rows) >= {("3", "name"), ("4", "base_price"), ("5", "category"), ("6", "id"), ("7", "sku")}
    assert "nothing was imported" in page
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The submitted file is empty."),
        ("\ufeff  \n", "The file is empty."),
        ("colour,size\nred,M\n", "Unknown columns: colour, size."),
        ("name,category\n", "The file has no product rows."),
        ("name,category\nChoynak,Ёлка\n".encode("cp1251"), "Save the file as UTF-8 CSV and try again."),
    ],
)
def test_csv_import_of_an_unreadable_file_shows_the_error_on_the_field(seller_client, content, message):
    before = snapshot()

    response = seller_client.post("/seller/products/import/", {"file": upload_csv(content)})

    assert response.status_code == 400
    assert any(message in error for error in field_errors(response, "file"))
    assert snapshot() == before


def test_csv_import_page_and_missing_file(seller_client):
    page = text_of(seller_client.get("/seller/products/import/"))
    assert 'data-testid="import-form"' in page and "base_price" in page

    response = seller_client.post("/seller/products/import/", {})
    assert response.status_code == 400
    assert "This field is required." in field_errors(response, "file")


# --- another seller's product: 404 everywhere, nothing changed --------------------------------
@pytest.fixture
def foreign_product(leaf):
    """Someone else's product with a picture, a variant and an attribute."""
    product = ProductFactory(category=leaf, status=ProductStatus.ACTIVE)
    ProductImageFactory(product=product)
    ProductVariantFactory(product=product)
    ProductAttributeFactory(product=product)
    return product


def foreign_urls(product):
    image = product.images.get()
    variant = product.variants.get()
    attribute = product.attributes.get()
    base = f"/seller/products/{product.pk}"
    return [
        (f"{base}/", form_data(product.category, name="Hijacked")),
        *[(f"{base}/status/{action}/", {}) for action in ("publish", "unpublish", "discontinue", "delete")],
        (f"{base}/images/", {"images": png()}),
        *[(f"{base}/images/{image.pk}/{action}/", {}) for action in ("primary", "up", "down", "delete")],
        (f"{base}/variants/", variant_data("variant-", sku="HIJACK")),
        (f"{base}/variants/{variant.pk}/", variant_data(f"v{variant.pk}-", name="Hijacked")),
        (f"{base}/variants/{variant.pk}/", {"delete": "1"}),
        (f"{base}/attributes/", {"attribute-name": "Hijacked", "attribute-value": "yes"}),
        *[
            (f"{base}/attributes/{attribute.pk}/{action}/", {"name": "H", "value": "v"})
            for action in ("save", "up", "down", "delete")
        ],  # fmt: skip
    ]


def test_another_sellers_product_is_404_on_every_url_and_nothing_changes(seller_client, foreign_product):
    urls = foreign_urls(foreign_product)
    before = snapshot()

    for url, data in urls:
        assert seller_client.get(url).status_code == 404, url
        assert seller_client.delete(url).status_code == 404, url
        response = seller_client.post(url, data)
        assert response.status_code == 404, (url, response.status_code)
    response = seller_client.post("/seller/products/low-stock/", {"product": foreign_product.pk, "stock_quantity": "0"})
    assert response.status_code == 404
    # bulk actions skip it silently
    for action in ("publish", "unpublish", "discontinue", "delete"):
        seller_client.post("/seller/products/bulk/", {"action": action, "products": [foreign_product.pk]})

    assert snapshot() == before


def test_ids_out_of_range_are_404(seller_client, product):
    huge = "99999999999999999999999"

    assert seller_client.get(f"/seller/products/{huge}/").status_code == 404
    assert seller_client.post(f"/seller/products/{huge}/status/publish/").status_code == 404
    assert seller_client.post(f"/seller/products/{product.pk}/variants/{huge}/", {"delete": "1"}).status_code == 404
    assert seller_client.post(f"/seller/products/{product.pk}/attributes/{huge}/delete/").status_code == 404
    response = seller_client.post("/seller/products/low-stock/", {"product": huge, "stock_quantity": "1"})
    assert response.status_code == 404


def test_post_only_urls_of_my_own_product_answer_405_to_get(seller_client, product):
    assert seller_client.get(f"/seller/products/{product.pk}/status/publish/").status_code == 405
    assert seller_client.get(f"/seller/products/{product.pk}/images/").status_code == 405
    assert seller_client.get(f"/seller/products/{product.pk}/attributes/").status_code == 405


def test_another_sellers_product_cannot_be_taken_over_by_csv(seller_client, foreign_product):
    before = snapshot()

    text = f"id,name\n{foreign_product.pk},Hijacked\n"
    response = seller_client.post("/seller/products/import/", {"file": upload_csv(text)})

    assert response.status_code == 400
    assert "You have no product with this id." in text_of(response)
    assert snapshot() == before
