"""Money as people in Uzbekistan write it: ``125 000 so'm`` (space-grouped thousands)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

register = template.Library()

NBSP = "\u00a0"


def format_uzs(amount, with_currency=True):
    """``Decimal('125000') -> "125 000 so'm"``; tiyin shown only when there are any."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
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


@register.filter
def uzs(amount):
    return format_uzs(amount)


@register.filter
def uzs_plain(amount):
    return format_uzs(amount, with_currency=False)
