from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import NotificationType


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
        verbose_name=_("user"),
    )
    type = EnumField(enum_type="notification_type_enum", choices=NotificationType.choices, verbose_name=_("type"))
    title = models.CharField(max_length=255, verbose_name=_("title"))
    content = models.TextField(verbose_name=_("content"))
    data = models.JSONField(null=True, blank=True, verbose_name=_("data"))
    reference_type = models.CharField(max_length=50, null=True, blank=True, verbose_name=_("reference type"))
    reference_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("reference id"))
    is_read = models.BooleanField(null=True, blank=True, default=False, db_default=False, verbose_name=_("is read"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        db_table = "notifications"
        indexes = [
            Index(fields=["user"], name="idx_notifications_user_id"),
            Index(fields=["type"], name="idx_notifications_type"),
            Index(fields=["user", "is_read"], name="idx_notifications_read"),
            Index(fields=["-created_at"], name="idx_notifications_created"),
        ]

    def __str__(self):
        return self.title


class NotificationSetting(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        db_index=False,
        verbose_name=_("user"),
    )
    email_enabled = models.BooleanField(
        null=True, blank=True, default=True, db_default=True, verbose_name=_("email enabled")
    )
    push_enabled = models.BooleanField(
        null=True, blank=True, default=True, db_default=True, verbose_name=_("push enabled")
    )
    sms_enabled = models.BooleanField(
        null=True, blank=True, default=False, db_default=False, verbose_name=_("sms enabled")
    )
    order_updates = models.BooleanField(
        null=True, blank=True, default=True, db_default=True, verbose_name=_("order updates")
    )
    promotions = models.BooleanField(null=True, blank=True, default=True, db_default=True, verbose_name=_("promotions"))
    messages = models.BooleanField(null=True, blank=True, default=True, db_default=True, verbose_name=_("messages"))
    reviews = models.BooleanField(null=True, blank=True, default=True, db_default=True, verbose_name=_("reviews"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")
        db_table = "notification_settings"
        constraints = [
            models.UniqueConstraint(fields=["user"], name="idx_notification_settings_user_id"),
        ]

    def __str__(self):
        return f"notification settings of user {self.user_id}"
