// Courier page: each step is sent with the phone's position when the browser gives it (the
// buyer's map and the order's tracking use it). Without permission, or after 4 seconds, the
// step is sent without a position.
(function () {
  "use strict";
  document.querySelectorAll("form.gm-gps").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.located || !navigator.geolocation) return;
      event.preventDefault();
      var sent = false;
      function send() {
        if (sent) return;
        sent = true;
        form.dataset.located = "1";
        form.submit();
      }
      var timer = setTimeout(send, 4000);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          clearTimeout(timer);
          form.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(8);
          form.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(8);
          send();
        },
        function () { clearTimeout(timer); send(); },
        { enableHighAccuracy: true, timeout: 3500, maximumAge: 30000 }
      );
    });
  });
})();
