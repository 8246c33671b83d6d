"""The storefront pages through the Django test client: wiring, visibility, filters, the
anonymous page cache and query counts. The rules themselves are tested on the services and
selectors; here we check what reaches the page."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.enums import UserStatus
from accounts.tests.factories import BuyerFactory, SellerFactory
from catalog import services
from catalog.cache import CSRF_PLACEHOLDER
from catalog.enums import ProductStatus
from catalog.tests.factories import (
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)
from tests.helpers import redis_clear

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}
NBSP = "\u00a0"


def text_of(response):
    return html.unescape(response.content.decode())


def card_ids(response):
    """Ids of the product cards on a page, in page order."""
    return [int(pk) for pk in re.findall(r'data-testid="product-card" data-product-id="(\d+)"', text_of(response))]


def uzs(text):
    return text.replace(" ", NBSP)


def get(client, url, data=None, **extra):
    return client.get(url, data, **{**EN, **extra})


@pytest.fixture
def tree():
    """Elektronika > Telefonlar > Smartfonlar, and a separate Kiyim > Ko'ylaklar."""
    root = CategoryFactory(name="Elektronika", slug="elektronika")
    middle = CategoryFactory(name="Telefonlar", slug="telefonlar", parent=root)
    leaf = CategoryFactory(name="Smartfonlar", slug="smartfonlar", parent=middle)
    other_root = CategoryFactory(name="Kiyim", slug="kiyim")
    other_leaf = CategoryFactory(name="Ko'ylaklar", slug="koylaklar", parent=other_root)
    return {"root": root, "middle": middle, "leaf": leaf, "other_root": other_root, "other_leaf": other_leaf}


# --- home and category list --------------------------------------------------------------------
def test_home_shows_top_categories_and_only_visible_featured_products(client, tree):
    shown = ProductFactory(name="Featured kettle", category=tree["leaf"], is_featured=True)
    ProductFactory(name="Plain kettle", category=tree["leaf"], is_featured=False)
    ProductFactory(name="Draft featured", category=tree["leaf"], is_featured=True, status=ProductStatus.DRAFT)
    ProductFactory(
        name="Suspended featured",
        category=tree["leaf"],
        is_featured=True,
        seller=SellerFactory(status=UserStatus.SUSPENDED),
    )

    response = get(client, "/")

    assert response.status_code == 200
    page = text_of(response)
    assert card_ids(response) == [shown.pk]
    assert "Elektronika" in page and "Kiyim" in page
    assert "Smartfonlar" not in page  # only top-level categories are tiles
    assert page.count('data-testid="category-tile"') == 2


def test_category_list_shows_three_levels_with_links(client, tree):
    response = get(client, "/catalog/")

    assert response.status_code == 200
    page = text_of(response)
    for slug in ("elektronika", "telefonlar", "smartfonlar", "kiyim", "koylaklar"):
        assert f'href="/catalog/{slug}/"' in page
    assert page.count('data-testid="category-group"') == 2


def test_category_list_leaves_out_a_switched_off_category(client, tree):
    CategoryFactory(name="Yashirin bo'lim", slug="yashirin", is_active=False)

    page = text_of(get(client, "/catalog/"))

    assert "Yashirin" not in page


# --- category page -----------------------------------------------------------------------------
def breadcrumb_names(response):
    nav = re.search(r'<nav[^>]*data-testid="breadcrumbs".*?</nav>', text_of(response), re.S).group(0)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", nav, re.S)]


def test_category_page_breadcrumbs_go_through_three_levels(client, tree):
    response = get(client, "/catalog/smartfonlar/")

    assert response.status_code == 200
    assert breadcrumb_names(response) == ["Home", "Elektronika", "Telefonlar", "Smartfonlar"]
    page = text_of(response)
    assert 'href="/catalog/elektronika/"' in page
    assert 'href="/catalog/telefonlar/"' in page
    assert 'aria-current="page">Smartfonlar</li>' in page
    assert breadcrumb_names(get(client, "/catalog/elektronika/")) == ["Home", "Elektronika"]


def test_category_page_includes_products_of_subcategories_only(client, tree):
    in_leaf = ProductFactory(category=tree["leaf"])
    in_middle = ProductFactory(category=tree["middle"])
    elsewhere = ProductFactory(category=tree["other_leaf"])

    assert set(card_ids(get(client, "/catalog/elektronika/"))) == {in_leaf.pk, in_middle.pk}
    assert set(card_ids(get(client, "/catalog/telefonlar/"))) == {in_leaf.pk, in_middle.pk}
    assert card_ids(get(client, "/catalog/smartfonlar/")) == [in_leaf.pk]
    assert card_ids(get(client, "/catalog/kiyim/")) == [elsewhere.pk]
    page = text_of(get(client, "/catalog/elektronika/"))
    assert 'data-testid="subcategories"' in page and 'href="/catalog/telefonlar/"' in page


def test_category_page_lists_only_what_buyers_may_see(client, tree):
    visible = ProductFactory(category=tree["leaf"])
    for status in (ProductStatus.DRAFT, ProductStatus.INACTIVE, ProductStatus.DISCONTINUED, ProductStatus.OUT_OF_STOCK):
        ProductFactory(category=tree["leaf"], status=status)
    ProductFactory(category=tree["leaf"], deleted_at=timezone.now())
    ProductFactory(category=tree["leaf"], seller=SellerFactory(status=UserStatus.SUSPENDED))
    ProductFactory(category=tree["leaf"], seller=SellerFactory(deleted_at=timezone.now()))

    response = get(client, "/catalog/smartfonlar/")

    assert card_ids(response) == [visible.pk]
    assert "1 product" in text_of(response)


def test_unknown_or_switched_off_category_is_404(client, tree):
    CategoryFactory(slug="off", is_active=False)
    CategoryFactory(slug="gone", deleted_at=timezone.now())

    assert get(client, "/catalog/no-such-thing/").status_code == 404
    assert get(client, "/catalog/off/").status_code == 404
    assert get(client, "/catalog/gone/").status_code == 404


@pytest.fixture
def shelf(tree):
    """Four phones with different prices, brands, ratings, stock and attributes."""
    leaf = tree["leaf"]
    cheap = ProductFactory(
        category=leaf, name="Cheap", brand="Artel", base_price=Decimal("100000"), rating_average=Decimal("3.20"),
        stock_quantity=5, view_count=10, published_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    sale = ProductFactory(
        category=leaf, name="On sale", brand="Samsung", base_price=Decimal("900000"), sale_price=Decimal("250000"),
        rating_average=Decimal("4.60"), stock_quantity=3, view_count=50,
        published_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    dear = ProductFactory(
        category=leaf, name="Dear", brand="Samsung", base_price=Decimal("700000"), rating_average=Decimal("4.10"),
        stock_quantity=0, allow_backorder=True, view_count=30, published_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    mid = ProductFactory(
        category=leaf,
        name="Middle",
        brand="Xiaomi",
        base_price=Decimal("400000"),
        rating_average=Decimal("2.00"),
        stock_quantity=0,
        is_digital=True,
        requires_shipping=False,
        view_count=5,
        published_at=timezone.now(),
    )  # fmt: skip  (a digital product has nothing to ship: always "in stock")
    ProductAttributeFactory(product=cheap, name="Rang", value="Qora")
    ProductAttributeFactory(product=sale, name="Rang", value="Oq")
    ProductAttributeFactory(product=sale, name="Xotira", value="128 GB")
    ProductAttributeFactory(product=dear, name="Rang", value="Qora")
    ProductAttributeFactory(product=dear, name="Xotira", value="256 GB")
    return {"cheap": cheap, "sale": sale, "dear": dear, "mid": mid}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"min_price": "300000"}, {"dear", "mid"}),  # the sale price (250 000) counts, not the base price
        ({"max_price": "300000"}, {"cheap", "sale"}),
        ({"min_price": "200000", "max_price": "450000"}, {"sale", "mid"}),
        ({"min_price": "450000", "max_price": "200000"}, {"sale", "mid"}),  # swapped bounds still work
        ({"brand": "Samsung"}, {"sale", "dear"}),
        ({"brand": ["Artel", "Xiaomi"]}, {"cheap", "mid"}),
        ({"brand": "Nokia"}, set()),
        ({"rating": "4"}, {"sale", "dear"}),
        ({"rating": "3"}, {"cheap", "sale", "dear"}),
        ({"in_stock": "on"}, {"cheap", "sale", "dear", "mid"}),  # backorder and digital count as in stock
        ({"a": "Rang:Qora"}, {"cheap", "dear"}),
        ({"a": ["Rang:Qora", "Rang:Oq"]}, {"cheap", "sale", "dear"}),  # values of one attribute: any
        ({"a": ["Rang:Qora", "Xotira:256 GB"]}, {"dear"}),  # different attributes: all
        ({"a": "Rang:Sariq"}, set()),
        ({"brand": ["Samsung", "Xiaomi"], "in_stock": "on"}, {"sale", "dear", "mid"}),
        ({"brand": "Xiaomi", "in_stock": "on"}, {"mid"}),
    ],
)
def test_category_page_filters(client, shelf, query, expected):
    response = get(client, "/catalog/elektronika/", query)

    assert response.status_code == 200
    assert set(card_ids(response)) == {shelf[name].pk for name in expected}


def test_category_page_shows_facets_and_keeps_chosen_filters_checked(client, shelf):
    page = text_of(get(client, "/catalog/smartfonlar/", {"brand": "Samsung", "a": "Rang:Qora", "in_stock": "on"}))

    brands = re.search(r'data-testid="brand-filter".*?</fieldset>', page, re.S).group(0)
    assert 'value="Samsung" id="gm-brand-1" checked' in brands
    assert 'value="Artel"' in brands and 'value="Xiaomi"' in brands
    assert re.search(r'name="a" value="Rang:Qora" id="[^"]+" checked', page)
    assert re.search(r'name="a" value="Rang:Oq" id="[^"]+">', page)
    assert 'id="gm-in-stock" checked' in page
    assert "Clear filters" in page


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", ["sale", "dear", "cheap", "mid"]),  # popular is the default
        ("popular", ["sale", "dear", "cheap", "mid"]),
        ("newest", ["mid", "sale", "dear", "cheap"]),
        ("price_asc", ["cheap", "sale", "mid", "dear"]),
        ("price_desc", ["dear", "mid", "sale", "cheap"]),
        ("rating", ["sale", "dear", "cheap", "mid"]),
    ],
)
def test_category_page_sorts(client, shelf, sort, order):
    response = get(client, "/catalog/smartfonlar/", {"sort": sort} if sort else None)

    assert card_ids(response) == [shelf[name].pk for name in order]
    selected = re.search(r'<option value="(\w+)" selected>', text_of(response)).group(1)
    assert selected == (sort or "popular")


def test_category_page_paginates_and_links_keep_the_filters(client, tree):
    products = [ProductFactory(category=tree["leaf"], brand="Artel", view_count=100 - n) for n in range(30)]

    first = get(client, "/catalog/smartfonlar/", {"brand": "Artel"})
    second = get(client, "/catalog/smartfonlar/", {"brand": "Artel", "page": "2"})

    assert card_ids(first) == [p.pk for p in products[:24]]
    assert card_ids(second) == [p.pk for p in products[24:]]
    assert "30 products" in text_of(first)
    assert 'href="/catalog/smartfonlar/?brand=Artel&page=2"' in text_of(first)
    assert 'rel="prev" href="/catalog/smartfonlar/?brand=Artel&page=1"' in text_of(second)
    assert 'rel="next"' not in text_of(second)
    # past the last page: the last page is shown rather than an empty one
    assert card_ids(get(client, "/catalog/smartfonlar/", {"page": "7"})) == [p.pk for p in products[24:]]


@pytest.mark.parametrize(
    "query",
    [
        {"min_price": "abc"},
        {"max_price": "-5"},
        {"min_price": "1e400"},
        {"min_price": "NaN"},
        {"max_price": "Infinity"},
        {"min_price": "99999999999999999999999"},
        {"rating": "9"},
        {"rating": "abc"},
        {"sort": "drop table"},
        {"page": "0"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999999999999999999999"},
        {"in_stock": "maybe"},
        {"a": "no-colon"},
        {"a": ":value-only"},
        {"a": "name-only:"},
        {"a": ["x:y"] * 50},
        {"brand": "x" * 5000},
        {"brand": ["b"] * 100},
        {"min_price": "\x00"},
        {"brand": "\x00"},
        {"a": "Rang:Qo\x00ra"},
        {"a": "R\x00ang:Qora"},
        {"unknown": "whatever"},
    ],
)
def test_bad_query_values_never_break_a_list(client, shelf, query):
    for url, extra in (
        ("/catalog/smartfonlar/", {}),
        ("/search/", {"q": "cheap"}),
        (f"/sellers/{shelf['cheap'].seller_id}/", {}),
    ):
        response = get(client, url, {**extra, **query})
        assert response.status_code == 200, (url, query)
        assert 'data-testid="listing-results"' in text_of(response)


def test_a_bad_value_is_dropped_but_the_other_filters_still_apply(client, shelf):
    response = get(client, "/catalog/smartfonlar/", {"min_price": "abc", "brand": "Samsung"})

    assert set(card_ids(response)) == {shelf["sale"].pk, shelf["dear"].pk}


def test_htmx_request_gets_only_the_results_partial(client, shelf):
    response = get(client, "/catalog/smartfonlar/", {"brand": "Samsung"}, **HTMX)

    assert response.status_code == 200
    page = text_of(response)
    assert page.lstrip().startswith('<div id="gm-results"')
    assert "<html" not in page and 'data-testid="filters"' not in page and 'data-testid="breadcrumbs"' not in page
    assert set(card_ids(response)) == {shelf["sale"].pk, shelf["dear"].pk}
    assert [t.name for t in response.templates][0] == "catalog/partials/listing_results.html"
    assert "X-Page-Cache" not in response  # partials are never cached
    full = get(client, "/catalog/smartfonlar/")
    assert "<html" in text_of(full)


# --- product page ------------------------------------------------------------------------------
def test_product_page_shows_gallery_variants_attributes_and_seller(client, tree):
    seller = SellerFactory(first_name="Aziz", last_name="Karimov")
    product = ProductFactory(
        seller=seller, category=tree["leaf"], name="Honor X8b", slug="honor-x8b", brand="Honor",
        base_price=Decimal("3000000"), sale_price=Decimal("2500000"), rating_average=Decimal("4.50"), rating_count=8,
    )  # fmt: skip
    ProductFactory(seller=seller, category=tree["leaf"])  # the seller's second live product
    second = ProductImageFactory(product=product, url="/media/p/2.jpg", thumbnail_url="/media/p/2t.jpg",
                                 is_primary=False, sort_order=1)  # fmt: skip
    ProductImageFactory(product=product, url="/media/p/1.jpg", thumbnail_url="/media/p/1t.jpg",
                        is_primary=True, sort_order=0)  # fmt: skip
    black = ProductVariantFactory(product=product, name="Qora, 128 GB", price_adjustment=Decimal("0"),
                                  stock_quantity=4, image_url=second.url)  # fmt: skip
    big = ProductVariantFactory(product=product, name="Qora, 256 GB", price_adjustment=Decimal("400000"),
                                stock_quantity=0)  # fmt: skip
    ProductVariantFactory(product=product, name="Switched off variant", is_active=False)
    ProductVariantFactory(product=product, name="Deleted variant", deleted_at=timezone.now())
    ProductAttributeFactory(product=product, name="Ekran", value="6.7 dyuym", sort_order=1)
    ProductAttributeFactory(product=product, name="Protsessor", value="Snapdragon 680", sort_order=0)

    response = get(client, "/products/honor-x8b/")

    assert response.status_code == 200
    page = text_of(response)
    assert 'data-testid="product-title">Honor X8b</h1>' in page
    assert breadcrumb_names(response) == ["Home", "Elektronika", "Telefonlar", "Smartfonlar"]
    assert 'href="/catalog/smartfonlar/"' in page  # the last crumb links on a product page
    # gallery: the primary picture is the main one, thumbnails of both
    assert re.search(r'id="gm-main-image"[^>]*src="/media/p/1.jpg"', page)
    gallery = re.search(r'data-testid="gallery".*?</div>', page, re.S).group(0)
    assert gallery.index('data-image="/media/p/1.jpg"') < gallery.index('data-image="/media/p/2.jpg"')
    assert 'src="/media/p/1t.jpg"' in gallery and 'src="/media/p/2t.jpg"' in gallery
    # price: sale price with the old price struck through
    assert uzs("2 500 000 so'm") in page and re.search(r"<del[^>]*>" + uzs("3 000 000 so'm"), page)
    # variants: live ones only, each with its price and stock
    picker = re.search(r'data-testid="variant-picker".*?</select>', page, re.S).group(0)
    assert re.search(
        rf'value="{black.pk}" data-price="2500000.00" data-old-price="3000000.00"\s+data-stock="4" '
        rf'data-image="{second.url}"',
        picker,
    )
    assert re.search(rf'value="{big.pk}" data-price="2900000.00" data-old-price="3400000.00"\s+data-stock="0"', picker)
    assert "sold out" in picker
    assert "Switched off variant" not in page and "Deleted variant" not in page
    # attributes in their order
    attributes = re.search(r'data-testid="attributes".*?</table>', page, re.S).group(0)
    assert attributes.index("Protsessor") < attributes.index("Ekran")
    assert "Snapdragon 680" in attributes and "6.7 dyuym" in attributes
    # rating and seller card
    assert "8 reviews" in page
    card = re.search(r'data-testid="seller-card".*?</aside>', page, re.S).group(0)
    assert "Aziz Karimov" in card
    assert f'href="/sellers/{seller.pk}/"' in card
    assert "2 products" in card


def variant_page(client, slug):
    """The parts of a product page that follow the chosen variant."""
    page = text_of(get(client, f"/products/{slug}/"))
    picker = re.search(r'data-testid="variant-picker".*?</select>', page, re.S).group(0)
    selected = re.findall(r'<option value="(\d+)"[^>]*\sselected[\s>]', picker)
    form = re.search(r'<form[^>]*data-testid="add-to-cart".*?</form>', page, re.S)
    chosen = re.search(r'name="variant" value="(\d*)"', form.group(0)).group(1) if form else None
    # what the stock line says (its data-* attributes hold every wording for the script)
    stock = re.search(r'id="gm-stock"[^>]*>(.*?)</p>', page, re.S).group(1)
    price = re.search(r'id="gm-price">([^<]*)<', page).group(1)
    return {"selected": selected, "chosen": chosen, "stock": stock, "price": price, "picker": picker, "form": form}


def test_product_page_chooses_the_first_variant_in_stock(client, tree):
    product = ProductFactory(slug="kettle", category=tree["leaf"], base_price=Decimal("300000"), stock_quantity=7)
    sold_out = ProductVariantFactory(product=product, name="Oq", stock_quantity=0)
    red = ProductVariantFactory(product=product, name="Qizil", stock_quantity=3, price_adjustment=Decimal("20000"))
    ProductVariantFactory(product=product, name="Qora", stock_quantity=4)

    shown = variant_page(client, "kettle")

    assert shown["selected"] == [str(red.pk)]
    assert shown["chosen"] == str(red.pk)  # what "Add to cart" sends without JavaScript too
    assert "Only 3 left" in shown["stock"] and "text-success" in shown["stock"]
    assert "Out of stock" not in shown["stock"]
    assert shown["price"] == uzs("320 000 so'm")
    assert re.search(rf'value="{sold_out.pk}"[^>]*data-sold-out="1"', shown["picker"])
    assert "Oq — sold out" in " ".join(shown["picker"].split())


def test_product_page_says_out_of_stock_only_when_no_variant_is_left(client, tree):
    product = ProductFactory(slug="empty", category=tree["leaf"], status=ProductStatus.OUT_OF_STOCK, stock_quantity=0)
    first = ProductVariantFactory(product=product, name="Oq", stock_quantity=0)
    ProductVariantFactory(product=product, name="Qora", stock_quantity=0)

    shown = variant_page(client, "empty")

    assert shown["selected"] in ([], [str(first.pk)])
    assert "Out of stock" in shown["stock"] and "text-danger" in shown["stock"]
    assert shown["form"] is None  # nothing to add to the cart


def test_product_page_on_backorder_chooses_the_first_variant(client, tree):
    product = ProductFactory(slug="made-to-order", category=tree["leaf"], stock_quantity=0, allow_backorder=True)
    first = ProductVariantFactory(product=product, name="Oq", stock_quantity=0)
    ProductVariantFactory(product=product, name="Qora", stock_quantity=0)

    shown = variant_page(client, "made-to-order")

    assert shown["selected"] == [str(first.pk)] and shown["chosen"] == str(first.pk)
    assert "Available to order" in shown["stock"]
    assert "sold out" not in shown["picker"]


def test_product_page_of_a_sold_out_product_still_shows_out_of_stock(client, tree):
    ProductFactory(slug="sold-out", category=tree["leaf"], status=ProductStatus.OUT_OF_STOCK, stock_quantity=0)

    response = get(client, "/products/sold-out/")

    assert response.status_code == 200
    stock = re.search(r'data-testid="stock-status".*?</p>', text_of(response), re.S).group(0)
    assert re.search(r'<span class="text-danger"><i [^>]*></i> Out of stock</span>', stock)
    assert "text-success" not in stock


def test_product_page_on_backorder_says_available_to_order(client, tree):
    ProductFactory(slug="backorder", category=tree["leaf"], stock_quantity=0, allow_backorder=True)

    stock = re.search(r'data-testid="stock-status".*?</p>', text_of(get(client, "/products/backorder/")), re.S)

    assert '<span class="text-warning">Available to order</span>' in stock.group(0)
    assert "text-danger" not in stock.group(0)


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": ProductStatus.DRAFT},
        {"status": ProductStatus.INACTIVE},
        {"status": ProductStatus.DISCONTINUED},
        {"deleted_at": timezone.now()},
        {"seller": "suspended"},
        {"seller": "banned"},
        {"seller": "deleted"},
    ],
)
def test_product_page_of_a_hidden_product_is_404(client, tree, hidden):
    if hidden.get("seller") == "suspended":
        hidden = {"seller": SellerFactory(status=UserStatus.SUSPENDED)}
    elif hidden.get("seller") == "banned":
        hidden = {"seller": SellerFactory(status=UserStatus.BANNED)}
    elif hidden.get("seller") == "deleted":
        hidden = {"seller": SellerFactory(deleted_at=timezone.now())}
    ProductFactory(slug="hidden-one", category=tree["leaf"], **hidden)

    assert get(client, "/products/hidden-one/").status_code == 404
    assert get(client, "/products/no-such-product/").status_code == 404


def test_product_page_counts_the_view_in_redis_not_in_the_row(client, tree):
    product = ProductFactory(slug="counted", category=tree["leaf"], view_count=0)

    get(client, "/products/counted/")
    get(client, "/products/counted/")  # served from the page cache, still counted

    product.refresh_from_db()
    assert product.view_count == 0
    assert services.view_counts_flush() == 2
    product.refresh_from_db()
    assert product.view_count == 2


# --- search --------------------------------------------------------------------------------------
@pytest.fixture
def phones(tree):
    return {
        "exact": ProductFactory(category=tree["leaf"], name="Samsung Galaxy", brand="Samsung"),
        "longer": ProductFactory(category=tree["leaf"], name="Samsung Galaxy A55 telefon", brand="Samsung"),
        "other": ProductFactory(category=tree["other_leaf"], name="Paxta ko'ylak", brand="Bahor"),
        "draft": ProductFactory(
            category=tree["leaf"], name="Samsung Galaxy draft", brand="Samsung", status=ProductStatus.DRAFT
        ),
    }


def test_search_finds_ranked_results_and_hides_what_buyers_may_not_see(client, phones):
    response = get(client, "/search/", {"q": "samsung galaxy"})

    assert response.status_code == 200
    assert card_ids(response) == [phones["exact"].pk, phones["longer"].pk]  # exact name first
    page = text_of(response)
    assert "Results for “samsung galaxy”" in page
    assert "2 products" in page


def test_search_corrects_a_typo_and_says_so(client, phones):
    response = get(client, "/search/", {"q": "telfon"})

    assert card_ids(response) == [phones["longer"].pk]
    corrected = re.search(r'data-testid="search-corrected".*?</p>', text_of(response), re.S).group(0)
    assert "Also showing results for “telefon”" in corrected


def test_search_without_a_query_asks_for_one(client, phones):
    for query in (None, {"q": ""}, {"q": "   "}, {"q": "!!!"}):
        response = get(client, "/search/", query)
        assert response.status_code == 200
        assert card_ids(response) == []
    assert "Type what you are looking for" in text_of(get(client, "/search/"))


def test_search_nothing_found(client, phones):
    page = text_of(get(client, "/search/", {"q": "qwertyuiop"}))

    assert 'data-testid="listing-empty"' in page


def test_search_filters_sorts_and_category(client, tree, phones):
    cheaper = ProductFactory(category=tree["leaf"], name="Samsung charger", brand="Samsung", base_price=Decimal("1000"))

    by_price = get(client, "/search/", {"q": "samsung", "sort": "price_asc"})
    assert card_ids(by_price)[0] == cheaper.pk
    assert set(card_ids(get(client, "/search/", {"q": "samsung", "max_price": "1000"}))) == {cheaper.pk}
    assert card_ids(get(client, "/search/", {"q": "samsung", "category": "kiyim"})) == []
    assert len(card_ids(get(client, "/search/", {"q": "samsung", "category": "elektronika"}))) == 3


def test_search_paginates(client, tree):
    products = [ProductFactory(category=tree["leaf"], name=f"Choynak {n}", view_count=100 - n) for n in range(30)]

    first = get(client, "/search/", {"q": "choynak", "sort": "popular"})
    second = get(client, "/search/", {"q": "choynak", "sort": "popular", "page": "2"})

    assert card_ids(first) == [p.pk for p in products[:24]]
    assert card_ids(second) == [p.pk for p in products[24:]]
    assert "30 products" in text_of(second)
    assert 'href="/search/?q=choynak&sort=popular&page=2"' in text_of(first)
    assert card_ids(get(client, "/search/", {"q": "choynak", "page": "9"})) == []


def test_search_htmx_gets_only_the_results(client, phones):
    response = get(client, "/search/", {"q": "samsung"}, **HTMX)

    page = text_of(response)
    assert "<html" not in page and page.lstrip().startswith('<div id="gm-results"')
    assert set(card_ids(response)) == {phones["exact"].pk, phones["longer"].pk}


def test_search_suggestions(client, phones):
    response = get(client, "/search/suggest/", {"q": "samsu"})

    assert response.status_code == 200
    page = text_of(response)
    assert 'data-testid="search-suggestions"' in page
    assert f'href="/products/{phones["exact"].slug}/"' in page
    assert f'href="/products/{phones["longer"].slug}/"' in page
    assert "draft" not in page
    assert 'href="/search/?q=samsu"' in page
    assert get(client, "/search/suggest/", {"q": "s"}).content == b""
    assert get(client, "/search/suggest/").content == b""
    assert get(client, "/search/suggest/", {"q": "zzzzzzzz"}).content.strip() == b""


# --- seller storefront ---------------------------------------------------------------------------
def test_seller_storefront_shows_only_that_sellers_visible_products(client, tree):
    seller = SellerFactory(first_name="Dilnoza", last_name="Rahimova")
    mine = ProductFactory(seller=seller, category=tree["leaf"])
    ProductFactory(seller=seller, category=tree["leaf"], status=ProductStatus.DRAFT)
    ProductFactory(category=tree["leaf"])  # someone else's

    response = get(client, f"/sellers/{seller.pk}/")

    assert response.status_code == 200
    assert card_ids(response) == [mine.pk]
    assert "Dilnoza Rahimova" in text_of(response)


def test_seller_storefront_filters_and_htmx(client, tree):
    seller = SellerFactory()
    cheap = ProductFactory(seller=seller, category=tree["leaf"], base_price=Decimal("1000"))
    ProductFactory(seller=seller, category=tree["leaf"], base_price=Decimal("900000"))

    response = get(client, f"/sellers/{seller.pk}/", {"max_price": "5000"}, **HTMX)

    assert card_ids(response) == [cheap.pk]
    assert "<html" not in text_of(response)


@pytest.mark.parametrize("who", ["buyer", "suspended", "banned", "deleted", "missing"])
def test_seller_storefront_is_404_for_a_non_seller_or_a_seller_who_is_not_active(client, who):
    user = {
        "buyer": lambda: BuyerFactory(),
        "suspended": lambda: SellerFactory(status=UserStatus.SUSPENDED),
        "banned": lambda: SellerFactory(status=UserStatus.BANNED),
        "deleted": lambda: SellerFactory(deleted_at=timezone.now()),
        "missing": lambda: None,
    }[who]()
    pk = user.pk if user else 99_999_999_999_999_999_999

    assert get(client, f"/sellers/{pk}/").status_code == 404


# --- the anonymous page cache ----------------------------------------------------------------------
def page_csrf_tokens(response):
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()))


@pytest.mark.parametrize("url", ["/", "/catalog/", "/catalog/smartfonlar/", "/products/cached/", "/sellers/{seller}/"])
def test_second_anonymous_visit_is_a_cache_hit_with_the_visitors_own_csrf_token(tree, url):
    product = ProductFactory(slug="cached", category=tree["leaf"], is_featured=True)
    url = url.format(seller=product.seller_id)
    first_visitor, second_visitor = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    first = get(first_visitor, url)
    second = get(second_visitor, url)

    assert first.status_code == second.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert text_of(second).count(product.name) == text_of(first).count(product.name)
    for response, visitor in ((first, first_visitor), (second, second_visitor)):
        assert CSRF_PLACEHOLDER not in response.content.decode()
        tokens = page_csrf_tokens(response)
        assert tokens, "the page has a form with a CSRF token"
        secret = visitor.cookies["csrftoken"].value
        assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    assert _unmask_cipher_token(page_csrf_tokens(first).pop()) != _unmask_cipher_token(page_csrf_tokens(second).pop())
    # the token on the cached page works for the second visitor's POST
    token = page_csrf_tokens(second).pop()
    switched = second_visitor.post("/i18n/setlang/", {"language": "ru", "next": "/", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


def test_the_page_cache_keeps_languages_apart(tree):
    get(Client(), "/catalog/smartfonlar/")
    assert get(Client(), "/catalog/smartfonlar/")["X-Page-Cache"] == "hit"

    russian = Client().get("/catalog/smartfonlar/", HTTP_ACCEPT_LANGUAGE="ru")

    assert russian["X-Page-Cache"] == "miss"
    assert '<html lang="ru">' in text_of(russian)
    assert '<html lang="en">' in text_of(get(Client(), "/catalog/smartfonlar/"))


def test_the_page_cache_keeps_query_strings_apart(shelf):
    get(Client(), "/catalog/smartfonlar/", {"brand": "Samsung"})

    other = get(Client(), "/catalog/smartfonlar/", {"brand": "Artel"})

    assert other["X-Page-Cache"] == "miss"
    assert card_ids(other) == [shelf["cheap"].pk]


def test_a_signed_in_user_never_gets_a_cached_page(client, tree):
    ProductFactory(slug="cached", category=tree["leaf"])
    for url in ("/", "/catalog/smartfonlar/", "/products/cached/"):
        assert get(Client(), url)["X-Page-Cache"] == "miss"
        assert get(Client(), url)["X-Page-Cache"] == "hit"
    buyer = BuyerFactory(first_name="Jasur")
    client.force_login(buyer)

    for url in ("/", "/catalog/smartfonlar/", "/products/cached/"):
        response = get(client, url)
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
        assert "Jasur" in text_of(response)  # their own header, not the anonymous one
    # and what they saw was not stored for anonymous visitors either
    assert "Jasur" not in text_of(get(Client(), "/"))


def test_a_page_with_a_message_for_one_visitor_is_not_cached(client, tree):
    get(Client(), "/catalog/smartfonlar/")  # the page is in the cache
    client.force_login(BuyerFactory())
    client.post("/account/logout/", **EN)  # "You have signed out." waits for the next page

    with_message = get(client, "/catalog/smartfonlar/")

    assert "You have signed out." in text_of(with_message)
    assert "X-Page-Cache" not in with_message
    again = get(Client(), "/catalog/smartfonlar/")
    assert again["X-Page-Cache"] == "hit" and "You have signed out." not in text_of(again)
    assert "You have signed out." not in text_of(get(client, "/catalog/smartfonlar/"))  # shown once


@pytest.mark.parametrize("page", ["category", "product", "home", "seller"])
def test_a_change_through_a_service_makes_the_next_visit_a_miss_showing_it(
    tree, page, django_capture_on_commit_callbacks
):
    product = ProductFactory(slug="changing", name="Old name", category=tree["leaf"], is_featured=True)
    url = {
        "category": "/catalog/elektronika/",
        "product": "/products/changing/",
        "home": "/",
        "seller": f"/sellers/{product.seller_id}/",
    }[page]
    get(Client(), url)
    cached = get(Client(), url)
    assert cached["X-Page-Cache"] == "hit" and "Old name" in text_of(cached)

    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(product=product, actor=product.seller, name="New name")

    fresh = get(Client(), url)
    assert fresh["X-Page-Cache"] == "miss"
    assert "New name" in text_of(fresh) and "Old name" not in text_of(fresh)
    assert get(Client(), url)["X-Page-Cache"] == "hit"


def test_unpublishing_removes_the_product_from_cached_lists_and_its_page(tree, django_capture_on_commit_callbacks):
    product = ProductFactory(slug="leaving", category=tree["leaf"])
    get(Client(), "/catalog/smartfonlar/")
    get(Client(), "/products/leaving/")

    with django_capture_on_commit_callbacks(execute=True):
        services.product_unpublish(product=product, actor=product.seller)

    assert card_ids(get(Client(), "/catalog/smartfonlar/")) == []
    assert get(Client(), "/products/leaving/").status_code == 404


def test_a_category_change_shows_on_cached_pages(tree, django_capture_on_commit_callbacks):
    from accounts.tests.factories import StaffFactory

    get(Client(), "/catalog/")
    assert get(Client(), "/catalog/")["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        services.category_save(actor=StaffFactory(), category=tree["leaf"], parent_id=tree["middle"].pk, name="Aqlli")

    fresh = get(Client(), "/catalog/")
    assert fresh["X-Page-Cache"] == "miss" and "Aqlli" in text_of(fresh)


# --- query counts ----------------------------------------------------------------------------------
def count_queries(client, url, data=None):
    redis_clear()  # nothing cached: pages, cards, facets and the category tree are all built
    with CaptureQueriesContext(connection) as queries:
        response = get(client, url, data)
    assert response.status_code == 200
    return len(queries), len(card_ids(response)), [q["sql"] for q in queries.captured_queries]


def grow(n, **kwargs):
    for _ in range(n):
        product = ProductFactory(**kwargs)
        ProductImageFactory(product=product)
        ProductAttributeFactory(product=product, name="Rang", value="Qora")


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/catalog/elektronika/", None),
        ("/catalog/elektronika/", {"brand": "Artel", "a": "Rang:Qora", "min_price": "1", "sort": "price_asc"}),
        ("/search/", {"q": "phone"}),
        ("/search/", {"q": "phone", "sort": "price_desc", "in_stock": "on"}),
        ("/sellers/{seller}/", None),
        ("/", None),
    ],
)
def test_list_pages_run_the_same_queries_for_10_and_100_products(client, tree, url, data):
    seller = SellerFactory()
    url = url.format(seller=seller.pk)
    product_kwargs = {"seller": seller, "category": tree["leaf"], "name": "Phone", "is_featured": True}
    grow(10, **product_kwargs)
    get(client, url, data)  # warm up once-per-process lookups

    few, few_cards, _sql = count_queries(client, url, data)
    grow(90, **product_kwargs)
    many, many_cards, sql = count_queries(client, url, data)

    assert few_cards == 10 and many_cards in (12, 24)  # home shows 12 featured, lists 24 a page
    assert few == many, sql


def test_category_page_runs_at_most_10_queries_uncached(client, tree):
    grow(30, category=tree["leaf"])
    get(client, "/catalog/elektronika/")

    count, cards, sql = count_queries(client, "/catalog/elektronika/", {"a": "Rang:Qora", "brand": "Artel"})

    assert cards == 24
    assert count <= 10, sql
