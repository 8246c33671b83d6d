from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import CommissionStatus, PayoutMethod, PayoutStatus, TransactionType


class Wallet(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="wallets",
        db_index=False,
        verbose_name=_("user"),
    )
    balance = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), db_default=Decimal("0"), verbose_name=_("balance")
    )
    currency = models.CharField(max_length=3, default="UZS", db_default="UZS", verbose_name=_("currency"))
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True, verbose_name=_("is active"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("wallet")
        verbose_name_plural = _("wallets")
        db_table = "wallets"
        constraints = [
            models.UniqueConstraint(fields=["user"], name="idx_wallets_user_id"),
            # Beyond the spec: the database refuses a negative balance whatever the code does.
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="wallets_balance_check"),
        ]

    def __str__(self):
        return f"wallet of user {self.user_id}"


class WalletTransaction(models.Model):
    wallet = models.ForeignKey(
        "Wallet", on_delete=models.CASCADE, related_name="transactions", db_index=False, verbose_name=_("wallet")
    )
    type = EnumField(enum_type="transaction_type_enum", choices=TransactionType.choices, verbose_name=_("type"))
    amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("amount"))
    balance_before = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("balance before"))
    balance_after = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("balance after"))
    reference_type = models.CharField(max_length=50, null=True, blank=True, verbose_name=_("reference type"))
    reference_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("reference id"))
    description = models.TextField(null=True, blank=True, verbose_name=_("description"))
    metadata = models.JSONField(null=True, blank=True, verbose_name=_("metadata"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("wallet transaction")
        verbose_name_plural = _("wallet transactions")
        db_table = "wallet_transactions"
        indexes = [
            Index(fields=["wallet"], name="idx_wallet_txn_wallet_id"),
            Index(fields=["type"], name="idx_wallet_txn_type"),
            Index(fields=["reference_type", "reference_id"], name="idx_wallet_txn_reference"),
            Index(fields=["-created_at"], name="idx_wallet_txn_created"),
        ]
        constraints = [
            # Beyond the spec: one movement of a kind per thing it is for (an order is paid once,
            # refunded once, a payout held once ...): money never moves twice, even if code retries.
            models.UniqueConstraint(
                fields=["wallet", "type", "reference_type", "reference_id"],
                condition=models.Q(reference_id__isnull=False),
                name="wallet_txn_once_per_reference",
            ),
            models.CheckConstraint(
                condition=models.Q(balance_after=models.F("balance_before") + models.F("amount")),
                name="wallet_txn_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.amount} ({self.wallet_id})"

    @property
    def text(self):
        """The statement line in the reader's language (stored by kind, see finance.texts); rows
        written before that, or typed by people, show their description."""
        from gogomarket.core.texts import render

        said = (self.metadata or {}).get("text") or {}
        return render(said.get("kind"), said.get("params"), fallback=self.description or "")


class Commission(models.Model):
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="commissions", db_index=False, verbose_name=_("order")
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="commissions",
        db_index=False,
        verbose_name=_("seller"),
    )
    commission_rate = models.DecimalField(max_digits=5, decimal_places=2, verbose_name=_("commission rate"))
    commission_amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("commission amount"))
    order_amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("order amount"))
    status = EnumField(
        enum_type="commission_status_enum",
        choices=CommissionStatus.choices,
        default=CommissionStatus.PENDING,
        db_default="pending",
        verbose_name=_("status"),
    )
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        db_table = "commissions"
        indexes = [
            Index(fields=["order"], name="idx_commissions_order_id"),
            Index(fields=["seller"], name="idx_commissions_seller_id"),
            Index(fields=["status"], name="idx_commissions_status"),
        ]
        constraints = [
            # Beyond the spec: one live commission per order (recorded once at delivery).
            models.UniqueConstraint(
                fields=["order"], condition=~models.Q(status="cancelled"), name="commissions_one_per_order"
            ),
        ]

    def __str__(self):
        return f"commission on order {self.order_id}"


class Payout(models.Model):
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payouts",
        db_index=False,
        verbose_name=_("seller"),
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, default="UZS", db_default="UZS", verbose_name=_("currency"))
    method = EnumField(enum_type="payout_method_enum", choices=PayoutMethod.choices, verbose_name=_("method"))
    status = EnumField(
        enum_type="payout_status_enum",
        choices=PayoutStatus.choices,
        default=PayoutStatus.PENDING,
        db_default="pending",
        verbose_name=_("status"),
    )
    bank_account = models.ForeignKey(
        "BankAccount",
        on_delete=models.SET_NULL,
        related_name="payouts",
        null=True,
        blank=True,
        verbose_name=_("bank account"),
    )
    transaction_id = models.CharField(max_length=255, null=True, blank=True, verbose_name=_("transaction id"))
    notes = models.TextField(null=True, blank=True, verbose_name=_("notes"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        db_table = "payouts"
        indexes = [
            Index(fields=["seller"], name="idx_payouts_seller_id"),
            Index(fields=["status"], name="idx_payouts_status"),
            Index(fields=["-created_at"], name="idx_payouts_created"),
        ]

    def __str__(self):
        return f"payout {self.pk} to seller {self.seller_id}"


class BankAccount(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bank_accounts",
        db_index=False,
        verbose_name=_("user"),
    )
    bank_name = models.CharField(max_length=200, verbose_name=_("bank name"))
    account_holder_name = models.CharField(max_length=200, verbose_name=_("account holder name"))
    account_number = models.CharField(max_length=100, verbose_name=_("account number"))
    routing_number = models.CharField(max_length=50, null=True, blank=True, verbose_name=_("routing number"))
    is_default = models.BooleanField(
        null=True, blank=True, default=False, db_default=False, verbose_name=_("is default")
    )
    is_verified = models.BooleanField(
        null=True, blank=True, default=False, db_default=False, verbose_name=_("is verified")
    )
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        db_table = "bank_accounts"
        indexes = [
            Index(fields=["user"], name="idx_bank_accounts_user_id"),
            Index(fields=["user", "is_default"], name="idx_bank_accounts_default"),
        ]

    def __str__(self):
        return f"{self.bank_name} ({self.account_holder_name})"


# --- Card payments (a table beyond the spec) ---------------------------------------------------
class PaymentPurpose(models.TextChoices):
    TOPUP = "topup", _("Wallet top-up")
    ORDERS = "orders", _("Orders")


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Waiting for the card")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class Payment(models.Model):
    """One card payment through a provider (a top-up, or the orders of one checkout): what was
    asked, what the provider answered. The wallet ledger and the orders only change when its
    state does, once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments", verbose_name=_("user")
    )
    purpose = models.CharField(max_length=20, choices=PaymentPurpose.choices, verbose_name=_("purpose"))
    amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, default="UZS", db_default="UZS", verbose_name=_("currency"))
    state = models.CharField(
        max_length=20,
        choices=PaymentState.choices,
        default=PaymentState.PENDING,
        db_default=PaymentState.PENDING,
        verbose_name=_("state"),
    )
    provider = models.CharField(max_length=50, verbose_name=_("provider"))
    provider_reference = models.CharField(max_length=255, null=True, blank=True, verbose_name=_("provider reference"))
    token = models.CharField(max_length=64, unique=True, verbose_name=_("token"))
    # The orders it is for: ``payment_orders`` rows (``PaymentOrder``), each with when it paid it.
    # What its refunds (payment_refunds) ask back and the provider has not refused: pending and
    # succeeded ones, so that two refunds can never give back more than was paid.
    refunded_amount = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), db_default=Decimal("0"), verbose_name=_("refunded")
    )
    failure_reason = models.TextField(null=True, blank=True, verbose_name=_("failure reason"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("card payment")
        verbose_name_plural = _("card payments")
        db_table = "payments"
        indexes = [
            Index(fields=["state", "created_at"], name="idx_payments_state_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payments_amount_check"),
            models.CheckConstraint(
                condition=models.Q(refunded_amount__gte=0, refunded_amount__lte=models.F("amount")),
                name="payments_refund_check",
            ),
        ]

    def __str__(self):
        return f"payment {self.pk} ({self.get_state_display()})"

    @property
    def order_ids(self):
        """Ids of the orders this payment is for, in id order."""
        return sorted(link.order_id for link in self.order_links.all())

    @property
    def paid_order_ids(self):
        """Ids of the orders it actually paid (the others were cancelled or paid by another
        payment meanwhile, and refunded)."""
        return sorted(link.order_id for link in self.order_links.all() if link.paid_at is not None)


class PaymentOrder(models.Model):
    """Beyond the spec: the orders a card payment is for (one checkout's, or one order's "Pay
    now"), and when it paid each. A cancelled order is refunded from the payment that paid it."""

    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="order_links", db_index=False, verbose_name=_("payment")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="payment_links", verbose_name=_("order")
    )
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))

    class Meta:
        verbose_name = _("order of a card payment")
        verbose_name_plural = _("orders of card payments")
        db_table = "payment_orders"
        constraints = [models.UniqueConstraint(fields=["payment", "order"], name="payment_orders_once")]

    def __str__(self):
        return f"payment {self.payment_id}: order {self.order_id}"


class RefundState(models.TextChoices):
    PENDING = "pending", _("Being sent")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refused by the provider")


class PaymentRefund(models.Model):
    """One refund of a card payment through the provider (a table beyond the spec, like
    ``payments``). Written ``pending`` in the transaction that decides it (an order cancelled, a
    late payment) and sent to the provider only after that commits (``refund_send``): it ends
    ``succeeded`` or ``failed``. ``key`` names it for the provider's idempotency (``order-<id>``,
    ``late``, ``late-<reference>``): the same key is the same refund, sent any number of times.

    A refund of the payment's own charge counts in ``Payment.refunded_amount`` while it is pending
    or succeeded (so refunds never exceed the payment); ``charge_reference`` names another charge
    the provider made for the same payment (a second approval: the card charged twice), refunded in
    full and not counted there."""

    payment = models.ForeignKey(
        "Payment", on_delete=models.PROTECT, related_name="refunds", db_index=False, verbose_name=_("payment")
    )
    key = models.CharField(max_length=300, verbose_name=_("key"))
    amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("amount"))
    state = models.CharField(
        max_length=20,
        choices=RefundState.choices,
        default=RefundState.PENDING,
        db_default=RefundState.PENDING,
        verbose_name=_("state"),
    )
    reason = models.TextField(blank=True, default="", db_default="", verbose_name=_("reason"))
    charge_reference = models.CharField(
        max_length=255, null=True, blank=True, verbose_name=_("second charge reference")
    )
    provider_reference = models.CharField(max_length=255, null=True, blank=True, verbose_name=_("provider reference"))
    failure_reason = models.TextField(null=True, blank=True, verbose_name=_("failure reason"))
    attempts = models.PositiveIntegerField(default=0, db_default=0, verbose_name=_("attempts"))
    # Goes up each time accounting sends a failed refund again: the provider sees a new request
    # (``provider_key``), not a replay of the refusal it gave the last one.
    generation = models.PositiveSmallIntegerField(default=1, db_default=1, verbose_name=_("generation"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("card refund")
        verbose_name_plural = _("card refunds")
        db_table = "payment_refunds"
        indexes = [
            # the retry job: pending refunds not touched for a while
            Index(fields=["updated_at"], condition=models.Q(state="pending"), name="idx_payment_refunds_pending"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["payment", "key"], name="payment_refunds_once_per_key"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_refunds_amount_check"),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "succeeded", "failed"]), name="payment_refunds_state_check"
            ),
        ]

    def __str__(self):
        return f"refund {self.pk} of payment {self.payment_id} ({self.get_state_display()})"

    @property
    def provider_key(self):
        """The idempotency key the provider sees: ``key`` for the first sending (and its retries),
        ``key#2``, ``key#3`` ... once accounting sends a refused refund again."""
        return self.key if self.generation <= 1 else f"{self.key}#{self.generation}"
