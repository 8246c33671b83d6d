"""Sign-in protection (accounts.throttle, accounts.devices): brute force is kept out without
handing out lockouts. Wrong passwords from devices and addresses that never signed in to an
account slow those down, with growing delays; the owner signing in from a device they used
before (a signed known-device cookie, or the address of one of their live sessions) is not held
up by them. Pages, the API and the back office go through the same gate."""

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import services, throttle
from accounts.models import UserSession
from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
NEW_PASSWORD = "Yangi-parol-2026!"


def _browser(ip):
    return Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")


def _page_sign_in(client, login, password):
    return client.post(reverse("accounts:login"), {"login": login, "password": password})


def _signed_in_user(client):
    user = client.get(reverse("catalog:home")).wsgi_request.user
    return user if user.is_authenticated else None


def _attack(user, *, tries=5, first_ip=1):
    """Wrong passwords for ``user`` from ``tries`` addresses that never signed in to it."""
    for n in range(first_ip, first_ip + tries):
        response = _page_sign_in(_browser(f"10.66.{n // 250}.{n % 250 + 1}"), user.email, f"guess-{n}")
        assert response.status_code == 200


def _request(ip="10.0.0.1", cookie=None):
    request = RequestFactory().post("/", REMOTE_ADDR=ip)
    if cookie is not None:
        request.COOKIES[django_settings.KNOWN_DEVICE_COOKIE_NAME] = cookie
    return request


def _code(**kwargs):
    try:
        services.auth_check_credentials(**kwargs)
    except services.LoginRefused as refused:
        return refused.code
    return "ok"


# --- (a) the owner is not locked out ------------------------------------------------------------
def test_the_owner_signs_in_from_a_known_browser_while_strangers_guess_the_password():
    owner = UserFactory()
    browser = _browser("10.1.0.1")
    assert _page_sign_in(browser, owner.email, DEFAULT_PASSWORD).status_code == 302
    browser.post(reverse("accounts:logout"))
    assert not UserSession.objects.filter(user=owner).exists()  # only the cookie remembers this browser

    _attack(owner)
    # A stranger with the right password is held up: it could be a guess that finally hit.
    stranger = _browser("10.2.0.1")
    response = _page_sign_in(stranger, owner.email, DEFAULT_PASSWORD)
    assert response.status_code == 200 and "Too many sign-in attempts" in response.content.decode()
    assert _signed_in_user(stranger) is None

    # The owner, from the browser they signed in with before (another address now), gets in.
    browser.defaults["REMOTE_ADDR"] = "10.1.0.99"
    assert _page_sign_in(browser, owner.email, DEFAULT_PASSWORD).status_code == 302
    assert _signed_in_user(browser) == owner


def test_an_app_signs_in_from_the_address_of_its_live_session_while_the_account_is_attacked():
    """API clients may keep no cookies: the address of one of the account's live sessions counts
    as a device it used before."""
    owner = UserFactory()
    app = Client(REMOTE_ADDR="10.3.0.1", HTTP_ACCEPT_LANGUAGE="en")
    first = app.post(LOGIN, {"login": owner.email, "password": DEFAULT_PASSWORD}, content_type="application/json")
    assert first.status_code == 200
    assert django_settings.KNOWN_DEVICE_COOKIE_NAME in first.cookies  # for apps that keep cookies
    _attack(owner)
    app = Client(REMOTE_ADDR="10.3.0.1", HTTP_ACCEPT_LANGUAGE="en")  # no cookies at all
    again = app.post(LOGIN, {"login": owner.email, "password": DEFAULT_PASSWORD}, content_type="application/json")
    assert again.status_code == 200, again.content
    assert UserSession.objects.filter(user=owner).count() == 2


def test_staff_sign_in_to_the_back_office_from_a_known_browser_while_attacked():
    staff = StaffFactory()
    browser = _browser("10.4.0.1")
    assert browser.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD}).status_code == 302
    browser.post(reverse("accounts:logout"))
    for n in range(5):
        _browser(f"10.5.0.{n + 1}").post("/admin/login/", {"username": staff.email, "password": f"guess-{n}"})
    locked = _browser("10.5.1.1").post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert locked.status_code == 200 and "Too many sign-in attempts" in locked.content.decode()
    assert browser.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD}).status_code == 302


def test_a_password_reset_makes_the_browser_known(client, django_capture_on_commit_callbacks):
    """The way out for an owner on a new device while the account is attacked: the reset link
    proves the mailbox, and the browser that set the new password may sign in at once."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    owner = UserFactory()
    _attack(owner)
    browser = _browser("10.6.0.1")
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    token = default_token_generator.make_token(owner)
    step = browser.get(reverse("accounts:password_reset_confirm", args=[uid, token]), follow=True)
    form_url = step.redirect_chain[-1][0]
    done = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert _page_sign_in(browser, owner.email, NEW_PASSWORD).status_code == 302
    # A stranger is still held up, new password or not.
    assert _page_sign_in(_browser("10.6.0.2"), owner.email, NEW_PASSWORD).status_code == 200


# --- (b) strangers are slowed per account, with growing delays ---------------------------------------
def test_guesses_from_many_addresses_are_held_up_per_account_with_growing_delays(settings):
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 5
    owner = UserFactory()
    codes = [_code(login=owner.email, password=f"guess-{n}", request=_request(f"10.7.0.{n}")) for n in range(8)]
    assert codes == ["invalid"] * 5 + ["locked"] * 3
    with pytest.raises(services.LoginRefused) as refused:
        services.auth_check_credentials(login=owner.email, password=DEFAULT_PASSWORD, request=_request("10.7.1.1"))
    first_wait = refused.value.retry_after
    assert 14 * 60 < first_wait <= 15 * 60

    # When the wait is over, one more wrong guess brings a wait twice as long.
    throttle.backoff_release("login-account", throttle.account_key(user=owner, login=owner.email))
    assert _code(login=owner.email, password="guess-again", request=_request("10.7.2.1")) == "invalid"
    with pytest.raises(services.LoginRefused) as refused:
        services.auth_check_credentials(login=owner.email, password=DEFAULT_PASSWORD, request=_request("10.7.2.2"))
    assert 29 * 60 < refused.value.retry_after <= 30 * 60

    # ... and the waits stop growing at the ceiling.
    for _ in range(12):
        throttle.backoff_release("login-account", throttle.account_key(user=owner, login=owner.email))
        _code(login=owner.email, password="guess", request=_request("10.7.3.1"))
    with pytest.raises(services.LoginRefused) as refused:
        services.auth_check_credentials(login=owner.email, password=DEFAULT_PASSWORD, request=_request("10.7.3.2"))
    assert settings.LOGIN_THROTTLE_MAX_DELAY - 60 < refused.value.retry_after <= settings.LOGIN_THROTTLE_MAX_DELAY


def test_a_known_device_that_guesses_is_held_up_alone(settings):
    """A known device has a count of its own: typing wrong passwords on it holds up that device,
    neither the owner's other devices nor (while it is within its count) strangers' limit."""
    settings.LOGIN_THROTTLE_PER_DEVICE = 3
    owner = UserFactory()
    laptop = throttle_cookie(owner)
    phone = throttle_cookie(owner)
    codes = [_code(login=owner.email, password="typo", request=_request(cookie=laptop)) for _ in range(4)]
    assert codes == ["invalid"] * 3 + ["locked"]
    assert _code(login=owner.email, password=DEFAULT_PASSWORD, request=_request(cookie=laptop)) == "locked"
    assert _code(login=owner.email, password=DEFAULT_PASSWORD, request=_request(cookie=phone)) == "ok"
    assert _code(login=owner.email, password=DEFAULT_PASSWORD, request=_request("10.8.0.1")) == "ok"


def throttle_cookie(user):
    """The cookie value a browser holds after signing in as ``user``."""
    request = _request()
    services.auth_check_credentials(login=user.email, password=DEFAULT_PASSWORD, request=request)
    from accounts import devices

    return devices.known_device_cookie_value(request)


# --- (c) the per-address limit ---------------------------------------------------------------------
def test_one_address_guessing_many_accounts_is_stopped_but_not_a_known_device_behind_it(settings):
    """Many people share one address (mobile carriers' NAT): an address over its limit holds up
    strangers' attempts from it, not a device that signed in to the account before."""
    settings.LOGIN_THROTTLE_PER_IP = 4
    owner = UserFactory()
    cookie = throttle_cookie(owner)
    codes = [_code(login=f"guess{n}@example.uz", password="x", request=_request("10.9.0.1")) for n in range(6)]
    assert codes == ["invalid"] * 4 + ["locked"] * 2
    assert _code(login=owner.email, password=DEFAULT_PASSWORD, request=_request("10.9.0.1")) == "locked"
    assert _code(login=owner.email, password=DEFAULT_PASSWORD, request=_request("10.9.0.1", cookie=cookie)) == "ok"


# --- (d) the known-device token ---------------------------------------------------------------------
def _locked_out(user):
    for n in range(5):
        _code(login=user.email, password=f"guess-{n}", request=_request(f"10.10.0.{n}"))


def test_a_known_device_token_cannot_be_forged_or_moved_to_another_account():
    owner, victim = UserFactory(), UserFactory()
    cookie = throttle_cookie(owner)
    _locked_out(victim)
    # Another account's token does not make this device known to the victim's account.
    assert _code(login=victim.email, password=DEFAULT_PASSWORD, request=_request(cookie=cookie)) == "locked"
    # Neither does an edited one, nor one signed with another key.
    payload = signing.loads(cookie, salt="accounts.known-device")
    payload[0]["u"] = victim.pk
    edited = signing.dumps(payload, salt="accounts.known-device", key="not-our-secret-key-" * 3)
    tampered = cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB")
    for forged in (edited, tampered, "garbage", ""):
        assert _code(login=victim.email, password=DEFAULT_PASSWORD, request=_request(cookie=forged)) == "locked"
    # The owner's own token still works for the owner.
    _locked_out(owner)
    assert _code(login=owner.email, password=DEFAULT_PASSWORD, request=_request(cookie=cookie)) == "ok"


def test_a_password_change_forgets_the_known_devices():
    """A token made before the password changed (say on a device the account was taken over
    from) no longer counts."""
    owner = UserFactory()
    cookie = throttle_cookie(owner)
    owner.set_password(NEW_PASSWORD)
    owner.save(update_fields=["password"])
    _locked_out(owner)
    assert _code(login=owner.email, password=NEW_PASSWORD, request=_request(cookie=cookie)) == "locked"


def test_one_browser_remembers_several_accounts():
    first, second = UserFactory(), UserFactory()
    browser = _browser("10.11.0.1")
    for user in (first, second):
        assert _page_sign_in(browser, user.email, DEFAULT_PASSWORD).status_code == 302
        browser.post(reverse("accounts:logout"))
    _locked_out(first)
    _locked_out(second)
    for user in (first, second):
        assert _page_sign_in(browser, user.email, DEFAULT_PASSWORD).status_code == 302
        browser.post(reverse("accounts:logout"))


def test_the_cookie_is_http_only_and_long_lived():
    owner = UserFactory()
    browser = _browser("10.12.0.1")
    _page_sign_in(browser, owner.email, DEFAULT_PASSWORD)
    morsel = browser.cookies[django_settings.KNOWN_DEVICE_COOKIE_NAME]
    assert morsel["httponly"]
    assert int(morsel["max-age"]) == django_settings.KNOWN_DEVICE_COOKIE_AGE
    assert morsel["samesite"] == "Lax"
    # A failed sign-in sets nothing.
    stranger = _browser("10.12.0.2")
    _page_sign_in(stranger, owner.email, "wrong")
    assert django_settings.KNOWN_DEVICE_COOKIE_NAME not in stranger.cookies
