"""How an order gets paid: one handler per payment method, behind one interface.

Checkout calls ``start`` inside its transaction, once for all the orders it places; the
lifecycle calls ``on_delivered`` and ``on_cancelled``. A handler may refuse (``ValidationError``
naming ``payment_method``), which rolls the whole checkout back. Cash on delivery is here; the
wallet (GoGoMoney), card and bank transfer handlers plug into ``HANDLERS`` with the money issue.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .enums import PaymentMethod, PaymentStatus


@dataclass
class PaymentStart:
    """What the buyer does next: nothing (``redirect_url`` None) or pay on a provider's page."""

    redirect_url: str | None = None


class PaymentHandler:
    method = None
    label = ""
    description = ""
    # Paid before the seller starts: the order cannot be confirmed until payment_status is paid
    # (cash is paid at the door; card, wallet and bank transfer first).
    prepaid = False

    def awaits_payment(self, order):
        return self.prepaid and order.payment_status != PaymentStatus.PAID

    def check(self, *, buyer, total):
        """Refuse before anything is written (e.g. not enough money in the wallet)."""

    def start(self, *, orders, buyer, request=None):
        """Called in the checkout transaction with the new orders; returns a PaymentStart."""
        return PaymentStart()

    def on_delivered(self, *, order):
        """The courier handed the order over (inside the transition's transaction)."""

    def on_cancelled(self, *, order, actor):
        """The order was cancelled (inside the transaction): give back what was paid."""


class CashOnDelivery(PaymentHandler):
    method = PaymentMethod.CASH
    label = gettext_lazy("Cash on delivery")
    description = gettext_lazy("Pay the courier in cash when the order arrives.")

    def on_delivered(self, *, order):
        # The courier took the money: the order is paid.
        order.payment_status = PaymentStatus.PAID


class _Handlers(dict):
    """Cash here; the methods that move money come from the finance app, loaded on first use."""

    loaded = False

    def _load(self):
        if not self.loaded:
            from finance.order_payments import HANDLERS as MONEY_HANDLERS

            for handler in MONEY_HANDLERS:
                self.setdefault(handler.method, handler)
            self.loaded = True

    def get(self, key, default=None):
        self._load()
        return super().get(key, default)

    def values(self):
        self._load()
        return super().values()


HANDLERS = _Handlers({PaymentMethod.CASH: CashOnDelivery()})


def handler_for(method):
    handler = HANDLERS.get(method)
    if handler is None:
        raise ValidationError({"payment_method": _("This payment method is not available.")})
    return handler


def handler_of_order(order):
    """The handler looking after a placed order's payment. An order whose method has no handler
    installed (seeded or imported card and wallet orders, until those handlers arrive) still
    moves through the lifecycle: the base handler leaves its payment as it is."""
    return HANDLERS.get(order.payment_method) or PaymentHandler()


def available_methods():
    return list(HANDLERS.values())
