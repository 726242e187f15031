/* casemgr page behaviour. Loaded as a file: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  // Tables with class "sortable": each column header becomes a button that sorts the rows.
  // A cell's data-sort-value, when present, sorts instead of its text (dates, paragraph numbers).
  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return cell.getAttribute("data-sort-value") || cell.textContent.trim();
  }

  function compare(a, b) {
    var na = parseFloat(a), nb = parseFloat(b);
    if (!isNaN(na) && !isNaN(nb) && String(na) === a && String(nb) === b) return na - nb;
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      if (!th.textContent.trim() || th.querySelector(".visually-hidden")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.innerHTML = th.innerHTML;
      th.innerHTML = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var result = compare(cellValue(r1, index), cellValue(r2, index));
          return ascending ? result : -result;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  // A zone named as casemgr names it everywhere (core/zones.py): "London (UTC+0)",
  // "Kolkata (UTC+5:30)" – not "GMT" or "CST", which mean different things in different places.
  function zoneLabel(zone, when) {
    var city = zone.split("/").pop().replace(/_/g, " ");
    var name = "";
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: zone, timeZoneName: "longOffset" })
        .formatToParts(when).forEach(function (part) {
          if (part.type === "timeZoneName") name = part.value;  // "GMT+05:30", "GMT"
        });
    } catch (error) {
      return city;  // a browser without longOffset: the city alone
    }
    var match = /([+\-\u2212])(\d\d):(\d\d)/.exec(name);
    if (!match) return city + " (UTC+0)";
    var sign = match[1] === "+" ? "+" : "\u2212";
    var minutes = match[3] === "00" ? "" : ":" + match[3];
    return city + " (UTC" + sign + parseInt(match[2], 10) + minutes + ")";
  }

  // <time data-court-zone> shows the court's wall clock; add the reader's own time when the
  // reader's zone differs, so nobody converts a hearing time in their head.
  function addLocalTime(el) {
    var readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!readerZone || readerZone === el.getAttribute("data-court-zone")) return;
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) return;
    var local = new Intl.DateTimeFormat("en-GB", {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"
    }).format(when);
    var note = document.createElement("span");
    note.className = "local-time";
    note.textContent = " (" + local + " " + zoneLabel(readerZone, when) + " your time)";
    el.insertAdjacentElement("afterend", note);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sortable").forEach(makeSortable);
    document.querySelectorAll("time[data-court-zone]").forEach(addLocalTime);
    // Forms that undo something ask first.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
    var alert = document.querySelector("[data-autofocus]");
    if (alert) alert.focus();
  });
})();
