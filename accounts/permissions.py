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
