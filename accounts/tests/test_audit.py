"""Audit rows of account changes that wrote none before: an account created (by anyone), an
avatar changed, address book changes with who did them and from where."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from PIL import Image

from accounts import services
from accounts.enums import AdminRoleType, UserRole
from accounts.models import User, UserAddress
from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from accounts.tests.test_services_profile import ADDRESS
from gogomarket.core.models import AuditLog

pytestmark = pytest.mark.django_db

IP, AGENT = "10.44.0.7", "pytest-agent/1.0"
PASSWORD = "Bozor-2026-kuchli"


def _request():
    return RequestFactory().post("/", REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)


def _rows(**filters):
    return list(AuditLog.objects.filter(**filters).order_by("id"))


def _png():
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (20, 90, 200)).save(out, "PNG")
    return SimpleUploadedFile("me.png", out.getvalue(), content_type="image/png")


# --- account created -------------------------------------------------------------------------------
def test_a_sign_up_writes_one_user_create_row_by_the_new_person():
    user = services.user_register(
        email="Nilufar@Example.uz", password=PASSWORD, first_name="Nilufar", last_name="T", request=_request()
    )
    (row,) = _rows(entity_type="user", entity_id=user.pk)
    assert (row.action, row.user_id, row.ip_address, row.user_agent) == ("user.create", user.pk, IP, AGENT)
    assert row.new_values == {"email": "nilufar@example.uz", "role": UserRole.BUYER, "by": "signup"}


def test_an_account_made_by_staff_names_the_staff_member():
    boss = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    staff = services.staff_user_create(
        email="ops@gogomarket.uz", password="x-pass-123", role_type=AdminRoleType.ACCOUNTING, granted_by=boss
    )
    (row,) = _rows(action="user.create", entity_id=staff.pk)
    assert row.user_id == boss.pk
    assert row.new_values == {"email": "ops@gogomarket.uz", "role": UserRole.ADMIN, "by": "staff"}


def test_a_seeded_account_is_recorded_without_an_actor():
    user = services.user_create(email="seed@example.uz", password="x", first_name="S", last_name="D")
    (row,) = _rows(action="user.create", entity_id=user.pk)
    assert row.user_id is None and row.new_values["by"] == "system"


def test_an_account_added_in_the_back_office_names_the_staff_member_and_address():
    boss = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    client.force_login(boss)
    data = {
        "email": "courier9@example.uz",
        "phone": "+998935550909",
        "first_name": "Kamol",
        "last_name": "R",
        "role": UserRole.COURIER,
        "status": "active",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post(reverse("admin:accounts_user_add"), data)
    assert response.status_code == 302, response.content
    courier = User.objects.get(email="courier9@example.uz")
    (row,) = _rows(action="user.create", entity_id=courier.pk)
    assert (row.user_id, row.ip_address, row.user_agent) == (boss.pk, IP, AGENT)
    assert row.new_values["by"] == "staff"


def test_a_refused_account_writes_no_row():
    existing = UserFactory()
    before = AuditLog.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - ValidationError, asserted in test_services
        services.user_create(email=existing.email, password="x", first_name="A", last_name="B")
    assert AuditLog.objects.count() == before


# --- avatar changed ---------------------------------------------------------------------------------
def test_an_avatar_change_is_audited_with_the_old_and_new_picture():
    user = UserFactory(avatar_url="/media/avatars/old.jpg")
    services.avatar_set(user=user, uploaded=_png(), request=_request())
    user.refresh_from_db()
    (row,) = _rows(action="user.avatar_change", entity_id=user.pk)
    assert (row.user_id, row.entity_type, row.ip_address, row.user_agent) == (user.pk, "user", IP, AGENT)
    assert row.old_values == {"avatar_url": "/media/avatars/old.jpg"}
    assert row.new_values == {"avatar_url": user.avatar_url}


def test_an_avatar_uploaded_on_the_profile_page_is_audited_with_the_address():
    user = UserFactory()
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    client.force_login(user)
    client.post(reverse("accounts:avatar"), {"avatar": _png()})
    (row,) = _rows(action="user.avatar_change", entity_id=user.pk)
    assert (row.user_id, row.ip_address) == (user.pk, IP)


# --- addresses --------------------------------------------------------------------------------------
def test_address_writes_record_the_actor_and_where_the_request_came_from():
    user = UserFactory()
    address = services.address_create(user=user, request=_request(), **ADDRESS)
    other = services.address_create(user=user, request=_request(), **ADDRESS)
    services.address_update(address=address, street="Navoiy ko'chasi", request=_request())
    services.address_make_default(address=address, request=_request())
    services.address_delete(address=other, request=_request())
    rows = _rows(entity_type="user_address")
    assert [r.action for r in rows] == [
        "address.create",
        "address.create",
        "address.update",
        "address.update",
        "address.delete",
    ]
    assert {(r.user_id, r.ip_address, r.user_agent) for r in rows} == {(user.pk, IP, AGENT)}


def test_a_staff_member_changing_an_address_is_the_actor():
    user, staff = UserFactory(), StaffFactory(role_type=AdminRoleType.ROLE_MANAGER)
    address = services.address_create(user=user, **ADDRESS)
    services.address_update(address=address, apartment="12", actor=staff, request=_request())
    services.address_delete(address=address, actor=staff, request=_request())
    update, delete = _rows(action__in=["address.update", "address.delete"], entity_id=address.pk)
    assert (update.user_id, update.ip_address) == (staff.pk, IP)
    assert (delete.user_id, delete.ip_address) == (staff.pk, IP)


def test_the_address_pages_pass_the_request_on():
    user = UserFactory()
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    client.force_login(user)
    form = {**ADDRESS, "latitude": "41.285", "longitude": "69.204"}
    client.post(reverse("accounts:address_add"), form)
    client.post(reverse("accounts:address_add"), form)
    first, second = UserAddress.objects.filter(user=user).order_by("pk")
    edited = client.post(
        reverse("accounts:address_edit", args=[first.pk]), {**form, "street": "Navoiy ko'chasi", "is_default": "on"}
    )
    assert edited.status_code == 302, edited.context["form"].errors
    client.post(reverse("accounts:address_make_default", args=[second.pk]))
    client.post(reverse("accounts:address_delete", args=[first.pk]))
    rows = _rows(entity_type="user_address")
    assert len(rows) == 5
    assert {(r.user_id, r.ip_address, r.user_agent) for r in rows} == {(user.pk, IP, AGENT)}


def test_the_address_api_passes_the_request_on():
    user = UserFactory()
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    login = client.post(
        "/api/v1/auth/login/", {"login": user.email, "password": DEFAULT_PASSWORD}, content_type="application/json"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {login.json()['access']}"}
    payload = {**{k: str(v) for k, v in ADDRESS.items()}}
    created = client.post("/api/v1/me/addresses/", payload, content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    client.patch(f"/api/v1/me/addresses/{pk}/", {"apartment": "3"}, content_type="application/json", **auth)
    client.post(f"/api/v1/me/addresses/{pk}/make-default/", **auth)
    client.delete(f"/api/v1/me/addresses/{pk}/", **auth)
    rows = _rows(entity_type="user_address")
    assert [r.action for r in rows] == ["address.create", "address.update", "address.update", "address.delete"]
    assert {(r.user_id, r.ip_address, r.user_agent) for r in rows} == {(user.pk, IP, AGENT)}
