"""One account's requests, read back from a log analysis's Parquet copy (no Django).

The drill-down pages show what lies under a figure: an account's own rows, a page at a time,
and the totals of the accounts in a cluster. The Parquet copy is the one logs.load wrote;
the account name comes from the reader's address bar, so it only ever reaches DuckDB as a
bound parameter.
"""

from __future__ import annotations

from pathlib import Path

from . import sources

# The columns of a request as the page shows them, in the Parquet copy's own names.
COLUMNS = (
    "ts",
    "ts_raw",
    "bad",
    "ip",
    "organisation",
    "user_agent",
    "model",
    "endpoint",
    "prompt",
    "prompt_hash",
    "input_tokens",
    "output_tokens",
    "status",
)


def page(parquet: Path, account: str, offset: int, limit: int, *, con=None) -> tuple[list, int]:
    """(rows, total) of `account`'s requests in time order: rows whose time could not be read
    come last, with the text that was there (`ts_raw`) and why (`bad`)."""
    con = con or sources.connect(threads=1)
    total = con.execute(
        "SELECT count(*) FROM read_parquet(?) WHERE account = ?", [str(parquet), account]
    ).fetchone()[0]
    cursor = con.execute(
        f"SELECT {', '.join(COLUMNS)} FROM read_parquet(?) WHERE account = ? "
        "ORDER BY ts NULLS LAST, ts_raw, prompt, ip LIMIT ? OFFSET ?",
        [str(parquet), account, int(limit), int(offset)],
    )
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    return rows, int(total)


def accounts(parquet: Path, names: list[str], *, con=None) -> dict[str, dict]:
    """Each named account's readable requests, tokens, first and last request, distinct
    addresses and unreadable rows; an account with no rows is absent."""
    con = con or sources.connect(threads=1)
    found = con.execute(
        """
        SELECT account, count(ts), sum(coalesce(input_tokens, 0)) FILTER (WHERE bad IS NULL),
               sum(coalesce(output_tokens, 0)) FILTER (WHERE bad IS NULL), min(ts), max(ts),
               count(DISTINCT ip), count(bad)
        FROM read_parquet(?) WHERE account IN (SELECT unnest(?))
        GROUP BY account ORDER BY account
        """,
        [str(parquet), list(names)],
    ).fetchall()
    return {
        name: {
            "account": name,
            "requests": int(requests),
            "input_tokens": int(tokens_in or 0),
            "output_tokens": int(tokens_out or 0),
            "first_seen": first,
            "last_seen": last,
            "ips": int(ips),
            "bad_rows": int(bad),
        }
        for name, requests, tokens_in, tokens_out, first, last, ips, bad in found
    }
