"""Writes about people: accounts and back-office roles."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gogomarket.core.services import audit_log_write

from .enums import AdminRoleType, UserRole
from .models import AdminRole, User, UserManager


@transaction.atomic
def user_create(*, email, password, first_name, last_name, role=UserRole.BUYER, phone=None, **fields):
    """Create an account. The email is normalised (lower case), the password hashed with bcrypt;
    a duplicate email or phone raises ValidationError naming the field and writes nothing."""
    email = UserManager.normalize_email(email)
    if not email:
        raise ValidationError({"email": _("Enter an email address.")})
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("This email is already registered.")})
    if phone and User.objects.filter(phone=phone).exists():
        raise ValidationError({"phone": _("This phone is already registered.")})
    user = User(email=email, first_name=first_name, last_name=last_name, role=role, phone=phone or None, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def staff_user_create(*, email, password, first_name="", last_name="", role_type, granted_by=None, **fields):
    """Create a staff account (role ``admin``) holding one admin sub-role."""
    user = user_create(
        email=email, password=password, first_name=first_name, last_name=last_name, role=UserRole.ADMIN, **fields
    )
    admin_role_grant(user=user, role_type=role_type, granted_by=granted_by)
    return user


def admin_role_grant_check(*, user, role_type, granted_by=None):
    """The rules of ``admin_role_grant``, for forms that want to show them before saving."""
    if role_type not in AdminRoleType.values:
        raise ValidationError({"role_type": _("Unknown admin role.")})
    if role_type == AdminRoleType.SUPER_ADMIN and granted_by is not None and not granted_by.is_superuser:
        raise ValidationError({"role_type": _("Only a super admin can grant the super admin role.")})
    if user.role != UserRole.ADMIN:
        raise ValidationError({"user": _("Only staff accounts can hold an admin role.")})


@transaction.atomic
def admin_role_grant(*, user, role_type, granted_by=None, permissions=None, expires_at=None, request=None):
    """Give ``user`` an admin sub-role. Only staff accounts (role ``admin``) can hold one; only a
    super admin (or the system, ``granted_by=None``: seed data, createsuperuser) may hand out
    super_admin, so a role manager cannot raise anyone, themselves included, above their own
    rights. The grant is written to the audit log (who granted what to whom)."""
    admin_role_grant_check(user=user, role_type=role_type, granted_by=granted_by)
    role = AdminRole.objects.create(
        user=user,
        role_type=role_type,
        permissions=permissions or {},
        granted_by=granted_by,
        expires_at=expires_at,
    )
    audit_log_write(
        actor=granted_by,
        action="admin_role.grant",
        entity_type="user",
        entity_id=user.pk,
        old_values=None,
        new_values={
            "admin_role_id": role.pk,
            "role_type": role_type,
            "permissions": role.permissions,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
        request=request,
    )
    user.__dict__.pop("active_admin_roles", None)
    return role


@transaction.atomic
def admin_role_revoke(*, role, revoked_by=None, request=None):
    """Remove an admin sub-role, recording the old value in the audit log."""
    old = {"admin_role_id": role.pk, "role_type": role.role_type, "permissions": role.permissions}
    user_id = role.user_id
    role.delete()
    audit_log_write(
        actor=revoked_by,
        action="admin_role.revoke",
        entity_type="user",
        entity_id=user_id,
        old_values=old,
        new_values=None,
        request=request,
    )
