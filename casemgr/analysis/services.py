"""Creating and running analyses of exhibit files (the engine itself knows no Django).

A run goes: analysis_create (mapping detected, to confirm) → analysis_start (queued on the
`analysis` queue once the request commits) → analysis_execute in the worker, which claims the
analysis with a token of its own and reports its progress. A cancel request is seen at the
next progress report; a worker that dies leaves the task to be redelivered, and the next run
claims the analysis afresh, so it finishes once.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC
from importlib.metadata import version
from pathlib import Path

import duckdb
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction
from casemgr.evidence import storage
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.evidence.services import IncomingFile, exhibit_file_ingest
from casemgr.timeline.models import EvidenceLink
from casemgr.timeline.services import evidence_link_save

from . import logs, mapping, outputs, report
from .models import Analysis

log = logging.getLogger(__name__)

READABLE = {Analysis.Kind.LOGS: ("csv", "jsonl"), Analysis.Kind.OUTPUTS: ("jsonl",)}
LIBRARIES = ("duckdb", "datasketch", "rapidfuzz", "scipy")
MAX_ATTEMPTS = 3
PROGRESS_EVERY_SECONDS = 0.5
# A run reports at least at every stage; one silent for this long lost its worker.
STALLED_AFTER_SECONDS = 30 * 60
CANCELLED = "Cancelled before it finished."
FAILED = Analysis.Status.FAILED


def default_cache_dir() -> Path:
    """Where the rebuildable Parquet copies go: beside the stored files, never among them."""
    return Path(settings.MEDIA_ROOT).parent / "analysis-cache"


def versions(kind: str) -> dict[str, str]:
    engine = logs.ENGINE_VERSION if kind == Analysis.Kind.LOGS else outputs.ENGINE_VERSION
    return {"engine": engine} | {name: version(name) for name in LIBRARIES}


def analysis_create(
    *,
    source: ExhibitFile,
    kind: str,
    created_by,
    mapping: dict | None = None,
    parameters: dict | None = None,
) -> Analysis:
    if source.kind not in READABLE[kind]:
        raise ValueError(
            f"A {Analysis.Kind(kind).label.lower()} is read from "
            f"{' or '.join(READABLE[kind])} files; this file is {source.kind}."
        )
    return Analysis.objects.create(
        matter_id=source.matter_id,
        source=source,
        kind=kind,
        sha256=source.sha256,
        mapping=mapping or {},
        parameters=parameters or {},
        created_by=created_by,
    )


def analysis_start(
    *, analysis: Analysis, actor, mapping: dict | None = None, parameters: dict | None = None
) -> Analysis:
    """Confirm the mapping and parameters and queue the run (after the request commits)."""
    from .tasks import run_analysis

    with transaction.atomic():
        locked = Analysis.objects.select_for_update().get(pk=analysis.pk)
        if locked.status in (Analysis.Status.QUEUED, Analysis.Status.RUNNING) and not (
            is_stalled(locked)
        ):
            raise ValidationError("This analysis is already running; wait for it or cancel it.")
        if mapping is not None:
            locked.mapping = mapping
        if parameters is not None:
            locked.parameters = parameters
        locked.status = Analysis.Status.QUEUED
        locked.stage, locked.progress, locked.error = "", 0.0, ""
        locked.cancel_requested = False
        locked.attempts = 0
        locked.results, locked.finished_at = {}, None
        locked.heartbeat_at = timezone.now()
        locked.save()
        audit_record(
            action=AuditAction.CREATE,
            matter=locked.matter,
            actor=actor,
            obj=locked.source,
            detail={"analysis": locked.pk, "run": "queued"},
        )
        transaction.on_commit(lambda: _queue(run_analysis, locked.pk))
    analysis.refresh_from_db()
    return analysis


def _queue(task, analysis_id: int) -> None:
    try:
        task.delay(analysis_id)
    except Exception:
        log.exception("Could not queue analysis %s", analysis_id)
        Analysis.objects.filter(pk=analysis_id, status=Analysis.Status.QUEUED).update(
            status=Analysis.Status.FAILED,
            error="The run could not be queued (the task broker did not answer); run it again "
            "in a minute.",
            finished_at=timezone.now(),
        )


def analysis_cancel(*, analysis: Analysis, actor) -> Analysis:
    """A queued run is cancelled at once; a running one at its next progress report."""
    with transaction.atomic():
        locked = Analysis.objects.select_for_update().get(pk=analysis.pk)
        if locked.finished or locked.status == Analysis.Status.NEW:
            raise ValidationError("Only a queued or running analysis can be cancelled.")
        locked.cancel_requested = True
        if locked.status == Analysis.Status.QUEUED or is_stalled(locked):
            locked.status, locked.finished_at = Analysis.Status.CANCELLED, timezone.now()
            locked.error = CANCELLED
        locked.save()
        audit_record(
            action=AuditAction.UPDATE,
            matter=locked.matter,
            actor=actor,
            obj=locked.source,
            detail={"analysis": locked.pk, "run": "cancel"},
        )
    analysis.refresh_from_db()
    return analysis


def is_stalled(analysis: Analysis) -> bool:
    if analysis.finished or analysis.status == Analysis.Status.NEW:
        return False
    last = analysis.heartbeat_at or analysis.created_at
    return (timezone.now() - last).total_seconds() > STALLED_AFTER_SECONDS


class Cancelled(Exception):
    """A member asked for the run to stop."""


class Superseded(Exception):
    """Another run of the task has taken this analysis over."""


def analysis_execute(analysis_id: int, *, cache_dir: Path | None = None) -> str:
    """The task's body: claim, run, keep the results. Returns what happened, for the log."""
    token = _claim(analysis_id)
    if token is None:
        return "already finished"
    analysis = Analysis.objects.select_related("source", "matter").get(pk=analysis_id)
    mine = Analysis.objects.filter(pk=analysis_id, attempt=token)
    if analysis.attempts > MAX_ATTEMPTS:
        gave_up = f"Gave up after {MAX_ATTEMPTS} attempts; the worker kept stopping."
        return _end(mine, FAILED, gave_up)
    last = [0.0]

    def progress(stage: str, fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_SECONDS and fraction < 1.0:
            return
        last[0] = now
        if not mine.filter(status=Analysis.Status.RUNNING).update(
            stage=stage, progress=round(fraction, 4), heartbeat_at=timezone.now()
        ):
            raise Superseded
        if mine.filter(cancel_requested=True).exists():
            raise Cancelled

    try:
        analysis_run(analysis=analysis, cache_dir=cache_dir, progress=progress, token=token)
    except Superseded:
        return "superseded"
    except Cancelled:
        return _end(mine, Analysis.Status.CANCELLED, CANCELLED)
    except SoftTimeLimitExceeded:
        return _end(mine, FAILED, "The analysis took longer than its time limit and was stopped.")
    except Exception:
        # Celery would record the error and drop the task, leaving the analysis "running"
        # until it looked stalled; the member is told instead, and may run it again.
        log.exception("Analysis %s failed", analysis_id)
        return _end(mine, FAILED, "The analysis stopped on an unexpected error; it is logged.")
    return Analysis.objects.get(pk=analysis_id).status


def _end(mine, status: str, error: str) -> str:
    """End the run that still holds its claim (one cancelled meanwhile stays cancelled)."""
    mine.filter(status=Analysis.Status.RUNNING).update(
        status=status, error=error, finished_at=timezone.now()
    )
    return status


def _claim(analysis_id: int) -> str | None:
    # Committed before the run starts, so a second worker sees the claim and a crash keeps the
    # attempt counted.
    with transaction.atomic(durable=True):
        analysis = Analysis.objects.select_for_update().filter(pk=analysis_id).first()
        if analysis is None or analysis.finished or analysis.status == Analysis.Status.NEW:
            return None
        if analysis.cancel_requested:
            # Asked to stop, and its worker died before it could: handed over, it stops here.
            analysis.status, analysis.finished_at = Analysis.Status.CANCELLED, timezone.now()
            analysis.error = CANCELLED
            analysis.save(update_fields=["status", "finished_at", "error"])
            return None
        token = uuid.uuid4().hex
        now = timezone.now()
        analysis.status, analysis.attempt = Analysis.Status.RUNNING, token
        analysis.attempts += 1
        analysis.started_at = analysis.started_at or now
        analysis.heartbeat_at = now
        analysis.stage, analysis.progress = "", 0.0
        analysis.save(
            update_fields=[
                "status",
                "attempt",
                "attempts",
                "started_at",
                "heartbeat_at",
                "stage",
                "progress",
            ]
        )
    return token


def analysis_run(
    *,
    analysis: Analysis,
    cache_dir: Path | None = None,
    progress=None,
    token: str | None = None,
) -> Analysis:
    """Run the engine over the stored bytes (hash checked on the way) and keep the results.
    Running it again gives the same figures: the engine is deterministic. With a token, the
    results are kept only while the run still holds its claim."""
    source = analysis.source
    suffix = "." + source.kind
    try:
        with storage.local_copy(source.storage_key, analysis.sha256, suffix=suffix) as path:
            if analysis.kind == Analysis.Kind.LOGS:
                results = _logs(analysis, path, cache_dir, progress)
                # Roles the user left without a column stay so when the analysis is run again.
                left_out = {r: None for r, c in _roles(analysis).items() if c is None}
                analysis.mapping = results["mapping"] | {
                    "roles": results["mapping"]["roles"] | left_out
                }
                analysis.parameters = results["parameters"]
            else:
                results = outputs.compare(path, progress=progress)
    except storage.TamperedFile:
        audit_record(
            action=AuditAction.INTEGRITY_FAILED,
            matter=analysis.matter,
            obj=source,
            detail={"sha256": analysis.sha256, "analysis": analysis.pk},
        )
        analysis.status, analysis.results = Analysis.Status.FAILED, {}
        analysis.error = (
            "The stored file no longer matches its SHA-256, so it was not analysed. Tell your "
            "administrator; running it again will not help."
        )
    except (ValueError, duckdb.Error) as error:
        # A mapping that does not fit, a zone DuckDB does not know, a file it cannot parse:
        # the run ends failed with the reason, never left waiting as "new".
        analysis.status, analysis.error, analysis.results = Analysis.Status.FAILED, str(error), {}
    else:
        analysis.status, analysis.error, analysis.results = Analysis.Status.DONE, "", results
        analysis.stage, analysis.progress = "", 1.0
    analysis.versions = versions(analysis.kind)
    analysis.finished_at = timezone.now()
    fields = ["status", "error", "results", "mapping", "parameters", "versions", "finished_at"]
    fields += ["stage", "progress"]
    if token is None:
        analysis.save()
    else:
        with transaction.atomic():
            # Kept only if this run still holds its claim and nobody asked it to stop.
            held = (
                Analysis.objects.select_for_update()
                .filter(pk=analysis.pk, attempt=token, status=Analysis.Status.RUNNING)
                .first()
            )
            if held is None:
                raise Superseded
            if held.cancel_requested:
                raise Cancelled
            analysis.save(update_fields=fields)
    return analysis


def _roles(analysis: Analysis) -> dict:
    return analysis.mapping.get("roles") or {}


def _logs(analysis: Analysis, path: Path, cache_dir: Path | None, progress) -> dict:
    roles = _roles(analysis) or None
    detected = mapping.detect(
        path,
        kind=analysis.source.kind,
        override=roles,
        timezone=analysis.mapping.get("timezone"),
    )
    if detected.missing:
        raise ValueError(f"No column for {', '.join(detected.missing)}.")
    saved = dict(analysis.parameters)
    if "markers" in saved:
        saved["markers"] = tuple(saved["markers"])
    return logs.analyse(
        path,
        sha256=analysis.sha256,
        mapping=detected,
        cache_dir=cache_dir or default_cache_dir(),
        params=logs.Parameters(**saved),
        progress=progress,
    )


def analysis_save_report(*, analysis: Analysis, actor, request=None) -> Exhibit:
    """Save a done analysis's report as a new exhibit of its matter, or return the one saved
    before. It is taken in like any upload (stored with its SHA-256, numbered after the
    source's prefix, given a rendition, audited), at the source's designation: a report of an
    AEO log is AEO, since it quotes the log. Its provenance names the source exhibit, the
    file's SHA-256 and the analysis. Raises ValidationError if there is no report to save."""
    with transaction.atomic():
        # One save at a time per analysis: a second waits, then finds the first's exhibit.
        locked = (
            Analysis.objects.select_for_update()
            .select_related("source__exhibit", "matter", "created_by")
            .get(pk=analysis.pk)
        )
        if locked.report_id is not None:
            return locked.report
        if locked.status != Analysis.Status.DONE:
            raise ValidationError("Only a finished analysis has a report to save.")
        made = report.report_pdf(analysis=locked)
        source = locked.source.exhibit
        with IncomingFile.from_bytes(made.content, made.filename) as incoming:
            result = exhibit_file_ingest(
                matter=locked.matter,
                uploaded_by=actor,
                incoming=incoming,
                metadata=_report_metadata(locked, source),
                request=request,
            )
        if result.status != "stored":
            raise ValidationError(f"The report could not be saved: {result.reason}")
        locked.report, locked.report_contents = result.exhibit, made.contents
        locked.save(update_fields=["report", "report_contents"])
        audit_record(
            action=AuditAction.CREATE,
            request=request,
            actor=actor,
            matter=locked.matter,
            obj=result.exhibit,
            detail={
                "analysis": locked.pk,
                "report_of": source.reference,
                "sha256": locked.sha256,
                "report_sha256": result.file.sha256,
            },
        )
    analysis.report, analysis.report_contents = result.exhibit, locked.report_contents
    return result.exhibit


def analysis_report_pin(
    *, analysis: Analysis, label: str, allegation, actor, note: str = "", request=None
):
    """Pin one figure or table of the saved report ("Figure 1") to an allegation, at the
    report's page where it begins, as evidence supporting it. Pinning it again finds the pin
    made before. Raises ValidationError if there is no such item or no saved report."""
    item = next((i for i in analysis.report_contents if i["label"] == label), None)
    if analysis.report_id is None or item is None:
        raise ValidationError(f"The saved report has no {label}.")
    exhibit = analysis.report
    file = exhibit.files.get()
    pages = str(item["page"])
    found = EvidenceLink.objects.filter(
        exhibit=exhibit, exhibit_file=file, pages=pages, allegation=allegation
    ).first()
    if found is not None:
        return found
    link = EvidenceLink(
        matter=exhibit.matter,
        exhibit=exhibit,
        exhibit_file=file,
        pages=pages,
        allegation=allegation,
        stance=EvidenceLink.Stance.SUPPORTS,
        note=note or f"{label}: {item['caption']}",
        created_by=actor,
    )
    link.full_clean()  # the pages within the report's page count, the allegation's matter
    return evidence_link_save(link=link, actor=actor, request=request)


def _report_metadata(analysis: Analysis, source: Exhibit) -> dict:
    run = analysis.finished_at or timezone.now()
    return {
        "prefix": source.prefix,
        "title": report.title_of(analysis),
        "document_type": Exhibit.DocumentType.REPORT,
        # Never lower than the source's: the report quotes it.
        "designation": source.designation,
        "privileged": source.privileged,
        "document_date": timezone.localdate(run),
        "author": "casemgr analysis",
        "collected_how": f"casemgr analysis {analysis.pk} of {source.reference}"[:200],
        "collected_on": timezone.localdate(),
        "description": (
            f"Report of analysis {analysis.pk} ({analysis.get_kind_display()}) of exhibit "
            f"{source.reference} ({source.title}), file {analysis.source.original_name} with "
            f"SHA-256 {analysis.sha256}, made by casemgr from that file as stored. Engine: "
            f"{analysis.versions.get('engine', '?')}; run finished "
            f"{run.astimezone(UTC).strftime('%Y-%m-%d %H:%M UTC')}."
        ),
    }
