from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import SettingType


class Setting(models.Model):
    key = models.CharField(max_length=100, verbose_name=_("key"))
    value = models.TextField(verbose_name=_("value"))
    type = EnumField(enum_type="setting_type_enum", choices=SettingType.choices, verbose_name=_("type"))
    description = models.TextField(null=True, blank=True, verbose_name=_("description"))
    is_public = models.BooleanField(null=True, blank=True, default=False, db_default=False, verbose_name=_("is public"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

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
        verbose_name=_("user"),
    )
    action = models.CharField(max_length=100, verbose_name=_("action"))
    entity_type = models.CharField(max_length=100, verbose_name=_("entity type"))
    entity_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("entity id"))
    old_values = models.JSONField(null=True, blank=True, verbose_name=_("old values"))
    new_values = models.JSONField(null=True, blank=True, verbose_name=_("new values"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("ip address"))
    user_agent = models.TextField(null=True, blank=True, verbose_name=_("user agent"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

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


class IdempotencyKey(models.Model):
    """Table beyond the spec: the first answer to a request that creates something (checkout,
    payment, top-up, payout), stored under the key the client sent, so a repeated request
    (a double click, a retried API call) gets that answer instead of doing the work twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("user")
    )
    scope = models.CharField(max_length=50, verbose_name=_("scope"))
    key = models.CharField(max_length=100, verbose_name=_("key"))
    request_hash = models.CharField(max_length=64, verbose_name=_("request fingerprint"))
    response = models.JSONField(null=True, blank=True, verbose_name=_("response"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        db_table = "idempotency_keys"
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_keys_user_scope_key"),
        ]
        indexes = [Index(fields=["created_at"], name="idx_idempotency_keys_created")]

    def __str__(self):
        return f"{self.scope}:{self.key}"
