"""One account's requests read back from the Parquet copy (no database)."""

import duckdb

from casemgr.analysis import requests


def _parquet(tmp_path, rows):
    path = tmp_path / "copy.parquet"
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t (ts TIMESTAMPTZ, ts_raw VARCHAR, bad VARCHAR, account VARCHAR, "
        "ip VARCHAR, organisation VARCHAR, user_agent VARCHAR, model VARCHAR, endpoint VARCHAR, "
        "prompt VARCHAR, prompt_hash VARCHAR, input_tokens BIGINT, output_tokens BIGINT, "
        "status VARCHAR)"
    )
    con.executemany(
        "INSERT INTO t (ts, ts_raw, bad, account, ip, prompt, input_tokens, output_tokens) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    return path


def test_a_page_of_one_accounts_requests_in_time_order_unreadable_last(tmp_path):
    rows = [
        (
            f"2026-01-05 10:{m:02d}:00+00",
            None,
            None,
            "a'); DROP TABLE t; --",
            "10.0.0.1",
            f"p{m}",
            3,
            4,
        )
        for m in range(59, -1, -1)
    ]
    rows.append(
        (None, "yesterday", "timestamp unreadable", "a'); DROP TABLE t; --", None, "x", 1, 1)
    )
    rows.append(("2026-01-05 09:00:00+00", None, None, "other", "10.0.0.2", "q", 1, 1))
    path = _parquet(tmp_path, rows)
    account = "a'); DROP TABLE t; --"

    first, total = requests.page(path, account, 0, 50)
    assert total == 61 and len(first) == 50
    assert [r["prompt"] for r in first[:3]] == ["p0", "p1", "p2"]
    last, total = requests.page(path, account, 50, 50)
    assert total == 61 and len(last) == 11
    assert (last[-1]["ts"], last[-1]["ts_raw"], last[-1]["bad"]) == (
        None,
        "yesterday",
        "timestamp unreadable",
    )
    assert requests.page(path, "nobody", 0, 50) == ([], 0)


def test_the_figures_of_the_named_accounts(tmp_path):
    path = _parquet(
        tmp_path,
        [
            ("2026-01-05 10:00:00+00", None, None, "a", "10.0.0.1", "p", 3, 4),
            ("2026-01-06 11:00:00+00", None, None, "a", "10.0.0.2", "p", 5, 6),
            (None, "?", "timestamp unreadable", "a", "10.0.0.3", "p", 100, 100),
            ("2026-01-05 09:00:00+00", None, None, "b", "10.0.0.2", "q", 1, 1),
        ],
    )
    figures = requests.accounts(path, ["a", "missing"])
    assert list(figures) == ["a"]
    a = figures["a"]
    assert (a["requests"], a["input_tokens"], a["output_tokens"], a["bad_rows"]) == (2, 8, 10, 1)
    assert (a["first_seen"].isoformat(), a["last_seen"].isoformat()) == (
        "2026-01-05T10:00:00+00:00",
        "2026-01-06T11:00:00+00:00",
    )
    assert a["ips"] == 3
