"""The Uzbek and Russian catalogs are complete: every string the site can show has a translation.

After `makemessages` picks up new strings, this fails until they are translated.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["uz", "ru"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdrfi]|\{\w*\}")


def po_entries(language):
    """``[(flags, msgid, msgid_plural, [msgstr, ...])]`` of one catalog, header and obsolete left out."""
    text = (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        flags, fields, current = "", {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += line
            elif line.startswith(("msgid", "msgstr", "msgctxt")):
                current, _, value = line.partition(" ")
                fields[current] = ast.literal_eval(value)
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            translations = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            entries.append((flags, fields["msgid"], fields.get("msgid_plural"), translations))
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    entries = po_entries(language)

    assert len(entries) > 200
    untranslated = [msgid for _flags, msgid, _plural, msgstrs in entries if not all(msgstrs)]
    fuzzy = [msgid for flags, msgid, _plural, _msgstrs in entries if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    for _flags, msgid, plural, msgstrs in po_entries(language):
        expected = sorted(PLACEHOLDER.findall(msgid))
        for msgstr in msgstrs:
            assert sorted(PLACEHOLDER.findall(msgstr)) == expected, msgid
        if plural:
            assert sorted(PLACEHOLDER.findall(plural)) == expected, msgid


def test_uzbek_uses_the_ascii_apostrophe():
    # o' g' and the tutuq belgisi are written with ' everywhere (so'm, ma'lumot), never mixed
    # with the modifier letters or typographic quotes some keyboards produce.
    for _flags, msgid, _plural, msgstrs in po_entries("uz"):
        for msgstr in msgstrs:
            assert not set(msgstr) & {"ʻ", "ʼ", "‘", "’", "`"}, msgid


@pytest.mark.parametrize(
    ("language", "expected"),
    [("uz", "Tavsiya etilgan mahsulotlar"), ("ru", "Рекомендуемые товары"), ("en", "Featured products")],
)
def test_compiled_catalogs_are_loaded(language, expected):
    with translation.override(language):
        assert translation.gettext("Featured products") == expected
