# The database's guarantee behind catalog.pricing: a base price above 0 and a sale price below the
# base price. The services always refused anything else; rows written around them are checked
# first. A sale price that is not below the base price is dropped (cards never showed it as a
# sale, while the cart charged it), with an audit row each. A base price of 0 or less has no
# faithful fix (no price to invent), so the migration stops and names the products.

from django.conf import settings
from django.db import migrations, models

CLEAR_FALSE_SALES = """
WITH bad AS (
    SELECT id, sale_price FROM products
    WHERE sale_price IS NOT NULL AND sale_price >= base_price
    ORDER BY id FOR UPDATE
), cleared AS (
    UPDATE products p SET sale_price = NULL, updated_at = now() FROM bad WHERE p.id = bad.id RETURNING p.id
)
INSERT INTO audit_logs (action, entity_type, entity_id, old_values, new_values, created_at)
SELECT 'product.update', 'product', bad.id, jsonb_build_object('sale_price', bad.sale_price::text),
       jsonb_build_object('sale_price', NULL), now()
FROM bad JOIN cleared ON cleared.id = bad.id
"""


def refuse_prices_that_are_not_prices(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id FROM products WHERE base_price <= 0 ORDER BY id LIMIT 21")
        ids = [row[0] for row in cursor.fetchall()]
    if ids:
        shown = ", ".join(map(str, ids[:20])) + (" ..." if len(ids) > 20 else "")
        raise RuntimeError(
            f"Products with a base price of 0 or less: {shown}. Give each a price above 0 (or delete "
            "it), then migrate again."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0004_search_description"),
        ("core", "0002_idempotencykey"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_prices_that_are_not_prices, migrations.RunPython.noop, elidable=True),
        migrations.RunSQL(CLEAR_FALSE_SALES, migrations.RunSQL.noop, elidable=True),
        migrations.AddConstraint(
            model_name="product",
            constraint=models.CheckConstraint(
                condition=models.Q(("base_price__gt", 0)), name="products_base_price_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="product",
            constraint=models.CheckConstraint(
                condition=models.Q(("sale_price__isnull", True), ("sale_price__lt", models.F("base_price")), _connector="OR"),
                name="products_sale_below_base",
            ),
        ),
    ]
