from django.db import models
from django.utils.translation import gettext_lazy as _


class TransactionType(models.TextChoices):
    """PostgreSQL ENUM type ``transaction_type_enum``."""

    DEPOSIT = "deposit", _("Deposit")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    PURCHASE = "purchase", _("Purchase")
    REFUND = "refund", _("Refund")
    COMMISSION = "commission", _("Commission")
    PAYOUT = "payout", _("Payout")
    BONUS = "bonus", _("Bonus")


class CommissionStatus(models.TextChoices):
    """PostgreSQL ENUM type ``commission_status_enum``."""

    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class PayoutStatus(models.TextChoices):
    """PostgreSQL ENUM type ``payout_status_enum``."""

    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class PayoutMethod(models.TextChoices):
    """PostgreSQL ENUM type ``payout_method_enum``."""

    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    GOGOMONEY = "gogomoney", _("GoGoMoney")
    CASH = "cash", _("Cash")
