"""Sign-in throttling in Redis, per account and per IP address.

Every attempt first takes a slot with one atomic Lua call (INCR, and the window's expiry on the
first hit), and only then is the password checked. Concurrent attempts therefore each get their
own count: with a limit of 5, at most 5 passwords are ever checked in a window, however many
requests arrive at once.
"""

import hashlib
import math
from dataclasses import dataclass

import redis
from django.conf import settings

_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
"""

_clients = {}


def _redis():
    url = settings.REDIS_URL
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url)
    return _clients[url]


def _key(kind, value):
    digest = hashlib.sha256(str(value).encode()).hexdigest()[:32]
    return f"{settings.CACHES['default']['KEY_PREFIX']}:throttle:login:{kind}:{digest}"


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


def _hit(key, limit):
    count, ttl_ms = _redis().eval(_HIT, 1, key, settings.LOGIN_THROTTLE_WINDOW * 1000)
    return Hit(count=int(count), limit=limit, retry_after=max(0, int(ttl_ms)) // 1000)


def login_attempt(*, login, ip):
    """Take a slot for one sign-in attempt; returns the hits (account, ip), the caller refuses
    the attempt when either is over its limit."""
    account = _hit(_key("account", login.strip().lower()), settings.LOGIN_THROTTLE_PER_ACCOUNT)
    address = _hit(_key("ip", ip or "unknown"), settings.LOGIN_THROTTLE_PER_IP)
    return account, address


def login_succeeded(*, login, ip):
    """A correct password clears the account's count and gives the address its slot back."""
    client = _redis()
    client.delete(_key("account", login.strip().lower()))
    key = _key("ip", ip or "unknown")
    if int(client.get(key) or 0) > 0:
        client.decr(key)
