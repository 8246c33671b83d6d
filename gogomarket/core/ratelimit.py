"""Fixed-window rate limits in Redis, shared by every app.

``rate_limit_hit`` takes a slot with one atomic Lua call (INCR, and the window's expiry on the
first hit), so concurrent requests each get their own count and none slips past the limit.
``RateLimited`` is a ValidationError (forms show it) that the API turns into 429 + Retry-After.
"""

import hashlib
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

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
