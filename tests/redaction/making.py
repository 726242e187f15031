"""Exhibit files with real renditions to redact, and a stand-in for the engine where a test
is about the workflow rather than about what the engine removes (tests/e2e/test_redaction.py
runs the real one)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf

from casemgr.access.models import Clearance
from casemgr.evidence.models import ExhibitFile
from casemgr.evidence.services import IncomingFile, exhibit_file_ingest
from casemgr.evidence.tasks import render_exhibit_file
from casemgr.redaction import engine
from tests.evidence import files

PAGES = ["Privileged advice on Project Orion", "Contact ada@northwind.example today"]


def exhibit_file(world, *, designation=Clearance.STANDARD, pages=PAGES, name="memo.pdf"):
    """A PDF exhibit in world.matter, uploaded by the partner, its rendition ready."""
    with IncomingFile.from_bytes(files.pdf_of_pages(list(pages)), name) as incoming:
        result = exhibit_file_ingest(
            matter=world.matter,
            uploaded_by=world.partner,
            incoming=incoming,
            metadata={"prefix": "RD", "title": "Memo", "designation": designation},
        )
    render_exhibit_file(result.file.pk)
    stored = ExhibitFile.objects.select_related("exhibit").get(pk=result.file.pk)
    assert stored.rendition == ExhibitFile.Rendition.READY, stored.rendition_error
    return stored


def box(page=1, reason=engine.Reason.PRIVILEGE) -> engine.Box:
    return engine.Box(page=page, x0=72, y0=100, x1=300, y1=130, reason=reason)


class FakeEngine:
    """engine.redact and engine.find, recording their calls: redact writes a copy of the
    source marked as redacted; find boxes the first line of page 1."""

    def __init__(self, fail_with: str = ""):
        self.fail_with = fail_with
        self.redacted: list[list[engine.Box]] = []
        self.found: list[dict] = []

    def redact(self, source: Path, target: Path, boxes, *, languages="eng", progress=None):
        if self.fail_with:
            raise engine.RedactionError(self.fail_with)
        self.redacted.append(list(boxes))
        shutil.copy(source, target)
        with pikepdf.open(target, allow_overwriting_input=True) as pdf:
            pdf.docinfo["/Title"] = f"redacted {len(self.redacted)}"
            count = len(pdf.pages)
            pdf.save(target)
        if progress:
            progress(count, count)
        return engine.Result(
            page_count=count, redacted_pages=tuple(sorted({b.page for b in boxes}))
        )

    def find(self, path: Path, *, terms=(), patterns=(), reason=engine.Reason.PRIVILEGE):
        self.found.append({"terms": list(terms), "patterns": list(patterns)})
        return [engine.Box(page=1, x0=72, y0=110, x1=400, y1=130, reason=reason)]


def install(monkeypatch, fake: FakeEngine) -> FakeEngine:
    monkeypatch.setattr(engine, "redact", fake.redact)
    monkeypatch.setattr(engine, "find", fake.find)
    return fake
