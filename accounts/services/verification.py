"""Email and phone verification."""

import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gogomarket.core.ratelimit import RateLimited, rate_limit_hit, rate_limit_reset
from gogomarket.core.services import audit_log_write, client_meta

from ..models import User
from ..tokens import token_hash
from .users import phone_release_unverified

EMAIL_VERIFY_SALT = "gogomarket.accounts.email-verify"
PHONE_CODE_KEY = "phone-verify:{user_id}"
PHONE_CODE_TTL = 10 * 60
SMS_COUNTRY_PREFIX = "+998"
PHONE_CODE_MAX_TRIES = 5
EMAIL_LINKS_PER_USER_PER_MINUTE = 1


def _absolute(request, path):
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL.rstrip("/") + path


def email_verification_token(user):
    return signing.dumps({"u": user.pk, "e": user.email}, salt=EMAIL_VERIFY_SALT)


def email_verification_send(*, user, request=None):
    """Email a verification link (sent by Celery after commit); at most one a minute, never for
    an email that is already confirmed."""
    from gogomarket.core.services import email_send_after_commit

    if user.email_verified:
        raise ValidationError({"email": _("Your email is already confirmed.")})
    hit = rate_limit_hit("email-verify", user.pk, limit=EMAIL_LINKS_PER_USER_PER_MINUTE, window=60)
    if hit.over:
        raise RateLimited(
            _("A link was just sent. You can ask for a new one in %(seconds)d seconds.")
            % {"seconds": max(1, hit.retry_after)},
            retry_after=hit.retry_after,
            field="email",
        )

    link = _absolute(request, reverse("accounts:verify_email", args=[email_verification_token(user)]))
    context = {"user": user, "link": link, "days": settings.EMAIL_VERIFICATION_MAX_AGE // 86400}
    email_send_after_commit(
        to=user.email,
        subject=_("Confirm your email for GOGOMARKET"),
        body=render_to_string("accounts/email/verify_email.txt", context),
    )


@transaction.atomic
def email_verify(*, token, request=None):
    """Mark the email of the link's user verified. Raises ValidationError when the link is
    broken, expired, or for an email the account no longer has."""
    try:
        data = signing.loads(token, salt=EMAIL_VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This link has expired. Ask for a new one on your profile page.")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This link is not valid.")) from exc
    user = User.objects.select_for_update().filter(pk=data.get("u"), deleted_at__isnull=True).first()
    if user is None or user.email != data.get("e"):
        raise ValidationError(_("This link is not valid."))
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified", "updated_at"])
        audit_log_write(
            actor=user,
            action="user.email_verified",
            entity_type="user",
            entity_id=user.pk,
            new_values={"email": user.email},
            request=request,
        )
    return user


def phone_verification_send(*, user, request=None):
    """Text a 6-digit code to the user's phone: valid 10 minutes, 5 tries. Texts cost money, so
    they are limited (atomically, in Redis) to one a minute and ten a day per account, five an
    hour per number and twenty an hour per IP address, and go to Uzbek numbers only."""
    from ..tasks import send_sms

    if not user.phone:
        raise ValidationError({"phone": _("Add a phone number to your profile first.")})
    if user.phone_verified:
        raise ValidationError({"phone": _("Your phone is already confirmed.")})
    if not user.phone.startswith(SMS_COUNTRY_PREFIX):
        raise ValidationError({"phone": _("We can send codes to Uzbek numbers (+998) only.")})
    ip, _agent = client_meta(request)
    for scope, value, limit, window in (
        ("sms-user-minute", user.pk, 1, 60),
        ("sms-user-day", user.pk, 10, 86400),
        ("sms-number", user.phone, 5, 3600),
        ("sms-ip", ip or "unknown", 20, 3600),
    ):
        hit = rate_limit_hit(scope, value, limit=limit, window=window)
        if hit.over:
            message = (
                _("A code was just sent. You can ask for a new one in %(seconds)d seconds.")
                % {"seconds": max(1, hit.retry_after)}
                if window == 60
                else _("Too many codes asked for. Try again in %(minutes)d minutes.") % {"minutes": hit.minutes}
            )
            raise RateLimited(message, retry_after=hit.retry_after, field="code")
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(
        PHONE_CODE_KEY.format(user_id=user.pk),
        {"phone": user.phone, "hash": token_hash(f"{user.pk}:{code}")},
        timeout=PHONE_CODE_TTL,
    )
    rate_limit_reset("phone-code-tries", user.pk)
    text = _("GOGOMARKET code: %(code)s. Do not share it with anyone.") % {"code": code}
    phone = user.phone
    transaction.on_commit(lambda: send_sms.delay(phone, text))


@transaction.atomic
def phone_verify(*, user, code, request=None):
    """Check a code sent by ``phone_verification_send``; marks the phone verified. Every try
    takes a slot first (atomic), so five wrong guesses end the code even when sent at once."""
    key = PHONE_CODE_KEY.format(user_id=user.pk)
    pending = cache.get(key)
    if not pending or pending["phone"] != user.phone:
        raise ValidationError({"code": _("The code has expired. Ask for a new one.")})
    tries = rate_limit_hit("phone-code-tries", user.pk, limit=PHONE_CODE_MAX_TRIES, window=PHONE_CODE_TTL)
    if tries.over:
        cache.delete(key)
        raise ValidationError({"code": _("Too many wrong codes. Ask for a new one.")})
    if not hmac.compare_digest(token_hash(f"{user.pk}:{(code or '').strip()}"), pending["hash"]):
        raise ValidationError({"code": _("The code is not right.")})
    cache.delete(key)
    rate_limit_reset("phone-code-tries", user.pk)
    phone_release_unverified(phone=user.phone, keep_user_id=user.pk, request=request)
    User.objects.filter(pk=user.pk).update(phone_verified=True, updated_at=timezone.now())
    user.phone_verified = True
    audit_log_write(
        actor=user,
        action="user.phone_verified",
        entity_type="user",
        entity_id=user.pk,
        new_values={"phone": user.phone},
        request=request,
    )
    return user
