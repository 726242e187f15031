/* The redaction page: the rendition drawn page by page by the exhibit viewer
   (static/js/pdf-viewer.js), the redaction's boxes laid over each page with their reason,
   and, on a draft, a box drawn by dragging across the page. The drawn box fills in the
   "Draw a box" form (page and PDF points from the top-left of the page), which the user
   completes with a reason and saves: a plain form POST, so nothing here talks to the
   server. A module from a file: the CSP allows no inline script. */

const root = document.querySelector("[data-redact-viewer]");
if (root) setUp(root);

function boxElement(box, scale, className) {
  const element = document.createElement("div");
  element.className = className;
  element.style.left = `${box.x0 * scale}px`;
  element.style.top = `${box.y0 * scale}px`;
  element.style.width = `${(box.x1 - box.x0) * scale}px`;
  element.style.height = `${(box.y1 - box.y0) * scale}px`;
  if (box.label) {
    const label = document.createElement("span");
    label.className = "redact-box__label";
    label.textContent = box.label; // text, never HTML: the labels come from the server
    element.append(label);
  }
  return element;
}

async function setUp(root) {
  const layer = root.querySelector("[data-layer]");
  const data = document.getElementById("redaction-boxes");
  const boxes = data ? JSON.parse(data.textContent) : [];
  const form = document.querySelector("[data-box-form]");
  const hint = document.querySelector("[data-draw-hint]");
  let shown = null; // { number, scale } of the page on screen
  let drawn = null; // the box being drawn or waiting to be saved, in points

  function paint() {
    layer.replaceChildren();
    if (!shown) return;
    for (const box of boxes) {
      if (box.page === shown.number) layer.append(boxElement(box, shown.scale, "redact-box"));
    }
    if (drawn && drawn.page === shown.number) {
      layer.append(boxElement(drawn, shown.scale, "redact-box redact-box--new"));
    }
  }

  root.addEventListener("pdf-viewer:drawn", (event) => {
    shown = event.detail;
    paint();
  });

  if (form) {
    layer.classList.add("is-drawing");
    const field = (name) => form.querySelector(`[name="${name}"]`);
    let anchor = null;

    function point(event) {
      const frame = layer.getBoundingClientRect();
      const x = Math.min(Math.max(event.clientX - frame.left, 0), frame.width);
      const y = Math.min(Math.max(event.clientY - frame.top, 0), frame.height);
      return { x: x / shown.scale, y: y / shown.scale };
    }

    function track(event) {
      const here = point(event);
      drawn = {
        page: shown.number,
        x0: Math.min(anchor.x, here.x),
        y0: Math.min(anchor.y, here.y),
        x1: Math.max(anchor.x, here.x),
        y1: Math.max(anchor.y, here.y),
        label: "New box",
      };
      paint();
    }

    layer.addEventListener("pointerdown", (event) => {
      if (!shown || event.button !== 0) return;
      event.preventDefault();
      layer.setPointerCapture(event.pointerId);
      anchor = point(event);
      track(event);
    });
    layer.addEventListener("pointermove", (event) => {
      if (anchor) track(event);
    });
    layer.addEventListener("pointerup", (event) => {
      if (!anchor) return;
      track(event);
      anchor = null;
      if (drawn.x1 - drawn.x0 < 2 || drawn.y1 - drawn.y0 < 2) {
        drawn = null; // a click, not a drag
        paint();
        return;
      }
      const round = (n) => String(Math.round(n * 100) / 100);
      field("page").value = String(drawn.page);
      for (const name of ["x0", "y0", "x1", "y1"]) field(name).value = round(drawn[name]);
      if (hint) {
        hint.textContent = `Box drawn on page ${drawn.page}: choose its reason and save it.`;
      }
      field("reason").focus();
    });
  }

  const { start } = await import(root.dataset.viewerModule);
  await start(root);
}
