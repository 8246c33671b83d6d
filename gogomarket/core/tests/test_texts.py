"""Sentences stored by kind are shown in the reader's language (gogomarket.core.texts)."""

from django.utils import translation

from gogomarket.core import texts
from orders import texts as order_texts


def test_a_stored_sentence_is_rendered_in_the_language_of_whoever_reads_it():
    stored = order_texts.COURIER_ASSIGNED.stored(name="Jasur Tez")

    with translation.override("en"):
        assert texts.render(stored["kind"], stored["params"]) == "Courier assigned: Jasur Tez."
    with translation.override("ru"):
        russian = texts.render(stored["kind"], stored["params"])
    with translation.override("uz"):
        uzbek = texts.render(stored["kind"], stored["params"])
    assert "Jasur Tez" in russian and "Jasur Tez" in uzbek
    assert len({russian, uzbek, "Courier assigned: Jasur Tez."}) == 3


def test_unknown_kinds_and_old_parameters_never_break_a_page():
    assert texts.render("no.such.kind", {"x": 1}) == ""
    assert texts.render("no.such.kind", None, fallback="as it was written") == "as it was written"
    assert texts.render(order_texts.COURIER_ASSIGNED.kind, {"other": 1}) == "Courier assigned: %(name)s."


def test_a_kind_is_defined_once():
    import pytest
    from django.utils.functional import lazystr

    with pytest.raises(ValueError):
        texts.define(order_texts.PLACED.kind, lazystr("Something else."))
