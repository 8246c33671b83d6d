"""UZS amounts as people in Uzbekistan write them, in each of the site's languages."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from gogomarket.core.money import format_uzs

NBSP = "\u00a0"


def uzs(text):
    return text.replace(" ", NBSP)


@pytest.fixture(autouse=True)
def _uzbek():
    with translation.override("uz"):
        yield


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "0 so'm"),
        (Decimal("0.00"), "0 so'm"),
        (125000, "125 000 so'm"),
        (Decimal("125000.00"), "125 000 so'm"),
        (999, "999 so'm"),
        (1000, "1 000 so'm"),
        (Decimal("1250000.50"), "1 250 000,50 so'm"),
        (Decimal("0.5"), "0,50 so'm"),
        (Decimal("0.005"), "0,01 so'm"),  # half up, to the tiyin
        (Decimal("-125000"), "-125 000 so'm"),
        (Decimal("-1250000.75"), "-1 250 000,75 so'm"),
        ("125000", "125 000 so'm"),
        (Decimal("1000000000"), "1 000 000 000 so'm"),
    ],
)
def test_format_uzs(amount, expected):
    assert format_uzs(amount) == uzs(expected)


@pytest.mark.parametrize("amount", [None, "", "not a number"])
def test_format_uzs_of_nothing_is_empty(amount):
    assert format_uzs(amount) == ""


def test_separators_are_no_break_spaces():
    # A price must never wrap between its digits or before its currency word.
    text = format_uzs(Decimal("1250000"))

    assert " " not in text
    assert text.count(NBSP) == 3


def test_without_currency():
    assert format_uzs(Decimal("1250000"), with_currency=False) == uzs("1 250 000")


@pytest.mark.parametrize(("language", "word"), [("uz", "so'm"), ("ru", "сум"), ("en", "so'm")])
def test_currency_word_is_translated(language, word):
    with translation.override(language):
        assert format_uzs(Decimal("125000")) == uzs(f"125 000 {word}")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("uz", "125 000 so&#x27;m"), ("ru", "125 000 сум"), ("en", "125 000 so&#x27;m")],
)
def test_template_filters(language, expected):
    template = Template("{% load money %}{{ price|uzs }}|{{ price|uzs_plain }}")

    with translation.override(language):
        rendered = template.render(Context({"price": Decimal("125000")}))

    assert rendered == uzs(f"{expected}|125 000")
