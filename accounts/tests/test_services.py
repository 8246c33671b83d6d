import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.enums import AdminRoleType, UserRole, UserStatus
from accounts.models import AdminRole, User
from accounts.services import admin_role_grant, admin_role_revoke, staff_user_create, user_create
from accounts.tests.factories import DEFAULT_PASSWORD, BuyerFactory, StaffFactory, UserFactory
from gogomarket.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The messages are checked in English whatever ran before (the site's default is Uzbek).
    with translation.override("en"):
        yield


def test_user_create_normalises_email_and_hashes_the_password():
    user = user_create(email="  Aziz@Example.UZ ", password="s3cret-pass!", first_name="Aziz", last_name="Karimov")
    assert user.email == "aziz@example.uz"
    assert user.password != "s3cret-pass!"
    assert user.role == UserRole.BUYER and user.status == UserStatus.ACTIVE
    assert authenticate(email="AZIZ@example.uz", password="s3cret-pass!") == user


def test_user_create_refuses_a_taken_email_or_phone_and_writes_nothing():
    existing = UserFactory(phone="+998901112233", phone_verified=True)
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


# --- sign-in gate and throttling -----------------------------------------------------------
import threading  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from datetime import timedelta  # noqa: E402

from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts import services  # noqa: E402
from accounts.models import UserSession, UserSessionSpentToken  # noqa: E402
from accounts.tokens import TokenExpired, TokenInvalid, TokenReused, token_hash  # noqa: E402


def _request(ip="10.0.0.1", agent="pytest-agent"):
    return RequestFactory().post("/", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)


def test_sign_in_gate_messages_by_cause():
    user = UserFactory(phone="+998900000001")
    assert services.auth_check_credentials(login=user.email, password=DEFAULT_PASSWORD, request=_request()) == user
    with pytest.raises(services.LoginRefused) as refused:
        services.auth_check_credentials(login=user.email, password="nope", request=_request())
    assert refused.value.code == "invalid"
    with pytest.raises(services.LoginRefused) as refused:
        services.auth_check_credentials(login="nobody@example.uz", password="nope", request=_request())
    assert refused.value.code == "invalid"
    User.objects.filter(pk=user.pk).update(status=UserStatus.SUSPENDED)
    with pytest.raises(services.LoginRefused) as refused:
        services.auth_check_credentials(login="+998900000001", password=DEFAULT_PASSWORD, request=_request())
    assert refused.value.code == "suspended" and "suspended" in refused.value.message
    # The status is only revealed with the right password.
    with pytest.raises(services.LoginRefused) as refused:
        services.auth_check_credentials(login=user.email, password="nope", request=_request())
    assert refused.value.code == "invalid"


def test_throttle_locks_an_account_after_the_limit_and_says_for_how_long(settings):
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 3
    user = UserFactory()
    for _ in range(3):
        with pytest.raises(services.LoginRefused) as refused:
            services.auth_check_credentials(login=user.email, password="bad", request=_request())
        assert refused.value.code == "invalid"
    # Locked now, even with the right password, and from another address.
    with pytest.raises(services.LoginRefused) as refused:
        services.auth_check_credentials(login=user.email, password=DEFAULT_PASSWORD, request=_request("10.9.9.9"))
    assert refused.value.code == "locked"
    assert "Try again in 15 minutes" in refused.value.message
    assert 14 * 60 < refused.value.retry_after <= 15 * 60


def test_a_successful_sign_in_clears_the_account_count(settings):
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 3
    user = UserFactory()
    for _ in range(2):
        with pytest.raises(services.LoginRefused):
            services.auth_check_credentials(login=user.email, password="bad", request=_request())
    services.auth_check_credentials(login=user.email, password=DEFAULT_PASSWORD, request=_request())
    for _ in range(3):
        with pytest.raises(services.LoginRefused) as refused:
            services.auth_check_credentials(login=user.email, password="bad", request=_request())
        assert refused.value.code == "invalid"


def test_throttle_per_ip_covers_many_accounts(settings):
    settings.LOGIN_THROTTLE_PER_IP = 4
    codes = []
    for n in range(6):
        try:
            services.auth_check_credentials(login=f"guess{n}@example.uz", password="x", request=_request("10.1.1.1"))
        except services.LoginRefused as refused:
            codes.append(refused.code)
    assert codes == ["invalid"] * 4 + ["locked"] * 2


@pytest.mark.django_db(transaction=True)
def test_throttle_holds_under_concurrent_attempts(settings):
    """40 simultaneous wrong guesses: exactly the limit get a password check, the rest are locked."""
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 5
    user = UserFactory()
    barrier = threading.Barrier(40)

    def attempt(n):
        barrier.wait()
        try:
            services.auth_check_credentials(login=user.email, password=f"wrong-{n}", request=_request(f"10.2.0.{n}"))
            return "ok"
        except services.LoginRefused as refused:
            return refused.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(attempt, range(40)))
    assert results.count("invalid") == 5
    assert results.count("locked") == 35


# --- API sessions ---------------------------------------------------------------------------
def test_api_token_lifecycle_stores_only_hashes():
    user = UserFactory()
    session, access, refresh = services.api_session_create(user=user, request=_request())
    session.refresh_from_db()
    assert access not in (session.token, session.refresh_token)
    assert refresh not in (session.token, session.refresh_token)
    assert len(session.token) == 64 and session.is_api
    assert services.api_session_for_access_token(access).user == user

    _, access2, refresh2 = services.api_session_refresh(refresh_token=refresh, request=_request())
    with pytest.raises(TokenInvalid):
        services.api_session_for_access_token(access)  # the old access token is gone
    assert services.api_session_for_access_token(access2).user == user
    assert UserSession.objects.filter(user=user).count() == 1
    # The spent refresh token is remembered by its hash only.
    assert list(UserSessionSpentToken.objects.values_list("token_hash", flat=True)) == [token_hash(refresh)]

    services.api_session_end(access=access2)
    with pytest.raises(TokenInvalid):
        services.api_session_for_access_token(access2)
    with pytest.raises(TokenInvalid):
        services.api_session_refresh(refresh_token=refresh2)
    with pytest.raises(TokenInvalid):
        services.api_session_refresh(refresh_token=refresh)  # a refresh token works once
    assert not UserSessionSpentToken.objects.exists()  # gone with its session


def test_a_spent_refresh_token_presented_again_ends_its_session():
    user = UserFactory()
    _, _access, refresh = services.api_session_create(user=user)
    _, access2, refresh2 = services.api_session_refresh(refresh_token=refresh)
    other, other_access, _ = services.api_session_create(user=user)

    with pytest.raises(TokenReused):
        services.api_session_refresh(refresh_token=refresh, request=_request())
    with pytest.raises(TokenInvalid):
        services.api_session_for_access_token(access2)
    with pytest.raises(TokenInvalid):
        services.api_session_refresh(refresh_token=refresh2)
    assert list(UserSession.objects.filter(user=user)) == [other]
    assert services.api_session_for_access_token(other_access).pk == other.pk
    assert AuditLog.objects.filter(action="session.refresh_reuse").count() == 1


def test_expired_access_token_and_expired_session(settings):
    user = UserFactory()
    _, access, refresh = services.api_session_create(user=user)
    settings.API_ACCESS_TOKEN_TTL = -1
    with pytest.raises(TokenExpired):
        services.api_session_for_access_token(access)
    settings.API_ACCESS_TOKEN_TTL = 900
    UserSession.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(TokenInvalid):
        services.api_session_refresh(refresh_token=refresh)


def test_a_suspended_or_deleted_account_loses_its_api_access():
    user = UserFactory()
    _, access, refresh = services.api_session_create(user=user)
    User.objects.filter(pk=user.pk).update(status=UserStatus.BANNED)
    with pytest.raises(TokenInvalid):
        services.api_session_for_access_token(access)
    with pytest.raises(TokenInvalid):
        services.api_session_refresh(refresh_token=refresh)


def test_revoking_a_session_is_immediate_despite_the_cache():
    user = UserFactory()
    session, access, _ = services.api_session_create(user=user)
    services.api_session_for_access_token(access)  # now cached in Redis
    services.session_revoke(user=user, session_id=session.pk)
    with pytest.raises(TokenInvalid):
        services.api_session_for_access_token(access)
    assert AuditLog.objects.filter(action="session.revoke", entity_id=session.pk).exists()


def test_nobody_revokes_another_persons_session():
    owner, other = UserFactory(), UserFactory()
    session, access, _ = services.api_session_create(user=owner)
    with pytest.raises(UserSession.DoesNotExist):
        services.session_revoke(user=other, session_id=session.pk)
    assert services.api_session_for_access_token(access).user == owner


def test_password_change_ends_other_sessions_and_keeps_one():
    user = UserFactory()
    keep, _, _ = services.api_session_create(user=user)
    services.api_session_create(user=user)
    services.api_session_create(user=user)
    with pytest.raises(ValidationError) as excinfo:
        services.password_change(user=user, old_password="wrong", new_password="Yangi-parol-2026!", keep_session=keep)
    assert "old_password" in excinfo.value.message_dict
    assert UserSession.objects.filter(user=user).count() == 3
    services.password_change(
        user=user, old_password=DEFAULT_PASSWORD, new_password="Yangi-parol-2026!", keep_session=keep
    )
    assert list(UserSession.objects.filter(user=user)) == [keep]
    user.refresh_from_db()
    assert user.check_password("Yangi-parol-2026!")


def test_session_touch_writes_at_most_once_a_minute(django_assert_num_queries):
    user = UserFactory()
    session, _, _ = services.api_session_create(user=user)
    with django_assert_num_queries(1):
        services.session_touch(session)
    with django_assert_num_queries(0):
        services.session_touch(session)


def test_expired_sessions_are_purged():
    user = UserFactory()
    old, _, _ = services.api_session_create(user=user)
    live, _, _ = services.api_session_create(user=user)
    UserSession.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.sessions_purge_expired() == 1
    assert list(UserSession.objects.filter(user=user)) == [live]


# --- who may change whom in the back office -------------------------------------------------
def test_a_role_manager_cannot_revoke_or_change_a_super_admins_roles():
    boss = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    boss_extra = admin_role_grant(user=boss, role_type=AdminRoleType.ACCOUNTING)
    manager = StaffFactory(role_type=AdminRoleType.ROLE_MANAGER)
    roles = set(AdminRole.objects.values_list("pk", flat=True))
    audit_rows = AuditLog.objects.count()
    for role in (boss.admin_roles.get(role_type=AdminRoleType.SUPER_ADMIN), boss_extra):
        with pytest.raises(ValidationError):
            admin_role_revoke(role=role, revoked_by=manager)
    with pytest.raises(ValidationError) as excinfo:
        admin_role_grant(user=boss, role_type=AdminRoleType.TECHNICAL_ACCESS, granted_by=manager)
    assert "user" in excinfo.value.message_dict
    assert set(AdminRole.objects.values_list("pk", flat=True)) == roles
    assert AuditLog.objects.count() == audit_rows


def test_a_super_admin_revokes_another_super_admins_role():
    boss, other = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN), StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    role = other.admin_roles.get()
    admin_role_revoke(role=role, revoked_by=boss)
    assert not AdminRole.objects.filter(pk=role.pk).exists()
    assert AuditLog.objects.filter(action="admin_role.revoke", entity_id=other.pk, user=boss).exists()


def test_a_role_manager_cannot_grant_or_revoke_its_own_roles():
    manager = StaffFactory(role_type=AdminRoleType.ROLE_MANAGER)
    own = manager.admin_roles.get()
    audit_rows = AuditLog.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        admin_role_grant(user=manager, role_type=AdminRoleType.ACCOUNTING, granted_by=manager)
    assert "user" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        admin_role_revoke(role=own, revoked_by=manager)
    assert list(AdminRole.objects.filter(user=manager)) == [own]
    assert AuditLog.objects.count() == audit_rows


def test_a_role_manager_cannot_edit_suspend_or_close_a_super_admin_account():
    boss = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN, email="boss@gogomarket.uz")
    manager = StaffFactory(role_type=AdminRoleType.ROLE_MANAGER)
    audit_rows = AuditLog.objects.count()
    for fields in ({"email": "mine@evil.uz"}, {"status": UserStatus.SUSPENDED}, {"phone": "+998909999999"}):
        with pytest.raises(ValidationError):
            services.user_staff_update(user=boss, changed_by=manager, **fields)
    with pytest.raises(ValidationError):
        services.user_soft_delete(user=boss, actor=manager)
    boss.refresh_from_db()
    assert (boss.email, boss.status, boss.deleted_at) == ("boss@gogomarket.uz", UserStatus.ACTIVE, None)
    assert AuditLog.objects.count() == audit_rows


def test_staff_update_normalises_the_phone_and_unverifies_a_new_email_or_phone():
    manager = StaffFactory(role_type=AdminRoleType.ROLE_MANAGER)
    user = UserFactory(email="old@example.uz", phone="+998935550000", email_verified=True, phone_verified=True)
    services.user_staff_update(user=user, changed_by=manager, email=" New@Example.UZ ", phone="90 123 45 67")
    user.refresh_from_db()
    assert (user.email, user.phone) == ("new@example.uz", "+998901234567")
    assert user.email_verified is False and user.phone_verified is False
    entry = AuditLog.objects.get(action="user.staff_update", entity_id=user.pk)
    assert entry.user_id == manager.pk
    assert entry.old_values == {
        "email": "old@example.uz",
        "email_verified": True,
        "phone": "+998935550000",
        "phone_verified": True,
    }
    assert entry.new_values["phone"] == "+998901234567"
    # The same values in another spelling are no change: nothing written.
    services.user_staff_update(user=user, changed_by=manager, email="NEW@example.uz", phone="+998 90 123-45-67")
    assert AuditLog.objects.filter(action="user.staff_update", entity_id=user.pk).count() == 1


# --- one throttle count per account, whatever login names it ---------------------------------
def test_wrong_passwords_by_email_and_by_phone_share_one_count(settings):
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 5
    user = UserFactory(phone="+998935551122")
    logins = [user.email, "+998935551122", user.email.upper(), "93 555 11 22", user.email]
    for n, login in enumerate(logins):
        with pytest.raises(services.LoginRefused) as refused:
            services.auth_check_credentials(login=login, password="bad", request=_request(f"10.3.0.{n}"))
        assert refused.value.code == "invalid"
    for login in (user.email, "+998935551122"):
        with pytest.raises(services.LoginRefused) as refused:
            services.auth_check_credentials(login=login, password=DEFAULT_PASSWORD, request=_request("10.3.1.1"))
        assert refused.value.code == "locked"


def test_a_login_that_names_no_account_is_throttled_too(settings):
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 3
    codes = []
    for n in range(5):
        try:
            services.auth_check_credentials(login="Ghost@Example.uz", password="x", request=_request(f"10.4.0.{n}"))
        except services.LoginRefused as refused:
            codes.append(refused.code)
    assert codes == ["invalid"] * 3 + ["locked"] * 2


# --- closing an account ---------------------------------------------------------------------
def test_closing_an_account_ends_its_sessions_writes_an_audit_row_and_stops_sign_in():
    staff = StaffFactory(role_type=AdminRoleType.ROLE_MANAGER)
    user = UserFactory()
    _, access, refresh = services.api_session_create(user=user)
    services.api_session_for_access_token(access)  # cached in Redis: closing must not wait for it
    services.api_session_create(user=user)
    services.user_soft_delete(user=user, actor=staff, request=_request())
    user.refresh_from_db()
    assert user.deleted_at is not None
    assert not UserSession.objects.filter(user=user).exists()
    with pytest.raises(TokenInvalid):
        services.api_session_for_access_token(access)
    with pytest.raises(TokenInvalid):
        services.api_session_refresh(refresh_token=refresh)
    entry = AuditLog.objects.get(action="user.delete", entity_id=user.pk)
    assert entry.user_id == staff.pk and entry.new_values["sessions_ended"] == 2
    with pytest.raises(services.LoginRefused) as refused:
        services.auth_check_credentials(login=user.email, password=DEFAULT_PASSWORD, request=_request())
    assert refused.value.code == "invalid"
    # Closing it again changes nothing.
    deleted_at = user.deleted_at
    services.user_soft_delete(user=user, actor=staff)
    user.refresh_from_db()
    assert user.deleted_at == deleted_at
    assert AuditLog.objects.filter(action="user.delete", entity_id=user.pk).count() == 1


def test_the_last_super_admin_cannot_give_up_the_role():
    boss = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    role = boss.admin_roles.get()
    with pytest.raises(ValidationError):
        admin_role_revoke(role=role, revoked_by=boss)
    assert AdminRole.objects.filter(pk=role.pk).exists()

    StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)  # now there is another
    admin_role_revoke(role=role, revoked_by=boss)
    assert not AdminRole.objects.filter(pk=role.pk).exists()
