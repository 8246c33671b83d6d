from django.db import models
from django.utils.translation import gettext_lazy as _


class DisputeType(models.TextChoices):
    """PostgreSQL ENUM type ``dispute_type_enum``."""

    PRODUCT_ISSUE = "product_issue", _("Product issue")
    DELIVERY_ISSUE = "delivery_issue", _("Delivery issue")
    PAYMENT_ISSUE = "payment_issue", _("Payment issue")
    OTHER = "other", _("Other")


class DisputeStatus(models.TextChoices):
    """PostgreSQL ENUM type ``dispute_status_enum``."""

    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class ReturnStatus(models.TextChoices):
    """PostgreSQL ENUM type ``return_status_enum``."""

    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    REFUNDED = "refunded", _("Refunded")


class ReturnCondition(models.TextChoices):
    """PostgreSQL ENUM type ``return_condition_enum``."""

    UNOPENED = "unopened", _("Unopened")
    OPENED = "opened", _("Opened")
    USED = "used", _("Used")
    DAMAGED = "damaged", _("Damaged")


class RefundMethod(models.TextChoices):
    """PostgreSQL ENUM type ``refund_method_enum``."""

    ORIGINAL_PAYMENT = "original_payment", _("Original payment")
    GOGOMONEY = "gogomoney", _("GoGoMoney")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
