// The bundle page: drag documents to reorder them (the buttons beside each document do the
// same without a mouse), and follow a build's progress until it finishes.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function currentOrder(container) {
    return Array.prototype.map.call(container.querySelectorAll(".bundle-entries"), function (list) {
      return {
        id: Number(list.dataset.sectionId),
        entries: Array.prototype.map.call(list.querySelectorAll("[data-entry-id]"), function (li) {
          return Number(li.dataset.entryId);
        }),
      };
    });
  }

  function setUpArranging(container) {
    var url = container.dataset.arrangeUrl;
    var status = document.querySelector(".arrange-status");
    var dragged = null;
    var dropped = false;

    function say(text, isError) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("warning-text", Boolean(isError));
    }

    container.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("[data-entry-id]");
      if (!dragged) return;
      dropped = false;
      dragged.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.entryId);
    });

    container.addEventListener("dragover", function (event) {
      var list = event.target.closest(".bundle-entries");
      if (!dragged || !list) return;
      event.preventDefault();
      var over = event.target.closest("[data-entry-id]");
      var empty = list.querySelector(".bundle-entry--empty");
      if (empty) empty.remove();
      if (over && over !== dragged) {
        var box = over.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? over.nextSibling : over);
      } else if (!over) {
        list.appendChild(dragged);
      }
    });

    container.addEventListener("drop", function (event) {
      if (dragged) {
        event.preventDefault();
        dropped = true;
      }
    });

    container.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("is-dragging");
      dragged = null;
      if (!dropped) {
        // Cancelled (Esc, or dropped outside): put everything back as it was.
        window.location.reload();
        return;
      }
      say("Saving the new order…");
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ sections: currentOrder(container) }),
      })
        .then(function (response) {
          if (response.status === 204) {
            // Tabs (A1, A2…) follow the new order.
            window.location.reload();
            return;
          }
          var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
          return (json ? response.json() : Promise.resolve({})).then(function (body) {
            say((body.error || "The new order was not saved (" + response.status + ").") +
              " The page will show the saved order again.", true);
            window.setTimeout(function () { window.location.reload(); }, 4000);
          });
        })
        .catch(function () {
          say("The new order was not saved: the server could not be reached.", true);
        });
    });
  }

  function follow(progress) {
    var bar = progress.querySelector("progress");
    var text = progress.querySelector(".build-progress__text");
    function poll() {
      fetch(progress.dataset.statusUrl, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("status " + response.status);
          return response.json();
        })
        .then(function (state) {
          bar.value = state.percent;
          bar.textContent = state.percent + "%";
          text.textContent = state.status_display +
            (state.pages_total ? " – " + state.pages_done + " of " + state.pages_total + " pages" : "");
          if (state.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () {
          text.textContent = "Progress unavailable; reload the page to see where the build is.";
        });
    }
    window.setTimeout(poll, 500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector("[data-arrange-url]");
    if (container) setUpArranging(container);
    Array.prototype.forEach.call(document.querySelectorAll("[data-status-url]"), follow);
  });
})();
