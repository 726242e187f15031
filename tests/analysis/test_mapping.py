"""Detecting which column plays which role, and the user's corrections (no database)."""

import json

import pytest

from casemgr.analysis import logs, mapping, sources
from tests.analysis import generate


def load(path, found, tmp_path):
    """The file loaded with the mapping found, and the connection holding its logs view."""
    con = sources.connect()
    loaded = logs.load(
        path, sha256=sources.sha256_of(path), mapping=found, cache_dir=tmp_path / "c", con=con
    )
    return loaded, con


def test_detects_roles_from_a_csv_header(tmp_path):
    path = tmp_path / "logs.csv"
    generate.write_csv(path, 1, customers=5)
    found = mapping.detect(path)
    assert found.roles == {
        "timestamp": "request_time",
        "account": "api_key_id",
        "organisation": "org_id",
        "ip": "client_ip",
        "user_agent": "user_agent",
        "model": "model",
        "endpoint": "endpoint",
        "prompt": "prompt",
        "input_tokens": "prompt_tokens",
        "output_tokens": "completion_tokens",
        "status": "status",
        "account_created": "account_created",
    }
    assert found.missing == []
    assert found.timezone == "UTC"
    assert "carries its own UTC offset" in found.timezone_note
    assert len(found.sample) == 20 and set(found.sample[0]) == set(generate.HEADER)


def test_detects_roles_from_json_lines_and_by_values(tmp_path):
    path = tmp_path / "logs.jsonl"
    lines = [
        {"when": "2026-03-02 10:00:00", "who": "k1", "addr": "203.0.113.5", "text": "hi"},
        {"when": "2026-03-02 11:00:00", "who": "k2", "addr": "2001:db8::1", "text": "yo"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    found = mapping.detect(path)
    # No header names an IP or a time: the values do.
    assert found.roles == {"ip": "addr", "timestamp": "when"}
    assert found.missing == ["account"]
    assert "no offset" in found.timezone_note
    fixed = mapping.detect(path, override={"account": "who", "prompt": "text"})
    assert fixed.roles == {"ip": "addr", "timestamp": "when", "account": "who", "prompt": "text"}
    assert fixed.missing == []


def test_override_moves_a_column_to_another_role(tmp_path):
    path = tmp_path / "logs.csv"
    generate.write_csv(path, 1, customers=5)
    found = mapping.detect(path, override={"account": "org_id"})
    assert found.roles["account"] == "org_id"
    assert "organisation" not in found.roles


@pytest.mark.parametrize(
    ("override", "message"),
    [({"account": "nope"}, "no column 'nope'"), ({"colour": "org_id"}, "unknown role")],
)
def test_override_refuses_what_is_not_there(tmp_path, override, message):
    path = tmp_path / "logs.csv"
    generate.write_csv(path, 1, customers=5)
    with pytest.raises(ValueError, match=message):
        mapping.detect(path, override=override)


def test_naive_times_are_read_in_the_given_zone(tmp_path):
    path = tmp_path / "logs.csv"
    path.write_text(
        "time,account\n"
        "2026-07-01 10:00:00,a\n"  # London summer time: 09:00 UTC
        "2026-07-01T10:00:00+02:00,b\n"  # its own offset wins: 08:00 UTC
        "yesterday,c\n"
    )
    found = mapping.detect(path, timezone="Europe/London")
    assert found.timezone == "Europe/London"
    loaded, con = load(path, found, tmp_path)
    hours = con.execute(
        "SELECT account, strftime(ts AT TIME ZONE 'UTC', '%H:%M') FROM logs ORDER BY account"
    ).fetchall()
    assert hours == [("a", "09:00"), ("b", "08:00")]
    assert loaded.bad_reasons == {"timestamp unreadable": 1}
    assert loaded.bad_examples[0]["timestamp"] == "yesterday"


def test_a_byte_order_mark_is_not_part_of_the_first_name(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbftimestamp,account\n2026-03-02T10:00:00Z,a\n")
    found = mapping.detect(path)
    assert found.roles == {"timestamp": "timestamp", "account": "account"}
    loaded = logs.load(
        path,
        sha256=sources.sha256_of(path),
        mapping=found,
        cache_dir=tmp_path / "c",
        con=sources.connect(),
    )
    assert (loaded.rows, loaded.bad_rows) == (1, 0)


def test_account_creation_is_told_apart_from_the_request_time(tmp_path):
    path = tmp_path / "logs.csv"
    path.write_text(
        "created_at,key_id,key_created_at\n2026-03-02T10:00:00Z,k1,2026-01-02T09:00:00Z\n"
    )
    found = mapping.detect(path)
    assert found.roles == {
        "timestamp": "created_at",
        "account": "key_id",
        "account_created": "key_created_at",
    }
    # A creation column is never taken for the request time, even when nothing else is one.
    path.write_text("account,account_created\nk1,2026-01-02T09:00:00Z\n")
    assert mapping.detect(path).missing == ["timestamp"]


@pytest.mark.parametrize(
    ("values", "note"),
    [
        (["1772445600", "1772449200.5"], "Unix epoch"),
        (["1772445600000", "1772449200123"], "Unix epoch"),
    ],
)
def test_epoch_times_are_found_by_their_values(tmp_path, values, note):
    path = tmp_path / "logs.csv"
    # "n" holds ten-digit numbers outside this century: an id, not a time.
    lines = ["n,who,at"] + [f"{9000000000 + i},k{i},{v}" for i, v in enumerate(values)]
    path.write_text("\n".join(lines) + "\n")
    found = mapping.detect(path, override={"account": "who"})
    assert found.roles == {"account": "who", "timestamp": "at"}
    assert note in found.timezone_note
    loaded, con = load(path, found, tmp_path)
    assert loaded.bad_rows == 0
    assert con.execute("SELECT min(ts) FROM logs").fetchone()[0].isoformat() == (
        "2026-03-02T10:00:00+00:00"
    )


def test_dates_are_preferred_to_numbers_that_could_be_epoch_times(tmp_path):
    path = tmp_path / "logs.jsonl"
    path.write_text(json.dumps({"ref": 1772445600, "when": "2026-03-02 10:00:00"}) + "\n")
    assert mapping.detect(path).roles == {"timestamp": "when"}


def test_epoch_values_ignore_the_zone_and_odd_lengths_are_unreadable(tmp_path):
    path = tmp_path / "logs.csv"
    path.write_text(
        "time,account\n"
        "1772445600,a\n"  # 10:00 UTC whatever the zone
        "1772445600.250,b\n"
        "1772445600250,c\n"
        "17724456002,d\n"  # eleven digits: seconds after 2286 or milliseconds before 1973
    )
    found = mapping.detect(path, timezone="Europe/London")
    loaded, con = load(path, found, tmp_path)
    times = con.execute(
        "SELECT account, strftime(ts AT TIME ZONE 'UTC', '%H:%M:%S.%g') FROM logs ORDER BY 1"
    ).fetchall()
    assert times == [("a", "10:00:00.000"), ("b", "10:00:00.250"), ("c", "10:00:00.250")]
    assert loaded.bad_reasons == {"timestamp unreadable": 1}
    assert loaded.bad_examples[0]["timestamp"] == "17724456002"
