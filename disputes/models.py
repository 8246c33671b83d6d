from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import DisputeStatus, DisputeType, RefundMethod, ReturnCondition, ReturnStatus


class Dispute(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="disputes", db_index=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        db_column="opened_by",
        related_name="disputes_opened",
        db_index=False,
    )
    type = EnumField(enum_type="dispute_type_enum", choices=DisputeType.choices)
    reason = models.TextField()
    status = EnumField(
        enum_type="dispute_status_enum", choices=DisputeStatus.choices, default=DisputeStatus.OPEN, db_default="open"
    )
    resolution = models.TextField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        db_column="resolved_by",
        related_name="+",
        null=True,
        blank=True,
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        db_table = "disputes"
        indexes = [
            Index(fields=["order"], name="idx_disputes_order_id"),
            Index(fields=["opened_by"], name="idx_disputes_opened_by"),
            Index(fields=["status"], name="idx_disputes_status"),
        ]

    def __str__(self):
        return f"dispute {self.pk} on order {self.order_id}"


class DisputeMessage(models.Model):
    dispute = models.ForeignKey("Dispute", on_delete=models.CASCADE, related_name="messages", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dispute_messages")
    content = models.TextField()
    attachments = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        verbose_name = _("dispute message")
        verbose_name_plural = _("dispute messages")
        db_table = "dispute_messages"
        indexes = [
            Index(fields=["dispute"], name="idx_dispute_messages_dispute_id"),
            Index(fields=["-created_at"], name="idx_dispute_messages_created"),
        ]

    def __str__(self):
        return f"message {self.pk} in dispute {self.dispute_id}"


class ReturnRequest(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns", db_index=False)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="returns", db_index=False
    )
    reason = models.TextField()
    status = EnumField(
        enum_type="return_status_enum",
        choices=ReturnStatus.choices,
        default=ReturnStatus.REQUESTED,
        db_default="requested",
    )
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2)
    refund_method = EnumField(enum_type="refund_method_enum", choices=RefundMethod.choices)
    tracking_number = models.CharField(max_length=100, null=True, blank=True)
    notes = models.TextField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        db_column="approved_by",
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        db_table = "returns"
        indexes = [
            Index(fields=["order"], name="idx_returns_order_id"),
            Index(fields=["buyer"], name="idx_returns_buyer_id"),
            Index(fields=["status"], name="idx_returns_status"),
        ]

    def __str__(self):
        return f"return {self.pk} of order {self.order_id}"


class ReturnItem(models.Model):
    return_request = models.ForeignKey(
        "ReturnRequest", on_delete=models.CASCADE, db_column="return_id", related_name="items", db_index=False
    )
    order_item = models.ForeignKey(
        "orders.OrderItem", on_delete=models.PROTECT, related_name="return_items", db_index=False
    )
    quantity = models.IntegerField()
    reason = models.TextField(null=True, blank=True)
    condition = EnumField(enum_type="return_condition_enum", choices=ReturnCondition.choices)
    images = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        verbose_name = _("return item")
        verbose_name_plural = _("return items")
        db_table = "return_items"
        indexes = [
            Index(fields=["return_request"], name="idx_return_items_return_id"),
            Index(fields=["order_item"], name="idx_return_items_order_item_id"),
        ]

    def __str__(self):
        return f"{self.quantity} x item {self.order_item_id}"
