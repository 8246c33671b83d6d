"""The language switcher's labels.

Each language is named in itself (an autonym), never translated: someone who cannot read the
current language must still find their own in the list.
"""

from django import template
from django.conf import settings
from django.utils.translation import get_language, get_language_info

register = template.Library()

# How people name their language in a menu; Django's own ``name_local`` for Uzbek is
# "oʻzbek tili", which is not what Uzbek sites show.
AUTONYMS = {
    "uz": "O'zbekcha",
    "ru": "Русский",
    "en": "English",
}


def language_autonym(code):
    try:
        return AUTONYMS.get(code) or get_language_info(code)["name_local"]
    except KeyError:
        return code


@register.simple_tag
def language_choices():
    """``[{"code", "name", "is_current"}]`` for every language in ``settings.LANGUAGES``."""
    current = get_language()
    return [
        {"code": code, "name": language_autonym(code), "is_current": code == current}
        for code, _name in settings.LANGUAGES
    ]


@register.simple_tag(name="language_autonym")
def language_autonym_tag(code):
    return language_autonym(code)
