/* The timeline page: keyboard and focus for the inline forms htmx swaps in and out.
   Loaded as a file (the Content-Security-Policy allows no inline script); without it, and
   without htmx, every form is a page of its own that posts and comes back. */
(function () {
  "use strict";

  var FIELDS = "input:not([type=hidden]), select, textarea";

  // What the server marked: a form (its error summary, else its first field), an entry
  // back from a form, or the entry just added (data-focus on the chronology).
  function placeFocus() {
    var chronology = document.querySelector("#chronology[data-focus]");
    if (chronology) {
      var added = document.getElementById(chronology.getAttribute("data-focus"));
      chronology.removeAttribute("data-focus");
      if (added) { added.scrollIntoView({ block: "center" }); added.focus(); return; }
    }
    var marked = document.querySelector("[data-focus-here]");
    if (!marked) return;
    marked.removeAttribute("data-focus-here");
    var target = marked;
    if (marked.matches("form")) {
      target = marked.querySelector(".alert[tabindex]") || marked.querySelector(FIELDS) || marked;
    }
    target.focus();
  }

  function addEventButton() { return document.getElementById("add-event"); }

  function cancel(form) {
    var link = form.querySelector("[data-cancel]");
    if (link) link.click();
  }

  document.addEventListener("htmx:afterSettle", placeFocus);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var form = event.target.closest && event.target.closest("form[data-inline-form]");
    if (form) { event.preventDefault(); cancel(form); }
  });

  // Cancelling a new event only empties its slot: nothing to fetch.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-cancel-new]");
    if (!link || !window.htmx) return;
    event.preventDefault();
    var slot = document.getElementById("event-new");
    var empty = document.createElement("div");
    empty.id = "event-new";
    slot.replaceWith(empty);
    var button = addEventButton();
    if (button) button.focus();
  });

  // A refused write (a read-only role, a lost session) says so instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var text = status === 403
      ? "You may read this matter but not change it."
      : "That could not be saved (error " + status + "). Reload the page and try again.";
    var note = document.getElementById("timeline-error");
    if (!note) {
      note = document.createElement("p");
      note.id = "timeline-error";
      note.className = "message message--error";
      note.setAttribute("role", "alert");
      var chronology = document.getElementById("chronology");
      chronology.parentNode.insertBefore(note, chronology);
    }
    note.textContent = text;
  });
})();
