from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import SettingType


class Setting(models.Model):
    key = models.CharField(max_length=100)
    value = models.TextField()
    type = EnumField(enum_type="setting_type_enum", choices=SettingType.choices)
    description = models.TextField(null=True, blank=True)
    is_public = models.BooleanField(null=True, blank=True, default=False, db_default=False)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False)

    class Meta:
        verbose_name = _("setting")
        verbose_name_plural = _("settings")
        db_table = "settings"
        constraints = [
            models.UniqueConstraint(fields=["key"], name="idx_settings_key"),
        ]

    def __str__(self):
        return self.key


class AuditLog(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="audit_logs",
        db_index=False,
        null=True,
        blank=True,
    )
    action = models.CharField(max_length=100)
    entity_type = models.CharField(max_length=100)
    entity_id = models.BigIntegerField(null=True, blank=True)
    old_values = models.JSONField(null=True, blank=True)
    new_values = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        db_table = "audit_logs"
        indexes = [
            Index(fields=["user"], name="idx_audit_logs_user_id"),
            Index(fields=["entity_type", "entity_id"], name="idx_audit_logs_entity"),
            Index(fields=["action"], name="idx_audit_logs_action"),
            Index(fields=["-created_at"], name="idx_audit_logs_created"),
        ]

    def __str__(self):
        return f"{self.action} {self.entity_type}#{self.entity_id}"
