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
