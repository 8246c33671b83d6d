"""The platform's commission as checkout records it on an order (``orders.commission_amount``).

The rule is finance's (``finance.services.earnings.commission_quote``: the platform rate or a
category's override, and the amount on the items' subtotal); delivery records the same quote on
its ``commissions`` row. Orders may not import finance (README "Layers"), so finance installs its
rule here from ``FinanceConfig.ready()``; without finance no commission is taken.
"""

from decimal import Decimal

_rule = None


def commission_rule_install(rule):
    """``rule(category, subtotal) -> (rate, amount)``."""
    global _rule
    _rule = rule


def commission_quote(*, category, subtotal):
    """``(rate, amount)`` of the items' ``subtotal`` in ``category`` (the order's first item's)."""
    if _rule is None:
        return Decimal("0"), Decimal("0")
    return _rule(category, subtotal)
