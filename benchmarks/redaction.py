"""Redaction throughput: pages per second on a 500-page document with boxes on every tenth
page, with the engine the app and `manage.py redact` use.

    .venv/bin/python benchmarks/redaction.py [--pages 500] [--every 10] [--runs 3] [--jobs N]

Makes a --pages A4 text PDF with WeasyPrint (not timed): each page a heading and 40 lines
of prose with a fictional e-mail address on it. Finds the address on every --every-th page
with `engine.find` (timed apart: it reads the text layer of every page) and redacts those
boxes with `engine.redact` (each such page drawn at 300 dpi, painted, read back by
Tesseract; the other pages kept; metadata and the rest stripped; the whole file written).
Prints, for the median of --runs runs: pages per second of the whole document, seconds per
redacted page, and the machine (cores, CPU, and the load average after each run: on a shared
machine the figures are those of the cores left over). Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ocr import WORDS  # noqa: E402 - benchmarks/ocr.py: the same prose
from weasyprint import HTML  # noqa: E402

from casemgr.redaction import engine  # noqa: E402


def document(pages: int, path: Path) -> None:
    """`pages` A4 pages of prose; page n names witness-n@jadeport.example once."""
    sections = []
    for page in range(1, pages + 1):
        lines = [" ".join((WORDS * 2)[(page + line) % 20 :][:11]) for line in range(40)]
        lines[7] += f" witness-{page}@jadeport.example"
        sections.append(f"<section><h2>Page {page}</h2><p>{'<br>'.join(lines)}</p></section>")
    style = (
        "<style>@page { size: A4; margin: 2cm } section { page-break-after: always }"
        "p { font-size: 10pt; line-height: 1.45 }</style>"
    )
    HTML(string=style + "".join(sections)).write_pdf(path)


def run(source: Path, target: Path, every: int, jobs: int | None) -> dict:
    start = time.perf_counter()
    wanted = {page for page in range(1, 10**6) if page % every == 0}
    boxes = [
        box
        for box in engine.find(source, patterns=[r"witness-\d+@jadeport\.example"])
        if box.page in wanted
    ]
    found = time.perf_counter() - start
    start = time.perf_counter()
    result = engine.redact(source, target, boxes, jobs=jobs)
    redacted = time.perf_counter() - start
    return {
        "find": found,
        "redact": redacted,
        "pages": result.page_count,
        "redacted_pages": len(result.redacted_pages),
        "boxes": len(boxes),
    }


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="default: one per core")
    options = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores, {_cpu()}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="bench-redaction-") as work:
        source, target = Path(work, "source.pdf"), Path(work, "redacted.pdf")
        start = time.perf_counter()
        document(options.pages, source)
        print(
            f"document: {options.pages} pages, {source.stat().st_size / 2**20:.1f} MiB, "
            f"made in {time.perf_counter() - start:.1f} s (not timed)"
        )
        runs = []
        for number in range(1, options.runs + 1):
            figures = run(source, target, options.every, options.jobs)
            runs.append(figures)
            load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
            print(
                f"run {number} (load after: {load}): find {figures['find']:.1f} s, "
                f"redact {figures['redact']:.1f} s "
                f"({figures['redacted_pages']} pages, {figures['boxes']} boxes), "
                f"output {target.stat().st_size / 2**20:.1f} MiB"
            )
    find = statistics.median(r["find"] for r in runs)
    redact = statistics.median(r["redact"] for r in runs)
    pages, redacted = runs[0]["pages"], runs[0]["redacted_pages"]
    jobs = options.jobs or min(cores, redacted)
    print(
        f"median of {len(runs)}: redact {redact:.1f} s on {jobs} processes: "
        f"{pages / redact:.1f} pages/s of the whole document, "
        f"{redact / redacted:.2f} s per redacted page ({redacted} of {pages}); "
        f"find {find:.1f} s ({pages / find:.0f} pages/s)"
    )


if __name__ == "__main__":
    main()
