"""The outside world of money: a card payment provider and a payout provider, each behind one small
interface. ``PAYMENT_PROVIDER`` / ``PAYOUT_PROVIDER`` name the classes; the sandbox ones are the
defaults. A real gateway (Payme, Click, an Uzcard/Humo acquirer, a bank's payout API) is one more
class implementing the same methods; nothing else changes.

Card payments::

    provider.payment_page_url(payment, return_url) -> str   # where the buyer pays
    provider.verify_callback(data: dict) -> CallbackResult  # raises CallbackInvalid if unsigned
    provider.refund(payment, amount, key) -> RefundResult   # idempotent per (payment, key)

``key`` names one refund of the payment (``order-<id>``: that order's share), so that a refund
retried after a crash is not paid twice, while two refunds of the same amount (two orders of
one checkout that cost the same) are two refunds. ``CallbackResult.amount`` is what the
provider charged (None if it does not say); a callback for another amount than we asked is
refused.

Payouts::

    provider.send(payout, account_number) -> PayoutResult   # idempotent per payout id

The sandbox payment provider hosts its own "bank page" (``/payments/sandbox/<token>/``) with
Approve and Decline buttons; the page posts a callback signed with ``PAYMENT_SANDBOX_SECRET``
(HMAC-SHA256) to ``/payments/callback/sandbox/``, exactly as a provider's server would.
"""

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from gogomarket.core.cache import redis_client


class CallbackInvalid(Exception):
    """A callback that is not signed by the provider (or is malformed): ignored."""


@dataclass
class CallbackResult:
    token: str  # our payment's token
    approved: bool
    provider_reference: str
    reason: str = ""
    amount: Decimal | None = None  # what the provider charged, when it says


@dataclass
class RefundResult:
    ok: bool
    provider_reference: str = ""
    reason: str = ""


@dataclass
class PayoutResult:
    ok: bool
    transaction_id: str = ""
    reason: str = ""


class PaymentProvider:
    name = ""

    def payment_page_url(self, payment, return_url):
        raise NotImplementedError

    def verify_callback(self, data):
        raise NotImplementedError

    def refund(self, payment, amount, key):
        raise NotImplementedError


class PayoutProvider:
    name = ""

    def send(self, payout, account_number):
        raise NotImplementedError


# Money as providers write it: digits, and at most two decimals after a point. Decimal() alone
# would also take sNaN (which raises on comparison), NaN, Infinity, -0, 1e999, spaces and
# non-ASCII digits.
_AMOUNT = re.compile(r"[0-9]{1,13}(?:\.[0-9]{1,2})?")


def callback_amount(text):
    """The amount of a provider's callback as a Decimal; CallbackInvalid unless it is plainly
    written money (``150000`` or ``150000.00``)."""
    if not _AMOUNT.fullmatch(text):
        raise CallbackInvalid("bad amount")
    return Decimal(text)


def _signature(fields):
    message = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(settings.PAYMENT_SANDBOX_SECRET.encode(), message, hashlib.sha256).hexdigest()


class SandboxPaymentProvider(PaymentProvider):
    """A pretend card acquirer for development and tests: the buyer approves or declines on our
    own page. Refunds always succeed."""

    name = "sandbox"
    SIGNED = ("token", "outcome", "amount", "reference")

    def payment_page_url(self, payment, return_url):
        return reverse("finance:sandbox_page", args=[payment.token]) + "?" + urlencode({"return": return_url}, safe="/")

    def sign(self, fields):
        """The callback the sandbox bank sends (used by its page)."""
        fields = {name: str(fields[name]) for name in self.SIGNED}
        return {**fields, "signature": _signature(fields)}

    def verify_callback(self, data):
        try:
            fields = {name: str(data[name]) for name in self.SIGNED}
            signature = str(data["signature"])
        except (KeyError, TypeError):
            raise CallbackInvalid("missing fields") from None
        # Bytes: compare_digest refuses str with non-ASCII characters (TypeError, not "invalid").
        if not hmac.compare_digest(signature.encode(), _signature(fields).encode()):
            raise CallbackInvalid("bad signature")
        if fields["outcome"] not in ("approved", "declined"):
            raise CallbackInvalid("bad outcome")
        if any("\x00" in value for value in fields.values()):
            raise CallbackInvalid("NUL character")  # PostgreSQL text cannot hold one
        amount = callback_amount(fields["amount"])
        return CallbackResult(
            token=fields["token"],
            approved=fields["outcome"] == "approved",
            provider_reference=fields["reference"],
            reason="" if fields["outcome"] == "approved" else "declined by the card holder",
            amount=amount,
        )

    def refund(self, payment, amount, key):
        return RefundResult(ok=True, provider_reference=f"sandbox-refund-{payment.token[:12]}-{key}")


class SandboxPayoutProvider(PayoutProvider):
    """A pretend bank transfer: succeeds (an account number ending in 0000 is refused, to try the
    failure path). Idempotent: the same payout sent twice (a worker killed between the transfer
    and the commit) gets the first answer, remembered in Redis, and money leaves once."""

    name = "sandbox"

    def send(self, payout, account_number):
        client = redis_client()
        key = f"{settings.CACHES['default']['KEY_PREFIX']}:sandbox-payout:{payout.pk}"
        digits = "".join(ch for ch in account_number or "" if ch.isdigit())
        if digits.endswith("0000"):
            result = PayoutResult(False, "", "the bank refused the account")
        else:
            result = PayoutResult(True, f"sandbox-payout-{payout.pk}")
        # SET NX: of two calls at the same instant only the first one's answer is kept, and both
        # return it (as a bank's idempotency key would).
        client.set(key, json.dumps([result.ok, result.transaction_id, result.reason]), ex=30 * 24 * 3600, nx=True)
        ok, transaction_id, reason = json.loads(client.get(key))
        return PayoutResult(ok, transaction_id, reason)


@lru_cache(maxsize=4)
def _provider(path):
    return import_string(path)()


def payment_provider():
    return _provider(settings.PAYMENT_PROVIDER)


def payout_provider():
    return _provider(settings.PAYOUT_PROVIDER)
