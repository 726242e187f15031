"""Analyses as the pages make them: a stored exhibit file, the buttons, the run."""

from __future__ import annotations

import csv
import hashlib
import io
import json

from django.urls import reverse

from casemgr.access.models import Clearance
from casemgr.analysis import services
from casemgr.analysis.models import Analysis
from casemgr.evidence import storage
from casemgr.evidence.models import ExhibitFile
from tests.analysis import generate
from tests.factories import ExhibitFileFactory

HOSTILE = '<script>alert("x")</script>'


def stored(world, data: bytes, *, name: str, kind: str, designation=Clearance.STANDARD, **exhibit):
    """An exhibit of world.matter holding `data` as its stored file."""
    sha = hashlib.sha256(data).hexdigest()
    return ExhibitFileFactory(
        exhibit__matter=world.matter,
        exhibit__designation=designation,
        exhibit__created_by=world.partner,
        **{f"exhibit__{k}": v for k, v in exhibit.items()},
        kind=kind,
        mime="text/csv" if kind == "csv" else "application/x-ndjson",
        original_name=name,
        sha256=sha,
        size=len(data),
        storage_key=storage.store_bytes(data, storage.evidence_key(sha)),
        # No PDF rendition is made here; the exhibit page says it is being prepared.
        rendition=ExhibitFile.Rendition.PENDING,
    )


def log_csv(tmp_path, *, seed: int = 21, hostile: bool = False, extra: int = 0):
    """(truth, bytes) of a generated log. `hostile` adds an account whose values are markup,
    busy enough to be among the top accounts; `extra`, that many requests of one more account
    (to page through)."""
    path = tmp_path / f"log-{seed}.csv"
    truth = generate.write_csv(path, seed, customers=60)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=generate.HEADER)
    rows = [(HOSTILE, i) for i in range(400)] if hostile else []
    rows += [("steady-1", i) for i in range(extra)]
    for account, i in rows:
        writer.writerow(
            {
                "request_time": f"2026-03-0{1 + i % 9}T0{i % 10}:{i % 60:02d}:00Z",
                "api_key_id": account,
                "org_id": "org-hostile" if account == HOSTILE else "org-steady",
                "client_ip": "198.51.100.7",
                "user_agent": HOSTILE if account == HOSTILE else "curl/8",
                "model": "frontier-1",
                "endpoint": "/v1/chat",
                "prompt": f"{HOSTILE} request {i}" if account == HOSTILE else f"Sum {i} and 2",
                "prompt_tokens": "12",
                "completion_tokens": "40",
                "status": "200",
            }
        )
    return truth, path.read_bytes() + out.getvalue().encode()


def pairs_jsonl(tmp_path, *, hostile: bool = False, pairs: int = 60) -> bytes:
    path = tmp_path / "pairs.jsonl"
    generate.write_pairs(path, 5, copying=True, pairs=pairs)
    data = path.read_bytes()
    if hostile:
        shared = "the same long sentence that both models wrote word for word"
        record = {
            "prompt": f"{HOSTILE} prompt",
            "ours": f"{HOSTILE} {shared}",
            "theirs": f"{shared} {HOSTILE}",
            "control": "<b>bold</b> control",
        }
        data += (json.dumps(record) + "\n").encode()
    return data


def url(analysis: Analysis, name: str = "analysis", **kwargs) -> str:
    return reverse(
        f"analysis:{name}",
        kwargs={"matter_pk": analysis.matter_id, "pk": analysis.pk, **kwargs},
    )


def create(client, source, kind: str = "logs"):
    """Press "Analyse as API log" (or "Compare model outputs") on the exhibit page."""
    return client.post(
        reverse("analysis:create", kwargs={"matter_pk": source.matter.pk}),
        {"file": source.pk, "kind": kind},
    )


def run(analysis: Analysis, cache_dir) -> Analysis:
    """What the worker does with a queued analysis."""
    services.analysis_execute(analysis.pk, cache_dir=cache_dir)
    analysis.refresh_from_db()
    return analysis


def done(world, source, cache_dir, kind: str = "logs", **start) -> Analysis:
    analysis = services.analysis_create(source=source, kind=kind, created_by=world.partner)
    services.analysis_start(analysis=analysis, actor=world.partner, **start)
    return run(analysis, cache_dir)
