"""What the catalog announces (catalog.hooks), after commit, with ids."""

import pytest
from django.test import TestCase

from catalog import hooks, services
from catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []
    listeners = {
        hooks.product_changed: lambda product_ids: calls.append(("product_changed", product_ids)),
        hooks.stock_low: lambda product_ids: calls.append(("stock_low", product_ids)),
    }
    for hook, listener in listeners.items():
        hook.register(listener)
    yield calls
    for hook, listener in listeners.items():
        hook.unregister(listener)


def test_a_product_change_is_announced_after_it_commits(heard):
    product = ProductFactory()
    with TestCase.captureOnCommitCallbacks(execute=False) as pending:
        services.product_update(product=product, actor=product.seller, name="Choynak Tefal 1.7 l")
    assert heard == []
    for callback in pending:
        callback()
    assert heard == [("product_changed", [product.pk])]


def test_stock_low_is_announced_once_when_a_sale_crosses_the_alert_level(heard):
    product = ProductFactory(stock_quantity=12, low_stock_threshold=10)
    other = ProductFactory(stock_quantity=50, low_stock_threshold=10)

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.stock_take([(product.pk, None, 2), (other.pk, None, 1)])  # 12 -> 10: at the level
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.stock_take([(product.pk, None, 1)])  # 10 -> 9: already low, not again

    assert [ids for name, ids in heard if name == "stock_low"] == [[product.pk]]
    assert ("product_changed", sorted([product.pk, other.pk])) in heard


def test_a_seller_setting_stock_below_the_level_is_announced(heard):
    product = ProductFactory(stock_quantity=30, low_stock_threshold=5)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.product_stock_set(product=product, actor=product.seller, quantity=3)
    assert ("stock_low", [product.pk]) in heard


def test_a_digital_product_never_runs_low(heard):
    product = ProductFactory(stock_quantity=0, is_digital=True, requires_shipping=False)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.stock_take([(product.pk, None, 5)])
    assert [name for name, _ids in heard if name == "stock_low"] == []
