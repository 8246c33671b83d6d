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
