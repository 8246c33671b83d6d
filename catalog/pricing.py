"""What a product costs now: one definition, in Python for one product and as an ORM expression /
SQL fragment for lists (sorting and filtering by price); ``catalog/tests/test_rules.py`` holds
them to the same answers.

The rule: **the sale price when there is one, else the base price; a variant adds its price
adjustment.** The database guarantees that a sale price is below the base price and that the
base price is more than 0 (CHECK ``products_base_price_positive`` and
``products_sale_below_base``, migration 0005), so "is there a sale price" and "is it a
discount" are the same question, and ``coalesce(sale_price, base_price)`` is the whole rule
(the services give the friendly messages; the constraints are the guarantee).
"""

from decimal import Decimal

from django.db.models import F
from django.db.models.functions import Coalesce

from gogomarket.core.money import money

__all__ = [
    "current_price",
    "current_price_expression",
    "current_price_sql",
    "discount_percent",
    "list_price",
    "on_sale",
]


def on_sale(product):
    return product.sale_price is not None


def current_price(product, variant=None):
    """What one unit of ``product`` (or of its ``variant``) costs now, to the tiyin."""
    price = product.sale_price if on_sale(product) else product.base_price
    if variant is not None:
        price += variant.price_adjustment or Decimal("0")
    return money(price)


def list_price(product, variant=None):
    """The price before the sale (struck through next to the current one), None when not on sale."""
    if not on_sale(product):
        return None
    price = product.base_price + ((variant.price_adjustment or Decimal("0")) if variant is not None else 0)
    return money(price)


def discount_percent(product):
    """The sale's discount in whole percent (rounded down), 0 when not on sale."""
    if not on_sale(product):
        return 0
    return int((1 - product.sale_price / product.base_price) * 100)


def current_price_expression(prefix=""):
    """``current_price`` of a product (without variant) as an ORM expression; ``prefix`` for a
    related product (``"product__"``)."""
    return Coalesce(F(f"{prefix}sale_price"), F(f"{prefix}base_price"))


def current_price_sql(alias="p"):
    """``current_price`` of a product as SQL over ``products <alias>``."""
    return f"coalesce({alias}.sale_price, {alias}.base_price)"
