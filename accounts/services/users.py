"""Accounts as rows: creating them, who holds a phone number, closing an account."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gogomarket.core.services import audit_log_write

from .. import hooks
from ..enums import UserRole
from ..models import User, UserManager, UserSession
from ..permissions import account_change_check
from ..phones import phone_clean
from .sessions import sessions_delete

SIGN_UP = "signup"  # ``actor`` of user_create for a person creating their own account


@transaction.atomic
def user_create(
    *, email, password, first_name, last_name, role=UserRole.BUYER, phone=None, actor=None, request=None, **fields
):
    """Create an account, the one place every account is made (sign-up, staff, seeding, commands).
    The email is normalised (lower case), the password hashed with bcrypt; a duplicate email or
    phone raises ValidationError naming the field and writes nothing. Writes one ``user.create``
    audit row: ``actor`` is the staff member who made it, ``SIGN_UP`` for someone signing up
    themselves (the row is theirs), None for the system (seeding, commands)."""
    email = UserManager.normalize_email(email)
    phone = phone_clean(phone)
    if not email:
        raise ValidationError({"email": _("Enter an email address.")})
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("This email is already registered.")})
    if phone:
        phone_available(phone)
        phone_release_unverified(phone=phone, keep_user_id=None)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, password or None, first_name=first_name, last_name=last_name, role=role, phone=phone or None,
                **fields,
            )  # fmt: skip
    except IntegrityError as exc:  # a concurrent sign-up with the same email or phone
        raise ValidationError({"email": _("This email is already registered.")}) from exc
    by = "signup" if actor == SIGN_UP else ("staff" if actor is not None else "system")
    audit_log_write(
        actor=user if actor == SIGN_UP else actor,
        action="user.create",
        entity_type="user",
        entity_id=user.pk,
        new_values={"email": user.email, "role": user.role, "by": by},
        request=request,
    )
    hooks.account_created.fire(user_id=user.pk)
    return user


def phone_release_unverified(*, phone, keep_user_id, request=None):
    """An unverified phone proves nothing: when someone else claims the number, it leaves the
    account that never confirmed it (audited). A verified number stays where it is."""
    for other in User.objects.select_for_update().filter(phone=phone, phone_verified=False).exclude(pk=keep_user_id):
        User.objects.filter(pk=other.pk).update(phone=None, updated_at=timezone.now())
        audit_log_write(
            actor=None,
            action="user.phone_released",
            entity_type="user",
            entity_id=other.pk,
            old_values={"phone": phone},
            request=request,
        )


def phone_available(phone, user_id=None):
    """Raise unless ``phone`` is free or only held, unverified, by another account."""
    taken = User.objects.filter(phone=phone, phone_verified=True)
    if user_id is not None:
        taken = taken.exclude(pk=user_id)
    if taken.exists():
        raise ValidationError({"phone": _("This phone is already registered.")})


@transaction.atomic
def user_soft_delete(*, user, actor=None, request=None):
    """Close an account: it disappears from every page and can no longer sign in; every session
    (browser and API) ends at once. The row stays for the orders and history that point at it.
    ``actor`` is the staff member closing it (None: the person themselves); only a super admin
    closes a super admin's account. Closing a closed account changes nothing."""
    user = User.objects.select_for_update().get(pk=user.pk)
    account_change_check(actor=actor, user=user)
    if user.deleted_at is not None:
        return user
    user.deleted_at = timezone.now()
    user.save(update_fields=["deleted_at", "updated_at"])
    ended = sessions_delete(UserSession.objects.filter(user=user))
    hooks.account_changed.fire(user_id=user.pk, fields=["deleted_at"])
    audit_log_write(
        actor=actor or user,
        action="user.delete",
        entity_type="user",
        entity_id=user.pk,
        new_values={"deleted_at": user.deleted_at.isoformat(), "sessions_ended": ended},
        request=request,
    )
    return user
