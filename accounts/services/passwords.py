"""Changing and resetting passwords (every other session ends)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gogomarket.core.ratelimit import RateLimited, rate_limit_hit
from gogomarket.core.services import audit_log_write

from .. import hooks
from ..devices import known_device_remember
from ..models import UserManager
from .sessions import sessions_revoke_all

PASSWORD_RESETS_PER_EMAIL_PER_HOUR = 3


@transaction.atomic
def password_change(*, user, old_password, new_password, keep_session=None, request=None):
    """Change a password knowing the old one; every other session of the user ends."""
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": _("Your old password was entered incorrectly.")})
    return _password_set(user, new_password, keep_session=keep_session, action="user.password_change", request=request)


def _password_set(user, new_password, *, keep_session, action, request):
    """The new password (validated), the other sessions ended, announced and audited; the device
    that set it gets a new device token (the new password forgets every old one)."""
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from error
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    sessions_revoke_all(user=user, keep=keep_session, request=request)
    hooks.password_changed.fire(user_id=user.pk)
    audit_log_write(actor=user, action=action, entity_type="user", entity_id=user.pk, request=request)
    known_device_remember(request, user)
    return user


def password_reset_request_check(*, email):
    """At most three reset emails an hour for one address (whoever asks): a mailbox cannot be
    flooded through the reset page. Raises RateLimited."""
    hit = rate_limit_hit(
        "password-reset", UserManager.normalize_email(email), limit=PASSWORD_RESETS_PER_EMAIL_PER_HOUR, window=3600
    )
    if hit.over:
        raise RateLimited(
            _("Too many reset emails for this address. Try again in %(minutes)d minutes.") % {"minutes": hit.minutes},
            retry_after=hit.retry_after,
            field="email",
        )


@transaction.atomic
def password_reset_complete(*, user, new_password, request=None):
    """Set a new password through a reset link; every session of the user ends. The device that
    set it (the reset link proved the mailbox) becomes a known device of the account, so the owner
    can sign in even while strangers' guesses hold up new devices."""
    return _password_set(user, new_password, keep_session=None, action="user.password_reset", request=request)
