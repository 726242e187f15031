"""Full-text search of a large matter against today's substring search over the same rows.

    .venv/bin/python benchmarks/search.py [--exhibits 5000] [--pages-per-exhibit 20]
        [--runs 15] [--ocr-pages 6]

Creates a PostgreSQL database of its own (casemgr_bench_search on the server of
BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432) and drops it at the end.
Fills one matter with --exhibits exhibits of one PDF file each and --pages-per-exhibit pages
of text each (100,000 pages by default, about 2 KB a page: 300 words drawn from 30,000
made-up words of very unequal frequency, so some are on most pages and most on few), loaded
with COPY so that the page trigger writes each vector; the GIN indexes are then made and the
tables analysed (set-up is not timed). Then, as a partner of the matter, it times --runs
searches of each sort, each for a different term, and prints the median and the slowest:
- rare word: a word planted on 5 pages;
- common word: one of the 100 most frequent words (on 20–60% of pages);
- phrase: two words each on 2–3% of pages, planted side by side on 200 pages;
- phrase of common words: two words each on most pages, planted side by side on 200 pages
  (and side by side by chance on about 2% of pages);
each through search_for over every kind (the search page's work: exhibits, pages, events,
allegations, parties, people, deadlines), through search_for over pages alone, through the
exhibit list's search as it was before (icontains over titles, descriptions and every page's
text), counted and its first page read as the list does, and through the exhibit list's
search now (`exhibits_for(q=…)`, page text through the full-text index). Prints the ratio
of the search page's time to the old substring search's, the size of the page index and of
the stored vectors, and EXPLAIN ANALYZE of one common-word page query. Last, OCR
throughput: pages per minute on 2 cores through the app's own OCR (benchmarks/ocr.py).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from datetime import date

import scratch_database  # benchmarks/, beside this script

NAME = "casemgr_bench_search"
WORDS_PER_PAGE = 300
VOCABULARY = 30_000


def words(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    made = set()
    while len(made) < VOCABULARY:
        made.add("".join(rng.choice(letters) for _ in range(rng.randint(4, 10))))
    return sorted(made)


def fill(exhibit_count: int, pages_per_exhibit: int, rng: random.Random) -> dict:
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.db import connection

    from casemgr.access.models import Clearance, MatterMembership, Role
    from casemgr.evidence.models import Exhibit, ExhibitFile
    from casemgr.matters.models import Matter
    from casemgr.search import schema

    user = get_user_model().objects.create(username="partner", email="partner@example.com")
    matter = Matter.objects.create(
        reference="BEN-0001", title="Benchmark matter", opened_on=date(2026, 1, 5)
    )
    MatterMembership.objects.create(
        user=user, matter=matter, role=Role.PARTNER, clearance=Clearance.AEO
    )
    exhibits = Exhibit.objects.bulk_create(
        Exhibit(
            matter=matter,
            prefix="BX",
            number=n + 1,
            title=f"Document {n + 1}",
            description=f"Produced in disclosure, batch {n // 100}.",
            created_by=user,
        )
        for n in range(exhibit_count)
    )
    files = ExhibitFile.objects.bulk_create(
        ExhibitFile(
            exhibit=e,
            matter=matter,
            original_name=f"doc-{e.number}.pdf",
            size=1,
            sha256=f"{e.number:064x}",
            kind="pdf",
            mime="application/pdf",
            storage_key=f"bench/{e.number}",
            uploaded_by=user,
            rendition=ExhibitFile.Rendition.READY,
            page_count=pages_per_exhibit,
        )
        for e in exhibits
    )
    vocabulary = np.array(words(rng))
    weights = 1.0 / np.arange(1, VOCABULARY + 1)
    weights /= weights.sum()
    generator = np.random.default_rng(7)
    pages = len(files) * pages_per_exhibit
    # Terms planted: rare words on 5 pages each, and phrases of two frequent words, side by
    # side on 200 pages each (each word is on most pages anyway, in no particular order).
    rare = [f"zq{n}rare" for n in range(40)]
    # Words of rank 1,000 and beyond are each on 2–3% of pages, so the phrase is on its 200
    # pages only; words of rank 10 and beyond are on most pages, and side by side by chance
    # on about 2% of them too: the hard case, where PostgreSQL checks the positions in the
    # stored vector of every page holding both words until it has enough.
    phrases = [f"{vocabulary[1000 + 2 * n]} {vocabulary[1001 + 2 * n]}" for n in range(40)]
    common_phrases = [f"{vocabulary[10 + 2 * n]} {vocabulary[11 + 2 * n]}" for n in range(40)]
    planted: dict[int, list[str]] = {}
    for term in rare:
        for page in generator.choice(pages, 5, replace=False):
            planted.setdefault(int(page), []).append(term)
    for term in phrases + common_phrases:
        for page in generator.choice(pages, 200, replace=False):
            planted.setdefault(int(page), []).append(term)

    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS search_page_idx")
    started = time.perf_counter()
    drawn = generator.choice(VOCABULARY, size=(pages, WORDS_PER_PAGE), p=weights)
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY evidence_exhibitpage (file_id, matter_id, number, text) FROM STDIN"
        ) as copy,
    ):
        index = 0
        for exhibit_file in files:
            for number in range(1, pages_per_exhibit + 1):
                text = " ".join(vocabulary[drawn[index]])
                if index in planted:
                    text += " " + " ".join(planted[index])
                copy.write_row((exhibit_file.pk, matter.pk, number, text))
                index += 1
    loaded = time.perf_counter() - started
    schema.install(connection)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    common = [str(w) for w in vocabulary[:100]]
    print(
        f"set-up: {len(exhibits):,} exhibits, {pages:,} pages loaded with their vectors in "
        f"{loaded:.0f} s, GIN index made in {time.perf_counter() - started - loaded:.0f} s"
    )
    return {
        "matter": matter,
        "user": user,
        "rare word": rare,
        "common word": common,
        "phrase": phrases,
        "phrase of common words": common_phrases,
    }


def timed(function, runs: list[str]) -> list[float]:
    times = []
    for term in runs:
        started = time.perf_counter()
        function(term)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exhibits", type=int, default=5_000)
    parser.add_argument("--pages-per-exhibit", type=int, default=20)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--ocr-pages", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    scratch_database.recreate(NAME)
    try:
        scratch_database.setup_django(NAME)
        from django.core.management import call_command
        from django.db import connection
        from django.db.models import Q

        from casemgr.evidence.models import Exhibit, ExhibitPage
        from casemgr.evidence.selectors import ExhibitFilters, exhibits_for
        from casemgr.search.selectors import SearchFilters, search_for

        call_command("migrate", verbosity=0)
        data = fill(args.exhibits, args.pages_per_exhibit, random.Random(13))
        matter, user = data["matter"], data["user"]

        def everything(term):
            return search_for(matter=matter, user=user, query=term)

        def pages_only(term):
            return search_for(
                matter=matter, user=user, query=term, filters=SearchFilters(kinds=("page",))
            )

        def substring(term):
            # The exhibit list's search before this work, as it was written.
            match = (
                Q(title__icontains=term)
                | Q(description__icontains=term)
                | Q(files__pages__text__icontains=term)
            )
            exhibits = Exhibit.objects.visible_to(user).filter(
                matter=matter, pk__in=Exhibit.objects.filter(match).values("pk")
            )
            exhibits.count()
            return list(exhibits[:25])

        def exhibit_list(term):
            exhibits = exhibits_for(matter=matter, user=user, filters=ExhibitFilters(q=term))
            exhibits.count()
            return list(exhibits[:25])

        everything("warm")  # URL resolver, first connection
        rows = []
        for sort in ("rare word", "common word", "phrase", "phrase of common words"):
            terms = data[sort][: args.runs]
            queries = [f'"{t}"' for t in terms] if sort.startswith("phrase") else terms
            hits = [everything(q).total for q in queries[:3]]
            fts = timed(everything, queries)
            page = timed(pages_only, queries)
            # Substring search is slow enough that a third of the runs say enough.
            old = timed(substring, terms[: max(3, args.runs // 3)])
            listed = timed(exhibit_list, queries)
            rows.append((sort, hits, fts, page, old, listed))
        print()
        print(
            "| search | hits (first 3) | search_for, all kinds: median / max | pages only: "
            "median / max | icontains (before): median | ratio | exhibit list now: median |"
        )
        print("|---|---|---|---|---|---|---|")
        for sort, hits, fts, page, old, listed in rows:
            print(
                f"| {sort} | {', '.join(f'{h:,}' for h in hits)} | "
                f"{statistics.median(fts):.1f} / {max(fts):.1f} ms | "
                f"{statistics.median(page):.1f} / {max(page):.1f} ms | "
                f"{statistics.median(old):,.0f} ms | "
                f"{statistics.median(old) / statistics.median(fts):,.0f}× | "
                f"{statistics.median(listed):.1f} ms |"
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_relation_size('search_page_idx'), "
                "(SELECT sum(pg_column_size(search_vector)) FROM evidence_exhibitpage), "
                "(SELECT sum(octet_length(text)) FROM evidence_exhibitpage), "
                "pg_total_relation_size('evidence_exhibitpage')"
            )
            index, vectors, text, table = cursor.fetchone()
        mib = 1024 * 1024
        print(
            f"\npage index (GIN) {index / mib:,.0f} MiB; stored vectors {vectors / mib:,.0f} "
            f"MiB; page text {text / mib:,.0f} MiB; page table with TOAST and indexes "
            f"{table / mib:,.0f} MiB; {ExhibitPage.objects.count():,} pages"
        )
        from casemgr.search import schema, selectors
        from casemgr.search import text as search_text

        prepared = search_text.prepared_query(data["common word"][0])
        rows_qs = selectors._scoped("page", matter=matter, user=user, filters=SearchFilters())
        plan = (
            rows_qs.filter(
                selectors._sql(
                    f"({schema.PAGE_VECTOR}) @@ {selectors._TSQUERY}",
                    [prepared],
                    selectors.BooleanField(),
                )
            )
            .order_by()
            .values_list("pk")[: selectors.RANK_LIMIT + 1]
            .explain(analyze=True)
        )
        print(f"\nEXPLAIN ANALYZE, common word {data['common word'][0]!r}, pages:\n{plan}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scratch_database.recreate(NAME, drop_only=True)
    if args.ocr_pages:
        ocr(args.ocr_pages)


def ocr(pages: int) -> None:
    try:
        import ocr as ocr_benchmark  # benchmarks/ocr.py
    except ImportError:
        print("\nOCR: benchmarks/ocr.py not present")
        return
    figures = ocr_benchmark.measure(pages)
    print(f"\nOCR: {io.StringIO(str(figures)).getvalue()}")


if __name__ == "__main__":
    main()
