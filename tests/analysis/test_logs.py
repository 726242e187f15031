"""The log engine finds a planted ring, and only it, on generated logs (no database)."""

import csv

import pytest

from casemgr.analysis import links, logs, mapping, sources, templates
from tests.analysis import generate


def analyse(tmp_path, seed, name="logs.csv"):
    path = tmp_path / name
    truth = generate.write_csv(path, seed)
    detected = mapping.detect(path)
    result = logs.analyse(
        path, sha256=sources.sha256_of(path), mapping=detected, cache_dir=tmp_path / "cache"
    )
    return truth, result


@pytest.fixture(scope="module", params=[3, 11, 29])
def seeded(request, tmp_path_factory):
    return analyse(tmp_path_factory.mktemp(f"seed{request.param}"), request.param)


def test_flags_exactly_the_ring(seeded):
    truth, result = seeded
    assert result["flagged_accounts"] == sorted(truth.ring)
    assert truth.heavy not in result["flagged_accounts"]
    assert not set(truth.team) & set(result["flagged_accounts"])
    # The sixth member never bursts: it is flagged through its cluster alone.
    assert sorted(result["bursts"]["accounts"]) == sorted(truth.ring[:5])
    assert result["flag_reasons"]["ring-6"] == ["cluster 1"]


def test_ring_cluster_carries_its_links(seeded):
    truth, result = seeded
    ring = next(c for c in result["clusters"] if "ring-1" in c["accounts"])
    assert ring["accounts"] == sorted(truth.ring)
    shown = {(link["kind"], link["value"]): link["accounts"] for link in ring["links"]}
    assert shown[("ip_prefix", truth.ring_v4_prefix)] == sorted(truth.ring)
    assert shown[("ip_prefix", truth.ring_v6_prefix)] == truth.ring_v6_accounts
    assert shown[("user_agent", truth.ring_agent)] == sorted(truth.ring)
    template_links = [v for (kind, v), accounts in shown.items() if kind == "template"]
    assert len(template_links) == 1
    # Created within ten hours: one 24-hour window (of two that overlap) holds the whole ring.
    created = [accounts for (kind, _v), accounts in shown.items() if kind == "created"]
    assert sorted(truth.ring) in created
    assert all(set(accounts) <= set(truth.ring) for accounts in created)
    assert shown[("prompts", "near-identical prompt streams (estimated Jaccard ≥ 0.6)")] == (
        sorted(truth.ring)
    )
    assert result["prompt_stream_accounts"] == len(truth.ring)
    assert result["created_accounts"] == result["accounts"]
    assert result["created_unreadable_rows"] == 0
    accounts = result["accounts"]
    assert f"of the {accounts} accounts" in result["clusters_method"]
    assert "near-identical prompt stream" in result["clusters_method"]
    assert "Creation windows: 24 hours long" in result["clusters_method"]


def test_innocent_team_is_a_cluster_but_not_flagged(seeded):
    truth, result = seeded
    team = next(c for c in result["clusters"] if "team-1" in c["accounts"])
    assert team["accounts"] == truth.team
    assert team["bursting_accounts"] == []
    assert {link["kind"] for link in team["links"]} == {"ip_prefix", "organisation", "user_agent"}
    assert len(result["clusters"]) == 2


def test_ring_template_found_with_its_markers(seeded):
    truth, result = seeded
    ring_templates = [t for t in result["templates"] if t["accounts"] == sorted(truth.ring)]
    assert len(ring_templates) == 1
    template = ring_templates[0]
    assert "step by step" in template["example"].lower()
    assert "<num>" in template["normalised"] and "<name>" in template["normalised"]
    assert template["reasoning_marker_requests"] == template["count"]
    ring = next(c for c in result["clusters"] if "ring-1" in c["accounts"])
    assert {"kind": "template", "value": template["id"], "accounts": sorted(truth.ring)} in (
        ring["links"]
    )
    markers = result["reasoning_markers"]
    assert markers["per_template"] == {template["id"]: template["count"]}
    assert {row["account"] for row in markers["per_account"]} == set(truth.ring)
    everyday = [t for t in result["templates"] if t is not template]
    assert all(t["reasoning_marker_requests"] == 0 for t in everyday)


def test_bad_rows_counted_with_examples(seeded):
    truth, result = seeded
    assert result["rows"] == truth.rows
    assert result["bad_rows"] == truth.bad_timestamp + truth.no_account
    assert result["bad_reasons"] == {
        "timestamp unreadable": truth.bad_timestamp,
        "no account": truth.no_account,
    }
    assert len(result["bad_examples"]) == logs.BAD_EXAMPLES
    assert result["totals"]["requests"] == truth.rows - result["bad_rows"]


def test_totals_and_volumes(seeded):
    truth, result = seeded
    totals = result["totals"]
    assert totals["accounts"] == len(truth.customers) + 1 + len(truth.team) + len(truth.ring)
    assert 0 < totals["flagged_request_share"] < 0.5
    heavy = result["volumes"]["top_accounts"][0]
    assert heavy["account"] == truth.heavy
    assert len(heavy["per_day"]) == heavy["active_days"] == 14
    assert sum(day["requests"] for day in heavy["per_day"]) == heavy["requests"]
    assert sum(d["requests"] for d in result["volumes"]["per_day"]) == totals["requests"]
    for part in (result["volumes"], result["bursts"], result["totals"]):
        assert part["method"]


def test_same_input_same_figures(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, first = analyse(tmp_path / "a", 5)
    _, second = analyse(tmp_path / "b", 5)
    assert first == second


def test_cache_is_reused_and_rebuilt(tmp_path):
    path = tmp_path / "logs.csv"
    generate.write_csv(path, 8, customers=20)
    detected = mapping.detect(path)
    sha = sources.sha256_of(path)
    con = sources.connect()
    first = logs.load(path, sha256=sha, mapping=detected, cache_dir=tmp_path / "c", con=con)
    again = logs.load(path, sha256=sha, mapping=detected, cache_dir=tmp_path / "c", con=con)
    assert (first.cached, again.cached) == (False, True)
    assert first.parquet.name.startswith(sha)
    first.parquet.unlink()
    rebuilt = logs.load(path, sha256=sha, mapping=detected, cache_dir=tmp_path / "c", con=con)
    assert not rebuilt.cached and rebuilt.rows == first.rows
    other_zone = mapping.Mapping(roles=detected.roles, timezone="Europe/London")
    assert logs.cache_key(sha, other_zone, "csv") != logs.cache_key(sha, detected, "csv")


@pytest.mark.parametrize(
    ("address", "prefix"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("2001:db8::1", "2001:db8::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("not an address", None),
    ],
)
def test_ip_prefix(address, prefix):
    assert links.ip_prefix(address) == prefix


def test_account_seen_only_in_bursts_is_flagged(tmp_path):
    # Its own baseline counts the idle hours between its bursts, so two busy hours a day
    # apart stand out even though the account was never seen quiet.
    path = tmp_path / "logs.csv"
    lines = ["time,account,prompt"]
    for hour in range(48):
        for c in range(20):
            stamp = f"2026-03-{2 + hour // 24:02d}T{hour % 24:02d}"
            lines += [f"{stamp}:{m:02d}:00Z,c{c},hi" for m in (1, 2)]
    for hour in (10, 34):
        lines += [f"2026-03-{2 + hour // 24:02d}T{hour % 24:02d}:30:00Z,b,go"] * 100
    path.write_text("\n".join(lines) + "\n")
    result = logs.analyse(
        path,
        sha256=sources.sha256_of(path),
        mapping=mapping.detect(path),
        cache_dir=tmp_path / "c",
    )
    assert result["bursts"]["accounts"] == ["b"]
    windows = result["bursts"]["windows"]
    assert [(w["start"], w["requests"]) for w in windows] == [
        ("2026-03-02T10:00:00+00:00", 100),
        ("2026-03-03T10:00:00+00:00", 100),
    ]
    assert windows[0]["account_median"] == 0


def test_prompts_beyond_the_cap_are_their_own_templates(tmp_path):
    path = tmp_path / "logs.csv"
    generate.write_csv(path, 6, customers=10)
    params = logs.Parameters(max_distinct_prompts=2, template_min_requests=1, template_limit=10**6)
    result = logs.analyse(
        path,
        sha256=sources.sha256_of(path),
        mapping=mapping.detect(path),
        cache_dir=tmp_path / "c",
        params=params,
    )
    counts = [t["count"] for t in result["templates"]]
    assert sum(counts) == result["totals"]["requests"]
    assert len({t["normalised"] for t in result["templates"]}) == len(counts)


def test_a_ring_larger_than_the_fixed_cap_is_still_linked(tmp_path):
    # 30 ring accounts on one /24 with one client, among 3,000 ordinary accounts: 1% of the
    # accounts (30) is above the fixed cap of 25, so the ring's shared values still count,
    # while the browser shared by every ordinary account never does.
    path = tmp_path / "logs.csv"
    lines = ["time,account,ip,user_agent"]
    for c in range(3000):
        lines.append(f"2026-03-02T10:{c % 60:02d}:00Z,c{c},10.{c // 250}.{c % 250}.1,Mozilla/5.0")
    for r in range(30):
        lines.append(f"2026-03-02T11:{r:02d}:00Z,ring-{r:02d},203.0.113.{r + 1},distil/0.3")
    path.write_text("\n".join(lines) + "\n")
    result = logs.analyse(
        path,
        sha256=sources.sha256_of(path),
        mapping=mapping.detect(path),
        cache_dir=tmp_path / "c",
    )
    assert result["max_accounts_per_link"] == 30
    assert [c["accounts"] for c in result["clusters"]] == [[f"ring-{r:02d}" for r in range(30)]]
    kinds = {(link["kind"], link["value"]) for link in result["clusters"][0]["links"]}
    assert kinds == {("ip_prefix", "203.0.113.0/24"), ("user_agent", "distil/0.3")}


@pytest.mark.parametrize("min_kinds", [1, 2])
def test_a_template_is_the_second_kind_of_a_link(tmp_path, min_kinds):
    # a1 and a2 share an organisation and a rare prompt; b1 and b2 share only a rare prompt.
    path = tmp_path / "logs.csv"
    rows = [
        ("a1", "Org A", "Translate the Tower charter"),
        ("a2", "Org A", "Translate the Tower charter"),
    ]
    rows += [("a3", "Org A", "hello")]  # same organisation only: one kind
    rows += [
        ("b1", "Org B1", "Grade this essay on rivers"),
        ("b2", "Org B2", "Grade this essay on rivers"),
    ]
    lines = ["time,account,organisation,prompt"]
    lines += [f"2026-03-02T10:00:00Z,{a},{o},{p}" for a, o, p in rows]
    path.write_text("\n".join(lines) + "\n")
    params = logs.Parameters(min_link_kinds=min_kinds, template_min_requests=1)
    result = logs.analyse(
        path,
        sha256=sources.sha256_of(path),
        mapping=mapping.detect(path),
        cache_dir=tmp_path / "c",
        params=params,
    )
    clusters = [c["accounts"] for c in result["clusters"]]
    if min_kinds == 2:
        assert clusters == [["a1", "a2"]]
        assert [link["kind"] for link in result["clusters"][0]["links"]] == [
            "organisation",
            "template",
        ]
    else:
        assert clusters == [["a1", "a2", "a3"], ["b1", "b2"]]


def test_lines_that_are_not_csv_are_counted_with_their_numbers(tmp_path):
    path = tmp_path / "logs.csv"
    path.write_text(
        "time,account,prompt\n"
        "2026-03-02T10:00:00Z,a,hi\n"
        "2026-03-02T10:05:00Z,b,hi,extra,fields\n"
        "2026-03-02T10:06:00Z,c\n"
        "2026-03-02T10:07:00Z,d,fine\n"
    )
    con = sources.connect()
    found = mapping.detect(path, con=con)
    assert found.roles == {"timestamp": "time", "account": "account", "prompt": "prompt"}
    sha = sources.sha256_of(path)
    for cached in (False, True):
        loaded = logs.load(path, sha256=sha, mapping=found, cache_dir=tmp_path / "c", con=con)
        assert loaded.cached is cached
        assert (loaded.rows, loaded.bad_rows) == (4, 2)
        assert loaded.bad_reasons == {logs.UNREADABLE_LINE: 2}
        assert [(e["line"], e["reason"]) for e in loaded.bad_examples] == [
            (3, "line not readable as CSV (too many columns)"),
            (4, "line not readable as CSV (missing columns)"),
        ]
    assert con.execute("SELECT account FROM logs ORDER BY account").fetchall() == [("a",), ("d",)]


def test_lines_that_are_not_json_are_counted(tmp_path):
    path = tmp_path / "logs.jsonl"
    path.write_text(
        '{"time": "2026-03-02T10:00:00Z", "account": "a"}\n'
        "this is not JSON\n"
        '{"time": "2026-03-02T11:00:00Z", "account": "b"}\n'
    )
    con = sources.connect()
    loaded = logs.load(
        path,
        sha256=sources.sha256_of(path),
        mapping=mapping.detect(path, con=con),
        cache_dir=tmp_path / "c",
        con=con,
    )
    assert (loaded.rows, loaded.bad_rows) == (3, 1)
    assert loaded.bad_reasons == {"timestamp unreadable": 1}


def analyse_rows(tmp_path, rows, name="logs.csv", **kwargs):
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return analyse_file(path, tmp_path / "c", **kwargs)


def analyse_file(path, cache_dir, **kwargs):
    return logs.analyse(
        path,
        sha256=sources.sha256_of(path),
        mapping=mapping.detect(path),
        cache_dir=cache_dir,
        **kwargs,
    )


@pytest.mark.parametrize("seed", [4, 21])
def test_a_log_without_creation_times_still_finds_the_ring(tmp_path, seed):
    truth, rows = generate.rows(seed)
    for row in rows:
        del row["account_created"]
    result = analyse_rows(tmp_path, rows)
    assert result["mapping"]["roles"].get("account_created") is None
    assert result["flagged_accounts"] == sorted(truth.ring)
    assert result["created_accounts"] == 0
    kinds = {link["kind"] for cluster in result["clusters"] for link in cluster["links"]}
    assert "created" not in kinds and "prompts" in kinds
    assert "gives no account creation times" in result["clusters_method"]


def test_accounts_created_close_together_are_linked(tmp_path):
    # a1 and a2 (same organisation) were created 11 hours apart: linked. a3, same
    # organisation, 40 hours later: one kind only. b1 and b2 share a creation window and
    # nothing else. c1's creation time cannot be read: counted, never a link.
    made = {
        "a1": "2026-01-05T20:00:00Z",
        "a2": "2026-01-06T07:00:00Z",
        "a3": "2026-01-07T23:00:00Z",
        "b1": "2026-01-05T21:00:00Z",
        "b2": "2026-01-05T22:00:00Z",
        "c1": "soon",
    }
    orgs = {"a1": "Org A", "a2": "Org A", "a3": "Org A", "b1": "B1", "b2": "B2", "c1": "Org A"}
    rows = [
        {"time": f"2026-03-02T10:0{n}:00Z", "account": a, "org": orgs[a], "key_created_at": made[a]}
        for n, a in enumerate(made)
    ]
    result = analyse_rows(tmp_path, rows)
    assert result["mapping"]["roles"]["account_created"] == "key_created_at"
    assert [c["accounts"] for c in result["clusters"]] == [["a1", "a2"]]
    assert result["clusters"][0]["links"] == [
        {
            "kind": "created",
            "value": "created 2026-01-05 12:00 to 2026-01-06 12:00 UTC",
            "accounts": ["a1", "a2"],
        },
        {"kind": "organisation", "value": "Org A", "accounts": ["a1", "a2"]},
    ]
    assert (result["created_accounts"], result["created_unreadable_rows"]) == (5, 1)
    assert "1 rows have a creation time that could not be read" in result["clusters_method"]
    wider = analyse_rows(tmp_path / "w", rows, params=logs.Parameters(created_window_hours=96))
    assert [c["accounts"] for c in wider["clusters"]] == [["a1", "a2", "a3"]]


def test_a_creation_window_and_a_template_alone_join_nobody(tmp_path):
    # b1 and b2 were created an hour apart and send the same prompt, and share nothing else:
    # two kinds, but both only corroborate. d1 and d2 add one organisation: joined.
    made = {"b1": "05T21", "b2": "05T22", "d1": "09T10", "d2": "09T11"}
    orgs = {"b1": "B1", "b2": "B2", "d1": "Org D", "d2": "Org D"}
    rows = [
        {
            "time": f"2026-03-02T1{n}:0{k}:00Z",
            "account": a,
            "org": orgs[a],
            "prompt": f"Summarise report {k} on the harbour fleet in {k + 3} lines",
            "key_created_at": f"2026-01-{made[a]}:00:00Z",
        }
        for n, a in enumerate(made)
        for k in range(3)
    ]
    result = analyse_rows(tmp_path, rows)
    assert [c["accounts"] for c in result["clusters"]] == [["d1", "d2"]]
    assert {link["kind"] for link in result["clusters"][0]["links"]} == {
        "created",
        "organisation",
        "template",
    }
    assert "never joins two accounts by itself" in result["clusters_method"]
    # When one kind is enough, a template joins, a creation window still does not.
    one = analyse_rows(tmp_path / "one", rows, params=logs.Parameters(min_link_kinds=1))
    assert [c["accounts"] for c in one["clusters"]] == [["b1", "b2", "d1", "d2"]]
    words = {"b1": "apples", "b2": "bridges", "d1": "comets", "d2": "dunes"}
    rows = [row | {"prompt": f"List facts about {words[row['account']]}"} for row in rows]
    alone = analyse_rows(tmp_path / "alone", rows, params=logs.Parameters(min_link_kinds=1))
    assert [c["accounts"] for c in alone["clusters"]] == [["d1", "d2"]]


def test_a_creation_window_shared_too_widely_ties_nobody(tmp_path):
    rows = [
        {
            "time": "2026-03-02T10:00:00Z",
            "account": f"a{n:02d}",
            "org": f"Org {n % 13}",
            "account_created": f"2026-01-05T{n % 10:02d}:00:00Z",
        }
        for n in range(26)
    ]
    assert analyse_rows(tmp_path, rows)["clusters"] == []
    fewer = [row for row in rows if int(row["account"][1:]) % 13 == 0]
    assert [c["accounts"] for c in analyse_rows(tmp_path / "f", fewer)["clusters"]] == [
        ["a00", "a13"]
    ]


@pytest.mark.parametrize(
    ("times", "write"), [("seconds", "csv"), ("milliseconds", "csv"), ("milliseconds", "jsonl")]
)
def test_epoch_times_give_the_same_figures_as_iso(tmp_path, times, write):
    _, iso = analyse(tmp_path, 17)
    path = tmp_path / f"epoch.{write}"
    writer = generate.write_csv if write == "csv" else generate.write_jsonl
    truth = writer(path, 17, times=times)
    detected = mapping.detect(path)
    assert detected.roles["timestamp"] == "request_time"
    assert "Unix epoch" in detected.timezone_note
    epoch = logs.analyse(
        path, sha256=sources.sha256_of(path), mapping=detected, cache_dir=tmp_path / "e"
    )
    assert epoch["flagged_accounts"] == sorted(truth.ring)
    assert epoch["bad_reasons"] == {"timestamp unreadable": 7, "no account": 4}
    different = {"source_sha256", "bad_examples"}
    assert {k: v for k, v in epoch.items() if k not in different} == {
        k: v for k, v in iso.items() if k not in different
    }


def test_progress_is_reported_in_order_up_to_done(tmp_path):
    calls = []
    path = tmp_path / "logs.csv"
    generate.write_csv(path, 9, customers=10)
    analyse_file(
        path, tmp_path / "c", progress=lambda stage, fraction: calls.append((stage, fraction))
    )
    stages = ["load", "volumes", "bursts", "templates", "clusters", "totals", "done"]
    assert [stage for stage, _ in calls] == stages
    fractions = [fraction for _, fraction in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(set(fractions))


class Cancelled(Exception):
    pass


@pytest.mark.parametrize("stop_at", ["load", "templates"])
def test_a_progress_callback_that_raises_cancels(tmp_path, stop_at):
    path = tmp_path / "logs.csv"
    generate.write_csv(path, 9, customers=10)
    seen = []

    def progress(stage, fraction):
        seen.append(stage)
        if stage == stop_at:
            raise Cancelled

    with pytest.raises(Cancelled):
        analyse_file(path, tmp_path / "c", progress=progress)
    assert seen[-1] == stop_at
    files = sorted(p.name for p in (tmp_path / "c").glob("*") if p.is_file())
    if stop_at == "load":
        assert files == []
    else:  # the copy was finished before the cancel: whole, with its rejects beside it
        assert [name.rsplit(".", 1)[-1] for name in files] == ["parquet", "json"]


def test_a_load_that_fails_leaves_no_partial_copy(tmp_path, monkeypatch):
    path = tmp_path / "logs.csv"
    generate.write_csv(path, 9, customers=10)

    def fail(con):
        raise Cancelled

    monkeypatch.setattr(logs, "_csv_rejects", fail)
    with pytest.raises(Cancelled):
        logs.load(
            path,
            sha256=sources.sha256_of(path),
            mapping=mapping.detect(path),
            cache_dir=tmp_path / "c",
            con=sources.connect(),
        )
    assert list((tmp_path / "c").iterdir()) == []


def test_near_copies_differing_in_one_word_are_one_template():
    # Each copy's last word changes one word 3-gram of 23 (estimated Jaccard about 0.9): LSH
    # must not leave one of them out, as a band setting tuned for balance did. Prompts that
    # share only 9 of 15 3-grams (Jaccard 0.6) stay apart although LSH may pair them.
    copies = [
        "think step by step and show your reasoning: what is <num> * <num> ? then explain "
        f"how <name> would check it for the subject {chr(97 + i)}x."
        for i in range(26)
    ]
    shapes = [
        f"request shape {shape}: please write about topic {topic} in <num> words, quoting "
        "<str> once"
        for shape in ("ab", "cd", "ef")
        for topic in ("gh", "ij", "kl", "mn")
    ]
    roots = templates.group_near_duplicates(sources.connect(), copies + shapes, 0.8)
    assert roots == [0] * 26 + list(range(26, 26 + len(shapes)))
