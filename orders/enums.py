from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    """PostgreSQL ENUM type ``order_status_enum``."""

    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    PROCESSING = "processing", _("Processing")
    READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class PaymentStatus(models.TextChoices):
    """PostgreSQL ENUM type ``payment_status_enum``."""

    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")


class PaymentMethod(models.TextChoices):
    """PostgreSQL ENUM type ``payment_method_enum``."""

    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    GOGOMONEY = "gogomoney", _("GoGoMoney")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")


class TrackingStatus(models.TextChoices):
    """PostgreSQL ENUM type ``tracking_status_enum``."""

    ASSIGNED = "assigned", _("Assigned")
    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
