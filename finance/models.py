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

    def __str__(self):
        return f"{self.get_type_display()} {self.amount} ({self.wallet_id})"


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
