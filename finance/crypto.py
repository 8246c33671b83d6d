"""Bank account numbers are encrypted in the application before they reach the database.

AES-256-GCM (``cryptography``), one key per id: ``FINANCE_ENCRYPTION_KEYS`` is a comma-separated
list of ``id:base64key``; the first encrypts, all decrypt, so keys can be rotated: add a new key
in front, run ``manage.py rotate_bank_account_keys`` (re-encrypts every number with it), then
drop the old key. A stored value is ``<id>$<base64url(nonce + ciphertext + tag)>``: 70 characters
for a 20-digit number, 92 for a 34-character IBAN, within the column's VARCHAR(100). Numbers are
never logged and are shown masked (``•••• 1234``).
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
        if not sep or not key_id.isalnum() or len(key) != 32:
            raise ImproperlyConfigured("FINANCE_ENCRYPTION_KEYS: each key is id:base64 of 32 bytes")
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
    """A fresh key for the settings: ``id:base64``."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()
