"""Reads for bundles, with the prefetching that keeps the pages' query counts flat."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet

from casemgr.access import policy
from casemgr.access.models import Clearance
from casemgr.bundles import redactions, services
from casemgr.bundles.models import Bundle, Entry, Section, Version
from casemgr.evidence.models import Exhibit, ExhibitFile

FILE_FIELDS = ("pk", "exhibit_id", "original_name", "page_count", "size", "rendition", "flags")


def bundles_for(*, matter, user) -> QuerySet[Bundle]:
    return (
        Bundle.objects.visible_to(user)
        .filter(matter=matter)
        .select_related("proceeding", "hearing")
        .annotate(entry_count=Count("entries", distinct=True))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=Version.objects.order_by("-number").only(
                    "bundle_id", "number", "status", "page_count", "served_at"
                ),
                to_attr="history",
            )
        )
    )


@dataclass
class SectionView:
    section: Section
    entries: list[Entry] = field(default_factory=list)


@dataclass
class BundleView:
    bundle: Bundle
    sections: list[SectionView]
    hidden: int  # entries above the reader's clearance: counted, never named
    left_out: list[Entry]  # entries the audience now keeps out
    versions: list[Version]
    served_keys: set[str]
    projected: dict
    # Visible entries with a file whose redaction awaits approval (used unredacted till then).
    awaiting_redaction: list[Entry] = field(default_factory=list)


def bundle_view(*, bundle: Bundle, user) -> BundleView:
    sections = list(bundle.sections.all())
    entries = list(
        Entry.objects.filter(bundle=bundle)
        .select_related("exhibit", "file")
        .prefetch_related(
            Prefetch("exhibit__files", queryset=ExhibitFile.objects.only(*FILE_FIELDS))
        )
        .order_by("section__position", "position", "pk")
    )
    visible = set(
        Exhibit.objects.visible_to(user)
        .filter(pk__in={entry.exhibit_id for entry in entries})
        .values_list("pk", flat=True)
    )
    by_section = {section.pk: SectionView(section) for section in sections}
    left_out, hidden = [], 0
    shown = [entry for entry in entries if entry.exhibit_id in visible]
    awaiting = redactions.awaiting(
        f.pk for entry in shown for f in ([entry.file] if entry.file else entry.exhibit.files.all())
    )
    for entry in entries:
        if entry.exhibit_id not in visible:
            hidden += 1
            continue
        files = [entry.file] if entry.file else list(entry.exhibit.files.all())
        entry.pages = sum(f.page_count or 0 for f in files)
        entry.not_ready = [f for f in files if f.rendition != ExhibitFile.Rendition.READY]
        entry.refused = bundle.refusal(entry.exhibit)
        entry.awaiting_redaction = [f for f in files if f.pk in awaiting]
        if entry.refused:
            left_out.append(entry)
        by_section[entry.section_id].entries.append(entry)
    clearance = policy.clearance(user, bundle.matter) or 0
    versions = list(bundle.versions.select_related("requested_by", "served_by").defer("layout"))
    _flag_oversized(versions)
    of_file = current_designations(versions)
    of_notes = current_designations(versions, notes=True)
    of_open = open_designations(versions)
    for n, version in enumerate(versions):
        # What a version says (its contents, what was left out, why it failed) names its
        # documents: only for readers cleared for the most confidential of them.
        version.visible = of_notes[version.pk] <= clearance
        version.downloadable = (
            version.status == Version.Status.READY and of_file[version.pk] <= clearance
        )
        # The open version of a ring bundle: for readers outside the ring too.
        version.open_downloadable = (
            version.status == Version.Status.READY
            and version.has_open_version
            and of_open[version.pk] <= clearance
        )
        version.redactions = [row for row in version.contents if row.get("redaction")]
        version.withheld = [row for row in version.contents if row.get("open") == "withheld"]
        version.unredacted = [row for row in version.contents if row.get("awaiting_redaction")]
        version.stalled = services.is_stalled(version)
        earlier = next((v for v in versions[n + 1 :] if v.status == Version.Status.READY), None)
        version.changes = (
            services.version_changes(version, earlier)
            if version.status == Version.Status.READY
            else None
        )
    return BundleView(
        bundle=bundle,
        sections=list(by_section.values()),
        hidden=hidden,
        left_out=left_out,
        versions=versions,
        served_keys=services.served_keys(bundle),
        projected=services.projected(bundle, [e for e in entries if not bundle.refusal(e.exhibit)]),
        awaiting_redaction=[e for e in shown if e.awaiting_redaction and not e.refused],
    )


def _flag_oversized(versions: list[Version]) -> None:
    """Mark each ready version whose file is past BUNDLE_SIZE_WARNING_MB (`oversized`), and
    the newest of them (`offer_split`), beside which the page offers the split: what was
    projected before the build is only the documents' sizes, and the file is what a court's
    filing system takes or refuses."""
    limit = settings.BUNDLE_SIZE_WARNING_MB * 1024 * 1024
    offered = False
    for version in versions:  # newest first
        version.oversized = version.status == Version.Status.READY and (version.size or 0) > limit
        version.offer_split = version.oversized and not offered
        offered = offered or version.oversized


def current_designations(versions: list[Version], *, notes: bool = False) -> dict[int, int]:
    """Each version's designation as its documents are designated now (an exhibit made
    attorneys' eyes only after the build takes its versions with it): of its file, or with
    `notes`, of what the page says about it, which also names the documents left out."""
    named = {
        version.pk: {
            row["exhibit"] for row in [*version.contents, *(version.left_out if notes else [])]
        }
        for version in versions
    }
    now = dict(
        Exhibit.objects.filter(pk__in=set().union(*named.values())).values_list("pk", "designation")
    )
    return {
        version.pk: max([version.designation, *(now.get(pk, 0) for pk in named[version.pk])])
        for version in versions
    }


def open_designations(versions: list[Version]) -> dict[int, int]:
    """The designation of each version's open file as its documents are designated now:
    the highest among those shown in it (withheld ones are placeholders). An exhibit made
    attorneys' eyes only after the build takes the open file with it, since it is in there
    unredacted. A version without an open file counts as AEO: there is nothing to open."""
    shown = {
        version.pk: {row["exhibit"] for row in version.contents if row.get("open") != "withheld"}
        for version in versions
    }
    now = dict(
        Exhibit.objects.filter(pk__in=set().union(*shown.values())).values_list("pk", "designation")
    )
    return {
        version.pk: max([version.open_designation, *(now.get(pk, 0) for pk in shown[version.pk])])
        if version.has_open_version
        else Clearance.AEO
        for version in versions
    }


def exhibit_choices(*, bundle: Bundle, exhibits: list[Exhibit]) -> list[Exhibit]:
    """The picker's exhibits, each marked with why it cannot go in, or that it is in."""
    present = set(Entry.objects.filter(bundle=bundle).values_list("exhibit_id", flat=True))
    for exhibit in exhibits:
        exhibit.refused = bundle.refusal(exhibit)
        exhibit.in_bundle = exhibit.pk in present
        exhibit.pages = sum(f.page_count or 0 for f in exhibit.files.all())
    return exhibits
