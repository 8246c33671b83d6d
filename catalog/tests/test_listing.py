"""Listing filters and sorts have two forms: the ORM's (category pages, storefronts, the API) and
SQL's (search). Every filter and every sort is run both ways over the same products, which
cover the cases that tell rules apart (sale prices, NULL counters, stock kinds, products and
sellers that are not visible), and must give the same ids in the same order."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.enums import UserStatus
from accounts.tests.factories import SellerFactory
from catalog import listing, search, selectors
from catalog.enums import ProductStatus
from catalog.selectors import ListingFilters
from catalog.tests.factories import CategoryFactory, ProductAttributeFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Products named "Parity ..." (so a search for "parity" finds each in its ranked tier)."""
    root = CategoryFactory()
    phones, covers = CategoryFactory(parent=root), CategoryFactory(parent=root)
    ann, bob, gone = SellerFactory(), SellerFactory(), SellerFactory(status=UserStatus.SUSPENDED)
    now = timezone.now()
    rows = [
        # (seller, category, brand, base, sale, rating, views, published days ago, stock fields)
        (ann, phones, "Artel", "500000", None, "4.50", 10, 3, {}),
        (ann, phones, "Artel", "900000", "450000", "4.50", 10, 5, {}),  # on sale: cheaper than the one above
        (ann, covers, "Zara", "450000", None, None, None, None, {}),  # NULL rating, views, never published
        (bob, covers, "Zara", "300000", None, "3.00", 40, 1, {"stock_quantity": 0}),  # sold out, still active
        (bob, phones, "Shivaki", "700000", None, "5.00", 40, 2, {"stock_quantity": 0, "allow_backorder": True}),
        (bob, covers, "Shivaki", "120000", "99000", "4.00", 0, 9, {"stock_quantity": 0, "is_digital": True}),
        (bob, covers, "", "80000", None, "4.00", 0, 7, {"stock_quantity": 0, "requires_shipping": False}),
        (ann, phones, "Artel", "500000", None, "4.50", 10, 3, {}),  # a tie with the first on every key
    ]
    listed = []
    for n, (seller, category, brand, base, sale, rating, views, days, stock) in enumerate(rows):
        listed.append(
            ProductFactory(
                name=f"Parity {n}", description="Sifatli mahsulot.", short_description="", seller=seller,
                category=category, brand=brand or None, base_price=Decimal(base),
                sale_price=Decimal(sale) if sale else None, rating_average=Decimal(rating) if rating else None,
                rating_count=views, view_count=views,
                published_at=now - timedelta(days=days) if days is not None else None, **stock,
            )
        )  # fmt: skip
    ProductAttributeFactory(product=listed[0], name="Rang", value="Qora")
    ProductAttributeFactory(product=listed[1], name="Rang", value="Ko'k")
    ProductAttributeFactory(product=listed[1], name="Xotira", value="128 GB")
    ProductAttributeFactory(product=listed[4], name="Rang", value="Qora")
    ProductAttributeFactory(product=listed[4], name="Xotira", value="128 GB")
    # Not in any list: a draft, a deleted product, a sold-out one and a suspended seller's.
    ProductFactory(name="Parity draft", seller=ann, category=phones, status=ProductStatus.DRAFT)
    ProductFactory(name="Parity deleted", seller=ann, category=phones, deleted_at=now)
    ProductFactory(name="Parity sold out", seller=ann, category=phones, status=ProductStatus.OUT_OF_STOCK)
    ProductFactory(name="Parity hidden", seller=gone, category=phones)
    return {"phones": phones, "covers": covers, "ann": ann, "bob": bob, "listed": listed}


def filter_cases(world):
    """One case per filter of the listing (each narrows the products differently)."""
    return {
        "category_ids": [world["covers"].pk],
        "seller_id": world["bob"].pk,
        "min_price": Decimal("450000"),
        "max_price": Decimal("450000"),
        "brands": ["Zara", "Shivaki"],
        "min_rating": Decimal("4.5"),
        "in_stock": True,
        "attributes": {"Rang": ["Qora", "Ko'k"], "Xotira": ["128 GB"]},
    }


def _orm(filters, sort):
    return list(selectors.listing_queryset(filters, sort).values_list("id", flat=True))


def _sql(filters, sort):
    ids, total, _capped = search.search_product_ids(search.parse("parity"), filters=filters, sort=sort, limit=100)
    assert total == len(ids)
    return ids


def test_every_filter_and_sort_of_the_table_is_tried(world):
    assert set(filter_cases(world)) == set(listing.FILTERS)
    assert set(search.SORTS) == {"relevance", *listing.SORTS}  # relevance is search's own


@pytest.mark.parametrize("sort", list(listing.SORTS))
def test_every_filter_and_sort_gives_the_same_ids_in_the_same_order_both_ways(world, sort):
    everything = _orm(ListingFilters(), sort)
    assert sorted(everything) == sorted(p.pk for p in world["listed"])
    assert _sql(ListingFilters(), sort) == everything
    for name, value in filter_cases(world).items():
        filters = ListingFilters(**{name: value})
        orm = _orm(filters, sort)
        assert 0 < len(orm) < len(everything), name  # the case tells something apart
        assert _sql(filters, sort) == orm, name
    combined = ListingFilters(brands=["Artel", "Shivaki"], max_price=Decimal("700000"), in_stock=True)
    assert _sql(combined, sort) == _orm(combined, sort)
