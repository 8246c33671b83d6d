"""The catalog API (/api/v1/categories/, /api/v1/products/, /api/v1/seller/products/): wiring,
filters and their errors, permissions, and that another seller's product is a 404 for every verb
with nothing changed. The rules themselves are tested on the services."""

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from accounts.enums import UserStatus
from accounts.tests.factories import BuyerFactory, SellerFactory
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
from tests.helpers import api_client_for as client_for
from tests.helpers import redis_clear

pytestmark = pytest.mark.django_db

CATEGORIES = "/api/v1/categories/"
PRODUCTS = "/api/v1/products/"
MINE = "/api/v1/seller/products/"


@pytest.fixture
def anonymous():
    return client_for()


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def png_bytes(size=(80, 60), color=(10, 120, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def png(name="photo.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def media_files():
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def snapshot():
    return {
        "products": list(Product.objects.order_by("pk").values()),
        "images": list(ProductImage.objects.order_by("pk").values()),
        "variants": list(ProductVariant.objects.order_by("pk").values()),
        "attributes": list(ProductAttribute.objects.order_by("pk").values()),
        "audit": list(AuditLog.objects.order_by("pk").values_list("pk", flat=True)),
        "media": media_files(),
    }


@pytest.fixture
def tree():
    root = CategoryFactory(name="Elektronika", slug="elektronika", sort_order=1)
    middle = CategoryFactory(name="Telefonlar", slug="telefonlar", parent=root)
    leaf = CategoryFactory(name="Smartfonlar", slug="smartfonlar", parent=middle)
    other_root = CategoryFactory(name="Kiyim", slug="kiyim", sort_order=2)
    other_leaf = CategoryFactory(name="Ko'ylaklar", slug="koylaklar", parent=other_root)
    return {"root": root, "middle": middle, "leaf": leaf, "other_root": other_root, "other_leaf": other_leaf}


# --- categories ---------------------------------------------------------------------------------
def test_category_tree(anonymous, tree):
    CategoryFactory(name="Hidden", slug="hidden", is_active=False)
    CategoryFactory(name="Under hidden", parent=CategoryFactory(slug="off", is_active=False))

    response = anonymous.get(CATEGORIES)

    assert response.status_code == 200
    roots = response.json()
    assert [node["slug"] for node in roots] == ["elektronika", "kiyim"]
    electronics = roots[0]
    assert set(electronics) == {"id", "name", "slug", "level", "icon_url", "image_url", "children"}
    assert electronics["level"] == 0 and electronics["id"] == tree["root"].pk
    [phones] = electronics["children"]
    assert phones["slug"] == "telefonlar" and phones["level"] == 1
    [smart] = phones["children"]
    assert smart == {"id": tree["leaf"].pk, "name": "Smartfonlar", "slug": "smartfonlar", "level": 2,
                     "icon_url": None, "image_url": None, "children": []}  # fmt: skip


# --- product list -------------------------------------------------------------------------------
@pytest.fixture
def shelf(tree):
    leaf, now = tree["leaf"], timezone.now()
    cheap = ProductFactory(
        category=leaf, name="Artel choynak", brand="Artel", base_price=Decimal("100000"),
        rating_average=Decimal("3.20"), stock_quantity=5, view_count=10, published_at=now - timedelta(days=3),
    )  # fmt: skip
    sale = ProductFactory(
        category=leaf, name="Samsung Galaxy", brand="Samsung", base_price=Decimal("900000"),
        sale_price=Decimal("250000"), rating_average=Decimal("4.60"), stock_quantity=3, view_count=50,
        published_at=now - timedelta(days=1),
    )  # fmt: skip
    dear = ProductFactory(
        category=tree["middle"], name="Samsung Galaxy telefon Ultra", brand="Samsung", base_price=Decimal("700000"),
        rating_average=Decimal("4.10"), stock_quantity=0, allow_backorder=True, view_count=30,
        published_at=now - timedelta(days=2),
    )  # fmt: skip
    shirt = ProductFactory(
        category=tree["other_leaf"],
        name="Paxta ko'ylak",
        brand="Bahor",
        base_price=Decimal("400000"),
        rating_average=Decimal("2.00"),
        stock_quantity=0,
        is_digital=True,
        requires_shipping=False,
        view_count=5,
        published_at=now,
    )  # fmt: skip  (a digital product has nothing to ship: always "in stock")
    ProductFactory(category=leaf, name="Samsung draft", status=ProductStatus.DRAFT)
    ProductFactory(category=leaf, name="Samsung sold out", status=ProductStatus.OUT_OF_STOCK, stock_quantity=0)
    ProductFactory(category=leaf, name="Samsung suspended", seller=SellerFactory(status=UserStatus.SUSPENDED))
    ProductAttributeFactory(product=cheap, name="Rang", value="Qora")
    ProductAttributeFactory(product=sale, name="Rang", value="Oq")
    ProductAttributeFactory(product=dear, name="Rang", value="Qora")
    ProductAttributeFactory(product=dear, name="Xotira", value="256 GB")
    return {"cheap": cheap, "sale": sale, "dear": dear, "shirt": shirt}


def test_product_list_shows_visible_products_as_cards(anonymous, shelf):
    response = anonymous.get(PRODUCTS)

    assert set(ids(response)) == {p.pk for p in shelf.values()}
    body = response.json()
    assert {"count", "page", "pages", "next", "previous", "corrected_query", "results"} <= set(body)
    card = next(row for row in body["results"] if row["id"] == shelf["sale"].pk)
    assert card["price"] == "250000.00" and card["base_price"] == "900000.00" and card["sale_price"] == "250000.00"
    assert card["in_stock"] is True and card["url"] == f"/products/{shelf['sale'].slug}/"
    assert card["seller_id"] == shelf["sale"].seller_id and card["category_id"] == shelf["sale"].category_id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "samsung"}, {"sale", "dear"}),
        ({"search": "samsng galaxy"}, {"sale", "dear"}),  # a typo
        ({"category": "elektronika"}, {"cheap", "sale", "dear"}),  # with its subcategories
        ({"category": "telefonlar"}, {"cheap", "sale", "dear"}),
        ({"category": "smartfonlar"}, {"cheap", "sale"}),
        ({"category": "kiyim"}, {"shirt"}),
        ({"min_price": "300000"}, {"dear", "shirt"}),  # the sale price is what counts
        ({"max_price": "250000"}, {"cheap", "sale"}),
        ({"min_price": "200000", "max_price": "500000"}, {"sale", "shirt"}),
        ({"brand": "Samsung"}, {"sale", "dear"}),
        ({"brand": "Artel,Bahor"}, {"cheap", "shirt"}),
        ({"in_stock": "true"}, {"cheap", "sale", "dear", "shirt"}),  # backorder and digital count as in stock
        ({"in_stock": "false"}, {"cheap", "sale", "dear", "shirt"}),
        ({"min_rating": "4"}, {"sale", "dear"}),
        ({"attribute": "Rang:Qora"}, {"cheap", "dear"}),
        ({"attribute": ["Rang:Qora", "Xotira:256 GB"]}, {"dear"}),
        ({"search": "samsung", "max_price": "300000"}, {"sale"}),
        ({"search": "samsung", "category": "smartfonlar"}, {"sale"}),
        ({"search": "samsung", "in_stock": "true", "attribute": "Rang:Oq"}, {"sale"}),
    ],
)
def test_product_list_filters(anonymous, shelf, query, expected):
    assert set(ids(anonymous.get(PRODUCTS, query))) == {shelf[name].pk for name in expected}


def test_product_list_category_by_id_includes_descendants(anonymous, shelf, tree):
    assert set(ids(anonymous.get(PRODUCTS, {"category": tree["root"].pk}))) == {
        shelf["cheap"].pk, shelf["sale"].pk, shelf["dear"].pk,
    }  # fmt: skip


def test_product_list_filter_by_seller(anonymous, shelf):
    assert ids(anonymous.get(PRODUCTS, {"seller": shelf["cheap"].seller_id})) == [shelf["cheap"].pk]


@pytest.mark.parametrize(
    ("ordering", "order"),
    [
        (None, ["sale", "dear", "cheap", "shirt"]),  # popular
        ("popular", ["sale", "dear", "cheap", "shirt"]),
        ("newest", ["shirt", "sale", "dear", "cheap"]),
        ("price", ["cheap", "sale", "shirt", "dear"]),
        ("-price", ["dear", "shirt", "sale", "cheap"]),
        ("rating", ["sale", "dear", "cheap", "shirt"]),
        ("relevance", ["sale", "dear", "cheap", "shirt"]),  # without search: popular
    ],
)
def test_product_list_ordering(anonymous, shelf, ordering, order):
    query = {"ordering": ordering} if ordering else {}
    assert ids(anonymous.get(PRODUCTS, query)) == [shelf[name].pk for name in order]


def test_search_ordering_and_correction(anonymous, shelf):
    ranked = anonymous.get(PRODUCTS, {"search": "samsung galaxy"})
    assert ids(ranked) == [shelf["sale"].pk, shelf["dear"].pk]  # the exact name first
    assert ranked.json()["corrected_query"] is None

    by_price = anonymous.get(PRODUCTS, {"search": "samsung galaxy", "ordering": "-price"})
    assert ids(by_price) == [shelf["dear"].pk, shelf["sale"].pk]

    corrected = anonymous.get(PRODUCTS, {"search": "samsnug"})
    assert corrected.json()["corrected_query"] == "samsung"
    assert set(ids(corrected)) == {shelf["sale"].pk, shelf["dear"].pk}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"min_price": "abc"}, "min_price"),
        ({"min_price": "-1"}, "min_price"),
        ({"max_price": "NaN"}, "max_price"),
        ({"max_price": "1e100000000"}, "max_price"),
        ({"min_rating": "6"}, "min_rating"),
        ({"min_rating": "x"}, "min_rating"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"ordering": "cheapest"}, "ordering"),
        ({"category": "no-such-category"}, "category"),
        ({"category": "999999"}, "category"),
        ({"category": "²"}, "category"),
        ({"seller": "abc"}, "seller"),
        ({"seller": "0"}, "seller"),
        ({"search": "x" * 201}, "search"),
        ({"search": "a\x00b"}, "search"),
        ({"brand": "Sam\x00sung"}, "brand"),
        ({"attribute": "no-colon"}, "attribute"),
        ({"attribute": "Rang:Qo\x00ra"}, "attribute"),
        ({"attribute": ["Rang:Qora", ":Oq"]}, "attribute"),
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page_size": "-5"}, "page_size"),
        ({"page_size": "x"}, "page_size"),
    ],
)
def test_invalid_values_are_400_naming_the_parameter(anonymous, shelf, query, parameter):
    response = anonymous.get(PRODUCTS, query)

    assert response.status_code == 400, response.content
    assert list(response.json()) == [parameter]
    assert response.json()[parameter] and all(isinstance(m, str) for m in response.json()[parameter])


def test_in_stock_accepts_the_usual_spellings(anonymous, shelf):
    in_stock = {shelf[name].pk for name in ("cheap", "sale", "dear", "shirt")}
    for value in ("true", "True", "TRUE", "1"):
        assert set(ids(anonymous.get(PRODUCTS, {"in_stock": value}))) == in_stock
    for value in ("false", "0", ""):
        assert len(ids(anonymous.get(PRODUCTS, {"in_stock": value}))) == 4


def test_pagination_fields_and_page_size_cap(anonymous, tree):
    products = [ProductFactory(category=tree["leaf"], view_count=1000 - n) for n in range(105)]

    first = anonymous.get(PRODUCTS, {"page_size": "10", "category": "smartfonlar"}).json()
    assert first["count"] == 105 and first["page"] == 1 and first["pages"] == 11
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/products/?page_size=10&category=smartfonlar&page=2"
    assert [row["id"] for row in first["results"]] == [p.pk for p in products[:10]]

    last = anonymous.get(PRODUCTS, {"page_size": "10", "page": "11"}).json()
    assert [row["id"] for row in last["results"]] == [p.pk for p in products[100:]]
    assert last["next"] is None and last["previous"] == "http://testserver/api/v1/products/?page_size=10&page=10"

    default = anonymous.get(PRODUCTS).json()
    assert len(default["results"]) == 24 and default["pages"] == 5
    capped = anonymous.get(PRODUCTS, {"page_size": "500"}).json()
    assert len(capped["results"]) == 100 and capped["pages"] == 2


FILTERED = {"category": "elektronika", "brand": "Artel", "attribute": "Rang:Qora", "ordering": "-price"}


@pytest.mark.parametrize("query", [{}, {"search": "phone"}, FILTERED])
def test_product_list_runs_the_same_queries_for_10_and_100_products(anonymous, tree, query):
    def grow(n):
        for _ in range(n):
            product = ProductFactory(category=tree["leaf"], name="Phone")
            ProductImageFactory(product=product)
            ProductAttributeFactory(product=product, name="Rang", value="Qora")

    grow(10)
    anonymous.get(PRODUCTS, query)

    def measure():
        redis_clear()
        with CaptureQueriesContext(connection) as queries:
            response = anonymous.get(PRODUCTS, {**query, "page_size": "100"})
        return len(queries), len(ids(response)), [q["sql"] for q in queries.captured_queries]

    few, few_rows, _ = measure()
    grow(90)
    many, many_rows, sql = measure()

    assert (few_rows, many_rows) == (10, 100)
    assert few == many, sql


# --- product detail -----------------------------------------------------------------------------
def test_product_detail_with_variants_images_and_attributes(anonymous, tree):
    seller = SellerFactory(first_name="Aziz", last_name="Karimov")
    product = ProductFactory(seller=seller, category=tree["leaf"], base_price=Decimal("3000000"),
                             sale_price=Decimal("2500000"), cost_price=Decimal("2000000"))  # fmt: skip
    later = ProductImageFactory(product=product, is_primary=False, sort_order=1)
    primary = ProductImageFactory(product=product, is_primary=True, sort_order=2)
    variant = ProductVariantFactory(product=product, price_adjustment=Decimal("400000"), stock_quantity=3)
    ProductVariantFactory(product=product, is_active=False)
    ProductVariantFactory(product=product, deleted_at=timezone.now())
    second = ProductAttributeFactory(product=product, name="Ekran", value="6.7", sort_order=1)
    first = ProductAttributeFactory(product=product, name="Protsessor", value="Snapdragon", sort_order=0)

    response = anonymous.get(f"{PRODUCTS}{product.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == product.pk and body["price"] == "2500000.00" and body["in_stock"] is True
    assert "cost_price" not in body and "view_count" not in body  # only the seller sees those
    assert body["category"] == {"id": tree["leaf"].pk, "name": "Smartfonlar", "slug": "smartfonlar"}
    assert body["seller"] == {"id": seller.pk, "name": "Aziz Karimov"}
    assert [image["id"] for image in body["images"]] == [primary.pk, later.pk]
    assert [v["id"] for v in body["variants"]] == [variant.pk]
    assert body["variants"][0]["price"] == "2900000.00" and body["variants"][0]["stock_quantity"] == 3
    assert [a["id"] for a in body["attributes"]] == [first.pk, second.pk]


def test_product_detail_of_a_sold_out_product_is_shown(anonymous, tree):
    product = ProductFactory(category=tree["leaf"], status=ProductStatus.OUT_OF_STOCK, stock_quantity=0)

    response = anonymous.get(f"{PRODUCTS}{product.pk}/")

    assert response.status_code == 200 and response.json()["in_stock"] is False


@pytest.mark.parametrize(
    "hidden",
    [
        lambda leaf: ProductFactory(category=leaf, status=ProductStatus.DRAFT),
        lambda leaf: ProductFactory(category=leaf, status=ProductStatus.INACTIVE),
        lambda leaf: ProductFactory(category=leaf, status=ProductStatus.DISCONTINUED),
        lambda leaf: ProductFactory(category=leaf, deleted_at=timezone.now()),
        lambda leaf: ProductFactory(category=leaf, seller=SellerFactory(status=UserStatus.SUSPENDED)),
        lambda leaf: ProductFactory(category=leaf, seller=SellerFactory(deleted_at=timezone.now())),
    ],
    ids=["draft", "inactive", "discontinued", "deleted", "suspended-seller", "deleted-seller"],
)
def test_product_detail_of_a_hidden_product_is_404(anonymous, tree, hidden):
    product = hidden(tree["leaf"])

    response = anonymous.get(f"{PRODUCTS}{product.pk}/")

    assert response.status_code == 404
    assert anonymous.get(f"{PRODUCTS}999999/").status_code == 404
    assert anonymous.get(f"{PRODUCTS}99999999999999999999999/").status_code == 404


# --- seller endpoints: who may ------------------------------------------------------------------
def test_seller_endpoints_need_a_signed_in_seller(anonymous, tree):
    product = ProductFactory(category=tree["leaf"])
    before = snapshot()

    for api, code in ((anonymous, 401), (client_for(BuyerFactory()), 403)):
        assert api.get(MINE).status_code == code
        assert api.post(MINE, {"name": "x"}, format="json").status_code == code
        assert api.get(f"{MINE}{product.pk}/").status_code == code
        assert api.patch(f"{MINE}{product.pk}/", {"name": "x"}, format="json").status_code == code
        assert api.delete(f"{MINE}{product.pk}/").status_code == code
        assert api.post(f"{MINE}{product.pk}/publish/").status_code == code
    assert anonymous.get(MINE)["WWW-Authenticate"] == "Bearer"
    assert snapshot() == before


# --- seller endpoints: own products -------------------------------------------------------------
@pytest.fixture
def seller():
    return SellerFactory()


@pytest.fixture
def api(seller):
    return client_for(seller)


@pytest.fixture
def product(seller, tree):
    return ProductFactory(seller=seller, category=tree["leaf"], name="Honor X8b", status=ProductStatus.DRAFT,
                          published_at=None, stock_quantity=5)  # fmt: skip


def test_seller_list_shows_only_my_live_products(api, seller, tree, product):
    other_mine = ProductFactory(seller=seller, category=tree["leaf"])
    ProductFactory(seller=seller, category=tree["leaf"], deleted_at=timezone.now())
    ProductFactory(category=tree["leaf"])

    response = api.get(MINE)

    assert response.status_code == 200
    assert set(ids(response)) == {product.pk, other_mine.pk}
    row = response.json()["results"][0]
    assert {"id", "name", "sku", "status", "stock_quantity", "low_stock_threshold"} <= set(row)


def test_seller_list_runs_the_same_queries_for_few_and_many(api, seller, tree):
    ProductFactory.create_batch(3, seller=seller, category=tree["leaf"])
    api.get(MINE)
    with CaptureQueriesContext(connection) as few:
        assert len(ids(api.get(MINE))) == 3
    ProductFactory.create_batch(30, seller=seller, category=tree["leaf"])
    with CaptureQueriesContext(connection) as many:
        assert len(ids(api.get(MINE))) == 20

    assert len(few) == len(many)


def test_create_is_a_draft_201(api, seller, tree):
    response = api.post(
        MINE,
        {
            "category": tree["leaf"].pk,
            "name": "Artel choynak",
            "description": "1.7 litr",
            "base_price": "250000",
            "sku": "ART-1",
            "stock_quantity": 4,
        },  # fmt: skip
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    product = Product.objects.get(pk=body["id"])
    assert product.seller == seller and product.status == ProductStatus.DRAFT and body["status"] == "draft"
    assert body["slug"] == "artel-choynak" and body["base_price"] == "250000.00" and body["cost_price"] is None
    assert AuditLog.objects.filter(action="product.create", entity_id=product.pk).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"base_price": "abc"}, "base_price"),
        ({"base_price": "0"}, "base_price"),  # a service rule
        ({"sale_price": "300000"}, "sale_price"),  # a service rule: not below the price
        ({"category": "middle"}, "category"),  # a category with subcategories
        ({"category": 999999}, "category"),
        ({"sku": "TAKEN"}, "sku"),
        ({"max_order_quantity": 0}, "max_order_quantity"),
        ({"slug": "Not a slug"}, "slug"),
    ],
)
def test_create_refusals_are_400_with_field_messages_and_write_nothing(api, tree, payload, field):
    ProductFactory(sku="TAKEN")
    data = {"category": tree["leaf"].pk, "name": "Choynak", "description": "Desc", "base_price": "250000"}
    data.update(payload)
    if data["category"] == "middle":
        data["category"] = tree["middle"].pk
    before = snapshot()

    response = api.post(MINE, data, format="json")

    assert response.status_code == 400
    assert field in response.json() and response.json()[field]
    assert snapshot() == before


def test_create_without_required_fields_names_them(api):
    response = api.post(MINE, {}, format="json")

    assert response.status_code == 400
    assert {"category", "name", "description", "base_price"} <= set(response.json())


def test_retrieve_my_product_shows_what_only_i_see(api, product):
    response = api.get(f"{MINE}{product.pk}/")

    assert response.status_code == 200
    assert response.json()["status"] == "draft" and "cost_price" in response.json()


def test_patch_changes_only_what_is_sent(api, product, seller):
    before_description = product.description

    response = api.patch(f"{MINE}{product.pk}/", {"name": "Honor X8b Pro", "sale_price": None}, format="json")

    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert product.name == "Honor X8b Pro" and product.description == before_description
    assert response.json()["name"] == "Honor X8b Pro"
    assert AuditLog.objects.filter(action="product.update", entity_id=product.pk, user=seller).exists()


def test_patch_cannot_set_what_the_platform_keeps(api, product):
    response = api.patch(
        f"{MINE}{product.pk}/",
        {"status": "active", "is_featured": True, "view_count": 10**6, "rating_average": "5.00", "seller": 1},
        format="json",
    )

    assert response.status_code == 200
    product.refresh_from_db()
    assert product.status == ProductStatus.DRAFT and not product.is_featured
    assert product.view_count == 0 and product.rating_average == Decimal("0")


def test_patch_refusal_is_400_and_changes_nothing(api, product):
    before = snapshot()

    response = api.patch(f"{MINE}{product.pk}/", {"sale_price": "99999999", "base_price": "1000"}, format="json")

    assert response.status_code == 400
    assert "sale_price" in response.json()
    assert snapshot() == before


def test_delete_is_soft_204(api, product):
    response = api.delete(f"{MINE}{product.pk}/")

    assert response.status_code == 204
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert api.get(f"{MINE}{product.pk}/").status_code == 404
    assert api.delete(f"{MINE}{product.pk}/").status_code == 404


def test_status_actions(api, product):
    response = api.post(f"{MINE}{product.pk}/publish/")
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert response.json()["published_at"] is not None
    assert api.post(f"{MINE}{product.pk}/unpublish/").json()["status"] == "inactive"
    assert api.post(f"{MINE}{product.pk}/discontinue/").json()["status"] == "discontinued"

    before = snapshot()
    refused = api.post(f"{MINE}{product.pk}/unpublish/")
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": ["A product that is discontinued cannot be unpublished."]}
    assert snapshot() == before


# --- seller endpoints: pictures -----------------------------------------------------------------
def test_image_upload_reorder_primary_delete(api, product, django_capture_on_commit_callbacks):
    base = f"{MINE}{product.pk}/images/"
    uploaded = []
    for n in range(3):
        response = api.post(base, {"image": png(f"{n}.png"), "alt_text": f"Side {n}"}, format="multipart")
        assert response.status_code == 201, response.content
        uploaded.append(response.json())
    assert [image["is_primary"] for image in uploaded] == [True, False, False]
    assert uploaded[1]["alt_text"] == "Side 1" and uploaded[1]["thumbnail_url"].endswith("_thumb.jpg")
    assert len(media_files()) == 6
    a, b, c = (image["id"] for image in uploaded)

    response = api.post(f"{base}reorder/", {"images": [c, a, b]}, format="json")
    assert response.status_code == 200
    assert [image["id"] for image in response.json()] == [c, a, b]

    response = api.post(f"{base}{b}/primary/")
    assert response.status_code == 200 and response.json()["is_primary"] is True
    assert list(ProductImage.objects.filter(product=product, is_primary=True).values_list("pk", flat=True)) == [b]

    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{base}{b}/").status_code == 204
    assert set(ProductImage.objects.filter(product=product).values_list("pk", flat=True)) == {a, c}
    assert len(media_files()) == 4
    # every change is audited with who did it from where
    for action in ("product.image_add", "product.images_reorder", "product.image_primary", "product.image_delete"):
        log = AuditLog.objects.filter(action=action, entity_id=product.pk).latest("pk")
        assert log.ip_address == "127.0.0.1", action


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"image": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")}, "image"),
        ({}, "image"),
    ],
)
def test_image_upload_refusals(api, product, data, field):
    before = snapshot()

    response = api.post(f"{MINE}{product.pk}/images/", data, format="multipart")

    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


def test_image_reorder_and_primary_refusals(api, product, tree):
    mine = ProductImageFactory(product=product)
    elsewhere = ProductImageFactory(product=ProductFactory(seller=product.seller, category=tree["leaf"]))
    before = snapshot()
    base = f"{MINE}{product.pk}/images/"

    response = api.post(f"{base}reorder/", {"images": [mine.pk, elsewhere.pk]}, format="json")
    assert response.status_code == 400 and "images" in response.json()
    assert api.post(f"{base}reorder/", {"images": "x"}, format="json").status_code == 400
    response = api.post(f"{base}{elsewhere.pk}/primary/")
    assert response.status_code == 400 and "image" in response.json()
    assert api.delete(f"{base}{elsewhere.pk}/").status_code == 400
    assert snapshot() == before


# --- seller endpoints: variants and attributes --------------------------------------------------
def test_variants_post_patch_delete(api, product):
    base = f"{MINE}{product.pk}/variants/"

    response = api.post(base, {"name": "Qora", "attributes": {"Rang": "qora"}, "stock_quantity": 4,
                               "price_adjustment": "1000", "sku": "HX-BLK"}, format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    variant = response.json()
    product.refresh_from_db()
    assert variant["attributes"] == {"Rang": "qora"} and variant["price"] == f"{product.base_price + 1000:.2f}"
    product.refresh_from_db()
    assert product.stock_quantity == 4

    response = api.patch(f"{base}{variant['id']}/", {"stock_quantity": 9}, format="json")
    assert response.status_code == 200 and response.json()["stock_quantity"] == 9
    assert response.json()["name"] == "Qora"  # PATCH keeps what is not sent
    product.refresh_from_db()
    assert product.stock_quantity == 9

    assert api.delete(f"{base}{variant['id']}/").status_code == 204
    assert ProductVariant.objects.get(pk=variant["id"]).deleted_at is not None
    assert api.patch(f"{base}{variant['id']}/", {"stock_quantity": 1}, format="json").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": "X", "stock_quantity": -1}, "stock_quantity"),
        ({"name": "X", "price_adjustment": "-99999999"}, "price_adjustment"),
        ({"name": "X", "sku": "TAKEN"}, "sku"),
        ({"name": "X", "image_url": "/media/not-mine.jpg"}, "image_url"),
        ({"name": "X", "attributes": "Rang"}, "attributes"),
    ],
)
def test_variant_refusals_are_400_with_field_messages(api, product, payload, field):
    ProductVariantFactory(sku="TAKEN")
    before = snapshot()

    response = api.post(f"{MINE}{product.pk}/variants/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


def test_attributes_post_patch_delete(api, product):
    base = f"{MINE}{product.pk}/attributes/"

    response = api.post(base, {"name": "Ekran", "value": "6.7"}, format="json")
    assert response.status_code == 201
    attribute = response.json()
    assert attribute["name"] == "Ekran" and attribute["sort_order"] == 0

    response = api.patch(f"{base}{attribute['id']}/", {"name": "Ekran", "value": "6.8"}, format="json")
    assert response.status_code == 200 and response.json()["value"] == "6.8"
    response = api.patch(f"{base}{attribute['id']}/", {"value": "6.9"}, format="json")
    assert response.status_code == 200, response.content  # PATCH: only what changes
    assert response.json() == {**attribute, "value": "6.9"}

    before = snapshot()
    response = api.patch(f"{base}{attribute['id']}/", {"value": " "}, format="json")
    assert response.status_code == 400 and "value" in response.json()
    assert api.post(base, {"name": "", "value": "x"}, format="json").status_code == 400
    assert snapshot() == before

    assert api.delete(f"{base}{attribute['id']}/").status_code == 204
    assert not ProductAttribute.objects.filter(pk=attribute["id"]).exists()
    assert api.delete(f"{base}{attribute['id']}/").status_code == 404


def test_a_child_of_another_of_my_products_is_404(api, product, tree):
    sibling = ProductFactory(seller=product.seller, category=tree["leaf"])
    variant = ProductVariantFactory(product=sibling)
    attribute = ProductAttributeFactory(product=sibling)
    before = snapshot()

    assert api.patch(f"{MINE}{product.pk}/variants/{variant.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api.delete(f"{MINE}{product.pk}/variants/{variant.pk}/").status_code == 404
    assert api.patch(f"{MINE}{product.pk}/attributes/{attribute.pk}/", {"name": "x", "value": "y"},
                     format="json").status_code == 404  # fmt: skip
    assert api.delete(f"{MINE}{product.pk}/attributes/{attribute.pk}/").status_code == 404
    assert snapshot() == before


# --- another seller's product: 404 for every verb, nothing changed ------------------------------
def test_another_sellers_product_is_404_for_every_verb(api, tree):
    theirs = ProductFactory(category=tree["leaf"])
    image = ProductImageFactory(product=theirs)
    variant = ProductVariantFactory(product=theirs)
    attribute = ProductAttributeFactory(product=theirs)
    base = f"{MINE}{theirs.pk}/"
    calls = [
        ("get", base, None),
        ("patch", base, {"name": "Hijacked"}),
        ("delete", base, None),
        ("post", f"{base}publish/", None),
        ("post", f"{base}unpublish/", None),
        ("post", f"{base}discontinue/", None),
        ("post", f"{base}images/", {"image": png()}),
        ("post", f"{base}images/reorder/", {"images": [image.pk]}),
        ("post", f"{base}images/{image.pk}/primary/", None),
        ("delete", f"{base}images/{image.pk}/", None),
        ("post", f"{base}variants/", {"name": "Hijacked"}),
        ("patch", f"{base}variants/{variant.pk}/", {"name": "Hijacked"}),
        ("delete", f"{base}variants/{variant.pk}/", None),
        ("post", f"{base}attributes/", {"name": "Hijacked", "value": "x"}),
        ("patch", f"{base}attributes/{attribute.pk}/", {"name": "Hijacked", "value": "x"}),
        ("delete", f"{base}attributes/{attribute.pk}/", None),
    ]
    before = snapshot()

    for verb, url, data in calls:
        kwargs = {"format": "multipart" if url.endswith("/images/") else "json"} if data is not None else {}
        response = getattr(api, verb)(url, data, **kwargs) if data is not None else getattr(api, verb)(url)
        assert response.status_code == 404, (verb, url, response.status_code)

    assert snapshot() == before


# --- the schema ---------------------------------------------------------------------------------
def test_schema_generates_and_lists_the_catalog_paths(anonymous):
    response = anonymous.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/categories/",
        "/api/v1/products/",
        "/api/v1/products/{product_id}/",
        "/api/v1/seller/products/",
        "/api/v1/seller/products/{id}/",
        "/api/v1/seller/products/{id}/publish/",
        "/api/v1/seller/products/{id}/unpublish/",
        "/api/v1/seller/products/{id}/discontinue/",
        "/api/v1/seller/products/{id}/images/",
        "/api/v1/seller/products/{id}/images/reorder/",
        "/api/v1/seller/products/{id}/images/{image_id}/primary/",
        "/api/v1/seller/products/{id}/images/{image_id}/",
        "/api/v1/seller/products/{id}/variants/",
        "/api/v1/seller/products/{id}/variants/{variant_id}/",
        "/api/v1/seller/products/{id}/attributes/",
        "/api/v1/seller/products/{id}/attributes/{attribute_id}/",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/seller/products/{id}/"]) >= {"get", "patch", "delete"}
    assert set(paths["/api/v1/seller/products/{id}/variants/{variant_id}/"]) >= {"patch", "delete"}
    parameters = {p["name"] for p in paths["/api/v1/products/"]["get"]["parameters"]}
    assert {"search", "category", "min_price", "max_price", "brand", "in_stock", "min_rating", "attribute",
            "ordering", "page", "page_size"} <= parameters  # fmt: skip
