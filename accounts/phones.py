"""Phone numbers as people type them, in the one form they are stored in: ``+998901234567``."""

import re

_SEPARATORS = re.compile(r"[\s\-().]")
_INTERNATIONAL = re.compile(r"^\+\d{7,15}$")
UZ_COUNTRY_CODE = "998"


def phone_normalize(value):
    """``"90 123-45-67"``, ``"998901234567"`` and ``"+998 (90) 123 45 67"`` all give
    ``"+998901234567"``; other countries are kept when written with ``+``. Returns None when the
    text is not a phone number, ``""`` for empty text."""
    digits = _SEPARATORS.sub("", value or "")
    if not digits:
        return ""
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.isdigit():
        if len(digits) == 9:  # a local number: operator code and subscriber
            digits = f"+{UZ_COUNTRY_CODE}{digits}"
        elif len(digits) == 12 and digits.startswith(UZ_COUNTRY_CODE):
            digits = f"+{digits}"
    return digits if _INTERNATIONAL.match(digits) else None


def phone_clean(phone, field="phone"):
    """The one stored spelling of a phone number (``+998901234567``); ValidationError naming
    ``field`` when the text is not a phone number, None when empty."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if phone is None or not str(phone).strip():
        return None
    cleaned = phone_normalize(str(phone))
    if not cleaned:
        raise ValidationError({field: _("Enter a phone number like +998 90 123 45 67.")})
    return cleaned
