"""How every API error looks: ``{"detail": ..., "code": ...}``, or ``{field: [messages]}`` for
invalid input, whatever raised it."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from gogomarket.core.ratelimit import RateLimited


def exception_handler(exc, context):
    """DRF's handler, plus two things:

    * a ``django.core.exceptions.ValidationError`` raised by a service becomes a 400 with the
      messages under their fields, so API views call services without translating errors;
    * a ``RateLimited`` (also a ValidationError, for forms) becomes 429 with ``Retry-After``;
    * a single-message error carries its machine-readable ``code`` (``token_expired``,
      ``not_authenticated``, ``locked`` ...) next to ``detail``, for apps to branch on.
    """
    if isinstance(exc, RateLimited):
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
