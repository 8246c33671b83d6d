"""Stock moved by orders (catalog.services.stock): ``stock_take`` at checkout and ``stock_return``
on cancellation. Orders call these and never write product or variant rows themselves; the
checkout and cancellation tests (orders/tests) and the concurrency tests run them end to end."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services
from catalog.enums import ProductStatus
from catalog.models import Product, ProductVariant
from catalog.tests.factories import ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


def _stock(*rows):
    return [type(row).objects.values_list("stock_quantity", flat=True).get(pk=row.pk) for row in rows]


def _status(product):
    return Product.objects.values_list("status", flat=True).get(pk=product.pk)


def test_take_lowers_a_variant_and_its_product_together_and_adds_up_repeated_lines():
    shirt = ProductFactory(stock_quantity=7)
    blue = ProductVariantFactory(product=shirt, stock_quantity=4)
    kettle = ProductFactory(stock_quantity=5)

    taking = services.stock_take([(shirt.pk, blue.pk, 1), (kettle.pk, None, 2), (shirt.pk, blue.pk, 2)])

    assert taking.taken and taking.shortages == []
    assert set(taking.products) == {shirt.pk, kettle.pk} and set(taking.variants) == {blue.pk}
    assert _stock(blue, shirt, kettle) == [1, 4, 3]


def test_take_with_a_line_it_cannot_serve_takes_nothing_and_names_it():
    kettle = ProductFactory(stock_quantity=5)
    shirt = ProductFactory(stock_quantity=9)
    blue = ProductVariantFactory(product=shirt, stock_quantity=2)

    taking = services.stock_take([(kettle.pk, None, 1), (shirt.pk, blue.pk, 3)])

    assert not taking.taken
    ((shortage),) = taking.shortages
    assert (shortage.product.pk, shortage.variant.pk, shortage.wanted, shortage.available) == (shirt.pk, blue.pk, 3, 2)
    assert _stock(kettle, blue, shirt) == [5, 2, 9]


def test_take_leaves_what_counts_no_stock_and_goes_below_zero_only_for_backorders():
    ebook = ProductFactory(stock_quantity=0, is_digital=True, requires_shipping=False)
    lesson = ProductFactory(stock_quantity=2, requires_shipping=False)
    owed = ProductFactory(stock_quantity=1, allow_backorder=True)
    last = ProductFactory(stock_quantity=3)

    assert services.stock_take([(ebook.pk, None, 4), (lesson.pk, None, 5), (owed.pk, None, 3), (last.pk, None, 3)])

    assert _stock(ebook, lesson, owed, last) == [0, 2, -2, 0]
    # the statuses follow: sold out leaves the lists, backorders and what is not delivered stay
    assert [_status(p) for p in (ebook, lesson, owed, last)] == ["active", "active", "active", "out_of_stock"]


def test_take_skips_rows_that_are_gone_for_the_caller_to_find_missing():
    kettle = ProductFactory(stock_quantity=5)

    taking = services.stock_take([(kettle.pk, None, 1), (kettle.pk + 1000, None, 1)])

    assert set(taking.products) == {kettle.pk} and _stock(kettle) == [4]


def test_take_and_return_lock_products_then_variants_each_in_id_order():
    second, first = ProductFactory(), ProductFactory()
    variant = ProductVariantFactory(product=first)
    lines = [(second.pk, None, 1), (first.pk, variant.pk, 1)]

    for move in (services.stock_take, services.stock_return):
        with CaptureQueriesContext(connection) as queries:
            move(lines)
        locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
        assert [sql.split(" FROM ")[1].split()[0] for sql in locks] == ['"products"', '"product_variants"']
        assert all('ORDER BY "' in sql and '"id" ASC' in sql for sql in locks)


def test_return_gives_back_exactly_what_was_taken():
    shirt = ProductFactory(stock_quantity=3)
    blue = ProductVariantFactory(product=shirt, stock_quantity=3)
    owed = ProductFactory(stock_quantity=1, allow_backorder=True)
    ebook = ProductFactory(stock_quantity=0, is_digital=True, requires_shipping=False)
    lines = [(shirt.pk, blue.pk, 3), (owed.pk, None, 4), (ebook.pk, None, 2)]
    services.stock_take(lines)
    assert (_stock(blue, shirt, owed, ebook), _status(shirt)) == ([0, 0, -3, 0], ProductStatus.OUT_OF_STOCK)

    services.stock_return(lines)

    assert _stock(blue, shirt, owed, ebook) == [3, 3, 1, 0]
    assert _status(shirt) == ProductStatus.ACTIVE  # back on sale
    assert ProductVariant.objects.get(pk=blue.pk).stock_quantity == 3
