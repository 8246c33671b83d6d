"""``{% product_card card %}``: a product card's HTML, rendered once per process for each version
of the card and language (a grid of 24 cards then costs a few dictionary lookups, not 24
template renders). A card holds nothing personal, so its HTML is the same for everyone."""

from functools import lru_cache

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

CARD_TEMPLATE = "includes/product_card.html"


@lru_cache(maxsize=5000)
def _card_html(language, card):
    return get_template(CARD_TEMPLATE).render({"product": card})


@register.simple_tag
def product_card(card):
    return mark_safe(_card_html(get_language(), card))  # noqa: S308 - rendered by our own template
