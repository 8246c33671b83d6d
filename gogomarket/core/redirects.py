"""Where to send someone next: the one rule for "next" / "return" links of every page.

A link is followed only when it points at this site: a path (``/orders/``, or relative), or an
absolute URL whose host is the request's own and whose scheme is http or https (https only when
the request itself came over https: no downgrade). Refused outright, before Django's host check:
anything not a string, empty or longer than 2,048 characters, any backslash (``/\\evil.com`` is
``//evil.com`` to browsers), any whitespace or control character (browsers drop tabs and new
lines: ``/\\t/evil.com`` becomes ``//evil.com``). ``within`` keeps the link inside one part of the
site (the seller center's lists send back only to ``/seller/...``), judged on the path with
``..`` segments resolved.
"""

import posixpath
from urllib.parse import urlsplit

from django.utils.http import url_has_allowed_host_and_scheme

MAX_LENGTH = 2048


def safe_next(request, candidate, default="", *, within=None):
    """``candidate`` when it is a link on this site (see the module's rule), else ``default``."""
    if not isinstance(candidate, str) or not candidate or len(candidate) > MAX_LENGTH:
        return default
    if "\\" in candidate or any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in candidate):
        return default
    if not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    if within is not None and not _path_within(urlsplit(candidate).path, within):
        return default
    return candidate


def _path_within(path, prefix):
    if not path.startswith("/"):
        return False
    resolved = posixpath.normpath(path) + ("/" if path.endswith("/") else "")
    return resolved.startswith(prefix)
