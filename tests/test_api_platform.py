import json
import re

import pytest
from django.contrib.staticfiles import finders

from accounts.models import User, UserAddress
from accounts.tests.factories import UserFactory
from gogomarket.core.enums import SettingType
from gogomarket.core.services import setting_set
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "GOGOMARKET API"
    assert "/api/v1/settings/public/" in schema["paths"]


def test_api_docs_work_without_internet_access(client):
    """Swagger UI's files come from drf-spectacular-sidecar through our static files, not a CDN."""
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    external = [s for s in sources if s.startswith(("http://", "https://", "//"))]
    assert external == []
    for src in sources:
        if src.startswith("/static/"):
            assert finders.find(src.removeprefix("/static/")), src
    assert client.get("/api/redoc/").status_code == 200


def test_public_settings_lists_only_public_ones(client):
    setting_set(key="support_phone", value="+998 71 200 00 00", type_=SettingType.STRING, is_public=True)
    setting_set(key="commission_rate_percent", value="10", type_=SettingType.NUMBER, is_public=False)
    response = client.get("/api/v1/settings/public/")
    assert response.status_code == 200
    assert response.json() == [{"key": "support_phone", "value": "+998 71 200 00 00", "type": "string"}]


# --- bad input is a 400, on every endpoint --------------------------------------------------
REGISTER = "/api/v1/auth/register/"
LONE_SURROGATE = "\\ud800"  # as JSON writes it: a string no UTF-8 text can hold


def _json(api, path, body, method="post"):
    return getattr(api, method)(path, body, content_type="application/json")


def _register_body(**fields):
    body = {"email": "lola@example.uz", "password": "Samarqand-non-2026!", "first_name": "Lola",
            "last_name": "Karimova", "role": "buyer", **fields}  # fmt: skip
    return json.dumps(body, ensure_ascii=False)


def test_a_lone_surrogate_in_a_choice_field_is_a_400_naming_the_field():
    """DRF echoes a bad choice in its message; the renderer then could not encode the answer (500)."""
    api = api_client_for()
    response = _json(api, REGISTER, _register_body().replace('"role": "buyer"', f'"role": "{LONE_SURROGATE}"'))
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["role"]
    assert not User.objects.exists()


def test_a_lone_surrogate_anywhere_in_a_json_body_is_a_400_naming_the_field():
    address = {"full_name": "Lola", "phone": "+998901234567", "country": "UZ", "city": "Toshkent",
               "street": "Amir Temur 1", "label": "uy"}  # fmt: skip
    api = api_client_for(UserFactory())
    text = json.dumps(address).replace('"uy"', f'"a{LONE_SURROGATE}b"')
    response = _json(api, "/api/v1/me/addresses/", text)
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["label"]
    # In a nested value, and in a key (echoed without the broken character).
    nested = _json(api, "/api/v1/me/addresses/", json.dumps(address)[:-1] + f', "x": {{"y": ["{LONE_SURROGATE}"]}}}}')
    assert nested.status_code == 400, nested.content
    assert list(nested.json()) == ["x"]
    key = _json(api, "/api/v1/me/addresses/", json.dumps(address)[:-1] + f', "k{LONE_SURROGATE}": 1}}')
    assert key.status_code == 400, key.content
    assert list(key.json()) == ["k\ufffd"]
    assert not UserAddress.objects.exists()


def test_a_json_body_that_is_not_an_object_with_a_lone_surrogate_is_a_400():
    api = api_client_for()
    response = _json(api, "/api/v1/auth/login/", f'["{LONE_SURROGATE}"]')
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["non_field_errors"]


def test_broken_utf8_in_query_parameters_and_form_bodies_is_no_500():
    """Django decodes query strings and form fields with replacement characters: they cannot
    carry a lone surrogate to a view or the renderer."""
    api = api_client_for()
    assert api.get("/api/v1/products/?ordering=%ED%A0%80").status_code == 400
    assert api.get("/api/v1/products/?search=%ED%A0%80").status_code == 200
    form = api.post(REGISTER, b"email=a%40b.uz&password=x&first_name=A&last_name=B&role=%ED%A0%80",
                    content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert form.status_code == 400, form.content
    assert "role" in form.json()
    boundary = "XyZ"
    multipart = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="role"\r\n\r\n'.encode()
        + b"\xed\xa0\x80"
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = api.post(REGISTER, multipart, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400, response.content
    assert "role" in response.json()


def test_the_json_renderer_escapes_a_lone_surrogate_instead_of_failing():
    """Whatever else brings one into an answer, the answer is still valid JSON."""
    from gogomarket.core.api.renderers import JSONRenderer

    rendered = JSONRenderer().render({"detail": "a\ud800b"}, "application/json")
    assert json.loads(rendered) == {"detail": "a\ud800b"}
    assert JSONRenderer().render({"detail": "oʻzbek"}, "application/json").decode() == '{"detail":"oʻzbek"}'


@pytest.mark.parametrize("path", [REGISTER, "/api/v1/auth/login/", "/api/v1/auth/refresh/"])
def test_deeply_nested_json_is_a_400(path):
    api = api_client_for()
    response = _json(api, path, "[" * 100_000)
    assert response.status_code == 400, response.content[:300]
    assert response.json() == {"detail": "JSON nested too deeply.", "code": "parse_error"}
    # Below the interpreter's recursion limit, deeper than the limit: the same answer.
    response = _json(api, path, "[" * 200 + "]" * 200)
    assert response.status_code == 400
    assert response.json()["detail"] == "JSON nested too deeply."


def test_deeply_nested_json_is_a_400_for_a_signed_in_caller_too():
    api = api_client_for(UserFactory())
    response = _json(api, "/api/v1/me/addresses/", '{"label": ' + "[" * 50_000)
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_nesting_of_real_use_passes_the_parser():
    from gogomarket.core.api.parsers import JSON_MAX_DEPTH

    api = api_client_for()
    deep = "[" * (JSON_MAX_DEPTH - 1) + "]" * (JSON_MAX_DEPTH - 1)
    response = _json(api, "/api/v1/auth/login/", '{"login": "a@b.uz", "password": ' + deep + "}")
    assert response.status_code == 400
    assert "password" in response.json()  # the serializer's answer: the parser let it through


# --- ReDoc without the internet ----------------------------------------------------------------
EXTERNAL = re.compile(r"(?:https?:)?//(?!testserver\b)[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)


def test_redoc_page_and_its_settings_reference_no_other_host(client, settings):
    """No web fonts, no logo, no script from another site: ReDoc comes from our static files
    (drf-spectacular-sidecar), and the page forbids images and fonts from elsewhere (the ReDoc
    bundle's sidebar shows Redocly's logo from its CDN otherwise)."""
    response = client.get("/api/redoc/")
    assert response.status_code == 200
    html = response.content.decode()
    assert EXTERNAL.findall(html) == []
    assert EXTERNAL.findall(json.dumps(settings.SPECTACULAR_SETTINGS.get("REDOC_UI_SETTINGS") or {})) == []
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert src.startswith("/static/") and finders.find(src.removeprefix("/static/")), src
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert meta, html
    policy = dict(part.strip().split(" ", 1) for part in meta.group(1).split(";") if part.strip())
    assert policy["img-src"] == "'self' data:" and policy["font-src"] == "'self' data:"
    # The schema ReDoc reads names no logo either.
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "x-logo" not in schema["info"]
