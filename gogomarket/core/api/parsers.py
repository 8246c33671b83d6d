"""The API's JSON parser: DRF's, refusing two kinds of body that would otherwise end in a 500.

* JSON may spell a lone UTF-16 surrogate (``"\\ud800"``); Python keeps it in a ``str`` that no
  UTF-8 text can hold: the renderer (DRF echoes a bad choice), PostgreSQL and the logs fail on
  it. The body is refused with a 400 naming the top-level field that holds it.
* Deep nesting (``[[[[...``) makes the decoder recurse until Python's limit (RecursionError).
  Bodies nested deeper than ``JSON_MAX_DEPTH`` are refused with a 400 ``parse_error``.

Query strings and form or multipart bodies cannot carry a surrogate: Django decodes them with
replacement characters.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.settings import api_settings

# Real bodies nest two or three levels (checkout's tariffs, a variant's attributes).
JSON_MAX_DEPTH = 32


def _is_text(value):
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(name):
    """A key as it can be echoed: a lone surrogate becomes U+FFFD."""
    return name.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _check(data):
    """Raise for ``data`` nested deeper than JSON_MAX_DEPTH or holding a lone surrogate (in a
    key or a string). Iterative: the check itself must not recurse."""
    fields = data.items() if isinstance(data, dict) else [(api_settings.NON_FIELD_ERRORS_KEY, data)]
    bad_field = None
    for field, value in fields:
        if bad_field is None and not _is_text(field):
            bad_field = _printable(field)
        todo = [(value, 1)]
        while todo:
            value, depth = todo.pop()
            if depth > JSON_MAX_DEPTH:
                raise ParseError(_("JSON nested too deeply."))
            if isinstance(value, str):
                if bad_field is None and not _is_text(value):
                    bad_field = _printable(field)
            elif isinstance(value, dict):
                for key, item in value.items():
                    if bad_field is None and not _is_text(key):
                        bad_field = _printable(field)
                    todo.append((item, depth + 1))
            elif isinstance(value, list):
                todo.extend((item, depth + 1) for item in value)
    if bad_field is not None:
        message = _("Contains a character that is not valid text (a lone UTF-16 surrogate).")
        raise ValidationError({bad_field: [message]})


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON nested too deeply.")) from None
        _check(data)
        return data
