"""The zone editor of the back office: a map served from our own static files, the other zones
drawn underneath, and polygons checked before they are saved."""

import json
import re

import pytest
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.urls import reverse

from accounts.enums import AdminRoleType
from accounts.tests.factories import StaffFactory
from delivery.models import DeliveryZone
from delivery.tests.factories import DeliveryZoneFactory, tashkent_polygon

pytestmark = pytest.mark.django_db

CHANGE_WKT = "POLYGON ((69.1 41.2, 69.4 41.2, 69.4 41.4, 69.1 41.4, 69.1 41.2))"
RING = [[69.1, 41.2], [69.4, 41.2], [69.4, 41.4], [69.1, 41.4], [69.1, 41.2]]


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory(role_type=AdminRoleType.SUPER_ADMIN))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages are read in English
    return client


def change_url(zone):
    return reverse("admin:delivery_deliveryzone_change", args=[zone.pk])


def form_data(zone, polygon):
    return {
        "name": zone.name,
        "city": zone.city,
        "description": "",
        "districts": "null",
        "polygon": polygon,
        "is_active": "on",
        "tariffs-TOTAL_FORMS": "0",
        "tariffs-INITIAL_FORMS": "0",
        "tariffs-MIN_NUM_FORMS": "0",
        "tariffs-MAX_NUM_FORMS": "1000",
    }


def test_change_page_draws_the_zone_on_a_map_from_our_own_static_files(staff_client):
    zone = DeliveryZoneFactory(name="Yunusobod")
    DeliveryZoneFactory(name="Chilonzor", polygon=tashkent_polygon((69.10, 41.20, 69.20, 41.30)))

    response = staff_client.get(change_url(zone))

    assert response.status_code == 200
    content = response.content.decode()
    # The map widget, with the polygon in its hidden textarea (GeoJSON in the map's projection),
    # started by our own script (no inline script: the Content-Security-Policy runs none).
    assert '<script src="/static/js/zone-map-widget.js"></script>' in content
    wrapper = re.search(r"<div[^>]*data-zone-map[^>]*>", content).group(0)
    assert 'data-map-id="id_polygon_map"' in wrapper and 'data-other-zones-id="id_polygon_other_zones"' in wrapper
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in wrapper
    textarea = re.search(r'<textarea[^>]*name="polygon"[^>]*>([^<]*)</textarea>', content)
    assert textarea and "hidden" in textarea.group(0)
    shown = GEOSGeometry(textarea.group(1).replace("&quot;", '"'))
    shown.srid = 3857  # GeoJSON is read as WGS 84; the map writes its own projection
    shown.transform(4326)
    assert shown.equals_exact(zone.polygon, tolerance=1e-6)
    # OpenLayers comes from static/vendor; no script or style sheet from anywhere else.
    assert '<script src="/static/vendor/openlayers/ol.js"></script>' in content
    assert 'href="/static/vendor/openlayers/ol.css"' in content
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', content)
    styles = re.findall(r'<link[^>]+href="([^"]+)"', content)
    assert scripts and styles
    for address in scripts + styles:
        assert address.startswith("/static/") or address == reverse("admin:jsi18n"), address
    assert "cdn" not in content.lower()
    # The other zone (not this one) is drawn underneath; the read-only GeoJSON stays.
    others = json.loads(re.search(r'<script id="id_polygon_other_zones"[^>]*>(.*?)</script>', content).group(1))
    assert [f["properties"]["name"] for f in others["features"]] == ["Chilonzor (Tashkent)"]
    assert others["features"][0]["geometry"]["coordinates"][0][0] == [69.1, 41.2]
    assert "polygon as GeoJSON" in content or "GeoJSON" in content
    assert zone.polygon.geojson.replace('"', "&quot;") in content


def test_add_page_shows_every_zone_underneath(staff_client):
    DeliveryZoneFactory(name="Yunusobod")

    response = staff_client.get(reverse("admin:delivery_deliveryzone_add"))

    assert response.status_code == 200
    assert "Yunusobod (Tashkent)" in response.content.decode()


def test_polygon_posted_by_the_map_is_saved_in_wgs84(staff_client):
    """The widget posts GeoJSON in Web Mercator (EPSG:3857), the map's projection."""
    zone = DeliveryZoneFactory()
    drawn = Polygon.from_bbox((69.1, 41.2, 69.4, 41.4))
    drawn.srid = 4326
    drawn.transform(3857)

    response = staff_client.post(change_url(zone), form_data(zone, drawn.json))

    assert response.status_code == 302, response.context["adminform"].form.errors
    zone.refresh_from_db()
    assert zone.polygon.srid == 4326
    assert [round(c, 6) for c in zone.polygon.extent] == [69.1, 41.2, 69.4, 41.4]


@pytest.mark.parametrize(
    "value",
    [CHANGE_WKT, json.dumps({"type": "Polygon", "coordinates": [RING]})],
    ids=["wkt", "geojson-degrees"],
)
def test_polygon_typed_in_degrees_is_read_as_wgs84(staff_client, value):
    zone = DeliveryZoneFactory()

    response = staff_client.post(change_url(zone), form_data(zone, value))

    assert response.status_code == 302, response.context["adminform"].form.errors
    zone.refresh_from_db()
    assert zone.polygon.extent == (69.1, 41.2, 69.4, 41.4)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # A bow tie: the outline crosses itself.
        ("POLYGON ((69.1 41.2, 69.4 41.4, 69.4 41.2, 69.1 41.4, 69.1 41.2))", "not a valid polygon"),
        # Latitude and longitude swapped: somewhere in the Indian Ocean... or rather not Uzbekistan.
        ("POLYGON ((41.2 69.1, 41.4 69.1, 41.4 69.4, 41.2 69.4, 41.2 69.1))", "must lie in Uzbekistan"),
        # Paris.
        ("POLYGON ((2.2 48.8, 2.4 48.8, 2.4 48.9, 2.2 48.9, 2.2 48.8))", "must lie in Uzbekistan"),
        ("not a polygon", "Invalid geometry value"),
        ("POINT (69.2 41.3)", "Invalid geometry type"),
    ],
    ids=["self-intersecting", "swapped", "abroad", "garbage", "point"],
)
def test_a_bad_polygon_is_a_form_error_and_nothing_changes(staff_client, value, message):
    zone = DeliveryZoneFactory()
    before = zone.polygon

    response = staff_client.post(change_url(zone), form_data(zone, value))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["polygon"]), errors
    zone.refresh_from_db()
    assert zone.polygon.equals_exact(before, tolerance=1e-9)
    assert DeliveryZone.objects.count() == 1
