"""The API's JSON renderer: DRF's, which writes UTF-8 and so cannot write a lone UTF-16 surrogate
(``UnicodeEncodeError``, a 500). The JSON parser refuses such strings; should one reach an answer
some other way, the answer is written with ``\\uXXXX`` escapes instead: still valid JSON."""

from rest_framework import renderers


class _EscapingJSONRenderer(renderers.JSONRenderer):
    ensure_ascii = True


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return _EscapingJSONRenderer().render(data, accepted_media_type, renderer_context)
