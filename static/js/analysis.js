// The analysis page: while a run is queued or running, follow its stage and progress, and
// show the results once it finishes (the page reloads itself). Loaded as a file: the
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  function follow(box) {
    var bar = box.querySelector("progress");
    var text = box.querySelector(".analysis-progress__text");
    var failures = 0;

    function poll() {
      fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("status " + response.status);
          return response.json();
        })
        .then(function (state) {
          failures = 0;
          bar.value = state.percent;
          bar.textContent = state.percent + "%";
          text.textContent = state.stage_display + (state.status === "running" ? " – " + state.percent + "%" : "");
          if (state.stalled) {
            text.textContent = "No progress for a long while: its worker was probably lost. Cancel it and run it again.";
          }
          if (state.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1500);
          }
        })
        .catch(function () {
          failures += 1;
          if (failures >= 5) {
            text.textContent = "Progress unavailable; reload the page to see where the analysis is.";
          } else {
            window.setTimeout(poll, 3000);
          }
        });
    }
    window.setTimeout(poll, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".analysis-progress[data-status-url]"), follow);
  });
})();
