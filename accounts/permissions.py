"""What each admin sub-role may do in the back office.

A grant names an app (``"finance"``) or one model (``"orders.order"``) and the actions allowed on
it (Django's ``view``, ``add``, ``change``, ``delete``). ``super_admin`` may do everything. An
admin role's ``permissions`` JSON can narrow its grant further::

    {"deny": ["finance.delete_payout", "finance.bankaccount", "core"]}

denies one permission, every action on one model, or a whole app.
"""

from .enums import AdminRoleType

ALL_ACTIONS = frozenset({"view", "add", "change", "delete"})
VIEW = frozenset({"view"})
EVERYTHING = "*"

ROLE_GRANTS = {
    AdminRoleType.SUPER_ADMIN: EVERYTHING,
    # Users, their admin roles, sessions and addresses.
    AdminRoleType.ROLE_MANAGER: {"accounts": ALL_ACTIONS},
    # Money: wallets, transactions, commissions, payouts, bank accounts; orders to see what was paid.
    AdminRoleType.ACCOUNTING: {
        "finance": ALL_ACTIONS,
        "orders.order": frozenset({"view", "change"}),
        "orders.orderitem": VIEW,
    },
    # Platform settings and the audit trail; nothing about money or people.
    AdminRoleType.TECHNICAL_ACCESS: {"core.setting": ALL_ACTIONS, "core.auditlog": VIEW, "core.idempotencykey": VIEW},
}

# Rows nobody edits by hand, whatever their role: history is appended by services only.
READ_ONLY_MODELS = frozenset({"core.auditlog", "core.idempotencykey"})


def _split(perm):
    """``"finance.change_wallet"`` -> ``("finance", "change", "wallet")``."""
    app_label, _, codename = perm.partition(".")
    action, _, model = codename.partition("_")
    return app_label, action, model


def _denied(deny, app_label, action, model):
    return app_label in deny or f"{app_label}.{model}" in deny or f"{app_label}.{action}_{model}" in deny


def role_allows(role, perm):
    """Does one admin role (an ``AdminRole`` row) allow the permission string ``perm``?"""
    app_label, action, model = _split(perm)
    if f"{app_label}.{model}" in READ_ONLY_MODELS and action != "view":
        return False
    deny = set((role.permissions or {}).get("deny", []))
    if _denied(deny, app_label, action, model):
        return False
    grants = ROLE_GRANTS.get(role.role_type)
    if grants == EVERYTHING:
        return True
    if not grants:
        return False
    allowed = grants.get(f"{app_label}.{model}", grants.get(app_label, frozenset()))
    return action in allowed


def role_allows_app(role, app_label):
    deny = set((role.permissions or {}).get("deny", []))
    if app_label in deny:
        return False
    grants = ROLE_GRANTS.get(role.role_type)
    if grants == EVERYTHING:
        return True
    return any(key == app_label or key.startswith(app_label + ".") for key in (grants or {}))


# --- who may change whose account ----------------------------------------------------------
def holds_super_admin(user):
    """Has ``user`` ever been granted super_admin? Expired grants count too: an account that was
    a super admin stays out of reach of the other roles until a super admin has looked at it."""
    from .models import AdminRole

    if user.pk is None:
        return False
    return AdminRole.objects.filter(user_id=user.pk, role_type=AdminRoleType.SUPER_ADMIN).exists()


def user_change_allowed(*, actor, user):
    """May ``actor`` (a staff member, or None for the system) change, suspend or close ``user``'s
    account or roles? Only a super admin touches an account that holds super_admin; anyone may
    act on their own account."""
    if actor is None or actor.pk == user.pk or actor.is_superuser:
        return True
    return not holds_super_admin(user)


def account_change_check(*, actor, user):
    """ValidationError (code ``forbidden``) unless ``user_change_allowed``."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if not user_change_allowed(actor=actor, user=user):
        raise ValidationError(_("Only a super admin can change a super admin's account."), code="forbidden")
