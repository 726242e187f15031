/* The exhibit upload page: many files at once, one request per file, a progress bar each.
   A file that is refused never stops the others.

   Files are sent two at a time, so they reach the server in whatever order their uploads
   finish. Each carries this page's batch key and its place in the order the files were
   dropped or chosen; the server numbers by that place (evidence/services.py _upload_number),
   moving files dropped later up one when an earlier one arrives after them. When that
   happens, the moved files' references are read again from the server, which alone knows
   the number the last of them moved to. */
(function () {
  "use strict";
  var root = document.getElementById("uploader");
  if (!root) return;
  var input = document.getElementById("upload-input");
  var zone = root.querySelector(".dropzone");
  var table = document.getElementById("upload-results");
  var next = document.getElementById("upload-next");
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var stored = [];
  var queue = [];
  var running = 0;
  var PARALLEL = 2;
  var batch = newKey();
  var dropped = 0;  // files added so far: the next one's place in the batch
  var items = [];  // every file added, in that order

  // A random UUID (version 4). crypto.randomUUID exists only on HTTPS and localhost pages.
  function newKey() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // The files stored before `item` but dropped after it, with the same prefix, have just
  // moved up one: show their references as the server now has them. A later reading may
  // overtake an earlier one on the way back, so only each file's latest counts.
  function refreshMoved(item) {
    items.forEach(function (other) {
      if (!other.exhibit || other.exhibit.prefix !== item.exhibit.prefix) return;
      if (other.position <= item.position) return;
      var asked = other.asked = (other.asked || 0) + 1;
      var xhr = new XMLHttpRequest();
      xhr.open("GET", root.getAttribute("data-exhibit-api") + other.exhibit.id + "/");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.addEventListener("load", function () {
        if (xhr.status !== 200 || asked !== other.asked) return;
        try { other.link.textContent = JSON.parse(xhr.responseText).reference; } catch (e) { /* keep the old one */ }
      });
      xhr.send();
    });
  }

  function row(file) {
    var tr = document.createElement("tr");
    var name = document.createElement("td");
    name.textContent = file.name;
    var progressCell = document.createElement("td");
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload of " + file.name);
    progressCell.appendChild(bar);
    var result = document.createElement("td");
    result.className = "upload-result";
    result.textContent = "Waiting";
    tr.appendChild(name);
    tr.appendChild(progressCell);
    tr.appendChild(result);
    table.tBodies[0].appendChild(tr);
    table.hidden = false;
    return { bar: bar, result: result, tr: tr };
  }

  // The API's answer for one file: 201 stored, 409 already there, 413/415 refused with a
  // reason, other 4xx refused with DRF's message.
  function verdict(status, body) {
    if (status === 201) return { status: "stored", exhibit: body };
    if (status === 409) return { status: "duplicate", reason: body.detail, exhibit: { url: body.url, reference: "the existing exhibit" } };
    if (status >= 400 && status < 500) {
      var reason = body.detail;
      if (!reason) {
        var first = Object.keys(body)[0];
        reason = first ? [].concat(body[first])[0] : "The file was refused.";
      }
      return { status: "rejected", reason: reason };
    }
    return null;
  }

  function show(item, body) {
    var ui = item.ui;
    ui.bar.value = 100;
    ui.tr.className = "upload--" + body.status;
    ui.result.textContent = "";
    var label = document.createElement("strong");
    label.textContent = { stored: "Stored", duplicate: "Duplicate", rejected: "Rejected" }[body.status];
    ui.result.appendChild(label);
    if (body.exhibit && body.exhibit.url) {
      ui.result.appendChild(document.createTextNode(body.status === "stored" ? " as " : " – "));
      var link = document.createElement("a");
      link.href = body.exhibit.url;
      link.textContent = body.exhibit.reference;
      ui.result.appendChild(link);
      if (body.status === "stored") {
        item.link = link;
        item.exhibit = body.exhibit;
      }
    }
    if (body.reason) {
      var reason = document.createElement("span");
      reason.className = "upload-reason";
      reason.textContent = " " + body.reason;
      ui.result.appendChild(reason);
    }
    if (body.status === "stored") {
      refreshMoved(item);
      stored.push(body.exhibit.id);
      next.hidden = false;
      next.querySelector("a").href = root.getAttribute("data-details-url") + "?ids=" + stored.join(",");
    }
  }

  function failed(item, status) {
    item.ui.tr.className = "upload--failed";
    item.ui.result.textContent = "";
    var label = document.createElement("strong");
    label.textContent = "Not sent";
    item.ui.result.appendChild(label);
    item.ui.result.appendChild(document.createTextNode(
      " The server did not answer (" + (status || "no connection") + "). "));
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "button button--small";
    retry.textContent = "Try again";
    retry.addEventListener("click", function () {
      item.ui.bar.value = 0;
      item.ui.result.textContent = "Waiting";
      queue.push(item);
      pump();
    });
    item.ui.result.appendChild(retry);
  }

  function send(item) {
    running += 1;
    var data = new FormData();
    data.append("file", item.file);
    if (item.prefix) data.append("prefix", item.prefix);  // none: the matter's own
    data.append("batch", batch);
    data.append("position", item.position);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", root.getAttribute("data-upload-url"));
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) item.ui.bar.value = Math.round((event.loaded / event.total) * 99);
    });
    item.ui.result.textContent = "Uploading…";
    xhr.addEventListener("loadend", function () {
      var body;
      var result = null;
      try { result = verdict(xhr.status, JSON.parse(xhr.responseText)); } catch (e) { result = null; }
      if (result) {
        show(item, result);
      } else {
        // Not the server's verdict on the file (a lost connection, a server error): offer
        // to send it again rather than calling it refused.
        failed(item, xhr.status);
      }
      running -= 1;
      pump();
    });
    xhr.send(data);
  }

  function pump() {
    while (running < PARALLEL && queue.length) send(queue.shift());
  }

  // Files in the order they were dropped or chosen, each with the prefix shown as it was
  // added: a prefix changed later applies to the files added after it.
  function add(files) {
    var prefix = document.getElementById("upload-prefix").value.trim().toUpperCase();
    Array.prototype.forEach.call(files, function (file) {
      var item = { file: file, ui: row(file), position: dropped, prefix: prefix };
      items.push(item);
      queue.push(item);
      dropped += 1;
    });
    pump();
  }

  input.addEventListener("change", function () { add(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("is-over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.remove("is-over"); });
  });
  zone.addEventListener("drop", function (event) { add(event.dataTransfer.files); });
})();
