/* Profile page: show the picture chosen in the file input before it is uploaded. The server
   still decides whether it takes the file (accounts.services.avatar_set). */
(function () {
  "use strict";

  document.querySelectorAll("[data-avatar-input]").forEach(function (input) {
    var preview = document.querySelector(input.dataset.avatarInput);
    var placeholder = document.querySelector("[data-avatar-placeholder]");
    if (!preview || !window.URL || !URL.createObjectURL) {
      return;
    }
    var objectUrl = null;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (objectUrl) {
        URL.revokeObjectURL(objectUrl);
        objectUrl = null;
      }
      if (!file || !/^image\//.test(file.type)) {
        return;
      }
      objectUrl = URL.createObjectURL(file);
      preview.src = objectUrl;
      preview.hidden = false;
      if (placeholder) {
        placeholder.classList.add("d-none");
      }
    });
  });
})();
