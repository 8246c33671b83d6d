from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import DisputeStatus, DisputeType, RefundMethod, ReturnCondition, ReturnStatus


class Dispute(models.Model):
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="disputes", db_index=False, verbose_name=_("order")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        db_column="opened_by",
        related_name="disputes_opened",
        db_index=False,
        verbose_name=_("opened by"),
    )
    type = EnumField(enum_type="dispute_type_enum", choices=DisputeType.choices, verbose_name=_("type"))
    reason = models.TextField(verbose_name=_("reason"))
    status = EnumField(
        enum_type="dispute_status_enum",
        choices=DisputeStatus.choices,
        default=DisputeStatus.OPEN,
        db_default="open",
        verbose_name=_("status"),
    )
    resolution = models.TextField(null=True, blank=True, verbose_name=_("resolution"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        db_column="resolved_by",
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

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
    dispute = models.ForeignKey(
        "Dispute", on_delete=models.CASCADE, related_name="messages", db_index=False, verbose_name=_("dispute")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dispute_messages", verbose_name=_("user")
    )
    content = models.TextField(verbose_name=_("content"))
    attachments = models.JSONField(null=True, blank=True, verbose_name=_("attachments"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

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
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="returns", db_index=False, verbose_name=_("order")
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="returns",
        db_index=False,
        verbose_name=_("buyer"),
    )
    reason = models.TextField(verbose_name=_("reason"))
    status = EnumField(
        enum_type="return_status_enum",
        choices=ReturnStatus.choices,
        default=ReturnStatus.REQUESTED,
        db_default="requested",
        verbose_name=_("status"),
    )
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("refund amount"))
    refund_method = EnumField(
        enum_type="refund_method_enum", choices=RefundMethod.choices, verbose_name=_("refund method")
    )
    tracking_number = models.CharField(max_length=100, null=True, blank=True, verbose_name=_("tracking number"))
    notes = models.TextField(null=True, blank=True, verbose_name=_("notes"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        db_column="approved_by",
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approved at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

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
        "ReturnRequest",
        on_delete=models.CASCADE,
        db_column="return_id",
        related_name="items",
        db_index=False,
        verbose_name=_("return request"),
    )
    order_item = models.ForeignKey(
        "orders.OrderItem",
        on_delete=models.PROTECT,
        related_name="return_items",
        db_index=False,
        verbose_name=_("order item"),
    )
    quantity = models.IntegerField(verbose_name=_("quantity"))
    reason = models.TextField(null=True, blank=True, verbose_name=_("reason"))
    condition = EnumField(
        enum_type="return_condition_enum", choices=ReturnCondition.choices, verbose_name=_("condition")
    )
    images = models.JSONField(null=True, blank=True, verbose_name=_("images"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

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
