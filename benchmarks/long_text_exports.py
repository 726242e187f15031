"""How long each timeline export takes when its text is as long as the fields now accept.

Loads the demo matter into a PostgreSQL database of its own, then fills the longest fields:
`--allegations` of its allegations get LONG_TEXT characters (unbroken, the worst case for
line breaking, or prose with `--prose`), one event's description the same, and each party's
name its max_length. Prints the seconds each export takes, as the partner downloads it.

    .venv/bin/python benchmarks/long_text_exports.py [--allegations 5] [--prose]

With `--bundle-rows N` it times instead a bundle's cover and index (no database): N one-page
documents whose titles are an exhibit title's max_length (300) of one unbroken run, laid out
and built by casemgr.bundles.builder.
"""

from __future__ import annotations

import argparse
import time

import scratch_database  # benchmarks/, beside this script

NAME = "casemgr_bench_long_text"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--allegations", type=int, default=5)
    parser.add_argument("--prose", action="store_true")
    parser.add_argument("--bundle-rows", type=int, default=0)
    args = parser.parse_args()
    if args.bundle_rows:
        bundle_index(args.bundle_rows)
        return
    scratch_database.recreate(NAME)
    try:
        scratch_database.setup_django(NAME)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0)
        run(args.allegations, args.prose)
    finally:
        from django.db import connections

        connections.close_all()
        scratch_database.recreate(NAME, drop_only=True)


def run(count: int, prose: bool) -> None:
    from django.contrib.auth import get_user_model

    from casemgr.core.limits import LONG_TEXT
    from casemgr.matters.models import Matter, Party
    from casemgr.pleadings.models import Allegation
    from casemgr.timeline import exports
    from casemgr.timeline.models import Event

    def text(limit: int) -> str:
        if prose:
            return ("The defendant queried the API with templated prompts. " * limit)[:limit]
        return "x" * limit

    matter = Matter.objects.get(reference="NWA-0042")
    partner = get_user_model().objects.get(username="partner")
    chosen = list(Allegation.objects.filter(claim__proceeding__matter=matter)[:count])
    for allegation in chosen:
        Allegation.objects.filter(pk=allegation.pk).update(text=text(LONG_TEXT))
    count = len(chosen)  # the demo has 27
    event = Event.objects.filter(matter=matter).first()
    Event.objects.filter(pk=event.pk).update(description=text(LONG_TEXT))
    name_length = Party._meta.get_field("name").max_length
    for party in Party.objects.filter(matter=matter):
        Party.objects.filter(pk=party.pk).update(name=f"{party.pk}" + text(name_length - 4))
    shape = "prose" if prose else "unbroken"
    print(f"{count} allegations and 1 event of {LONG_TEXT:,} characters ({shape}), party names")
    print(f"at {name_length} characters")
    for label, make in [
        ("list of issues", lambda: exports.list_of_issues_pdf(matter=matter, user=partner)),
        ("chronology", lambda: exports.chronology_pdf(matter=matter, user=partner)),
        ("dramatis personae", lambda: exports.dramatis_personae_pdf(matter=matter, user=partner)),
    ]:
        started = time.perf_counter()
        export = make()
        took = time.perf_counter() - started
        print(f"  {label:<18} {took:6.2f} s  {len(export.content) / 1024:8.0f} KiB")


def bundle_index(rows: int) -> None:
    import sys
    import tempfile
    from pathlib import Path

    from weasyprint import HTML

    sys.path.insert(0, str(scratch_database.ROOT))

    from casemgr.bundles import builder

    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page.pdf"
        page.write_bytes(HTML(string="<p>A letter.</p>").write_pdf())
        documents = tuple(
            builder.Document(f"entry:{n}", page, f"{n} " + "x" * 296, f"NWA-{n}", "12 March 2026")
            for n in range(1, rows + 1)
        )
        spec = builder.Spec(
            title="Bundle for the CMC " + "y" * 181,
            case_name="Northwind v Jadeport",
            sections=(builder.Section("D", "Correspondence", documents),),
        )
        started = time.perf_counter()
        result = builder.build(spec, Path(folder) / "bundle.pdf")
        took = time.perf_counter() - started
    print(f"bundle of {rows} documents with 300-character unbroken titles")
    pages = result.layout["index_pages"]
    print(f"  {pages} index pages; the whole build {took:.2f} s")


if __name__ == "__main__":
    main()
