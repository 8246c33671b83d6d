"""The Content-Security-Policy's pieces that depend on configuration or on the request: the map
tile server's origin (from ``MAP_TILE_URL``) and the site's own websocket origin."""

from urllib.parse import urlsplit

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.core.exceptions import DisallowedHost


def origin_of(url):
    """The origin a CSP source list needs for ``url`` (``https://tile.example.org``), with a
    ``{s}`` subdomain placeholder as a wildcard; None for a URL of this site (``/tiles/...``)."""
    parts = urlsplit(url.replace("{s}", "*"))
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, adding the site's own websocket origin (``wss://<host>`` behind
    HTTPS, ``ws://<host>`` otherwise) to ``connect-src``: browsers differ on whether ``'self'``
    covers websockets, and the host is only known per request.

    DRF's browsable API (its HTML pages) writes an inline <style> and style attributes: those
    answers allow inline styles. Their scripts are DRF's static files, held to the policy."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        renderer = getattr(response, "accepted_renderer", None)
        if getattr(renderer, "format", None) == "api":
            parts.replace = {**(parts.replace or {}), "style-src": [SELF, UNSAFE_INLINE]}
        try:
            host = request.get_host()
        except DisallowedHost:  # the 400 answer to a forged Host header gets the plain policy
            return parts
        websocket = f"{'wss' if request.is_secure() else 'ws'}://{host}"
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", ()), websocket]
        parts.update = update
        return parts
