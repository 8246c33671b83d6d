"""Text helpers shared by the apps."""

from django.utils.text import slugify

# Russian and Uzbek Cyrillic to Latin, for URLs (slugs). Uzbek letters follow the official
# Latin alphabet without its apostrophes (ў -> o, ғ -> g), as slugs carry none.
CYRILLIC_TO_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
        "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "",
        "э": "e", "ю": "yu", "я": "ya", "ў": "o", "қ": "q", "ғ": "g", "ҳ": "h",
    }
)  # fmt: skip


def slug_of(text):
    """``"Смартфон Honor X8b" -> "smartfon-honor-x8b"``; ASCII only."""
    return slugify((text or "").lower().translate(CYRILLIC_TO_LATIN))
