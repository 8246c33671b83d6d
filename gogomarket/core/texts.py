"""Sentences the platform writes into history (an order's timeline, a wallet statement), stored
by kind and parameters and shown in the language of whoever reads them.

A row written while a Russian-speaking seller confirms an order is later read by an Uzbek buyer
and an English-speaking accountant: the row stores ``{"kind": "orders.placed", "params": {}}``,
never the sentence. Each app defines its sentences once, at import time, in its ``texts.py``::

    PAID_BY_CARD = define("finance.paid_by_card", gettext_lazy("Paid by card."))
    entry = PAID_BY_CARD.stored()                       # what the row keeps
    render(entry["kind"], entry["params"])              # "Karta bilan to'landi." for an Uzbek reader

A kind nobody defines any more renders as its English fallback when the row kept one, else as ""
(an old row is never an error). Parameters are plain JSON (numbers, order numbers, names).
"""

from dataclasses import dataclass

from django.utils import translation

_CATALOG = {}


@dataclass(frozen=True)
class Text:
    kind: str
    message: object  # a lazy translation with %(name)s placeholders

    def stored(self, **params):
        """What a history row keeps: ``{"kind", "params"}``."""
        return {"kind": self.kind, "params": params}

    def render(self, **params):
        return render(self.kind, params)

    def english(self, **params):
        """The sentence in the source language: for columns that SQL readers and search see."""
        with translation.override("en"):
            return render(self.kind, params)


def define(kind, message):
    """Register the sentence of ``kind`` (once per kind; the same definition again is allowed)."""
    existing = _CATALOG.get(kind)
    if existing is not None and existing.message is not message:
        raise ValueError(f"text kind {kind!r} is defined twice")
    text = Text(kind, message)
    _CATALOG[kind] = text
    return text


def render(kind, params=None, fallback=""):
    """The sentence of ``kind`` in the active language, or ``fallback`` for an unknown kind."""
    text = _CATALOG.get(kind or "")
    if text is None:
        return fallback or ""
    message = str(text.message)
    try:
        return message % (params or {}) if params else message
    except (KeyError, TypeError, ValueError):
        return message  # parameters of an older version of the sentence: show it without them


def render_english(stored):
    """A stored ``{"kind", "params"}`` in the source language (for columns SQL readers see)."""
    with translation.override("en"):
        return render(stored.get("kind"), stored.get("params"))


def known(kind):
    return kind in _CATALOG
