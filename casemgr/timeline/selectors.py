"""Reading the chronology and the evidence map, as one user may see them.

Everything here reads through `visible_to(user)`: an event above the reader's clearance is not
in their chronology, and an exhibit above it is never named — not beside an event, not in an
allegation's proof, not in the claim's matrix. Gap lists are the reader's own too: an
allegation proved only by an attorneys'-eyes-only exhibit is a gap to an expert who cannot
see that exhibit (telling them otherwise would tell them it exists).

How the pieces fit: an event bears on allegations (`Event.allegations`), and exhibits prove
or undermine events and allegations (`EvidenceLink`, each with a stance). The proof of an
allegation is the evidence pinned to it; its events tell the story around it, each with its
own evidence. Nothing is inferred from one to the other: whether an exhibit that proves an
event also proves the allegation is the lawyer's call, made by linking it.

Each selector runs at most a fixed number of queries whatever the size of the matter
(tests/timeline/test_queries.py).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from casemgr.access.models import Clearance
from casemgr.deadlines.models import Deadline, DeadlineStatus
from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Hearing, Matter, Party, Person
from casemgr.pleadings.models import Allegation, Claim
from casemgr.timeline import dates
from casemgr.timeline.models import Event, EvidenceLink

EVENT, HEARING, DEADLINE = "event", "hearing", "deadline"
ITEM_TYPES = (EVENT, HEARING, DEADLINE)
# What ties on date and time (dates.sort_key) goes in this order, then by id.
_TYPE_ORDER = {EVENT: 0, HEARING: 1, DEADLINE: 2}


# --- Evidence links --------------------------------------------------------------------------


def visible_links(user) -> QuerySet[EvidenceLink]:
    """Evidence links the user may see (cleared for the exhibit, and for the event if any),
    with their exhibit and file, in exhibit order."""
    return (
        EvidenceLink.objects.visible_to(user)
        .select_related("exhibit", "exhibit_file")
        .defer(
            "exhibit__description",
            "exhibit_file__notes",
            "exhibit_file__flags",
            "exhibit_file__rendition_error",
        )
        .order_by("exhibit__prefix", "exhibit__number", "pk")
    )


def _event_details(events: list[Event], user) -> None:
    """Fetch, in one query each, what a chronology shows beside each event: its parties,
    people, allegations and the evidence the user may see (`event.visible_links`)."""
    prefetch_related_objects(
        events,
        Prefetch("parties", queryset=Party.objects.order_by("name")),
        Prefetch("people", queryset=Person.objects.order_by("name")),
        Prefetch("allegations", queryset=Allegation.objects.order_by("claim_id", "paragraph_sort")),
        Prefetch("evidence_links", queryset=visible_links(user), to_attr="visible_links"),
    )


# --- The timeline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineFilters:
    allegation: int | None = None
    claim: int | None = None
    party: int | None = None
    person: int | None = None
    status: str = ""  # Event.Status
    document_type: str = ""  # Exhibit.DocumentType of an exhibit linked to the event
    date_from: date | None = None
    date_to: date | None = None
    kind: str = ""  # Event.Kind; hearings and deadlines are procedural

    @property
    def about_facts(self) -> bool:
        """Hearings and deadlines have no allegations, parties, people, exhibits or agreed/
        disputed status: a filter on any of these leaves them out."""
        return bool(
            self.allegation
            or self.claim
            or self.party
            or self.person
            or self.status
            or self.document_type
        )


@dataclass(frozen=True)
class TimelineItem:
    """One entry of the chronology: an event, or a hearing or deadline read from its table."""

    type: str  # EVENT, HEARING or DEADLINE
    record: Event | Hearing | Deadline
    kind: str  # Event.Kind
    date: date
    precision: str
    date_end: date | None
    at: datetime | None  # the instant of a timed entry
    time_zone: str  # the zone `at` is shown in: the event's, or the court's
    title: str
    sort_key: str

    @property
    def id(self) -> int:
        return self.record.pk

    @property
    def date_display(self) -> str:
        return dates.describe(self.date, self.precision, self.date_end)

    @property
    def local_time(self) -> datetime | None:
        return self.at.astimezone(zoneinfo.ZoneInfo(self.time_zone)) if self.at else None

    @property
    def event(self) -> Event | None:
        return self.record if self.type == EVENT else None

    @property
    def description(self) -> str:
        return self.event.description if self.event else ""

    @property
    def status(self) -> str:
        """Agreed, disputed or unknown, for events; "" for hearings and deadlines."""
        return self.event.status if self.event else ""

    @property
    def record_status(self) -> str:
        """A hearing's listing status or a deadline's status; "" for events."""
        return "" if self.event else self.record.status

    @property
    def designation(self) -> int:
        return getattr(self.record, "designation", Clearance.STANDARD)

    @property
    def proceeding_id(self) -> int | None:
        return None if self.event else self.record.proceeding_id

    @property
    def parties(self) -> list[Party]:
        return list(self.event.parties.all()) if self.event else []

    @property
    def people(self) -> list[Person]:
        return list(self.event.people.all()) if self.event else []

    @property
    def allegations(self) -> list[Allegation]:
        return list(self.event.allegations.all()) if self.event else []

    @property
    def evidence(self) -> list[EvidenceLink]:
        return self.event.visible_links if self.event else []


class Timeline:
    """The chronology in date order: a sequence of TimelineItems.

    Only the order is read at once: the sort key and id of each event, hearing and deadline
    (three queries, no records). The entries themselves, and what is shown beside each event
    — parties, people, allegations and visible evidence — are read for the entries actually
    taken: all of them when the timeline is iterated, one page when it is sliced (as a
    paginator does), so that a page of 100 out of 10,000 events reads 100 events. That is
    the events, their four kinds of details, and the hearings and the deadlines where the
    page has any: at most seven queries more."""

    # Above this many entries at once (an export, iterating the whole chronology), reading
    # the filtered rows whole is cheaper than naming each id in the query.
    _BY_ID_LIMIT = 500

    def __init__(self, entries: list[int | tuple[str, int]], *, sources: dict, user) -> None:
        # In order: an event's id, or (HEARING or DEADLINE, id). Plain ints, rather than an
        # object per event, keep a large chronology from waking Python's cyclic garbage
        # collector on every request (benchmarks/README.md).
        self._entries = entries
        self._sources = sources  # type -> the filtered queryset its entries come from
        self._user = user
        self._read: dict[int | tuple[str, int], TimelineItem] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def position(self, event_pk: int) -> int | None:
        """Where the event stands in the chronology (0-based); None if it is not in it."""
        try:
            return self._entries.index(event_pk)
        except ValueError:
            return None

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._items(self._entries[index])
        return self._items([self._entries[index]])[0]

    def _items(self, entries) -> list[TimelineItem]:
        wanted: dict[str, set[int]] = {}
        for ref in entries:
            if ref not in self._read:
                kind, pk = (EVENT, ref) if isinstance(ref, int) else ref
                wanted.setdefault(kind, set()).add(pk)
        for kind, ids in wanted.items():
            source = self._sources[kind]
            if len(ids) > self._BY_ID_LIMIT:
                records = [record for record in source if record.pk in ids]
            else:
                records = list(source.filter(pk__in=ids))
            if kind == EVENT:
                _event_details(records, self._user)
                self._read.update((record.pk, _event_item(record)) for record in records)
            else:
                make = _hearing_item if kind == HEARING else _deadline_item
                self._read.update(((kind, record.pk), make(record)) for record in records)
        # An entry deleted since the order was read is left out rather than failing the page.
        return [self._read[ref] for ref in entries if ref in self._read]


def timeline_for(*, matter: Matter, user, filters: TimelineFilters | None = None) -> Timeline:
    """The matter's chronology as `user` may see it: events, and hearings and deadlines as
    procedural entries, merged in date order (dates.py) and filtered."""
    filters = filters or TimelineFilters()
    sources = {EVENT: _events(matter, user, filters)}
    procedural: list[tuple[tuple, tuple[str, int]]] = []
    if not filters.about_facts and filters.kind != Event.Kind.FACT:
        sources[HEARING] = _hearings(matter, user, filters)
        sources[DEADLINE] = _deadlines(matter, user, filters)
        procedural = _hearing_order(sources[HEARING], filters) + _deadline_order(sources[DEADLINE])
        procedural.sort()
    # Merge the two sorted lists. Sort keys are digits of one length, so the database's
    # order is Python's whatever the collation. On the same key an event comes first
    # (_TYPE_ORDER), so a hearing or deadline goes before an event only if its key is less.
    entries: list[int | tuple[str, int]] = []
    waiting = iter(procedural)
    next_one = next(waiting, None)
    for sort_key, pk in sources[EVENT].values_list("sort_key", "pk"):
        while next_one is not None and next_one[0][0] < sort_key:
            entries.append(next_one[1])
            next_one = next(waiting, None)
        entries.append(pk)
    if next_one is not None:
        entries.append(next_one[1])
        entries.extend(ref for _, ref in waiting)
    return Timeline(entries, sources=sources, user=user)


def _events(matter: Matter, user, filters: TimelineFilters) -> QuerySet[Event]:
    events = Event.objects.visible_to(user).filter(matter=matter)
    # Each filter on a link is a subquery, so that an event is listed once however many of
    # its links match.
    on_allegations = Event.allegations.through.objects
    if filters.allegation:
        chosen = on_allegations.filter(allegation_id=filters.allegation)
        events = events.filter(pk__in=chosen.values("event_id"))
    if filters.claim:
        chosen = on_allegations.filter(allegation__claim_id=filters.claim)
        events = events.filter(pk__in=chosen.values("event_id"))
    if filters.party:
        chosen = Event.parties.through.objects.filter(party_id=filters.party)
        events = events.filter(pk__in=chosen.values("event_id"))
    if filters.person:
        chosen = Event.people.through.objects.filter(person_id=filters.person)
        events = events.filter(pk__in=chosen.values("event_id"))
    if filters.document_type:
        # Only exhibits the reader may see: a hidden log must not put its event on the list.
        chosen = EvidenceLink.objects.visible_to(user).filter(
            matter=matter, event__isnull=False, exhibit__document_type=filters.document_type
        )
        events = events.filter(pk__in=chosen.values("event_id"))
    if filters.status:
        events = events.filter(status=filters.status)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    # A period is in the range if any day of it is: "March 2026" is in "from 15 March".
    if filters.date_from:
        events = events.filter(date_last__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(date__lte=filters.date_to)
    return events.order_by("sort_key", "pk")


def _event_item(event: Event) -> TimelineItem:
    return TimelineItem(
        type=EVENT,
        record=event,
        kind=event.kind,
        date=event.date,
        precision=event.precision,
        date_end=event.date_end,
        at=event.occurred_at,
        time_zone=event.time_zone,
        title=event.title,
        sort_key=event.sort_key,
    )


def _in_range(day: date, filters: TimelineFilters) -> bool:
    return (filters.date_from is None or day >= filters.date_from) and (
        filters.date_to is None or day <= filters.date_to
    )


# A hearing's or deadline's court keeps the time; its zone is the court's own, or else its
# jurisdiction's (Court.zone), read here without loading either.
_COURT_ZONES = ("proceeding__court__time_zone", "proceeding__court__jurisdiction__time_zone")


def _hearings(matter: Matter, user, filters: TimelineFilters) -> QuerySet[Hearing]:
    hearings = (
        Hearing.objects.visible_to(user)
        .filter(proceeding__matter=matter)
        .select_related("proceeding__court__jurisdiction")
    )
    # A hearing's day is its court's; courts sit within a day of UTC, so the database narrows
    # by instant with a day's margin and the court's calendar decides (_hearing_order).
    if filters.date_from:
        hearings = hearings.filter(starts_at__date__gte=filters.date_from - timedelta(days=1))
    if filters.date_to:
        hearings = hearings.filter(starts_at__date__lte=filters.date_to + timedelta(days=1))
    return hearings


def _hearing_order(hearings: QuerySet[Hearing], filters: TimelineFilters) -> list:
    order = []
    for pk, starts_at, court_zone, home_zone in hearings.values_list(
        "pk", "starts_at", *_COURT_ZONES
    ):
        day = starts_at.astimezone(zoneinfo.ZoneInfo(court_zone or home_zone)).date()
        if _in_range(day, filters):
            key = dates.sort_key(start=day, precision=dates.DAY, at=starts_at)
            order.append(((key, _TYPE_ORDER[HEARING], pk), (HEARING, pk)))
    return order


def _hearing_item(hearing: Hearing) -> TimelineItem:
    local = hearing.local_start
    return TimelineItem(
        type=HEARING,
        record=hearing,
        kind=Event.Kind.PROCEDURAL,
        date=local.date(),
        precision=dates.DAY,
        date_end=None,
        at=hearing.starts_at,
        time_zone=local.tzinfo.key,
        title=hearing.display_title,
        sort_key=dates.sort_key(start=local.date(), precision=dates.DAY, at=hearing.starts_at),
    )


def _deadlines(matter: Matter, user, filters: TimelineFilters) -> QuerySet[Deadline]:
    # A deadline found not to apply is not part of the story; one met or extended is.
    deadlines = (
        Deadline.objects.visible_to(user)
        .filter(proceeding__matter=matter)
        .exclude(status=DeadlineStatus.NOT_APPLICABLE)
        .select_related("proceeding__court__jurisdiction")
    )
    if filters.date_from:
        deadlines = deadlines.filter(due_date__gte=filters.date_from)
    if filters.date_to:
        deadlines = deadlines.filter(due_date__lte=filters.date_to)
    return deadlines


def _deadline_at(due_date: date, due_time, zone: zoneinfo.ZoneInfo) -> datetime | None:
    return datetime.combine(due_date, due_time, zone) if due_time else None


def _deadline_order(deadlines: QuerySet[Deadline]) -> list:
    order = []
    rows = deadlines.values_list("pk", "due_date", "due_time", *_COURT_ZONES)
    for pk, due_date, due_time, court_zone, home_zone in rows:
        at = _deadline_at(due_date, due_time, zoneinfo.ZoneInfo(court_zone or home_zone))
        key = dates.sort_key(start=due_date, precision=dates.DAY, at=at)
        order.append(((key, _TYPE_ORDER[DEADLINE], pk), (DEADLINE, pk)))
    return order


def _deadline_item(deadline: Deadline) -> TimelineItem:
    zone = deadline.proceeding.court.zone
    at = _deadline_at(deadline.due_date, deadline.due_time, zone)
    return TimelineItem(
        type=DEADLINE,
        record=deadline,
        kind=Event.Kind.PROCEDURAL,
        date=deadline.due_date,
        precision=dates.DAY,
        date_end=None,
        at=at,
        time_zone=zone.key if at else "",
        title=deadline.title,
        sort_key=dates.sort_key(start=deadline.due_date, precision=dates.DAY, at=at),
    )


# --- An allegation's proof -------------------------------------------------------------------


@dataclass(frozen=True)
class AllegationProof:
    allegation: Allegation  # with its pleaded response
    supporting: list[EvidenceLink]
    contradicting: list[EvidenceLink]
    context: list[EvidenceLink]
    events: list[Event]  # in date order, each with its visible_links, parties and people


def allegation_proof(*, allegation: Allegation, user) -> AllegationProof:
    """What proves or undermines an allegation, with pinpoints, and its events in order."""
    links = list(visible_links(user).filter(allegation=allegation))
    events = list(
        Event.objects.visible_to(user)
        .filter(
            pk__in=Event.allegations.through.objects.filter(allegation=allegation).values(
                "event_id"
            )
        )
        .order_by("sort_key", "pk")
    )
    _event_details(events, user)
    by_stance = {stance: [] for stance in EvidenceLink.Stance.values}
    for link in links:
        by_stance[link.stance].append(link)
    return AllegationProof(
        allegation=allegation,
        supporting=by_stance[EvidenceLink.Stance.SUPPORTS],
        contradicting=by_stance[EvidenceLink.Stance.CONTRADICTS],
        context=by_stance[EvidenceLink.Stance.CONTEXT],
        events=events,
    )


# --- The claim's evidence matrix -------------------------------------------------------------


@dataclass(frozen=True)
class MatrixCell:
    """What one exhibit says about one allegation: one or more links (several pinpoints)."""

    links: tuple[EvidenceLink, ...]

    @property
    def stance(self) -> str:
        """supports, contradicts, context — or "mixed" where parts of the exhibit pull both
        ways, which is exactly what a trial team needs to see."""
        stances = {link.stance for link in self.links}
        Stance = EvidenceLink.Stance
        if {Stance.SUPPORTS, Stance.CONTRADICTS} <= stances:
            return "mixed"
        for stance in (Stance.SUPPORTS, Stance.CONTRADICTS):
            if stance in stances:
                return stance.value
        return Stance.CONTEXT.value


@dataclass(frozen=True)
class EvidenceMatrix:
    claim: Claim
    allegations: list[Allegation]  # rows, in pleading order
    exhibits: list[Exhibit]  # columns: the visible exhibits linked to any allegation
    cells: dict[tuple[int, int], MatrixCell]  # (allegation id, exhibit id)

    def cell(self, allegation: Allegation, exhibit: Exhibit) -> MatrixCell | None:
        return self.cells.get((allegation.pk, exhibit.pk))

    def rows(self) -> list[tuple[Allegation, list[MatrixCell | None]]]:
        return [(a, [self.cell(a, e) for e in self.exhibits]) for a in self.allegations]


def claim_evidence_matrix(*, claim: Claim, user) -> EvidenceMatrix:
    """Allegations × exhibits for one claim, each cell the stance of the exhibit on that
    allegation. Two queries."""
    allegations = list(Allegation.objects.filter(claim=claim).order_by("paragraph_sort"))
    links = list(visible_links(user).filter(allegation__claim=claim))
    grouped: dict[tuple[int, int], list[EvidenceLink]] = {}
    exhibits: dict[int, Exhibit] = {}
    for link in links:
        grouped.setdefault((link.allegation_id, link.exhibit_id), []).append(link)
        exhibits[link.exhibit_id] = link.exhibit
    return EvidenceMatrix(
        claim=claim,
        allegations=allegations,
        exhibits=sorted(exhibits.values(), key=lambda e: (e.prefix, e.number)),
        cells={key: MatrixCell(tuple(found)) for key, found in grouped.items()},
    )


# --- Gaps ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceGaps:
    allegations: list[Allegation]  # in issue, with no supporting evidence the reader can see
    events: list[Event]  # disputed, with no supporting evidence the reader can see


def evidence_gaps(*, matter: Matter, user) -> EvidenceGaps:
    """The gaps to fix before trial. An allegation the other side admitted needs no proof
    (CPR 16.5(1)(a)), so only those denied, not admitted or not yet answered are listed;
    a disputed event is a gap until an exhibit supports it. Two queries."""
    supporting = EvidenceLink.objects.visible_to(user).filter(
        matter=matter, stance=EvidenceLink.Stance.SUPPORTS
    )
    allegations = (
        Allegation.objects.in_matter(matter)
        .exclude(response=Allegation.Response.ADMITTED)
        .exclude(pk__in=supporting.filter(allegation__isnull=False).values("allegation_id"))
        .select_related("claim")
        .order_by(
            "claim__proceeding__issued_on", "claim__proceeding_id", "claim_id", "paragraph_sort"
        )
    )
    events = (
        Event.objects.visible_to(user)
        .filter(matter=matter, status=Event.Status.DISPUTED)
        .exclude(pk__in=supporting.filter(event__isnull=False).values("event_id"))
        .order_by("sort_key", "pk")
    )
    return EvidenceGaps(allegations=list(allegations), events=list(events))
