"""The one read that searches a matter: `search_for`. Every kind of hit comes from its model's
`visible_to(user)` queryset, so membership and clearance apply before anything is matched,
ranked or counted: a hit, a count or a snippet above the reader's clearance never exists.

Two routes answer the same query language (websearch_to_tsquery's: words, "quoted
phrases", OR, -exclusions): PostgreSQL full-text search over the indexes in schema.py, and,
on the SQLite demo, a simple route of case-insensitive substring matches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import reduce

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.urls import reverse

from casemgr.deadlines.models import Deadline
from casemgr.evidence.models import Exhibit, ExhibitPage
from casemgr.matters.models import Matter, Party, Person
from casemgr.pleadings.models import Allegation
from casemgr.search import schema, text
from casemgr.timeline.models import Event

# Hits shown: the best few of each kind when every kind is searched (an overview, each group
# linking to the rest of its kind), or a page of one kind's hits at a time. Each hit shown
# costs a ts_headline over its text (about 0.25 ms for a 2 KB page), so a page is not longer.
OVERVIEW_HITS = 10
PAGE_HITS = 25
# A common word can match most pages of a matter; ranking every one of them reads every
# vector (about 8 µs each: most of a second at 100,000 pages), so the best are chosen from the
# first RANK_LIMIT matches and the count stops there too ("500+"). Each match ranked costs
# about 7 µs: at 1,000 a common word took 24 ms, at 500 19 ms (benchmarks/search.py).
RANK_LIMIT = 500
QUERY_CHARS = 500
HEADLINE_OPTIONS = (
    f"StartSel={text.START}, StopSel={text.STOP}, MaxWords=35, MinWords=15, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)

KINDS = {
    "exhibit": "Exhibits",
    "page": "In the documents",
    "event": "Events",
    "allegation": "Allegations",
    "party": "Parties",
    "person": "People",
    "deadline": "Deadlines",
}


@dataclass(frozen=True)
class SearchFilters:
    kinds: tuple[str, ...] = ()  # none: every kind
    document_type: str = ""  # an Exhibit.DocumentType
    designation: int | None = None
    party: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int  # the record's; for a page, the exhibit file's
    title: str
    page: int | None
    snippet: str  # safe HTML: escaped, matched words in <mark>
    rank: float
    url: str


@dataclass(frozen=True)
class Group:
    kind: str
    label: str
    hits: list[Hit]
    total: int  # at most RANK_LIMIT + 1
    more: bool  # total stopped counting at RANK_LIMIT
    start: int = 0  # the place of the first hit shown among the ranked matches (0: the best)
    page_size: int = OVERVIEW_HITS

    @property
    def total_label(self) -> str:
        return f"{RANK_LIMIT:,}+" if self.more else f"{self.total:,}"

    @property
    def ranked(self) -> int:
        """The matches that can be shown, page by page: the ranked ones."""
        return min(self.total, RANK_LIMIT)

    @property
    def end(self) -> int:
        """The place of the last hit shown, counting from 1."""
        return self.start + len(self.hits)

    @property
    def page(self) -> int:
        return self.start // self.page_size + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.ranked // self.page_size))


@dataclass(frozen=True)
class SearchResults:
    query: str
    groups: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)


def search_for(
    *,
    matter: Matter,
    user,
    query: str,
    filters: SearchFilters | None = None,
    page: int = 1,
    route: str = "",
) -> SearchResults:
    """The matter's hits for `query` that `user` may see, grouped by kind, best first: the
    best OVERVIEW_HITS of each kind, or, when the filters choose one kind, its `page`th page
    of PAGE_HITS. `route` ("fts" or "simple") is chosen by the database unless given."""
    filters = filters or SearchFilters()
    query = " ".join(query.split())[:QUERY_CHARS]
    route = route or ("fts" if connection.vendor == "postgresql" else "simple")
    if not query:
        return SearchResults(query)
    scoped = {}
    for kind in KINDS:
        if not filters.kinds or kind in filters.kinds:
            rows = _scoped(kind, matter=matter, user=user, filters=filters)
            if rows is not None:
                scoped[kind] = rows
    if len(filters.kinds) == 1:
        size, start = PAGE_HITS, (max(page, 1) - 1) * PAGE_HITS
    else:
        size, start = OVERVIEW_HITS, 0
    shown = slice(start, start + size)
    if route == "fts":
        found = _fts(scoped, query, shown)
    else:
        found = {kind: _simple(kind, rows, query, shown) for kind, rows in scoped.items()}
    groups = []
    for kind, (hits, total) in found.items():
        if total:
            shown_from = _page_start(start, min(total, RANK_LIMIT), size)
            groups.append(
                Group(kind, KINDS[kind], hits, total, total > RANK_LIMIT, shown_from, size)
            )
    return SearchResults(query, groups)


# What each kind is, within clearance and the filters


def _scoped(kind: str, *, matter: Matter, user, filters: SearchFilters) -> QuerySet | None:
    """The kind's rows the user may see, filtered; None when a filter rules the whole kind
    out (an exhibit type rules out everything but exhibits and their pages)."""
    exhibit_only = filters.document_type or filters.designation
    if kind in ("exhibit", "page"):
        prefix = "file__exhibit__" if kind == "page" else ""
        model = ExhibitPage if kind == "page" else Exhibit
        rows = model.objects.visible_to(user).filter(matter=matter)
        conditions = {
            "document_type": filters.document_type,
            "designation": filters.designation,
            "party": filters.party,
            "document_date__gte": filters.date_from,
            "document_date__lte": filters.date_to,
        }
        return rows.filter(**{prefix + k: v for k, v in conditions.items() if v})
    if exhibit_only:
        return None
    dated = filters.date_from or filters.date_to
    if kind == "event":
        rows = Event.objects.visible_to(user).filter(matter=matter)
        if filters.party:
            rows = rows.filter(parties=filters.party)
        if filters.date_from:
            rows = rows.filter(date_last__gte=filters.date_from)
        if filters.date_to:
            rows = rows.filter(date__lte=filters.date_to)
        return rows.distinct() if filters.party else rows
    if kind == "deadline":
        rows = Deadline.objects.visible_to(user).filter(proceeding__matter=matter)
        if filters.date_from:
            rows = rows.filter(due_date__gte=filters.date_from)
        if filters.date_to:
            rows = rows.filter(due_date__lte=filters.date_to)
        return None if filters.party else rows
    if dated:
        return None
    if kind == "allegation":
        rows = Allegation.objects.visible_to(user).filter(claim__proceeding__matter=matter)
        return rows.filter(against=filters.party) if filters.party else rows
    if kind == "party":
        rows = Party.objects.visible_to(user).filter(matter=matter)
        return rows.filter(pk=filters.party) if filters.party else rows
    if kind == "person":
        return None if filters.party else Person.objects.visible_to(user).filter(matter=matter)
    raise ValueError(kind)


# PostgreSQL full-text search

_TSQUERY = f"websearch_to_tsquery('{schema.CONFIG}'::regconfig, %s)"


def _fts(scoped: dict[str, QuerySet], query: str, shown: slice) -> dict[str, tuple[list[Hit], int]]:
    prepared = text.prepared_query(query)
    # One query finds, counts (up to RANK_LIMIT + 1) and ranks the matches of every kind; then
    # one per kind with hits loads the best with their snippets, so that ts_headline reads
    # only the text of the hits shown.
    ranked_by_kind = [
        rows.filter(_sql(f"({_vector(kind)}) @@ {_TSQUERY}", [prepared], BooleanField()))
        .annotate(
            search_rank=_sql(f"ts_rank({_vector(kind)}, {_TSQUERY})", [prepared], FloatField()),
            search_kind=Value(kind, output_field=TextField()),
        )
        .order_by()  # any order: sorting by the model's would rank every match, not the first
        .values_list("search_kind", "pk", "search_rank")[: RANK_LIMIT + 1]
        for kind, rows in scoped.items()
    ]
    if not ranked_by_kind:
        return {}
    first, *others = ranked_by_kind
    matches: dict[str, list[tuple[int, float]]] = {kind: [] for kind in scoped}
    for kind, pk, rank in first.union(*others, all=True) if others else first:
        matches[kind].append((pk, rank))
    found = {}
    for kind, ranked in matches.items():
        top = _shown(sorted(ranked, key=lambda row: (-row[1], row[0]))[:RANK_LIMIT], shown)
        headline = _sql(
            f"ts_headline('{schema.CONFIG}'::regconfig, casemgr_search_text({_document(kind)}), "
            f"{_TSQUERY}, %s)",
            [prepared, HEADLINE_OPTIONS],
            TextField(),
        )
        objects = _load(kind, [pk for pk, _ in top], headline=headline)
        hits = [
            _hit(kind, objects[pk], text.snippet_html(objects[pk].headline), float(score))
            for pk, score in top
        ]
        found[kind] = (hits, len(ranked))
    return found


def _vector(kind: str) -> str:
    return schema.PAGE_VECTOR if kind == "page" else schema.RECORDS[kind].vector(qualified=True)


def _document(kind: str) -> str:
    return schema.PAGE_DOCUMENT if kind == "page" else schema.RECORDS[kind].document()


def _sql(template: str, params: list[str], output_field) -> RawSQL:
    # The SQL is made of schema.py's constants only; what the user typed is a bound parameter.
    return RawSQL(template, params, output_field=output_field)  # noqa: S611


# The simple route (SQLite)

_SIMPLE_FIELDS: dict[str, list[str]] = {
    "exhibit": ["title", "description", "author", "recipients", "custodian", "collected_how"],
    "page": ["text"],
    "event": ["title", "description"],
    "allegation": ["paragraph", "text", "response_note"],
    "party": ["name", "solicitors", "counsel"],
    "person": ["name", "organisation", "role", "notes"],
    "deadline": ["title", "citation"],
}


def _page_start(start: int, count: int, size: int) -> int:
    """Where the page asked for begins among `count` ranked matches: past the last page is
    the last page, not an empty one."""
    return min(start, max(count - 1, 0) // size * size)


def _shown(ranked: list, shown: slice) -> list:
    """The page of the ranked matches to show."""
    size = shown.stop - shown.start
    start = _page_start(shown.start, len(ranked), size)
    return ranked[start : start + size]


def _simple(kind: str, rows: QuerySet, query: str, shown: slice) -> tuple[list[Hit], int]:
    alternatives = text.parsed(query)
    if not alternatives:
        return [], 0
    fields = _SIMPLE_FIELDS[kind]

    def contains(term: str) -> Q:
        pattern = text.term_pattern(term)
        found = reduce(lambda a, b: a | b, (Q(**{f"{f}__iregex": pattern}) for f in fields))
        if kind == "exhibit":
            prefix, _, number = term.replace(" ", "-").rpartition("-")
            if prefix and number.isdigit():
                found |= Q(prefix__iexact=prefix, number=int(number))
        return found

    condition = reduce(
        lambda a, b: a | b,
        (
            reduce(
                lambda a, b: a & b,
                (~contains(t.text) if t.negated else contains(t.text) for t in terms),
            )
            for terms in alternatives
        ),
    )
    matched = rows.filter(condition).order_by()
    total = matched[: RANK_LIMIT + 1].count()
    pks = _shown(list(matched.order_by("pk").values_list("pk", flat=True)[:RANK_LIMIT]), shown)
    objects = _load(kind, pks)
    # In the snippet, the character before a word is not marked with it.
    patterns = [
        text.term_pattern(t.text, start=r"(?<!\w)")
        for terms in alternatives
        for t in terms
        if not t.negated
    ]
    hits = []
    for pk in pks:
        obj = objects[pk]
        body = " · ".join(str(getattr(obj, f) or "") for f in fields)
        hits.append(_hit(kind, obj, text.simple_snippet(body, patterns), 0.0))
    return hits, total


# Hits


_LOADERS: dict[str, Callable[[list[int]], QuerySet]] = {
    "exhibit": lambda pks: Exhibit.objects.filter(pk__in=pks),
    "page": lambda pks: (
        ExhibitPage.objects.filter(pk__in=pks)
        .select_related("file__exhibit")
        .defer("text", "search_vector", "file__exhibit__description")
    ),
    "event": lambda pks: Event.objects.filter(pk__in=pks),
    "allegation": lambda pks: Allegation.objects.filter(pk__in=pks).select_related(
        "claim__proceeding"
    ),
    "party": lambda pks: Party.objects.filter(pk__in=pks),
    "person": lambda pks: Person.objects.filter(pk__in=pks),
    "deadline": lambda pks: Deadline.objects.filter(pk__in=pks).select_related("proceeding"),
}


def _load(kind: str, pks: list[int], headline: RawSQL | None = None) -> dict:
    if not pks:
        return {}
    rows = _LOADERS[kind](pks)
    if headline is not None:
        rows = rows.annotate(headline=headline)
    return {obj.pk: obj for obj in rows}


def _hit(kind: str, obj, snippet: str, rank: float) -> Hit:
    if kind == "page":
        exhibit = obj.file.exhibit
        url = (
            reverse("evidence:exhibit", kwargs={"matter_pk": exhibit.matter_id, "pk": exhibit.pk})
            + f"?file={obj.file_id}&page={obj.number}#preview"
        )
        title = f"{exhibit.reference}, p. {obj.number} — {exhibit.title}"
        return Hit(kind, obj.file_id, title, obj.number, snippet, rank, url)
    if kind == "exhibit":
        return Hit(kind, obj.pk, str(obj), None, snippet, rank, obj.get_absolute_url())
    if kind == "event":
        url = reverse("timeline:timeline", kwargs={"matter_pk": obj.matter_id})
        url += f"?event={obj.pk}#event-{obj.pk}"  # the page of the chronology it is on
        return Hit(kind, obj.pk, obj.title, None, snippet, rank, url)
    if kind == "allegation":
        claim = obj.claim
        url = reverse(
            "pleadings:claim", kwargs={"matter_pk": claim.proceeding.matter_id, "pk": claim.pk}
        )
        title = f"¶{obj.paragraph} — {claim}"
        return Hit(kind, obj.pk, title, None, snippet, rank, f"{url}#allegation-{obj.pk}")
    if kind in ("party", "person"):
        url = reverse("matters:parties", kwargs={"matter_pk": obj.matter_id})
        return Hit(kind, obj.pk, obj.name, None, snippet, rank, f"{url}#{kind}-{obj.pk}")
    if kind == "deadline":
        return Hit(kind, obj.pk, obj.title, None, snippet, rank, obj.get_absolute_url())
    raise ValueError(kind)
