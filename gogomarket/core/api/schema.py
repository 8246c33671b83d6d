"""How the API documents its answers (drf-spectacular), errors included, in one place.

Every error body is ``{"detail", "code"}`` (``ErrorSerializer``), except invalid input: a 400 is
``{field: [messages]}`` (``ValidationErrorSerializer``) or, for a body that is not JSON at all,
``{"detail", "code"}``. ``AutoSchema`` adds to each operation the errors it can answer with, from
what the view is (so views declare only their successes and errors particular to them):

* 400 when the operation reads a body or query parameters;
* 401 when it authenticates callers (a missing, expired or revoked token);
* 403 when a permission beyond "signed in" applies, or a browser session's CSRF check does;
* 404 when its path names something (``{id}``), or it turns pages;
* 429 when visitors who are not signed in may call it (``AnonymousReadThrottle``), with
  ``Retry-After``.

A view that declares one of these codes itself keeps its own description.
"""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated

from .throttling import AnonymousReadThrottle


class ErrorSerializer(serializers.Serializer):
    """Every error that is not about a field: a message for people, a code for apps."""

    detail = serializers.CharField(help_text="What went wrong, in the caller's language.")
    code = serializers.CharField(
        help_text="Stable, for apps to branch on: e.g. `not_authenticated`, `token_expired`, `token_invalid`, "
        "`permission_denied`, `not_found`, `rate_limited`, `parse_error`."
    )


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """Invalid input (shape in ``ValidationErrorScheme``)."""


class ValidationErrorScheme(OpenApiSerializerExtension):
    """A 400: each refused field with its messages (a nested object for nested fields), or
    ``{"detail", "code"}`` when the body could not be read (not JSON, nested too deeply)."""

    target_class = ValidationErrorSerializer

    def get_name(self, auto_schema, direction):
        return "ValidationError"

    def map_serializer(self, auto_schema, direction):
        fields = {
            "type": "object",
            "description": "Each refused field with its messages; a nested field's errors as an object; "
            "`non_field_errors` for the input as a whole.",
            "additionalProperties": {
                "oneOf": [{"type": "array", "items": {}}, {"type": "object", "additionalProperties": True}]
            },
        }
        return {"anyOf": [fields, auto_schema.resolve_serializer(ErrorSerializer, direction).ref]}


def error(description, serializer=ErrorSerializer):
    """An error answer for ``extend_schema(responses=...)``: ``{"detail", "code"}``."""
    return OpenApiResponse(response=serializer, description=description)


INVALID = error("Invalid input: nothing was changed.", ValidationErrorSerializer)

DEFAULT_ERRORS = {
    "400": INVALID,
    "401": error(
        "Not signed in, or the access token is expired (`token_expired`: refresh it), revoked or unknown "
        "(`token_invalid`: sign in again)."
    ),
    "403": error("Not allowed for this account (`permission_denied`), or a browser session without its CSRF token."),
    "404": error("No such thing, or not the caller's (`not_found`)."),
    "429": error("Too many requests from this address (`rate_limited`): try again after `Retry-After` seconds."),
}

RATE_LIMITED = DEFAULT_ERRORS["429"]

RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(DEFAULT_ERRORS[code], code, direction=direction)
        if "429" in responses:
            responses["429"].setdefault("headers", {}).update(RETRY_AFTER)
        return dict(sorted(responses.items()))

    def _error_codes(self):
        view, method = self.view, self.method
        authenticators = view.get_authenticators()
        permissions = view.get_permissions()
        codes = set()
        has_body = method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None
        if has_body or any(p["in"] == "query" for p in self._get_parameters()):
            codes.add("400")
        if authenticators:
            codes.add("401")
        csrf = method not in SAFE_METHODS and any(isinstance(a, SessionAuthentication) for a in authenticators)
        if csrf or any(not isinstance(p, (AllowAny, IsAuthenticated)) for p in permissions):
            codes.add("403")
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.add("404")
        anonymous = all(isinstance(p, AllowAny) for p in permissions)
        throttled = any(isinstance(t, AnonymousReadThrottle) for t in view.get_throttles())
        if anonymous and throttled and method in SAFE_METHODS:
            codes.add("429")
        return codes
