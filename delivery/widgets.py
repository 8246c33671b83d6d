"""The zone polygon editor of the back office: Django's OpenLayers widget with OpenLayers served
from our own static files (no CDN), the map tiles from ``MAP_TILE_URL`` (without them the map
still draws and edits), and the other zones drawn underneath so neighbours line up."""

import json

from django.conf import settings
from django.contrib.gis.forms.widgets import OSMWidget
from django.contrib.gis.geometry import json_regex
from django.forms.renderers import TemplatesSetting

WGS84 = 4326


def _in_degrees(geometry):
    xmin, ymin, xmax, ymax = geometry.extent
    return -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90


class ZoneMapWidget(OSMWidget):
    """``other_zones``: ``[(name, GeoJSON in WGS 84)]`` drawn read-only under the edited zone."""

    template_name = "delivery/zone_map_widget.html"
    default_lon = 69.2797
    default_lat = 41.3111
    default_zoom = 11

    class Media:
        extend = False
        css = {"all": ("vendor/openlayers/ol.css", "gis/css/ol3.css")}
        js = ("vendor/openlayers/ol.js", "gis/js/OLMapWidget.js", "js/zone-map-widget.js")

    def __init__(self, attrs=None, other_zones=None):
        super().__init__(attrs)
        self.other_zones = other_zones or []

    def deserialize(self, value):
        geometry = super().deserialize(value)
        # The map posts GeoJSON in its own projection (Web Mercator, metres). A value typed or
        # pasted by hand is usually longitude/latitude in degrees, which Django would also read
        # as metres and put near (0, 0). Coordinates that all fit in degrees are taken as WGS 84:
        # in Web Mercator they would describe a few hundred metres around null island, never a
        # zone of ours. An explicit SRID (EWKT "SRID=...;") is kept.
        if geometry is not None and (geometry.srid is None or json_regex.match(value)) and _in_degrees(geometry):
            geometry.srid = WGS84
        return geometry

    def render(self, name, value, attrs=None, renderer=None):
        # The template lives in the project's templates/ (TEMPLATES["DIRS"]), which Django's
        # default form renderer does not search.
        return super().render(name, value, attrs, renderer=TemplatesSetting())

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["tile_url"] = settings.MAP_TILE_URL
        context["other_zones_id"] = f"{context.get('id') or name}_other_zones"
        context["other_zones"] = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"name": zone_name}, "geometry": json.loads(geojson)}
                for zone_name, geojson in self.other_zones
            ],
        }
        return context
