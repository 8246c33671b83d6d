from django.conf import settings
from django.contrib import messages
from django.utils.translation import gettext as _

from .devices import known_device_cookie_value
from .services import (
    BROWSER_SESSION_KEY,
    browser_session_adopt,
    browser_session_end,
    session_for_token_digest,
    session_touch,
)
from .tokens import token_hash

# Not /readyz: it shows details to signed-in staff, whose session must still be live. Probes
# (load balancers, monitoring) are not signed in and cost nothing here.
SKIP_PREFIXES = ("/healthz", "/static/", "/media/")


class UserSessionMiddleware:
    """Ties every signed-in browser to a ``user_sessions`` row.

    A browser signed in by Django itself (the back-office login, tests' force_login) gets its row
    on its next request. A browser whose row is gone (ended from the sessions page, a password
    change, an expired session) is signed out. ``last_activity_at`` is kept current, written at
    most once a minute.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(SKIP_PREFIXES) and request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        secret = request.session.get(BROWSER_SESSION_KEY)
        if secret is None:
            browser_session_adopt(request)
            return
        session = session_for_token_digest(token_hash(secret))
        if session is None or session.user_id != request.user.pk:
            browser_session_end(request)
            messages.info(request, _("Your session has ended. Please sign in again."))
            return
        session_touch(session)


class KnownDeviceMiddleware:
    """Sets the known-device cookie that a successful sign-in (pages, API, back office), a
    sign-up or a password reset left on the request (``accounts.devices.known_device_remember``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        value = known_device_cookie_value(request)
        if value:
            response.set_cookie(
                settings.KNOWN_DEVICE_COOKIE_NAME,
                value,
                max_age=settings.KNOWN_DEVICE_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
