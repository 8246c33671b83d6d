"""What counts stock, and what can be ordered now: one definition, in Python for one product and
as a QuerySet condition / SQL fragment for lists (``catalog/tests/test_rules.py`` holds them to
the same answers over every combination of the fields).

The rule: **a product counts stock only when it is delivered.** A digital product, or one whose
seller marked it as needing no delivery (a service, a lesson, a ticket sent by message), has no
units on a shelf for a courier to take, so it never sells out and checkout takes nothing from
it. Why this rule and not "only digital products count no stock": it is the rule the status
already followed (such a product stays ``active`` at 0 and keeps its place in the lists), so no
stored status changes; the cart, checkout, cancellation, the card and the in-stock filter were
the places that disagreed. Saving a digital product also clears ``requires_shipping``
(``catalog.services.products``), so "digital" is the common case of "not delivered".

* ``needs_delivery(product)``: something to deliver (delivery is priced for it, it has weight);
* ``counts_stock(product)``: the same question asked by stock (stock moves only for these);
* ``sells_without_stock(product)``: counts no stock, or takes backorders;
* ``available(product, variant)``: units that can be ordered now, None for no limit;
* ``in_stock(product, variant)``: can be ordered now (what cards, pages and the filter say).

NULL columns read as their defaults: ``is_digital`` and ``allow_backorder`` false,
``requires_shipping`` true, ``stock_quantity`` 0.
"""

from django.db.models import Q

# A product's stock alert level when the seller set none (the low-stock list, ``stock_low``).
LOW_STOCK_DEFAULT = 10

__all__ = [
    "available",
    "counts_stock",
    "counts_stock_q",
    "in_stock",
    "in_stock_q",
    "in_stock_sql",
    "needs_delivery",
    "sells_without_stock",
]


# --- one product (Python) -------------------------------------------------------------------------
def needs_delivery(product):
    return not product.is_digital and product.requires_shipping is not False


def counts_stock(product):
    return needs_delivery(product)


def sells_without_stock(product):
    return not counts_stock(product) or bool(product.allow_backorder)


def available(product, variant=None):
    """Units of ``product`` (or of its ``variant``) that can be ordered now; None: no limit."""
    if sells_without_stock(product):
        return None
    stock = variant.stock_quantity if variant is not None else product.stock_quantity
    return max(0, stock or 0)


def in_stock(product, variant=None):
    limit = available(product, variant)
    return limit is None or limit > 0


# --- many products (QuerySet conditions over Product, SQL over ``products``) ---------------------
def counts_stock_q(prefix=""):
    """``counts_stock`` as a condition; ``prefix`` for a related product (``"product__"``)."""
    return ~(Q(**{f"{prefix}is_digital": True}) | Q(**{f"{prefix}requires_shipping": False}))


def in_stock_q(prefix=""):
    """``in_stock`` of a product (not of a variant) as a condition."""
    return (
        Q(**{f"{prefix}is_digital": True})
        | Q(**{f"{prefix}requires_shipping": False})
        | Q(**{f"{prefix}allow_backorder": True})
        | Q(**{f"{prefix}stock_quantity__gt": 0})
    )


def in_stock_sql(alias="p"):
    """``in_stock`` of a product as SQL over ``products <alias>`` (true or false, never NULL)."""
    return (
        f"({alias}.is_digital IS TRUE OR {alias}.requires_shipping IS FALSE"
        f" OR {alias}.allow_backorder IS TRUE OR coalesce({alias}.stock_quantity, 0) > 0)"
    )
