import pytest
from django.urls import reverse

from gogomarket.celery import app as celery_app


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_is_200_when_postgresql_redis_and_broker_answer(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert body["checks"] == {"postgresql": "ok", "redis": "ok", "celery_broker": "ok"}


@pytest.mark.django_db
def test_readyz_is_503_naming_redis_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["redis"]
    assert body["checks"]["postgresql"] == "ok"
    assert body["checks"]["redis"].startswith("down:")


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broker_when_it_does_not_answer(client):
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
    finally:
        celery_app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["down"] == ["celery_broker"]


@pytest.mark.django_db
def test_readyz_is_503_naming_postgresql_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import connections

    from gogomarket.core import health

    # The probe gets a connection to a closed port; the test's own connection stays as it was.
    default = connections["default"]
    unreachable = default.__class__({**default.settings_dict, "HOST": "127.0.0.1", "PORT": "1"}, alias="unreachable")
    try:
        with monkeypatch.context() as patch:
            patch.setattr(health, "connection", unreachable)
            response = client.get("/readyz")
    finally:
        unreachable.close()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["down"] == ["postgresql"]
    assert body["checks"]["postgresql"].startswith("down: OperationalError")
    assert body["checks"]["redis"] == "ok"
    # Nothing else noticed: the test database still answers.
    assert client.get("/readyz").status_code == 200


# --- who sees the details -----------------------------------------------------------------------
# Which service is down (and its error text) is for the people who run the site: this machine,
# the addresses in READYZ_ALLOWED_IPS, signed-in staff. Anyone else learns only ok / unavailable.
OUTSIDER = "203.0.113.7"


def redis_down(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.mark.django_db
def test_readyz_tells_an_outside_caller_only_ok(client):
    response = client.get("/readyz", REMOTE_ADDR=OUTSIDER)

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_readyz_tells_an_outside_caller_only_unavailable(client, settings):
    redis_down(settings)

    response = client.get("/readyz", REMOTE_ADDR=OUTSIDER)

    assert response.status_code == 503
    assert response.content == b"unavailable"
    assert b"redis" not in response.content.lower()


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_readyz_names_what_is_down_to_this_machine(client, settings, address):
    redis_down(settings)

    response = client.get("/readyz", REMOTE_ADDR=address)

    assert response.status_code == 503
    assert response.json()["down"] == ["redis"]


@pytest.mark.django_db
@pytest.mark.parametrize("allowed", [[OUTSIDER], ["198.51.100.1", "203.0.113.0/24"]])
def test_readyz_names_what_is_down_to_the_allowed_addresses(client, settings, allowed):
    settings.READYZ_ALLOWED_IPS = allowed
    redis_down(settings)

    response = client.get("/readyz", REMOTE_ADDR=OUTSIDER)

    assert response.status_code == 503
    assert response.json()["down"] == ["redis"]
    assert client.get("/readyz", REMOTE_ADDR="198.51.100.2").content == b"unavailable"


@pytest.mark.django_db
def test_readyz_names_what_is_down_to_signed_in_staff_only(client, settings):
    from accounts.tests.factories import BuyerFactory, StaffFactory

    redis_down(settings)
    client.force_login(BuyerFactory())
    assert client.get("/readyz", REMOTE_ADDR=OUTSIDER).content == b"unavailable"

    client.force_login(StaffFactory())
    response = client.get("/readyz", REMOTE_ADDR=OUTSIDER)
    assert response.status_code == 503
    assert response.json()["down"] == ["redis"]


@pytest.mark.django_db
def test_readyz_behind_our_proxy_judges_the_client_not_the_proxy(client, settings):
    # The proxy itself runs on this machine: the caller is the address it forwards.
    settings.TRUSTED_PROXY_COUNT = 1
    redis_down(settings)

    outside = client.get("/readyz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDER)
    inside = client.get("/readyz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")

    assert outside.content == b"unavailable"
    assert inside.json()["down"] == ["redis"]


@pytest.mark.django_db
def test_readyz_does_not_believe_a_forged_forwarded_address(client, settings):
    redis_down(settings)  # no proxy of ours (TRUSTED_PROXY_COUNT = 0): the header is the client's

    response = client.get("/readyz", REMOTE_ADDR=OUTSIDER, HTTP_X_FORWARDED_FOR="127.0.0.1")

    assert response.content == b"unavailable"


@pytest.mark.django_db
def test_readyz_details_end_with_the_staff_session(client, settings):
    from accounts.services import sessions_revoke_all
    from accounts.tests.factories import StaffFactory

    redis_down(settings)
    staff = StaffFactory()
    client.force_login(staff)
    assert client.get("/account/").status_code == 200  # the browser gets its session row

    sessions_revoke_all(user=staff)  # ended from another device

    assert client.get("/readyz", REMOTE_ADDR=OUTSIDER).content == b"unavailable"
