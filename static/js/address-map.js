/* GOGOMARKET address picker: a Leaflet map bound to the latitude/longitude inputs of a form.

   <div data-address-map data-lat-input="id_latitude" data-lng-input="id_longitude"
        data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png" ...></div>

   Click (tap) the map or drag the pin: the inputs are filled. Type in the inputs: the pin moves.
   Without tiles (offline, blocked) the map still works as a picker on a blank background, and
   without JavaScript the two inputs are a plain form. */
(function () {
  "use strict";

  var TASHKENT = [41.311, 69.279];
  var DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  var DECIMALS = 6; // about 10 cm: plenty for a courier

  function parse(value, limit) {
    var number = parseFloat(String(value || "").trim().replace(",", "."));
    return isFinite(number) && Math.abs(number) <= limit ? number : null;
  }

  function init(element) {
    if (!window.L || element.dataset.mapReady) {
      return;
    }
    element.dataset.mapReady = "1";
    var latInput = document.getElementById(element.dataset.latInput);
    var lngInput = document.getElementById(element.dataset.lngInput);
    if (!latInput || !lngInput) {
      return;
    }

    var lat = parse(latInput.value, 90);
    var lng = parse(lngInput.value, 180);
    var known = lat !== null && lng !== null;
    var map = L.map(element, { scrollWheelZoom: false }).setView(known ? [lat, lng] : TASHKENT, known ? 16 : 12);
    L.tileLayer(element.dataset.tileUrl || DEFAULT_TILES, {
      maxZoom: 19,
      attribution: element.dataset.attribution || "",
    }).addTo(map);

    var markerOptions = { draggable: true, autoPan: true, title: element.dataset.pinLabel || "" };
    if (element.dataset.markerIcon) {
      // Explicit URLs: Leaflet's own guess from the CSS breaks with hashed static file names.
      markerOptions.icon = L.icon({
        iconUrl: element.dataset.markerIcon,
        iconRetinaUrl: element.dataset.markerIcon2x || element.dataset.markerIcon,
        shadowUrl: element.dataset.markerShadow || null,
        iconSize: [25, 41],
        iconAnchor: [12, 41],
        popupAnchor: [1, -34],
        shadowSize: [41, 41],
      });
    }
    var marker = L.marker(known ? [lat, lng] : TASHKENT, markerOptions);
    if (known) {
      marker.addTo(map);
    }

    function place(latlng) {
      marker.setLatLng(latlng);
      if (!map.hasLayer(marker)) {
        marker.addTo(map);
      }
    }

    function fill(latlng) {
      latlng = latlng.wrap();
      latInput.value = latlng.lat.toFixed(DECIMALS);
      lngInput.value = latlng.lng.toFixed(DECIMALS);
      [latInput, lngInput].forEach(function (input) {
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }

    map.on("click", function (event) {
      place(event.latlng);
      fill(event.latlng);
    });
    marker.on("dragend", function () {
      fill(marker.getLatLng());
    });

    function fromInputs() {
      var typedLat = parse(latInput.value, 90);
      var typedLng = parse(lngInput.value, 180);
      if (typedLat === null || typedLng === null) {
        return;
      }
      place([typedLat, typedLng]);
      map.panTo([typedLat, typedLng]);
    }
    latInput.addEventListener("input", fromInputs);
    lngInput.addEventListener("input", fromInputs);

    var locate = element.parentElement.querySelector("[data-address-map-locate]");
    if (locate && navigator.geolocation) {
      locate.classList.remove("d-none");
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (position) {
          var here = L.latLng(position.coords.latitude, position.coords.longitude);
          place(here);
          fill(here);
          map.setView(here, 17);
        });
      });
    }

    // A map laid out while hidden (a collapsed section, a tab) needs to measure itself again.
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        map.invalidateSize();
      }).observe(element);
    }

    element.gmMap = map;
    element.gmMarker = marker;
  }

  function initAll(root) {
    (root || document).querySelectorAll("[data-address-map]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      initAll();
    });
  } else {
    initAll();
  }
  // Forms swapped in by HTMX get their map too.
  document.addEventListener("htmx:load", function (event) {
    initAll(event.target);
  });
})();
