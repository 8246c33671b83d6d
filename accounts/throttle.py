"""Sign-in protection: brute force is kept out without handing out lockouts.

A plain per-account lockout lets anyone lock anyone out (five wrong passwords from five
addresses, and the owner's right password is refused too). Here, following OWASP's "device
cookies" scheme, attempts are counted by where they come from:

* **Known devices** of the account (``accounts.devices``: a signed cookie set at a successful
  sign-in, or the address of one of the account's live sessions) each have a count of their own
  (``LOGIN_THROTTLE_PER_DEVICE`` wrong passwords, then growing waits). Strangers' guesses never
  hold them up, and neither does the per-address limit: many people share one address behind a
  mobile carrier's NAT.
* **Everyone else** (unknown devices) shares one count per account (``LOGIN_THROTTLE_PER_ACCOUNT``
  attempts, then a wait of ``LOGIN_THROTTLE_WINDOW`` that doubles with every further attempt, up to
  ``LOGIN_THROTTLE_MAX_DELAY``; forgotten after ``LOGIN_THROTTLE_MEMORY`` without attempts), and
  one count per address (``LOGIN_THROTTLE_PER_IP`` attempts in ``LOGIN_THROTTLE_WINDOW``, whatever
  account they name). A botnet that guesses one account from thousands of addresses gets a few
  guesses a day; the owner's own devices get in at once.

Every attempt takes its slot before the password is looked at, atomically in Redis (one Lua call
each), so concurrent guesses cannot slip past a limit. The account slot is the account itself
(its id) when the typed login names one, so guesses by email and by phone fill the same count;
a login that names no account gets a slot of its own text, so unknown logins are throttled too.
"""

import hashlib
import math
from dataclasses import dataclass

from django.conf import settings

from gogomarket.core.cache import redis_client
from gogomarket.core.ratelimit import rate_limit_give_back, rate_limit_hit

# A growing wait in one hash: ``count`` attempts so far, ``rounds`` waits so far, ``until`` (ms)
# the end of the running wait. An attempt during a wait is refused and not counted; the attempt
# that reaches the free count (and each one after it) starts the next wait, twice the last one.
_BACKOFF = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local free, first, ceiling, memory = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local waiting = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if now < waiting then return {0, waiting - now} end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
local wait = 0
if count >= free then
  local rounds = redis.call('HINCRBY', KEYS[1], 'rounds', 1)
  wait = math.min(first * math.pow(2, math.min(rounds - 1, 40)), ceiling)
  redis.call('HSET', KEYS[1], 'until', string.format('%d', now + wait))
end
redis.call('PEXPIRE', KEYS[1], memory + wait)
return {1, 0}
"""


@dataclass
class Gate:
    """The answer to one attempt: ``allowed``, or refused for ``retry_after`` seconds."""

    allowed: bool
    retry_after: int = 0
    known_device: bool = False

    @property
    def minutes(self):
        return max(1, math.ceil(self.retry_after / 60))


def _backoff_key(scope, value):
    digest = hashlib.sha256(str(value).encode()).hexdigest()[:32]
    return f"{settings.CACHES['default']['KEY_PREFIX']}:backoff:{scope}:{digest}"


def backoff_take(scope, value, *, free):
    """Count one attempt of ``scope`` for ``value`` under the growing-wait rule (see ``_BACKOFF``)."""
    allowed, wait_ms = redis_client().eval(
        _BACKOFF,
        1,
        _backoff_key(scope, value),
        free,
        settings.LOGIN_THROTTLE_WINDOW * 1000,
        settings.LOGIN_THROTTLE_MAX_DELAY * 1000,
        settings.LOGIN_THROTTLE_MEMORY * 1000,
    )
    return Gate(allowed=bool(allowed), retry_after=math.ceil(int(wait_ms) / 1000))


def backoff_clear(scope, value):
    """Forget the count (a correct password)."""
    redis_client().delete(_backoff_key(scope, value))


def backoff_release(scope, value):
    """End the running wait but keep the count, so the next wrong attempt waits longer (what the
    passing of time does; support can lift a wait with it, tests use it instead of waiting)."""
    redis_client().hdel(_backoff_key(scope, value), "until")


def account_key(*, user, login):
    """The account slot of one attempt: the resolved ``user`` or, when None, the typed ``login``."""
    if user is not None:
        return f"user:{user.pk}"
    return f"login:{(login or '').strip().lower()}"


def _device_key(account, device):
    return f"{account}:{device}"


def login_attempt(*, account, ip, device=None):
    """Take the slots of one sign-in attempt before the password is checked. ``device`` is the
    known device it comes from (``accounts.devices.known_device_of``) or None. Returns a Gate."""
    if device is not None:
        gate = backoff_take("login-device", _device_key(account, device), free=settings.LOGIN_THROTTLE_PER_DEVICE)
        gate.known_device = True
        return gate
    address = rate_limit_hit(
        "login-ip", ip or "unknown", limit=settings.LOGIN_THROTTLE_PER_IP, window=settings.LOGIN_THROTTLE_WINDOW
    )
    if address.over:
        return Gate(allowed=False, retry_after=address.retry_after)
    return backoff_take("login-account", account, free=settings.LOGIN_THROTTLE_PER_ACCOUNT)


def login_succeeded(*, account, ip, device=None):
    """A correct password clears the count it was taken from. From a known device that is the
    device's own count: the strangers' count of the account stays (the owner signing in must not
    hand a guesser fresh attempts). From an unknown device it clears the account's count and gives
    the address its slot back."""
    if device is not None:
        backoff_clear("login-device", _device_key(account, device))
        return
    backoff_clear("login-account", account)
    rate_limit_give_back("login-ip", ip or "unknown")
