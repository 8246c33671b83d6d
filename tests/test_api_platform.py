import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

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


# --- the schema says what the API answers ------------------------------------------------------
@pytest.fixture
def openapi(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="en").json()


def _ref(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _body(schema, path, method, code, media="application/json"):
    return _ref(schema, schema["paths"][path][method]["responses"][code]["content"][media]["schema"])


def test_not_found_answers_name_no_model():
    """get_object_or_404's message names the model ("No Product matches the given query.")."""
    from accounts.tests.factories import SellerFactory

    seller = api_client_for(SellerFactory())
    for path in ["/api/v1/seller/products/987654/", "/api/v1/me/addresses/987654/", "/api/v1/products/987654/",
                 "/api/v1/seller/payouts/987654/"]:  # fmt: skip
        response = seller.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found.", "code": "not_found"}, path


def test_an_unknown_api_address_answers_json():
    response = api_client_for().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert api_client_for().get("/api/v1/products/-1/").json()["code"] == "not_found"
    assert "text/html" in Client().get("/no-such-page/")["Content-Type"]  # pages keep their HTML page


def test_profile_without_a_picture_says_null_as_documented(openapi):
    from accounts.tests.factories import UserFactory

    body = api_client_for(UserFactory(avatar_url=None)).get("/api/v1/me/").json()
    assert body["avatar_url"] is None and body["avatar_thumbnail_url"] is None
    profile = _body(openapi, "/api/v1/me/", "get", "200")
    assert profile["properties"]["avatar_url"]["nullable"] is True
    assert profile["properties"]["avatar_thumbnail_url"]["nullable"] is True


def test_order_list_is_documented_as_the_page_it_answers(openapi):
    page = _body(openapi, "/api/v1/orders/", "get", "200")
    assert page["type"] == "object"
    assert set(page["properties"]) == {"count", "page", "pages", "results"}
    assert page["properties"]["results"]["type"] == "array"


def test_image_reorder_answers_a_plain_list_and_upload_takes_a_file(openapi):
    reorder = openapi["paths"]["/api/v1/seller/products/{id}/images/reorder/"]["post"]["responses"]["200"]
    assert reorder["content"]["application/json"]["schema"]["type"] == "array"
    upload = openapi["paths"]["/api/v1/seller/products/{id}/images/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    image = _ref(openapi, upload["multipart/form-data"]["schema"])["properties"]["image"]
    assert image == {"type": "string", "format": "binary", "description": "JPEG, PNG or WebP."}
    avatar = openapi["paths"]["/api/v1/me/avatar/"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert _ref(openapi, avatar["schema"])["properties"]["avatar"]["format"] == "binary"


def test_error_answers_are_documented_on_the_operations_that_give_them(openapi):
    error = {"detail", "code"}
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            if operation.get("security") != [{}]:  # takes a token
                assert set(_body(openapi, path, method, "401")["properties"]) == error, where
            if "{" in path:
                assert set(_body(openapi, path, method, "404")["properties"]) == error, where
            if path.startswith("/api/v1/seller/"):
                assert "403" in responses, where
            if "requestBody" in operation:
                assert "400" in responses, where
    for path in ["/api/v1/products/", "/api/v1/products/{product_id}/", "/api/v1/categories/"]:
        throttled = openapi["paths"][path]["get"]["responses"]["429"]
        assert "Retry-After" in throttled["headers"], path
    for path in ["/api/v1/auth/login/", "/api/v1/auth/register/", "/api/v1/me/verify-phone/"]:
        assert "429" in openapi["paths"][path]["post"]["responses"], path
    assert "409" in openapi["paths"]["/api/v1/checkout/"]["post"]["responses"]
