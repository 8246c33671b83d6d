/* Behaviour every page shares. It lives here, not in the HTML, so that the Content-Security-Policy
   can refuse every inline script and event handler (gogomarket/settings.py):

   data-confirm="Question?"        on a form (asked on submit) or a submit button (asked on click)
   data-auto-submit                on a field: changing it submits its form (the sort menu)
   data-check-all="css selector"   on a checkbox: ticks or clears the checkboxes it names
   data-fallback-src="url"         on an image: shown instead when the image cannot load
   class="gm-replan" in the checkout form: changing it asks htmx for the summary again */
(function () {
  "use strict";

  // Capture phase: the question comes before htmx or any other listener acts on the form.
  document.addEventListener(
    "submit",
    function (event) {
      var question = event.target.dataset && event.target.dataset.confirm;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest && event.target.closest("button[data-confirm], input[data-confirm]");
      if (button && !window.confirm(button.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches("[data-auto-submit]") && field.form) {
      if (field.form.requestSubmit) field.form.requestSubmit();
      else field.form.submit();
    }
    if (field.matches("[data-check-all]")) {
      document.querySelectorAll(field.dataset.checkAll).forEach(function (box) {
        box.checked = field.checked;
      });
    }
    if (field.classList.contains("gm-replan") && field.form && window.htmx) {
      window.htmx.trigger(field.form, "gm-replan");
    }
  });

  function useFallback(image) {
    var fallback = image.dataset.fallbackSrc;
    if (fallback) {
      image.removeAttribute("data-fallback-src"); // once: a missing fallback must not loop
      image.src = fallback;
    }
  }
  // "error" does not bubble: listen in the capture phase, for images htmx swaps in too.
  document.addEventListener(
    "error",
    function (event) {
      if (event.target.tagName === "IMG") useFallback(event.target);
    },
    true
  );
  // Images that failed before this script ran.
  document.querySelectorAll("img[data-fallback-src]").forEach(function (image) {
    if (image.complete && image.naturalWidth === 0 && image.getAttribute("src")) useFallback(image);
  });
})();
