"""Rules of profile, verification and address services."""

import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from accounts import services
from accounts.enums import AddressType
from accounts.models import User, UserAddress
from accounts.tests.factories import UserAddressFactory, UserFactory
from gogomarket.core.models import AuditLog

pytestmark = pytest.mark.django_db

ADDRESS = {
    "type": AddressType.DELIVERY,
    "full_name": "Aziza Karimova",
    "phone": "+998901234567",
    "country": "Uzbekistan",
    "city": "Tashkent",
    "district": "Chilonzor",
    "street": "Bunyodkor ko'chasi",
    "building": "5",
    "latitude": Decimal("41.28500000"),
    "longitude": Decimal("69.20400000"),
}


def defaults(user, type_=AddressType.DELIVERY):
    return list(
        UserAddress.objects.filter(user=user, type=type_, is_default=True, deleted_at__isnull=True).values_list(
            "pk", flat=True
        )
    )


# --- email and phone verification --------------------------------------------------------
def test_register_sends_a_verification_link_that_verifies(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_register(
            email="Nodira@Example.uz", password="Bozor-2026-kuchli", first_name="Nodira", last_name="T"
        )
    assert not user.email_verified
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nodira@example.uz"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/account/verify-email/" in line)
    token = link.rstrip("/").rsplit("/", 1)[1]
    services.email_verify(token=token)
    user.refresh_from_db()
    assert user.email_verified
    assert AuditLog.objects.filter(action="user.email_verified", entity_id=user.pk).exists()


def test_register_refuses_weak_passwords_and_staff_roles_and_writes_nothing():
    with pytest.raises(ValidationError) as excinfo:
        services.user_register(email="a@example.uz", password="123", first_name="A", last_name="B")
    assert "password" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.user_register(
            email="a@example.uz", password="Bozor-2026-kuchli", first_name="A", last_name="B", role="courier"
        )
    assert "role" in excinfo.value.message_dict
    assert not User.objects.filter(email="a@example.uz").exists()


def test_a_verification_link_for_an_old_email_or_tampered_is_refused():
    user = UserFactory()
    token = services.email_verification_token(user)
    User.objects.filter(pk=user.pk).update(email="changed@example.uz")
    with pytest.raises(ValidationError):
        services.email_verify(token=token)
    with pytest.raises(ValidationError):
        services.email_verify(token=token[:-2] + "xx")
    assert not User.objects.get(pk=user.pk).email_verified


def test_phone_code_flow(_sms_outbox, django_capture_on_commit_callbacks):
    user = UserFactory(phone="+998907776655")
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_verification_send(user=user)
    assert _sms_outbox[0]["phone"] == "+998907776655"
    code = next(word.rstrip(".") for word in _sms_outbox[0]["text"].split() if word.rstrip(".").isdigit())
    assert len(code) == 6
    with pytest.raises(ValidationError) as excinfo:
        services.phone_verification_send(user=user)  # one code a minute
    assert "code" in excinfo.value.message_dict
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationError):
        services.phone_verify(user=user, code=wrong)
    services.phone_verify(user=user, code=code)
    assert User.objects.get(pk=user.pk).phone_verified
    with pytest.raises(ValidationError):
        services.phone_verify(user=user, code=code)  # used up


def test_phone_code_gives_up_after_five_wrong_tries(django_capture_on_commit_callbacks, _sms_outbox):
    user = UserFactory(phone="+998907776600")
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_verification_send(user=user)
    code = next(word.rstrip(".") for word in _sms_outbox[0]["text"].split() if word.rstrip(".").isdigit())
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.phone_verify(user=user, code=wrong)
    with pytest.raises(ValidationError):
        services.phone_verify(user=user, code=code)  # even the right code is too late now
    assert not User.objects.get(pk=user.pk).phone_verified


def test_changing_the_phone_unverifies_it_and_refuses_a_taken_number():
    UserFactory(phone="+998901111111", phone_verified=True)
    user = UserFactory(phone="+998902222222")
    User.objects.filter(pk=user.pk).update(phone_verified=True)
    with pytest.raises(ValidationError) as excinfo:
        services.profile_update(user=user, phone="+998901111111")
    assert "phone" in excinfo.value.message_dict
    user = services.profile_update(user=user, first_name=" Jasur ", phone="+998903333333")
    user.refresh_from_db()
    assert (user.first_name, user.phone, user.phone_verified) == ("Jasur", "+998903333333", False)
    entry = AuditLog.objects.get(action="user.profile_update", entity_id=user.pk)
    assert entry.old_values["phone"] == "+998902222222"


# --- avatar ----------------------------------------------------------------------------------
def png_upload(size=(900, 600), name="me.png"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_avatar_is_cropped_square_with_a_thumbnail_and_replaces_the_old_files(django_capture_on_commit_callbacks):
    user = UserFactory()
    services.avatar_set(user=user, uploaded=png_upload())
    user.refresh_from_db()
    first = user.avatar_url.removeprefix("/media/")
    with default_storage.open(first) as f, Image.open(f) as image:
        assert image.size == (512, 512)
    thumb = user.avatar_thumbnail_url.removeprefix("/media/")
    with default_storage.open(thumb) as f, Image.open(f) as image:
        assert image.size == (128, 128)
    with django_capture_on_commit_callbacks(execute=True):
        services.avatar_set(user=user, uploaded=png_upload(size=(300, 300)))
    assert not default_storage.exists(first) and not default_storage.exists(thumb)


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("cv.png", b"this is not a picture", content_type="image/png"),
        SimpleUploadedFile("x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"),
    ],
)
def test_a_bad_avatar_file_is_refused_and_nothing_is_stored(upload, settings, tmp_path):
    user = UserFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.avatar_set(user=user, uploaded=upload)
    assert "avatar" in excinfo.value.message_dict
    user.refresh_from_db()
    assert not user.avatar_url
    assert not (tmp_path / "media" / "avatars").exists()


def test_a_too_large_avatar_is_refused(settings):
    settings.AVATAR_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as excinfo:
        services.avatar_set(user=UserFactory(), uploaded=png_upload(size=(800, 800)))
    assert "too large" in excinfo.value.message_dict["avatar"][0]


@pytest.fixture(scope="module")
def pixel_bomb():
    """A 13,000 x 13,000 PNG of about 20 KB: decoded it would take ~500 MB and seconds."""
    buffer = io.BytesIO()
    Image.new("1", (13_000, 13_000)).save(buffer, "PNG", optimize=True)
    assert len(buffer.getvalue()) < 64 * 1024
    return buffer.getvalue()


def test_an_avatar_with_too_many_pixels_is_refused_before_it_is_decoded(pixel_bomb, monkeypatch, tmp_path):
    from PIL import ImageFile

    decoded = []
    original_load = ImageFile.ImageFile.load

    def load(image):  # a spy: the pixels are never read
        decoded.append(image.size)
        return original_load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    user = UserFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.avatar_set(user=user, uploaded=SimpleUploadedFile("me.png", pixel_bomb, content_type="image/png"))
    assert excinfo.value.message_dict["avatar"] == ["The picture has too many pixels (at most 40 megapixels)."]
    assert decoded == []
    user.refresh_from_db()
    assert not user.avatar_url
    assert not (tmp_path / "media" / "avatars").exists()
    assert not AuditLog.objects.filter(entity_id=user.pk, action="user.avatar_change").exists()


# --- addresses -------------------------------------------------------------------------------
def test_first_address_of_a_type_becomes_the_default_and_a_new_default_takes_over():
    user = UserFactory()
    first = services.address_create(user=user, **ADDRESS)
    assert first.is_default
    second = services.address_create(user=user, **ADDRESS)
    assert not second.is_default
    billing = services.address_create(user=user, **{**ADDRESS, "type": AddressType.BILLING})
    assert billing.is_default  # defaults are per type
    third = services.address_create(user=user, is_default=True, **ADDRESS)
    assert defaults(user) == [third.pk]
    services.address_make_default(address=second)
    assert defaults(user) == [second.pk]
    assert defaults(user, AddressType.BILLING) == [billing.pk]


def test_deleting_the_default_is_soft_and_promotes_another():
    user = UserFactory()
    first = services.address_create(user=user, **ADDRESS)
    second = services.address_create(user=user, **ADDRESS)
    services.address_delete(address=first)
    first.refresh_from_db()
    assert first.deleted_at is not None and not first.is_default
    assert defaults(user) == [second.pk]


def test_addresses_need_both_coordinates_in_range():
    user = UserFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.address_create(user=user, **{**ADDRESS, "longitude": None})
    assert "latitude" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.address_create(user=user, **{**ADDRESS, "latitude": Decimal("95")})
    with pytest.raises(ValidationError):
        services.address_create(user=user, **{**ADDRESS, "street": ""})
    assert not UserAddress.objects.filter(user=user).exists()


def test_the_database_allows_one_live_default_per_type():
    address = UserAddressFactory(is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserAddressFactory(user=address.user, is_default=True)


def test_default_cannot_be_switched_off_without_a_replacement():
    user = UserFactory()
    only = services.address_create(user=user, **ADDRESS)
    with pytest.raises(ValidationError):
        services.address_update(address=only, is_default=False)
    assert defaults(user) == [only.pk]


# --- limits against abuse and one spelling of phones ------------------------------------------
def test_phones_are_stored_in_one_spelling_and_sign_in_accepts_any():
    from django.test import RequestFactory

    user = services.user_create(
        email="tel@example.uz", password="Bozor-2026-kuchli", first_name="T", last_name="L", phone="90 123-45-67"
    )
    assert user.phone == "+998901234567"
    request = RequestFactory().post("/", REMOTE_ADDR="10.3.3.3")
    assert (
        services.auth_check_credentials(login="(90) 123 45 67", password="Bozor-2026-kuchli", request=request) == user
    )
    with pytest.raises(ValidationError) as excinfo:
        services.profile_update(user=user, phone="12ab")
    assert "phone" in excinfo.value.message_dict


def test_sign_ups_from_one_network_are_limited():
    from django.test import RequestFactory

    from gogomarket.core.ratelimit import RateLimited

    request = RequestFactory().post("/", REMOTE_ADDR="10.4.4.4")
    for n in range(services.SIGNUPS_PER_IP_PER_HOUR):
        services.user_register(
            email=f"s{n}@example.uz", password="Bozor-2026-kuchli", first_name="S", last_name="U", request=request
        )
    with pytest.raises(RateLimited) as excinfo:
        services.user_register(
            email="one-more@example.uz", password="Bozor-2026-kuchli", first_name="S", last_name="U", request=request
        )
    assert excinfo.value.retry_after > 0
    assert not User.objects.filter(email="one-more@example.uz").exists()


def test_verification_links_at_most_one_a_minute_and_never_when_confirmed(django_capture_on_commit_callbacks):
    from gogomarket.core.ratelimit import RateLimited

    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.email_verification_send(user=user)
    with pytest.raises(RateLimited):
        services.email_verification_send(user=user)
    assert len(mail.outbox) == 1
    user.email_verified = True
    with pytest.raises(ValidationError) as excinfo:
        services.email_verification_send(user=user)
    assert "already confirmed" in excinfo.value.message_dict["email"][0]


def test_password_reset_emails_are_limited_per_address():
    from gogomarket.core.ratelimit import RateLimited

    for _ in range(services.PASSWORD_RESETS_PER_EMAIL_PER_HOUR):
        services.password_reset_request_check(email="Victim@Example.uz")
    with pytest.raises(RateLimited):
        services.password_reset_request_check(email="victim@example.uz")


def test_ending_all_other_sessions_is_audited():
    user = UserFactory()
    keep, _, _ = services.api_session_create(user=user)
    services.api_session_create(user=user)
    assert services.sessions_revoke_all(user=user, keep=keep) == 1
    entry = AuditLog.objects.get(action="session.revoke_all", entity_id=user.pk)
    assert entry.new_values == {"ended": 1, "kept": keep.pk}


def test_an_unverified_phone_does_not_block_its_real_owner():
    squatter = UserFactory(phone="+998907770001")
    owner = services.user_create(
        email="owner@example.uz", password="x", first_name="A", last_name="B", phone="+998907770001"
    )
    squatter.refresh_from_db()
    assert owner.phone == "+998907770001" and squatter.phone is None
    entry = AuditLog.objects.get(action="user.phone_released", entity_id=squatter.pk)
    assert entry.old_values == {"phone": "+998907770001"}


def test_a_verified_phone_stays_with_its_account():
    holder = UserFactory(phone="+998907770002", phone_verified=True)
    other = UserFactory(phone="+998907770003")
    with pytest.raises(ValidationError) as excinfo:
        services.profile_update(user=other, phone="+998907770002")
    assert "phone" in excinfo.value.message_dict
    holder.refresh_from_db()
    other.refresh_from_db()
    assert holder.phone == "+998907770002" and other.phone == "+998907770003"
    assert not AuditLog.objects.filter(action="user.phone_released").exists()


def test_codes_go_to_uzbek_numbers_only_and_are_limited_per_number(_sms_outbox, django_capture_on_commit_callbacks):
    from gogomarket.core.ratelimit import RateLimited, rate_limit_reset

    foreign = UserFactory(phone="+77011234567")
    with pytest.raises(ValidationError) as excinfo:
        services.phone_verification_send(user=foreign)
    assert "phone" in excinfo.value.message_dict
    user = UserFactory(phone="+998907770004")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            services.phone_verification_send(user=user)
            rate_limit_reset("sms-user-minute", user.pk)  # as if a minute went by
    with pytest.raises(RateLimited) as excinfo:
        services.phone_verification_send(user=user)
    assert excinfo.value.retry_after > 60 and "code" in excinfo.value.message_dict
    assert len(_sms_outbox) == 5 and all(sms["phone"] == "+998907770004" for sms in _sms_outbox)


def test_address_writes_are_audited_and_coordinates_rounded_to_what_the_column_keeps():
    user = UserFactory()
    address = services.address_create(
        user=user, **{**ADDRESS, "latitude": 41.123456789, "longitude": Decimal("69.123456785"), "building": "  "}
    )
    address.refresh_from_db()
    assert address.latitude == Decimal("41.12345679") and address.longitude == Decimal("69.12345679")
    assert address.building is None
    services.address_update(address=address, street="Navoiy ko'chasi")
    services.address_delete(address=address)
    actions = list(
        AuditLog.objects.filter(entity_type="user_address", entity_id=address.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["address.create", "address.update", "address.delete"]
    update = AuditLog.objects.get(action="address.update", entity_id=address.pk)
    assert update.old_values == {"street": "Bunyodkor ko'chasi"}
    assert update.new_values["street"] == "Navoiy ko'chasi"


def test_changing_the_type_of_the_default_moves_defaults_on_both_sides():
    user = UserFactory()
    first = services.address_create(user=user, **ADDRESS)
    second = services.address_create(user=user, **ADDRESS)
    services.address_update(address=first, type=AddressType.BILLING)
    assert defaults(user) == [second.pk]
    assert defaults(user, AddressType.BILLING) == [first.pk]


def test_the_client_ip_is_not_taken_from_a_forged_header(rf, settings):
    from gogomarket.core.services import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.9", REMOTE_ADDR="10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.9"
    assert client_ip(rf.get("/", REMOTE_ADDR="not-an-ip")) is None


def test_the_default_sms_backend_writes_the_code_to_the_log(settings, caplog, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "accounts.sms.LogSmsBackend"  # the project default, not the test outbox
    user = UserFactory(phone="+998907770011")
    with caplog.at_level("INFO", logger="gogomarket.sms"), django_capture_on_commit_callbacks(execute=True):
        services.phone_verification_send(user=user)
    (record,) = [r for r in caplog.records if r.name == "gogomarket.sms"]
    message = record.getMessage()
    assert message.startswith("SMS to +998907770011: ")
    code = next(word.rstrip(".") for word in message.split() if word.rstrip(".").isdigit() and len(word) >= 6)
    services.phone_verify(user=user, code=code)  # the logged code is the real one
    assert User.objects.get(pk=user.pk).phone_verified
