"""Payments point at orders through a join table (payment_orders) instead of JSON id lists."""

import django.db.models.deletion
from django.db import migrations, models


def links_from_lists(apps, schema_editor):
    Payment = apps.get_model("finance", "Payment")
    PaymentOrder = apps.get_model("finance", "PaymentOrder")
    Order = apps.get_model("orders", "Order")
    batch = []
    for payment in Payment.objects.exclude(order_ids=[]).iterator(chunk_size=1000):
        ids = {int(pk) for pk in payment.order_ids or []}
        paid = {int(pk) for pk in payment.paid_order_ids or []}
        existing = set(Order.objects.filter(pk__in=ids).values_list("pk", flat=True))
        for order_id in sorted(ids & existing):
            paid_at = payment.updated_at if order_id in paid else None
            batch.append(PaymentOrder(payment_id=payment.pk, order_id=order_id, paid_at=paid_at))
        if len(batch) >= 1000:
            PaymentOrder.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    PaymentOrder.objects.bulk_create(batch, ignore_conflicts=True)


def lists_from_links(apps, schema_editor):
    Payment = apps.get_model("finance", "Payment")
    PaymentOrder = apps.get_model("finance", "PaymentOrder")
    for payment in Payment.objects.iterator(chunk_size=1000):
        links = list(PaymentOrder.objects.filter(payment_id=payment.pk).order_by("order_id"))
        if links:
            payment.order_ids = [link.order_id for link in links]
            payment.paid_order_ids = [link.order_id for link in links if link.paid_at is not None]
            payment.save(update_fields=["order_ids", "paid_order_ids"])


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0007_payment_paid_orders"),
        ("orders", "0004_gogomoney_label"),
    ]

    operations = [
        migrations.CreateModel(
            name="PaymentOrder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("paid_at", models.DateTimeField(blank=True, null=True, verbose_name="paid at")),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payment_links",
                        to="orders.order",
                        verbose_name="order",
                    ),
                ),
                (
                    "payment",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="order_links",
                        to="finance.payment",
                        verbose_name="payment",
                    ),
                ),
            ],
            options={
                "verbose_name": "order of a card payment",
                "verbose_name_plural": "orders of card payments",
                "db_table": "payment_orders",
                "constraints": [models.UniqueConstraint(fields=("payment", "order"), name="payment_orders_once")],
            },
        ),
        migrations.RunPython(links_from_lists, lists_from_links),
        migrations.RemoveField(model_name="payment", name="order_ids"),
        migrations.RemoveField(model_name="payment", name="paid_order_ids"),
    ]
