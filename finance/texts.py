"""Sentences of money, stored by kind and shown in the reader's language
(``gogomarket.core.texts``): wallet statement lines (``wallet_transactions.metadata["text"]``,
with the English sentence in ``description`` for search and SQL readers) and the order timeline
rows finance writes through ``orders.services.payment_state``."""

from django.utils.translation import gettext_lazy as _

from gogomarket.core.texts import define

# Wallet statement
TOPUP_BY_CARD = define("finance.topup_by_card", _("Top-up by card"))
ORDER_PURCHASE = define("finance.order_purchase", _("Order %(number)s"))
ORDER_REFUND = define("finance.order_refund", _("Refund of order %(number)s"))
ORDER_REFUND_BANK_TRANSFER = define(
    "finance.order_refund_bank_transfer", _("Refund of order %(number)s (bank transfer)")
)
EARNING = define("finance.earning", _("Earning from order %(number)s"))
PAYOUT_REQUESTED = define("finance.payout_requested", _("Payout %(id)d requested"))
PAYOUT_CANCELLED = define("finance.payout_cancelled", _("Payout %(id)d cancelled"))
PAYOUT_FAILED = define("finance.payout_failed", _("Payout %(id)d failed: the money is back"))

# Order timeline
PAID_FROM_WALLET = define("finance.paid_from_wallet", _("Paid from the GoGoMoney wallet."))
PAID_BY_CARD = define("finance.paid_by_card", _("Paid by card."))
BANK_TRANSFER_RECEIVED = define("finance.bank_transfer_received", _("Bank transfer received."))
BANK_TRANSFER_AFTER_CANCEL = define(
    "finance.bank_transfer_after_cancel",
    _("Bank transfer received after the order was cancelled: refunded to the GoGoMoney wallet."),
)
CARD_NOT_PAID_IN_TIME = define("finance.card_not_paid_in_time", _("Not paid within %(n)d minutes."))
BANK_TRANSFER_NOT_IN_TIME = define(
    "finance.bank_transfer_not_in_time", _("The bank transfer did not arrive within %(n)d days.")
)
