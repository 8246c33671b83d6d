"""Staff accounts and staff edits of other people's accounts (the back office)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gogomarket.core.services import audit_log_write

from .. import hooks
from ..enums import UserRole, UserStatus
from ..models import User, UserManager
from ..permissions import account_change_check
from ..phones import phone_clean
from .admin_roles import admin_role_grant
from .users import phone_available, phone_release_unverified, user_create


@transaction.atomic
def staff_user_create(
    *, email, password, first_name="", last_name="", role_type, granted_by=None, request=None, **fields
):
    """Create a staff account (role ``admin``) holding one admin sub-role; ``granted_by`` (None:
    the system) is the actor of its ``user.create`` and ``admin_role.grant`` rows."""
    user = user_create(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        role=UserRole.ADMIN,
        actor=granted_by,
        request=request,
        **fields,
    )
    admin_role_grant(user=user, role_type=role_type, granted_by=granted_by)
    return user


STAFF_EDITABLE_FIELDS = ("email", "phone", "first_name", "last_name", "avatar_url", "role", "status")


def user_staff_update_check(*, user, changed_by, **fields):
    """The rules of ``user_staff_update`` without writing anything (forms show them before
    saving). Returns the changes in their stored spelling, verification resets included."""
    unknown = set(fields) - set(STAFF_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable by staff: {sorted(unknown)}")
    account_change_check(actor=changed_by, user=user)
    changes = {}
    if "email" in fields:
        email = UserManager.normalize_email(fields["email"])
        if not email:
            raise ValidationError({"email": _("Enter an email address.")})
        if email != user.email:
            if User.objects.filter(email=email).exclude(pk=user.pk).exists():
                raise ValidationError({"email": _("This email is already registered.")})
            changes |= {"email": email, "email_verified": False}
    if "phone" in fields:
        phone = phone_clean(fields["phone"])
        if phone != user.phone:
            if phone:
                phone_available(phone, user_id=user.pk)
            changes |= {"phone": phone, "phone_verified": False}
    for name in ("first_name", "last_name"):
        if name in fields:
            value = (fields[name] or "").strip()
            if not value:
                raise ValidationError({name: _("This field is required.")})
            if value != getattr(user, name):
                changes[name] = value
    if "avatar_url" in fields and (fields["avatar_url"] or None) != user.avatar_url:
        changes["avatar_url"] = fields["avatar_url"] or None
    if "role" in fields and fields["role"] != user.role:
        if fields["role"] not in UserRole.values:
            raise ValidationError({"role": _("Unknown role.")})
        changes["role"] = fields["role"]
    if "status" in fields and fields["status"] != user.status:
        if fields["status"] not in UserStatus.values:
            raise ValidationError({"status": _("Unknown status.")})
        changes["status"] = fields["status"]
    return changes


@transaction.atomic
def user_staff_update(*, user, changed_by, request=None, **fields):
    """A staff member changes an account (the back office's user page): email and phone are
    stored in their one spelling, a new email or phone is unverified until its owner confirms
    it, and the change is written to the audit log (who, whom, old and new values). Only a super
    admin changes an account that holds super_admin. Raises ValidationError and writes nothing
    when a rule refuses."""
    user = User.objects.select_for_update().get(pk=user.pk)
    changes = user_staff_update_check(user=user, changed_by=changed_by, **fields)
    if not changes:
        return user
    if changes.get("phone"):
        phone_release_unverified(phone=changes["phone"], keep_user_id=user.pk, request=request)
    old = {name: getattr(user, name) for name in changes}
    for name, value in changes.items():
        setattr(user, name, value)
    try:
        with transaction.atomic():
            user.save(update_fields=[*changes, "updated_at"])
    except IntegrityError as exc:  # a concurrent write took the email or the phone
        if "email" in changes:
            raise ValidationError({"email": _("This email is already registered.")}) from exc
        raise ValidationError({"phone": _("This phone is already registered.")}) from exc
    hooks.account_changed.fire(user_id=user.pk, fields=sorted(changes))
    audit_log_write(
        actor=changed_by,
        action="user.staff_update",
        entity_type="user",
        entity_id=user.pk,
        old_values=old,
        new_values=changes,
        request=request,
    )
    return user
