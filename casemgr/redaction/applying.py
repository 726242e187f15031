"""Applying a redaction: queued by redaction_apply, done by the apply task
(tasks.apply_redaction → redaction_make), which may run twice: after a worker dies the
broker hands the task to another. Each run claims the redaction with a token of its own;
the engine writes to a temporary file, which is stored under its SHA-256 (so two runs store
the same bytes under the same key), and only the run holding the claim publishes it, by a
conditional UPDATE that moves the redaction to "proposed" (or "failed", with the reason).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
import uuid
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction
from casemgr.core import jobs
from casemgr.evidence import storage
from casemgr.redaction import engine
from casemgr.redaction.models import Redaction
from casemgr.redaction.services import STALE, audit_step, check_editable, locked, require_editor

log = logging.getLogger(__name__)

# An apply that has not reported progress for this long is taken to have died with its
# worker, and may be applied again.
STALLED_AFTER_SECONDS = 10 * 60
MAX_ATTEMPTS = 3
PROGRESS_EVERY_SECONDS = 0.5


def redaction_key(sha256: str) -> str:
    return f"redactions/{sha256[:2]}/{sha256}.pdf"


def redaction_apply(*, redaction: Redaction, actor, request=None) -> Redaction:
    """Queue the redacted file to be made. The one who applies it proposes it for approval."""
    from casemgr.redaction.tasks import apply_redaction

    require_editor(actor, redaction.matter, request)
    with transaction.atomic():
        redaction = locked(redaction)
        if redaction.status == Redaction.Status.APPLYING and not is_stalled(redaction):
            raise ValidationError("This redaction is already being applied.")
        if redaction.status == Redaction.Status.APPLYING:
            pass  # its worker was lost: applied again below
        else:
            check_editable(redaction)
        if not redaction.boxes.exists():
            raise ValidationError("Draw or find at least one box before applying the redaction.")
        redaction.status = Redaction.Status.APPLYING
        redaction.error = ""
        redaction.proposed_by = actor
        redaction.pages_done = 0
        redaction.pages_total = 0
        redaction.attempts = 0
        redaction.heartbeat_at = timezone.now()
        redaction.save(
            update_fields=[
                "status",
                "error",
                "proposed_by",
                "pages_done",
                "pages_total",
                "attempts",
                "heartbeat_at",
            ]
        )
        audit_step(
            AuditAction.UPDATE,
            redaction,
            actor,
            request,
            {"applied": True, "boxes": redaction.boxes.count()},
        )
        transaction.on_commit(
            lambda: jobs.queue_or_fail(
                apply_redaction,
                redaction.pk,
                fail=lambda reason: _fail(redaction, reason),
                what="The redaction",
                again="apply it again in a minute",
            )
        )
    return redaction


def is_stalled(redaction: Redaction) -> bool:
    if redaction.status != Redaction.Status.APPLYING:
        return False
    return jobs.stalled(
        redaction.heartbeat_at or redaction.created_at, after_seconds=STALLED_AFTER_SECONDS
    )


class _Superseded(Exception):
    """Another run of the task took the redaction over."""


def redaction_make(redaction_id: int) -> str:
    """The apply task's work, start to finish; safe to run twice (a second run takes the
    redaction over with a token of its own, and only the run holding it publishes). Returns
    what happened, for the task's log."""
    token = _claim(redaction_id)
    if token is None:
        return "not applying"
    redaction = Redaction.objects.select_related("file__exhibit", "matter").get(pk=redaction_id)
    if redaction.attempts > MAX_ATTEMPTS:
        _fail(redaction, f"Gave up after {MAX_ATTEMPTS} attempts; the worker kept stopping.")
        return "failed"
    try:
        return _make(redaction, token)
    except _Superseded:
        return "superseded"
    except storage.TamperedFile as error:
        log.critical("Integrity check failed while redacting %s: %s", redaction_id, error)
        audit_record(
            action=AuditAction.INTEGRITY_FAILED,
            matter=redaction.matter,
            obj=redaction.file,
            detail={"redaction": redaction.pk, "error": str(error)},
        )
        _fail(
            redaction,
            "The file's preview failed its integrity check: its stored bytes no longer match "
            "their SHA-256. Nothing was made. Tell your administrator.",
            token,
        )
        return "tampered"
    except engine.RedactionError as error:
        _fail(redaction, str(error), token)
        return "failed"
    except SoftTimeLimitExceeded:
        _fail(redaction, "Applying took longer than its time limit and was stopped.", token)
        return "failed"
    except Exception:
        log.exception("Applying redaction %s failed", redaction_id)
        _fail(
            redaction, "Applying the redaction failed unexpectedly; applying again may help.", token
        )
        return "failed"


def _claim(redaction_id: int) -> str | None:
    # Durable: the claim (its token, the attempt counted) is committed before the work.
    with transaction.atomic(durable=True):
        redaction = (
            Redaction.objects.select_for_update()
            .filter(pk=redaction_id, status=Redaction.Status.APPLYING)
            .first()
        )
        if redaction is None:
            return None
        token = uuid.uuid4().hex
        Redaction.objects.filter(pk=redaction_id).update(
            attempt=token,
            attempts=redaction.attempts + 1,
            heartbeat_at=timezone.now(),
            pages_done=0,
        )
    return token


def _make(redaction: Redaction, token: str) -> str:
    file = redaction.file
    mine = Redaction.objects.filter(
        pk=redaction.pk, attempt=token, status=Redaction.Status.APPLYING
    )
    if redaction.stale:
        _fail(redaction, STALE, token)
        return "stale"
    boxes = [
        engine.Box(page=b.page, x0=b.x0, y0=b.y0, x1=b.x1, y1=b.y1, reason=engine.Reason(b.reason))
        for b in redaction.boxes.all()
    ]
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_SECONDS and done < total:
            return
        last[0] = now
        if not mine.update(heartbeat_at=timezone.now(), pages_done=done, pages_total=total):
            raise _Superseded

    languages = file.ocr_languages or file.matter.ocr_languages or "eng"
    with (
        storage.local_copy(file.rendition_key, redaction.source_sha256, ".pdf") as source,
        tempfile.TemporaryDirectory(prefix="casemgr-redaction-") as work,
    ):
        target = Path(work) / "redacted.pdf"
        result = engine.redact(source, target, boxes, languages=languages, progress=progress)
        digest = hashlib.sha256()
        with target.open("rb") as made:
            while chunk := made.read(storage.CHUNK):
                digest.update(chunk)
        sha256 = digest.hexdigest()
        key = storage.store_file(target, redaction_key(sha256))
        size = target.stat().st_size
    published = mine.update(
        status=Redaction.Status.PROPOSED,
        error="",
        storage_key=key,
        sha256=sha256,
        size=size,
        page_count=result.page_count,
        pages_done=result.page_count,
        pages_total=result.page_count,
        applied_at=timezone.now(),
        proposed_at=timezone.now(),
    )
    if not published:
        return "superseded"  # the file is content-addressed: the other run's is the same
    audit_record(
        action=AuditAction.CREATE,
        matter=redaction.matter,
        obj=redaction,
        detail={
            "file": file.pk,
            "exhibit": file.exhibit.reference,
            "sha256": sha256,
            "pages": result.page_count,
            "redacted_pages": list(result.redacted_pages),
        },
    )
    return "proposed"


def _fail(redaction: Redaction, reason: str, token: str | None = None) -> None:
    rows = Redaction.objects.filter(pk=redaction.pk, status=Redaction.Status.APPLYING)
    if token is not None:
        rows = rows.filter(attempt=token)
    if rows.update(status=Redaction.Status.FAILED, error=reason):
        audit_record(
            action=AuditAction.UPDATE,
            matter=redaction.matter,
            obj=redaction,
            detail={"file": redaction.file_id, "failed": reason},
        )
