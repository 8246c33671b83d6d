"""Devices: a readable name from a User-Agent string (the active sessions page), and the known
devices of an account (the sign-in gate, see ``accounts.throttle``)."""

import re
import secrets

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from gogomarket.core.services import client_ip

from .models import UserSession

_BROWSERS = (
    ("Edge", r"Edg/"),
    ("Opera", r"OPR/"),
    ("Yandex Browser", r"YaBrowser/"),
    ("Chrome", r"Chrome/"),
    ("Firefox", r"Firefox/"),
    ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux"),
)


def device_name(user_agent):
    if not user_agent:
        return "?"
    if user_agent.startswith("GOGOMARKET/"):  # our mobile apps name themselves
        return user_agent.split(" ")[0].replace("/", " ")
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), None)
    if browser or system:
        return " · ".join(p for p in (browser, system) if p)
    return user_agent[:40]


# --- known devices (sign-in protection, see accounts.throttle) ------------------------------------
# A browser or app that signed in to an account holds a signed token naming the account; the
# sign-in gate counts its attempts apart from strangers'. The cookie holds the tokens of the last
# few accounts signed in on that browser. A token names the account's id and a stamp of its
# password hash: it cannot be moved to another account, and a password change forgets it.
KNOWN_DEVICE_SALT = "accounts.known-device"
KNOWN_DEVICES_PER_BROWSER = 5
_COOKIE_ATTRIBUTE = "known_device_cookie"  # on the HttpRequest; KnownDeviceMiddleware sets the cookie


def _password_stamp(user):
    return salted_hmac(KNOWN_DEVICE_SALT, user.password or "", algorithm="sha256").hexdigest()[:20]


def _tokens(request):
    """The valid tokens the request carries (a forged, edited or expired cookie carries none)."""
    value = getattr(request, "COOKIES", {}).get(settings.KNOWN_DEVICE_COOKIE_NAME)
    if not value:
        return []
    try:
        tokens = signing.loads(value, salt=KNOWN_DEVICE_SALT, max_age=settings.KNOWN_DEVICE_COOKIE_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return []
    if not isinstance(tokens, list):
        return []
    return [
        t
        for t in tokens
        if isinstance(t, dict) and isinstance(t.get("u"), int) and isinstance(t.get("d"), str) and "h" in t
    ]


def known_device_of(request, user):
    """Which known device of ``user`` this request comes from: ``"d:<id>"`` for a valid token of
    this account, ``"ip:<address>"`` when the address is that of one of the account's live
    sessions (apps that keep no cookies), else None."""
    if request is None or user is None:
        return None
    stamp = _password_stamp(user)
    for token in _tokens(request):
        if token["u"] == user.pk and constant_time_compare(str(token["h"]), stamp):
            return f"d:{token['d']}"
    ip = client_ip(request)
    if ip and UserSession.objects.filter(user=user, ip_address=ip, expires_at__gt=timezone.now()).exists():
        return f"ip:{ip}"
    return None


def known_device_remember(request, user):
    """Make the device of ``request`` known to ``user``'s account (after a correct password, a
    sign-up or a password set through a reset link): a new token joins the browser's cookie,
    which ``KnownDeviceMiddleware`` sets on the response."""
    if request is None:
        return
    token = {"u": user.pk, "d": secrets.token_urlsafe(12), "h": _password_stamp(user)}
    others = [t for t in _tokens(request) if t["u"] != user.pk]
    value = signing.dumps([token, *others][:KNOWN_DEVICES_PER_BROWSER], salt=KNOWN_DEVICE_SALT, compress=True)
    setattr(getattr(request, "_request", request), _COOKIE_ATTRIBUTE, value)  # a DRF Request wraps the HttpRequest


def known_device_cookie_value(request):
    """The cookie value ``known_device_remember`` left for this request's response, or None."""
    return getattr(getattr(request, "_request", request), _COOKIE_ATTRIBUTE, None)
