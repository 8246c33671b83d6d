"""The accounts API (/api/v1/auth/..., /api/v1/me/...): wiring, permissions and error shapes.
The rules themselves are tested against the services in test_services*.py."""

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.enums import AddressType, UserRole, UserStatus
from accounts.models import User, UserAddress, UserSession, UserSessionSpentToken
from accounts.services import SESSION_TOUCH_KEY, sessions_purge_expired
from accounts.tests.factories import DEFAULT_PASSWORD, UserAddressFactory, UserFactory, UserSessionFactory
from accounts.tokens import token_hash
from gogomarket.core.models import AuditLog

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"
ADDRESSES = "/api/v1/me/addresses/"
SESSIONS = "/api/v1/me/sessions/"
STRONG_PASSWORD = "Samarqand-non-2026!"


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT="GOGOMARKET/2.1 (Android 14)")


def sign_in(api, user, password=DEFAULT_PASSWORD):
    """Log in through the API; returns the response's JSON (access, refresh, user ...)."""
    response = api.post(LOGIN, {"login": user.email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def bearer(access):
    return {"HTTP_AUTHORIZATION": f"Bearer {access}"}


def signed_in_client(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(**bearer(sign_in(client, user)["access"]))
    return client


def address_payload(**overrides):
    data = {
        "type": "delivery",
        "label": "Home",
        "full_name": "Aziz Karimov",
        "phone": "+998901234567",
        "country": "Uzbekistan",
        "city": "Tashkent",
        "district": "Yunusobod",
        "street": "Amir Temur ko'chasi",
        "building": "12",
        "apartment": "34",
        "postal_code": "100084",
        "latitude": "41.35",
        "longitude": "69.29",
    }
    data.update(overrides)
    return data


# --- tokens ---------------------------------------------------------------------------------
def test_token_lifecycle_login_refresh_logout(api, django_capture_on_commit_callbacks):
    user = UserFactory()
    tokens = sign_in(api, user)
    assert tokens["access_expires_in"] == settings.API_ACCESS_TOKEN_TTL
    assert tokens["user"]["email"] == user.email and tokens["user"]["id"] == user.pk
    session = UserSession.objects.get(user=user)
    assert tokens["access"] not in (session.token, session.refresh_token)  # only hashes are kept
    assert session.is_api and session.user_agent.startswith("GOGOMARKET/")

    me = api.get(ME, **bearer(tokens["access"]))
    assert me.status_code == 200 and me.json()["email"] == user.email

    with django_capture_on_commit_callbacks(execute=True):
        rotated = api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["access"] != tokens["access"] and new["refresh"] != tokens["refresh"]
    assert new["user"]["id"] == user.pk

    stale = api.get(ME, **bearer(tokens["access"]))
    assert stale.status_code == 401 and stale.json()["code"] == "token_invalid"
    assert api.get(ME, **bearer(new["access"])).status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1
    # (The old refresh token presented again ends the session: see the reuse tests below.)

    assert api.post(LOGOUT, **bearer(new["access"])).status_code == 204
    assert api.get(ME, **bearer(new["access"])).status_code == 401
    assert api.post(REFRESH, {"refresh": new["refresh"]}, format="json").status_code == 401
    assert not UserSession.objects.filter(user=user).exists()


def _refresh(api, refresh_token):
    return api.post(REFRESH, {"refresh": refresh_token}, format="json")


def test_reusing_a_spent_refresh_token_ends_the_session(api):
    """A refresh token that was already exchanged, presented again, was copied: whoever holds the
    session's newest tokens may be the thief. The whole session ends, audited."""
    user = UserFactory()
    other_device = sign_in(api, user)
    first = sign_in(api, user)
    second = _refresh(api, first["refresh"]).json()
    session = UserSession.objects.get(token=token_hash(second["access"]))

    reused = _refresh(api, first["refresh"])
    assert reused.status_code == 401
    assert reused.json() == {
        "detail": "This refresh token was already used: the session was ended to protect your account. "
        "Please sign in again.",
        "code": "token_invalid",
    }
    # The session's newest tokens died with it; the user's other sessions did not.
    assert _refresh(api, second["refresh"]).status_code == 401
    assert api.get(ME, **bearer(second["access"])).status_code == 401
    assert not UserSession.objects.filter(pk=session.pk).exists()
    assert not UserSessionSpentToken.objects.filter(session_id=session.pk).exists()
    assert api.get(ME, **bearer(other_device["access"])).status_code == 200
    log = AuditLog.objects.get(action="session.refresh_reuse")
    assert (log.entity_type, log.entity_id, log.new_values["user_id"]) == ("user_session", session.pk, user.pk)
    # Presented once more: the session is gone, plainly invalid; nothing else happens.
    assert _refresh(api, first["refresh"]).json()["code"] == "token_invalid"
    assert AuditLog.objects.filter(action="session.refresh_reuse").count() == 1


def test_a_thief_who_refreshed_first_loses_the_session_when_the_owner_comes_back(api):
    user = UserFactory()
    stolen = sign_in(api, user)["refresh"]
    thief = _refresh(APIClient(), stolen).json()
    thief = _refresh(APIClient(), thief["refresh"]).json()  # the thief keeps rotating
    assert _refresh(api, stolen).status_code == 401  # the owner's app, with the token it was given
    assert api.get(ME, **bearer(thief["access"])).status_code == 401
    assert _refresh(APIClient(), thief["refresh"]).status_code == 401
    assert not UserSession.objects.filter(user=user).exists()


def test_an_unknown_refresh_token_ends_nothing(api):
    user = UserFactory()
    tokens = sign_in(api, user)
    assert _refresh(api, "never-issued").status_code == 401
    assert _refresh(api, "").status_code == 400
    assert api.get(ME, **bearer(tokens["access"])).status_code == 200
    assert not AuditLog.objects.filter(action="session.refresh_reuse").exists()


def test_spent_refresh_tokens_are_forgotten_once_they_would_have_expired(api, settings):
    user = UserFactory()
    first = sign_in(api, user)
    second = _refresh(api, first["refresh"]).json()
    _refresh(api, second["refresh"])
    session = UserSession.objects.get(user=user)
    assert session.spent_tokens.count() == 2
    session.spent_tokens.filter(token_hash=token_hash(first["refresh"])).update(
        created_at=timezone.now() - timedelta(seconds=settings.API_REFRESH_TOKEN_TTL + 60)
    )
    sessions_purge_expired()
    assert list(session.spent_tokens.values_list("token_hash", flat=True)) == [token_hash(second["refresh"])]
    assert UserSession.objects.filter(pk=session.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_refresh_token_sent_twice_at_once_is_exchanged_at_most_once():
    """Two requests with one refresh token at the same instant (a copied token, or an app that
    retried): the row lock lets one exchange it; the other finds it spent and ends the session."""
    user = UserFactory()
    tokens = sign_in(APIClient(HTTP_ACCEPT_LANGUAGE="en"), user)
    workers = 4
    barrier = threading.Barrier(workers)

    def attempt(_n):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        try:
            barrier.wait()
            response = _refresh(client, tokens["refresh"])
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(attempt, range(workers)))
    codes = sorted(code for code, _body in results)
    assert codes == [200] + [401] * (workers - 1), results
    (winner,) = [body for code, body in results if code == 200]
    # The winner's tokens are dead too: the session ended.
    assert APIClient().get(ME, **bearer(winner["access"])).status_code == 401
    assert not UserSession.objects.filter(user=user).exists()
    assert AuditLog.objects.filter(action="session.refresh_reuse").count() >= 1


def test_an_expired_access_token_is_refused_with_token_expired(api):
    user = UserFactory()
    old = int(time.time()) - settings.API_ACCESS_TOKEN_TTL - 60
    with mock.patch.object(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(old)):
        tokens = sign_in(api, user)
    response = api.get(ME, **bearer(tokens["access"]))
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert response["WWW-Authenticate"] == "Bearer"
    # The refresh token still gets a fresh pair.
    assert api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 200


def test_without_a_token_me_answers_401_not_403(api):
    response = api.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"
    assert api.get(ME, HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    assert api.post(LOGOUT).status_code == 401


def test_refresh_is_refused_once_the_account_is_suspended(api):
    user = UserFactory()
    tokens = sign_in(api, user)
    User.objects.filter(pk=user.pk).update(status=UserStatus.SUSPENDED)
    assert api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    assert api.get(ME, **bearer(tokens["access"])).status_code == 401


# --- login ----------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["+998935550011", "93 555 00 11", "+998 (93) 555-00-11"])
def test_login_with_phone(api, typed):
    user = UserFactory(phone="+998935550011")
    response = api.post(LOGIN, {"login": typed, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["user"]["id"] == user.pk
    assert api.get(ME, **bearer(response.json()["access"])).json()["phone"] == "+998935550011"


def test_login_with_a_wrong_password_is_401_and_opens_no_session(api):
    user = UserFactory()
    response = api.post(LOGIN, {"login": user.email, "password": "not-it"}, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "The email or phone and password do not match.", "code": "invalid"}
    assert not UserSession.objects.exists()


@pytest.mark.parametrize(
    ("status", "words"),
    [(UserStatus.SUSPENDED, "suspended"), (UserStatus.BANNED, "blocked"), (UserStatus.INACTIVE, "not active")],
)
def test_login_of_a_refused_account_is_403_with_its_message(api, status, words):
    user = UserFactory(status=status)
    response = api.post(LOGIN, {"login": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == status
    assert words in response.json()["detail"]
    assert not UserSession.objects.exists()


def test_login_of_a_deleted_account_is_401(api):
    user = UserFactory(deleted_at="2026-01-01T00:00:00Z")
    response = api.post(LOGIN, {"login": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 401
    assert not UserSession.objects.exists()


def test_login_without_fields_is_400(api):
    response = api.post(LOGIN, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"login", "password"}


def test_login_is_throttled_with_retry_after(api, settings):
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 3
    user = UserFactory()
    for _ in range(3):
        assert api.post(LOGIN, {"login": user.email, "password": "bad"}, format="json").status_code == 401
    # Locked now, even with the right password.
    response = api.post(LOGIN, {"login": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked"
    assert "Try again in 15 minutes" in response.json()["detail"]
    assert 14 * 60 < int(response["Retry-After"]) <= settings.LOGIN_THROTTLE_WINDOW
    assert not UserSession.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_login_throttle_holds_under_concurrent_requests(settings):
    """30 simultaneous wrong guesses through the API (each from its own address, so only the
    account limit applies): exactly the limit reach the password check, the rest are told to wait."""
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 5
    user = UserFactory()
    threads = 30
    barrier = threading.Barrier(threads)

    def attempt(n):
        client = Client(REMOTE_ADDR=f"10.3.0.{n + 1}", HTTP_ACCEPT_LANGUAGE="en")
        try:
            barrier.wait()
            response = client.post(
                LOGIN, {"login": user.email, "password": f"wrong-{n}"}, content_type="application/json"
            )
            return response.status_code, response.headers.get("Retry-After")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(attempt, range(threads)))
    codes = [code for code, _retry in results]
    assert codes.count(401) == settings.LOGIN_THROTTLE_PER_ACCOUNT
    assert codes.count(429) == threads - settings.LOGIN_THROTTLE_PER_ACCOUNT
    assert all(int(retry) > 0 for code, retry in results if code == 429)
    assert not UserSession.objects.exists()


def test_login_and_register_ignore_a_browser_session_without_csrf_token():
    """A signed-in browser's cookie does not bring CSRF checks (or its identity) into the auth endpoints."""
    browser_user, other = UserFactory(), UserFactory()
    client = APIClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(browser_user)
    response = client.post(LOGIN, {"login": other.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200 and response.json()["user"]["id"] == other.pk
    response = client.post(
        REGISTER,
        {"email": "new@example.uz", "password": STRONG_PASSWORD, "first_name": "N", "last_name": "M"},
        format="json",
    )
    assert response.status_code == 201


# --- register -------------------------------------------------------------------------------
def test_register_creates_the_account_signs_in_and_sends_the_link(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            REGISTER,
            {
                "email": "Dilnoza@Example.UZ",
                "password": STRONG_PASSWORD,
                "first_name": "Dilnoza",
                "last_name": "Rashidova",
                "phone": "90 777 00 11",
                "role": "seller",
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user"]["email"] == "dilnoza@example.uz"
    assert body["user"]["role"] == "seller" and body["user"]["email_verified"] is False
    assert body["access_expires_in"] == settings.API_ACCESS_TOKEN_TTL
    user = User.objects.get(email="dilnoza@example.uz")
    assert user.check_password(STRONG_PASSWORD) and user.phone == "+998907770011"
    assert api.get(ME, **bearer(body["access"])).json()["id"] == user.pk
    assert [m.to for m in mail.outbox] == [["dilnoza@example.uz"]]


def test_register_defaults_to_buyer(api):
    response = api.post(
        REGISTER,
        {"email": "b@example.uz", "password": STRONG_PASSWORD, "first_name": "B", "last_name": "C"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["user"]["role"] == UserRole.BUYER and response.json()["user"]["phone"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "12345678"}, "password"),
        ({"password": "short"}, "password"),
        ({"email": "TAKEN@example.uz"}, "email"),
        ({"phone": "+998 90 111 00 00"}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"role": "courier"}, "role"),
        ({"role": "admin"}, "role"),
        ({"email": "not-an-email"}, "email"),
        ({"first_name": ""}, "first_name"),
    ],
)
def test_register_refusals_are_400_with_field_messages_and_write_nothing(
    api, overrides, field, django_capture_on_commit_callbacks
):
    UserFactory(email="taken@example.uz", phone="+998901110000", phone_verified=True)
    users, audits = User.objects.count(), AuditLog.objects.count()
    data = {"email": "fresh@example.uz", "password": STRONG_PASSWORD, "first_name": "F", "last_name": "L"}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(REGISTER, {**data, **overrides}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert isinstance(body[field], list) and all(isinstance(message, str) for message in body[field])
    assert User.objects.count() == users and AuditLog.objects.count() == audits
    assert not UserSession.objects.exists()
    assert mail.outbox == []


# --- profile --------------------------------------------------------------------------------
def test_me_shows_the_profile_fields(api):
    user = UserFactory(avatar_url="/media/avatars/x/pic.jpg")
    api.credentials(**bearer(sign_in(api, user)["access"]))
    body = api.get(ME).json()
    assert set(body) == {
        "id",
        "uuid",
        "email",
        "phone",
        "first_name",
        "last_name",
        "role",
        "status",
        "email_verified",
        "phone_verified",
        "avatar_url",
        "avatar_thumbnail_url",
        "created_at",
    }
    assert body["uuid"] == str(user.uuid)
    assert body["avatar_url"] == "http://testserver/media/avatars/x/pic.jpg"
    assert body["avatar_thumbnail_url"] == "http://testserver/media/avatars/x/pic_thumb.jpg"


def test_me_patch_changes_only_what_is_sent(api):
    user = UserFactory(first_name="Old", last_name="Name", phone="+998901000001", phone_verified=True)
    api.credentials(**bearer(sign_in(api, user)["access"]))
    response = api.patch(ME, {"first_name": " Bobur "}, format="json")
    assert response.status_code == 200
    assert response.json()["first_name"] == "Bobur" and response.json()["last_name"] == "Name"
    assert response.json()["phone_verified"] is True

    response = api.patch(ME, {"phone": "+998901000002"}, format="json")
    assert response.json()["phone"] == "+998901000002" and response.json()["phone_verified"] is False
    user.refresh_from_db()
    assert (user.first_name, user.phone, user.phone_verified) == ("Bobur", "+998901000002", False)
    # Read-only fields are ignored, not written.
    api.patch(ME, {"email": "hijack@example.uz", "role": "admin", "email_verified": True}, format="json")
    user.refresh_from_db()
    assert user.email != "hijack@example.uz" and user.role == UserRole.BUYER and not user.email_verified
    assert api.put(ME, {"first_name": "X"}, format="json").status_code == 405


def test_me_patch_refuses_a_taken_phone(api):
    UserFactory(phone="+998901000009", phone_verified=True)
    user = UserFactory(phone="+998901000008")
    api.credentials(**bearer(sign_in(api, user)["access"]))
    response = api.patch(ME, {"phone": "+998901000009", "first_name": "Changed"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["phone"]
    user.refresh_from_db()
    assert user.phone == "+998901000008" and user.first_name != "Changed"


def test_me_works_with_a_browser_session_too():
    user = UserFactory()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    assert client.get(ME).json()["id"] == user.pk


def _picture(fmt="PNG", size=(640, 480)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def test_avatar_upload_stores_picture_and_thumbnail(api):
    user = UserFactory()
    api.credentials(**bearer(sign_in(api, user)["access"]))
    upload = SimpleUploadedFile("me.png", _picture(), content_type="image/png")
    response = api.post("/api/v1/me/avatar/", {"avatar": upload}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["avatar_url"].startswith("http://testserver/media/avatars/")
    assert body["avatar_thumbnail_url"].endswith("_thumb.jpg")
    user.refresh_from_db()
    media = Path(settings.MEDIA_ROOT)
    picture = media / user.avatar_url.removeprefix(settings.MEDIA_URL)
    thumbnail = media / user.avatar_thumbnail_url.removeprefix(settings.MEDIA_URL)
    with Image.open(picture) as stored, Image.open(thumbnail) as thumb:
        assert stored.size == (512, 512) and thumb.size == (128, 128)


@pytest.mark.parametrize(
    "upload",
    [
        lambda: SimpleUploadedFile("notes.png", b"not a picture at all", content_type="image/png"),
        lambda: SimpleUploadedFile("anim.gif", _picture("GIF"), content_type="image/gif"),
        None,
    ],
    ids=["garbage", "gif", "missing"],
)
def test_avatar_upload_refuses_what_is_not_a_picture(api, upload):
    user = UserFactory(avatar_url="/media/avatars/old.jpg")
    api.credentials(**bearer(sign_in(api, user)["access"]))
    response = api.post("/api/v1/me/avatar/", {"avatar": upload()} if upload else {}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()) == ["avatar"]
    user.refresh_from_db()
    assert user.avatar_url == "/media/avatars/old.jpg"
    assert not (Path(settings.MEDIA_ROOT) / "avatars" / str(user.uuid)).exists()


def test_verify_email_resends_the_link(api, django_capture_on_commit_callbacks):
    user = UserFactory()
    api.credentials(**bearer(sign_in(api, user)["access"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/me/verify-email/")
    assert response.status_code == 202 and user.email in response.json()["detail"]
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_verify_phone_by_texted_code(api, django_capture_on_commit_callbacks, _sms_outbox):
    user = UserFactory(phone="+998901234000")
    api.credentials(**bearer(sign_in(api, user)["access"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/me/verify-phone/")
    assert response.status_code == 202
    [sms] = _sms_outbox
    assert sms["phone"] == "+998901234000"
    code = next(word for word in sms["text"].replace(".", " ").split() if word.isdigit() and len(word) == 6)

    again = api.post("/api/v1/me/verify-phone/")  # one send a minute
    assert again.status_code == 429 and again.json()["code"] == "rate_limited"
    assert 1 <= int(again["Retry-After"]) <= 60

    wrong = "000000" if code != "000000" else "111111"
    response = api.post("/api/v1/me/verify-phone/confirm/", {"code": wrong}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["code"]
    response = api.post("/api/v1/me/verify-phone/confirm/", {"code": code}, format="json")
    assert response.status_code == 200 and response.json()["phone_verified"] is True
    user.refresh_from_db()
    assert user.phone_verified


def test_verification_of_what_is_already_confirmed_sends_nothing(api, django_capture_on_commit_callbacks, _sms_outbox):
    user = UserFactory(email_verified=True, phone_verified=True)
    api.credentials(**bearer(sign_in(api, user)["access"]))
    with django_capture_on_commit_callbacks(execute=True):
        email = api.post("/api/v1/me/verify-email/")
        phone = api.post("/api/v1/me/verify-phone/")
    assert email.status_code == 400 and list(email.json()) == ["email"]
    assert phone.status_code == 400 and list(phone.json()) == ["phone"]
    assert mail.outbox == [] and _sms_outbox == []


def test_verify_phone_without_a_phone_is_400(api):
    user = UserFactory(phone=None)
    api.credentials(**bearer(sign_in(api, user)["access"]))
    response = api.post("/api/v1/me/verify-phone/")
    assert response.status_code == 400 and list(response.json()) == ["phone"]


# --- addresses ------------------------------------------------------------------------------
def test_address_crud_and_default_rules(api):
    user = UserFactory()
    api.credentials(**bearer(sign_in(api, user)["access"]))

    first = api.post(ADDRESSES, address_payload(label="Home"), format="json")
    assert first.status_code == 201, first.content
    assert first.json()["is_default"] is True  # the first of its type
    assert first.json()["latitude"] == "41.35000000"
    second = api.post(ADDRESSES, address_payload(label="Work", is_default=True), format="json")
    assert second.json()["is_default"] is True
    billing = api.post(ADDRESSES, address_payload(type="billing", label="Office"), format="json")
    assert billing.json()["is_default"] is True  # defaults are per type
    first_id, second_id, billing_id = first.json()["id"], second.json()["id"], billing.json()["id"]
    assert not UserAddress.objects.get(pk=first_id).is_default

    listing = api.get(ADDRESSES).json()
    assert listing["count"] == 3
    # Grouped by type (in the enum's order: delivery, billing), the default first.
    assert [a["id"] for a in listing["results"] if a["is_default"]] == [second_id, billing_id]

    detail = api.get(f"{ADDRESSES}{first_id}/")
    assert detail.status_code == 200 and detail.json()["label"] == "Home"

    patched = api.patch(f"{ADDRESSES}{first_id}/", {"apartment": "7", "latitude": "41.3111"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["apartment"] == "7" and patched.json()["label"] == "Home"
    assert patched.json()["latitude"] == "41.31110000" and patched.json()["longitude"] == "69.29000000"

    replaced = api.put(
        f"{ADDRESSES}{first_id}/", address_payload(label="Dacha", latitude=None, longitude=None), format="json"
    )
    assert replaced.status_code == 200
    assert replaced.json()["label"] == "Dacha" and replaced.json()["latitude"] is None

    made = api.post(f"{ADDRESSES}{first_id}/make-default/")
    assert made.status_code == 200 and made.json()["is_default"] is True
    assert not UserAddress.objects.get(pk=second_id).is_default

    refused = api.patch(f"{ADDRESSES}{first_id}/", {"is_default": False}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["is_default"]

    # Deleting the default hands it to the other delivery address; the row stays (soft delete).
    assert api.delete(f"{ADDRESSES}{first_id}/").status_code == 204
    assert UserAddress.objects.get(pk=first_id).deleted_at is not None
    assert UserAddress.objects.get(pk=second_id).is_default
    assert api.get(f"{ADDRESSES}{first_id}/").status_code == 404
    assert api.delete(f"{ADDRESSES}{first_id}/").status_code == 404
    assert [a["id"] for a in api.get(ADDRESSES).json()["results"]] == [second_id, billing_id]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": "91"}, "latitude"),
        ({"longitude": "-180.5"}, "longitude"),
        ({"latitude": "north"}, "latitude"),
        ({"latitude": "1e400"}, "latitude"),
        ({"longitude": None}, "latitude"),  # both or neither
        ({"type": "pickup"}, "type"),
        ({"city": ""}, "city"),
        ({"street": "x" * 256}, "street"),
    ],
)
def test_address_create_refusals_are_400_and_write_nothing(api, overrides, field):
    user = UserFactory()
    api.credentials(**bearer(sign_in(api, user)["access"]))
    response = api.post(ADDRESSES, address_payload(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not UserAddress.objects.filter(user=user).exists()


def test_address_create_without_coordinates_and_with_phone_precision(api):
    user = UserFactory()
    api.credentials(**bearer(sign_in(api, user)["access"]))
    data = address_payload()
    del data["latitude"], data["longitude"]
    assert api.post(ADDRESSES, data, format="json").json()["latitude"] is None
    # Phones report more decimals than we keep: rounded, not refused.
    precise = api.post(ADDRESSES, address_payload(latitude="41.311081234567", longitude="69.2401234567891"))
    assert precise.status_code == 201
    assert (precise.json()["latitude"], precise.json()["longitude"]) == ("41.31108123", "69.24012346")


def test_one_coordinate_cannot_be_dropped_on_its_own(api):
    user = UserFactory()
    address = UserAddressFactory(user=user)
    api.credentials(**bearer(sign_in(api, user)["access"]))
    response = api.patch(f"{ADDRESSES}{address.pk}/", {"longitude": None}, format="json")
    assert response.status_code == 400 and "latitude" in response.json()
    assert UserAddress.objects.get(pk=address.pk).longitude is not None


def test_another_users_address_is_404_and_stays_unchanged(api):
    owner = UserFactory()
    theirs = UserAddressFactory(user=owner, label="Theirs")
    user = UserFactory()
    UserAddressFactory(user=user)
    deleted_mine = UserAddressFactory(user=user, is_default=False, deleted_at="2026-01-01T00:00:00Z")
    before = model_to_dict(UserAddress.objects.get(pk=theirs.pk))
    api.credentials(**bearer(sign_in(api, user)["access"]))

    url = f"{ADDRESSES}{theirs.pk}/"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"label": "Mine now"}, format="json").status_code == 404
    assert api.put(url, address_payload(label="Mine now"), format="json").status_code == 404
    assert api.post(f"{url}make-default/").status_code == 404
    assert api.delete(url).status_code == 404
    assert model_to_dict(UserAddress.objects.get(pk=theirs.pk)) == before
    assert theirs.pk not in [a["id"] for a in api.get(ADDRESSES).json()["results"]]
    assert deleted_mine.pk not in [a["id"] for a in api.get(ADDRESSES).json()["results"]]
    assert api.get(f"{ADDRESSES}{deleted_mine.pk}/").status_code == 404


def test_address_list_runs_the_same_queries_for_3_and_20_rows(api):
    user = UserFactory()
    api.credentials(**bearer(sign_in(api, user)["access"]))
    UserAddressFactory.create_batch(3, user=user, is_default=False)
    api.get(ADDRESSES)  # warm the token cache and the once-a-minute activity write
    with CaptureQueriesContext(connection) as three:
        assert api.get(ADDRESSES).json()["count"] == 3
    UserAddressFactory.create_batch(17, user=user, is_default=False, type=AddressType.BILLING)
    with CaptureQueriesContext(connection) as twenty:
        assert len(api.get(ADDRESSES).json()["results"]) == 20
    assert len(three) == len(twenty) <= 3


# --- sessions -------------------------------------------------------------------------------
def test_sessions_list_marks_the_current_one(api):
    user = UserFactory()
    other_app = sign_in(APIClient(HTTP_USER_AGENT="GOGOMARKET/2.0 (iOS 18)"), user)
    tokens = sign_in(api, user)
    browser = UserSessionFactory(
        user=user, refresh_token=None, user_agent="Mozilla/5.0 (Windows NT 10.0) Chrome/130.0 Safari/537.36"
    )
    UserSessionFactory()  # someone else's
    api.credentials(**bearer(tokens["access"]))

    response = api.get(SESSIONS)
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert len(rows) == 3
    current = [row for row in rows.values() if row["is_current"]]
    assert len(current) == 1
    assert current[0]["is_api"] is True and current[0]["device"] == "GOGOMARKET 2.1"
    assert rows[browser.pk]["is_api"] is False and rows[browser.pk]["device"] == "Chrome · Windows"
    assert set(current[0]) == {
        "id",
        "device",
        "ip_address",
        "user_agent",
        "created_at",
        "last_activity_at",
        "expires_at",
        "is_api",
        "is_current",
    }
    assert APIClient().get(ME, **bearer(other_app["access"])).status_code == 200


def test_sessions_list_marks_the_browser_session_as_current_for_a_browser():
    user = UserFactory()
    sign_in(APIClient(), user)
    client = APIClient()
    client.force_login(user)
    rows = client.get(SESSIONS).json()["results"]
    assert [row["is_api"] for row in rows if row["is_current"]] == [False]
    assert len(rows) == 2


def test_deleting_sessions(api):
    user = UserFactory()
    other_device = APIClient()
    other_tokens = sign_in(other_device, user)
    other_device.credentials(**bearer(other_tokens["access"]))
    api.credentials(**bearer(sign_in(api, user)["access"]))
    theirs = UserSessionFactory()

    assert api.delete(f"{SESSIONS}{theirs.pk}/").status_code == 404
    assert UserSession.objects.filter(pk=theirs.pk).exists()

    other_id = UserSession.objects.filter(user=user).exclude(pk=_current_id(api)).get().pk
    assert other_device.get(ME).status_code == 200  # its session is cached in Redis now
    assert api.delete(f"{SESSIONS}{other_id}/").status_code == 204
    assert other_device.get(ME).status_code == 401
    assert APIClient().post(REFRESH, {"refresh": other_tokens["refresh"]}, format="json").status_code == 401
    assert api.delete(f"{SESSIONS}{other_id}/").status_code == 404

    # Ending the session in use signs this app out.
    assert api.delete(f"{SESSIONS}{_current_id(api)}/").status_code == 204
    assert api.get(ME).status_code == 401
    assert not UserSession.objects.filter(user=user).exists()
    assert AuditLog.objects.filter(action="session.revoke", user=user).count() == 2


def _current_id(api):
    return next(row["id"] for row in api.get(SESSIONS).json()["results"] if row["is_current"])


def test_bearer_calls_keep_last_activity_current_writing_at_most_once_a_minute(api):
    user = UserFactory()
    api.credentials(**bearer(sign_in(api, user)["access"]))
    session = UserSession.objects.get(user=user)
    long_ago = timezone.now() - timedelta(hours=2)

    UserSession.objects.filter(pk=session.pk).update(last_activity_at=long_ago)
    before = timezone.now()
    assert api.get(ME).status_code == 200
    session.refresh_from_db()
    assert session.last_activity_at >= before
    shown = next(row for row in api.get(SESSIONS).json()["results"] if row["is_current"])
    assert datetime.fromisoformat(shown["last_activity_at"]) >= before

    # Within the minute the calls write nothing ...
    UserSession.objects.filter(pk=session.pk).update(last_activity_at=long_ago)
    assert api.get(ME).status_code == 200
    session.refresh_from_db()
    assert session.last_activity_at == long_ago
    # ... and once it has passed, the next call brings the row up to date again.
    cache.delete(SESSION_TOUCH_KEY.format(id=session.pk))
    assert api.get(ADDRESSES).status_code == 200
    session.refresh_from_db()
    assert session.last_activity_at >= before


def test_session_list_runs_the_same_queries_for_3_and_20_rows(api):
    user = UserFactory()
    api.credentials(**bearer(sign_in(api, user)["access"]))
    UserSessionFactory.create_batch(2, user=user)
    api.get(SESSIONS)
    with CaptureQueriesContext(connection) as three:
        assert api.get(SESSIONS).json()["count"] == 3
    UserSessionFactory.create_batch(17, user=user)
    with CaptureQueriesContext(connection) as twenty:
        assert len(api.get(SESSIONS).json()["results"]) == 20
    assert len(three) == len(twenty) <= 3


# --- OpenAPI --------------------------------------------------------------------------------
ACCOUNT_PATHS = {
    "/api/v1/auth/register/": ["post"],
    "/api/v1/auth/login/": ["post"],
    "/api/v1/auth/refresh/": ["post"],
    "/api/v1/auth/logout/": ["post"],
    "/api/v1/me/": ["get", "patch"],
    "/api/v1/me/avatar/": ["post"],
    "/api/v1/me/verify-email/": ["post"],
    "/api/v1/me/verify-phone/": ["post"],
    "/api/v1/me/verify-phone/confirm/": ["post"],
    "/api/v1/me/addresses/": ["get", "post"],
    "/api/v1/me/addresses/{id}/": ["get", "put", "patch", "delete"],
    "/api/v1/me/addresses/{id}/make-default/": ["post"],
    "/api/v1/me/sessions/": ["get"],
    "/api/v1/me/sessions/{id}/": ["delete"],
}


def test_openapi_schema_documents_the_accounts_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": mock.ANY,
    }
    for path, methods in ACCOUNT_PATHS.items():
        assert path in schema["paths"], path
        assert sorted(m for m in schema["paths"][path] if m != "parameters") == sorted(methods), path
        for method in methods:
            operation = schema["paths"][path][method]
            tag = "auth" if path.startswith("/api/v1/auth/") else "me"
            assert operation["tags"] == [tag], (path, method)
            public = path in ("/api/v1/auth/register/", "/api/v1/auth/login/", "/api/v1/auth/refresh/")
            if public:
                assert operation["security"] == [{}], (path, method)
            else:
                assert {"bearerAuth": []} in operation["security"], (path, method)
                assert "401" in operation["responses"], (path, method)
    login = schema["paths"]["/api/v1/auth/login/"]["post"]
    assert set(login["responses"]) == {"200", "400", "401", "403", "429"}
    assert login["requestBody"]["content"]["application/json"]["examples"]


def test_openapi_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/me/sessions/{id}/" in (tmp_path / "schema.yml").read_text()


def test_too_many_sign_ups_from_one_address_get_429_with_retry_after(api, monkeypatch):
    from accounts.services import auth

    monkeypatch.setattr(auth, "SIGNUPS_PER_IP_PER_HOUR", 1)
    first = {"email": "a1@example.uz", "password": STRONG_PASSWORD, "first_name": "A", "last_name": "B"}
    assert api.post(REGISTER, first, format="json").status_code == 201
    response = api.post(REGISTER, {**first, "email": "a2@example.uz"}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "rate_limited"
    assert not User.objects.filter(email="a2@example.uz").exists()


def test_asking_twice_for_the_email_link_within_a_minute_is_429(api, django_capture_on_commit_callbacks):
    user = UserFactory()
    tokens = sign_in(api, user)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post("/api/v1/me/verify-email/", **bearer(tokens["access"])).status_code == 202
        response = api.post("/api/v1/me/verify-email/", **bearer(tokens["access"]))
    assert response.status_code == 429
    assert len(mail.outbox) == 1
