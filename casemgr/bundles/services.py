"""Writes for bundles: defining them, and building and publishing their versions.

The build runs in a Celery task (tasks.build_bundle) and may run twice: after a worker dies,
the broker hands the task to another. Each run claims the version with a token of its own;
the output is written to a temporary file, checked, stored under a key of its own and only
then published by a conditional UPDATE, so nobody ever downloads half a bundle and the
second of two runs publishes nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import tempfile
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction, Clearance
from casemgr.bundles import builder, index, open_version, redactions
from casemgr.bundles.cover import cover_details
from casemgr.bundles.models import Bundle, Entry, Section, Version
from casemgr.core import jobs
from casemgr.evidence import storage
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.evidence.services import exhibit_file_renew_rendition, rendition_stale

log = logging.getLogger(__name__)

DEFAULT_SECTIONS = (
    ("A", "Statements of case"),
    ("B", "Orders and judgments"),
    ("C", "Witness statements and expert reports"),
    ("D", "Documents"),
)
# A run that has not reported progress for this long is taken to have died with its worker.
STALLED_AFTER_SECONDS = 10 * 60
# Runs of one version after which it is marked failed rather than tried again (a bundle
# that kills its worker every time must not loop).
MAX_ATTEMPTS = 3
PROGRESS_EVERY_SECONDS = 0.5


# --- Defining a bundle --------------------------------------------------------------------


@transaction.atomic
def bundle_create(*, bundle: Bundle, actor, request=None) -> Bundle:
    """Save a new bundle with the usual sections A–D, which can be renamed or removed."""
    bundle.created_by = actor
    bundle.full_clean()
    bundle.save()
    Section.objects.bulk_create(
        Section(bundle=bundle, letter=letter, title=title, position=n)
        for n, (letter, title) in enumerate(DEFAULT_SECTIONS)
    )
    _audit(AuditAction.CREATE, bundle, actor, request, {"title": bundle.title})
    return bundle


@transaction.atomic
def section_add(*, bundle: Bundle, letter: str, title: str, actor, request=None) -> Section:
    position = (bundle.sections.aggregate(p=Max("position"))["p"] or 0) + 1
    section = Section(bundle=bundle, letter=letter.upper(), title=title, position=position)
    section.full_clean()
    section.save()
    _audit(AuditAction.UPDATE, bundle, actor, request, {"section added": str(section)})
    return section


@transaction.atomic
def section_remove(*, section: Section, actor, request=None) -> None:
    if section.entries.exists():
        raise ValidationError(f"Section {section.letter} is not empty: move its documents first.")
    section.delete()
    _audit(AuditAction.UPDATE, section.bundle, actor, request, {"section removed": str(section)})


@transaction.atomic
def entry_add(
    *, bundle: Bundle, section: Section, exhibit: Exhibit, actor, file=None, request=None
) -> Entry:
    """Put an exhibit (or one of its files) at the end of a section. The caller has checked
    that `actor` can see the exhibit; here the bundle's audience decides."""
    if section.bundle_id != bundle.pk or exhibit.matter_id != bundle.matter_id:
        raise ValidationError("The section and the exhibit must belong to this bundle's matter.")
    if file is not None and file.exhibit_id != exhibit.pk:
        raise ValidationError("That file is not part of the exhibit.")
    if reason := bundle.refusal(exhibit):
        raise ValidationError(f"{exhibit.reference} cannot go into this bundle: {reason}.")
    present = Entry.objects.filter(bundle=bundle, exhibit=exhibit)
    if present.filter(file__isnull=True).exists() or (file is None and present.exists()):
        raise ValidationError(f"{exhibit.reference} is already in the bundle.")
    position = (section.entries.aggregate(p=Max("position"))["p"] or 0) + 1
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                bundle=bundle,
                section=section,
                exhibit=exhibit,
                file=file,
                position=position,
                added_by=actor,
            )
    except IntegrityError:  # added by somebody else a moment ago
        raise ValidationError(f"{exhibit.reference} is already in the bundle.") from None
    _audit(
        AuditAction.UPDATE,
        bundle,
        actor,
        request,
        {"added": exhibit.reference, "section": section.letter},
    )
    return entry


def entries_add(
    *, bundle: Bundle, section: Section, exhibits: list[Exhibit], actor, request=None
) -> list[Entry]:
    """Put several exhibits at the end of a section, in the order given: each as entry_add
    puts one, under the same rules (the bundle's audience, no exhibit twice), and all of
    them or none. The caller has checked that `actor` can see every one."""
    if not exhibits:
        raise ValidationError("Tick the exhibits to add.")
    try:
        with transaction.atomic():
            return [
                entry_add(
                    bundle=bundle, section=section, exhibit=exhibit, actor=actor, request=request
                )
                for exhibit in exhibits
            ]
    except ValidationError as error:
        raise ValidationError([*error.messages, "None of the ticked exhibits was added."]) from None


@transaction.atomic
def entry_remove(*, entry: Entry, actor, request=None) -> None:
    if entry.key in served_keys(entry.bundle):
        raise ValidationError(
            f"{entry.exhibit.reference} was in a version already served: pages cited from it "
            "must keep their numbers, so it stays in the bundle."
        )
    entry.delete()
    _audit(AuditAction.UPDATE, entry.bundle, actor, request, {"removed": entry.exhibit.reference})


@transaction.atomic
def bundle_arrange(
    *, bundle: Bundle, order: list[tuple[int, list[int]]], actor, request=None
) -> None:
    """Put the entries in the given order: [(section id, [entry ids in order]), ...].

    Every entry of the bundle must be named once. Once a version has been served, its
    documents keep their sections and their order; late documents go wherever they are put.
    """
    sections = {s.pk: s for s in bundle.sections.select_for_update()}
    entries = {e.pk: e for e in bundle.entries.all()}
    named = [pk for _, ids in order for pk in ids]
    if not {section_id for section_id, _ in order} <= set(sections):
        raise ValidationError("A section named in the new order is not in this bundle.")
    if sorted(named) != sorted(entries):
        raise ValidationError(
            "The bundle changed while you were arranging it; reload the page and try again."
        )
    served = served_order(bundle)
    if served:
        placed = [
            (f"entry:{pk}", sections[section_id].letter) for section_id, ids in order for pk in ids
        ]
        kept = [item for item in placed if item[0] in dict(served)]
        if kept != served:
            raise ValidationError(
                "Documents in a served version keep their sections and their order, so that "
                "pages already cited keep their numbers. Only late documents can be moved."
            )
    changed = []
    for section_id, ids in order:
        for position, pk in enumerate(ids, start=1):
            entry = entries[pk]
            if entry.section_id != section_id or entry.position != position:
                entry.section_id, entry.position = section_id, position
                changed.append(entry)
    Entry.objects.bulk_update(changed, ["section", "position"])
    if changed:
        _audit(AuditAction.UPDATE, bundle, actor, request, {"rearranged": len(changed)})


def served_version(bundle: Bundle) -> Version | None:
    return (
        bundle.versions.filter(status=Version.Status.READY, served_at__isnull=False)
        .order_by("-number")
        .first()
    )


def served_order(bundle: Bundle) -> list[tuple[str, str]]:
    """(entry key, section letter) of the entries whose place in the list fixes their pages
    in the served version, in order. Late documents added at the end are not among them:
    they sit after the last page whatever their place in the list."""
    version = served_version(bundle)
    if version is None:
        return []
    at_end = version.late_mode == Bundle.LateMode.END
    seen: dict[str, str] = {}
    for row in version.contents:
        if not (row["late"] and at_end):
            seen.setdefault(row["entry"], row["section"])
    return list(seen.items())


def served_keys(bundle: Bundle) -> set[str]:
    """Entry keys of every document in the served version: they can no longer be removed."""
    version = served_version(bundle)
    return {row["entry"] for row in version.contents} if version else set()


# --- Versions -----------------------------------------------------------------------------


def version_request(*, bundle: Bundle, actor, request=None) -> Version:
    """Queue a new version. The build runs on the `bundles` queue once this commits."""
    from casemgr.bundles.tasks import build_bundle

    with transaction.atomic():
        Bundle.objects.select_for_update().filter(pk=bundle.pk).first()
        busy = bundle.versions.filter(status__in=[Version.Status.QUEUED, Version.Status.BUILDING])
        for version in busy:
            if not is_stalled(version):
                raise ValidationError(
                    f"Version {version.number} is still being built; wait for it to finish."
                )
            _fail(version, "The build stopped (its worker was lost); a new version was asked.")
        if not bundle.entries.exists():
            raise ValidationError("Add at least one exhibit before building the bundle.")
        number = (bundle.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = Version.objects.create(
            bundle=bundle, number=number, requested_by=actor, late_mode=bundle.late_mode
        )
        _audit(AuditAction.CREATE, bundle, actor, request, {"version": number, "build": "queued"})
        transaction.on_commit(
            lambda: jobs.queue_or_fail(
                build_bundle,
                version.pk,
                fail=lambda reason: _fail(version, reason),
                what="The build",
                again="build again in a minute",
            )
        )
    return version


def is_stalled(version: Version) -> bool:
    if version.finished:
        return False
    return jobs.stalled(
        version.heartbeat_at or version.requested_at, after_seconds=STALLED_AFTER_SECONDS
    )


@transaction.atomic
def version_serve(*, version: Version, actor, request=None) -> None:
    """Record that this version went to the court and the parties: from now on its pages
    keep their numbers in every later version."""
    if version.status != Version.Status.READY:
        raise ValidationError("Only a ready version can be marked as served.")
    if version.served_at is None:
        Version.objects.filter(pk=version.pk).update(served_at=timezone.now(), served_by=actor)
        _audit(AuditAction.UPDATE, version.bundle, actor, request, {"served": version.number})


def version_open_verified(*, version: Version, request, open_version: bool = False):
    """The published file for download (or, with `open_version`, the open version of a ring
    bundle's), after its hash is checked and the download audited. Raises
    storage.TamperedFile if the stored bytes changed."""
    if open_version:
        key, sha256 = version.open_storage_key, version.open_sha256
    else:
        key, sha256 = version.storage_key, version.sha256
    storage.verify(key, sha256)
    detail = {"version": version.number, "sha256": sha256}
    if open_version:
        detail["open version"] = True
    audit_record(
        action=AuditAction.DOWNLOAD,
        request=request,
        matter=version.bundle.matter,
        obj=version.bundle,
        detail=detail,
    )
    return storage.default_storage.open(key, "rb")


# --- Building -----------------------------------------------------------------------------


@dataclass
class _Claim:
    version: Version
    token: str


def version_build(version_id: int) -> str:
    """Build one version, start to finish. Returns what happened, for the task's log."""
    claim = _claim(version_id)
    if claim is None:
        return "already finished"
    version = claim.version
    if version.attempts > MAX_ATTEMPTS:
        _fail(version, f"Gave up after {MAX_ATTEMPTS} attempts; the worker kept stopping.")
        return "failed"
    try:
        return _build(claim)
    except BuildRefused as refusal:
        _fail(version, str(refusal), token=claim.token)
        return "failed"
    except storage.TamperedFile as error:
        log.critical("Integrity check failed while bundling version %s: %s", version_id, error)
        audit_record(
            action=AuditAction.INTEGRITY_FAILED,
            matter=version.bundle.matter,
            obj=version.bundle,
            detail={"version": version.number, "error": str(error)},
        )
        _fail(
            version,
            "An exhibit failed its integrity check: its stored bytes no longer match their "
            "SHA-256. Nothing was published. Tell your administrator.",
            token=claim.token,
        )
        return "tampered"
    except builder.BundleError as error:
        _fail(version, str(error), token=claim.token)
        return "failed"
    except SoftTimeLimitExceeded:
        _fail(version, "The build took longer than its time limit and was stopped.", claim.token)
        return "failed"
    except Exception:
        # Logged with its traceback, and shown on the page; not raised again, so that a
        # build run in the web process (no Redis) shows the failure instead of an error page.
        log.exception("Building bundle version %s failed", version_id)
        _fail(version, "The build failed unexpectedly; building again may help.", claim.token)
        return "failed"


class BuildRefused(Exception):
    """The bundle cannot be built as it stands, for a reason the page shows."""


def _claim(version_id: int) -> _Claim | None:
    # Durable: the claim (its token, the attempt counted) must be committed before the build
    # starts, or a second worker could claim the same version and a crash lose the count.
    with transaction.atomic(durable=True):
        version = (
            Version.objects.select_for_update()
            # Not the hearing: a row locked FOR UPDATE cannot be outer-joined.
            .select_related("bundle__matter", "bundle__proceeding__court__jurisdiction")
            .get(pk=version_id)
        )
        if version.finished:
            return None
        token = uuid.uuid4().hex
        now = timezone.now()
        version.status = Version.Status.BUILDING
        version.attempt = token
        version.attempts += 1
        version.started_at = version.started_at or now
        version.heartbeat_at = now
        version.pages_done = 0
        version.save(
            update_fields=[
                "status",
                "attempt",
                "attempts",
                "started_at",
                "heartbeat_at",
                "pages_done",
            ]
        )
    return _Claim(version, token)


def _mine(claim: _Claim):
    return Version.objects.filter(
        pk=claim.version.pk, attempt=claim.token, status=Version.Status.BUILDING
    )


@dataclass(frozen=True)
class _Input:
    entry: Entry
    file: ExhibitFile


def _inputs(bundle: Bundle) -> tuple[list[tuple[Section, list[_Input]]], list[dict]]:
    """What goes in, section by section, and what the audience keeps out (with why). A
    document of the served version that may no longer go in stops the build: leaving it out
    would move every page after it."""
    served = served_keys(bundle)
    sections = list(bundle.sections.all())
    entries = (
        Entry.objects.filter(bundle=bundle)
        .select_related("exhibit", "file", "section")
        .prefetch_related("exhibit__files")
        .order_by("section__position", "position", "pk")
    )
    by_section: dict[int, list[_Input]] = {s.pk: [] for s in sections}
    left_out = []
    for entry in entries:
        exhibit = entry.exhibit
        if reason := bundle.refusal(exhibit):
            if entry.key in served:
                raise BuildRefused(
                    f"{exhibit.reference} is in the served version but is now {reason}. Pages "
                    "already cited must keep their numbers: restore it (or the bundle's "
                    "audience), or start a new bundle."
                )
            left_out.append(
                {"exhibit": exhibit.pk, "reference": exhibit.reference, "reason": reason}
            )
            continue
        files = [entry.file] if entry.file else list(exhibit.files.all())
        if not files:
            left_out.append(
                {"exhibit": exhibit.pk, "reference": exhibit.reference, "reason": "it has no files"}
            )
            continue
        for exhibit_file in files:
            by_section[entry.section_id].append(_Input(entry, exhibit_file))
    return [(s, by_section[s.pk]) for s in sections], left_out


def _check_ready(item: _Input) -> None:
    exhibit_file, reference = item.file, item.entry.exhibit.reference
    if exhibit_file.flags:
        raise BuildRefused(
            f"{reference} ({exhibit_file.original_name}) contains active content "
            f"({', '.join(exhibit_file.flags)}); add a flattened copy and bundle that instead."
        )
    if exhibit_file.rendition != ExhibitFile.Rendition.READY:
        state = (
            f"its PDF could not be made: {exhibit_file.rendition_error}"
            if exhibit_file.rendition == ExhibitFile.Rendition.FAILED
            else "its PDF is still being prepared; build again in a minute"
        )
        raise BuildRefused(f"{reference} ({exhibit_file.original_name}): {state}.")


def _document(item: _Input, path: Path, several: bool) -> builder.Document:
    exhibit = item.entry.exhibit
    title = exhibit.title
    if several:
        title = f"{title} – {item.file.original_name}"
    return builder.Document(
        key=f"{item.entry.key}/{item.file.pk}",
        path=path,
        title=title,
        reference=exhibit.reference,
        date=_display_date(exhibit),
    )


def short_case_name(title: str) -> str:
    """ "Northwind Intelligence, Inc. and another v Jadeport Commerce (UK) Ltd" gives
    "Northwind v Jadeport": the first word of each side, as bundles are usually named."""
    sides = [side.strip() for side in re.split(r"\s+v\.?\s+", title, maxsplit=1)]
    if len(sides) < 2 or not all(sides):
        return title[:60]
    return " v ".join(side.split()[0].rstrip(",") for side in sides[:2])


def _display_date(exhibit: Exhibit) -> str:
    if exhibit.document_date is None:
        return ""
    formats = {
        Exhibit.DatePrecision.DAY: "%-d %B %Y",
        Exhibit.DatePrecision.MONTH: "%B %Y",
        Exhibit.DatePrecision.YEAR: "%Y",
        Exhibit.DatePrecision.APPROXIMATE: "c. %B %Y",
    }
    return exhibit.document_date.strftime(formats.get(exhibit.date_precision, "%-d %B %Y"))


def _build(claim: _Claim) -> str:
    version = claim.version
    bundle = version.bundle
    sections, left_out = _inputs(bundle)
    items = [item for _, section_items in sections for item in section_items]
    # Until it is published, the version is as confidential as anything its failure could
    # name; once published, as its file, which holds only what went in.
    named = [item.entry.exhibit_id for item in items] + [row["exhibit"] for row in left_out]
    if not _mine(claim).update(designation=_version_designation(bundle, named)):
        return "superseded"
    for item in items:
        # A rendition laid out by an earlier casemgr may carry what has changed since (the
        # exhibit's reference of the day in its footer), and a page number that is not the
        # bundle's: it is laid out again before it goes in, whoever forgot to renew it.
        if rendition_stale(item.file):
            exhibit_file_renew_rendition(exhibit_file=item.file)
            if not _mine(claim).update(heartbeat_at=timezone.now()):
                return "superseded"
    for item in items:
        _check_ready(item)
    redacted = _redactions(bundle, items)
    served = served_version(bundle)
    files_per_entry = Counter(item.entry.pk for item in items)
    # A ring bundle with an open version is built twice, the open version second: progress
    # counts both builds' pages as one.
    passes = 2 if bundle.makes_open_version else 1
    last_progress = [0.0]

    def progress(done: int, total: int, *, before: int = 0) -> None:
        now = time.monotonic()
        if now - last_progress[0] < PROGRESS_EVERY_SECONDS and done < total:
            return
        last_progress[0] = now
        pages = {"pages_done": before + done, "pages_total": total * passes} if total else {}
        if not _mine(claim).update(heartbeat_at=timezone.now(), **pages):
            raise Superseded

    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="casemgr-bundle-") as work:
        opened = None
        try:
            spec_sections = []
            swaps: dict[str, open_version.Swap] = {}
            for section, section_items in sections:
                if not section_items:  # no divider, index heading or bookmark for nothing
                    continue
                documents = []
                for item in section_items:
                    # Copied out of storage with its SHA-256 checked on the way.
                    path = stack.enter_context(
                        storage.local_copy(
                            item.file.rendition_key, item.file.rendition_sha256, ".pdf"
                        )
                    )
                    progress(0, 0)  # copying a large bundle out of storage takes time too
                    document = _document(item, path, files_per_entry[item.entry.pk] > 1)
                    if swap := redacted.swap(item, path, stack):
                        if bundle.makes_open_version:
                            swaps[document.key] = swap
                        else:  # a bundle for all parties: its only version is redacted
                            document = dataclasses.replace(document, path=swap.path)
                    documents.append(document)
                spec_sections.append(
                    builder.Section(
                        letter=section.letter, title=section.title, documents=tuple(documents)
                    )
                )
            proceeding = bundle.proceeding
            spec = builder.Spec(
                title=bundle.title,
                **cover_details(bundle),
                prepared_on=timezone.localdate().strftime("%-d %B %Y"),
                version=version.number,
                sections=tuple(spec_sections),
                dividers=bundle.dividers,
                served=served.layout if served else None,
                late_mode=builder.LateMode(version.late_mode),
                edition=open_version.RING_EDITION if bundle.makes_open_version else "",
            )
            out = Path(work) / "bundle.pdf"
            result = builder.build(spec, out, progress=progress)
            if bundle.makes_open_version:
                open_out = Path(work) / "open.pdf"
                opened = open_version.build(
                    spec,
                    result,
                    swaps,
                    open_out,
                    Path(work),
                    progress=lambda done, total: progress(done, total, before=total),
                )
        except Superseded:
            return "superseded"
        builder.check(out, result)
        name = builder.file_name(
            proceeding.case_number, short_case_name(proceeding.title), bundle.letter, version.number
        )
        key = f"bundles/{bundle.pk}/v{version.number}-{result.sha256[:16]}.pdf"
        storage.store_file(out, key)
        published_open = {}
        if opened is not None:
            builder.check(open_out, opened)
            open_key = f"bundles/{bundle.pk}/v{version.number}-open-{opened.sha256[:16]}.pdf"
            storage.store_file(open_out, open_key)
            published_open = {
                "open_storage_key": open_key,
                "open_file_name": name.removesuffix(".pdf") + " - open version.pdf",
                "open_sha256": opened.sha256,
                "open_size": opened.size,
                "open_page_count": opened.page_count,
                "open_designation": exhibits_designation(
                    item.entry.exhibit_id for item in items if not redacted.withheld(item)
                ),
            }
    # The ring file and the open one are published together, by one UPDATE, or not at all.
    published = _mine(claim).update(
        status=Version.Status.READY,
        error="",
        storage_key=key,
        file_name=name,
        sha256=result.sha256,
        size=result.size,
        page_count=result.page_count,
        designation=_version_designation(bundle, (item.entry.exhibit_id for item in items)),
        pages_done=result.page_count * passes,
        pages_total=result.page_count * passes,
        layout=result.layout,
        contents=_contents(result, items, redacted),
        scanned=_scanned(result, items),
        resampled=result.resampled,
        left_out=left_out,
        finished_at=timezone.now(),
        **published_open,
    )
    if not published:
        # Another run took the version over; its file, not ours, is the one published.
        for field, stored in (
            ("storage_key", key),
            ("open_storage_key", published_open.get("open_storage_key")),
        ):
            if stored and not Version.objects.filter(**{field: stored}).exists():
                storage.default_storage.delete(stored)
        return "superseded"
    detail = {"version": version.number, "pages": result.page_count, "sha256": result.sha256}
    if opened is not None:
        detail["open sha256"] = opened.sha256
    if redacted.used:
        detail["redactions"] = sorted(used.redaction.pk for used in redacted.used.values())
    audit_record(action=AuditAction.CREATE, matter=bundle.matter, obj=bundle, detail=detail)
    return "ready"


def _version_designation(bundle: Bundle, exhibit_ids) -> int:
    """Who may download a version's file: the highest designation inside; a ring bundle's
    (the ring's own file) is attorneys' eyes only whatever is in it, so that an open version
    beside it never lets readers outside the ring reach it."""
    found = exhibits_designation(exhibit_ids)
    return max(found, Clearance.AEO) if bundle.audience == Bundle.Audience.RING else found


@dataclass
class _Redacted:
    """Which documents of a build are swapped, and for what: the approved redaction of a
    file (`used`, by file id) in a bundle for all parties or a ring bundle's open version,
    placeholders for attorneys'-eyes-only documents in the open version; and the files whose
    redaction awaits approval (`awaiting`), used unredacted."""

    open: bool
    used: dict[int, redactions.Used]
    awaiting: set[int]

    def withheld(self, item: _Input) -> bool:
        return self.open and item.entry.exhibit.designation >= Clearance.AEO

    def swap(self, item: _Input, rendition: Path, stack: ExitStack) -> open_version.Swap | None:
        """What goes in place of `item`'s file (whose rendition is at `rendition`), if
        anything: its redacted copy, checked out of storage, or placeholders."""
        if self.withheld(item):
            return open_version.Swap()
        used = self.used.get(item.file.pk)
        if used is None:
            return None
        redaction = used.redaction
        path = stack.enter_context(
            storage.local_copy(redaction.storage_key, redaction.sha256, ".pdf")
        )
        reference = f"{item.entry.exhibit.reference} ({item.file.original_name})"
        pages = builder.count_pages(path, title=f"The approved redaction of {reference}")
        expected = builder.count_pages(rendition, title=reference)
        if pages != expected:
            # The engine keeps every page; a redaction that does not would move every later
            # page number, and the page cited in court would not be the page read.
            raise BuildRefused(
                f"The approved redaction of {reference} has {pages} pages where the file has "
                f"{expected}. Redact it again."
            )
        return open_version.Swap(path=path)

    def row(self, item: _Input) -> dict:
        """What a contents row records of this document's redaction."""
        if not (self.open or self.used or self.awaiting):
            return {}
        used = self.used.get(item.file.pk)
        row: dict = {}
        if self.withheld(item):
            row["open"] = "withheld"
        elif used is not None:
            row["redaction"] = used.row()
            if self.open:
                row["open"] = "redacted"
        elif item.file.pk in self.awaiting:
            row["awaiting_redaction"] = True
        return row


def _redactions(bundle: Bundle, items: list[_Input]) -> _Redacted:
    """The redactions a build of `bundle` uses: approved ones, for a bundle that leaves our
    side (all parties, or a ring bundle's open version); none for our side's or the ring's."""
    if not (bundle.uses_redactions or bundle.makes_open_version):
        return _Redacted(open=False, used={}, awaiting=set())
    file_ids = [item.file.pk for item in items]
    used = redactions.approved(file_ids)
    return _Redacted(
        open=bundle.makes_open_version,
        used=used,
        awaiting=redactions.awaiting(set(file_ids) - set(used)),
    )


def exhibits_designation(exhibit_ids) -> int:
    """The highest designation among these exhibits, as they are designated now."""
    found = Exhibit.objects.filter(pk__in=set(exhibit_ids)).aggregate(d=Max("designation"))["d"]
    return found or Clearance.STANDARD


class Superseded(Exception):
    """Another run of the task has taken this version over."""


def _scanned(result: builder.Result, items: list[_Input]) -> list[dict]:
    """The pages without text, in bundle order, each with what OCR made of it. A page OCR
    read and found no text on (a photograph, an unreadable scan) carries an empty text
    layer, so the stamping does not see it as scanned: the file's record names it, and it
    is not one that still needs OCR. A page of a file OCR was still reading is "pending"."""
    files = {f"{item.entry.key}/{item.file.pk}": item.file for item in items}
    runs = [run for run in result.runs if run.kind == "document"]
    flagged = set(result.scanned)
    pages = []
    for run in runs:
        exhibit_file = files[run.key]
        unread = set(exhibit_file.ocr_unread)
        for number, label in enumerate(run.labels, 1):
            page = {"document": run.key, "page": label}
            if number in unread:
                pages.append({**page, "ocr": "unread"})
            elif (run.key, label) in flagged:
                pending = exhibit_file.ocr_in_progress
                pages.append({**page, "ocr": "pending"} if pending else page)
    return pages


def _contents(result: builder.Result, items: list[_Input], redacted: _Redacted) -> list[dict]:
    """The index as the page shows it: one row per document, with its pages, and the
    redaction it used (or that it was withheld from the open version)."""
    by_key = {f"{item.entry.key}/{item.file.pk}": item for item in items}
    rows = []
    for run in result.runs:
        if run.kind != "document":
            continue
        item = by_key[run.key]
        rows.append(
            {
                "key": run.key,
                "entry": item.entry.key,
                "exhibit": item.entry.exhibit_id,
                "tab": run.tab,
                "section": item.entry.section.letter,
                "reference": item.entry.exhibit.reference,
                "title": run.title,
                "first": run.labels[0] if run.labels else "",
                "last": run.labels[-1] if run.labels else "",
                "pages": len(run.labels),
                "late": run.late,
                **redacted.row(item),
            }
        )
    return rows


def version_changes(version: Version, previous: Version | None) -> dict[str, list[dict]]:
    """What changed since the previous ready version: documents added, removed, moved."""
    if previous is None:
        return {"added": [], "removed": [], "moved": []}
    before = {row["key"]: row for row in previous.contents}
    after = {row["key"]: row for row in version.contents}
    moved = [
        {**row, "was": f"{before[key]['first']}–{before[key]['last']}"}
        for key, row in after.items()
        if key in before
        and (row["first"], row["last"]) != (before[key]["first"], before[key]["last"])
    ]
    return {
        "added": [row for key, row in after.items() if key not in before],
        "removed": [row for key, row in before.items() if key not in after],
        "moved": moved,
    }


def _fail(version: Version, reason: str, token: str | None = None) -> None:
    rows = Version.objects.filter(pk=version.pk).exclude(status=Version.Status.READY)
    if token is not None:
        rows = rows.filter(attempt=token)
    rows.update(status=Version.Status.FAILED, error=reason, finished_at=timezone.now())


def _audit(action, bundle: Bundle, actor, request, detail: dict) -> None:
    audit_record(
        action=action, request=request, actor=actor, matter=bundle.matter, obj=bundle, detail=detail
    )


def projected(bundle: Bundle, entries: list[Entry]) -> dict:
    """Pages and bytes the next build is expected to have, and whether it passes the size
    at which courts' upload systems and e-mail start refusing files."""
    pages = 0
    size = 0
    unknown = 0
    for entry in entries:
        files = [entry.file] if entry.file else list(entry.exhibit.files.all())
        for exhibit_file in files:
            if exhibit_file.page_count is None:
                unknown += 1
            pages += exhibit_file.page_count or 0
            size += exhibit_file.size
    documents = len(entries)
    sections = len({entry.section_id for entry in entries}) if bundle.dividers else 0
    # The cover, and the index at the rows a page of it holds (bundles.index; a little less
    # on pages with headings).
    rows_a_page = int((index.PAGE - index.HEAD) // index.ROW)
    pages += 1 + max(1, -(-documents // rows_a_page)) + sections
    limit = settings.BUNDLE_SIZE_WARNING_MB * 1024 * 1024
    return {
        "pages": pages,
        "size": size,
        "unknown": unknown,
        "too_large": size > limit,
        "limit_mb": settings.BUNDLE_SIZE_WARNING_MB,
    }


def bundle_split(*, bundle: Bundle, sections: list[Section], actor, request=None) -> Bundle:
    """Move whole sections into a new bundle with the next letter, for a bundle too large
    to file as one. Served documents stay where they are."""
    with transaction.atomic():
        if not sections:
            raise ValidationError("Choose the sections to move into the new bundle.")
        keys = served_keys(bundle)
        for section in sections:
            if section.bundle_id != bundle.pk:
                raise ValidationError("A chosen section is not in this bundle.")
            if any(entry.key in keys for entry in section.entries.all()):
                raise ValidationError(
                    f"Section {section.letter} holds documents of a served version; it stays."
                )
        letters = set(
            Bundle.objects.filter(proceeding=bundle.proceeding).values_list("letter", flat=True)
        )
        letter = next(_letters_after(bundle.letter, letters))
        new = Bundle(
            matter=bundle.matter,
            proceeding=bundle.proceeding,
            hearing=bundle.hearing,
            title=f"{bundle.title} (bundle {letter})",
            letter=letter,
            audience=bundle.audience,
            dividers=bundle.dividers,
            late_mode=bundle.late_mode,
            created_by=actor,
        )
        new.full_clean()
        new.save()
        for section in sections:
            Section.objects.filter(pk=section.pk).update(bundle=new)
            Entry.objects.filter(section=section).update(bundle=new)
        _audit(AuditAction.CREATE, new, actor, request, {"split from": bundle.title})
        _audit(
            AuditAction.UPDATE,
            bundle,
            actor,
            request,
            {"split": [s.letter for s in sections], "into": new.title},
        )
    return new


def _letters_after(letter: str, taken: set[str]):
    candidates = builder.LETTERS
    start = candidates.index(letter) + 1 if letter in candidates else 0
    for candidate in candidates[start:]:
        if candidate not in taken:
            yield candidate
