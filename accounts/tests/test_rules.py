"""The account rules other apps lean on, each defined once: an active account (the QuerySet
method, its instance twin and its SQL twin agree), the buyer's default delivery address, and
who counts as staff for what (accounts.permissions' capability table)."""

from datetime import timedelta
from itertools import product

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from accounts import permissions
from accounts.enums import AddressType, AdminRoleType, UserStatus
from accounts.models import User, UserAddress, active_account_q, active_account_sql
from accounts.selectors import default_delivery_address
from accounts.tests.factories import BuyerFactory, CourierFactory, SellerFactory, StaffFactory, UserAddressFactory

pytestmark = pytest.mark.django_db


# --- an active account ------------------------------------------------------------------------
@pytest.fixture
def every_kind_of_account():
    """One account for each status, live and deleted."""
    users = []
    for status, deleted in product(UserStatus.values, (False, True)):
        users.append(BuyerFactory(status=status, deleted_at=timezone.now() if deleted else None))
    return users


def test_active_accounts_are_the_same_in_python_in_the_orm_and_in_sql(every_kind_of_account):
    in_python = {user.pk for user in User.objects.all() if user.is_active}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT u.id FROM users u WHERE {active_account_sql('u')}")
        in_sql = {row[0] for row in cursor.fetchall()}

    assert set(User.objects.active().values_list("pk", flat=True)) == in_python == in_sql
    assert len(in_python) == 1  # status active, not deleted: the one such account of the fixture
    assert User.objects.get(pk=in_python.pop()).status == UserStatus.ACTIVE


def test_active_account_q_is_the_same_rule_through_a_relation(every_kind_of_account):
    for user in every_kind_of_account:
        UserAddressFactory(user=user)
    through = UserAddress.objects.filter(active_account_q("user__")).values_list("user_id", flat=True)

    assert set(through) == set(User.objects.active().values_list("pk", flat=True))


def test_active_is_a_queryset_method_that_chains():
    seller = SellerFactory()
    SellerFactory(status=UserStatus.SUSPENDED)
    BuyerFactory()

    assert list(User.objects.filter(role=seller.role).active()) == [seller]
    assert list(User.objects.active().filter(role=seller.role)) == [seller]


# --- the default delivery address --------------------------------------------------------------
def _touch(address, days):
    """Set when ``address`` was last changed, ``days`` from now (to order them for certain)."""
    UserAddress.objects.filter(pk=address.pk).update(updated_at=timezone.now() + timedelta(days=days))


def test_the_default_delivery_address_wins_over_a_newer_one():
    buyer = BuyerFactory()
    home = UserAddressFactory(user=buyer, is_default=True)
    newer = UserAddressFactory(user=buyer, is_default=False)
    _touch(newer, 1)

    assert default_delivery_address(buyer) == home


def test_without_a_default_the_most_recently_changed_delivery_address():
    """The one the address book would make default (accounts.services.addresses)."""
    buyer = BuyerFactory()
    older = UserAddressFactory(user=buyer, is_default=False)
    newer = UserAddressFactory(user=buyer, is_default=False)
    _touch(older, -2)
    _touch(newer, -1)

    assert default_delivery_address(buyer) == newer


def test_a_billing_address_is_never_the_delivery_address():
    buyer = BuyerFactory()
    billing = UserAddressFactory(user=buyer, type=AddressType.BILLING, is_default=True)
    _touch(billing, 1)

    assert default_delivery_address(buyer) is None
    home = UserAddressFactory(user=buyer, is_default=False)
    assert default_delivery_address(buyer) == home


def test_deleted_and_other_peoples_addresses_do_not_count():
    buyer = BuyerFactory()
    UserAddressFactory(user=buyer, is_default=True, deleted_at=timezone.now())
    UserAddressFactory(user=BuyerFactory(), is_default=True)

    assert default_delivery_address(buyer) is None
    assert default_delivery_address(AnonymousUser()) is None
    assert default_delivery_address(None) is None


# --- who counts as staff for what -------------------------------------------------------------
CAPABILITIES = {
    "can_manage_catalog": permissions.can_manage_catalog,
    "can_manage_categories": permissions.can_manage_categories,
    "can_manage_orders": permissions.can_manage_orders,
    "can_confirm_bank_transfers": permissions.can_confirm_bank_transfers,
    "can_manage_payouts": permissions.can_manage_payouts,
    "can_verify_bank_accounts": permissions.can_verify_bank_accounts,
    "can_refund": permissions.can_refund,
}
MONEY = {"can_manage_orders", "can_confirm_bank_transfers", "can_manage_payouts", "can_verify_bank_accounts",
         "can_refund"}  # fmt: skip
# The table of the module docstring of accounts.permissions, as data.
EXPECTED = {
    AdminRoleType.SUPER_ADMIN: set(CAPABILITIES),
    AdminRoleType.ACCOUNTING: MONEY,
    AdminRoleType.ROLE_MANAGER: set(),
    AdminRoleType.TECHNICAL_ACCESS: set(),
}


def _capabilities(user):
    return {name for name, check in CAPABILITIES.items() if check(user)}


@pytest.mark.parametrize("role_type", list(EXPECTED), ids=str)
def test_each_sub_role_holds_the_capabilities_of_the_table(role_type):
    assert _capabilities(StaffFactory(role_type=role_type)) == EXPECTED[role_type]


def test_the_table_in_the_docstring_names_every_capability():
    names = {name for name in dir(permissions) if name.startswith("can_")}
    assert names == set(CAPABILITIES)
    for name in names:
        assert f"``{name}``" in permissions.__doc__, name


def test_nobody_but_live_staff_holds_a_capability():
    expired = StaffFactory(admin_role__expires_at=timezone.now() - timedelta(minutes=1))
    suspended = StaffFactory(status=UserStatus.SUSPENDED)
    for user in (None, AnonymousUser(), BuyerFactory(), SellerFactory(), CourierFactory(), expired, suspended):
        assert _capabilities(user) == set(), user


def test_a_deny_list_narrows_the_capabilities():
    staff = StaffFactory(
        role_type=AdminRoleType.ACCOUNTING,
        admin_role__permissions={"deny": ["finance.payout", "finance.change_bankaccount"]},
    )
    assert _capabilities(staff) == MONEY - {"can_manage_payouts", "can_verify_bank_accounts"}
    payments_denied = StaffFactory(
        role_type=AdminRoleType.ACCOUNTING, admin_role__permissions={"deny": ["finance.payment"]}
    )
    assert _capabilities(payments_denied) == MONEY - {"can_confirm_bank_transfers"}
