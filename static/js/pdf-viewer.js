/* The exhibit page's preview: one page of the rendition PDF at a time, drawn by PDF.js
   (static/vendor/pdfjs) to a canvas, with its text laid over it so that it can be selected,
   copied and found with the browser's find. Opens at data-page (a search hit's page) and
   pages on with the buttons, or the arrow keys on the page.

   A module, loaded from a file (the CSP allows no inline script); PDF.js's worker is a
   module from this site too. If anything fails, the link to the PDF stays.

   Other pages import `start` for a viewer of their own (static/js/redact.js): each page
   drawn is announced by a "pdf-viewer:drawn" event on the viewer, with the page's number
   and its scale (CSS pixels per PDF point). */

const viewer = document.querySelector("[data-pdf-viewer]");
if (viewer) start(viewer);

export async function start(root) {
  const status = root.querySelector("[data-status]");
  const previous = root.querySelector("[data-previous]");
  const next = root.querySelector("[data-next]");
  const sheet = root.querySelector("[data-sheet]");
  const canvas = sheet.querySelector("canvas");
  const textLayer = sheet.querySelector(".textLayer");

  let pdfjs;
  let pdf;
  try {
    pdfjs = await import(root.dataset.pdfjs);
    pdfjs.GlobalWorkerOptions.workerSrc = root.dataset.worker;
    // No eval (the CSP forbids it) and no scripts of the document's own.
    pdf = await pdfjs.getDocument({
      url: root.dataset.src,
      isEvalSupported: false,
      enableXfa: false,
    }).promise;
  } catch (error) {
    root.classList.add("is-failed");
    status.textContent = "The preview could not be shown here; open the PDF instead.";
    return;
  }

  const count = pdf.numPages;
  let current = clamp(parseInt(root.dataset.page, 10) || 1);
  let rendering = null;
  let wanted = null;

  function clamp(n) {
    return Math.min(Math.max(n, 1), count);
  }

  async function show(n) {
    wanted = clamp(n);
    if (rendering) return; // the page asked for last is drawn once this one is done
    while (wanted !== null) {
      const number = wanted;
      wanted = null;
      rendering = draw(number);
      try {
        await rendering;
        current = number;
      } catch (error) {
        status.textContent = `Page ${number} of ${count} could not be drawn; open the PDF instead.`;
      } finally {
        rendering = null;
      }
    }
  }

  async function draw(number) {
    const page = await pdf.getPage(number);
    // The frame's width inside its padding, and no wider than a page is comfortably read.
    const frame = sheet.parentElement;
    const padding = parseFloat(getComputedStyle(frame).paddingLeft) * 2 || 0;
    const width = Math.min(frame.clientWidth - padding || 800, 960);
    const natural = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: Math.min(width / natural.width, 2) });
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    sheet.style.setProperty("--scale-factor", String(viewport.scale));
    await page.render({
      canvas,
      viewport,
      transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
    }).promise;
    textLayer.replaceChildren();
    await new pdfjs.TextLayer({
      textContentSource: page.streamTextContent(),
      container: textLayer,
      viewport,
    }).render();
    sheet.dataset.page = String(number);
    root.dispatchEvent(
      new CustomEvent("pdf-viewer:drawn", { detail: { number, scale: viewport.scale } }),
    );
    status.textContent = `Page ${number} of ${count}`;
    previous.disabled = number <= 1;
    next.disabled = number >= count;
  }

  previous.addEventListener("click", () => show(current - 1));
  next.addEventListener("click", () => show(current + 1));
  root.addEventListener("keydown", (event) => {
    if (event.target.closest("input, button, a")) return;
    if (event.key === "ArrowLeft" || event.key === "PageUp") show(current - 1);
    if (event.key === "ArrowRight" || event.key === "PageDown") show(current + 1);
  });
  root.classList.add("is-ready");
  await show(current);
}
