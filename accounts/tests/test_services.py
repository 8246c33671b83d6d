import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError

from accounts.enums import AdminRoleType, UserRole, UserStatus
from accounts.models import AdminRole, User
from accounts.services import admin_role_grant, admin_role_revoke, staff_user_create, user_create
from accounts.tests.factories import DEFAULT_PASSWORD, BuyerFactory, StaffFactory, UserFactory
from gogomarket.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_user_create_normalises_email_and_hashes_the_password():
    user = user_create(email="  Aziz@Example.UZ ", password="s3cret-pass!", first_name="Aziz", last_name="Karimov")
    assert user.email == "aziz@example.uz"
    assert user.password != "s3cret-pass!"
    assert user.role == UserRole.BUYER and user.status == UserStatus.ACTIVE
    assert authenticate(email="AZIZ@example.uz", password="s3cret-pass!") == user


def test_user_create_refuses_a_taken_email_or_phone_and_writes_nothing():
    existing = UserFactory(phone="+998901112233")
    before = User.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        user_create(email=existing.email.upper(), password="x", first_name="A", last_name="B")
    assert "email" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        user_create(email="new@example.uz", password="x", first_name="A", last_name="B", phone="+998901112233")
    assert "phone" in excinfo.value.message_dict
    assert User.objects.count() == before


def test_sign_in_with_phone_and_refusal_for_inactive_or_deleted_accounts():
    user = UserFactory(phone="+998935556677")
    assert authenticate(phone="+998935556677", password=DEFAULT_PASSWORD) == user
    assert authenticate(email=user.email, password="wrong") is None
    for status in (UserStatus.SUSPENDED, UserStatus.BANNED, UserStatus.INACTIVE):
        User.objects.filter(pk=user.pk).update(status=status)
        assert authenticate(email=user.email, password=DEFAULT_PASSWORD) is None
    User.objects.filter(pk=user.pk).update(status=UserStatus.ACTIVE, deleted_at="2026-01-01T00:00:00Z")
    assert authenticate(email=user.email, password=DEFAULT_PASSWORD) is None


def test_staff_flags_come_from_live_admin_roles():
    staff = staff_user_create(email="ops@gogomarket.uz", password="x-pass-123", role_type=AdminRoleType.ACCOUNTING)
    staff = User.objects.get(pk=staff.pk)
    assert staff.is_staff and not staff.is_superuser
    assert staff.has_perm("finance.change_payout")
    assert not staff.has_perm("core.change_setting")
    assert not BuyerFactory().is_staff


def test_grant_and_revoke_write_audit_rows():
    boss = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    staff = UserFactory(role=UserRole.ADMIN)
    role = admin_role_grant(user=staff, role_type=AdminRoleType.TECHNICAL_ACCESS, granted_by=boss)
    grant = AuditLog.objects.get(action="admin_role.grant", entity_id=staff.pk)
    assert grant.user == boss and grant.new_values["role_type"] == "technical_access"
    admin_role_revoke(role=role, revoked_by=boss)
    revoke = AuditLog.objects.get(action="admin_role.revoke", entity_id=staff.pk)
    assert revoke.old_values["role_type"] == "technical_access" and revoke.new_values is None
    assert not AdminRole.objects.filter(pk=role.pk).exists()


def test_only_a_super_admin_grants_super_admin():
    manager = StaffFactory(role_type=AdminRoleType.ROLE_MANAGER)
    staff = UserFactory(role=UserRole.ADMIN)
    audit_rows = AuditLog.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        admin_role_grant(user=staff, role_type=AdminRoleType.SUPER_ADMIN, granted_by=manager)
    assert "role_type" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        admin_role_grant(user=manager, role_type=AdminRoleType.SUPER_ADMIN, granted_by=manager)
    assert not AdminRole.objects.filter(role_type=AdminRoleType.SUPER_ADMIN).exists()
    assert AuditLog.objects.count() == audit_rows
    # A role manager may still grant the other roles.
    admin_role_grant(user=staff, role_type=AdminRoleType.ACCOUNTING, granted_by=manager)


def test_admin_roles_only_for_staff_accounts():
    with pytest.raises(ValidationError) as excinfo:
        admin_role_grant(user=BuyerFactory(), role_type=AdminRoleType.ACCOUNTING)
    assert "user" in excinfo.value.message_dict
    assert not AdminRole.objects.exists()


def test_createsuperuser_path_makes_a_super_admin():
    user = User.objects.create_superuser(email="Root@GogoMarket.uz", password="long-enough-pass", first_name="R")
    user = User.objects.get(pk=user.pk)
    assert user.email == "root@gogomarket.uz"
    assert user.role == UserRole.ADMIN and user.is_superuser
