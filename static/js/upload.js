/* The exhibit upload page: many files at once, one request per file, a progress bar each.
   A file that is refused never stops the others. */
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

  function show(ui, body) {
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
    }
    if (body.reason) {
      var reason = document.createElement("span");
      reason.className = "upload-reason";
      reason.textContent = " " + body.reason;
      ui.result.appendChild(reason);
    }
    if (body.status === "stored") {
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
    data.append("prefix", document.getElementById("upload-prefix").value);
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
        show(item.ui, result);
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

  function add(files) {
    Array.prototype.forEach.call(files, function (file) {
      queue.push({ file: file, ui: row(file) });
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
