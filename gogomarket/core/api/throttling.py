"""Rate limits of the API for callers who are not signed in, per address (DRF throttles on the
project's atomic Redis counter, ``gogomarket.core.ratelimit``). Over the limit the answer is 429
``{"detail", "code": "rate_limited"}`` with ``Retry-After``, like every other limit."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from gogomarket.core.ratelimit import anonymous_rate_limit_check


class AnonymousReadThrottle(BaseThrottle):
    """Every read (GET, HEAD, OPTIONS): ``ANONYMOUS_READS_PER_MINUTE`` per address."""

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            anonymous_rate_limit_check(
                request,
                "api-read",
                per_minute=settings.ANONYMOUS_READS_PER_MINUTE,
                message=_("Too many requests from your address. Please slow down."),
            )
        return True


class AnonymousSearchThrottle(BaseThrottle):
    """For views that search: a request with words in ``search`` also counts against
    ``ANONYMOUS_SEARCHES_PER_MINUTE`` per address (shared with the search pages)."""

    def allow_request(self, request, view):
        if (request.query_params.get("search") or "").strip():
            anonymous_rate_limit_check(
                request,
                "search",
                per_minute=settings.ANONYMOUS_SEARCHES_PER_MINUTE,
                message=_("Too many searches from your address. Please slow down."),
            )
        return True
