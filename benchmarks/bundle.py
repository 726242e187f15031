"""Build a court bundle of generated exhibits with the builder; compare with `qpdf --pages`.

    .venv/bin/python benchmarks/bundle.py [--pages 2000 10000] [--repeat 3]
        [--corpus realistic|minimal|both] [--index-rows 300 1200 3000] [--profile] [--keep]

For each size, generates a corpus of one exhibit per 10 pages (200 exhibits at 2,000 pages):
- text PDFs. In the realistic corpus (the default), byte-distinct copies of about 20
  documents of 1 to 25 pages laid out by WeasyPrint with embedded font subsets, as real
  exhibits are (letters, witness statements, agreements, logs in a monospace font, reports
  with a landscape table page, schedules with pages under /Rotate 90; see bundle_sources.py).
  In the minimal corpus (--corpus minimal), PDFs of 1 to about 100 pages made here, naming
  base-14 Helvetica without embedding it (50 lines of words a page; about 3% of pages
  landscape and 2% portrait with /Rotate 90). --corpus both runs one, then the other;
- a few scanned-style PDFs of 4 to 12 pages (img2pdf from a noisy grayscale 150 dpi JPEG,
  image only, no text), about 2% of the pages;
- JPEG photos, one exhibit in 20, each turned into its PDF rendition through
  casemgr.evidence.renditions.render (what `manage.py bundle_pdfs` and the rendition task
  do) while the corpus is made. That conversion is timed and printed apart and is NOT part
  of the build time: in the app, renditions exist before a bundle is built.

Then, on the same PDF files, in the same order:
(a) the builder (casemgr.bundles.builder.build, then check) in a child process of its own,
    four sections, cover, index with links, page numbers, bookmarks, no dividers. Build and
    check are timed inside that process after its imports; its peak memory is its own
    VmHWM at the end, the after-imports figure is printed too, and so are the time spent
    laying out the cover, index and dividers with WeasyPrint, how many times that was done
    (once: the index is paginated before it is laid out) and the peak memory of a layout
    process (core.layout's children: two, one per half of the front matter, both held at
    once beside the build process; the figure is the one that answered last);
(b) `qpdf --empty --pages f1 f2 ... -- out.pdf`, timed from outside (it has no imports),
    peak memory its VmHWM read from /proc every 5 ms while it runs; the goal is set against
    this. Then again with --remove-unreferenced-resources=no, as the builder runs qpdf.
Not ru_maxrss: Linux carries a process's high-water mark across exec, so a child of this
(large) script would report at least this script's size.
With --repeat N, each is run N times, alternately, and the best time is kept (memory: the
highest peak). --profile runs the build once more at the first size under cProfile and
prints the top entries.

With --index-rows N..., the index alone: for each N, the cover and index of a bundle of N
documents (no files; titles short and long, one in 20 of 300 unbroken characters, as an
exhibit's title may be) laid out by casemgr.bundles.front_matter in its layout process, timed
from this process, best of --repeat; printed as seconds per 100 rows, which linear growth
keeps flat. Without --pages, only that is run.

Memory is in MB of 10^6 bytes, file sizes too. Prints figures and the goals beside them, and
at the end build / qpdf for each corpus and size; asserts nothing. The corpus goes to a
temporary folder removed at the end unless --keep.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import bundle_sources  # benchmarks/, beside this script

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PAGES_PER_EXHIBIT = 10
SECTIONS = (  # letter, title, share of the exhibits
    ("A", "Statements of case", 0.05),
    ("B", "Witness statements", 0.15),
    ("C", "Exhibits", 0.70),
    ("D", "Correspondence", 0.10),
)
WORDS = (
    "the claimant defendant agreement licence model weights training data clause schedule "
    "breach confidential information disclosed party parties court order witness statement "
    "exhibit pursuant to paragraph account request token output dataset evaluation benchmark "
    "server logs access api key terms of service notice served deemed served within days "
    "costs hearing application injunction damages copyright database right infringement "
    "distillation prompt response rate limit invoice payment email letter meeting minutes "
    "board director engineer report analysis figure table annex version release deployment"
).split()
MB = 1_000_000
# qpdf's default (auto) parses every content stream to drop resources a page does not use;
# the builder turns that off, so qpdf is timed both ways. The goal is set against the default.
UNPRUNED = ("--remove-unreferenced-resources=no",)

# ---------------------------------------------------------------------------- the corpus


@dataclass
class Exhibit:
    key: str
    path: Path  # the PDF that goes into the bundle (for a JPEG, its rendition)
    title: str
    reference: str
    date: str
    kind: str  # "text", "scan" or "jpeg"
    pages: int


@dataclass
class Corpus:
    exhibits: list[Exhibit]
    pages: int
    landscape: int
    rotated: int
    bytes: int
    seconds: float
    rendition_seconds: float


def page_counts(pages: int, rng: random.Random) -> list[tuple[str, int]]:
    """(kind, pages) for each exhibit, in bundle order, adding up to `pages` exactly."""
    exhibits = max(1, pages // PAGES_PER_EXHIBIT)
    jpegs = exhibits // 20
    scans = [rng.randint(4, 12) for _ in range(max(1, exhibits // 40))]
    texts = exhibits - jpegs - len(scans)
    spare = pages - jpegs - sum(scans) - texts  # pages beyond one per text PDF
    assert texts > 0 and spare >= 0, "too few pages for the mix of exhibits"
    # Heavy-tailed, as real exhibits are: many letters of a page or two, a few long contracts.
    weights = [min(rng.paretovariate(1.5), 25.0) for _ in range(texts)]
    shares = [w / sum(weights) * spare for w in weights]
    counts = [1 + int(share) for share in shares]
    by_remainder = sorted(range(texts), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in by_remainder[: pages - jpegs - sum(scans) - sum(counts)]:
        counts[i] += 1
    kinds = [("text", n) for n in counts] + [("scan", n) for n in scans] + [("jpeg", 1)] * jpegs
    rng.shuffle(kinds)
    return kinds


def text_pdf(path: Path, pages: int, reference: str, lines: list[str], rng: random.Random):
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    resources = pdf.make_indirect(pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))
    landscape = rotated = 0
    for number in range(1, pages + 1):
        shape = rng.random()
        width, height, count = (842, 595, 34) if shape < 0.03 else (595, 842, 50)
        body = " ".join(f"({line}) Tj T*" for line in rng.choices(lines, k=count))
        content = (
            f"BT /F1 10 Tf 12 TL 72 {height - 60} Td ({reference} page {number}) Tj T* T* {body} ET"
        ).encode()
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, width, height],
            Resources=resources,
            Contents=pdf.make_stream(content),
        )
        if 0.03 <= shape < 0.05:
            page.Rotate = 90
            rotated += 1
        landscape += width > height
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return landscape, rotated


def scan_jpeg(rng: random.Random) -> bytes:
    """A grayscale A4 page at 150 dpi: lines of dark word-shaped blocks, under noise."""
    from PIL import Image, ImageDraw

    width, height = 1240, 1754
    page = Image.new("L", (width, height), 235)
    draw = ImageDraw.Draw(page)
    for y in range(150, height - 150, 34):
        x = 120
        while x < width - 120:
            word = rng.randint(30, 140)
            draw.rectangle((x, y, min(x + word, width - 120), y + 18), fill=rng.randint(30, 70))
            x += word + 18
    page = Image.blend(page, Image.effect_noise((width, height), 40), 0.15)
    out = io.BytesIO()
    page.save(out, "JPEG", quality=70, dpi=(150, 150))
    return out.getvalue()


def photo_jpeg(rng: random.Random) -> bytes:
    from PIL import Image

    size = (1600, 1200)
    noise = Image.merge("RGB", [Image.effect_noise(size, rng.randint(30, 50)) for _ in "RGB"])
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    Image.blend(gradient, noise, 0.3).save(out, "JPEG", quality=80)
    return out.getvalue()


def make_corpus(
    folder: Path, pages: int, seed: int, sources: list[bundle_sources.Source] | None
) -> Corpus:
    """The exhibits of a bundle of `pages` pages: copies of `sources` for the text exhibits
    (the realistic corpus), or, with no sources, minimal Helvetica PDFs made here."""
    import img2pdf

    from casemgr.evidence.renditions import render

    started = time.perf_counter()
    rng = random.Random(seed)
    lines = [" ".join(rng.choices(WORDS, k=14))[:85] for _ in range(2000)]
    scans = [scan_jpeg(rng) for _ in range(4)]
    photos = [photo_jpeg(rng) for _ in range(3)]
    kinds = page_counts(pages, rng)
    if sources is not None:
        kinds = with_sources(kinds, sources, rng)
    exhibits, landscape, rotated, rendition_seconds = [], 0, 0, 0.0
    for number, (kind, count) in enumerate(kinds, 1):
        reference = f"EX-{number}"
        path = folder / f"ex-{number:05d}.pdf"
        if kind == "text" and sources is not None:
            source = sources[count]
            bundle_sources.write_copy(source, path)
            title, count = source.title, source.pages
            landscape += source.landscape
            rotated += source.rotated
        elif kind == "text":
            shapes = text_pdf(path, count, reference, lines, rng)
            landscape += shapes[0]
            rotated += shapes[1]
            title = f"{rng.choice(['Letter', 'Agreement', 'Report', 'Minutes', 'Log'])} "
            title += " ".join(rng.choices(WORDS, k=4))
        elif kind == "scan":
            path.write_bytes(img2pdf.convert([scans[(number + i) % 4] for i in range(count)]))
            title = f"Signed {rng.choice(['licence', 'witness statement', 'invoice'])} (scan)"
        else:
            photo = folder / f"ex-{number:05d}.jpg"
            photo.write_bytes(photos[number % 3])
            path = folder / f"ex-{number:05d}.jpg.pdf"
            converting = time.perf_counter()
            path.write_bytes(render(photo, "jpeg", name=photo.name).pdf)
            rendition_seconds += time.perf_counter() - converting
            title = f"Photograph of {rng.choice(['server rack', 'whiteboard', 'notice'])}"
        exhibits.append(
            Exhibit(
                key=f"entry:{number}",
                path=path,
                title=title,
                reference=reference,
                date=f"{rng.randint(1, 28)} {rng.choice(['March', 'June', 'November'])} 2025",
                kind=kind,
                pages=count,
            )
        )
    size = sum(exhibit.path.stat().st_size for exhibit in exhibits)
    seconds = time.perf_counter() - started
    return Corpus(exhibits, pages, landscape, rotated, size, seconds, rendition_seconds)


def with_sources(
    kinds: list[tuple[str, int]], sources: list[bundle_sources.Source], rng: random.Random
) -> list[tuple[str, int]]:
    """`kinds` with each text exhibit's page count replaced by the position of a source
    document in `sources`, chosen so that the text pages add up as before."""
    texts = [n for n, (kind, _) in enumerate(kinds) if kind == "text"]
    target = sum(kinds[n][1] for n in texts)
    picks = [rng.randrange(len(sources)) for _ in texts]
    total = sum(sources[s].pages for s in picks)
    while total != target:  # swap one pick for a longer or shorter source, never overshooting
        n = rng.randrange(len(picks))
        gap = target - total
        fits = [
            s
            for s, source in enumerate(sources)
            if 0 < (source.pages - sources[picks[n]].pages) * (1 if gap > 0 else -1) <= abs(gap)
        ]
        if fits:
            chosen = rng.choice(fits)
            total += sources[chosen].pages - sources[picks[n]].pages
            picks[n] = chosen
    chosen = dict(zip(texts, picks, strict=True))
    return [("text", chosen[n]) if n in chosen else kind for n, kind in enumerate(kinds)]


# ---------------------------------------------------------------------- the child process


def job_for(corpus: Corpus, out: Path, pages: int) -> dict:
    sections, start = [], 0
    for number, (letter, title, share) in enumerate(SECTIONS):
        end = min(start + round(share * len(corpus.exhibits)), len(corpus.exhibits))
        if number == len(SECTIONS) - 1:
            end = len(corpus.exhibits)
        documents = [
            {
                "key": e.key,
                "path": str(e.path),
                "title": e.title,
                "reference": e.reference,
                "date": e.date,
            }
            for e in corpus.exhibits[start:end]
        ]
        sections.append({"letter": letter, "title": title, "documents": documents})
        start = end
    return {
        "title": f"Trial bundle ({pages:,} pages)",
        "case_name": "Northwind AI Ltd v Jadeport Systems Inc",
        "claim_number": "IL-2026-000123",
        "court": "High Court of Justice, Business and Property Courts, Intellectual Property List",
        "prepared_on": "27 November 2026",
        "sections": sections,
        "out": str(out),
    }


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def child(job_path: Path, profile_to: str) -> None:
    """Runs in the child: build and check the bundle described in the job file, print JSON."""
    sys.path.insert(0, str(ROOT))
    from casemgr.bundles import builder, front_matter
    from casemgr.core import layout

    job = json.loads(job_path.read_text())
    spec = builder.Spec(
        title=job["title"],
        case_name=job["case_name"],
        claim_number=job["claim_number"],
        court=job["court"],
        prepared_on=job["prepared_on"],
        sections=tuple(
            builder.Section(
                letter=section["letter"],
                title=section["title"],
                documents=tuple(
                    builder.Document(**{**document, "path": Path(document["path"])})
                    for document in section["documents"]
                ),
            )
            for section in job["sections"]
        ),
    )
    out = Path(job["out"])
    calls = 0

    def progress(done: int, total: int) -> None:  # the task writes this to the database
        nonlocal calls
        calls += 1

    # How long the cover, index and dividers take, and how many times WeasyPrint laid
    # them out (once: the index is paginated first).
    laid_out = {"seconds": 0.0, "layouts": 0}
    # (In a thread of its own, beside the documents' assembly: the time is the layout's
    # own, not what it adds to the build.)
    lay_out, render = front_matter.render, front_matter._render

    def timed_lay_out(*args):
        started = time.perf_counter()
        try:
            return lay_out(*args)
        finally:
            laid_out["seconds"] += time.perf_counter() - started

    def counted_render(*args):
        laid_out["layouts"] += 1
        return render(*args)

    front_matter.render, front_matter._render = timed_lay_out, counted_render
    after_imports_kb = status_kb("VmHWM")
    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    result = builder.build(spec, out, progress)
    built = time.perf_counter()
    builder.check(out, result)
    checked = time.perf_counter()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile_to)
    front = next(run.first for run in result.runs if run.kind == "document")
    print(
        json.dumps(
            {
                "build": built - started,
                "check": checked - built,
                "pages": result.page_count,
                "front": front,
                "size": result.size,
                "scanned": len(result.scanned),
                "progress_calls": calls,
                "front_seconds": laid_out["seconds"],
                "layouts": laid_out["layouts"],
                "after_imports_kb": after_imports_kb,
                "vmhwm_kb": status_kb("VmHWM"),
                "layout_peak_kb": layout.last_peak_kib,
            }
        )
    )


# ---------------------------------------------------------------------------- the parent


def run_measured(command: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak resident memory (KiB, the process's last VmHWM seen) and stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT, text=True)
    peak = [0]

    def sample() -> None:
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            with contextlib.suppress(OSError, ValueError, KeyError):  # KeyError: exited
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
                peak[0] = max(peak[0], int(fields["VmHWM"].split()[0]))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    stdout, _ = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode not in (0, 3):  # qpdf exits 3 when it succeeded with warnings
        raise SystemExit(f"{command[0]} {command[1]} … failed with exit code {process.returncode}")
    return seconds, peak[0], stdout


def build_once(job_path: Path, profile_to: str = "") -> dict:
    command = [PYTHON, str(Path(__file__).resolve()), "--child", str(job_path)]
    if profile_to:
        command += ["--profile-to", profile_to]
    _, sampled_kb, stdout = run_measured(command)
    return {**json.loads(stdout.strip().splitlines()[-1]), "sampled_kb": sampled_kb}


def qpdf_once(corpus: Corpus, out: Path, options: tuple[str, ...] = ()) -> tuple[float, int]:
    paths = [str(e.path) for e in corpus.exhibits]
    seconds, peak_kb, _ = run_measured(
        ["qpdf", *options, "--empty", "--pages", *paths, "--", str(out)]
    )
    return seconds, peak_kb


def mb(kib: int) -> float:
    return kib * 1024 / MB


def measure(
    folder: Path,
    pages: int,
    repeat: int,
    seed: int,
    sources: list[bundle_sources.Source] | None,
) -> dict:
    folder.mkdir(parents=True)
    corpus = make_corpus(folder, pages, seed, sources)
    kinds = {
        kind: [e for e in corpus.exhibits if e.kind == kind] for kind in ("text", "scan", "jpeg")
    }
    print(
        f"corpus: {len(corpus.exhibits):,} exhibits, {corpus.pages:,} pages: "
        f"{sum(e.pages for e in kinds['text']):,} text pages in {len(kinds['text']):,} PDFs "
        f"({corpus.landscape} landscape, {corpus.rotated} /Rotate 90), "
        f"{sum(e.pages for e in kinds['scan'])} scanned pages in {len(kinds['scan'])} PDFs, "
        f"{len(kinds['jpeg'])} JPEGs as PDF renditions; {corpus.bytes / MB:.1f} MB; "
        f"made in {corpus.seconds:.1f} s, of which JPEG renditions "
        f"{corpus.rendition_seconds:.2f} s (not counted in the build)"
    )
    out = folder / "bundle.pdf"
    job_path = folder / "job.json"
    job_path.write_text(json.dumps(job_for(corpus, out, pages)))
    builds, qpdfs, unpruned = [], [], []
    for _ in range(repeat):
        builds.append(build_once(job_path))
        out.unlink()
        qpdfs.append(qpdf_once(corpus, folder / "qpdf.pdf"))
        unpruned.append(qpdf_once(corpus, folder / "qpdf.pdf", UNPRUNED))
    qpdf_size = (folder / "qpdf.pdf").stat().st_size
    (folder / "qpdf.pdf").unlink()
    best = min(builds, key=lambda b: b["build"])
    return {
        "pages": pages,
        "corpus": corpus,
        "folder": folder,
        "job": job_path,
        "build": best["build"],
        "check": min(b["check"] for b in builds),
        "builds": [b["build"] for b in builds],
        "bundle_pages": best["pages"],
        "front": best["front"],
        "size": best["size"],
        "scanned": best["scanned"],
        "progress_calls": best["progress_calls"],
        "front_seconds": best["front_seconds"],
        "layouts": [b["layouts"] for b in builds],
        "after_imports_kb": best["after_imports_kb"],
        "peak_kb": max(max(b["vmhwm_kb"], b["sampled_kb"]) for b in builds),
        "layout_peak_kb": max(b["layout_peak_kb"] for b in builds),
        "qpdf": min(seconds for seconds, _ in qpdfs),
        "qpdfs": [seconds for seconds, _ in qpdfs],
        "qpdf_peak_kb": max(kb for _, kb in qpdfs),
        "qpdf_size": qpdf_size,
        "unpruned": min(seconds for seconds, _ in unpruned),
    }


def report(m: dict) -> None:
    pages, build, qpdf = m["pages"], m["build"], m["qpdf"]
    runs = ", ".join(f"{s:.2f}" for s in m["builds"])
    qpdf_runs = ", ".join(f"{s:.2f}" for s in m["qpdfs"])
    memory_goal = "  (goal at 2,000 pages: under 200 MB)" if pages == 2000 else ""
    memory_goal = "  (goal at 10,000 pages: under 500 MB)" if pages == 10000 else memory_goal
    print(
        f"bundle: {m['bundle_pages']:,} pages ({m['front']} before the first document), "
        f"{m['size'] / MB:.1f} MB, {m['scanned']} scanned pages flagged, "
        f"{m['progress_calls']:,} progress calls"
    )
    print(f"  build  {build:7.2f} s  {pages / build:7.0f} pages/s  (runs: {runs})")
    print(
        f"    of which cover, index and dividers (WeasyPrint) {m['front_seconds']:.2f} s, "
        f"laid out {'/'.join(map(str, m['layouts']))} time(s)"
    )
    print(f"  check  {m['check']:7.2f} s")
    print(
        f"  peak memory {mb(m['peak_kb']):.0f} MB, after imports {mb(m['after_imports_kb']):.0f} "
        f"MB{memory_goal}; the layout process's peak {mb(m['layout_peak_kb']):.0f} MB"
    )
    print(
        f"qpdf:    {qpdf:7.2f} s  {pages / qpdf:7.0f} pages/s  (runs: {qpdf_runs}); "
        f"{m['qpdf_size'] / MB:.1f} MB; peak memory {mb(m['qpdf_peak_kb']):.0f} MB"
    )
    print(
        f"  with {UNPRUNED[0]} (as the builder runs it): {m['unpruned']:.2f} s, "
        f"{pages / m['unpruned']:.0f} pages/s"
    )
    goal = f"  (goal at {pages:,} pages: 1.00 or less)" if pages in (2000, 10000) else ""
    print(
        f"build / qpdf: {build / qpdf:.2f}{goal}; (build + check) / qpdf: "
        f"{(build + m['check']) / qpdf:.2f}; build / qpdf {UNPRUNED[0]}: "
        f"{build / m['unpruned']:.2f}"
    )


def linearity(name: str, results: list[dict]) -> None:
    print(f"\nseconds per 1,000 pages, {name} corpus (linear growth keeps these equal):")
    for m in results:
        print(
            f"  {m['pages']:>7,} pages: build {m['build'] / m['pages'] * 1000:.3f} s, "
            f"check {m['check'] / m['pages'] * 1000:.3f} s, "
            f"qpdf {m['qpdf'] / m['pages'] * 1000:.3f} s"
        )
    first, last = results[0], results[-1]
    growth = (last["build"] / last["pages"]) / (first["build"] / first["pages"])
    qpdf_growth = (last["qpdf"] / last["pages"]) / (first["qpdf"] / first["pages"])
    print(
        f"  build time per page at {last['pages']:,} / at {first['pages']:,}: "
        f"{growth:.2f} (1.00 = linear; goal: linear); qpdf: {qpdf_growth:.2f}"
    )


# ------------------------------------------------------------------------ the index alone


def index_titles(count: int, rng: random.Random) -> list[str]:
    """Titles as exhibits have them: half short, a third of a line or two, the rest long,
    and one in 20 the 300 unbroken characters an exhibit's title may hold."""
    titles = []
    for n in range(count):
        draw = rng.random()
        if draw < 0.05:
            title = f"{n}-" + "x" * 296
        elif draw < 0.55:
            title = f"{rng.choice(['Letter', 'Agreement', 'Report', 'Minutes'])} "
            title += " ".join(rng.choices(WORDS, k=4))
        elif draw < 0.85:
            title = " ".join(rng.choices(WORDS, k=rng.randint(10, 20)))
        else:
            title = " ".join(rng.choices(WORDS, k=50))[:300]
        titles.append(title)
    return titles


def measure_index(rows: int, repeat: int, seed: int) -> dict:
    """The cover and index of a bundle of `rows` documents, laid out as a build does."""
    from casemgr.bundles import builder, front_matter, numbering
    from casemgr.core import layout

    rng = random.Random(seed)
    documents = [
        builder.Document(f"entry:{n}", Path(f"ex-{n}.pdf"), title, f"EX-{n}", "12 March 2025")
        for n, title in enumerate(index_titles(rows, rng), 1)
    ]
    sections, start = [], 0
    for number, (letter, title, share) in enumerate(SECTIONS):
        end = rows if number == len(SECTIONS) - 1 else min(start + round(share * rows), rows)
        sections.append(builder.Section(letter, title, tuple(documents[start:end])))
        start = end
    spec = builder.Spec(title=f"Trial bundle ({rows:,} documents)", sections=tuple(sections))
    counts = {document.key: rng.randint(1, 19) for document in documents}
    render = front_matter._render
    calls = []
    front_matter._render = lambda *args: calls.append(1) or render(*args)
    try:
        times, peaks = [], []
        for _ in range(repeat):
            items = numbering.arrange(spec, counts)
            groups = numbering.headings(spec, items)
            calls.clear()
            started = time.perf_counter()
            front = front_matter.lay_out(spec, items, groups)
            times.append(time.perf_counter() - started)
            peaks.append(layout.last_peak_kib)
    finally:
        front_matter._render = render
    return {
        "rows": rows,
        "seconds": min(times),
        "runs": times,
        "index_pages": front.index_pages,
        "layouts": len(calls),
        "peak_kb": max(peaks),
    }


def report_index(results: list[dict]) -> None:
    print("\nthe cover and index alone (WeasyPrint, in the layout process), best of the runs:")
    for m in results:
        runs = ", ".join(f"{s:.2f}" for s in m["runs"])
        print(
            f"  {m['rows']:>6,} rows: {m['seconds']:6.2f} s = {m['seconds'] / m['rows'] * 100:.3f} "
            f"s per 100 rows; {m['index_pages']:,} index pages, laid out {m['layouts']} time(s); "
            f"layout process peak {mb(m['peak_kb']):.0f} MB  (runs: {runs})"
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        growth = (last["seconds"] / last["rows"]) / (first["seconds"] / first["rows"])
        print(
            f"  time per row at {last['rows']:,} / at {first['rows']:,} rows: {growth:.2f} "
            "(1.00 = linear; goal: linear)"
        )


def report_ratios(results: dict[str, list[dict]]) -> None:
    print("\nbuild / qpdf, by corpus (goal: 1.00 or less at 2,000 and 10,000 pages):")
    for name, measured in results.items():
        for m in measured:
            print(
                f"  {name:<9} {m['pages']:>7,} pages: build {m['build']:6.2f} s, qpdf "
                f"{m['qpdf']:6.2f} s, ratio {m['build'] / m['qpdf']:.2f}; peak memory "
                f"{mb(m['peak_kb']):.0f} MB, layout process {mb(m['layout_peak_kb']):.0f} MB"
            )


def print_profile(path: str) -> None:
    import pstats

    for order, count in (("tottime", 25), ("cumulative", 25)):
        print(f"\ncProfile of the build and check, top {count} by {order}:")
        pstats.Stats(path, stream=sys.stdout).strip_dirs().sort_stats(order).print_stats(count)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, nargs="+", help="default: 2000 10000")
    parser.add_argument(
        "--index-rows",
        type=int,
        nargs="+",
        default=[],
        help="lay out the cover and index alone for bundles of these many documents",
    )
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs")
    parser.add_argument("--profile", action="store_true", help="profile at the first size")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--corpus",
        choices=("realistic", "minimal", "both"),
        default="realistic",
        help="exhibits laid out by WeasyPrint with embedded fonts (default), or minimal "
        "Helvetica PDFs, or both one after the other",
    )
    parser.add_argument("--keep", action="store_true", help="keep the corpus and print where")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.profile_to)
        return
    if shutil.which("qpdf") is None:
        raise SystemExit("qpdf is not installed: apt-get install -y qpdf")
    sys.path.insert(0, str(ROOT))
    version = subprocess.run(["qpdf", "--version"], capture_output=True, text=True).stdout
    print(f"{version.splitlines()[0]}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    if args.index_rows:
        measure_index(1, 1, args.seed)  # starts the layout processes' server (about 1 s)
        report_index([measure_index(rows, args.repeat, args.seed) for rows in args.index_rows])
        if args.pages is None:
            return
    pages = args.pages or [2000, 10000]
    work = Path(tempfile.mkdtemp(prefix="casemgr-bench-bundle-"))
    corpora = ("realistic", "minimal") if args.corpus == "both" else (args.corpus,)
    ratios: dict[str, list[dict]] = {}
    try:
        for name in corpora:
            sources = None
            if name == "realistic":
                started = time.perf_counter()
                sources = bundle_sources.make_sources(random.Random(args.seed))
                print(
                    f"\n{len(sources)} source documents laid out by WeasyPrint "
                    f"({sum(s.pages for s in sources)} pages, "
                    f"{sum(len(s.data) for s in sources) / MB:.1f} MB) in "
                    f"{time.perf_counter() - started:.1f} s; text exhibits are copies of them"
                )
            results = []
            for number, size in enumerate(pages):
                print(f"\n== {size:,} pages, {name} corpus ==")
                measured = measure(work / name / f"{size}", size, args.repeat, args.seed, sources)
                report(measured)
                results.append(measured)
                if args.profile and number == 0:
                    stats = str(work / name / "build.prof")
                    build_once(measured["job"], stats)
                    (measured["folder"] / "bundle.pdf").unlink()
                    print_profile(stats)
            if len(results) > 1:
                linearity(name, results)
            ratios[name] = results
        report_ratios(ratios)
    finally:
        if args.keep:
            print(f"\ncorpus kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
