"""How an order gets paid: one handler per payment method, behind one interface, in a plain
registry that orders owns.

Cash on delivery is registered here. The methods that move money (GoGoMoney, card, bank transfer)
are finance's: ``finance.apps.FinanceConfig.ready()`` registers them with ``handler_register``, so
orders never imports finance (README "Layers").

Checkout calls ``check`` before writing and ``start`` inside its transaction, once for all the
orders it places; the lifecycle calls ``on_delivered``, ``on_cancelled`` and ``on_refunded`` inside
the transition's transaction. A handler may refuse (``ValidationError``), which rolls the whole
change back. Handlers never write an order's payment state themselves: they return the new
payment status, and orders writes it with its history row (``orders.services.payment_state``).
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
        """The courier handed the order over (inside the transition's transaction). Returns the
        order's new payment status, or None to leave it."""
        return None

    def on_cancelled(self, *, order, actor):
        """The order was cancelled (inside the transaction): give back what was paid. Returns the
        new payment status, or None to leave it."""
        return None

    def on_refunded(self, *, order, actor):
        """Staff refunded a delivered order (inside the transaction): give the money back.
        Returns the new payment status."""
        raise ValidationError({"action": _("This payment method cannot be refunded here.")})

    # The unpaid-order expiry (``orders.services.expiry``) asks each prepaid method:
    def payment_timeout(self):
        """``(timedelta, Text)``: how long an unpaid order of this method may wait, and the
        sentence its cancellation writes on the timeline; None when it may wait forever."""
        return None

    def is_being_paid(self, order, *, since):
        """Has the buyer started paying ``order`` since ``since`` (e.g. "Pay now" on the card
        provider's page)? Such an order gets the whole timeout again."""
        return False


class CashOnDelivery(PaymentHandler):
    method = PaymentMethod.CASH
    label = gettext_lazy("Cash on delivery")
    description = gettext_lazy("Pay the courier in cash when the order arrives.")

    def on_delivered(self, *, order):
        # The courier took the money: the order is paid.
        return PaymentStatus.PAID


HANDLERS = {}


def handler_register(handler):
    """Install the handler of one payment method (at start-up, from an ``AppConfig.ready()``)."""
    HANDLERS[handler.method] = handler
    return handler


handler_register(CashOnDelivery())


def handler_for(method):
    handler = HANDLERS.get(method)
    if handler is None:
        raise ValidationError({"payment_method": _("This payment method is not available.")})
    return handler


def handler_of_order(order):
    """The handler looking after a placed order's payment. An order whose method has no handler
    installed (an app that provides it is not installed) still moves through the lifecycle: the
    base handler leaves its payment as it is."""
    return HANDLERS.get(order.payment_method) or PaymentHandler()


def available_methods():
    """The installed methods, cash first, then in the order they were registered."""
    return list(HANDLERS.values())
