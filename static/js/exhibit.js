// The exhibit page: while a file's preview is prepared or its text read (OCR), ask the server
// every few seconds how it stands, and reload the page once it has moved on.
(function () {
  "use strict";

  function follow(badge) {
    function poll() {
      fetch(badge.dataset.followUrl, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("status " + response.status);
          return response.json();
        })
        .then(function (state) {
          if (state.rendition + "/" + state.ocr !== badge.dataset.followState) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 3000);
          }
        })
        .catch(function () {
          badge.title = "Progress unavailable; reload the page to see where it is.";
        });
    }
    window.setTimeout(poll, 2000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-follow-url]"), follow);
  });
})();
