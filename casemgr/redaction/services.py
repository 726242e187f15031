"""Writes for redactions: drawing them and the four-eyes review (applying them, in a task,
is casemgr.redaction.applying).

The life of a redaction: a member with edit rights starts one on a file whose rendition is
ready (draft) and draws or finds boxes; "apply" queues tasks.apply_redaction, which runs the
engine on a hash-checked copy of the rendition, stores the result under its SHA-256 and
marks the redaction proposed (or failed, with the reason). A second member with edit rights
approves it, which supersedes the file's earlier approved redaction, or returns it.

Every step is audited. A redaction drawn on a rendition the file no longer has is stale: it
is shown as such, and never applied, approved or used (selectors.approved checks too).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from casemgr.access import policy
from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction
from casemgr.evidence import storage
from casemgr.evidence.models import ExhibitFile
from casemgr.redaction import engine
from casemgr.redaction.locate import geometry
from casemgr.redaction.models import Box, Redaction

log = logging.getLogger(__name__)

OPEN = (
    Redaction.Status.DRAFT,
    Redaction.Status.APPLYING,
    Redaction.Status.PROPOSED,
    Redaction.Status.FAILED,
)
# A document with more boxes than this is better withheld whole than redacted.
MAX_BOXES = 5000

READ_ONLY = (
    "Your role on this matter is read-only: only partners, associates and paralegals redact."
)
OWN_PROPOSAL = "You proposed this redaction; a second member must approve it."
STALE = (
    "The file's preview has been made again since this redaction was drawn, so its boxes may "
    "no longer cover what they were drawn over. Start a new redaction."
)


def require_editor(actor, matter, request) -> None:
    if not policy.can_edit(actor, matter):
        _audit_refusal(actor, matter, request, reason="read-only member")
        raise PermissionDenied(READ_ONLY)


def _audit_refusal(actor, matter, request, *, reason: str, obj=None) -> None:
    audit_record(
        action=AuditAction.DENIED,
        request=request,
        actor=actor,
        matter=matter,
        obj=obj,
        detail={"reason": reason},
    )


def audit_step(action, redaction: Redaction, actor, request, detail: dict) -> None:
    audit_record(
        action=action,
        request=request,
        actor=actor,
        matter=redaction.matter,
        obj=redaction,
        detail={"file": redaction.file_id, "exhibit": redaction.file.exhibit.reference, **detail},
    )


def locked(redaction: Redaction) -> Redaction:
    """The row again, locked for this transaction, with what the checks read."""
    return (
        Redaction.objects.select_for_update(of=("self",))
        .select_related("file__exhibit", "matter")
        .get(pk=redaction.pk)
    )


def check_editable(redaction: Redaction) -> None:
    if redaction.stale:
        raise ValidationError(STALE)
    if not redaction.editable:
        raise ValidationError(
            f"This redaction is {redaction.get_status_display().lower()}: its boxes can no "
            "longer be changed."
            + (
                " Return it to draft first."
                if redaction.status == Redaction.Status.PROPOSED
                else " Start a new redaction of the file to change them."
            )
        )


# --- Starting and drawing -----------------------------------------------------------------


def page_sizes(path: Path) -> list[list[float]]:
    """[width, height] of each page as shown (crop box, rotation applied), in points: as the
    engine measures them (locate.geometry), so that a box the page accepts, it accepts."""
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise ValidationError(f"The file's preview PDF cannot be read: {error}") from None
    sizes = []
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                sizes.append([round(side, 2) for side in geometry(page).size])
            finally:
                page.close()
    finally:
        document.close()
    return sizes


def redaction_start(*, exhibit_file: ExhibitFile, actor, request=None) -> tuple[Redaction, bool]:
    """A new draft redaction of the file's current rendition, or the one already open on it
    (one at a time, so that two people never redact the same file past each other); True
    when new. A new one starts from the boxes of the file's approved redaction, if current,
    so that changing a redaction does not mean drawing it all again."""
    require_editor(actor, exhibit_file.matter, request)
    if exhibit_file.rendition != ExhibitFile.Rendition.READY or not exhibit_file.rendition_sha256:
        raise ValidationError("The file's preview PDF is not ready yet; redact it once it is.")
    if exhibit_file.flags:
        raise ValidationError(
            "This PDF contains active content (scripts, launch actions or embedded files), so "
            "it is not opened in the browser and cannot be redacted here."
        )
    with storage.local_copy(
        exhibit_file.rendition_key, exhibit_file.rendition_sha256, ".pdf"
    ) as path:
        sizes = page_sizes(path)
    with transaction.atomic():
        ExhibitFile.objects.select_for_update().filter(pk=exhibit_file.pk).first()
        current = Redaction.objects.filter(
            file=exhibit_file, source_sha256=exhibit_file.rendition_sha256
        )
        existing = current.filter(status__in=OPEN).first()
        if existing is not None:
            return existing, False
        redaction = Redaction.objects.create(
            file=exhibit_file,
            matter=exhibit_file.matter,
            source_sha256=exhibit_file.rendition_sha256,
            created_by=actor,
            page_sizes=sizes,
        )
        approved = current.filter(status=Redaction.Status.APPROVED).first()
        if approved is not None:
            Box.objects.bulk_create(
                _row(redaction, box, actor, box.found_by) for box in approved.boxes.all()
            )
        audit_step(
            AuditAction.CREATE,
            redaction,
            actor,
            request,
            {"source_sha256": redaction.source_sha256, "from": approved.pk if approved else None},
        )
    return redaction, True


def _clean_box(redaction: Redaction, box: engine.Box) -> engine.Box:
    """The box clipped to its page, or ValidationError saying what is wrong with it."""
    if box.reason not in engine.Reason:
        raise ValidationError("Choose a reason for the box.")
    if not 1 <= box.page <= len(redaction.page_sizes):
        raise ValidationError(
            f"Page {box.page} is not in this document, which has "
            f"{len(redaction.page_sizes)} page(s)."
        )
    width, height = redaction.page_sizes[box.page - 1]
    x0, x1 = sorted((max(0.0, box.x0), min(width, box.x1)))
    y0, y1 = sorted((max(0.0, box.y0), min(height, box.y1)))
    if box.x0 >= width or box.y0 >= height or box.x1 <= 0 or box.y1 <= 0:
        raise ValidationError(f"The box lies outside page {box.page}.")
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise ValidationError("The box is too small to hide anything; drag a larger one.")
    return engine.Box(page=box.page, x0=x0, y0=y0, x1=x1, y1=y1, reason=box.reason)


def _row(redaction: Redaction, box, actor, found_by: str) -> Box:
    """A Box row of `redaction` where `box` is (an engine.Box, or another redaction's row)."""
    return Box(
        redaction=redaction,
        page=box.page,
        x0=box.x0,
        y0=box.y0,
        x1=box.x1,
        y1=box.y1,
        reason=str(box.reason),
        found_by=found_by[:200],
        created_by=actor,
    )


def boxes_add(
    *,
    redaction: Redaction,
    boxes: Sequence[engine.Box],
    actor,
    found_by: str = "",
    request=None,
) -> list[Box]:
    """Add boxes to a draft. Each is checked against its page (and clipped to it); a box the
    redaction already has is not added twice. All are added, or none."""
    require_editor(actor, redaction.matter, request)
    with transaction.atomic():
        redaction = locked(redaction)
        check_editable(redaction)
        cleaned = [_clean_box(redaction, box) for box in boxes]
        have = {
            (b.page, round(b.x0, 1), round(b.y0, 1), round(b.x1, 1), round(b.y1, 1))
            for b in redaction.boxes.all()
        }
        rows = []
        for box in cleaned:
            key = (box.page, round(box.x0, 1), round(box.y0, 1), round(box.x1, 1), round(box.y1, 1))
            if key in have:
                continue
            have.add(key)
            rows.append(_row(redaction, box, actor, found_by))
        if len(have) > MAX_BOXES:
            raise ValidationError(
                f"A redaction can hold at most {MAX_BOXES:,} boxes; a document needing more is "
                "better withheld whole."
            )
        Box.objects.bulk_create(rows)
        _back_to_draft(redaction)
        if rows:
            audit_step(
                AuditAction.UPDATE,
                redaction,
                actor,
                request,
                {
                    "boxes_added": len(rows),
                    "pages": sorted({row.page for row in rows}),
                    "found_by": found_by,
                },
            )
    return rows


def box_remove(*, box: Box, actor, request=None) -> None:
    redaction = box.redaction
    require_editor(actor, redaction.matter, request)
    with transaction.atomic():
        redaction = locked(redaction)
        check_editable(redaction)
        Box.objects.filter(pk=box.pk, redaction=redaction).delete()
        _back_to_draft(redaction)
        audit_step(
            AuditAction.UPDATE,
            redaction,
            actor,
            request,
            {"box_removed": {"page": box.page, "reason": box.reason}},
        )


def _back_to_draft(redaction: Redaction) -> None:
    """A changed failed redaction is a draft again: its failure was about other boxes."""
    if redaction.status == Redaction.Status.FAILED:
        Redaction.objects.filter(pk=redaction.pk).update(status=Redaction.Status.DRAFT, error="")


def boxes_find(
    *,
    redaction: Redaction,
    actor,
    reason: str,
    terms: Sequence[str] = (),
    patterns: Sequence[str] = (),
    found_by: str,
    request=None,
) -> list[Box]:
    """Find every occurrence of the terms and patterns in the rendition's text and add a box
    over each (marked `found_by`). Returns the boxes added (none when nothing was found)."""
    require_editor(actor, redaction.matter, request)
    check_editable(redaction)
    file = redaction.file
    with storage.local_copy(file.rendition_key, redaction.source_sha256, ".pdf") as path:
        try:
            found = engine.find(path, terms=terms, patterns=patterns, reason=engine.Reason(reason))
        except engine.RedactionError as error:
            raise ValidationError(str(error)) from error
    if not found:
        return []
    return boxes_add(
        redaction=redaction, boxes=found, actor=actor, found_by=found_by, request=request
    )


# --- Review -------------------------------------------------------------------------------


def redaction_approve(*, redaction: Redaction, actor, request=None) -> Redaction:
    """Approve a proposed redaction: by a member with edit rights who did not propose it (the
    database holds the same rule). It replaces the file's earlier approved redaction."""
    require_editor(actor, redaction.matter, request)
    if redaction.proposed_by_id == actor.pk:
        # Refused before the transaction, so that the refusal's audit event is kept.
        _audit_refusal(actor, redaction.matter, request, reason="own proposal", obj=redaction)
        raise PermissionDenied(OWN_PROPOSAL)
    with transaction.atomic():
        redaction = locked(redaction)
        if redaction.status != Redaction.Status.PROPOSED:
            raise ValidationError(
                f"Only a redaction awaiting approval can be approved; this one is "
                f"{redaction.get_status_display().lower()}."
            )
        if redaction.stale:
            raise ValidationError(STALE)
        if redaction.proposed_by_id == actor.pk:
            raise PermissionDenied(OWN_PROPOSAL)
        earlier = list(
            Redaction.objects.select_for_update()
            .filter(file_id=redaction.file_id, status=Redaction.Status.APPROVED)
            .exclude(pk=redaction.pk)
        )
        Redaction.objects.filter(pk__in=[r.pk for r in earlier]).update(
            status=Redaction.Status.SUPERSEDED
        )
        redaction.status = Redaction.Status.APPROVED
        redaction.reviewed_by = actor
        redaction.reviewed_at = timezone.now()
        redaction.review_note = ""
        redaction.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit_step(
            AuditAction.UPDATE,
            redaction,
            actor,
            request,
            {
                "approved": True,
                "sha256": redaction.sha256,
                "superseded": [r.pk for r in earlier],
            },
        )
    return redaction


def redaction_return(*, redaction: Redaction, actor, note: str = "", request=None) -> Redaction:
    """Send a proposed redaction back to draft, with the reviewer's note.

    A rejection returns the redaction to draft rather than ending it: what a reviewer
    rejects is nearly always a box too many or too few, and the proposer then mends the
    same boxes (the note says which) instead of drawing them all again. The redacted file
    made for the proposal is dropped from the row (it no longer matches the boxes). A
    redaction nobody wants any more is discarded (redaction_discard). The proposer may
    withdraw their own proposal the same way, to change it, without a note."""
    require_editor(actor, redaction.matter, request)
    note = note.strip()
    with transaction.atomic():
        redaction = locked(redaction)
        if redaction.status != Redaction.Status.PROPOSED:
            raise ValidationError("Only a redaction awaiting approval can be returned to draft.")
        own = redaction.proposed_by_id == actor.pk
        if not own and not note:
            raise ValidationError("Say what should change: the note goes to the proposer.")
        Redaction.objects.filter(pk=redaction.pk).update(
            status=Redaction.Status.DRAFT,
            storage_key="",
            sha256="",
            size=None,
            page_count=None,
            applied_at=None,
            proposed_at=None,
            reviewed_by=None if own else actor,
            reviewed_at=None if own else timezone.now(),
            review_note=note[:5000],
        )
        audit_step(
            AuditAction.UPDATE,
            redaction,
            actor,
            request,
            {"returned": "withdrawn by the proposer" if own else "rejected", "note": note},
        )
        redaction.refresh_from_db()
    return redaction


def redaction_discard(*, redaction: Redaction, actor, request=None) -> Redaction:
    """Give up a redaction that is not approved (rejected: kept, with its boxes, for the
    record, but never applied or used)."""
    require_editor(actor, redaction.matter, request)
    with transaction.atomic():
        redaction = locked(redaction)
        if redaction.status not in (
            Redaction.Status.DRAFT,
            Redaction.Status.FAILED,
            Redaction.Status.PROPOSED,
        ):
            raise ValidationError(
                f"This redaction is {redaction.get_status_display().lower()} and cannot be "
                "discarded."
            )
        Redaction.objects.filter(pk=redaction.pk).update(status=Redaction.Status.REJECTED)
        audit_step(AuditAction.UPDATE, redaction, actor, request, {"discarded": True})
        redaction.refresh_from_db()
    return redaction


def redaction_open_verified(*, redaction: Redaction, request, download: bool = False):
    """The redacted file for the viewer or a download, after its hash is checked and the
    access audited. Raises storage.TamperedFile if the stored bytes changed."""
    storage.verify(redaction.storage_key, redaction.sha256)
    audit_step(
        AuditAction.DOWNLOAD if download else AuditAction.VIEW,
        redaction,
        request.user,
        request,
        {"redacted": True, "sha256": redaction.sha256},
    )
    return storage.default_storage.open(redaction.storage_key, "rb")
