"""Writes of the platform core: audit log rows and platform settings."""

import hashlib
import ipaddress
import json
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .enums import SettingType
from .models import AuditLog, IdempotencyKey, Setting

SETTING_CACHE_KEY = "setting:{key}"
_MISSING = object()


def client_ip(request):
    """The client's IP address. ``X-Forwarded-For`` is believed only as far as our own proxies
    wrote it (``TRUSTED_PROXY_COUNT`` of them, 0 by default): anything further left is whatever
    the client sent. Returns None for text that is not an IP address."""
    ip = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            ip = forwarded[-hops]
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def client_meta(request):
    """IP address and user agent of a request, for audit rows and sessions."""
    if request is None:
        return None, None
    return client_ip(request), (request.META.get("HTTP_USER_AGENT") or None)


def audit_log_write(*, actor, action, entity_type, entity_id=None, old_values=None, new_values=None, request=None):
    """Append one row to ``audit_logs``. Call it inside the transaction of the change it records,
    so the row exists exactly when the change does."""
    ip, agent = client_meta(request)
    return AuditLog.objects.create(
        user=actor if getattr(actor, "pk", None) else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        old_values=old_values,
        new_values=new_values,
        ip_address=ip,
        user_agent=agent,
    )


def email_send_after_commit(*, to, subject, body):
    """Send an email by Celery once the current transaction commits (never for a rolled-back
    change). Render subject and body before calling, in the reader's language."""
    from .tasks import send_email

    recipients = [to] if isinstance(to, str) else list(to)
    subject, body = str(subject), str(body)
    transaction.on_commit(lambda: send_email.delay(recipients, subject, body))


def setting_parse(value, type_):
    """Turn the stored text of a setting into its Python value; ValidationError when it does not fit."""
    try:
        if type_ == SettingType.NUMBER:
            return Decimal(value)
        if type_ == SettingType.BOOLEAN:
            lowered = value.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(value)
            return lowered in ("true", "1", "yes")
        if type_ == SettingType.JSON:
            return json.loads(value)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            _("%(value)r is not a valid %(type)s value.") % {"value": value, "type": type_}, code="invalid"
        ) from exc
    return value


def setting_get(key, default=None):
    """Typed value of a platform setting (cached in Redis; ``setting_set`` invalidates)."""
    cache_key = SETTING_CACHE_KEY.format(key=key)
    cached = cache.get(cache_key, _MISSING)
    if cached is _MISSING:
        row = Setting.objects.filter(key=key).values_list("value", "type").first()
        cached = setting_parse(*row) if row else None
        cache.set(cache_key, cached, timeout=3600)
    return default if cached is None else cached


@transaction.atomic
def setting_set(*, key, value, type_=None, description=None, is_public=None, actor=None, request=None):
    """Create or change one setting; the value is validated against its type and the change is
    audited. Returns the Setting."""
    setting = Setting.objects.select_for_update().filter(key=key).first()
    old = None
    if setting is None:
        setting = Setting(key=key, type=type_ or SettingType.STRING)
    else:
        old = {"value": setting.value, "type": setting.type}
    if type_:
        setting.type = type_
    text = json.dumps(value) if setting.type == SettingType.JSON and not isinstance(value, str) else str(value)
    if setting.type == SettingType.BOOLEAN and isinstance(value, bool):
        text = "true" if value else "false"
    setting_parse(text, setting.type)
    setting.value = text
    if description is not None:
        setting.description = description
    if is_public is not None:
        setting.is_public = is_public
    setting.save()
    audit_log_write(
        actor=actor,
        action="setting.create" if old is None else "setting.update",
        entity_type="setting",
        entity_id=setting.pk,
        old_values=old,
        new_values={"value": setting.value, "type": setting.type},
        request=request,
    )
    transaction.on_commit(lambda: cache.delete(SETTING_CACHE_KEY.format(key=key)))
    return setting


# --- idempotency ---------------------------------------------------------------------------
IDEMPOTENCY_KEY_MAX_LENGTH = 100


class IdempotencyConflict(ValidationError):
    """The key was used before for a different request."""


def idempotency_key_clean(key):
    """A client's key: printable ASCII, at most 100 characters; "" when none was sent."""
    key = (key or "").strip()
    if key and (len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not key.isascii() or not key.isprintable()):
        raise ValidationError({"idempotency_key": _("Use at most 100 printable characters as the key.")})
    return key


def idempotent(*, user, scope, key, payload, run):
    """Do ``run()`` at most once per (user, scope, key); returns ``(answer, replayed)``.

    ``answer`` must be JSON-serialisable; it is stored with the key in the same transaction as
    the work, so either both exist or neither does (a failed attempt can be retried with the
    same key). A second request with the key waits for the first to finish (the unique index)
    and then gets the stored answer; the same key with a different ``payload`` is refused."""
    key = idempotency_key_clean(key)
    if not key:
        with transaction.atomic():
            return run(), False
    fingerprint = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(user=user, scope=scope, key=key, request_hash=fingerprint)
        except IntegrityError:
            row = IdempotencyKey.objects.get(user=user, scope=scope, key=key)
            if row.request_hash != fingerprint:
                raise IdempotencyConflict(
                    {"idempotency_key": _("This key was already used for a different request.")},
                    code="idempotency_conflict",
                ) from None
            return row.response, True
        answer = run()
        row.response = answer
        row.save(update_fields=["response"])
    return answer, False
