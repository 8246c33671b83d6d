"""Back-office roles: granting and revoking admin sub-roles (audited)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gogomarket.core.services import audit_log_write

from ..enums import AdminRoleType, UserRole
from ..models import AdminRole, active_account_q
from ..permissions import user_change_allowed


def _own_roles_check(*, user, actor):
    # Nobody below super admin hands rights to, or takes them from, themselves.
    if actor is not None and actor.pk == user.pk and not actor.is_superuser:
        raise ValidationError({"user": _("You cannot change your own admin roles.")})


def admin_role_grant_check(*, user, role_type, granted_by=None):
    """The rules of ``admin_role_grant``, for forms that want to show them before saving."""
    if role_type not in AdminRoleType.values:
        raise ValidationError({"role_type": _("Unknown admin role.")})
    if role_type == AdminRoleType.SUPER_ADMIN and granted_by is not None and not granted_by.is_superuser:
        raise ValidationError({"role_type": _("Only a super admin can grant the super admin role.")})
    if user.role != UserRole.ADMIN:
        raise ValidationError({"user": _("Only staff accounts can hold an admin role.")})
    _own_roles_check(user=user, actor=granted_by)
    if not user_change_allowed(actor=granted_by, user=user):
        raise ValidationError({"user": _("Only a super admin can change the roles of a super admin.")})


def admin_role_revoke_check(*, role, revoked_by=None):
    """The rules of ``admin_role_revoke``: only a super admin takes away super_admin or any role
    of an account that holds it, and nobody below super admin revokes their own roles."""
    if revoked_by is None:
        return
    if role.role_type == AdminRoleType.SUPER_ADMIN and not _another_super_admin(role):
        raise ValidationError({"user": _("This is the last super admin: grant super_admin to someone else first.")})
    if revoked_by.is_superuser:
        return
    _own_roles_check(user=role.user, actor=revoked_by)
    if role.role_type == AdminRoleType.SUPER_ADMIN or not user_change_allowed(actor=revoked_by, user=role.user):
        raise ValidationError({"user": _("Only a super admin can change the roles of a super admin.")})


def _another_super_admin(role):
    """Is there a live super_admin grant on another active account than ``role``'s?"""
    now = timezone.now()
    return (
        AdminRole.objects.filter(active_account_q("user__"), role_type=AdminRoleType.SUPER_ADMIN)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exclude(user_id=role.user_id)
        .exists()
    )


@transaction.atomic
def admin_role_grant(*, user, role_type, granted_by=None, permissions=None, expires_at=None, request=None):
    """Give ``user`` an admin sub-role. Only staff accounts (role ``admin``) can hold one; only a
    super admin (or the system, ``granted_by=None``: seed data, createsuperuser) may hand out
    super_admin, so a role manager cannot raise anyone, themselves included, above their own
    rights; below super admin nobody changes their own roles or the roles of an account that
    holds super_admin. The grant is written to the audit log (who granted what to whom)."""
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
    """Remove an admin sub-role, recording the old value in the audit log. Refused (ValidationError,
    nothing removed) by the rules of ``admin_role_revoke_check``."""
    role = AdminRole.objects.select_for_update().select_related("user").get(pk=role.pk)
    admin_role_revoke_check(role=role, revoked_by=revoked_by)
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
