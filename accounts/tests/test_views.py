"""The account pages through the Django test client: wiring, permissions and what a person reads.
The rules themselves are tested on the services (test_services*.py)."""

import html
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.enums import AddressType, UserRole, UserStatus
from accounts.models import User, UserAddress, UserSession
from accounts.services import api_session_create
from accounts.tests.factories import DEFAULT_PASSWORD, UserAddressFactory, UserFactory
from gogomarket.core.models import AuditLog
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NEW_PASSWORD = "Yangi-parol-2026!"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36"


def text_of(response):
    return html.unescape(response.content.decode())


def signed_in_user(client):
    """The user this client is signed in as (checked against the server), or None."""
    response = client.get(reverse("catalog:home"))
    user = response.wsgi_request.user
    return user if user.is_authenticated else None


def sign_in(client, user, password=DEFAULT_PASSWORD, **extra):
    response = client.post(reverse("accounts:login"), {"login": user.email, "password": password}, **extra)
    assert response.status_code == 302, text_of(response)
    return response


def signup_data(**overrides):
    return {
        "role": "buyer",
        "first_name": "Dilnoza",
        "last_name": "Rahimova",
        "email": "Dilnoza@Example.uz",
        "phone": "90 123 45 67",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


def png_bytes(size=(40, 30), color=(200, 30, 90)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def media_files():
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- sign-up -----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [UserRole.BUYER, UserRole.SELLER])
def test_sign_up_creates_the_account_signs_in_and_sends_a_verification_link(
    client, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), signup_data(role=role), follow=True, **EN)

    assert response.redirect_chain == [(reverse("accounts:profile"), 302)]
    user = User.objects.get(email="dilnoza@example.uz")
    assert user.role == role
    assert user.phone == "+998901234567"
    assert user.check_password(NEW_PASSWORD)
    assert not user.email_verified and not user.phone_verified
    assert response.wsgi_request.user == user
    assert UserSession.objects.filter(user=user, refresh_token__isnull=True).count() == 1
    assert "We sent a link to dilnoza@example.uz" in " ".join(messages_of(response))
    assert [m.to for m in mail.outbox] == [["dilnoza@example.uz"]]
    assert "/account/verify-email/" in mail.outbox[0].body


def test_sign_up_as_a_courier_is_refused_and_creates_nothing(client):
    response = client.post(reverse("accounts:signup"), signup_data(role="courier"), **EN)

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(email="dilnoza@example.uz").exists()
    assert signed_in_user(client) is None


def test_sign_up_shows_the_service_errors_on_the_fields(client):
    UserFactory(email="taken@example.uz", phone="+998901112233")

    response = client.post(
        reverse("accounts:signup"), signup_data(email="TAKEN@example.uz", phone="+998 90 111 22 33"), **EN
    )
    assert response.status_code == 200
    assert "This email is already registered." in response.context["form"].errors["email"]

    response = client.post(reverse("accounts:signup"), signup_data(password1="12345678", password2="12345678"), **EN)
    errors = response.context["form"].errors
    assert any("too common" in e for e in errors["password1"]), errors

    response = client.post(reverse("accounts:signup"), signup_data(password2="something-else-2026"), **EN)
    assert "The two passwords do not match." in response.context["form"].errors["password2"]

    response = client.post(reverse("accounts:signup"), signup_data(phone="12ab"), **EN)
    assert "Enter a phone number like +998 90 123 45 67." in response.context["form"].errors["phone"]
    assert User.objects.count() == 1


def test_sign_up_page_renders_for_a_visitor(client):
    response = client.get(reverse("accounts:signup"), **EN)

    assert response.status_code == 200
    page = text_of(response)
    assert 'name="role" value="buyer"' in page and 'name="role" value="seller"' in page
    assert 'value="courier"' not in page
    assert "csrfmiddlewaretoken" in page


# --- sign-in and sign-out ----------------------------------------------------------------------
def test_sign_in_with_email_starts_a_browser_session(client):
    user = UserFactory(email="aziz@example.uz")

    response = client.post(
        reverse("accounts:login"), {"login": " AZIZ@example.uz ", "password": DEFAULT_PASSWORD}, HTTP_USER_AGENT=CHROME
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    session = UserSession.objects.get(user=user)
    assert not session.is_api and session.device == "Chrome · Windows"
    assert signed_in_user(client) == user


@pytest.mark.parametrize("typed", ["+998935556677", "93 555 66 77", "998 (93) 555-66-77"])
def test_sign_in_with_phone_in_any_usual_spelling(client, typed):
    user = UserFactory(phone="+998935556677")

    response = client.post(reverse("accounts:login"), {"login": typed, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert signed_in_user(client) == user


def test_sign_in_follows_a_safe_next_and_ignores_another_site(client):
    user = UserFactory()
    response = client.post(
        reverse("accounts:login") + "?next=/account/addresses/", {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == "/account/addresses/"

    other = Client()
    response = other.post(
        reverse("accounts:login"), {"login": user.email, "password": DEFAULT_PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts:profile")


def test_sign_in_page_keeps_next_in_the_form(client):
    page = text_of(client.get(reverse("accounts:login") + "?next=/account/sessions/"))

    assert 'name="next" value="/account/sessions/"' in page


def test_wrong_password_says_so_and_signs_nobody_in(client):
    user = UserFactory()

    response = client.post(reverse("accounts:login"), {"login": user.email, "password": "wrong"}, **EN)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The email or phone and password do not match."]
    assert "The email or phone and password do not match." in text_of(response)
    assert not UserSession.objects.filter(user=user).exists()
    assert signed_in_user(client) is None


def test_empty_sign_in_form_shows_field_errors(client):
    response = client.post(reverse("accounts:login"), {"login": "", "password": ""}, **EN)

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"login", "password"}


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (UserStatus.SUSPENDED, "Your account is suspended. Please contact support."),
        (UserStatus.BANNED, "Your account has been blocked. Please contact support."),
        (UserStatus.INACTIVE, "Your account is not active. Please contact support."),
    ],
)
def test_suspended_banned_and_inactive_accounts_get_a_clear_message(client, status, message):
    user = UserFactory(status=status)

    response = client.post(reverse("accounts:login"), {"login": user.email, "password": DEFAULT_PASSWORD}, **EN)

    assert response.status_code == 200
    assert message in text_of(response)
    assert not UserSession.objects.filter(user=user).exists()
    assert signed_in_user(client) is None


def test_a_deleted_account_cannot_sign_in(client):
    user = UserFactory(deleted_at=timezone.now())

    response = client.post(reverse("accounts:login"), {"login": user.email, "password": DEFAULT_PASSWORD}, **EN)

    assert "The email or phone and password do not match." in text_of(response)


def test_too_many_attempts_are_throttled_with_a_clear_message(client, settings):
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 3
    user = UserFactory()
    for _ in range(3):
        client.post(reverse("accounts:login"), {"login": user.email, "password": "wrong"}, **EN)

    # even the right password is refused now
    response = client.post(reverse("accounts:login"), {"login": user.email, "password": DEFAULT_PASSWORD}, **EN)

    assert response.status_code == 200
    assert "Too many sign-in attempts. Try again in 15 minutes." in text_of(response)
    assert signed_in_user(client) is None


def test_logout_by_get_changes_nothing(client):
    user = UserFactory()
    sign_in(client, user)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert signed_in_user(client) == user
    assert UserSession.objects.filter(user=user).count() == 1


def test_logout_by_post_ends_the_browser_session(client):
    user = UserFactory()
    sign_in(client, user)

    response = client.post(reverse("accounts:logout"), follow=True, **EN)

    assert response.redirect_chain == [(reverse("catalog:home"), 302)]
    assert "You have signed out." in messages_of(response)
    assert not UserSession.objects.filter(user=user).exists()
    assert signed_in_user(client) is None


def test_header_links_to_the_account_pages(client):
    page = text_of(client.get(reverse("catalog:home"), **EN))
    assert f'href="{reverse("accounts:login")}?next=/"' in page

    sign_in(client, UserFactory(first_name="Jasur"))
    page = text_of(client.get(reverse("catalog:home"), **EN))
    assert f'href="{reverse("accounts:profile")}"' in page
    assert f'action="{reverse("accounts:logout")}" method="post"' in page


@pytest.mark.parametrize("name", ["profile", "addresses", "address_add", "sessions", "password_change"])
def test_account_pages_need_sign_in(client, name):
    url = reverse(f"accounts:{name}")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


# --- passwords ---------------------------------------------------------------------------------
def test_password_change_keeps_this_browser_and_ends_the_others(client):
    user = UserFactory()
    sign_in(client, user)
    laptop = Client()
    sign_in(laptop, user)
    _session, _access, _refresh = api_session_create(user=user)
    assert UserSession.objects.filter(user=user).count() == 3

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
        **EN,
    )

    assert response.redirect_chain == [(reverse("accounts:profile"), 302)]
    assert "Your password is changed. Your other sessions have ended." in messages_of(response)
    assert signed_in_user(client) == user
    assert signed_in_user(laptop) is None
    assert UserSession.objects.filter(user=user).count() == 1
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_change_with_a_wrong_old_password_changes_nothing(client):
    user = UserFactory()
    sign_in(client, user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        **EN,
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.context["form"].errors["old_password"]
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": "short", "new_password2": "short"},
        **EN,
    )
    assert response.context["form"].errors["new_password1"]
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def reset_link_from_outbox():
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^/\s]+(/account/password/reset/[^\s]+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_password_reset_by_emailed_link_sets_a_new_password_and_ends_every_session(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="malika@example.uz", first_name="Malika")
    phone = Client()
    sign_in(phone, user)
    api_session_create(user=user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "Malika@Example.uz"}, **EN)
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox[0].to == ["malika@example.uz"]
    assert mail.outbox[0].subject == "Reset your GOGOMARKET password"
    assert "Hello Malika," in mail.outbox[0].body

    response = client.get(reset_link_from_outbox(), follow=True, **EN)
    assert response.status_code == 200 and response.context["validlink"]
    set_password_url = response.redirect_chain[-1][0]
    response = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True, **EN
    )

    assert response.redirect_chain == [(reverse("accounts:password_reset_complete"), 302)]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not UserSession.objects.filter(user=user).exists()
    assert signed_in_user(phone) is None
    assert AuditLog.objects.filter(action="user.password_reset", entity_id=user.pk).exists()
    # the link works once, and the new password signs in
    assert not client.get(reset_link_from_outbox(), follow=True).context["validlink"]
    sign_in(Client(), user, password=NEW_PASSWORD)


@pytest.mark.parametrize("kind", ["unknown", "suspended", "deleted"])
def test_password_reset_sends_nothing_to_unknown_or_closed_accounts(client, kind, django_capture_on_commit_callbacks):
    if kind == "suspended":
        UserFactory(email="someone@example.uz", status=UserStatus.SUSPENDED)
    elif kind == "deleted":
        UserFactory(email="someone@example.uz", deleted_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "someone@example.uz"})

    # the same answer as for a real account: the page does not tell who has one
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_link_with_garbage_shows_the_broken_link_page(client):
    response = client.get(reverse("accounts:password_reset_confirm", args=["zzzz", "abc-def"]), **EN)

    assert response.status_code == 200
    assert not response.context["validlink"]
    assert "This link does not work" in text_of(response)


# --- email and phone verification --------------------------------------------------------------
def test_email_verification_link_from_the_resend_button(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    sign_in(client, user)
    page = text_of(client.get(reverse("accounts:profile"), **EN))
    assert 'data-testid="email-unverified"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:email_verification_send"), follow=True, **EN)
    assert f"We sent a new link to {user.email}. It may take a minute." in messages_of(response)
    link = re.search(r"https?://[^/\s]+(/account/verify-email/[^\s]+/)", mail.outbox[0].body).group(1)

    response = client.get(link, follow=True, **EN)

    assert "Thank you: your email is confirmed." in messages_of(response)
    user.refresh_from_db()
    assert user.email_verified
    assert 'data-testid="email-verified"' in text_of(client.get(reverse("accounts:profile")))


def test_email_verification_send_is_post_only(client):
    sign_in(client, UserFactory())

    assert client.get(reverse("accounts:email_verification_send")).status_code == 405
    assert mail.outbox == []


def test_a_broken_email_link_says_so(client):
    response = client.get(reverse("accounts:verify_email", args=["not-a-token"]), follow=True, **EN)

    assert "This link is not valid." in messages_of(response)


def test_phone_verification_by_code_from_the_sms(client, _sms_outbox, django_capture_on_commit_callbacks):
    user = UserFactory(phone="+998977770011")
    sign_in(client, user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:phone_code_send"), follow=True, **EN)
    assert "We sent a 6-digit code to +998977770011." in messages_of(response)
    assert [sms["phone"] for sms in _sms_outbox] == ["+998977770011"]
    code = re.search(r"\b(\d{6})\b", _sms_outbox[0]["text"]).group(1)

    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("accounts:phone_verify"), {"code": wrong}, **EN)
    assert response.status_code == 200
    assert "The code is not right." in response.context["phone_code_form"].errors["code"]
    response = client.post(reverse("accounts:phone_verify"), {"code": "12"}, **EN)
    assert "The code has 6 digits." in response.context["phone_code_form"].errors["code"]
    user.refresh_from_db()
    assert not user.phone_verified

    response = client.post(reverse("accounts:phone_verify"), {"code": code}, follow=True, **EN)

    assert "Thank you: your phone is confirmed." in messages_of(response)
    user.refresh_from_db()
    assert user.phone_verified
    assert 'data-testid="phone-verified"' in text_of(response)


def test_asking_for_a_second_code_at_once_is_refused_politely(client, _sms_outbox, django_capture_on_commit_callbacks):
    sign_in(client, UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:phone_code_send"))
        response = client.post(reverse("accounts:phone_code_send"), follow=True, **EN)

    assert len(_sms_outbox) == 1
    assert any("A code was just sent" in m for m in messages_of(response))


def test_phone_code_without_a_phone_says_what_to_do(client, _sms_outbox):
    sign_in(client, UserFactory(phone=None))

    response = client.post(reverse("accounts:phone_code_send"), follow=True, **EN)

    assert "Add a phone number to your profile first." in messages_of(response)
    assert _sms_outbox == []


# --- profile -----------------------------------------------------------------------------------
def test_profile_update_saves_name_and_phone_and_unverifies_a_new_phone(client):
    user = UserFactory(phone="+998901110000", phone_verified=True)
    sign_in(client, user)
    page = text_of(client.get(reverse("accounts:profile"), **EN))
    assert 'value="+998901110000"' in page

    response = client.post(
        reverse("accounts:profile"),
        {"first_name": " Sardor ", "last_name": "Aliyev", "phone": "+998 99 765 43 21"},
        follow=True,
        **EN,
    )

    assert "Your profile is saved." in messages_of(response)
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.phone) == ("Sardor", "Aliyev", "+998997654321")
    assert not user.phone_verified


def test_profile_update_refuses_a_phone_someone_else_has(client):
    UserFactory(phone="+998905550000", phone_verified=True)
    user = UserFactory(first_name="Old")
    sign_in(client, user)

    response = client.post(
        reverse("accounts:profile"), {"first_name": "New", "last_name": "X", "phone": "+998905550000"}, **EN
    )

    assert response.status_code == 200
    assert "This phone is already registered." in response.context["profile_form"].errors["phone"]
    user.refresh_from_db()
    assert user.first_name == "Old"


def test_avatar_upload_stores_the_picture_and_thumbnail_and_shows_the_thumbnail(client):
    user = UserFactory()
    sign_in(client, user)
    upload = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")

    response = client.post(reverse("accounts:avatar"), {"avatar": upload}, follow=True, **EN)

    assert "Your profile picture is updated." in messages_of(response)
    user.refresh_from_db()
    assert user.avatar_url.startswith(django_settings.MEDIA_URL)
    stored = media_files()
    assert len(stored) == 2
    picture = user.avatar_url[len(django_settings.MEDIA_URL) :]
    assert picture in stored and user.avatar_thumbnail_url[len(django_settings.MEDIA_URL) :] in stored
    with Image.open(Path(django_settings.MEDIA_ROOT) / picture) as image:
        assert image.size == (512, 512)
    assert f'src="{user.avatar_thumbnail_url}"' in text_of(response)


def test_avatar_upload_of_a_text_file_is_a_form_error_and_stores_nothing(client):
    user = UserFactory()
    sign_in(client, user)
    upload = SimpleUploadedFile("notes.png", b"this is not a picture", content_type="image/png")

    response = client.post(reverse("accounts:avatar"), {"avatar": upload}, **EN)

    assert response.status_code == 200
    assert "This file is not a picture we can read." in response.context["avatar_form"].errors["avatar"]
    user.refresh_from_db()
    assert user.avatar_url is None
    assert media_files() == []


def test_avatar_upload_of_a_pixel_bomb_is_a_form_error_and_stores_nothing(client):
    user = UserFactory()
    sign_in(client, user)
    bomb = io.BytesIO()
    Image.new("1", (13_000, 13_000)).save(bomb, "PNG", optimize=True)  # ~20 KB, ~500 MB decoded
    upload = SimpleUploadedFile("me.png", bomb.getvalue(), content_type="image/png")

    response = client.post(reverse("accounts:avatar"), {"avatar": upload}, **EN)

    assert response.status_code == 200
    assert response.context["avatar_form"].errors["avatar"] == [
        "The picture has too many pixels (at most 40 megapixels)."
    ]
    user.refresh_from_db()
    assert user.avatar_url is None
    assert media_files() == []


def test_avatar_upload_without_a_file_is_a_form_error(client):
    sign_in(client, UserFactory())

    response = client.post(reverse("accounts:avatar"), {}, **EN)

    assert response.status_code == 200
    assert response.context["avatar_form"].errors["avatar"]


# --- address book ------------------------------------------------------------------------------
ADDRESS = {
    "type": "delivery",
    "label": "Uy",
    "full_name": "Aziza Karimova",
    "phone": "90 123 45 67",
    "country": "Uzbekistan",
    "city": "Tashkent",
    "district": "Chilonzor",
    "street": "Bunyodkor ko'chasi",
    "building": "5",
    "apartment": "",
    "postal_code": "",
    "latitude": "41.285",
    "longitude": "69,204",
    "delivery_instructions": "",
}


def live_addresses(user):
    return list(UserAddress.objects.filter(user=user, deleted_at__isnull=True).order_by("pk"))


def test_address_form_starts_with_the_defaults_of_tashkent(client):
    user = UserFactory(first_name="Aziza", last_name="Karimova", phone="+998901234567")
    sign_in(client, user)

    response = client.get(reverse("accounts:address_add"), **EN)

    page = text_of(response)
    assert 'value="Uzbekistan"' in page and 'value="Tashkent"' in page
    assert 'value="Aziza Karimova"' in page and 'value="+998901234567"' in page
    assert "data-address-map" in page
    assert "/static/vendor/leaflet/leaflet.js" in page and "/static/js/address-map.js" in page


@pytest.mark.parametrize("view", ["add", "edit"])
def test_saving_an_address_goes_back_to_the_page_that_sent_here(client, view):
    user = UserFactory()
    sign_in(client, user)
    address = UserAddressFactory(user=user, latitude=None, longitude=None)
    url = reverse("accounts:address_add") if view == "add" else reverse("accounts:address_edit", args=[address.pk])
    back = f"/checkout/?address={address.pk}"

    form = text_of(client.get(url, {"next": back}, **EN))
    assert f'<input type="hidden" name="next" value="{back}">' in form
    assert f'href="{back}">Cancel</a>' in form

    response = client.post(url, {**ADDRESS, "is_default": "on", "next": back})
    assert response.status_code == 302 and response["Location"] == back


@pytest.mark.parametrize("target", ["https://evil.example/checkout/", "//evil.example/", "javascript:alert(1)"])
def test_saving_an_address_never_leaves_the_site(client, target):
    user = UserFactory()
    sign_in(client, user)
    address = UserAddressFactory(user=user)

    form = text_of(client.get(reverse("accounts:address_edit", args=[address.pk]), {"next": target}, **EN))
    data = {**ADDRESS, "is_default": "on", "next": target}
    response = client.post(reverse("accounts:address_edit", args=[address.pk]), data)

    address_form = re.search(r'<form[^>]*data-testid="address-form".*?</form>', form, re.S).group(0)
    assert 'name="next"' not in address_form and target not in address_form
    assert response.status_code == 302 and response["Location"] == reverse("accounts:addresses")


def test_an_address_without_a_pin_asks_for_one_on_its_form(client):
    user = UserFactory()
    sign_in(client, user)
    unpinned = UserAddressFactory(user=user, latitude=None, longitude=None)
    pinned = UserAddressFactory(user=user, is_default=False)

    assert 'data-testid="address-pin-needed"' in text_of(
        client.get(reverse("accounts:address_edit", args=[unpinned.pk]), **EN)
    )
    assert 'data-testid="address-pin-needed"' not in text_of(
        client.get(reverse("accounts:address_edit", args=[pinned.pk]), **EN)
    )


def test_address_book_add_edit_make_default_and_delete(client):
    user = UserFactory()
    sign_in(client, user)

    # the first address of a type becomes the default
    response = client.post(reverse("accounts:address_add"), ADDRESS, follow=True, **EN)
    assert "The address is saved." in messages_of(response)
    (home,) = live_addresses(user)
    assert home.is_default and home.phone == "+998901234567"
    assert (home.latitude, home.longitude) == (Decimal("41.28500000"), Decimal("69.20400000"))
    assert home.apartment is None and home.postal_code is None

    # a second one asked to be the default takes over
    client.post(reverse("accounts:address_add"), {**ADDRESS, "label": "Ish", "is_default": "on"})
    home, work = live_addresses(user)
    assert (home.is_default, work.is_default) == (False, True)

    # a billing address has its own default
    client.post(reverse("accounts:address_add"), {**ADDRESS, "type": "billing", "label": "Hisob"})
    billing = live_addresses(user)[2]
    assert billing.type == AddressType.BILLING and billing.is_default

    page = text_of(client.get(reverse("accounts:addresses"), **EN))
    assert page.count('data-testid="address-card"') == 3
    assert page.count('data-testid="address-default"') == 2
    assert "Delivery addresses" in page and "Billing addresses" in page

    # edit
    response = client.get(reverse("accounts:address_edit", args=[home.pk]))
    assert 'value="Uy"' in text_of(response)
    client.post(reverse("accounts:address_edit", args=[home.pk]), {**ADDRESS, "street": "Navoiy ko'chasi"})
    home.refresh_from_db()
    assert home.street == "Navoiy ko'chasi" and not home.is_default

    # make default
    response = client.post(reverse("accounts:address_make_default", args=[home.pk]), follow=True, **EN)
    assert "This is now your default address." in messages_of(response)
    home.refresh_from_db()
    work.refresh_from_db()
    assert (home.is_default, work.is_default) == (True, False)

    # delete the default: it is kept for old orders, and the other one takes over
    response = client.post(reverse("accounts:address_delete", args=[home.pk]), follow=True, **EN)
    assert "The address is deleted." in messages_of(response)
    home.refresh_from_db()
    work.refresh_from_db()
    assert home.deleted_at is not None and not home.is_default
    assert work.is_default
    page = text_of(client.get(reverse("accounts:addresses")))
    assert page.count('data-testid="address-card"') == 2


def test_address_book_is_empty_at_first(client):
    sign_in(client, UserFactory())

    page = text_of(client.get(reverse("accounts:addresses"), **EN))

    assert 'data-testid="addresses-empty"' in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"latitude": "41.3", "longitude": ""}, "latitude", "Give both latitude and longitude, or neither."),
        ({"latitude": "91"}, "latitude", "Ensure this value is less than or equal to 90."),
        ({"longitude": "east"}, "longitude", "Enter a number."),
        ({"street": ""}, "street", "This field is required."),
        ({"type": "secret"}, "type", "Select a valid choice. secret is not one of the available choices."),
    ],
)
def test_bad_address_input_is_a_form_error_not_a_500(client, changes, field, message):
    user = UserFactory()
    sign_in(client, user)

    response = client.post(reverse("accounts:address_add"), {**ADDRESS, **changes}, **EN)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert live_addresses(user) == []


def test_unticking_default_on_the_default_address_is_explained(client):
    user = UserFactory()
    address = UserAddressFactory(user=user, is_default=True)
    sign_in(client, user)

    response = client.post(reverse("accounts:address_edit", args=[address.pk]), {**ADDRESS}, **EN)

    assert response.status_code == 200
    assert "Choose another address as default instead." in response.context["form"].errors["is_default"]
    address.refresh_from_db()
    assert address.is_default and address.street != ADDRESS["street"]


def test_another_persons_address_is_a_404_and_stays_as_it_was(client):
    owner = UserFactory()
    theirs = UserAddressFactory(user=owner, is_default=False, street="Owner street")
    UserAddressFactory(user=owner, is_default=True)
    sign_in(client, UserFactory())

    assert client.get(reverse("accounts:address_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:address_edit", args=[theirs.pk]), ADDRESS).status_code == 404
    assert client.post(reverse("accounts:address_delete", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:address_make_default", args=[theirs.pk])).status_code == 404

    theirs.refresh_from_db()
    assert (theirs.street, theirs.is_default, theirs.deleted_at) == ("Owner street", False, None)
    assert "Owner street" not in text_of(client.get(reverse("accounts:addresses")))


def test_a_deleted_address_is_a_404(client):
    user = UserFactory()
    address = UserAddressFactory(user=user)
    sign_in(client, user)
    client.post(reverse("accounts:address_delete", args=[address.pk]))

    assert client.get(reverse("accounts:address_edit", args=[address.pk])).status_code == 404
    assert client.post(reverse("accounts:address_delete", args=[address.pk])).status_code == 404


def test_address_changes_are_post_only(client):
    user = UserFactory()
    address = UserAddressFactory(user=user)
    sign_in(client, user)

    assert client.get(reverse("accounts:address_delete", args=[address.pk])).status_code == 405
    assert client.get(reverse("accounts:address_make_default", args=[address.pk])).status_code == 405
    address.refresh_from_db()
    assert address.deleted_at is None


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), text_of(response)


def test_address_list_queries_do_not_grow_with_the_number_of_addresses(client):
    user = UserFactory()
    sign_in(client, user)
    UserAddressFactory(user=user, is_default=True)
    UserAddressFactory.create_batch(2, user=user, is_default=False)
    url = reverse("accounts:addresses")
    client.get(url)  # warm up once-per-process lookups

    with_three, page = count_queries(client, url)
    assert page.count('data-testid="address-card"') == 3
    UserAddressFactory.create_batch(17, user=user, is_default=False)
    with_twenty, page = count_queries(client, url)
    assert page.count('data-testid="address-card"') == 20

    assert with_three == with_twenty


# --- active sessions -----------------------------------------------------------------------------
def test_sessions_page_lists_browser_and_api_sessions_and_marks_this_one(client):
    user = UserFactory()
    sign_in(client, user, HTTP_USER_AGENT=CHROME)
    app_session, _access, _refresh = api_session_create(user=user)
    UserSession.objects.filter(pk=app_session.pk).update(
        user_agent="GOGOMARKET/2.1 (Android 14)", ip_address="10.1.2.3"
    )
    other_user_session, *_ = api_session_create(user=UserFactory())

    response = client.get(reverse("accounts:sessions"), **EN)

    page = text_of(response)
    assert page.count('data-testid="session"') == 2
    assert "Chrome · Windows" in page and "GOGOMARKET 2.1" in page
    assert "10.1.2.3" in page and "127.0.0.1" in page
    assert page.count('data-testid="session-current"') == 1
    current = UserSession.objects.get(user=user, refresh_token__isnull=True)
    row = re.search(rf'data-session-id="{current.pk}".*?</li>', page, re.S).group(0)
    assert 'data-testid="session-current"' in row
    assert f'data-session-id="{other_user_session.pk}"' not in page


def test_ending_another_session_of_mine(client):
    user = UserFactory()
    sign_in(client, user)
    laptop = Client()
    sign_in(laptop, user)
    laptop_session = UserSession.objects.filter(user=user).order_by("-pk").first()

    response = client.post(reverse("accounts:session_end", args=[laptop_session.pk]), follow=True, **EN)

    assert "The session has ended." in messages_of(response)
    assert not UserSession.objects.filter(pk=laptop_session.pk).exists()
    assert signed_in_user(laptop) is None
    assert signed_in_user(client) == user
    assert AuditLog.objects.filter(action="session.revoke", entity_id=laptop_session.pk).exists()


def test_ending_a_session_with_htmx_removes_the_row_and_sends_the_message(client):
    user = UserFactory()
    sign_in(client, user)
    app_session, *_ = api_session_create(user=user)

    response = client.post(reverse("accounts:session_end", args=[app_session.pk]), HTTP_HX_REQUEST="true", **EN)

    assert response.status_code == 200
    page = text_of(response)
    assert 'hx-swap-oob="true"' in page and "The session has ended." in page
    assert not UserSession.objects.filter(pk=app_session.pk).exists()


def test_ending_this_browsers_session_signs_it_out(client):
    user = UserFactory()
    sign_in(client, user)
    mine = UserSession.objects.get(user=user)

    response = client.post(reverse("accounts:session_end", args=[mine.pk]))

    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user(client) is None
    assert not UserSession.objects.filter(user=user).exists()


def test_ending_this_browsers_session_with_htmx_redirects_the_page(client):
    user = UserFactory()
    sign_in(client, user)
    mine = UserSession.objects.get(user=user)

    response = client.post(reverse("accounts:session_end", args=[mine.pk]), HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == reverse("accounts:login")
    assert signed_in_user(client) is None


def test_another_persons_session_is_a_404_and_lives_on(client):
    stranger_session, *_ = api_session_create(user=UserFactory())
    sign_in(client, UserFactory())

    response = client.post(reverse("accounts:session_end", args=[stranger_session.pk]))

    assert response.status_code == 404
    assert UserSession.objects.filter(pk=stranger_session.pk).exists()
    assert client.get(reverse("accounts:session_end", args=[stranger_session.pk])).status_code == 405


def test_end_all_other_sessions(client):
    user = UserFactory()
    sign_in(client, user)
    laptop = Client()
    sign_in(laptop, user)
    api_session_create(user=user)
    api_session_create(user=user)
    bystander, *_ = api_session_create(user=UserFactory())

    response = client.post(reverse("accounts:sessions_end_others"), follow=True, **EN)

    assert "3 other sessions have ended." in messages_of(response)
    assert UserSession.objects.filter(user=user).count() == 1
    assert signed_in_user(client) == user
    assert signed_in_user(laptop) is None
    assert UserSession.objects.filter(pk=bystander.pk).exists()


def test_sessions_page_queries_do_not_grow_with_the_number_of_sessions(client):
    user = UserFactory()
    sign_in(client, user)
    for _ in range(2):
        api_session_create(user=user)
    url = reverse("accounts:sessions")
    client.get(url)

    with_three, page = count_queries(client, url)
    assert page.count('data-testid="session"') == 3
    for _ in range(17):
        api_session_create(user=user)
    with_twenty, page = count_queries(client, url)
    assert page.count('data-testid="session"') == 20

    assert with_three == with_twenty


# --- front-end files -----------------------------------------------------------------------------
TEMPLATES_DIR = Path(django_settings.BASE_DIR) / "templates"


def test_static_files_of_the_account_pages_exist_and_come_from_our_server():
    referenced = set()
    for template in (TEMPLATES_DIR / "accounts").glob("*.html"):
        referenced.update(re.findall(r"""{%\s*static\s+['"]([^'"]+)['"]""", template.read_text()))

    assert {
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "vendor/leaflet/images/marker-icon.png",
        "js/address-map.js",
        "js/avatar-preview.js",
    } <= referenced
    assert [path for path in sorted(referenced) if not finders.find(path)] == []
    for image in re.findall(r"url\((images/[^)]+)\)", Path(finders.find("vendor/leaflet/leaflet.css")).read_text()):
        assert finders.find(f"vendor/leaflet/{image}"), image
    assert "sourceMappingURL" not in Path(finders.find("vendor/leaflet/leaflet.js")).read_text()
    assert finders.find("vendor/leaflet/LICENSE")
    assert "npm pack" in Path(finders.find("vendor/README.md")).read_text()
    assert "leaflet@1.9.4" in Path(finders.find("vendor/README.md")).read_text()
