"""API access logs: load into a Parquet cache, then volumes, bursts, links, templates (no Django).

The source is the exhibit's file, read once by DuckDB; the Parquet copy is keyed by the
source's SHA-256, the mapping and the engine's version, so it can be deleted and rebuilt at
any time and is never evidence. Every figure is computed by DuckDB SQL over that copy; Python
only sees aggregates (distinct IP addresses, distinct normalised prompts, account pairs).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import links, sources, templates
from .mapping import ROLES, Mapping

ENGINE_VERSION = "4"  # part of the cache key: a new version never reads an old copy
TEXT_ROLES = ("account", "organisation", "ip", "user_agent", "model", "endpoint", "prompt_hash")
BAD_EXAMPLES = 5
UNREADABLE_LINE = "line not readable as CSV"
# The share of a typical run done when each stage ends (reading the file is most of it).
STAGE_SHARE = {
    "load": 0.5,
    "volumes": 0.6,
    "bursts": 0.65,
    "templates": 0.9,
    "clusters": 0.97,
    "totals": 1.0,
}


@dataclass(frozen=True)
class Parameters:
    burst_threshold: float = 5.0  # robust z: how many scaled MADs above the median
    burst_min_requests: int = 30  # an hour with fewer requests is never a burst
    mad_floor: float = 1.0  # requests; keeps a steady account's MAD of 0 from flagging noise
    min_link_kinds: int = 2  # two accounts are linked when they share this many kinds
    # A value shared by more accounts than the larger of these (a common browser) ties nobody;
    # a template, by more than max_accounts_per_link (an everyday task is no fingerprint);
    # the share keeps a large ring in a large log from hiding behind a fixed cap.
    max_accounts_per_link: int = 25
    max_link_share: float = 0.01
    template_similarity: float = 0.8  # estimated Jaccard of word 3-grams for near-duplicates
    template_min_requests: int = 20
    template_limit: int = 50
    max_distinct_prompts: int = 200_000
    # Accounts created within one window of this many hours share a link (windows start every
    # half window, so two accounts created less than half a window apart always share one).
    created_window_hours: float = 24.0
    # Accounts whose sets of distinctive normalised prompts have at least this estimated
    # Jaccard similarity share a link, when each has at least the minimum of such prompts.
    prompt_stream_similarity: float = 0.6
    prompt_stream_min_prompts: int = 10
    markers: tuple[str, ...] = templates.DEFAULT_MARKERS
    top_accounts: int = 20

    def as_dict(self) -> dict:
        return asdict(self) | {"markers": list(self.markers)}


@dataclass
class Loaded:
    parquet: Path
    rows: int
    bad_rows: int
    bad_reasons: dict[str, int] = field(default_factory=dict)
    bad_examples: list[dict] = field(default_factory=list)
    cached: bool = False


def cache_key(sha256: str, mapping: Mapping, kind: str) -> str:
    spec = {
        "engine": ENGINE_VERSION,
        "kind": kind,
        "roles": dict(sorted(mapping.roles.items())),
        "sha256": sha256,
        "timezone": mapping.timezone,
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:32]


def _role_sql(role: str, mapping: Mapping, types: dict[str, str]) -> str:
    column = mapping.roles.get(role)
    if column is None:
        return "NULL::VARCHAR"
    return sources.text_of(column, types[column])


def load(path: Path, *, sha256: str, mapping: Mapping, cache_dir: Path, con, kind=None) -> Loaded:
    """Read the source once into a Parquet copy (rows marked bad, never dropped)."""
    kind = kind or sources.kind_of(path)
    missing = [r for r in ("timestamp", "account") if r not in mapping.roles]
    if missing:
        raise ValueError(f"the mapping has no column for {', '.join(missing)}")
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = cache_key(sha256, mapping, kind)
    parquet = cache_dir / f"{sha256}-{key}.parquet"
    cached = parquet.exists()
    if not cached:
        types = sources.columns(con, path, kind)
        text = {r: _role_sql(r, mapping, types) for r in ROLES}
        tokens = {
            r: f"TRY_CAST(trim({r}_text) AS BIGINT)" for r in ("input_tokens", "output_tokens")
        }
        inner = ", ".join(f"{text[r]} AS {r}_text" for r in ROLES)
        trimmed = ", ".join(f"NULLIF(trim({r}_text), '') AS {r}" for r in TEXT_ROLES)
        partial = parquet.with_suffix(f".{os.getpid()}.partial")
        # Naive timestamps are read in the mapping's zone; values with an offset keep it.
        con.execute(f"SET TimeZone = {sources.quote_literal(mapping.timezone)}")
        try:
            con.execute(
                f"""
                COPY (
                    SELECT * EXCLUDE (account_created_text),
                        CASE WHEN ts IS NULL THEN 'timestamp unreadable'
                             WHEN account IS NULL THEN 'no account' END AS bad,
                        CASE WHEN ts IS NULL OR account IS NULL THEN timestamp_text END AS ts_raw,
                        CASE WHEN created IS NULL THEN NULLIF(trim(account_created_text), '')
                             END AS created_raw
                    FROM (
                        SELECT {sources.instant_sql("timestamp_text")} AS ts, {trimmed},
                            prompt_text AS prompt,
                            {tokens["input_tokens"]} AS input_tokens,
                            {tokens["output_tokens"]} AS output_tokens,
                            NULLIF(trim(status_text), '') AS status,
                            {sources.instant_sql("account_created_text")} AS created,
                            timestamp_text, account_created_text
                        FROM (SELECT {inner} FROM {sources.relation_sql(path, kind)})
                    )
                ) TO {sources.quote_literal(str(partial))} (FORMAT parquet, COMPRESSION zstd)
                """
            )
            rejected = _csv_rejects(con) if kind == "csv" else {"lines": 0, "examples": []}
            # The sidecar first: a Parquet copy is only ever found with its rejects beside it,
            # and only whole, since a rename is all or nothing.
            rejects_path(parquet).write_text(json.dumps(rejected, sort_keys=True))
            partial.replace(parquet)
        finally:
            con.execute("SET TimeZone = 'UTC'")
            partial.unlink(missing_ok=True)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM read_parquet("
        f"{sources.quote_literal(str(parquet))})"
    )
    con.execute("CREATE OR REPLACE TEMP VIEW logs AS SELECT * FROM raw WHERE bad IS NULL")
    rows, bad = con.execute("SELECT count(*), count(bad) FROM raw").fetchone()
    reasons = dict(
        con.execute(
            "SELECT bad, count(*) FROM raw WHERE bad IS NOT NULL GROUP BY bad ORDER BY bad"
        ).fetchall()
    )
    rejected = json.loads(rejects_path(parquet).read_text())
    if rejected["lines"]:
        rows, bad = rows + rejected["lines"], bad + rejected["lines"]
        reasons = dict(sorted((reasons | {UNREADABLE_LINE: rejected["lines"]}).items()))
    examples = [
        {"reason": r, "timestamp": t, "account": a, "ip": ip, "prompt": (p or "")[:200]}
        for r, t, a, ip, p in con.execute(
            f"SELECT bad, ts_raw, account, ip, prompt FROM raw WHERE bad IS NOT NULL "
            f"ORDER BY bad, ts_raw NULLS FIRST, account NULLS FIRST, prompt LIMIT {BAD_EXAMPLES}"
        ).fetchall()
    ]
    examples = (rejected["examples"] + examples)[:BAD_EXAMPLES]
    return Loaded(parquet, rows, bad, reasons, examples, cached)


def rejects_path(parquet: Path) -> Path:
    return parquet.with_suffix(".rejects.json")


def _csv_rejects(con) -> dict:
    """The lines of the last CSV read that DuckDB could not split into the header's fields."""
    scan = f"(SELECT max(scan_id) FROM {sources.REJECTS})"
    lines = con.execute(
        f"SELECT count(DISTINCT line) FROM {sources.REJECTS} WHERE scan_id = {scan}"
    ).fetchone()[0]
    examples = con.execute(
        f"""
        SELECT line, min(error_type), min(csv_line) FROM {sources.REJECTS}
        WHERE scan_id = {scan} GROUP BY line ORDER BY line LIMIT {BAD_EXAMPLES}
        """
    ).fetchall()
    return {
        "lines": int(lines),
        "examples": [
            {
                "reason": f"{UNREADABLE_LINE} ({kind.lower()})",
                "line": int(line),
                "text": (text or "")[:200],
            }
            for line, kind, text in examples
        ],
    }


def volumes(con, params: Parameters) -> dict:
    """Requests and tokens per account per hour (a table kept for bursts), per day, in total."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE account_hours AS
        SELECT account, date_trunc('hour', ts) AS hour, count(*) AS requests,
               sum(coalesce(input_tokens, 0)) AS input_tokens,
               sum(coalesce(output_tokens, 0)) AS output_tokens
        FROM logs GROUP BY ALL
        """
    )
    top = con.execute(
        f"""
        SELECT account, sum(requests), sum(input_tokens), sum(output_tokens),
               count(*), count(DISTINCT date_trunc('day', hour)), min(hour), max(hour)
        FROM account_hours GROUP BY account
        ORDER BY sum(requests) DESC, account LIMIT {int(params.top_accounts)}
        """
    ).fetchall()
    per_day = con.execute(
        """
        SELECT date_trunc('day', hour) AS day, sum(requests), sum(input_tokens),
               sum(output_tokens), count(DISTINCT account)
        FROM account_hours GROUP BY day ORDER BY day
        """
    ).fetchall()
    top_days = con.execute(
        """
        SELECT account, date_trunc('day', hour) AS day, sum(requests),
               sum(input_tokens + output_tokens)
        FROM account_hours WHERE account IN (SELECT unnest(?))
        GROUP BY account, day ORDER BY account, day
        """,
        [[row[0] for row in top]],
    ).fetchall()
    by_account: dict[str, list[dict]] = {}
    for account, day, n, tokens in top_days:
        by_account.setdefault(account, []).append(
            {"day": day.date().isoformat(), "requests": int(n), "tokens": int(tokens)}
        )
    return {
        "method": (
            "Requests are counted and their input and output tokens added up for each "
            "account in each clock hour and each day (UTC). Top accounts are ranked by "
            "requests over the whole period, each with its requests and tokens per day; the "
            "chart shows every day of the period."
        ),
        "top_accounts": [
            {
                "account": a,
                "requests": int(n),
                "input_tokens": int(i),
                "output_tokens": int(o),
                "active_hours": int(h),
                "active_days": int(d),
                "first_hour": f.isoformat(),
                "last_hour": last.isoformat(),
                "per_day": by_account.get(a, []),
            }
            for a, n, i, o, h, d, f, last in top
        ],
        "per_day": [
            {
                "day": day.date().isoformat(),
                "requests": int(n),
                "input_tokens": int(i),
                "output_tokens": int(o),
                "accounts": int(a),
            }
            for day, n, i, o, a in per_day
        ],
    }


def bursts(con, params: Parameters) -> dict:
    """Hours in which an account is far above both its own usual volume and everyone's."""
    k, floor, low = (
        float(params.burst_threshold),
        float(params.mad_floor),
        params.burst_min_requests,
    )
    rows = con.execute(
        f"""
        WITH spans AS (
            -- The hours from an account's first request to its last, idle ones as zero: an
            -- account that is only ever seen in bursts has an idle baseline, not a busy one.
            SELECT account, list_concat(list(requests), list_resize([]::BIGINT[],
                       date_diff('hour', min(hour), max(hour)) + 1 - count(*), 0)) AS counts
            FROM account_hours GROUP BY account
        ), own AS (
            SELECT account, list_median(counts) AS med, counts FROM spans
        ), own_mad AS (
            SELECT account, med, list_median(list_transform(counts, lambda x: abs(x - med))) AS mad
            FROM own
        ), pop AS (
            SELECT median(requests) AS med FROM account_hours
        ), pop_mad AS (
            SELECT p.med, median(abs(h.requests - p.med)) AS mad
            FROM account_hours h, pop p GROUP BY p.med
        ), hot AS (
            SELECT h.account, h.hour, h.requests, o.med AS own_med, o.mad AS own_mad,
                   p.med AS pop_med, p.mad AS pop_mad
            FROM account_hours h JOIN own_mad o USING (account), pop_mad p
            WHERE h.requests >= {int(low)}
              AND h.requests > o.med + {k} * greatest(1.4826 * o.mad, {floor})
              AND h.requests > p.med + {k} * greatest(1.4826 * p.mad, {floor})
        ), islands AS (
            SELECT *, hour - to_hours(row_number() OVER (PARTITION BY account ORDER BY hour))
                      AS island
            FROM hot
        )
        SELECT account, min(hour), max(hour) + INTERVAL 1 HOUR, count(*), sum(requests),
               max(requests), any_value(own_med), any_value(own_mad), any_value(pop_med),
               any_value(pop_mad)
        FROM islands GROUP BY account, island ORDER BY account, min(hour)
        """
    ).fetchall()
    windows = [
        {
            "account": a,
            "start": s.isoformat(),
            "end": e.isoformat(),
            "hours": int(h),
            "requests": int(n),
            "peak_hour_requests": int(peak),
            "account_median": float(om),
            "account_mad": float(omad),
            "population_median": float(pm),
            "population_mad": float(pmad),
        }
        for a, s, e, h, n, peak, om, omad, pm, pmad in rows
    ]
    return {
        "method": (
            "For each account, the median and the median absolute deviation (MAD) of its "
            "requests per hour, over every hour from its first request to its last (idle "
            "hours count as zero), are its own baseline; the median and MAD over every hour in "
            "which any account was active are the population's. An hour is a burst when the "
            f"account made at least {low} requests and more than its own median plus {k:g} "
            f"scaled MADs (1.4826 × MAD, at least {floor:g}) and more than the population's "
            f"median plus {k:g} scaled MADs. Consecutive burst hours form one window."
        ),
        "parameters": {"threshold": k, "min_requests": low, "mad_floor": floor},
        "windows": windows,
        "accounts": sorted({w["account"] for w in windows}),
    }


def totals(con, flagged: list[str], loaded: Loaded) -> dict:
    con.execute("CREATE OR REPLACE TEMP TABLE flagged (account VARCHAR)")
    if flagged:
        con.execute("INSERT INTO flagged SELECT unnest(?)", [flagged])
    accounts, prompts, requests, tokens, f_requests, f_tokens = con.execute(
        """
        SELECT count(DISTINCT account), count(DISTINCT coalesce(prompt, prompt_hash)),
               count(*), sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)),
               count(*) FILTER (WHERE account IN (SELECT account FROM flagged)),
               sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0))
                   FILTER (WHERE account IN (SELECT account FROM flagged))
        FROM logs
        """
    ).fetchone()
    tokens, f_tokens = int(tokens or 0), int(f_tokens or 0)
    return {
        "method": (
            "Rows read, rows that could not be read (counted by reason, never dropped "
            "silently), distinct accounts and distinct prompts (by text, or by hash where the "
            "log holds only a hash), and the share of readable requests and of tokens that "
            "come from the flagged accounts."
        ),
        "rows": loaded.rows,
        "bad_rows": loaded.bad_rows,
        "accounts": int(accounts),
        "distinct_prompts": int(prompts),
        "requests": int(requests),
        "tokens": tokens,
        "flagged_accounts": len(flagged),
        "flagged_request_share": round(f_requests / requests, 6) if requests else 0.0,
        "flagged_token_share": round(f_tokens / tokens, 6) if tokens else 0.0,
    }


Progress = Callable[[str, float], None]
# The share done as each stage starts: what the stages before it take; "done" ends the run.
STAGE_START = dict(zip((*STAGE_SHARE, "done"), (0.0, *STAGE_SHARE.values()), strict=True))


def _stages(progress: Progress | None, clock: dict) -> Callable[[str], None]:
    """A function to call as each stage starts: it times the stage before, then reports."""
    running: list = [None, 0.0]  # the stage under way and when it started

    def start(stage: str) -> None:
        if running[0] is not None:
            clock[running[0]] = round(time.perf_counter() - running[1], 3)
        if progress is not None:
            progress(stage, STAGE_START[stage])
        running[:] = [stage, time.perf_counter()]

    return start


def analyse(
    path: Path,
    *,
    sha256: str,
    mapping: Mapping,
    cache_dir: Path,
    params: Parameters | None = None,
    con=None,
    timings: dict | None = None,
    progress: Progress | None = None,
) -> dict:
    """The whole log analysis as one JSON-ready dict; same inputs give identical output.

    `progress(stage, fraction)` is called as each stage starts, with the share of the work
    done so far, and with ("done", 1.0) at the end. To cancel, it raises: the exception
    comes out of analyse, and the Parquet cache is either whole or not there at all."""
    params = params or Parameters()
    con = con or sources.connect(temp_dir=cache_dir / "spill")
    clock = timings if timings is not None else {}
    stage = _stages(progress, clock)

    stage("load")
    loaded = load(path, sha256=sha256, mapping=mapping, cache_dir=cache_dir, con=con)
    stage("volumes")
    volume = volumes(con, params)
    stage("bursts")
    burst = bursts(con, params)
    stage("templates")
    template = templates.find(con, params)
    stage("clusters")
    linked = links.clusters(con, params, burst["accounts"], template["ids"])
    stage("totals")
    flagged = links.flagged(burst, linked)
    total = totals(con, sorted(flagged), loaded)
    stage("done")
    return {
        "engine": f"casemgr.analysis.logs {ENGINE_VERSION}",
        "source_sha256": sha256,
        "mapping": {"roles": dict(sorted(mapping.roles.items())), "timezone": mapping.timezone},
        "parameters": params.as_dict(),
        "rows": loaded.rows,
        "bad_rows": loaded.bad_rows,
        "bad_reasons": loaded.bad_reasons,
        "bad_examples": loaded.bad_examples,
        "accounts": total["accounts"],
        "flagged_accounts": sorted(flagged),
        "flag_reasons": {a: flagged[a] for a in sorted(flagged)},
        "volumes": volume,
        "bursts": burst,
        "clusters": linked["clusters"],
        "clusters_method": linked["method"],
        "max_accounts_per_link": linked["max_accounts_per_link"],
        "created_accounts": linked["created_accounts"],
        "created_unreadable_rows": linked["created_unreadable_rows"],
        "prompt_stream_accounts": linked["prompt_stream_accounts"],
        "templates": template["templates"],
        "templates_method": template["method"],
        "reasoning_markers": template["markers"],
        "totals": total,
    }
