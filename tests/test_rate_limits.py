"""Per-address rate limits for visitors who are not signed in: API reads (lists, details), the
API search and the search pages. Signed-in people keep their own limits (sign-in, sign-up,
codes), not these."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from tests.helpers import api_client_for, page_client_for

pytestmark = pytest.mark.django_db


def _api(address="10.0.0.1"):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address)


def _is_rate_limited(response):
    assert response.status_code == 429, response.content[:300]
    assert 1 <= int(response["Retry-After"]) <= 60
    body = response.json()
    assert set(body) == {"detail", "code"} and body["code"] == "rate_limited"
    return True


def test_anonymous_api_reads_are_limited_per_address(settings):
    settings.ANONYMOUS_READS_PER_MINUTE = 5
    product = ProductFactory()
    api = _api()
    paths = ["/api/v1/products/", "/api/v1/categories/", f"/api/v1/products/{product.pk}/", "/api/v1/products/",
             "/api/v1/settings/public/"]  # fmt: skip
    assert [api.get(path).status_code for path in paths] == [200] * 5
    assert _is_rate_limited(api.get("/api/v1/products/"))
    assert _is_rate_limited(api.get(f"/api/v1/products/{product.pk}/"))
    # Another address is counted on its own.
    assert _api("10.0.0.2").get("/api/v1/products/").status_code == 200


def test_signed_in_callers_are_not_limited_by_the_anonymous_limit(settings):
    settings.ANONYMOUS_READS_PER_MINUTE = 2
    api = api_client_for(UserFactory())
    assert [api.get("/api/v1/products/").status_code for _ in range(5)] == [200] * 5


def test_anonymous_writes_are_not_counted_as_reads(settings):
    settings.ANONYMOUS_READS_PER_MINUTE = 1
    api = _api()
    assert api.get("/api/v1/products/").status_code == 200
    # Sign-in has its own limits; the read limit does not answer for it.
    response = api.post("/api/v1/auth/login/", {"login": "nobody@example.uz", "password": "x"}, format="json")
    assert response.status_code == 401


def test_anonymous_api_search_has_a_lower_limit(settings):
    settings.ANONYMOUS_SEARCHES_PER_MINUTE = 3
    api = _api()
    assert [api.get("/api/v1/products/", {"search": f"non {n}"}).status_code for n in range(3)] == [200] * 3
    assert _is_rate_limited(api.get("/api/v1/products/", {"search": "non"}))
    assert api.get("/api/v1/products/").status_code == 200  # browsing without words goes on


def test_a_limit_of_zero_turns_it_off(settings):
    settings.ANONYMOUS_READS_PER_MINUTE = 0
    settings.ANONYMOUS_SEARCHES_PER_MINUTE = 0
    api = _api()
    assert {api.get("/api/v1/products/", {"search": "non"}).status_code for _ in range(5)} == {200}


@pytest.mark.parametrize("path", ["/search/?q=non", "/search/suggest/?q=non"])
def test_anonymous_search_pages_are_limited_per_address(settings, path):
    settings.ANONYMOUS_SEARCHES_PER_MINUTE = 3
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.3")
    assert [client.get(path).status_code for _ in range(3)] == [200] * 3
    response = client.get(path)  # a cached page is counted too: the limit comes first
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many" in response.content.decode()
    assert Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.4").get(path).status_code == 200
    # Signed in: not limited by it.
    signed_in = page_client_for(UserFactory())
    assert {signed_in.get(path).status_code for _ in range(5)} == {200}
