"""The payment methods of checkout that move money (``orders.payments.PaymentHandler``), registered
into orders' registry by ``FinanceConfig.ready()``:

* GoGoMoney: the wallet pays at checkout (one ``purchase`` per order); not enough money refuses
  the checkout before anything is written. A cancelled or refunded order goes back to the wallet
  at once.
* Card: checkout makes one card payment for its orders and sends the buyer to the provider's
  page; the orders are paid when the provider confirms (``finance.services.payments``). A
  cancelled paid order is refunded through the provider (a refund row, sent once the cancellation
  has committed); a cancelled order's payments still waiting for the card are closed. Unpaid card
  orders expire after ``card_payment_timeout_minutes``, counted from the buyer's last "Pay now".
* Bank transfer: the orders wait with payment pending until accounting confirms the money has
  arrived (back office); unpaid after ``bank_transfer_timeout_days`` they expire. A cancelled paid
  order is refunded to the buyer's wallet (instant; a bank refund would take days and cost a fee).
* Cash on delivery (orders' own handler) gains refunds: a refunded cash order is paid back to the
  buyer's GoGoMoney wallet.

Handlers never write an order's payment state: they return it, and orders records it with its
timeline row (``orders.services.payment_state.order_payment_record``).
"""

import logging
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import can_confirm_bank_transfers
from gogomarket.core.services import audit_log_write, setting_get
from orders.enums import OrderStatus, PaymentMethod, PaymentStatus
from orders.payments import CashOnDelivery, PaymentHandler, PaymentStart
from orders.services.payment_state import order_payment_record

from . import texts
from .enums import CommissionStatus, TransactionType
from .models import Commission, Payment, PaymentPurpose, PaymentState
from .selectors import payment_for_order
from .services.ledger import InsufficientFunds, wallet_for, wallet_post
from .services.payments import (
    orders_payment_start,
    payment_page_url,
    payment_refund,
    payments_pending_cancel_for,
)

logger = logging.getLogger(__name__)


def _refund_to_wallet(order, text):
    """The order's total back to the buyer's wallet, once (the ledger's unique reference)."""
    wallet_post(
        wallet=wallet_for(order.buyer),
        type=TransactionType.REFUND,
        amount=order.total_amount,
        reference_type="order",
        reference_id=order.pk,
        text=text,
    )
    return PaymentStatus.REFUNDED


def _refund_check(order):
    """A delivered order can be refunded here only before the seller's earning has left: after
    that the money is the seller's and comes back through a return (claw-back)."""
    if Commission.objects.filter(order=order, status=CommissionStatus.PAID).exists():
        raise ValidationError(
            {"action": _("The seller has already been paid for this order: refund it through a return.")}
        )


class GoGoMoney(PaymentHandler):
    method = PaymentMethod.GOGOMONEY
    prepaid = True
    label = gettext_lazy("GoGoMoney wallet")
    description = gettext_lazy("Pay at once from your wallet; a cancelled order is refunded to it at once.")

    def check(self, *, buyer, total):
        balance = wallet_for(buyer).balance
        if balance < total:
            raise InsufficientFunds(balance, total)

    def start(self, *, orders, buyer, request=None):
        wallet = wallet_for(buyer)
        for order in sorted(orders, key=lambda o: o.pk):
            wallet_post(
                wallet=wallet,
                type=TransactionType.PURCHASE,
                amount=-order.total_amount,
                reference_type="order",
                reference_id=order.pk,
                text=texts.ORDER_PURCHASE.stored(number=order.order_number),
            )
            # The timeline says how it was paid, as it does for a card or a bank transfer.
            order_payment_record(
                order=order, payment_status=PaymentStatus.PAID, actor=buyer, text=texts.PAID_FROM_WALLET.stored()
            )
        return PaymentStart()

    def on_cancelled(self, *, order, actor):
        if order.payment_status == PaymentStatus.PAID:
            return _refund_to_wallet(order, texts.ORDER_REFUND.stored(number=order.order_number))
        return None

    def on_refunded(self, *, order, actor):
        _refund_check(order)
        return self.on_cancelled(order=order, actor=actor)


class Card(PaymentHandler):
    method = PaymentMethod.CARD
    prepaid = True
    label = gettext_lazy("Card (Uzcard, Humo, Visa)")
    description = gettext_lazy("Pay on the card provider's secure page.")

    def start(self, *, orders, buyer, request=None):
        payment = orders_payment_start(orders=orders, buyer=buyer)
        # Back from the provider: to the order's page (Pay now is there if the card was declined),
        # or to the list when the checkout placed orders with several sellers.
        back = reverse("orders:detail", kwargs={"number": orders[0].order_number}) if len(orders) == 1 else "/orders/"
        return PaymentStart(redirect_url=payment_page_url(payment, back))

    def on_cancelled(self, *, order, actor):
        # Its payments still open stop taking the card (a provider that charges anyway is
        # refunded when its approval arrives: payments.payment_callback).
        payments_pending_cancel_for(order)
        if order.payment_status != PaymentStatus.PAID:
            return None
        return self._refund(order)

    def on_refunded(self, *, order, actor):
        _refund_check(order)
        if order.payment_status != PaymentStatus.PAID:
            return None
        return self._refund(order)

    def _refund(self, order):
        payment = payment_for_order(order)
        if payment is None:
            # Marked paid without a card payment of ours (imported or edited by hand): there is
            # nothing to refund through the provider; accounting must look at it.
            logger.error("order %s: refunded as paid by card, but no card payment of it is known", order.pk)
            return None
        # Only asked for here (a pending refund row); the provider is called once the cancellation
        # has committed, so a refusal or an outage never undoes the cancellation, and nothing goes
        # back to the card for a cancellation that rolled back. "refunded": the money is on its way.
        payment_refund(
            payment=payment, amount=order.total_amount, key=f"order-{order.pk}",
            reason=texts.ORDER_REFUND.english(number=order.order_number),
        )  # fmt: skip
        return PaymentStatus.REFUNDED

    def payment_timeout(self):
        minutes = int(Decimal(str(setting_get("card_payment_timeout_minutes", 30))))
        return timedelta(minutes=minutes), texts.CARD_NOT_PAID_IN_TIME.stored(n=minutes)

    def is_being_paid(self, order, *, since):
        # A payment started or resumed ("Pay now") since: the buyer may be on the provider's page.
        return Payment.objects.filter(
            purpose=PaymentPurpose.ORDERS, state=PaymentState.PENDING, order_links__order_id=order.pk,
            updated_at__gte=since,
        ).exists()  # fmt: skip


class BankTransfer(PaymentHandler):
    method = PaymentMethod.BANK_TRANSFER
    prepaid = True
    label = gettext_lazy("Bank transfer")
    description = gettext_lazy("Transfer to our account with the order number; we start once the money arrives.")

    def on_cancelled(self, *, order, actor):
        if order.payment_status == PaymentStatus.PAID:
            return _refund_to_wallet(order, texts.ORDER_REFUND_BANK_TRANSFER.stored(number=order.order_number))
        return None

    def on_refunded(self, *, order, actor):
        _refund_check(order)
        return self.on_cancelled(order=order, actor=actor)

    def payment_timeout(self):
        days = int(Decimal(str(setting_get("bank_transfer_timeout_days", 3))))
        return timedelta(days=days), texts.BANK_TRANSFER_NOT_IN_TIME.stored(n=days)


class CashWithWalletRefunds(CashOnDelivery):
    """Cash on delivery, refunded to the buyer's GoGoMoney wallet (instant; no cash to hand back)."""

    def on_refunded(self, *, order, actor):
        _refund_check(order)
        if order.payment_status == PaymentStatus.PAID:
            return _refund_to_wallet(order, texts.ORDER_REFUND.stored(number=order.order_number))
        return None


@transaction.atomic
def bank_transfer_confirm(*, order, actor, request=None):
    """Accounting saw the money of a bank-transfer order arrive."""
    from orders.models import Order

    order = Order.objects.select_for_update().get(pk=order.pk)
    # Accounting and super admins: being staff in another role (technical access, role manager)
    # is not enough (accounts.permissions).
    if not can_confirm_bank_transfers(actor):
        raise ValidationError(_("Only accounting staff confirm payments."))
    if order.payment_method != PaymentMethod.BANK_TRANSFER:
        raise ValidationError(_("This order is not paid by bank transfer."))
    if order.payment_status != PaymentStatus.PENDING:
        raise ValidationError(_("This order is not waiting for a payment."))
    if order.status == OrderStatus.CANCELLED:
        # The money came after the order was cancelled (the buyer, the seller, or the expiry job):
        # it is the buyer's, in their wallet at once (a bank refund would take days and a fee).
        status = _refund_to_wallet(order, texts.ORDER_REFUND_BANK_TRANSFER.stored(number=order.order_number))
        text = texts.BANK_TRANSFER_AFTER_CANCEL.stored()
    else:
        status, text = PaymentStatus.PAID, texts.BANK_TRANSFER_RECEIVED.stored()
    order_payment_record(order=order, payment_status=status, actor=actor, text=text)
    audit_log_write(actor=actor, action="order.bank_transfer_confirm", entity_type="order", entity_id=order.pk,
                    new_values={"at": timezone.now().isoformat()}, request=request)  # fmt: skip
    return order


HANDLERS = (CashWithWalletRefunds(), GoGoMoney(), Card(), BankTransfer())
