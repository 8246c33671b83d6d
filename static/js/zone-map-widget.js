/* The back office's delivery zone editor (delivery/widgets.py, templates/delivery/zone_map_widget.html):
   Django's GeoDjango MapWidget on OpenLayers with tiles from MAP_TILE_URL, and the other zones
   outlined read-only underneath. A file of ours, not an inline script: the Content-Security-Policy
   runs none. Its options come from the data-* attributes of the map's wrapper. */
(function () {
  "use strict";

  function outlineStyle(feature) {
    return new ol.style.Style({
      stroke: new ol.style.Stroke({ color: "rgba(108,117,125,0.9)", width: 1, lineDash: [4, 4] }),
      fill: new ol.style.Fill({ color: "rgba(108,117,125,0.08)" }),
      text: new ol.style.Text({ text: feature.get("name"), fill: new ol.style.Fill({ color: "#495057" }) }),
    });
  }

  function init(wrapper) {
    if (wrapper.dataset.mapReady) return;
    wrapper.dataset.mapReady = "1";
    var data = wrapper.dataset;
    var options = {
      base_layer: new ol.layer.Tile({ source: new ol.source.XYZ({ url: data.tileUrl, maxZoom: 19 }) }),
      geom_name: data.geomName,
      id: data.id,
      map_id: data.mapId,
      map_srid: Number(data.mapSrid),
      name: data.name,
      default_lon: Number(data.defaultLon),
      default_lat: Number(data.defaultLat),
      default_zoom: Number(data.defaultZoom),
    };
    var widget = new MapWidget(options);
    window[data.module] = widget; // the name Django's own widget template gives it
    var others = JSON.parse(document.getElementById(data.otherZonesId).textContent);
    if (!others.features.length) return;
    var layer = new ol.layer.Vector({
      source: new ol.source.Vector({
        features: new ol.format.GeoJSON().readFeatures(others, { featureProjection: "EPSG:3857" }),
      }),
      style: outlineStyle,
    });
    // Above the tiles, below the zone being edited (its overlay layer is not in the map's layer
    // list, so it always draws on top).
    widget.map.getLayers().insertAt(1, layer);
  }

  function initAll() {
    document.querySelectorAll("[data-zone-map]").forEach(init);
  }

  // The admin loads widget scripts in <head>, before the map's element exists.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
