"""What each admin sub-role may do in the back office, and who counts as staff for what.

A grant names an app (``"finance"``) or one model (``"orders.order"``) and the actions allowed on
it (Django's ``view``, ``add``, ``change``, ``delete``). ``super_admin`` may do everything. An
admin role's ``permissions`` JSON can narrow its grant further::

    {"deny": ["finance.delete_payout", "finance.bankaccount", "core"]}

denies one permission, every action on one model, or a whole app.

Services never ask "is this staff?": being staff in one role (technical access, role manager)
gives no right over another role's things. They ask one capability, which rests on the same
permission as the back-office page the action sits on, so a deny list narrows both alike:

==============================  ===========================================  ================================
capability                      allows                                       rests on
==============================  ===========================================  ================================
``can_manage_catalog``          change any seller's product (its variants,   ``catalog.change_product``
                                images, stock), add one for a seller,
                                feature products on the home page
``can_manage_categories``       add, change and delete categories            ``catalog.change_category``
``can_manage_orders``           act on any order as staff (confirm, cancel,  ``orders.change_order``
                                assign a courier), see every order
``can_confirm_bank_transfers``  mark a bank-transfer order paid              ``orders.change_order`` and
                                                                             ``finance.change_payment``
``can_manage_payouts``          approve (send now) or cancel any payout      ``finance.change_payout``
``can_verify_bank_accounts``    verify a seller's bank account               ``finance.change_bankaccount``
``can_refund``                  send a card refund again                     ``finance.change_paymentrefund``
==============================  ===========================================  ================================

With the grants above, super_admin holds every capability; accounting holds the orders and money
ones (all but the two catalog ones); role_manager and technical_access hold none.

Each is False for anyone who is not live staff (an expired role, a suspended account, a buyer,
None, an anonymous visitor). Who may change whose account is ``user_change_allowed`` below.
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


# --- who counts as staff for what (the table of the module docstring) -----------------------
def _staff_may(user, *perms):
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_staff
        and all(user.has_perm(perm) for perm in perms)
    )


def can_manage_catalog(user):
    """May ``user`` change any seller's products as staff?"""
    return _staff_may(user, "catalog.change_product")


def can_manage_categories(user):
    """May ``user`` add, change and delete categories?"""
    return _staff_may(user, "catalog.change_category")


def can_manage_orders(user):
    """May ``user`` act on any order as staff?"""
    return _staff_may(user, "orders.change_order")


def can_confirm_bank_transfers(user):
    """May ``user`` record that a bank transfer paid an order? (Money arrives: it takes the
    finance right too, not only the right to change orders.)"""
    return _staff_may(user, "orders.change_order", "finance.change_payment")


def can_manage_payouts(user):
    """May ``user`` approve or cancel a seller's payout?"""
    return _staff_may(user, "finance.change_payout")


def can_verify_bank_accounts(user):
    """May ``user`` verify a seller's bank account?"""
    return _staff_may(user, "finance.change_bankaccount")


def can_refund(user):
    """May ``user`` send a card refund again?"""
    return _staff_may(user, "finance.change_paymentrefund")


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
