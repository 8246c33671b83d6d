"""The payment methods of checkout that move money (orders.payments.PaymentHandler):

* GoGoMoney: the wallet pays at checkout (one ``purchase`` per order); not enough money refuses
  the checkout before anything is written. A cancelled order is refunded to the wallet at once.
* Card: checkout makes one card payment for its orders and sends the buyer to the provider's
  page; the orders are paid when the provider confirms (``finance.services.payments``). A
  cancelled paid order is refunded through the provider (a refund row, sent once the cancellation
  has committed); a cancelled order's payments still waiting for the card are closed.
* Bank transfer: the orders wait with payment pending until accounting confirms the money has
  arrived (back office). A cancelled paid order is refunded to the buyer's wallet (instant; a
  bank refund would take days and cost a fee).
"""

import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import can_confirm_bank_transfers
from gogomarket.core.services import audit_log_write
from orders.enums import OrderStatus, PaymentMethod, PaymentStatus
from orders.models import OrderStatusHistory
from orders.payments import PaymentHandler, PaymentStart

from .enums import TransactionType
from .services.earnings import commission_cancel_for
from .services.ledger import InsufficientFunds, wallet_for, wallet_post
from .services.payments import (
    orders_payment_start,
    payment_for_order,
    payment_page_url,
    payment_refund,
    payments_pending_cancel_for,
)

logger = logging.getLogger(__name__)


def _refund_to_wallet(order, reason):
    wallet_post(
        wallet=wallet_for(order.buyer),
        type=TransactionType.REFUND,
        amount=order.total_amount,
        reference_type="order",
        reference_id=order.pk,
        description=reason,
    )
    order.payment_status = PaymentStatus.REFUNDED


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
                description=_("Order %(number)s") % {"number": order.order_number},
            )
            order.payment_status = PaymentStatus.PAID
            type(order).objects.filter(pk=order.pk).update(payment_status=PaymentStatus.PAID)
        # The timeline says how it was paid, as it does for a card or a bank transfer.
        OrderStatusHistory.objects.bulk_create(
            OrderStatusHistory(
                order=order, status=order.status, changed_by=buyer, notes=_("Paid from the GoGoMoney wallet.")
            )  # fmt: skip
            for order in sorted(orders, key=lambda o: o.pk)
        )
        return PaymentStart()

    def on_cancelled(self, *, order, actor):
        commission_cancel_for(order)
        if order.payment_status == PaymentStatus.PAID:
            _refund_to_wallet(order, _("Refund of order %(number)s") % {"number": order.order_number})


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
        commission_cancel_for(order)
        # Its payments still open stop taking the card (a provider that charges anyway is
        # refunded when its approval arrives: payments.payment_callback).
        payments_pending_cancel_for(order)
        if order.payment_status != PaymentStatus.PAID:
            return
        payment = payment_for_order(order)
        if payment is None:
            # Marked paid without a card payment of ours (imported or edited by hand): there is
            # nothing to refund through the provider; accounting must look at it.
            logger.error("order %s: cancelled as paid by card, but no card payment of it is known", order.pk)
            return
        # Only asked for here (a pending refund row); the provider is called once the cancellation
        # has committed, so a refusal or an outage never undoes the cancellation, and nothing goes
        # back to the card for a cancellation that rolled back. "refunded": the money is on its way.
        payment_refund(
            payment=payment, amount=order.total_amount, key=f"order-{order.pk}",
            reason=_("Refund of order %(number)s") % {"number": order.order_number},
        )  # fmt: skip
        order.payment_status = PaymentStatus.REFUNDED


class BankTransfer(PaymentHandler):
    method = PaymentMethod.BANK_TRANSFER
    prepaid = True
    label = gettext_lazy("Bank transfer")
    description = gettext_lazy("Transfer to our account with the order number; we start once the money arrives.")

    def on_cancelled(self, *, order, actor):
        commission_cancel_for(order)
        if order.payment_status == PaymentStatus.PAID:
            _refund_to_wallet(order, _("Refund of order %(number)s (bank transfer)") % {"number": order.order_number})


@transaction.atomic
def bank_transfer_confirm(*, order, actor, request=None):
    """Accounting saw the money of a bank-transfer order arrive."""
    from orders.models import Order, OrderStatusHistory

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
        note = _("Bank transfer received after the order was cancelled: refunded to the GoGoMoney wallet.")
        _refund_to_wallet(order, note)
    else:
        order.payment_status = PaymentStatus.PAID
        note = _("Bank transfer received.")
    order.save(update_fields=["payment_status", "updated_at"])
    OrderStatusHistory.objects.create(order=order, status=order.status, changed_by=actor, notes=note)
    audit_log_write(actor=actor, action="order.bank_transfer_confirm", entity_type="order", entity_id=order.pk,
                    new_values={"at": timezone.now().isoformat()}, request=request)  # fmt: skip
    return order


HANDLERS = (GoGoMoney(), Card(), BankTransfer())
ZERO = Decimal("0")
