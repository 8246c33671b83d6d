"""Browser sessions are rows of user_sessions: created on sign-in, ended from anywhere."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services
from accounts.enums import AdminRoleType, UserStatus
from accounts.models import User, UserSession
from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_browser_signed_in_by_django_gets_its_session_row(client):
    user = UserFactory()
    client.force_login(user)
    client.get("/", HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36")
    session = UserSession.objects.get(user=user)
    assert not session.is_api
    assert session.device == "Chrome · Linux"
    assert session.ip_address == "127.0.0.1"
    client.get("/")
    assert UserSession.objects.filter(user=user).count() == 1  # adopted once, then reused


def test_ending_a_browser_session_signs_that_browser_out(client):
    user = UserFactory()
    client.force_login(user)
    client.get("/")
    session = UserSession.objects.get(user=user)
    services.session_revoke(user=user, session_id=session.pk)
    response = client.get("/")
    assert not response.wsgi_request.user.is_authenticated
    assert "_auth_user_id" not in client.session


def test_an_expired_browser_session_signs_out(client):
    user = UserFactory()
    client.force_login(user)
    client.get("/")
    UserSession.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    # The validity cache still holds the old expiry: it is checked against the clock too.
    response = client.get("/")
    assert not response.wsgi_request.user.is_authenticated


def test_a_suspended_user_is_signed_out_on_the_next_request(client):
    user = UserFactory()
    client.force_login(user)
    client.get("/")
    User.objects.filter(pk=user.pk).update(status=UserStatus.SUSPENDED)
    response = client.get("/")
    assert not response.wsgi_request.user.is_authenticated


def test_healthz_does_not_touch_sessions(client, django_assert_num_queries):
    client.force_login(UserFactory())
    with django_assert_num_queries(0):
        client.get("/healthz")


# --- the back-office sign-in goes through the same gate -----------------------------------
def test_back_office_sign_in_creates_a_session_row(client):
    staff = StaffFactory(role_type=AdminRoleType.ACCOUNTING)
    response = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    client.get("/admin/")
    assert UserSession.objects.filter(user=staff).count() == 1


def test_back_office_sign_in_is_throttled(client, settings):
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 2
    staff = StaffFactory()
    for _ in range(2):
        response = client.post("/admin/login/", {"username": staff.email, "password": "bad"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
    response = client.post(
        "/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Try again in 15 minutes" in response.content.decode()
    assert not UserSession.objects.filter(user=staff).exists()


def test_back_office_tells_a_suspended_staff_member_why(client):
    staff = StaffFactory()
    User.objects.filter(pk=staff.pk).update(status=UserStatus.SUSPENDED)
    response = client.post(
        "/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "suspended" in response.content.decode()
