"""`manage.py analyse logs|outputs FILE --json` prints the keys scripts and benchmarks read."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.analysis import generate


def run(*args) -> str:
    out = StringIO()
    call_command("analyse", *args, stdout=out)
    return out.getvalue()


def test_logs_json(tmp_path):
    path = tmp_path / "logs.csv"
    truth = generate.write_csv(path, 17)
    result = json.loads(run("logs", str(path), "--json", "--cache-dir", str(tmp_path / "c")))
    assert result["rows"] == truth.rows
    assert result["bad_rows"] == truth.bad_timestamp + truth.no_account
    assert result["accounts"] == result["totals"]["accounts"]
    assert result["flagged_accounts"] == sorted(truth.ring)
    assert all({"accounts", "links"} <= set(c) for c in result["clusters"])
    assert all({"count", "accounts", "example"} <= set(t) for t in result["templates"])
    assert set(result["timings"]) >= {"load", "volumes", "bursts", "clusters", "templates"}


def test_logs_mapping_option(tmp_path):
    path = tmp_path / "logs.jsonl"
    path.write_text(
        "".join(
            json.dumps({"when": f"2026-03-02T{h:02d}:00:00Z", "holder": f"k{h % 3}"}) + "\n"
            for h in range(12)
        )
    )
    with pytest.raises(CommandError, match="no column found for account"):
        run("logs", str(path), "--cache-dir", str(tmp_path / "c"))
    mapping = json.dumps({"account": "holder"})
    result = json.loads(
        run("logs", str(path), "--mapping", mapping, "--json", "--cache-dir", str(tmp_path / "c"))
    )
    assert (result["rows"], result["accounts"]) == (12, 3)
    assert result["mapping"]["roles"] == {"account": "holder", "timestamp": "when"}


@pytest.mark.parametrize(
    ("mapping", "message"),
    [("{oops", "not JSON"), ('["account"]', "JSON object"), ('{"account": "x"}', "no column")],
)
def test_logs_bad_mapping(tmp_path, mapping, message):
    path = tmp_path / "logs.csv"
    generate.write_csv(path, 1, customers=3)
    with pytest.raises(CommandError, match=message):
        run("logs", str(path), "--mapping", mapping, "--cache-dir", str(tmp_path / "c"))


def test_logs_summary(tmp_path):
    path = tmp_path / "logs.csv"
    generate.write_csv(path, 17)
    text = run("logs", str(path), "--cache-dir", str(tmp_path / "c"))
    assert "6 flagged: ring-1, ring-2, ring-3, ring-4, ring-5, ring-6" in text


def test_outputs_json(tmp_path):
    path = tmp_path / "pairs.jsonl"
    generate.write_pairs(path, 3, copying=True)
    result = json.loads(run("outputs", str(path), "--json"))
    assert result["pairs"] == 60
    assert result["median_similarity"] > result["control_median_similarity"]
    assert result["p_value"] < 0.001
    assert "per_pair" not in result


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("outputs", str(tmp_path / "absent.jsonl"))
