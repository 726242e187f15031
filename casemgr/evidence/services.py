"""Writes for evidence: taking files in, and keeping their renditions."""

from __future__ import annotations

import hashlib
import operator
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction
from casemgr.core.services import record_save
from casemgr.evidence import ocr, references, renditions, storage
from casemgr.evidence.detection import Kind, detect
from casemgr.evidence.models import Exhibit, ExhibitFile, ExhibitPage, ocr_stall_cutoff
from casemgr.evidence.references import default_prefix
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
            exhibit = _new_exhibit(
                matter, uploaded_by, name, detection.kind, metadata or {}, request
            )
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


def _new_exhibit(matter, user, name: str, kind: str, metadata: dict, request) -> Exhibit:
    prefix = (metadata.get("prefix") or default_prefix(matter)).upper()
    batch, position = metadata.get("batch"), metadata.get("position")
    number = metadata.get("number")
    if not number:
        number = _upload_number(
            matter=matter, prefix=prefix, user=user, batch=batch, position=position, request=request
        )
    exhibit = Exhibit(
        matter=matter,
        prefix=prefix,
        number=number,
        title=metadata.get("title") or Path(name).stem[:300] or name,
        document_type=metadata.get("document_type")
        or DOCUMENT_TYPE_BY_KIND.get(kind, Exhibit.DocumentType.OTHER),
        designation=metadata.get("designation") or 1,
        document_date=metadata.get("document_date"),
        # Provenance, for an exhibit the server makes (an analysis's report names its source).
        description=metadata.get("description") or "",
        author=metadata.get("author") or "",
        collected_how=metadata.get("collected_how") or "",
        collected_on=metadata.get("collected_on"),
        privileged=bool(metadata.get("privileged")),
        created_by=user,
        upload_batch=batch if position is not None else None,
        upload_position=position if batch is not None else None,
    )
    exhibit.full_clean()
    exhibit.save()
    return exhibit


def _upload_number(*, matter, prefix: str, user, batch, position, request) -> int:
    """The next number with `prefix`; or, for a file of a drop (`batch`, `position`) that
    arrives after files dropped behind it, the first of their numbers, each of them moving
    up one (audited). So however the uploads race, a drop is numbered in the order its files
    were dropped, with no gap where a file was refused, and nobody else's numbers move. The
    caller holds the matter's row lock: that, not the order requests arrive in, is what
    gives each number once (the unique reference constraint stands behind it)."""
    number = next_exhibit_number(matter=matter, prefix=prefix)
    if batch is None or position is None:
        return number
    behind = list(
        Exhibit.objects.filter(
            matter=matter,
            prefix=prefix,
            upload_batch=batch,
            created_by=user,
            upload_position__gt=position,
        ).order_by("number")
    )
    if not behind:
        return number
    numbers = [exhibit.number for exhibit in behind] + [number]
    # From the highest down, so each moves to a number just given up (the highest to the
    # new one, which nobody holds).
    for exhibit, new in reversed(list(zip(behind, numbers[1:], strict=True))):
        old, exhibit.number = exhibit.number, new
        Exhibit.objects.filter(pk=exhibit.pk).update(number=new)
        audit_record(
            action=AuditAction.UPDATE,
            request=request,
            actor=user,
            matter=matter,
            obj=exhibit,
            detail={
                "changes": {"number": {"from": old, "to": new}},
                "reason": "numbered in the order its drop's files were dropped",
            },
        )
    return numbers[0]


class ExhibitsRefused(Exception):
    """Nothing was saved: `errors` holds what is wrong, per exhibit id."""

    def __init__(self, errors: dict[int, ValidationError]) -> None:
        super().__init__(errors)
        self.errors = errors


def exhibits_save(
    *, exhibits: list[Exhibit], actor, request=None, label: Callable[[Exhibit], str] = str
) -> list[Exhibit]:
    """Save exhibits' changed details together, all or none: the bulk details page, and one
    exhibit for its own page and the API. Their references are checked against each other
    and the whole matter before anything is written (see references.REFUSED for why a
    reference held above the member's clearance is refused in the same words as any other),
    and exhibits may exchange references in one save. One still new whose details are
    complete becomes reviewed (_mark_reviewed_when_complete). Raises ExhibitsRefused."""
    if not exhibits:
        return []
    for exhibit in exhibits:
        exhibit.prefix = (exhibit.prefix or "").upper()
    refusals = references.Refusals()
    try:
        with transaction.atomic():
            # The lock uploads take to choose a number: nothing can take a reference between
            # the check below and the save.
            Matter.objects.select_for_update().filter(pk=exhibits[0].matter_id).first()
            stored = Exhibit._base_manager.in_bulk([e.pk for e in exhibits])
            refusals = references.check_references(
                exhibits=exhibits, stored=stored, user=actor, label=label
            )
            if refusals.errors:
                raise ExhibitsRefused(refusals.errors)
            _step_aside(exhibits, stored)
            for exhibit in exhibits:
                _mark_reviewed_when_complete(exhibit, was=stored[exhibit.pk])
                exhibit.upload_batch = exhibit.upload_position = None  # no upload moves it now
                try:
                    record_save(
                        instance=exhibit, actor=actor, request=request, before=stored[exhibit.pk]
                    )
                except ValidationError as error:
                    raise ExhibitsRefused({exhibit.pk: error}) from None
    except ExhibitsRefused:
        # Written after the rollback, so that the refusal stays on record.
        for exhibit, holder in refusals.hidden:
            audit_record(
                action=AuditAction.DENIED,
                request=request,
                actor=actor,
                matter=exhibit.matter,
                obj=holder,
                detail={
                    "reason": "reference held above the member's clearance",
                    "exhibit": stored[exhibit.pk].reference,
                    "attempted": exhibit.reference,
                },
            )
        raise
    return exhibits


def _mark_reviewed_when_complete(exhibit: Exhibit, *, was: Exhibit) -> None:
    """ "New – details to complete" clears when a save leaves the exhibit dated and with its
    producing party, whichever page or the API saved it, unless the member chose New in
    this very save (kept until a later save finds the details complete: New means details
    to complete). Nothing sets an exhibit back to New by itself, and an undated document
    may be marked reviewed by hand."""
    untouched = was.status == exhibit.status == Exhibit.Status.NEW
    if untouched and not exhibit.missing_details():
        exhibit.status = Exhibit.Status.REVIEWED


def _step_aside(exhibits: list[Exhibit], stored: dict[int, Exhibit]) -> None:
    """Move out of the way each exhibit whose present reference another of them is about to
    take (NWA-1 and NWA-3 exchanging), to prefix "_" and its own id as number: no real
    prefix has an underscore, and ids are unique. Within the transaction, so nobody else
    ever sees it; the audit records the change from the stored reference."""
    wanted = {references.reference_of(e) for e in exhibits}
    for exhibit in exhibits:
        present = references.reference_of(stored[exhibit.pk])
        if present in wanted and present != references.reference_of(exhibit):
            Exhibit._base_manager.filter(pk=exhibit.pk).update(prefix="_", number=exhibit.pk)


def exhibit_save(*, instance: Exhibit, actor, request=None, m2m=None) -> Exhibit:
    """One exhibit's details, by the rules of exhibits_save (the exhibit page's and the
    API's save_service; an exhibit has no many-to-many links, so `m2m` is always empty)."""
    try:
        exhibits_save(exhibits=[instance], actor=actor, request=request)
    except ExhibitsRefused as refused:
        raise refused.errors[instance.pk] from None
    return instance


def _queue_rendition(exhibit_file: ExhibitFile) -> None:
    from casemgr.evidence.tasks import render_exhibit_file

    transaction.on_commit(lambda: render_exhibit_file.delay(exhibit_file.pk))


# Renditions made in an older format than casemgr makes now for their kind (format 1 carried
# the exhibit's reference of the day and "page X of Y" in every footer; an image before
# format 3 could be a 42-inch page): renditions.CURRENT_SINCE.
STALE_RENDITIONS = Q(rendition=ExhibitFile.Rendition.READY) & reduce(
    operator.or_,
    (Q(kind=kind, rendition_format__lt=since) for kind, since in renditions.CURRENT_SINCE.items()),
)


def rendition_stale(exhibit_file: ExhibitFile) -> bool:
    return (
        exhibit_file.rendition == ExhibitFile.Rendition.READY
        and exhibit_file.rendition_format < renditions.CURRENT_SINCE.get(exhibit_file.kind, 0)
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
def exhibit_file_rendition_ready(
    *,
    exhibit_file: ExhibitFile,
    key: str,
    sha256: str,
    page_count: int,
    page_texts: list[str],
    notes: list[str],
) -> None:
    """Record a file's new rendition and the text of its pages, together: search never finds
    the text of one rendition beside the pages of another. A scan with a page without text
    is then read by OCR (exhibit_file_read_text), queued here; the preview works meanwhile."""
    wants_ocr = ocr.needs_ocr(exhibit_file.kind, page_texts)
    ExhibitFile.objects.filter(pk=exhibit_file.pk).update(
        rendition=ExhibitFile.Rendition.READY,
        rendition_key=key,
        rendition_sha256=sha256,
        rendition_error="",
        rendition_format=renditions.FORMAT,
        rendition_attempts=0,  # counts the tries at the rendition being made, now done
        page_count=page_count,
        notes=notes,
        **_ocr_fields(ExhibitFile.Ocr.PENDING if wants_ocr else ExhibitFile.Ocr.NOT_NEEDED),
    )
    _replace_pages(exhibit_file, page_texts)
    if wants_ocr:
        _queue_ocr(exhibit_file)


def _ocr_fields(state: str, **fields) -> dict[str, Any]:
    """The OCR columns for a file entering `state`, with nothing left of an earlier state."""
    waiting = state in (ExhibitFile.Ocr.PENDING, ExhibitFile.Ocr.RUNNING)
    defaults = {"ocr_error": "", "ocr_languages": "", "ocr_unread": []}
    return {"ocr": state, "ocr_since": timezone.now() if waiting else None, **defaults, **fields}


def _replace_pages(exhibit_file: ExhibitFile, page_texts: list[str]) -> None:
    ExhibitPage.objects.filter(file=exhibit_file).delete()
    ExhibitPage.objects.bulk_create(
        (
            ExhibitPage(file=exhibit_file, matter_id=exhibit_file.matter_id, number=n, text=t)
            for n, t in enumerate(page_texts, 1)
        ),
        batch_size=500,
    )


def exhibit_file_pages_extract(*, exhibit_file: ExhibitFile) -> int:
    """Extract the page texts of a ready rendition stored before page text was kept (no
    ExhibitPage rows); a file not yet checked for OCR whose pages all have text needs none.
    Returns the number of pages."""
    with storage.local_copy(exhibit_file.rendition_key, exhibit_file.rendition_sha256) as path:
        texts = renditions.page_texts(path)
    with transaction.atomic():
        _replace_pages(exhibit_file, texts)
        if exhibit_file.ocr == ExhibitFile.Ocr.UNCHECKED and not ocr.needs_ocr(
            exhibit_file.kind, texts
        ):
            ExhibitFile.objects.filter(pk=exhibit_file.pk).update(
                **_ocr_fields(ExhibitFile.Ocr.NOT_NEEDED)
            )
    return len(texts)


def ocr_claim(*, exhibit_file: ExhibitFile) -> datetime | None:
    """Take the file's pending OCR (or one whose worker was lost) for this run: when it was
    claimed, the run's token for exhibit_file_text_read; None if it is not to be read."""
    since = timezone.now()
    claimed = (
        ExhibitFile.objects.filter(pk=exhibit_file.pk, rendition=ExhibitFile.Rendition.READY)
        .filter(
            Q(ocr=ExhibitFile.Ocr.PENDING)
            | Q(ocr=ExhibitFile.Ocr.RUNNING, ocr_since__lt=ocr_stall_cutoff())
        )
        .update(ocr=ExhibitFile.Ocr.RUNNING, ocr_since=since)
    )
    return since if claimed else None


@transaction.atomic
def exhibit_file_text_read(
    *,
    exhibit_file: ExhibitFile,
    claimed: datetime,
    key: str,
    sha256: str,
    languages: str,
    page_texts: list[str],
) -> bool:
    """Record the rendition OCR made (stored under `key`) and its pages' text, together,
    if the run that `claimed` the file still holds it. Pages still without text are
    recorded as unread. False if another run took over."""
    updated = ExhibitFile.objects.filter(
        pk=exhibit_file.pk, ocr=ExhibitFile.Ocr.RUNNING, ocr_since=claimed
    ).update(
        rendition_key=key,
        rendition_sha256=sha256,
        **_ocr_fields(
            ExhibitFile.Ocr.DONE,
            ocr_languages=languages,
            ocr_unread=ocr.unread_pages(page_texts),
        ),
    )
    if updated:
        _replace_pages(exhibit_file, page_texts)
    return bool(updated)


def exhibit_file_text_unreadable(
    *, exhibit_file: ExhibitFile, claimed: datetime, languages: str, reason: str
) -> None:
    """OCR failed: the rendition stays as it was (previewed, bundled), without the text."""
    ExhibitFile.objects.filter(
        pk=exhibit_file.pk, ocr=ExhibitFile.Ocr.RUNNING, ocr_since=claimed
    ).update(**_ocr_fields(ExhibitFile.Ocr.FAILED, ocr_error=reason, ocr_languages=languages))


def exhibit_file_queue_ocr(
    *, exhibit_file: ExhibitFile, actor=None, request=None, queue: bool = True
) -> bool:
    """Read the text of a ready rendition again, in its matter's languages: a failure
    retried from the file page, or a file stored before OCR (or read in other languages)
    by `manage.py ocr_backfill`, which may run the task itself (`queue=False`). False if it
    is already pending or running."""
    with transaction.atomic():
        queued = (
            ExhibitFile.objects.filter(pk=exhibit_file.pk, rendition=ExhibitFile.Rendition.READY)
            .exclude(
                Q(ocr__in=[ExhibitFile.Ocr.PENDING, ExhibitFile.Ocr.RUNNING])
                & Q(ocr_since__gte=ocr_stall_cutoff())
            )
            .update(**_ocr_fields(ExhibitFile.Ocr.PENDING))
        )
        if not queued:
            return False
        if actor is not None:
            _audit_retry(exhibit_file, actor, request, "ocr")
        if queue:
            _queue_ocr(exhibit_file)
    return True


def _queue_ocr(exhibit_file: ExhibitFile) -> None:
    from casemgr.evidence.tasks import ocr_exhibit_file

    transaction.on_commit(lambda: ocr_exhibit_file.delay(exhibit_file.pk))


@transaction.atomic
def exhibit_file_retry_rendition(*, exhibit_file: ExhibitFile, actor, request=None) -> None:
    ExhibitFile.objects.filter(pk=exhibit_file.pk).update(
        rendition=ExhibitFile.Rendition.PENDING, rendition_error="", rendition_attempts=0
    )
    _audit_retry(exhibit_file, actor, request, "rendition")
    _queue_rendition(exhibit_file)


def _audit_retry(exhibit_file: ExhibitFile, actor, request, what: str) -> None:
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        matter=exhibit_file.matter,
        obj=exhibit_file,
        detail={what: "retry"},
    )


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
