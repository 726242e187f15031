"""Time resampling 600 dpi scans to 300 dpi, as a bundle's build does (casemgr.bundles.images).

    .venv/bin/python benchmarks/downsample.py [--pages 20] [--kinds grey colour grey-flate bilevel]

For each kind, makes one PDF of --pages A4 pages scanned at 600 dpi (4960 x 7016 pixels),
each its own image, embedded by img2pdf as a scanner's PDF has it:
- grey: 8-bit greyscale JPEG (quality 75) of lines of text-like strokes on paper with
  scanner noise;
- colour: the same in RGB, on off-white paper with a red stamp;
- grey-flate: the grey page as a PNG (Flate with PNG predictors);
- bilevel: the strokes alone, 1-bit, CCITT Group 4.
Then, in a child process of its own, runs images.reduce on it (find the images and where they
are drawn, resample each to 300 dpi, write the copy) and prints the time per page inside the
child (after imports), the sizes before and after, and the child's peak memory (its VmHWM).
Making the scans is not timed. MiB are 2^20 bytes. Asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("grey", "colour", "grey-flate", "bilevel")
A4_AT_600 = (4960, 7016)


def page(kind: str, number: int):
    from PIL import Image, ImageDraw

    width, height = A4_AT_600
    mode = {"colour": "RGB", "bilevel": "1"}.get(kind, "L")
    paper = {"RGB": (246, 243, 235), "L": 244, "1": 1}[mode]
    picture = Image.new(mode, (width, height), paper)
    if mode != "1":
        noise = Image.effect_noise((width, height), 12).convert(mode)
        picture = Image.blend(picture, noise, 0.08)
    draw = ImageDraw.Draw(picture)
    ink = {"RGB": (30, 30, 40), "L": 25, "1": 0}[mode]
    for line, top in enumerate(range(600, height - 600, 100)):
        left = 600
        while left < width - 700:
            word = 60 + (line * 37 + left * 13 + number * 7) % 260
            draw.rectangle((left, top, left + word, top + 34), fill=ink)
            left += word + 40
    if mode == "RGB":
        draw.ellipse((3400, 5600, 4400, 6600), outline=(190, 20, 20), width=40)
    return picture


def make(kind: str, pages: int, folder: Path) -> Path:
    import img2pdf

    frames = []
    for number in range(pages):
        data = io.BytesIO()
        picture = page(kind, number)
        if kind == "bilevel":
            picture.save(data, format="TIFF", compression="group4", dpi=(600, 600))
        elif kind == "grey-flate":
            picture.save(data, format="PNG", dpi=(600, 600))
        else:
            picture.save(data, format="JPEG", quality=75, dpi=(600, 600))
        frames.append(data.getvalue())
    path = folder / f"{kind}.pdf"
    path.write_bytes(img2pdf.convert(frames))
    return path


def child(source: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from casemgr.bundles import images

    target = source.with_name(source.stem + "-300.pdf")
    started = time.perf_counter()
    count = images.reduce(source, target)
    seconds = time.perf_counter() - started
    peak = next(
        int(line.split()[1]) // 1024
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    print(json.dumps({"resampled": count, "seconds": seconds, "peak_mib": peak,
                      "size": target.stat().st_size}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="casemgr-bench-downsample-") as work:
        for kind in args.kinds:
            source = make(kind, args.pages, Path(work))
            completed = subprocess.run(
                [sys.executable, __file__, "--child", str(source)],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(completed.stdout.splitlines()[-1])
            before = source.stat().st_size / 2**20
            after = figures["size"] / 2**20
            print(
                f"{kind:10} {args.pages} pages, {figures['resampled']} images resampled: "
                f"{figures['seconds'] / args.pages:.3f} s a page "
                f"({figures['seconds']:.2f} s), {before:.1f} MiB -> {after:.1f} MiB, "
                f"peak memory {figures['peak_mib']} MiB"
            )


if __name__ == "__main__":
    main()
