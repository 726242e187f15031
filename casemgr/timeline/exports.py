"""Exports for the court and counsel: the chronology (PDF and CSV), the dramatis personae and
the list of issues (PDFs). Each export is `(filename, content type, bytes)`, as a reader of
the matter may have it.

Clearance: everything is read through the selectors with the requesting user, so an event
above their clearance is not in their chronology and an exhibit above it is never named; an
export holds exactly what that user's timeline shows with the same filters.

Safety, as for evidence renditions: the HTML is a Django template with autoescaping, so every
string from users is escaped (no `|safe` anywhere in templates/timeline/exports), and
WeasyPrint's URL fetcher refuses every URL, so an export cannot make the server fetch
anything. The CSV is for Excel: UTF-8 with a byte-order mark, and a cell that Excel would
read as a formula is prefixed with a quote (OWASP's advice on CSV injection).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from casemgr.core import layout
from casemgr.core.zones import wall_time
from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Matter, Party, PartyRole, Person, Proceeding
from casemgr.pleadings.models import Allegation, Claim
from casemgr.timeline import dates, selectors
from casemgr.timeline.models import Event, EvidenceLink

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    content: bytes


# --- What heads every document ---------------------------------------------------------------


@dataclass(frozen=True)
class CourtNumber:
    """One proceeding as its court knows it."""

    court: str
    label: str  # "Claim No." or "Case No." (Proceeding.number_label)
    number: str


@dataclass(frozen=True)
class Heading:
    """The matter as the courts know it: the main proceeding's court and number, the parallel
    proceedings each under its own court, the title, and the day prepared."""

    matter: Matter
    document: str  # "Chronology"
    main: CourtNumber | None
    parallel: list[CourtNumber]  # the other proceedings with a number, each with its court
    title: str
    prepared_on: date

    @property
    def number(self) -> str:
        """The claim number the file is named after, or the firm's matter number."""
        return self.main.number if self.main and self.main.number else self.matter.reference

    def filename(self, extension: str, *, note: str = "") -> str:
        note = f" ({note})" if note else ""
        return _safe_filename(
            f"{self.number} {short_case_name(self.title)} - {self.document}{note}.{extension}"
        )


def _heading(matter: Matter, user, document: str, prepared_on: date | None) -> Heading:
    proceedings = list(
        Proceeding.objects.visible_to(user)
        .filter(matter=matter)
        .select_related("court__jurisdiction")
    )
    numbered = [p for p in proceedings if p.case_number]
    main = numbered[0] if numbered else (proceedings[0] if proceedings else None)

    def as_numbered(proceeding: Proceeding) -> CourtNumber:
        return CourtNumber(str(proceeding.court), proceeding.number_label, proceeding.case_number)

    return Heading(
        matter=matter,
        document=document,
        main=as_numbered(main) if main else None,
        parallel=[as_numbered(p) for p in numbered if p != main],
        title=main.title if main else matter.title,
        prepared_on=prepared_on or timezone.localdate(),
    )


def short_case_name(title: str) -> str:
    """ "Northwind Intelligence, Inc. and another v Jadeport Commerce (UK) Ltd" gives
    "Northwind v Jadeport": the first word of each side, as court documents are filed."""
    sides = [side.strip() for side in re.split(r"\s+v\.?\s+", title, maxsplit=1)]
    if len(sides) < 2 or not all(sides):
        return title[:60].strip()
    return " v ".join(side.split()[0].rstrip(",") for side in sides)


# Characters no file system takes in a name, and control characters.
_UNSAFE_IN_FILENAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _safe_filename(name: str) -> str:
    return re.sub(r"\s+", " ", _UNSAFE_IN_FILENAMES.sub(" ", name)).strip()[:180]


# --- The chronology --------------------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """An exhibit behind an event, as the chronology cites it."""

    reference: str
    title: str
    pinpoint: str
    stance: str  # EvidenceLink.Stance

    @property
    def cited(self) -> str:
        """ "MA-2, pp. 12–14", with the stance where the exhibit does not support the event:
        "MA-1 (context)"."""
        text = f"{self.reference}, {self.pinpoint}" if self.pinpoint else self.reference
        if self.stance != EvidenceLink.Stance.SUPPORTS:
            text += f" ({EvidenceLink.Stance(self.stance).label.lower()})"
        return text


@dataclass(frozen=True)
class ChronologyRow:
    number: int
    date: str  # as the chronology prints it, its precision in the words: "about 3 March 2026"
    precision: str  # "Exact day", "Month"...
    start: date
    last: date
    time: str  # "09:00 London (UTC+0)", as the app shows it, or ""
    event: str
    kind: str  # "Fact", "Procedural step"
    status: str  # "Agreed", "Disputed", "Not yet known"; "" for hearings and deadlines
    exhibits: list[Citation]
    description: str
    parties: list[str]
    people: list[str]
    allegations: list[str]


def chronology_rows(
    *, matter: Matter, user, filters: selectors.TimelineFilters | None = None
) -> list[ChronologyRow]:
    """The chronology as `user` sees it with `filters`, one row per entry, in date order."""
    rows = []
    for number, item in enumerate(
        selectors.timeline_for(matter=matter, user=user, filters=filters), 1
    ):
        local = item.local_time
        rows.append(
            ChronologyRow(
                number=number,
                date=item.date_display,
                precision=Event.Precision(item.precision).label,
                start=item.date,
                last=dates.period_last(item.date, item.precision, item.date_end),
                time=wall_time(local) if local else "",
                event=item.title,
                kind=Event.Kind(item.kind).label,
                status=Event.Status(item.status).label if item.status else "",
                exhibits=[
                    Citation(
                        reference=link.exhibit.reference,
                        title=link.exhibit.title,
                        pinpoint=link.pinpoint,
                        stance=link.stance,
                    )
                    for link in item.evidence
                ],
                description=item.description,
                parties=[party.name for party in item.parties],
                people=[person.name for person in item.people],
                allegations=[str(allegation) for allegation in item.allegations],
            )
        )
    return rows


def describe_filters(
    *, matter: Matter, user, filters: selectors.TimelineFilters | None
) -> list[str]:
    """The filters in words, for the note that says the chronology is not the whole story.
    Names are looked up as the user may see them; an id from elsewhere reads as "unknown"."""
    if filters is None:
        return []
    said = []

    def named(queryset, pk, label, describe=str) -> None:
        if pk:
            found = queryset.visible_to(user).in_matter(matter).filter(pk=pk).first()
            said.append(f"{label}: {describe(found) if found else 'unknown'}")

    named(
        Allegation.objects.all(),
        filters.allegation,
        "Allegation",
        lambda a: f"paragraph {a.paragraph}",
    )
    named(Claim.objects.all(), filters.claim, "Claim")
    named(Party.objects.all(), filters.party, "Party")
    named(Person.objects.all(), filters.person, "Person")
    if filters.status:
        said.append(f"Status: {Event.Status(filters.status).label}")
    if filters.document_type:
        said.append(f"Exhibit type: {Exhibit.DocumentType(filters.document_type).label}")
    if filters.kind:
        said.append(f"Entries: {Event.Kind(filters.kind).label.lower()}s only")
    if filters.date_from:
        said.append(f"From: {filters.date_from:%-d %B %Y}")
    if filters.date_to:
        said.append(f"To: {filters.date_to:%-d %B %Y}")
    return said


def chronology_pdf(
    *,
    matter: Matter,
    user,
    filters: selectors.TimelineFilters | None = None,
    prepared_on: date | None = None,
) -> Export:
    heading = _heading(matter, user, "Chronology", prepared_on)
    filtered = describe_filters(matter=matter, user=user, filters=filters)
    content = _pdf(
        "timeline/exports/chronology.html",
        {
            "heading": heading,
            "rows": chronology_rows(matter=matter, user=user, filters=filters),
            "filters": filtered,
        },
    )
    return Export(heading.filename("pdf", note="filtered" if filtered else ""), PDF, content)


CSV_COLUMNS = (
    "No.",
    "Date",
    "Precision",
    "First day",
    "Last day",
    "Time",
    "Event",
    "Agreed/disputed",
    "Exhibits",
    "Description",
    "Kind",
    "Parties",
    "People",
    "Allegations",
)

# A cell Excel or LibreOffice would take for a formula (or, after a tab or a carriage
# return, for the start of one).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def chronology_csv(
    *, matter: Matter, user, filters: selectors.TimelineFilters | None = None
) -> Export:
    heading = _heading(matter, user, "Chronology", None)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in chronology_rows(matter=matter, user=user, filters=filters):
        cells = [
            row.number,
            row.date,
            row.precision,
            row.start.isoformat(),
            row.last.isoformat(),
            row.time,
            row.event,
            row.status,
            "; ".join(f"{citation.cited} {citation.title}" for citation in row.exhibits),
            row.description,
            row.kind,
            "; ".join(row.parties),
            "; ".join(row.people),
            "; ".join(row.allegations),
        ]
        writer.writerow([csv_cell(cell) for cell in cells])
    filtered = describe_filters(matter=matter, user=user, filters=filters)
    return Export(
        heading.filename("csv", note="filtered" if filtered else ""),
        CSV,
        buffer.getvalue().encode("utf-8-sig"),  # the BOM tells Excel it is UTF-8
    )


# --- The dramatis personae -------------------------------------------------------------------


@dataclass(frozen=True)
class PartyGroup:
    party: Party | None  # None: people not connected with a party
    people: list[Person]


# The parties in the order a court expects them.
_ROLE_ORDER = {
    role: rank
    for rank, role in enumerate(
        [
            PartyRole.CLAIMANT,
            PartyRole.DEFENDANT,
            PartyRole.THIRD_PARTY,
            PartyRole.INTERVENER,
            PartyRole.NON_PARTY,
        ]
    )
}


def dramatis_personae(*, matter: Matter, user) -> list[PartyGroup]:
    """The matter's people grouped by party, claimants first; a party with nobody listed is
    left out, people with no party come last. Two queries."""
    parties = sorted(
        Party.objects.visible_to(user).filter(matter=matter),
        key=lambda party: (_ROLE_ORDER.get(party.role, len(_ROLE_ORDER)), party.name.lower()),
    )
    people = list(Person.objects.visible_to(user).filter(matter=matter).order_by("name", "pk"))
    groups = [
        PartyGroup(party, [person for person in people if person.party_id == party.pk])
        for party in parties
    ]
    groups.append(PartyGroup(None, [person for person in people if person.party_id is None]))
    return [group for group in groups if group.people]


def dramatis_personae_pdf(*, matter: Matter, user, prepared_on: date | None = None) -> Export:
    heading = _heading(matter, user, "Dramatis personae", prepared_on)
    content = _pdf(
        "timeline/exports/dramatis_personae.html",
        {"heading": heading, "groups": dramatis_personae(matter=matter, user=user)},
    )
    return Export(heading.filename("pdf"), PDF, content)


# --- The list of issues ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimIssues:
    claim: Claim
    claimants: list[Party]
    defendants: list[Party]
    allegations: list[Allegation]  # in pleading order, each with its response

    @property
    def in_issue(self) -> int:
        """Allegations not admitted: the issues the court will have to decide."""
        return sum(a.response != Allegation.Response.ADMITTED for a in self.allegations)


def list_of_issues(*, matter: Matter, user) -> list[ClaimIssues]:
    """Each claim of the matter with its allegations and the responses pleaded to them."""
    claims = (
        Claim.objects.visible_to(user)
        .filter(proceeding__matter=matter)
        .select_related("proceeding__court__jurisdiction")
        .prefetch_related(
            "claimants",
            "defendants",
            Prefetch(
                "allegations",
                queryset=Allegation.objects.select_related("against").order_by(
                    "paragraph_sort", "pk"
                ),
            ),
        )
        .order_by("proceeding__issued_on", "proceeding_id", "pk")
    )
    return [
        ClaimIssues(
            claim=claim,
            claimants=list(claim.claimants.all()),
            defendants=list(claim.defendants.all()),
            allegations=list(claim.allegations.all()),
        )
        for claim in claims
    ]


def list_of_issues_pdf(*, matter: Matter, user, prepared_on: date | None = None) -> Export:
    heading = _heading(matter, user, "List of issues", prepared_on)
    content = _pdf(
        "timeline/exports/list_of_issues.html",
        {"heading": heading, "claims": list_of_issues(matter=matter, user=user)},
    )
    return Export(heading.filename("pdf"), PDF, content)


# --- Laying out ------------------------------------------------------------------------------


# An export is made while the user waits, in a web process: one that takes longer than this
# is stopped (layout.LayoutTooLong) rather than hold the process. The fields' limits keep the
# largest matter well inside it.
LAYOUT_SECONDS = 30


def _pdf(template: str, context: dict) -> bytes:
    """The template (autoescaped) laid out by WeasyPrint, fetching nothing."""
    return layout.write_pdf(render_to_string(template, context), seconds=LAYOUT_SECONDS)
