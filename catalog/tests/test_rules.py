"""The catalog's rules, one definition each (issue #9), and the places that showed them
differently: what counts stock, the current price and the database's guarantee behind it."""

import itertools
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import BuyerFactory, SellerFactory
from catalog import pricing, search, selectors, services
from catalog import stock as stock_rules
from catalog.enums import ProductStatus
from catalog.listing import ListingFilters
from catalog.models import Product
from catalog.tests.factories import (
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)

pytestmark = pytest.mark.django_db


# --- the database's price guarantee ---------------------------------------------------------------
@pytest.mark.parametrize(
    "change",
    [
        {"base_price": Decimal("0")},
        {"base_price": Decimal("-1")},
        {"sale_price": Decimal("100000")},  # the base price itself is no sale
        {"sale_price": Decimal("100000.01")},
    ],
)
def test_the_database_refuses_a_price_that_is_not_a_price(change):
    product = ProductFactory(base_price=Decimal("100000"))

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(**change)

    assert Product.objects.values_list("base_price", "sale_price").get(pk=product.pk) == (Decimal("100000"), None)


def test_the_database_takes_a_sale_price_below_the_price_or_none():
    product = ProductFactory(base_price=Decimal("100000"))
    Product.objects.filter(pk=product.pk).update(sale_price=Decimal("99999.99"))
    Product.objects.filter(pk=product.pk).update(sale_price=None)


# --- what counts stock ------------------------------------------------------------------------------
def test_low_stock_and_out_of_stock_lists_hold_only_what_counts_stock():
    """A seller restocks what is delivered: a product that needs no delivery (digital or not) has no
    shelf to fill, so it is neither low on stock nor out of it. A backorder product is (it owes)."""
    seller = SellerFactory()
    low = ProductFactory(seller=seller, stock_quantity=2, low_stock_threshold=5)
    owed = ProductFactory(seller=seller, stock_quantity=0, allow_backorder=True)
    ProductFactory(seller=seller, stock_quantity=0, is_digital=True, requires_shipping=False)
    ProductFactory(seller=seller, stock_quantity=0, requires_shipping=False)

    assert set(selectors.seller_low_stock(seller=seller)) == {low, owed}
    out = selectors.seller_product_list(seller=seller, filters=selectors.SellerProductFilters(stock="out"))
    assert list(out) == [owed]


def test_a_digital_products_option_with_no_stock_is_not_sold_out_on_its_page(client):
    """The page judged an option by its own stock alone; the cart sells a digital product's
    options whatever their stock."""
    product = ProductFactory(slug="e-book", is_digital=True, requires_shipping=False, stock_quantity=0)
    ProductVariantFactory(product=product, name="PDF", stock_quantity=0)

    page = client.get("/products/e-book/").content.decode()

    picker = re.search(r'data-testid="variant-picker".*?</select>', page, re.S).group(0)
    assert "sold out" not in picker and "data-sold-out" not in picker
    assert re.search(r'id="gm-stock"[^>]*data-backorder="1"', page, re.S)


# --- parity: each rule's Python form and its QuerySet / SQL twin ---------------------------------
def _select_ids(where):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id FROM products p WHERE {where}")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def every_stock_kind():
    """A product for each combination of the fields the stock rule reads (NULL included)."""
    seller, category = SellerFactory(), CategoryFactory()
    combinations = itertools.product((True, False, None), (True, False, None), (True, False, None), (None, -2, 0, 3))
    rows = [
        Product(
            seller=seller, category=category, name=f"Kind {n}", slug=f"kind-{n}", description="-",
            base_price=Decimal("1000"), status=ProductStatus.ACTIVE, is_digital=digital,
            requires_shipping=shipping, allow_backorder=backorder, stock_quantity=stock,
        )
        for n, (digital, shipping, backorder, stock) in enumerate(combinations)
    ]  # fmt: skip
    return Product.objects.bulk_create(rows)


def test_the_stock_rule_and_its_queryset_and_sql_twins_agree_on_every_combination(every_stock_kind):
    products = {p.pk: p for p in Product.objects.filter(pk__in=[p.pk for p in every_stock_kind])}
    assert len(products) == 108
    in_stock = {pk for pk, p in products.items() if stock_rules.in_stock(p)}
    counting = {pk for pk, p in products.items() if stock_rules.counts_stock(p)}

    assert set(Product.objects.filter(stock_rules.in_stock_q()).values_list("pk", flat=True)) == in_stock
    assert _select_ids(stock_rules.in_stock_sql("p")) == in_stock
    assert set(Product.objects.filter(stock_rules.counts_stock_q()).values_list("pk", flat=True)) == counting
    # Each field decides some case: the rule is not narrower than it reads.
    assert 0 < len(in_stock) < len(products) and 0 < len(counting) < len(products)
    for product in products.values():
        limit = stock_rules.available(product)
        assert (limit is None) == stock_rules.sells_without_stock(product)
        assert stock_rules.in_stock(product) == (limit is None or limit > 0) == product.in_stock
    # The status follows the same rule, whether set on one product or refreshed for many by SQL.
    expected = {pk: services.stock_status_for(p) for pk, p in products.items()}
    services.products_stock_status_refresh(list(products))
    assert dict(Product.objects.filter(pk__in=products).values_list("pk", "status")) == expected
    Product.objects.filter(pk__in=products).update(status=ProductStatus.OUT_OF_STOCK)
    services.products_stock_status_refresh(list(products))
    assert dict(Product.objects.filter(pk__in=products).values_list("pk", "status")) == expected


def test_the_price_and_its_orm_and_sql_twins_agree():
    products = [
        ProductFactory(base_price=Decimal("100000"), sale_price=None),
        ProductFactory(base_price=Decimal("100000"), sale_price=Decimal("79999.99")),
        ProductFactory(base_price=Decimal("0.02"), sale_price=Decimal("0.01")),
    ]
    ids = [p.pk for p in products]
    rows = Product.objects.filter(pk__in=ids).annotate(price=pricing.current_price_expression())
    python = {p.pk: pricing.current_price(p) for p in Product.objects.filter(pk__in=ids)}

    assert {row.pk: row.price for row in rows} == python
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id, {pricing.current_price_sql('p')} FROM products p WHERE p.id = ANY(%s)", [ids])
        assert dict(cursor.fetchall()) == python
    assert list(python.values()) == [Decimal("100000.00"), Decimal("79999.99"), Decimal("0.01")]


def test_a_variant_costs_the_current_price_plus_its_adjustment_and_every_reader_says_so():
    product = ProductFactory(base_price=Decimal("3000000"), sale_price=Decimal("2500000"))
    variant = ProductVariantFactory(product=product, price_adjustment=Decimal("400000"))

    assert pricing.current_price(product, variant) == Decimal("2900000.00")
    assert pricing.list_price(product, variant) == Decimal("3400000.00")
    assert pricing.discount_percent(product) == 16
    card = selectors.product_cards([product.pk])[0]
    assert (card.price, card.on_sale, card.discount_percent) == (Decimal("2500000.00"), True, 16)
    assert product.current_price == card.price


# --- a visible product --------------------------------------------------------------------------
@pytest.mark.parametrize("hidden_by", ["seller_closed", "seller_suspended", "deleted", "draft"])
def test_a_product_that_is_not_visible_is_gone_from_every_storefront_reader(client, hidden_by):
    from django.urls import reverse

    from accounts.enums import UserStatus
    from accounts.models import User
    from orders import services as orders_services
    from orders.tests.factories import CartFactory
    from tests.helpers import api_client_for

    product = ProductFactory(slug="hidden", name="Yashirin choynak")
    if hidden_by == "seller_closed":
        User.objects.filter(pk=product.seller_id).update(deleted_at=timezone.now())
    elif hidden_by == "seller_suspended":
        User.objects.filter(pk=product.seller_id).update(status=UserStatus.SUSPENDED)
    elif hidden_by == "deleted":
        Product.objects.filter(pk=product.pk).update(deleted_at=timezone.now())
    else:
        Product.objects.filter(pk=product.pk).update(status=ProductStatus.DRAFT)

    assert not Product.objects.visible().filter(pk=product.pk).exists()
    assert client.get("/products/hidden/").status_code == 404
    assert api_client_for().get(f"/api/v1/products/{product.pk}/").status_code == 404
    client.force_login(BuyerFactory())
    assert client.get(reverse("delivery:estimate", args=[product.pk])).status_code == 404
    with pytest.raises(ValidationError):
        orders_services.cart_add(cart=CartFactory(), product_id=product.pk)
    assert selectors.listing_page(ListingFilters()).cards == []
    assert search.search_product_ids(search.parse("choynak"), filters=ListingFilters())[0] == []
    assert api_client_for().get("/api/v1/products/").json()["results"] == []


# --- the seller's next actions ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "status, actions",
    [
        (ProductStatus.DRAFT, ["publish", "discontinue", "delete"]),
        (ProductStatus.ACTIVE, ["unpublish", "discontinue", "delete"]),
        (ProductStatus.OUT_OF_STOCK, ["unpublish", "discontinue", "delete"]),
        (ProductStatus.INACTIVE, ["publish", "discontinue", "delete"]),
        (ProductStatus.DISCONTINUED, ["publish", "delete"]),
    ],
)
def test_next_actions_come_from_the_transition_table_and_are_the_buttons_shown(client, status, actions):
    product = ProductFactory(status=status)

    assert [name for name, _action in services.product_next_actions(product)] == actions
    client.force_login(product.seller)
    page = client.get(f"/seller/products/{product.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    buttons = re.search(r'data-testid="status-actions".*?</div>', page, re.S).group(0)
    assert re.findall(r'<button[^>]*data-testid="(\w+)"', buttons) == actions
    # Every action offered is one the service takes (and one not offered, it refuses).
    for name in services.TRANSITIONS:
        offered = name in actions
        assert (status in services.TRANSITIONS[name]) == offered


def test_a_deleted_product_has_no_next_actions():
    product = ProductFactory(deleted_at=timezone.now())
    assert services.product_next_actions(product) == []


# --- the product-detail prefetch -------------------------------------------------------------------
def _queries(get, product):
    with CaptureQueriesContext(connection) as queries:
        response = get(product)
    assert response.status_code == 200
    return len(queries)


def test_product_pages_run_the_same_queries_whatever_the_number_of_pictures_variants_attributes(client):
    """One prefetch (``selectors.product_detail_prefetch``) behind the page, the API's product,
    the seller's edit page and the seller API's product."""
    from tests.helpers import api_client_for

    seller = SellerFactory()

    def product_with(n):
        product = ProductFactory(seller=seller)
        for i in range(n):
            ProductImageFactory(product=product, is_primary=i == 0, sort_order=i)
            ProductVariantFactory(product=product)
            ProductAttributeFactory(product=product)
        return product

    small, big = product_with(1), product_with(6)
    client.force_login(seller)  # signed in: pages are not served from the page cache
    buyer_api, seller_api = api_client_for(), api_client_for(seller)
    pages = {
        "page": lambda p: client.get(f"/products/{p.slug}/", HTTP_ACCEPT_LANGUAGE="en"),
        "api": lambda p: buyer_api.get(f"/api/v1/products/{p.pk}/"),
        "seller page": lambda p: client.get(f"/seller/products/{p.pk}/", HTTP_ACCEPT_LANGUAGE="en"),
        "seller api": lambda p: seller_api.get(f"/api/v1/seller/products/{p.pk}/"),
    }
    for name, get in pages.items():
        get(small)  # warm: what a process keeps between requests (category tree, seller summary),
        get(small)  # the session's last activity (written at most once a minute)
        assert _queries(get, small) == _queries(get, big), name
