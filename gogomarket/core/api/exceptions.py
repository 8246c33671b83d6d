"""How every API error looks: ``{"detail": ..., "code": ...}``, or ``{field: [messages]}`` for
invalid input, whatever raised it."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from gogomarket.core.ratelimit import RateLimited


def exception_handler(exc, context):
    """DRF's handler, plus:

    * a ``django.core.exceptions.ValidationError`` raised by a service becomes a 400 with the
      messages under their fields, so API views call services without translating errors;
    * ``Http404`` says only "Not found." (``not_found``): Django's message names internal models;
    * a ``RateLimited`` (also a ValidationError, for forms) becomes 429 with ``Retry-After``;
    * a single-message error carries its machine-readable ``code`` (``token_expired``,
      ``not_authenticated``, ``locked`` ...) next to ``detail``, for apps to branch on.
    """
    if isinstance(exc, Http404):
        # Django's message names the model ("No Product matches the given query."): not for callers.
        exc = exceptions.NotFound(_("Not found."), code="not_found")
    elif isinstance(exc, RateLimited):
        wait = exc.retry_after
        exc = exceptions.Throttled(wait=wait, detail=exc.messages[0], code="rate_limited")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.APIException)
        and not isinstance(exc.detail, (list, dict))
        and isinstance(response.data, dict)
    ):
        response.data["code"] = exc.detail.code
    return response
