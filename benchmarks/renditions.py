"""Time and peak memory of the renditions of large log files, one child process per file.

    .venv/bin/python benchmarks/renditions.py [--size-mb 200] [--kinds csv jsonl text email]
        [--source DIR] [--workdir DIR]

Generates, once, into --workdir (default /tmp/casemgr-bench-renditions; kept, so a second run
or a run against other code reuses them):
- csv: an API access log of about --size-mb MB (timestamp, account, api_key, org, ip,
  user_agent, model, prompt, input_tokens, output_tokens, status; prompts of 40 to 400
  characters with commas and quotes, so many fields are quoted);
- jsonl: the same records as JSON Lines, about the same size;
- text: the same records as a plain-text server log, about the same size;
- email: an e-mail whose plain-text body is the text log's first 20 MB, with 2,000 small
  CSV attachments.
Then renders each with casemgr.evidence.renditions.render in a child process of its own
(`--source DIR` imports casemgr from DIR instead, e.g. an older checkout made with
`git archive`) and prints wall time inside the child (after imports), pages, PDF size and
the child's peak resident memory (its VmHWM, read from /proc/self/status at the end; not
ru_maxrss, which Linux carries across exec from this script), plus the peak of the layout
process WeasyPrint ran in (casemgr/core/layout.py), which is held at the same time. MiB are
2^20 bytes. Asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("csv", "jsonl", "text", "email")
COLUMNS = (
    "timestamp account api_key org ip user_agent model prompt input_tokens output_tokens status"
).split()
WORDS = (
    'summarise the "attached" contract, in plain English; list every clause that limits '
    "liability and quote it exactly then compare with the draft licence and flag any change"
).split()


def records(seed: int = 42):
    rng = random.Random(seed)
    start = 1_762_160_400  # 2025-11-03T09:00:00Z
    for number in range(10**9):
        seconds = start + number // 7
        yield {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds)),
            "account": f"nw-{rng.randrange(10_000):04d}",
            "api_key": f"sk-live-{rng.getrandbits(96):024x}",
            "org": f"org-{rng.randrange(300):03d}",
            "ip": f"203.0.{rng.randrange(256)}.{rng.randrange(256)}",
            "user_agent": f"python-httpx/0.{rng.randrange(20, 28)}.{rng.randrange(9)}",
            "model": rng.choice(("lm-7-large", "lm-7-small", "lm-6")),
            "prompt": " ".join(rng.choices(WORDS, k=rng.randrange(8, 70))),
            "input_tokens": rng.randrange(20, 9_000),
            "output_tokens": rng.randrange(1, 4_000),
            "status": rng.choice((200, 200, 200, 200, 429, 500)),
        }


def generate(kind: str, path: Path, size: int) -> None:
    partial = path.with_suffix(".part")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        if kind == "csv":
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
        for record in records():
            if kind == "csv":
                writer.writerow(record.values())
            elif kind == "jsonl":
                handle.write(json.dumps(record) + "\n")
            else:
                handle.write(" ".join(str(value) for value in record.values()) + "\n")
            if handle.tell() >= size:
                break
    partial.rename(path)


def generate_email(path: Path, text_log: Path) -> None:
    message = EmailMessage()
    message["From"] = "Ada Quill <ada@northwind.example>"
    message["To"] = "Legal <legal@northwind.example>"
    message["Subject"] = "Access log, November, and the per-account extracts"
    message["Date"] = "Mon, 17 Nov 2025 09:12:00 +0000"
    with text_log.open(encoding="utf-8") as handle:
        message.set_content(handle.read(20 * 1024 * 1024))
    for number in range(1, 2_001):
        message.add_attachment(
            f"account,requests\nnw-{number:04d},{number * 37}\n".encode(),
            maintype="text",
            subtype="csv",
            filename=f"account-{number:04d}.csv",
        )
    path.write_bytes(bytes(message))


def child(kind: str, path: str, source: str) -> None:
    sys.path.insert(0, source)
    from casemgr.evidence.renditions import render

    started = time.perf_counter()
    result = render(Path(path), kind, name=Path(path).name)
    seconds = time.perf_counter() - started
    status = Path("/proc/self/status").read_text()
    peak_kb = int(status.split("VmHWM:")[1].split()[0])
    try:  # since WeasyPrint runs in a layout child (core/layout.py), add that child's peak
        from casemgr.core import layout

        peak_kb += layout.last_peak_kib
    except ImportError:  # --source of a version from before the layout children
        pass
    print(
        json.dumps(
            {
                "seconds": seconds,
                "pages": result.page_count,
                "pdf_bytes": len(result.pdf or b""),
                "peak_mib": peak_kb / 1024,
                "attachments": len(result.attachments),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--source", default=str(ROOT))
    parser.add_argument(
        "--workdir", default=Path(tempfile.gettempdir(), "casemgr-bench-renditions")
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.source)
        return
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    size = args.size_mb * 1_000_000
    paths = {
        kind: workdir / f"log-{args.size_mb}mb.{'txt' if kind == 'text' else kind}"
        for kind in ("csv", "jsonl", "text")
    }
    paths["email"] = workdir / f"mail-{args.size_mb}mb.eml"
    for kind in args.kinds:
        if kind == "email" and not paths["email"].exists():
            if not paths["text"].exists():
                generate("text", paths["text"], size)
            generate_email(paths["email"], paths["text"])
        elif kind != "email" and not paths[kind].exists():
            generate(kind, paths[kind], size)
    print(f"source: {args.source}")
    print(f"{'kind':<6} {'file':>10} {'render':>9} {'pages':>6} {'PDF':>10} {'peak RSS':>10}")
    for kind in args.kinds:
        path = paths[kind]
        command = [sys.executable, __file__, "--source", args.source, "--child", kind, str(path)]
        output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
        figures = json.loads(output.stdout.strip().splitlines()[-1])
        print(
            f"{kind:<6} {path.stat().st_size / 2**20:7.0f} MiB {figures['seconds']:7.1f} s "
            f"{figures['pages']:6,} {figures['pdf_bytes'] / 2**20:6.1f} MiB "
            f"{figures['peak_mib']:6.0f} MiB"
        )


if __name__ == "__main__":
    main()
