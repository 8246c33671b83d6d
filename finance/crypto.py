"""Bank account numbers are encrypted in the application before they reach the database.

AES-256-GCM (``cryptography``), one key per id: ``FINANCE_ENCRYPTION_KEYS`` is a comma-separated
list of ``id:base64key``; the first encrypts, all decrypt, so keys can be rotated: add a new key
in front, run ``manage.py rotate_bank_account_keys`` (re-encrypts every number with it), then
drop the old key. A stored value is ``<id>$<base64url(nonce + ciphertext + tag)>``: the base64
is 64 characters for a 20-digit number and 83 for a 34-character IBAN (the longest accepted), so
within the column's VARCHAR(100) a key id has at most 16 characters (``KEY_ID_MAX``). Numbers
are never logged and are shown masked (``•••• 1234``).
"""

import base64
import binascii
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12
# VARCHAR(100) = id + "$" + 83 characters of base64 for a 34-character IBAN (12 + 34 + 16 bytes).
KEY_ID_MAX = 16


@lru_cache(maxsize=8)
def _keys(spec):
    keys = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        key_id, sep, encoded = part.partition(":")
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            key = b""
        if not sep or not key_id.isalnum() or not key_id.isascii() or len(key) != 32:
            raise ImproperlyConfigured("FINANCE_ENCRYPTION_KEYS: each key is id:base64 of 32 bytes")
        if len(key_id) > KEY_ID_MAX:
            # A longer id would not leave room for the longest number in the column.
            raise ImproperlyConfigured(f"FINANCE_ENCRYPTION_KEYS: a key id has at most {KEY_ID_MAX} characters")
        if any(key_id == known for known, _key in keys):
            # Decryption looks a key up by its id: two keys with one id would make one unreadable.
            raise ImproperlyConfigured(f"FINANCE_ENCRYPTION_KEYS: the key id {key_id!r} is used twice")
        keys.append((key_id, key))
    if not keys:
        raise ImproperlyConfigured("FINANCE_ENCRYPTION_KEYS is empty")
    return tuple(keys)


def keys():
    return _keys(settings.FINANCE_ENCRYPTION_KEYS)


def current_key_id():
    return keys()[0][0]


def encrypt(plain):
    key_id, key = keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plain.encode(), key_id.encode())
    return f"{key_id}${base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"


def decrypt(stored):
    key_id, sep, body = (stored or "").partition("$")
    key = dict(keys()).get(key_id)
    if not sep or key is None:
        raise ValueError("unknown key")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode()).decode()
    except InvalidTag as error:
        raise ValueError("tampered or wrong key") from error


def key_id_of(stored):
    return (stored or "").partition("$")[0]


def mask(plain):
    """``8600 1234 5678 9012`` -> ``•••• 9012``."""
    digits = "".join(ch for ch in plain if ch.isalnum())
    return f"•••• {digits[-4:]}" if digits else ""


def new_key():
    """A fresh key (base64 of 32 random bytes); ``manage.py finance_new_key`` puts an id in front."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()
