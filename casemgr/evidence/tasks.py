from __future__ import annotations

import hashlib
import logging
import tempfile
from functools import partial
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db.models import F

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction
from casemgr.evidence import ocr, renditions, storage
from casemgr.evidence.models import ExhibitFile
from casemgr.evidence.renditions import RenditionError, render
from casemgr.evidence.services import (
    IncomingFile,
    exhibit_file_ingest,
    exhibit_file_rendition_ready,
    exhibit_file_text_read,
    exhibit_file_text_unreadable,
    ocr_claim,
    rendition_stale,
)

log = logging.getLogger(__name__)

# A file whose rendition has killed or timed out this many workers is not tried again on
# its own (the broker redelivers a task whose worker died): it is marked failed, to retry
# by hand.
MAX_ATTEMPTS = 3


@shared_task(soft_time_limit=10 * 60, time_limit=11 * 60)
def render_exhibit_file(file_id: int) -> str:
    """Make the PDF rendition of one stored file, count its pages and extract its text; an
    e-mail's attachments become further files of the same exhibit. Safe to run twice: a file
    whose rendition is ready is left alone (unless it is stale: laid out in an older format),
    and attachments already stored are duplicates."""
    exhibit_file = ExhibitFile.objects.select_related("exhibit", "uploaded_by").get(pk=file_id)
    if exhibit_file.rendition == ExhibitFile.Rendition.READY and not rendition_stale(exhibit_file):
        return "already ready"
    # Counted before the work, so that a worker killed by the file counts too.
    ExhibitFile.objects.filter(pk=file_id).update(rendition_attempts=F("rendition_attempts") + 1)
    exhibit_file.refresh_from_db(fields=["rendition_attempts"])
    if exhibit_file.rendition_attempts > MAX_ATTEMPTS:
        _fail(exhibit_file, f"Gave up after {MAX_ATTEMPTS} attempts; the file may be too large.")
        return "failed"
    try:
        with storage.local_copy(exhibit_file.storage_key, exhibit_file.sha256) as path:
            result = render(path, exhibit_file.kind, name=exhibit_file.original_name)
            if result.pdf is None:  # a PDF is its own rendition
                texts = renditions.page_texts(path)
        # A rendition made before (now stale, or retried after failing to be made again)
        # stored its e-mail's attachments then: they are not taken in twice.
        if exhibit_file.rendition_key:
            notes = exhibit_file.notes
        else:
            notes = _store_attachments(exhibit_file, result.attachments)
    except storage.TamperedFile:
        log.critical("Integrity check failed for exhibit file %s", file_id)
        audit_record(
            action=AuditAction.INTEGRITY_FAILED,
            matter=exhibit_file.matter,
            obj=exhibit_file,
            detail={"sha256": exhibit_file.sha256},
        )
        _fail(
            exhibit_file,
            "Integrity check failed: the stored bytes no longer match their "
            "SHA-256. Tell your administrator; retrying will not help.",
        )
        return "tampered"
    except RenditionError as error:
        _fail(exhibit_file, str(error))
        return "failed"
    except Exception:
        log.exception("Rendition of exhibit file %s failed", file_id)
        _fail(exhibit_file, "The rendition failed unexpectedly; retrying may help.")
        raise
    if result.pdf is None:
        key, sha256 = exhibit_file.storage_key, exhibit_file.sha256
    else:
        sha256 = hashlib.sha256(result.pdf).hexdigest()
        key = storage.store_bytes(result.pdf, storage.rendition_key(sha256))
        with storage.local_copy(key, sha256) as path:
            texts = renditions.page_texts(path)
    exhibit_file_rendition_ready(
        exhibit_file=exhibit_file,
        key=key,
        sha256=sha256,
        page_count=result.page_count,
        page_texts=texts,
        notes=notes,
    )
    return "ready"


# A 300-page scan takes many minutes: OCR has its own limits, past OCRmyPDF's own timeout
# (settings.OCR_TIMEOUT) and below the broker's visibility timeout, after which a task
# still running would be handed to a second worker.
@shared_task(
    soft_time_limit=settings.OCR_TIMEOUT + 5 * 60, time_limit=settings.OCR_TIMEOUT + 6 * 60
)
def ocr_exhibit_file(file_id: int) -> str:
    """Read the text of a scan's pages that have none into its rendition (OCR), in its
    matter's languages. The rendition read is made afresh from the original (a PDF is its
    own), so a file read again in other languages is read from the scan itself, not from
    the text layer of the last reading. Safe to run twice: only a run that claims the pending
    file (services.ocr_claim) reads it, and only the run holding the claim records a result."""
    exhibit_file = ExhibitFile.objects.select_related("matter").get(pk=file_id)
    claimed = ocr_claim(exhibit_file=exhibit_file)
    if claimed is None:
        return "not pending"
    languages = exhibit_file.matter.ocr_languages
    fail = partial(
        exhibit_file_text_unreadable,
        exhibit_file=exhibit_file,
        claimed=claimed,
        languages=languages,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="ocr-") as work:
            read = Path(work, "read.pdf")
            with storage.local_copy(exhibit_file.storage_key, exhibit_file.sha256) as path:
                scan = _unread_rendition(path, exhibit_file, Path(work, "scan.pdf"))
                ocr.read_text(
                    scan,
                    read,
                    languages=languages,
                    jobs=settings.OCR_JOBS,
                    timeout=settings.OCR_TIMEOUT,
                    binary=settings.OCR_BINARY,
                )
            key, sha256 = storage.store_rendition(read)
            texts = renditions.page_texts(read)
    except (ocr.OcrError, RenditionError) as error:
        fail(reason=str(error))
        return "failed"
    except storage.TamperedFile:
        log.critical("Integrity check failed for exhibit file %s", file_id)
        fail(reason="Integrity check failed: the stored bytes no longer match their SHA-256.")
        return "tampered"
    except Exception:
        log.exception("OCR of exhibit file %s failed", file_id)
        fail(reason="Reading the text failed unexpectedly; retrying may help.")
        raise
    recorded = exhibit_file_text_read(
        exhibit_file=exhibit_file,
        claimed=claimed,
        key=key,
        sha256=sha256,
        languages=languages,
        page_texts=texts,
    )
    return "done" if recorded else "superseded"


def _unread_rendition(original: Path, exhibit_file: ExhibitFile, target: Path) -> Path:
    """The rendition as made before any OCR: the PDF itself, or the image's pages."""
    result = render(original, exhibit_file.kind, name=exhibit_file.original_name)
    if result.pdf is None:
        return original
    target.write_bytes(result.pdf)
    return target


def _store_attachments(exhibit_file: ExhibitFile, attachments) -> list[str]:
    """Store each attachment as a file of the same exhibit; say what happened to any that
    was not stored, so nothing disappears without a word."""
    notes = []
    for attachment in attachments:
        with IncomingFile.from_bytes(attachment.data, attachment.filename) as incoming:
            result = exhibit_file_ingest(
                matter=exhibit_file.matter,
                uploaded_by=exhibit_file.uploaded_by,
                incoming=incoming,
                exhibit=exhibit_file.exhibit,
                source=exhibit_file,
            )
        if result.status == "rejected":
            notes.append(f"Attachment {result.name} was not stored: {result.reason}")
        elif result.status == "duplicate" and result.exhibit != exhibit_file.exhibit:
            notes.append(f"Attachment {result.name}: {result.reason}")
    return notes


def _fail(exhibit_file: ExhibitFile, reason: str) -> None:
    ExhibitFile.objects.filter(pk=exhibit_file.pk).update(
        rendition=ExhibitFile.Rendition.FAILED, rendition_error=reason
    )
