/* Starts ReDoc on /api/redoc/ (templates/drf_spectacular/redoc.html) from a file of ours: the
   Content-Security-Policy runs no inline script. */
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  window.Redoc.init(container.dataset.specUrl, JSON.parse(container.dataset.settings || "{}"), container);
})();
