"""Secrets handed to clients, and the hashes we keep of them.

Only SHA-256 hashes of tokens reach ``user_sessions``: a leaked table cannot be replayed.

* API access token: a random value signed with a timestamp (``TimestampSigner``), so its expiry
  is checked without a column of its own; it is valid while its hash is the session's ``token``
  and younger than ``API_ACCESS_TOKEN_TTL``.
* API refresh token: a random value; its hash is the session's ``refresh_token``. Each refresh
  replaces both, so a refresh token works once; the spent one's hash is kept
  (``user_session_spent_tokens``): presented again, it was copied, and the session ends.
* Browser session: a random value kept in the Django session; its hash is the session's
  ``token`` (``refresh_token`` stays empty: that is how browser and API sessions differ).
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing

ACCESS_SALT = "gogomarket.accounts.access-token"


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


class TokenReused(TokenInvalid):
    """A refresh token that was already exchanged: its session has been ended."""


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret():
    return secrets.token_urlsafe(32)


def access_token_new():
    return signing.TimestampSigner(salt=ACCESS_SALT).sign(secrets.token_urlsafe(24))


def access_token_check(token):
    """Raise TokenExpired / TokenInvalid unless ``token`` is one we signed and still young."""
    try:
        signing.TimestampSigner(salt=ACCESS_SALT).unsign(token, max_age=settings.API_ACCESS_TOKEN_TTL)
    except signing.SignatureExpired as exc:
        raise TokenExpired from exc
    except signing.BadSignature as exc:
        raise TokenInvalid from exc
