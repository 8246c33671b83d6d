"""Sign-in throttling, per account and per IP address (see gogomarket.core.ratelimit).

Every attempt takes its slots before the password is looked at: with a limit of 5, at most 5
passwords are ever checked in a window, however many requests arrive at once.

The account slot is the account itself (its id) when the typed login names one, so guesses by
email and by phone number fill the same count; a login that names no account gets a slot of its
own text, so unknown logins are throttled too.
"""

from django.conf import settings

from gogomarket.core.ratelimit import rate_limit_give_back, rate_limit_hit, rate_limit_reset


def account_key(*, user, login):
    """The account slot of one attempt: the resolved ``user`` or, when None, the typed ``login``."""
    if user is not None:
        return f"user:{user.pk}"
    return f"login:{(login or '').strip().lower()}"


def login_attempt(*, account, ip):
    """Take a slot for one sign-in attempt (``account`` from ``account_key``); returns the hits
    (account, ip), the caller refuses the attempt when either is over its limit."""
    window = settings.LOGIN_THROTTLE_WINDOW
    account_hit = rate_limit_hit("login-account", account, limit=settings.LOGIN_THROTTLE_PER_ACCOUNT, window=window)
    address = rate_limit_hit("login-ip", ip or "unknown", limit=settings.LOGIN_THROTTLE_PER_IP, window=window)
    return account_hit, address


def login_succeeded(*, account, ip):
    """A correct password clears the account's count and gives the address its slot back."""
    rate_limit_reset("login-account", account)
    rate_limit_give_back("login-ip", ip or "unknown")
