"""OCR throughput: pages of a scan read per minute, with the app's own OCR function.

    .venv/bin/python benchmarks/ocr.py [--pages 20] [--jobs 2] [--languages eng eng+chi_sim]

Makes --pages A4 pages "scanned" at 300 dpi (not timed): Pillow draws 40 lines of English
text (DejaVu Sans, 11 point) on each grayscale page, and img2pdf makes them one PDF, as
casemgr makes an image's rendition. Then reads it with casemgr.evidence.ocr.read_text, the
function the rendition worker calls (OCRmyPDF and Tesseract, --skip-text, no optimisation),
with --jobs processes, once per language setting, and prints the wall time, pages per minute,
the CPU seconds OCRmyPDF and its children spent per page (steady whatever else the machine
runs) and the share of pages whose known first line was found in the text layer. Asserts
nothing.

`measure(pages)` returns the figures for English on 2 jobs as a dict, for other benchmarks
to print (benchmarks/search.py).
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import img2pdf  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from casemgr.evidence import image_pages, ocr, renditions  # noqa: E402

DPI = 300
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WORDS = (
    "the claimant says the defendant sent millions of prompts through rotating accounts to "
    "extract the behaviour of its model and trained a competing model on the outputs contrary "
    "to the terms of service which forbid using outputs to develop competing products"
).split()


def _line(page: int, line: int) -> str:
    start = (page * 7 + line * 3) % len(WORDS)
    words = (WORDS * 2)[start : start + 12]
    return f"{page + 1}.{line + 1} " + " ".join(words)


def scan(pages: int) -> bytes:
    """A PDF of `pages` A4 pages at 300 dpi, each an image of 40 lines of text."""
    face = ImageFont.truetype(FONT, round(11 / 72 * DPI))
    images = []
    for page in range(pages):
        image = Image.new("L", (round(8.27 * DPI), round(11.69 * DPI)), 255)
        draw = ImageDraw.Draw(image)
        for line in range(40):
            draw.text((DPI, DPI + line * round(0.22 * DPI)), _line(page, line), font=face, fill=0)
        out = io.BytesIO()
        image.save(out, format="PNG", dpi=(DPI, DPI))
        images.append(out.getvalue())
    return img2pdf.convert(images, layout_fun=image_pages.a4_layout)


def read(pdf: bytes, *, pages: int, jobs: int, languages: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as work:
        source, target = Path(work, "scan.pdf"), Path(work, "read.pdf")
        source.write_bytes(pdf)
        start, children = time.perf_counter(), _children_cpu()
        ocr.read_text(source, target, languages=languages, jobs=jobs)
        seconds = time.perf_counter() - start
        cpu = _children_cpu() - children
        texts = renditions.page_texts(target)
    found = sum(_line(n, 0) in " ".join(text.split()) for n, text in enumerate(texts))
    return {
        "pages": pages,
        "jobs": jobs,
        "languages": languages,
        "dpi": DPI,
        "seconds": round(seconds, 1),
        "pages_per_minute": round(pages / seconds * 60, 1),
        # CPU time of OCRmyPDF and its Tesseract and Ghostscript processes: what a page
        # costs whatever else the machine is doing.
        "cpu_seconds_per_page": round(cpu / pages, 2),
        "pages_found": found,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(pages: int) -> dict:
    """Pages of English read per minute on 2 jobs (2 cores), with the figures behind it."""
    return read(scan(pages), pages=pages, jobs=2, languages="eng")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--languages", nargs="+", default=["eng", "eng+chi_sim"])
    options = parser.parse_args()
    pdf = scan(options.pages)
    print(f"{options.pages} pages, 300 dpi, {len(pdf) / 2**20:.1f} MiB")
    for languages in options.languages:
        figures = read(pdf, pages=options.pages, jobs=options.jobs, languages=languages)
        print(
            f"{languages:12} jobs={figures['jobs']}: {figures['seconds']:.1f} s, "
            f"{figures['pages_per_minute']:.1f} pages/min, "
            f"{figures['cpu_seconds_per_page']:.2f} CPU s/page, "
            f"first line found on {figures['pages_found']}/{figures['pages']} pages"
        )


if __name__ == "__main__":
    main()
