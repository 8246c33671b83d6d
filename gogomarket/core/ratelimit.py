"""Fixed-window rate limits in Redis, shared by every app.

``rate_limit_hit`` takes a slot with one atomic Lua call (INCR, and the window's expiry on the
first hit), so concurrent requests each get their own count and none slips past the limit.
``RateLimited`` is a ValidationError (forms show it) that the API turns into 429 + Retry-After.
``anonymous_rate_limit_check`` / ``anonymous_rate_limit`` limit visitors who are not signed in per
address (API reads and search, the search pages).
"""

import hashlib
import math
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse

from .cache import redis_client

_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
"""


def _key(scope, value):
    digest = hashlib.sha256(str(value).encode()).hexdigest()[:32]
    return f"{settings.CACHES['default']['KEY_PREFIX']}:ratelimit:{scope}:{digest}"


@dataclass
class Hit:
    count: int
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def over(self):
        return self.count > self.limit

    @property
    def minutes(self):
        return max(1, math.ceil(self.retry_after / 60))


class RateLimited(ValidationError):
    def __init__(self, message, *, retry_after, field=None):
        super().__init__({field: [message]} if field else message, code="rate_limited")
        self.retry_after = retry_after


def rate_limit_hit(scope, value, *, limit, window):
    """Count one event of ``scope`` for ``value`` (an account, an IP ...) in a window of
    ``window`` seconds; the caller refuses when the returned hit is ``over``."""
    count, ttl_ms = redis_client().eval(_HIT, 1, _key(scope, value), window * 1000)
    return Hit(count=int(count), limit=limit, retry_after=max(0, int(ttl_ms)) // 1000)


def rate_limit_reset(scope, value):
    redis_client().delete(_key(scope, value))


def rate_limit_give_back(scope, value):
    """Return one slot (an event that turned out not to count)."""
    key = _key(scope, value)
    client = redis_client()
    if int(client.get(key) or 0) > 0:
        client.decr(key)


def anonymous_rate_limit_check(request, scope, *, per_minute, message):
    """Count one request of a visitor who is not signed in against their address's limit in
    ``scope`` (``per_minute`` requests a minute; 0 turns it off). Raises RateLimited when over.
    Signed-in people are not counted: their own limits (sign-in, sign-up, codes) apply."""
    from .services import client_ip  # services import models: not at this module's import

    user = getattr(request, "user", None)
    if per_minute <= 0 or (user is not None and user.is_authenticated):
        return
    address = client_ip(request)
    if address is None:
        return
    hit = rate_limit_hit(f"anonymous-{scope}", address, limit=per_minute, window=60)
    if hit.over:
        raise RateLimited(message, retry_after=max(1, hit.retry_after))


def anonymous_rate_limit(scope, *, setting, message):
    """The same limit for a page view: a 429 text answer with ``Retry-After`` when over. The
    limit is read from ``settings.<setting>`` at each request."""

    def decorator(view):
        @wraps(view)
        def limited_view(request, *args, **kwargs):
            try:
                anonymous_rate_limit_check(request, scope, per_minute=getattr(settings, setting), message=message)
            except RateLimited as limited:
                response = HttpResponse(limited.messages[0], status=429, content_type="text/plain; charset=utf-8")
                response["Retry-After"] = str(limited.retry_after)
                return response
            return view(request, *args, **kwargs)

        return limited_view

    return decorator
