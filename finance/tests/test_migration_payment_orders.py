"""Migration 0008: the JSON id lists of payments become payment_orders rows, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("finance", "0007_payment_paid_orders")]
AFTER = [("finance", "0008_payment_orders")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_lists_become_links_with_when_each_order_was_paid():
    from orders.tests.factories import OrderFactory

    first, second, third = OrderFactory(), OrderFactory(), OrderFactory()
    old = _migrate(BEFORE)
    try:
        Payment = old.get_model("finance", "Payment")
        User = old.get_model("accounts", "User")
        buyer = User.objects.get(pk=first.buyer_id)
        paid = Payment.objects.create(
            user=buyer, purpose="orders", amount=1, provider="sandbox", token="t-paid",
            order_ids=[first.pk, second.pk], paid_order_ids=[second.pk], state="succeeded",
        )  # fmt: skip
        gone = Payment.objects.create(
            user=buyer, purpose="orders", amount=1, provider="sandbox", token="t-gone",
            order_ids=[third.pk, 10**9], paid_order_ids=[],  # an order deleted since: no link, no crash
        )  # fmt: skip
        topup = Payment.objects.create(user=buyer, purpose="topup", amount=1, provider="sandbox", token="t-topup")
    finally:
        new = _migrate(AFTER)

    Link = new.get_model("finance", "PaymentOrder")
    links = {(link.payment_id, link.order_id, link.paid_at is not None) for link in Link.objects.all()}
    assert links == {(paid.pk, first.pk, False), (paid.pk, second.pk, True), (gone.pk, third.pk, False)}
    assert not Link.objects.filter(payment_id=topup.pk).exists()

    back = _migrate(BEFORE)
    try:
        Payment = back.get_model("finance", "Payment")
        again = Payment.objects.get(pk=paid.pk)
        assert (again.order_ids, again.paid_order_ids) == ([first.pk, second.pk], [second.pk])
    finally:
        _migrate([("finance", _latest_finance_migration())])


def _latest_finance_migration():
    executor = MigrationExecutor(connection)
    return max(name for app, name in executor.loader.graph.leaf_nodes() if app == "finance")
