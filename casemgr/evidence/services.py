"""Writes for evidence: taking files in, and keeping their renditions."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction
from casemgr.evidence import renditions, storage
from casemgr.evidence.detection import Kind, detect
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.evidence.uploads import clean_filename
from casemgr.matters.models import Matter

DOCUMENT_TYPE_BY_KIND = {
    Kind.EMAIL: Exhibit.DocumentType.EMAIL,
    Kind.CSV: Exhibit.DocumentType.LOG,
    Kind.JSONL: Exhibit.DocumentType.LOG,
    Kind.PNG: Exhibit.DocumentType.SCREENSHOT,
    Kind.JPEG: Exhibit.DocumentType.SCREENSHOT,
}


@dataclass(frozen=True)
class IncomingFile:
    """A file on local disk, already hashed and counted, with the name the user gave it."""

    path: Path
    name: str
    size: int
    sha256: str

    @classmethod
    def from_upload(cls, upload) -> IncomingFile:
        return cls(Path(upload.temporary_file_path()), upload.name, upload.size, upload.sha256)

    @classmethod
    @contextmanager
    def from_bytes(cls, data: bytes, name: str) -> Iterator[IncomingFile]:
        """Bytes made in the server (an e-mail's attachment, a demo file), as a temporary
        file that is removed once ingested."""
        path = storage.copy_to_temp(data)
        try:
            yield cls(path, name, len(data), hashlib.sha256(data).hexdigest())
        finally:
            path.unlink(missing_ok=True)


@dataclass(frozen=True)
class IngestResult:
    status: str  # "stored", "duplicate" or "rejected"
    name: str
    reason: str = ""
    exhibit: Exhibit | None = None
    file: ExhibitFile | None = None


def next_exhibit_number(*, matter: Matter, prefix: str) -> int:
    highest = Exhibit.objects.filter(matter=matter, prefix=prefix).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


def exhibit_file_ingest(
    *,
    matter: Matter,
    uploaded_by,
    incoming: IncomingFile,
    metadata: dict[str, Any] | None = None,
    exhibit: Exhibit | None = None,
    source: ExhibitFile | None = None,
    request=None,
) -> IngestResult:
    """Take one file into the matter: refuse it with a reason, report it as a duplicate, or
    store it (as a new exhibit, or as another file of `exhibit`) and queue its rendition."""
    name = clean_filename(incoming.name)
    detection = detect(
        incoming.path,
        name,
        max_pixels=settings.EVIDENCE_MAX_IMAGE_PIXELS,
        office_available=shutil.which("soffice") is not None,
    )
    if not detection.accepted:
        return IngestResult("rejected", name, reason=detection.reason)
    with transaction.atomic():
        # One upload at a time per matter checks for duplicates and chooses the next number.
        Matter.objects.select_for_update().filter(pk=matter.pk).first()
        duplicate = _duplicate(matter=matter, sha256=incoming.sha256, name=name, user=uploaded_by)
        if duplicate:
            return duplicate
        key = storage.store_path(incoming.path, incoming.sha256)
        if exhibit is None:
            exhibit = _new_exhibit(matter, uploaded_by, name, detection.kind, metadata or {})
            audit_record(
                action=AuditAction.CREATE,
                request=request,
                actor=uploaded_by,
                matter=matter,
                obj=exhibit,
                detail={"reference": exhibit.reference},
            )
        stored = ExhibitFile.objects.create(
            exhibit=exhibit,
            matter=matter,
            original_name=name,
            size=incoming.size,
            sha256=incoming.sha256,
            kind=detection.kind,
            mime=detection.mime,
            flags=list(detection.flags),
            storage_key=key,
            source=source,
            uploaded_by=uploaded_by,
        )
        audit_record(
            action=AuditAction.CREATE,
            request=request,
            actor=uploaded_by,
            matter=matter,
            obj=stored,
            detail={"exhibit": exhibit.reference, "sha256": incoming.sha256},
        )
        _queue_rendition(stored)
    return IngestResult("stored", name, exhibit=exhibit, file=stored)


def _duplicate(*, matter, sha256: str, name: str, user) -> IngestResult | None:
    """The same bytes already in an exhibit of this matter that `user` can see. Copies the
    user cannot see are not mentioned: that would tell them the document is held above
    their clearance."""
    found = (
        ExhibitFile.objects.visible_to(user)
        .filter(matter=matter, sha256=sha256)
        .select_related("exhibit")
        .first()
    )
    if found is None:
        return None
    return IngestResult(
        "duplicate",
        name,
        reason=(
            f"The same file (SHA-256 {sha256[:12]}…) is already in this matter "
            f"as {found.exhibit.reference}."
        ),
        exhibit=found.exhibit,
    )


def _new_exhibit(matter, user, name: str, kind: str, metadata: dict) -> Exhibit:
    prefix = (metadata.get("prefix") or "EX").upper()
    exhibit = Exhibit(
        matter=matter,
        prefix=prefix,
        number=metadata.get("number") or next_exhibit_number(matter=matter, prefix=prefix),
        title=metadata.get("title") or Path(name).stem[:300] or name,
        document_type=metadata.get("document_type")
        or DOCUMENT_TYPE_BY_KIND.get(kind, Exhibit.DocumentType.OTHER),
        designation=metadata.get("designation") or 1,
        document_date=metadata.get("document_date"),
        created_by=user,
    )
    exhibit.full_clean()
    exhibit.save()
    return exhibit


def _queue_rendition(exhibit_file: ExhibitFile) -> None:
    from casemgr.evidence.tasks import render_exhibit_file

    transaction.on_commit(lambda: render_exhibit_file.delay(exhibit_file.pk))


# Renditions laid out in an older format than casemgr makes now (format 1 carried the
# exhibit's reference of the day and "page X of Y" in every footer). Only the kinds laid out
# by casemgr have a format; the others are the file itself or a converter's output.
STALE_RENDITIONS = Q(
    rendition=ExhibitFile.Rendition.READY,
    kind__in=renditions.LAID_OUT,
    rendition_format__lt=renditions.FORMAT,
)


def rendition_stale(exhibit_file: ExhibitFile) -> bool:
    return (
        exhibit_file.rendition == ExhibitFile.Rendition.READY
        and exhibit_file.kind in renditions.LAID_OUT
        and exhibit_file.rendition_format < renditions.FORMAT
    )


def exhibit_file_renew_rendition(*, exhibit_file: ExhibitFile) -> None:
    """Lay out a stale rendition again, here and now, and refresh `exhibit_file` with the
    result (ready in the current format, or failed with the reason).

    Stale renditions are renewed where they would be used in court, by the bundle build,
    rather than by a data migration marking them pending: a migration cannot queue the
    work, and a file marked pending with nothing queued would hold every bundle it is in.
    `manage.py renew_renditions` brings the previews up to date the same way."""
    from casemgr.evidence.tasks import render_exhibit_file

    if rendition_stale(exhibit_file):
        # In this process: the caller (a bundle's build) is background work already.
        render_exhibit_file(exhibit_file.pk)
        exhibit_file.refresh_from_db()


@transaction.atomic
def exhibit_file_retry_rendition(*, exhibit_file: ExhibitFile, actor, request=None) -> None:
    ExhibitFile.objects.filter(pk=exhibit_file.pk).update(
        rendition=ExhibitFile.Rendition.PENDING, rendition_error="", rendition_attempts=0
    )
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        matter=exhibit_file.matter,
        obj=exhibit_file,
        detail={"rendition": "retry"},
    )
    _queue_rendition(exhibit_file)


def exhibit_file_open_verified(*, exhibit_file: ExhibitFile, request, rendition: bool = False):
    """The stored bytes (or the PDF rendition) for sending, after their hash is checked and the
    access is audited. Raises storage.TamperedFile, loudly, if the bytes changed."""
    if rendition:
        key, sha256 = exhibit_file.rendition_key, exhibit_file.rendition_sha256
    else:
        key, sha256 = exhibit_file.storage_key, exhibit_file.sha256
    storage.verify(key, sha256)
    audit_record(
        action=AuditAction.VIEW if rendition else AuditAction.DOWNLOAD,
        request=request,
        matter=exhibit_file.matter,
        obj=exhibit_file,
        detail={
            "exhibit": exhibit_file.exhibit.reference,
            "designation": exhibit_file.exhibit.get_designation_display(),
        },
    )
    return storage.default_storage.open(key, "rb")
