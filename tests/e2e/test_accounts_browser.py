"""Sign-up, sign-in and the address book in a real browser (Uzbek, as most visitors read it)."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.enums import UserRole
from accounts.models import User, UserAddress, UserSession
from accounts.services import api_session_create
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
NEW_PASSWORD = "Bozor-parol-2026!"


@pytest.fixture
def offline_tiles(page):
    """Map tiles never load in tests: the picker must work on a blank map."""
    page.route(re.compile(r"^https://tile\.openstreetmap\.org/.*"), lambda route: route.abort())
    return page


def sign_in_through_the_form(page, live_server, login, password=DEFAULT_PASSWORD, next_url=""):
    page.goto(live_server.url + "/account/login/" + (f"?next={next_url}" if next_url else ""))
    form = page.get_by_test_id("login-form")
    form.locator("#id_login").fill(login)
    form.locator("#id_password").fill(password)
    form.locator("button[type=submit]").click()


def test_sign_up_as_a_seller_on_a_phone(page, live_server, transactional_db):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/account/signup/")

    form = page.get_by_test_id("signup-form")
    expect(form.locator("input[name=role][value=buyer]")).to_be_checked()
    form.locator("input[name=role][value=seller]").check()
    form.locator("#id_first_name").fill("Bekzod")
    form.locator("#id_last_name").fill("Umarov")
    form.locator("#id_email").fill("bekzod@example.uz")
    form.locator("#id_phone").fill("90 765 43 21")
    form.locator("#id_password1").fill(NEW_PASSWORD)
    form.locator("#id_password2").fill(NEW_PASSWORD)
    # nothing sticks out sideways on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(live_server.url + "/account/")
    expect(page.locator("#messages .alert-success")).to_contain_text("bekzod@example.uz")
    expect(page.get_by_test_id("email-unverified")).to_be_visible()
    expect(page.get_by_test_id("profile-form").locator("#id_phone")).to_have_value("+998907654321")
    user = User.objects.get(email="bekzod@example.uz")
    assert user.role == UserRole.SELLER
    assert UserSession.objects.filter(user=user).count() == 1

    # a profile picture: previewed as soon as it is chosen, then stored with its thumbnail
    picture = io.BytesIO()
    Image.new("RGB", (60, 40), (20, 120, 200)).save(picture, "PNG")
    page.locator("#id_avatar").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": picture.getvalue()}]
    )
    preview = page.get_by_test_id("avatar-preview")
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("src", re.compile(r"^blob:"))
    page.locator('form[action="/account/avatar/"] button[type=submit]').click()
    expect(page.locator("#messages .alert-success")).to_be_visible()
    expect(preview).to_have_attribute("src", re.compile(r"^/media/avatars/.+_thumb\.jpg$"))
    user.refresh_from_db()
    assert user.avatar_thumbnail_url == preview.get_attribute("src")


def test_sign_up_shows_errors_next_to_the_fields(page, live_server, transactional_db):
    UserFactory(email="taken@example.uz")
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/account/signup/")

    form = page.get_by_test_id("signup-form")
    form.locator("#id_first_name").fill("Bekzod")
    form.locator("#id_last_name").fill("Umarov")
    form.locator("#id_email").fill("taken@example.uz")
    form.locator("#id_password1").fill(NEW_PASSWORD)
    form.locator("#id_password2").fill(NEW_PASSWORD)
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(live_server.url + "/account/signup/")
    email = page.locator("#id_email")
    expect(email).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    assert User.objects.count() == 1


def test_sign_in_with_phone_and_sign_out(page, live_server, transactional_db):
    page.set_viewport_size(DESKTOP)
    user = UserFactory(first_name="Nilufar", phone="+998935556677")

    sign_in_through_the_form(page, live_server, "93 555 66 77", password="wrong-password")
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.locator("#id_login")).to_have_value("93 555 66 77")

    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.get_by_test_id("login-form").locator("button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/account/")
    assert UserSession.objects.filter(user=user).count() == 1

    menu = page.locator(".navbar .dropdown-toggle", has_text="Nilufar")
    menu.click()
    page.locator('form[action="/account/logout/"] button').click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator('.navbar a[href^="/account/login/"]')).to_be_visible()
    assert not UserSession.objects.filter(user=user).exists()
    # the account pages now ask to sign in again
    page.goto(live_server.url + "/account/addresses/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=/account/addresses/$"))


def fill_address(page, *, label, street, latitude=None, longitude=None):
    form = page.get_by_test_id("address-form")
    form.locator("#id_label").fill(label)
    form.locator("#id_street").fill(street)
    form.locator("#id_building").fill("7")
    if latitude is not None:
        form.locator("#id_latitude").fill(latitude)
        form.locator("#id_longitude").fill(longitude)
    return form


def address_card(page, label):
    return page.get_by_test_id("address-card").filter(has=page.get_by_role("heading", name=label, exact=True))


def marker_position(page):
    return page.evaluate(
        "() => { const m = document.querySelector('[data-address-map]').gmMarker;"
        " const p = m.getLatLng(); return [p.lat, p.lng, !!m._map]; }"
    )


def test_address_book_on_a_map(offline_tiles, live_server, transactional_db):
    page = offline_tiles
    page.set_viewport_size(DESKTOP)
    user = UserFactory(first_name="Aziza", last_name="Karimova", phone="+998901234567")
    sign_in_through_the_form(page, live_server, user.email, next_url="/account/addresses/")
    expect(page).to_have_url(live_server.url + "/account/addresses/")
    expect(page.get_by_test_id("addresses-empty")).to_be_visible()

    # --- first address: coordinates typed by hand move the pin -----------------------------
    page.goto(live_server.url + "/account/addresses/add/")
    expect(page.locator("#id_country")).to_have_value("Uzbekistan")
    expect(page.locator("#id_city")).to_have_value("Tashkent")
    expect(page.locator("#id_full_name")).to_have_value("Aziza Karimova")
    page.wait_for_function("() => document.querySelector('[data-address-map]').gmMap !== undefined")
    form = fill_address(page, label="Uy", street="Bunyodkor ko'chasi", latitude="41.2995", longitude="69.2401")
    assert marker_position(page) == [pytest.approx(41.2995), pytest.approx(69.2401), True]
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(live_server.url + "/account/addresses/")
    cards = page.get_by_test_id("address-card")
    expect(cards).to_have_count(1)
    expect(address_card(page, "Uy")).to_be_visible()
    expect(cards.first.get_by_test_id("address-default")).to_be_visible()
    home = UserAddress.objects.get(user=user, label="Uy")
    assert (str(home.latitude), str(home.longitude)) == ("41.29950000", "69.24010000")

    # --- second address: the point is picked by clicking the map -----------------------------
    page.goto(live_server.url + "/account/addresses/add/")
    page.wait_for_function("() => document.querySelector('[data-address-map]').gmMap !== undefined")
    assert marker_position(page)[2] is False  # no pin until a point is chosen
    form = fill_address(page, label="Ish", street="Amir Temur ko'chasi")
    page.get_by_test_id("address-map").click()  # the middle of the map: central Tashkent
    latitude = float(page.locator("#id_latitude").input_value())
    longitude = float(page.locator("#id_longitude").input_value())
    assert latitude == pytest.approx(41.311, abs=0.01) and longitude == pytest.approx(69.279, abs=0.01)
    assert marker_position(page)[2] is True
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(live_server.url + "/account/addresses/")
    expect(cards).to_have_count(2)
    work_card = address_card(page, "Ish")
    expect(work_card.get_by_test_id("address-default")).to_have_count(0)

    # --- make the second one the default --------------------------------------------------------
    work_card.locator('form[action$="/default/"] button').click()
    expect(page.locator("#messages .alert-success")).to_be_visible()
    expect(address_card(page, "Ish").get_by_test_id("address-default")).to_be_visible()
    expect(address_card(page, "Uy").get_by_test_id("address-default")).to_have_count(0)

    # --- delete the first one ----------------------------------------------------------------------
    address_card(page, "Uy").locator('form[action$="/delete/"] button').click()
    expect(cards).to_have_count(1)
    expect(address_card(page, "Ish")).to_be_visible()
    expect(cards.first.get_by_test_id("address-default")).to_be_visible()
    home.refresh_from_db()
    assert home.deleted_at is not None
    assert UserAddress.objects.get(user=user, label="Ish").is_default


def test_address_form_fits_a_phone(offline_tiles, live_server, transactional_db):
    page = offline_tiles
    page.set_viewport_size(PHONE)
    user = UserFactory()
    sign_in_through_the_form(page, live_server, user.email)

    page.goto(live_server.url + "/account/addresses/add/")
    page.wait_for_function("() => document.querySelector('[data-address-map]').gmMap !== undefined")

    box = page.get_by_test_id("address-map").bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] >= 200
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_ending_an_app_session_from_the_sessions_page(page, live_server, transactional_db):
    page.set_viewport_size(DESKTOP)
    user = UserFactory()
    app_session, _access, _refresh = api_session_create(user=user)
    sign_in_through_the_form(page, live_server, user.email, next_url="/account/sessions/")
    expect(page).to_have_url(live_server.url + "/account/sessions/")

    rows = page.get_by_test_id("session")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("session-current")).to_have_count(1)
    page.evaluate("window.gmNotReloaded = true")
    page.locator(f'[data-session-id="{app_session.pk}"] button[type=submit]').click()

    # HTMX removes the row in place (no page load) and shows the message
    expect(rows).to_have_count(1)
    expect(page.locator("#messages .alert-success")).to_be_visible()
    assert page.evaluate("window.gmNotReloaded") is True
    assert not UserSession.objects.filter(pk=app_session.pk).exists()
    assert UserSession.objects.filter(user=user).count() == 1
