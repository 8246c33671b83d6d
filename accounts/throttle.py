"""Sign-in throttling, per account and per IP address (see gogomarket.core.ratelimit).

Every attempt takes its slots before the password is looked at: with a limit of 5, at most 5
passwords are ever checked in a window, however many requests arrive at once.
"""

from django.conf import settings

from gogomarket.core.ratelimit import rate_limit_give_back, rate_limit_hit, rate_limit_reset


def login_attempt(*, login, ip):
    """Take a slot for one sign-in attempt; returns the hits (account, ip), the caller refuses
    the attempt when either is over its limit."""
    window = settings.LOGIN_THROTTLE_WINDOW
    account = rate_limit_hit(
        "login-account", login.strip().lower(), limit=settings.LOGIN_THROTTLE_PER_ACCOUNT, window=window
    )
    address = rate_limit_hit("login-ip", ip or "unknown", limit=settings.LOGIN_THROTTLE_PER_IP, window=window)
    return account, address


def login_succeeded(*, login, ip):
    """A correct password clears the account's count and gives the address its slot back."""
    rate_limit_reset("login-account", login.strip().lower())
    rate_limit_give_back("login-ip", ip or "unknown")
