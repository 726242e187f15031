"""What PostgreSQL keeps for full-text search, defined once: the text functions, the weighted
vector of each kind of record, the trigger that keeps each exhibit page's vector, and the GIN
indexes. Installed by this app's migrations and again by `manage.py search_reindex`.

Records (exhibits, events, allegations, parties, people, deadlines) are indexed by an
expression index over their own columns: PostgreSQL keeps such an index in step with every
write, in the same transaction, whatever wrote it. A page's text is long, and ranking reads
its vector, so pages store theirs (search_vector), written by a trigger on every insert and
every change of the text.

Weights: a record's reference and title (A) above its description (B) above the rest of its
words (C) above page text (D).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction

from casemgr.search.text import CJK_CLASS, SEPARATOR

CONFIG = "english"  # stems: "distilled" finds "distillation"

T = TypeVar("T")


@dataclass(frozen=True)
class Source:
    kind: str
    table: str
    weights: dict[str, tuple[str, ...]]  # weight → SQL of the text columns ({t}: the table)
    shown: tuple[str, ...]  # the columns a snippet is cut from

    def vector(self, qualified: bool = False) -> str:
        """SQL of the record's vector. The index holds it unqualified; a query names the
        table (beside the joins clearance adds, an exhibit's and its matter's "title" would
        be ambiguous), and PostgreSQL matches the two as the same expression."""
        table = f'"{self.table}".' if qualified else ""
        vectors = []
        for weight, columns in self.weights.items():
            text = " || ' ' || ".join(f"coalesce({c.format(t=table)}, '')" for c in columns)
            vectors.append(f"setweight(casemgr_tsvector({text}), '{weight}')")
        return " || ".join(vectors)

    def document(self) -> str:
        """SQL of the text a snippet is cut from, in a query: the shown columns that are not
        empty, joined."""
        columns = ", ".join(f"nullif(\"{self.table}\".{c}, '')" for c in self.shown)
        return f"concat_ws(' · ', {columns})"


def _source(kind: str, table: str, weights: dict[str, list[str]]) -> Source:
    columns = {w: tuple(c if "{t}" in c else "{t}" + c for c in cs) for w, cs in weights.items()}
    shown = tuple(c for cs in weights.values() for c in cs if "{t}" not in c)
    return Source(kind, table, columns, shown)


# The exhibit's reference twice: "NWA-12" as the parser reads it, and "NWA 12".
_REFERENCE = ["{t}prefix || '-' || {t}number::text", "{t}prefix || ' ' || {t}number::text"]

RECORDS = {
    s.kind: s
    for s in [
        _source(
            "exhibit",
            "evidence_exhibit",
            {
                "A": [*_REFERENCE, "title"],
                "B": ["description"],
                "C": ["author", "recipients", "custodian", "collected_how"],
            },
        ),
        _source("event", "timeline_event", {"A": ["title"], "B": ["description"]}),
        _source(
            "allegation",
            "pleadings_allegation",
            {"A": ["paragraph"], "B": ["text"], "C": ["response_note"]},
        ),
        _source("party", "matters_party", {"A": ["name"], "C": ["solicitors", "counsel"]}),
        _source(
            "person",
            "matters_person",
            {"A": ["name"], "B": ["organisation", "role"], "C": ["notes"]},
        ),
        _source("deadline", "deadlines_deadline", {"A": ["title"], "B": ["citation"]}),
    ]
}
PAGE_TABLE = "evidence_exhibitpage"
PAGE_VECTOR = f'"{PAGE_TABLE}".search_vector'
PAGE_DOCUMENT = f'"{PAGE_TABLE}".text'

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION casemgr_search_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(
    regexp_replace(coalesce(value, ''), '([{CJK_CLASS}])', '{SEPARATOR}\\1{SEPARATOR}', 'g'),
    '(?<=[[:alnum:]])([@.])(?=[[:alnum:]])', '\\1{SEPARATOR}', 'g')
$$;
CREATE OR REPLACE FUNCTION casemgr_tsvector(value text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('{CONFIG}'::regconfig, casemgr_search_text(value))
$$;
CREATE OR REPLACE FUNCTION casemgr_page_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := casemgr_tsvector(NEW.text);
  RETURN NEW;
END
$$;
"""

TRIGGER = f"""
DROP TRIGGER IF EXISTS casemgr_page_vector ON {PAGE_TABLE};
CREATE TRIGGER casemgr_page_vector BEFORE INSERT OR UPDATE OF text ON {PAGE_TABLE}
FOR EACH ROW EXECUTE FUNCTION casemgr_page_vector();
"""


def _indexes() -> list[str]:
    statements = [
        f"CREATE INDEX IF NOT EXISTS search_page_idx ON {PAGE_TABLE} USING gin (search_vector)"
    ]
    for source in RECORDS.values():
        statements.append(
            f"CREATE INDEX IF NOT EXISTS search_{source.kind}_idx ON {source.table} "
            f"USING gin (({source.vector()}))"
        )
    return statements


def index_names() -> list[str]:
    return ["search_page_idx", *(f"search_{kind}_idx" for kind in RECORDS)]


def install(connection) -> None:
    """Create or replace everything, idempotently. PostgreSQL only; elsewhere (the SQLite
    demo) search takes the simple route and needs nothing installed."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(FUNCTIONS)
        cursor.execute(TRIGGER)
        for statement in _indexes():
            cursor.execute(statement)


def rebuild(connection) -> int:
    """Install afresh, every index rebuilt and every page's vector written again; the number
    of pages."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        # PostgreSQL will not rebuild an index on a table with foreign-key checks still
        # pending in the transaction: they are made now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in index_names():
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    install(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {PAGE_TABLE} SET text = text")  # noqa: S608 - a constant
        return cursor.rowcount


def uninstall(connection) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name in index_names():
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute(f"DROP TRIGGER IF EXISTS casemgr_page_vector ON {PAGE_TABLE}")
        cursor.execute(
            "DROP FUNCTION IF EXISTS casemgr_page_vector(), casemgr_tsvector(text), "
            "casemgr_search_text(text)"
        )


def through_indexes(connection, read: Callable[[], T]) -> T:
    """`read()`, with PostgreSQL made to find matches through the GIN indexes (a bitmap
    scan) rather than by reading rows. Its planner does not count the cost of fetching a
    vector stored out of line (TOAST) when it filters rows by @@, so for a common word it
    reads every page's vector (0.7 s at 100,000 pages) rather than the index, which answers a
    query of words exactly without reading one (45 ms). For a query of one table."""
    if connection.vendor != "postgresql":
        return read()
    # SET LOCAL inside a savepoint: undone with it if `read` fails, put back by hand if not,
    # so that nothing else in the transaction or on the pooled connection is planned so.
    settings = ("enable_seqscan", "enable_indexscan")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in settings))
        previous = cursor.fetchone()
        cursor.execute(
            "SELECT " + ", ".join(f"set_config('{name}', 'off', true)" for name in settings)
        )
        result = read()
        cursor.execute(
            "SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in settings),
            previous,
        )
    return result
