from __future__ import annotations

import hashlib
import logging

from celery import shared_task
from django.db import transaction
from django.db.models import F

from casemgr.evidence import storage
from casemgr.evidence.models import ExhibitFile
from casemgr.evidence.renditions import RenditionError, render
from casemgr.evidence.services import IncomingFile, exhibit_file_ingest

log = logging.getLogger(__name__)

TEXT_LIMIT = 1_000_000


@shared_task(soft_time_limit=10 * 60, time_limit=11 * 60)
def render_exhibit_file(file_id: int) -> str:
    """Make the PDF rendition of one stored file, count its pages and extract its text; an
    e-mail's attachments become further files of the same exhibit. Safe to run twice: a file
    whose rendition is ready is left alone, and attachments already stored are duplicates."""
    ExhibitFile.objects.filter(pk=file_id).update(rendition_attempts=F("rendition_attempts") + 1)
    exhibit_file = ExhibitFile.objects.select_related("exhibit", "uploaded_by").get(pk=file_id)
    if exhibit_file.rendition == ExhibitFile.Rendition.READY:
        return "already ready"
    try:
        with storage.local_copy(exhibit_file.storage_key, exhibit_file.sha256) as path:
            result = render(path, exhibit_file.kind, title=exhibit_file.exhibit.reference)
    except (RenditionError, storage.TamperedFile) as error:
        _fail(exhibit_file, str(error))
        return "failed"
    except Exception:
        log.exception("Rendition of exhibit file %s failed", file_id)
        _fail(exhibit_file, "The rendition failed unexpectedly; retrying may help.")
        raise
    if result.pdf is None:  # a PDF is its own rendition
        key, sha256 = exhibit_file.storage_key, exhibit_file.sha256
    else:
        sha256 = hashlib.sha256(result.pdf).hexdigest()
        key = storage.store_bytes(result.pdf, storage.rendition_key(sha256))
    for attachment in result.attachments:
        incoming = IncomingFile.from_bytes(attachment.data, attachment.filename)
        try:
            exhibit_file_ingest(
                matter=exhibit_file.matter,
                uploaded_by=exhibit_file.uploaded_by,
                incoming=incoming,
                exhibit=exhibit_file.exhibit,
                source=exhibit_file,
            )
        finally:
            incoming.path.unlink(missing_ok=True)
    with transaction.atomic():
        ExhibitFile.objects.filter(pk=file_id).update(
            rendition=ExhibitFile.Rendition.READY,
            rendition_key=key,
            rendition_sha256=sha256,
            rendition_error="",
            page_count=result.page_count,
            text=result.text[:TEXT_LIMIT],
        )
    return "ready"


def _fail(exhibit_file: ExhibitFile, reason: str) -> None:
    ExhibitFile.objects.filter(pk=exhibit_file.pk).update(
        rendition=ExhibitFile.Rendition.FAILED, rendition_error=reason
    )
