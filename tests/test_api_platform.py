import re

import pytest
from django.contrib.staticfiles import finders

from gogomarket.core.enums import SettingType
from gogomarket.core.services import setting_set

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
