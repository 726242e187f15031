"""Writes for production sets: choosing what goes in, and building and publishing the set.

The build runs in a Celery task (tasks.build_production) on the bundles queue and may run
twice: each run claims the production with a token of its own, writes the zip to a
temporary folder, stores it under a key of its own and only then publishes it by a
conditional UPDATE, as bundle versions are built (casemgr.bundles.services).

Numbers are taken in the database: the build locks the (matter, prefix) NumberRange row,
takes the next numbers for its pages and writes its documents' ranges in the same
transaction, so two builds at once queue on the lock and number one after the other; a
unique constraint on (matter, prefix, begin) backs that up. A build that fails after taking
its numbers keeps them, and building it again gives the same numbers.
"""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction, Clearance
from casemgr.core import jobs
from casemgr.disclosure import selectors as disclosure
from casemgr.disclosure.services import disclosure_record_produced
from casemgr.evidence import storage
from casemgr.evidence.models import Exhibit, ExhibitFile, ExhibitPage
from casemgr.evidence.renditions import page_texts
from casemgr.matters.models import Party
from casemgr.productions import assembly
from casemgr.productions.models import ChosenExhibit, NumberRange, ProducedDocument, Production
from casemgr.redaction.models import Redaction
from casemgr.redaction.selectors import approved

log = logging.getLogger(__name__)

STALLED_AFTER_SECONDS = 10 * 60
MAX_ATTEMPTS = 3
PROGRESS_EVERY_SECONDS = 0.5


# --- Choosing -----------------------------------------------------------------------------


def next_numbers(*, matter) -> dict[str, NumberRange]:
    """The prefixes already used in the matter, each with the number a production would
    start at."""
    return {row.prefix: row for row in NumberRange.objects.filter(matter=matter).order_by("prefix")}


def production_create(
    *, production: Production, exhibits: list[Exhibit], order: str, actor, request=None
) -> Production:
    """Save a production of `exhibits` (which `actor` can see: the caller checked) and queue
    its build. Exhibits that may not be produced are refused here, each with its reason."""
    with transaction.atomic():
        production.created_by = actor
        production.full_clean()
        if not exhibits:
            raise ValidationError("Tick the exhibits to produce.")
        refused = [
            f"{exhibit.reference}: {reason}"
            for exhibit in exhibits
            if (reason := Production.refusal(exhibit))
        ]
        if refused:
            raise ValidationError(["These exhibits cannot be produced:", *refused])
        if any(exhibit.matter_id != production.matter_id for exhibit in exhibits):
            raise ValidationError("The exhibits must belong to this matter.")
        used = NumberRange.objects.filter(
            matter=production.matter, prefix=production.prefix
        ).first()
        if used is not None and used.padding != production.padding:
            raise ValidationError(
                {
                    "padding": f"{production.prefix} numbers in this matter have {used.padding} "
                    "digits; a production numbering on must keep them."
                }
            )
        production.designation = max(exhibit.designation for exhibit in exhibits)
        production.save()
        ChosenExhibit.objects.bulk_create(
            ChosenExhibit(production=production, exhibit=exhibit, position=n)
            for n, exhibit in enumerate(_ordered(exhibits, order), 1)
        )
        _audit(
            AuditAction.CREATE,
            production,
            actor,
            request,
            {"prefix": production.prefix, "exhibits": [e.reference for e in exhibits]},
        )
        transaction.on_commit(lambda: _queue(production))
    return production


def _ordered(exhibits: list[Exhibit], order: str) -> list[Exhibit]:
    by_reference = sorted(exhibits, key=lambda e: (e.prefix, e.number))
    if order == Production.Order.DATE:
        # Undated documents last, in reference order.
        return sorted(by_reference, key=lambda e: (e.document_date is None, e.document_date or 0))
    return by_reference


def production_rebuild(*, production: Production, actor, request=None) -> None:
    """Build a failed production again (with the numbers it took, if it took any)."""
    with transaction.atomic():
        locked = Production.objects.select_for_update().get(pk=production.pk)
        stalled = not locked.finished and is_stalled(locked)
        if locked.status != Production.Status.FAILED and not stalled:
            raise ValidationError("Only a failed or stalled build can be built again.")
        Production.objects.filter(pk=locked.pk).update(
            status=Production.Status.QUEUED,
            error="",
            attempt="",
            attempts=0,
            heartbeat_at=timezone.now(),  # not stalled while it waits for a worker
        )
        _audit(AuditAction.UPDATE, production, actor, request, {"build": "queued again"})
        transaction.on_commit(lambda: _queue(production))


def _queue(production: Production) -> None:
    from casemgr.productions.tasks import build_production

    jobs.queue_or_fail(
        build_production,
        production.pk,
        fail=lambda reason: _fail(production, reason),
        what="The build",
        again="build again in a minute",
    )


def is_stalled(production: Production) -> bool:
    if production.finished:
        return False
    return jobs.stalled(
        production.heartbeat_at or production.created_at, after_seconds=STALLED_AFTER_SECONDS
    )


def production_open_verified(*, production: Production, request):
    """The published zip for download, after its hash is checked and the download audited.
    Raises storage.TamperedFile if the stored bytes changed."""
    storage.verify(production.storage_key, production.sha256)
    audit_record(
        action=AuditAction.DOWNLOAD,
        request=request,
        matter=production.matter,
        obj=production,
        detail={
            "range": f"{production.first_label}–{production.last_label}",
            "sha256": production.sha256,
        },
    )
    return storage.default_storage.open(production.storage_key, "rb")


# --- Building -----------------------------------------------------------------------------


class BuildRefused(Exception):
    """The production cannot be built as it stands, for a reason the page shows."""


class Superseded(Exception):
    """Another run of the task has taken this production over."""


@dataclass
class _Claim:
    production: Production
    token: str


@dataclass
class _Input:
    exhibit: Exhibit
    file: ExhibitFile
    several: bool  # one of several files of its exhibit
    redaction: Redaction | None = None
    path: Path | None = None
    pages: int = 0

    @property
    def name(self) -> str:
        return f"{self.exhibit.reference} ({self.file.original_name})"


def production_build(production_id: int) -> str:
    """Build one production, start to finish. Returns what happened, for the task's log."""
    claim = _claim(production_id)
    if claim is None:
        return "already finished"
    production = claim.production
    if production.attempts > MAX_ATTEMPTS:
        _fail(production, f"Gave up after {MAX_ATTEMPTS} attempts; the worker kept stopping.")
        return "failed"
    try:
        return _build(claim)
    except (BuildRefused, assembly.ProductionError) as refusal:
        _fail(production, str(refusal), token=claim.token)
        return "failed"
    except Superseded:
        return "superseded"
    except storage.TamperedFile as error:
        log.critical("Integrity check failed while producing %s: %s", production_id, error)
        audit_record(
            action=AuditAction.INTEGRITY_FAILED,
            matter=production.matter,
            obj=production,
            detail={"error": str(error)},
        )
        _fail(
            production,
            "A document failed its integrity check: its stored bytes no longer match their "
            "SHA-256. Nothing was published. Tell your administrator.",
            token=claim.token,
        )
        return "tampered"
    except SoftTimeLimitExceeded:
        _fail(production, "The build took longer than its time limit and was stopped.", claim.token)
        return "failed"
    except Exception:
        log.exception("Building production %s failed", production_id)
        _fail(production, "The build failed unexpectedly; building again may help.", claim.token)
        return "failed"


def _claim(production_id: int) -> _Claim | None:
    with transaction.atomic(durable=True):
        production = (
            Production.objects.select_for_update()
            .select_related("matter", "proceeding", "produced_to")
            .get(pk=production_id)
        )
        if production.finished:
            return None
        now = timezone.now()
        production.status = Production.Status.BUILDING
        production.attempt = uuid.uuid4().hex
        production.attempts += 1
        production.started_at = production.started_at or now
        production.heartbeat_at = now
        production.pages_done = 0
        production.save(
            update_fields=[
                "status",
                "attempt",
                "attempts",
                "started_at",
                "heartbeat_at",
                "pages_done",
            ]
        )
    return _Claim(production, production.attempt)


def _mine(claim: _Claim):
    return Production.objects.filter(
        pk=claim.production.pk, attempt=claim.token, status=Production.Status.BUILDING
    )


def _inputs(production: Production) -> tuple[list[_Input], list[dict], list[dict]]:
    """The files to produce, in order, with the approved redaction of each that has one;
    the exhibits left out, with why; and what the reader must be told about the rest."""
    chosen = (
        ChosenExhibit.objects.filter(production=production)
        .select_related("exhibit")
        .prefetch_related("exhibit__files")
        .order_by("position")
    )
    items: list[_Input] = []
    left_out = []
    withheld = disclosure.withheld_in_full(
        proceeding=production.proceeding, exhibit_ids=[row.exhibit_id for row in chosen]
    )
    for row in chosen:
        exhibit = row.exhibit
        # As the exhibit is now: it may have been marked privileged since it was chosen, or
        # put on the proceeding's list of documents withheld.
        reason = Production.refusal(exhibit) or (
            "withheld in full on this proceeding's disclosure list"
            if exhibit.pk in withheld
            else ""
        )
        if reason:
            left_out.append(
                {"exhibit": exhibit.pk, "reference": exhibit.reference, "reason": reason}
            )
            continue
        files = list(exhibit.files.all())
        if not files:
            left_out.append(
                {"exhibit": exhibit.pk, "reference": exhibit.reference, "reason": "it has no files"}
            )
            continue
        items += [_Input(exhibit, f, several=len(files) > 1) for f in files]
    redactions = approved(item.file.pk for item in items)
    for item in items:
        item.redaction = redactions.get(item.file.pk)
    return items, left_out, redaction_notes(items)


def redaction_notes(items) -> list[dict]:
    """Files produced without redaction although a redaction of them exists: one awaiting
    approval (never used before a second member approves it), or one approved for an
    earlier rendition of the file (its boxes may no longer cover what they were drawn on)."""
    unredacted = {item.file.pk: item for item in items if item.redaction is None}
    notes = []
    waiting = Redaction.objects.filter(
        file_id__in=list(unredacted),
        status__in=[Redaction.Status.PROPOSED, Redaction.Status.APPROVED],
    ).order_by("file_id", "pk")
    for redaction in waiting:
        item = unredacted[redaction.file_id]
        note = (
            "a redaction awaiting approval was not used: produced unredacted"
            if redaction.status == Redaction.Status.PROPOSED
            else "its approved redaction was drawn on an earlier rendition and was not used: "
            "produced unredacted"
        )
        notes.append(
            {"reference": item.exhibit.reference, "file": item.file.original_name, "note": note}
        )
    return notes


def _check_ready(item: _Input) -> None:
    if item.redaction is not None:
        return  # the redacted file is what goes out, made from a ready rendition
    if item.file.flags:
        raise BuildRefused(
            f"{item.name} contains active content ({', '.join(item.file.flags)}); add a "
            "flattened copy and produce that instead."
        )
    if item.file.rendition != ExhibitFile.Rendition.READY:
        state = (
            f"its PDF could not be made: {item.file.rendition_error}"
            if item.file.rendition == ExhibitFile.Rendition.FAILED
            else "its PDF is still being prepared; build again in a minute"
        )
        raise BuildRefused(f"{item.name}: {state}.")


def _take_numbers(claim: _Claim, items: list[_Input]) -> int:
    """Take (or take again, for a build run before) the numbers for `items`' pages and record
    each document's range; return the first number."""
    production = claim.production
    total = sum(item.pages for item in items)
    with transaction.atomic():
        NumberRange.objects.get_or_create(
            matter=production.matter,
            prefix=production.prefix,
            defaults={"padding": production.padding},
        )
        # Every build with this prefix waits here for the one before to commit its numbers.
        counter = NumberRange.objects.select_for_update().get(
            matter=production.matter, prefix=production.prefix
        )
        locked = _mine(claim).select_for_update().first()
        if locked is None:
            raise Superseded
        if locked.first_number is None:
            first = counter.last_number + 1
            counter.last_number += total
        else:
            first = locked.first_number
            if locked.last_number - first + 1 != total:
                if counter.last_number != locked.last_number:
                    raise BuildRefused(
                        f"The documents now have {total} pages, not the {locked.page_count} "
                        f"numbered {locked.first_label}–{locked.last_label} at the first build, "
                        "and later numbers have been given since. Start a new production."
                    )
                counter.last_number = first + total - 1
        counter.save(update_fields=["last_number"])
        ProducedDocument.objects.filter(production=production).delete()
        begin = first
        documents = []
        for position, item in enumerate(items, 1):
            documents.append(
                ProducedDocument(
                    production=production,
                    matter=production.matter,
                    prefix=production.prefix,
                    exhibit=item.exhibit,
                    file=item.file,
                    redaction=item.redaction,
                    position=position,
                    begin=begin,
                    end=begin + item.pages - 1,
                    page_count=item.pages,
                )
            )
            begin += item.pages
        ProducedDocument.objects.bulk_create(documents)
        _mine(claim).update(first_number=first, last_number=first + total - 1, pages_total=total)
    production.first_number, production.last_number = first, first + total - 1
    return first


def _texts(item: _Input) -> list[str]:
    """Each page's text as produced. For a redacted document, read from the redacted file,
    never from the pages of the rendition it hides text of."""
    if item.redaction is None:
        texts = list(
            ExhibitPage.objects.filter(file=item.file)
            .order_by("number")
            .values_list("text", flat=True)
        )
        if len(texts) == item.pages:
            return texts
    texts = page_texts(item.path)
    return texts if len(texts) == item.pages else [*texts, *[""] * item.pages][: item.pages]


def _fields(item: _Input, producing: str) -> dict[str, str]:
    exhibit = item.exhibit
    title = exhibit.title
    if item.several:
        title = f"{title} – {item.file.original_name}"
    return {
        "TITLE": title,
        "DOCDATE": _docdate(exhibit),
        "DOCTYPE": exhibit.get_document_type_display(),
        "AUTHOR": exhibit.author,
        "RECIPIENTS": exhibit.recipients,
        "CUSTODIAN": exhibit.custodian,
        "PRODPARTY": producing,
        "REDACTED": "Y" if item.redaction else "N",
    }


def _docdate(exhibit: Exhibit) -> str:
    """YYYYMMDD, with 00 for what is not known (a document dated only by month or year),
    as e-discovery protocols write partial dates."""
    when = exhibit.document_date
    if when is None:
        return ""
    if exhibit.date_precision == Exhibit.DatePrecision.YEAR:
        return f"{when.year:04d}0000"
    if exhibit.date_precision in (Exhibit.DatePrecision.MONTH, Exhibit.DatePrecision.APPROXIMATE):
        return f"{when.year:04d}{when.month:02d}00"
    return when.strftime("%Y%m%d")


def _producing_party(production: Production) -> str:
    ours = Party.objects.filter(matter=production.matter, role=production.proceeding.our_side)
    return "; ".join(party.name for party in ours.order_by("name"))


def _build(claim: _Claim) -> str:
    production = claim.production
    items, left_out, notes = _inputs(production)
    if not _mine(claim).update(left_out=left_out, notes=notes, heartbeat_at=timezone.now()):
        return "superseded"
    if not items:
        raise BuildRefused("None of the chosen exhibits can be produced (see those left out).")
    for item in items:
        _check_ready(item)
    last_progress = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last_progress[0] < PROGRESS_EVERY_SECONDS and done < total:
            return
        last_progress[0] = now
        if not _mine(claim).update(heartbeat_at=timezone.now(), pages_done=done):
            raise Superseded

    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="casemgr-production-") as work:
        for item in items:
            # Copied out of storage with the SHA-256 checked on the way.
            key, sha256 = (
                (item.redaction.storage_key, item.redaction.sha256)
                if item.redaction
                else (item.file.rendition_key, item.file.rendition_sha256)
            )
            item.path = stack.enter_context(storage.local_copy(key, sha256, ".pdf"))
            try:
                item.pages = assembly.page_count(item.path)
            except assembly.ProductionError as error:
                raise BuildRefused(f"{item.name}: {error}.") from None
            progress(0, 0)
        first = _take_numbers(claim, items)
        producing = _producing_party(production)
        documents = []
        begin = first
        for item in items:
            documents.append(
                assembly.Document(
                    path=item.path,
                    name=item.name,
                    begin=begin,
                    texts=_texts(item),
                    fields=_fields(item, producing),
                )
            )
            begin += item.pages
        spec = assembly.Spec(
            prefix=production.prefix, padding=production.padding, documents=documents
        )
        out = Path(work) / "production.zip"
        scratch = Path(work) / "pages"
        scratch.mkdir()
        result = assembly.build(spec, out, scratch, progress=progress)
        key = f"productions/{production.pk}/{result.volume}-{result.sha256[:16]}.zip"
        storage.store_file(out, key)
    with transaction.atomic():
        published = _mine(claim).update(
            status=Production.Status.READY,
            error="",
            storage_key=key,
            file_name=f"{result.volume}.zip",
            sha256=result.sha256,
            size=result.size,
            pages_done=result.page_count,
            pages_total=result.page_count,
            designation=max(
                (item.exhibit.designation for item in items), default=Clearance.STANDARD
            ),
            finished_at=timezone.now(),
        )
        if published:
            documents = list(
                ProducedDocument.objects.filter(production=production).order_by("position")
            )
            for document, produced in zip(documents, result.documents, strict=True):
                document.sha256 = produced.sha256
            ProducedDocument.objects.bulk_update(documents, ["sha256"])
            # In the same transaction: a set is ready exactly when its documents are on the
            # proceeding's list of documents disclosed, with the numbers they bear.
            _record_disclosed(production)
    if not published:
        if not Production.objects.filter(storage_key=key).exists():
            storage.default_storage.delete(key)
        return "superseded"
    audit_record(
        action=AuditAction.CREATE,
        matter=production.matter,
        obj=production,
        detail={
            "range": f"{production.first_label}–{production.last_label}",
            "pages": result.page_count,
            "sha256": result.sha256,
        },
    )
    return "ready"


def _record_disclosed(production: Production) -> None:
    """Put each produced exhibit on the proceeding's list of documents disclosed, with the
    production numbers its files bear (first to last) and the day it was produced."""
    ranges: dict[int, tuple[Exhibit, str, str]] = {}
    for document in (
        ProducedDocument.objects.filter(production=production)
        .select_related("exhibit")
        .order_by("position")
    ):
        first = ranges.get(document.exhibit_id, (None, document.begin_label, ""))[1]
        ranges[document.exhibit_id] = (document.exhibit, first, document.end_label)
    for exhibit, begin, end in ranges.values():
        disclosure_record_produced(
            proceeding=production.proceeding,
            exhibit=exhibit,
            begin=begin,
            end=end,
            produced_on=timezone.localdate(),
            by=production.created_by,
        )


def _fail(production: Production, reason: str, token: str | None = None) -> None:
    rows = Production.objects.filter(pk=production.pk).exclude(status=Production.Status.READY)
    if token is not None:
        rows = rows.filter(attempt=token)
    rows.update(status=Production.Status.FAILED, error=reason, finished_at=timezone.now())


def _audit(action, production: Production, actor, request, detail: dict) -> None:
    audit_record(
        action=action,
        request=request,
        actor=actor,
        matter=production.matter,
        obj=production,
        detail=detail,
    )
