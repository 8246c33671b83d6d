"""``{% load money %}``: ``{{ amount|uzs }}`` -> ``125 000 so'm`` (``gogomarket.core.money``)."""

from django import template

from gogomarket.core.money import format_uzs

register = template.Library()


@register.filter
def uzs(amount):
    return format_uzs(amount)


@register.filter
def uzs_plain(amount):
    return format_uzs(amount, with_currency=False)
