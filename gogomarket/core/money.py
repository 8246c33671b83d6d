"""Money, one definition for every app: amounts are ``Decimal`` in so'm with tiyin (two places),
rounded half up (``money``), and written the way people in Uzbekistan write them
(``format_uzs``: ``125 000 so'm``, space-grouped thousands). Templates use the ``uzs`` filter
(``{% load money %}``), which calls ``format_uzs``."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

CENT = Decimal("0.01")  # one tiyin: what DECIMAL(12, 2) keeps
ZERO = Decimal("0")
NBSP = "\u00a0"


def money(value):
    """``value`` as an amount: Decimal, two places, half up (``Decimal("0.005") -> 0.01``)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_uzs(amount, with_currency=True):
    """``Decimal('125000') -> "125 000 so'm"``; tiyin shown only when there are any. Text that is
    not a number gives ``""`` (a page never breaks on a bad value)."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 1)
    grouped = f"{int(whole):,}".replace(",", NBSP)
    text = f"{sign}{grouped}"
    if frac:
        text += "," + f"{frac:.2f}"[2:]
    if with_currency:
        # Translators: the UZS currency word written after an amount.
        text += NBSP + _("so'm")
    return text
