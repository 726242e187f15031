"""The log analysis end to end on generated API logs, against a bare DuckDB GROUP BY.

    .venv/bin/python benchmarks/analysis.py [--rows 10000000] [--dir var/bench-analysis]
        [--keep]

Writes a CSV of --rows generated requests (DuckDB SQL, in a child process so that its memory
is not counted), unless one of that size is already in --dir: 20,000 ordinary accounts of
very unequal volume over 30 days, each on its own /24, with one of five common user agents,
four accounts to an organisation, created at random over two years, prompts from 100
sentence shapes × 500 topics with numbers and quoted text (about 50,000 distinct normalised
prompts), and a ring of 50 accounts created within one day, on 203.0.113.0/24 with a rare
client sending 2% of all requests, a reasoning-eliciting template over the same 26 subjects
(near-identical prompt streams), in ten burst hours each. Then, in this process, with DuckDB
on 2 threads and a 1 GB memory limit, it times:
- bare: SELECT account, date_trunc('hour', ts), count(*) ... GROUP BY ALL over the CSV;
- sha256 of the file, mapping detection, and each stage of casemgr.analysis.logs.analyse
  (load: CSV read once into the Parquet cache; volumes; bursts; templates; clusters; totals),
and prints each with its ratio to bare, the peak resident memory of the process (getrusage
ru_maxrss, which covers DuckDB's native memory), and whether the ring was found. The cache is
removed first, so load always reads the CSV; the CSV is kept for the next run.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casemgr.analysis import logs, mapping, sources  # noqa: E402

# Uniform numbers in [0, 1) from a row number and a salt: reproducible whatever the threads.
U = "(hash(i, '{salt}') % 1000003) / 1000003.0"

GENERATE = f"""
COPY (
  WITH base AS (
    SELECT i,
      {U.format(salt="ring")} < 0.02 AS ring,
      CAST(floor(20000 * pow({U.format(salt="acct")}, 3)) AS BIGINT) AS a,
      CAST(floor(50 * {U.format(salt="ringacct")}) AS BIGINT) AS r,
      CAST(floor(10 * {U.format(salt="ringhour")}) AS BIGINT) AS k,
      CAST(floor(30 * 24 * 3600 * {U.format(salt="ts")}) AS BIGINT) AS s,
      CAST(floor(100 * {U.format(salt="shape")}) AS INTEGER) AS shape,
      CAST(floor(500 * {U.format(salt="topic")}) AS INTEGER) AS topic,
      CAST(floor(1000 * {U.format(salt="num")}) AS BIGINT) AS num
    FROM range({{rows}}) t(i)
  )
  SELECT
    strftime(TIMESTAMP '2026-03-01' + to_seconds(CASE WHEN ring
        THEN ((r * 37 + k * 71) % 720) * 3600 + s % 3600 ELSE s END), '%Y-%m-%dT%H:%M:%SZ')
        AS request_time,
    CASE WHEN ring THEN 'ring-' || r ELSE 'cust-' || a END AS api_key_id,
    CASE WHEN ring THEN 'Shell Org ' || r ELSE 'Example Org ' || (a // 4) END AS org_id,
    CASE WHEN ring THEN '203.0.113.' || (r + 10)
         ELSE '10.' || (a % 256) || '.' || (a // 256) || '.' || (1 + i % 200) END AS client_ip,
    CASE WHEN ring THEN 'distil-client/0.3'
         ELSE ['Mozilla/5.0 (X11; Linux)', 'python-requests/2.32', 'openai-node/4.2',
               'curl/8.5', 'Go-http-client/2.0'][1 + a % 5] END AS user_agent,
    'frontier-1' AS model,
    '/v1/chat' AS endpoint,
    CASE WHEN ring
      THEN 'Think step by step and show your reasoning: what is ' || num || ' * ' || (num % 97)
           || '? Then explain how Ada Quill would check it for the subject '
           || chr(CAST(97 + num % 26 AS INTEGER)) || 'x.'
      ELSE 'Request shape ' || chr(65 + shape % 26) || chr(65 + shape // 26)
           || ': please write about topic ' || chr(97 + topic % 26) || chr(97 + (topic // 26) % 26)
           || ' in ' || num || ' words, quoting "' || (num * 7) || '" once'
    END AS prompt,
    CAST(20 + num % 200 AS VARCHAR) AS prompt_tokens,
    CAST(50 + (num * 13) % 900 AS VARCHAR) AS completion_tokens,
    '200' AS status,
    strftime(CASE WHEN ring THEN TIMESTAMP '2026-01-10' + to_minutes(r * 17)
        ELSE TIMESTAMP '2024-03-01' + to_hours(CAST(hash(a, 'made') % (730 * 24) AS BIGINT)) END,
        '%Y-%m-%dT%H:%M:%SZ') AS account_created
  FROM base
) TO '{{path}}' (HEADER, DELIMITER ',')
"""


def generate(path: Path, rows: int) -> None:
    con = sources.connect(memory_limit="2GB")
    con.execute(GENERATE.format(rows=int(rows), path=str(path).replace("'", "''")))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench-analysis")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"logs-v2-{args.rows}.csv"  # v2: with creation times and subjects
    if args.generate_only:
        generate(path, args.rows)
        return
    if not path.exists():
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--rows",
                str(args.rows),
                "--dir",
                str(args.dir),
                "--generate-only",
            ],
            check=True,
        )
        print(f"generated {path} in {time.perf_counter() - started:.1f} s")
    size_mb = path.stat().st_size / 2**20
    cache = args.dir / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    con = sources.connect(temp_dir=cache / "spill")

    started = time.perf_counter()
    groups = con.execute(
        f"SELECT count(*) FROM (SELECT account_id, hour, count(*) FROM ("
        f"SELECT api_key_id AS account_id, date_trunc('hour', request_time::TIMESTAMPTZ) AS hour"
        f" FROM read_csv({sources.quote_literal(str(path))})) GROUP BY ALL)"
    ).fetchone()[0]
    bare = time.perf_counter() - started
    after_bare = peak_mb()

    timings: dict[str, float] = {}
    started = time.perf_counter()
    sha = sources.sha256_of(path)
    timings["sha256"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    detected = mapping.detect(path, con=con)
    timings["mapping"] = round(time.perf_counter() - started, 3)
    stages: dict[str, float] = {}
    reports: list[tuple[str, float]] = []
    result = logs.analyse(
        path,
        sha256=sha,
        mapping=detected,
        cache_dir=cache,
        con=con,
        timings=stages,
        progress=lambda stage, fraction: reports.append((stage, fraction)),
    )
    timings.update(stages)
    whole = sum(timings.values())
    core = sum(timings[s] for s in ("load", "volumes", "bursts", "clusters"))
    ring = {f"ring-{r}" for r in range(50)}
    flagged = set(result["flagged_accounts"])
    ring_template = [t for t in result["templates"] if set(t["accounts"]) == ring]
    ring_cluster = next((c for c in result["clusters"] if set(c["accounts"]) == ring), None)
    ring_kinds = sorted({link["kind"] for link in ring_cluster["links"]}) if ring_cluster else []

    print(f"file: {path.name}, {args.rows:,} rows, {size_mb:,.0f} MiB; {groups:,} account-hours")
    print(f"bare GROUP BY account, hour over the CSV: {bare:.2f} s")
    for stage, seconds in timings.items():
        print(f"  {stage:<9} {seconds:8.2f} s  {seconds / bare:5.2f} × bare")
    print(f"load + volumes + bursts + clusters: {core:.2f} s, {core / bare:.2f} × bare")
    print(f"whole analysis (sha256, mapping and templates included): {whole:.2f} s")
    print(f"peak resident memory: {peak_mb():,.0f} MiB (after the bare query: {after_bare:,.0f})")
    print(
        f"rows {result['rows']:,}, bad {result['bad_rows']}, accounts {result['accounts']:,}, "
        f"flagged {len(flagged)} (ring found: {flagged == ring}), clusters "
        f"{len(result['clusters'])}, templates listed {len(result['templates'])}, ring template "
        f"found: {len(ring_template) == 1}; distinct prompts "
        f"{result['totals']['distinct_prompts']:,}"
    )
    print(
        f"ring cluster's link kinds: {', '.join(ring_kinds) or 'no ring cluster'}; accounts "
        f"with creation times {result['created_accounts']:,}, compared by prompt stream "
        f"{result['prompt_stream_accounts']:,}; progress reported "
        + " ".join(f"{stage}:{fraction:g}" for stage, fraction in reports)
    )
    print(json.dumps({"bare": round(bare, 3), **timings, "peak_mb": round(peak_mb())}))


if __name__ == "__main__":
    main()
