"""The demo's analyses: a generated six-week log whose ring the engine finds exactly, output
pairs, both analysed by `load_demo`, the log's report saved as an AEO exhibit and pinned to
the allegations about harvested outputs, all of it once however often the demo loads."""

from __future__ import annotations

import csv
import hashlib
import io
import ipaddress
import time
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from casemgr.access.models import Clearance
from casemgr.analysis import demo, logs, mapping
from casemgr.analysis.models import Analysis
from casemgr.evidence.demo import demo_exhibits_load
from casemgr.evidence.models import Exhibit
from casemgr.matters.demo import demo_load
from casemgr.timeline.models import EvidenceLink

DOCUMENTATION = [
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
]


@pytest.fixture(scope="module")
def log_csv() -> bytes:
    started = time.perf_counter()
    data = demo.access_log_csv()
    assert time.perf_counter() - started < 15  # quick enough to generate on every demo load
    return data


def test_the_log_is_the_same_every_time_and_fictional(log_csv):
    assert hashlib.sha256(demo.access_log_csv()).digest() == hashlib.sha256(log_csv).digest()
    rows = list(csv.DictReader(io.StringIO(log_csv.decode())))
    assert 180_000 < len(rows) < 220_000
    assert "account_created" in rows[0]
    ips = {row["client_ip"] for row in rows}
    assert all(any(ipaddress.ip_address(ip) in net for net in DOCUMENTATION) for ip in ips)
    days = {row["timestamp"][:10] for row in rows if len(row["timestamp"]) == 20}
    assert min(days) == "2025-10-13" and max(days) == "2025-11-23"
    ring = {
        row["account_id"]: row["account_created"] for row in rows if row["account_id"] in demo.RING
    }
    assert set(ring) == set(demo.RING)
    assert set(ring.values()) == {date(2025, 10, d).isoformat() for d in range(14, 24)}


def test_the_engine_finds_the_ring_and_only_the_ring(log_csv, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(log_csv)
    results = logs.analyse(
        path,
        sha256=hashlib.sha256(log_csv).hexdigest(),
        mapping=mapping.detect(path),
        cache_dir=tmp_path / "cache",
    )
    assert results["flagged_accounts"] == sorted(demo.RING)
    assert results["clusters"][0]["accounts"] == sorted(demo.RING)
    # The small teams are linked, but none of them bursts, so nobody in them is flagged.
    assert all(not c["bursting_accounts"] for c in results["clusters"][1:])
    assert results["bad_reasons"] == {"no account": 4, "timestamp unreadable": 9}
    marked = {t["id"] for t in results["templates"] if t["reasoning_marker_requests"]}
    assert len(marked) == len(demo.RING_TEMPLATES)
    top = results["volumes"]["top_accounts"]
    assert top[0]["account"] not in results["flagged_accounts"]  # a steady customer


@pytest.mark.django_db
def test_the_demo_analyses_load_once_with_their_reports_and_pins(
    django_capture_on_commit_callbacks,
):
    demo_load(password="demo-pass-123")
    with django_capture_on_commit_callbacks(execute=True):
        demo_exhibits_load()
    loaded = demo.demo_analyses_load()
    assert (loaded.exhibits, loaded.analyses, loaded.reports, loaded.pins) == (
        2,
        2,
        ("NWA-8", "NWA-9"),
        4,
    )
    analyses = Analysis.objects.filter(matter__reference="NWA-0042")
    assert {a.status for a in analyses} == {Analysis.Status.DONE}
    log = analyses.get(kind="logs")
    assert log.results["flagged_accounts"] == sorted(demo.RING)
    assert log.report.reference == "NWA-8" and log.report.designation == Clearance.AEO
    assert analyses.get(kind="outputs").report.designation == Clearance.CONFIDENTIAL
    assert log.source.exhibit.reference == "NWA-6"
    links = EvidenceLink.objects.filter(exhibit__in=[a.report for a in analyses])
    assert sorted(link.allegation.paragraph for link in links) == ["12", "16", "16(a)", "18"]
    for link in links:
        link.full_clean()  # within the report's pages, now that they are counted
        assert link.exhibit_file.page_count

    counts = (Exhibit.objects.count(), Analysis.objects.count(), EvidenceLink.objects.count())
    again = demo.demo_analyses_load()
    assert (again.exhibits, again.reports, again.pins) == (0, ("NWA-8", "NWA-9"), 4)
    after = (Exhibit.objects.count(), Analysis.objects.count(), EvidenceLink.objects.count())
    assert after == counts

    expert = get_user_model().objects.get(username="expert")
    seen = set(Exhibit.objects.visible_to(expert).values_list("number", flat=True))
    assert 9 in seen and 8 not in seen and 6 not in seen
