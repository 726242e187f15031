"""The timeline page of a large matter: server time, queries, and the ratio to a bare view.

    .venv/bin/python benchmarks/timeline.py [--allegations 300] [--exhibits 5000]
        [--events 10000] [--repeat 7] [--no-profile]

Creates a PostgreSQL database of its own (casemgr_bench_timeline on the server of
BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432) and drops it at the end.
Fills it with one large matter: three proceedings (two in London, one in San Francisco),
parties and people, six claims sharing the allegations, exhibits of mixed types and
designations (mostly standard, some confidential or attorneys' eyes only) with one file
each, events spread over ten years with mixed precisions and statuses, each with 0-3
parties, people and allegations and on average 1.5 evidence links to exhibits at pinpoints,
plus hearings and deadlines. Requests are served in-process by django.test.Client, through
the whole middleware stack, as a signed-in member (DEBUG off while measuring, as in
production; no network and no browser). Prints, for a partner with AEO clearance:
- the timeline page: median, min and max of --repeat requests after a warm-up, the mean
  time a request spent in Python's cyclic garbage collector (gc.callbacks), the query count
  and SQL time of one request, the status and the size of the response; and the selector,
  timeline_for(), timed alone (no HTTP, no HTML);
- the same with an allegation filter, with a one-year date range, page 50, and the API's
  /api/matters/{id}/timeline/ (50 entries a page) and its page 100;
- a minimal view (HttpResponse("ok") behind login_required, the same middleware, the same
  client) and each line's ratio to it;
then the plain page and the API for an expert with standard clearance, who sees fewer
events and whose queries filter by clearance; then (unless --no-profile) a cProfile of one
page request: the time of its main steps (selector, details, form, template, SQL, model
instances, URL reversing, garbage collection) and the top functions by cumulative and by
own time.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import logging
import pstats
import random
import statistics
import sys
import time
import types
import warnings
from datetime import date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

import scratch_database  # benchmarks/, beside this script

NAME = "casemgr_bench_timeline"
FIRST_DAY = date(2016, 1, 1)
DAYS = 3_652  # ten years: 2016 to 2025
BATCH = 2_000


def pick(rng: random.Random, weighted: dict):
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def fill(*, allegation_count: int, exhibit_count: int, event_count: int) -> dict:
    """One matter, as described in the module's docstring. Returns the matter, the readers
    and the ids the measured requests need."""
    from django.contrib.auth import get_user_model

    from casemgr.access.models import Clearance, MatterMembership, Role
    from casemgr.deadlines.models import Deadline, DeadlineStatus
    from casemgr.evidence.models import Exhibit, ExhibitFile
    from casemgr.matters.models import (
        Court,
        Hearing,
        Jurisdiction,
        Matter,
        Party,
        PartyRole,
        Person,
        Proceeding,
    )
    from casemgr.pleadings.models import Allegation, Claim, paragraph_sort_key
    from casemgr.timeline.models import Event, EvidenceLink

    rng = random.Random(42)
    User = get_user_model()

    ew = Jurisdiction.objects.create(
        code="ew",
        name="England and Wales",
        time_zone="Europe/London",
        holiday_calendar="GB-ENG",
        rule_set="cpr",
    )
    us = Jurisdiction.objects.create(
        code="us-fed",
        name="United States federal courts",
        time_zone="America/New_York",
        holiday_calendar="US",
        rule_set="frcp",
    )
    high_court = Court.objects.create(
        jurisdiction=ew, name="High Court of Justice", division="Intellectual Property List"
    )
    appeal = Court.objects.create(
        jurisdiction=ew, name="Court of Appeal", division="Civil Division"
    )
    ndcal = Court.objects.create(
        jurisdiction=us,
        name="US District Court for the Northern District of California",
        time_zone="America/Los_Angeles",
    )

    users = User.objects.bulk_create(
        User(
            username=username,
            first_name=username.split("-")[0].title(),
            last_name="Bench",
            email=f"{username}@example.com",
        )
        for username in [
            "partner",
            "associate-1",
            "associate-2",
            "paralegal-1",
            "paralegal-2",
            "expert",
            "client",
        ]
    )
    partner, expert = users[0], users[5]
    matter = Matter.objects.create(
        reference="BEN-0001",
        title="Northwind Intelligence v Jadeport Holdings",
        description="API terms breach, misuse of confidential information, US trade secrets.",
        opened_on=date(2019, 3, 4),
    )
    team = [
        (Role.PARTNER, Clearance.AEO),
        (Role.ASSOCIATE, Clearance.AEO),
        (Role.ASSOCIATE, Clearance.CONFIDENTIAL),
        (Role.PARALEGAL, Clearance.CONFIDENTIAL),
        (Role.PARALEGAL, Clearance.STANDARD),
        (Role.EXPERT, Clearance.STANDARD),
        (Role.CLIENT, Clearance.STANDARD),
    ]
    MatterMembership.objects.bulk_create(
        MatterMembership(user=user, matter=matter, role=role, clearance=clearance)
        for user, (role, clearance) in zip(users, team, strict=True)
    )
    # A second, small matter of the same firm, so that scoping by matter has work to do.
    other = Matter.objects.create(
        reference="BEN-0002", title="Halberd v Quayline", opened_on=date(2024, 6, 3)
    )
    MatterMembership.objects.create(
        user=partner, matter=other, role=Role.PARTNER, clearance=Clearance.AEO
    )

    proceedings = [
        Proceeding.objects.create(
            matter=matter,
            court=high_court,
            case_number="IL-2019-000123",
            title="Northwind v Jadeport",
            our_side=PartyRole.CLAIMANT,
            issued_on=date(2019, 6, 14),
        ),
        Proceeding.objects.create(
            matter=matter,
            court=appeal,
            case_number="CA-2022-000871",
            title="Northwind v Jadeport (appeal on disclosure)",
            our_side=PartyRole.CLAIMANT,
            issued_on=date(2022, 2, 1),
            status=Proceeding.Status.CONCLUDED,
        ),
        Proceeding.objects.create(
            matter=matter,
            court=ndcal,
            case_number="3:21-cv-04417",
            title="Northwind Inc. v Jadeport US LLC",
            our_side=PartyRole.CLAIMANT,
            issued_on=date(2021, 9, 20),
        ),
    ]

    party_specs = [
        ("Northwind Intelligence UK Ltd", PartyRole.CLAIMANT, "GB"),
        ("Northwind Inc.", PartyRole.CLAIMANT, "US"),
        ("Jadeport Holdings Co., Ltd", PartyRole.DEFENDANT, "CN"),
        ("Jadeport US LLC", PartyRole.DEFENDANT, "US"),
        ("Jadeport Europe BV", PartyRole.DEFENDANT, "NL"),
        ("Quillon Data Services Ltd", PartyRole.THIRD_PARTY, "GB"),
        ("Information Commissioner", PartyRole.INTERVENER, "GB"),
        ("Harrow Cloud plc", PartyRole.NON_PARTY, "GB"),
    ]
    parties = Party.objects.bulk_create(
        Party(
            matter=matter,
            name=name,
            role=role,
            country=country,
            kind=(Party.Kind.STATE_BODY if role == PartyRole.INTERVENER else Party.Kind.COMPANY),
            solicitors="Harbour & Pike LLP" if role == PartyRole.DEFENDANT else "",
        )
        for name, role, country in party_specs
    )
    first_names = ["Maya", "Liang", "Tom", "Priya", "Oskar", "Helen", "Chen", "Ade", "Sara"]
    last_names = ["Armitage", "Wenhao", "Reyes", "Shah", "Lindqvist", "Okafor", "Morgan", "Zhou"]
    people = Person.objects.bulk_create(
        Person(
            matter=matter,
            name=f"{first_names[n % 9]} {last_names[n % 8]} {n // 72 + 1}",
            organisation=parties[n % len(parties)].name,
            party=parties[n % len(parties)],
            role=["Chief Technology Officer", "Engineer", "Account manager", "Counsel"][n % 4],
        )
        for n in range(40)
    )

    causes = [
        (0, "Breach of contract – the Northwind API Terms of Service"),
        (0, "Breach of confidence"),
        (0, "Unlawful means conspiracy"),
        (1, "Appeal against the disclosure order"),
        (2, "Misappropriation of trade secrets (18 U.S.C. § 1836)"),
        (2, "Computer Fraud and Abuse Act"),
    ]
    claims = Claim.objects.bulk_create(
        Claim(proceeding=proceedings[p], cause_of_action=cause, relief_sought="Damages.")
        for p, cause in causes
    )
    Claim.claimants.through.objects.bulk_create(
        Claim.claimants.through(claim=claim, party=parties[0 if p < 2 else 1])
        for claim, (p, _) in zip(claims, causes, strict=True)
    )
    Claim.defendants.through.objects.bulk_create(
        Claim.defendants.through(claim=claim, party=parties[2 if p < 2 else 3])
        for claim, (p, _) in zip(claims, causes, strict=True)
    )
    responses = {"denied": 50, "not_admitted": 25, "admitted": 15, "no_response": 10}
    allegations = []
    for n in range(allegation_count):
        claim = claims[n % len(claims)]
        number = n // len(claims) + 1
        paragraph = f"{number}" if n % 5 else f"{number}({'abc'[n % 3]})"
        allegations.append(
            Allegation(
                claim=claim,
                paragraph=paragraph,
                paragraph_sort=paragraph_sort_key(paragraph),  # what save() would derive
                text=(
                    f"On or after the date pleaded the Defendant, by its employees and agents, "
                    f"did the acts set out in Annex {number} in breach of clause {number % 9}."
                ),
                against=parties[2 + n % 3],
                response=pick(rng, responses),
            )
        )
    allegations = Allegation.objects.bulk_create(allegations, batch_size=BATCH)

    types_ = {
        "email": 40,
        "letter": 12,
        "log": 10,
        "contract": 5,
        "screenshot": 10,
        "report": 8,
        "statement": 3,
        "court_document": 7,
        "other": 5,
    }
    designations = {Clearance.STANDARD: 80, Clearance.CONFIDENTIAL: 12, Clearance.AEO: 8}
    prefixes = {"NWA": 35, "JAD": 30, "MA": 10, "LW": 8, "PR": 7, "DX": 10}
    numbers = dict.fromkeys(prefixes, 0)
    exhibits = []
    for n in range(exhibit_count):
        prefix = pick(rng, prefixes)
        numbers[prefix] += 1
        kind = pick(rng, types_)
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        exhibits.append(
            Exhibit(
                matter=matter,
                prefix=prefix,
                number=numbers[prefix],
                title=f"{kind.replace('_', ' ').capitalize()} of {day:%d %B %Y} ({n})",
                description="Produced on disclosure." if n % 3 else "",
                document_date=day,
                date_precision="day",
                author=people[n % len(people)].name,
                document_type=kind,
                party=parties[0 if prefix == "NWA" else 2 if prefix == "JAD" else n % 5],
                custodian=people[(n + 3) % len(people)].name,
                designation=pick(rng, designations),
                privileged=n % 97 == 0,
                status="reviewed" if n % 4 else "new",
                created_by=users[1 + n % 4],
            )
        )
    exhibits = Exhibit.objects.bulk_create(exhibits, batch_size=BATCH)
    # One file per exhibit, its preview ready (the page links a pinpoint to it).
    files = ExhibitFile.objects.bulk_create(
        (
            ExhibitFile(
                exhibit=exhibit,
                matter=matter,
                original_name=f"{exhibit.prefix}-{exhibit.number}.pdf",
                size=40_000 + 9_000 * (n % 50),
                sha256=f"{n:064x}",
                kind="pdf",
                mime="application/pdf",
                storage_key=f"sha256/{n:064x}",
                uploaded_by=exhibit.created_by,
                rendition="ready" if n % 20 else "pending",
                page_count=1 + (n * 7) % 120,
                text="",
            )
            for n, exhibit in enumerate(exhibits)
        ),
        batch_size=BATCH,
    )

    precisions = {"day": 70, "month": 10, "year": 3, "approximate": 10, "range": 7}
    statuses = {"agreed": 45, "disputed": 30, "unknown": 25}
    event_designations = {Clearance.STANDARD: 85, Clearance.CONFIDENTIAL: 10, Clearance.AEO: 5}
    zones = ["Europe/London", "Asia/Shanghai", "America/Los_Angeles"]
    verbs = ["sends", "receives", "signs", "publishes", "deletes", "approves", "queries"]
    objects_ = ["the API key", "the rate-limit report", "the licence", "the model weights"]
    events = []
    for n in range(event_count):
        precision = pick(rng, precisions)
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        event = Event(
            matter=matter,
            date=day,
            precision=precision,
            date_end=day + timedelta(days=rng.randrange(1, 90)) if precision == "range" else None,
            title=(
                f"{people[n % len(people)].name} {verbs[n % len(verbs)]} "
                f"{objects_[n % len(objects_)]} ({n})"
            ),
            description=(
                "Recorded in the access logs; the defence says the traffic was a load test."
                if n % 3
                else ""
            ),
            status=pick(rng, statuses),
            kind="procedural" if n % 10 == 0 else "fact",
            designation=pick(rng, event_designations),
            created_by=users[1 + n % 4],
        )
        if precision == "day" and n % 7 == 0:
            zone = zones[n % 3]
            event.occurred_at = datetime.combine(
                day, dtime(9 + n % 9, (n * 13) % 60), ZoneInfo(zone)
            )
            event.date = event.occurred_at.date()
            event.time_zone = zone
        event._derive()  # what save() would: date_last, sort_key
        events.append(event)
    events = Event.objects.bulk_create(events, batch_size=BATCH)

    through_rows = {"parties": [], "people": [], "allegations": []}
    counts = [0, 1, 2, 3]
    for event in events:
        for party in rng.sample(parties, rng.choices(counts, weights=[20, 45, 25, 10])[0]):
            through_rows["parties"].append(Event.parties.through(event=event, party=party))
        for person in rng.sample(people, rng.choices(counts, weights=[35, 35, 20, 10])[0]):
            through_rows["people"].append(Event.people.through(event=event, person=person))
        for allegation in rng.sample(allegations, rng.choices(counts, weights=[20, 30, 30, 20])[0]):
            through_rows["allegations"].append(
                Event.allegations.through(event=event, allegation=allegation)
            )
    for name, rows in through_rows.items():
        getattr(Event, name).through.objects.bulk_create(rows, batch_size=BATCH * 5)

    stances = {"supports": 65, "contradicts": 15, "context": 20}
    links = []

    def link(exhibit_index: int, **target) -> EvidenceLink:
        exhibit, exhibit_file = exhibits[exhibit_index], files[exhibit_index]
        with_file = rng.random() < 0.8
        first = rng.randrange(1, exhibit_file.page_count + 1)
        last = min(exhibit_file.page_count, first + rng.choice([0, 0, 1, 2, 5]))
        return EvidenceLink(
            matter=matter,
            exhibit=exhibit,
            exhibit_file=exhibit_file if with_file else None,
            pages=(str(first) if first == last else f"{first}-{last}") if with_file else "",
            paragraphs=f"{rng.randrange(1, 40)}" if rng.random() < 0.3 else "",
            stance=pick(rng, stances),
            note="See the highlighted passage." if rng.random() < 0.2 else "",
            created_by=users[1 + exhibit_index % 4],
            **target,
        )

    for event in events:
        for _ in range(rng.choices(counts, weights=[15, 35, 35, 15])[0]):
            links.append(link(rng.randrange(len(exhibits)), event=event))
    for allegation in allegations:
        for _ in range(rng.choice([0, 1, 2, 3, 4])):
            links.append(link(rng.randrange(len(exhibits)), allegation=allegation))
    EvidenceLink.objects.bulk_create(links, batch_size=BATCH)

    hearings = []
    for n in range(300):
        proceeding = proceedings[n % len(proceedings)]
        day = date(2019, 7, 1) + timedelta(days=rng.randrange(8 * 365))
        hearings.append(
            Hearing(
                proceeding=proceeding,
                kind=["cmc", "interim", "interim", "ptr", "other", "trial"][n % 6],
                title=f"Application {n}" if n % 3 == 0 else "",
                starts_at=datetime.combine(day, dtime(10, 30), proceeding.court.zone),
                time_estimate=["2 hours", "half a day", "1 day"][n % 3],
                venue="Rolls Building, Court 17" if n % 4 else "",
                remote_link="https://cvp.example.org/room/17" if n % 4 == 0 else "",
                status="heard" if day < date(2026, 1, 1) else "listed",
            )
        )
    Hearing.objects.bulk_create(hearings, batch_size=BATCH)
    deadlines = []
    for n in range(400):
        due = date(2019, 7, 1) + timedelta(days=rng.randrange(8 * 365))
        deadlines.append(
            Deadline(
                proceeding=proceedings[n % len(proceedings)],
                title=f"Serve step {n}",
                due_date=due,
                due_time=dtime(16, 0) if n % 5 == 0 else None,
                citation="CPR 15.4(1)(a)",
                status=(
                    DeadlineStatus.NOT_APPLICABLE
                    if n % 25 == 0
                    else DeadlineStatus.DONE
                    if due < date(2026, 1, 1)
                    else DeadlineStatus.OPEN
                ),
                designation=Clearance.CONFIDENTIAL if n % 15 == 0 else Clearance.STANDARD,
            )
        )
    Deadline.objects.bulk_create(deadlines, batch_size=BATCH)

    # The allegation bearing on the most events, for the filtered request.
    tally: dict[int, int] = {}
    for row in through_rows["allegations"]:
        tally[row.allegation_id] = tally.get(row.allegation_id, 0) + 1
    busiest = max(tally, key=tally.get)
    return {
        "matter": matter,
        "partner": partner,
        "expert": expert,
        "allegation": busiest,
        "rows": {
            "events": len(events),
            "exhibits": len(exhibits),
            "allegations": len(allegations),
            "evidence links": len(links),
            "event links": sum(1 for x in links if x.event_id),
            "event parties": len(through_rows["parties"]),
            "event people": len(through_rows["people"]),
            "event allegations": len(through_rows["allegations"]),
            "hearings": len(hearings),
            "deadlines": len(deadlines),
        },
    }


def install_minimal_view() -> str:
    """Serve the project's URLs plus bench/minimal/, a login_required HttpResponse("ok"),
    from a urlconf made here; returns its path."""
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.urls import clear_url_caches, include, path, set_urlconf

    @login_required
    def minimal(request):
        return HttpResponse("ok")

    module = types.ModuleType("bench_timeline_urls")
    module.urlpatterns = [
        path("bench/minimal/", minimal, name="bench-minimal"),
        path("", include("casemgr.urls")),
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    set_urlconf(None)
    return "/bench/minimal/"


class GCTimer:
    """Time spent in Python's cyclic garbage collector, through gc.callbacks."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started

    def __enter__(self) -> GCTimer:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self)


class Measure:
    def __init__(self, client, repeat: int) -> None:
        self.client = client
        self.repeat = repeat

    def __call__(self, url: str, *, repeat: int | None = None) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        response = self.client.get(url)  # warm-up
        times, collecting = [], []
        for _ in range(repeat or self.repeat):
            del response  # as a server would, before the next request
            with GCTimer() as gc_timer:
                started = time.perf_counter()
                response = self.client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            collecting.append(gc_timer.seconds * 1000)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(url)
        context = getattr(response, "context_data", None) or {}
        return {
            "status": response.status_code,
            "bytes": len(response.content),
            "median": statistics.median(times),
            "min": min(times),
            "max": max(times),
            "gc": statistics.mean(collecting),
            "queries": len(queries),
            "sql_ms": sum(float(q["time"]) for q in queries) * 1000,
            "entries": context["page"].paginator.count if "page" in context else None,
        }


def time_selector(matter, user, repeat: int) -> dict:
    """timeline_for() as the page calls it, without the request and the template: the order
    alone, and with the first page's entries and their details read."""
    from casemgr.timeline.selectors import timeline_for

    alone, with_page = [], []
    for _ in range(repeat + 1):
        timeline = None
        started = time.perf_counter()
        timeline = timeline_for(matter=matter, user=user)
        middle = time.perf_counter()
        timeline[:100]
        finished = time.perf_counter()
        alone.append((middle - started) * 1000)
        with_page.append((finished - started) * 1000)
    return {"all": statistics.median(alone[1:]), "page": statistics.median(with_page[1:])}


def line(label: str, figures: dict, minimal_ms: float | None) -> None:
    ratio = f"×{figures['median'] / minimal_ms:5.0f}" if minimal_ms else " " * 6
    print(
        f"  {label:<32} {figures['median']:6.1f} ms ({figures['min']:6.1f}–"
        f"{figures['max']:6.1f}) {ratio}  gc {figures['gc']:5.1f} ms  "
        f"{figures['queries']:2d} queries ({figures['sql_ms']:4.0f} ms SQL)  "
        f"{figures['status']} {figures['bytes'] / 1024:6.1f} KiB"
    )


def profile(client, url: str) -> None:
    """One page request under cProfile: its main steps, then the top functions."""
    from django.db.backends.utils import CursorWrapper
    from django.db.models import Model
    from django.forms import BoundField
    from django.template.loader_tags import IncludeNode
    from django.template.response import SimpleTemplateResponse
    from django.test import Client
    from django.urls import reverse

    from casemgr.timeline import selectors, views
    from casemgr.timeline.forms import TimelineFilterForm

    gc.collect()
    profiler = cProfile.Profile()
    with GCTimer() as gc_timer:
        profiler.enable()
        response = client.get(url)
        profiler.disable()
    assert response.status_code == 200, response.status_code
    stats = pstats.Stats(profiler)

    def row(function) -> tuple:
        code = function.__code__
        return stats.stats.get((code.co_filename, code.co_firstlineno, code.co_name), (0,) * 4)

    def cumulative(function) -> float:
        return row(function)[3]

    total = cumulative(Client.get)
    steps = [
        ("whole request (Client.get)", total),
        ("timeline_for: the order (3 queries)", selectors.timeline_for),
        ("  of which hearings", selectors._hearing_order),
        ("  of which deadlines", selectors._deadline_order),
        ("the page's entries (Timeline._items)", selectors.Timeline._items),
        ("  of which the events' details", selectors._event_details),
        ("filter form (its choices)", TimelineFilterForm.__init__),
        ("group_by_month", views.group_by_month),
        ("template rendering", SimpleTemplateResponse.render),
        ("  {% include %}s (entries, widgets)", IncludeNode.render),
        ("  filter form's fields", BoundField.as_widget),
        ("SQL (CursorWrapper._execute)", CursorWrapper._execute),
        ("model instances (Model.from_db)", Model.from_db.__func__),
        ("URLs (django.urls.reverse)", reverse),
        ("cyclic garbage collector", gc_timer.seconds),
    ]
    print(f"\nprofile of one page request ({url}), under cProfile (which slows Python down):")
    for label, what in steps:
        seconds, calls = (what, "") if isinstance(what, float) else (row(what)[3], row(what)[1])
        calls = f"{calls:7,} calls" if calls else ""
        print(f"  {label:<34} {seconds * 1000:8.1f} ms  {seconds / total:6.1%}  {calls}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(15)
    print("\n".join(out.getvalue().strip().splitlines()[3:]))
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(12)
    print("\nby own time (a collection is charged to the function it interrupted):")
    print("\n".join(out.getvalue().strip().splitlines()[5:]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--allegations", type=int, default=300)
    parser.add_argument("--exhibits", type=int, default=5_000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per line")
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    args = parser.parse_args()

    scratch_database.recreate(NAME)
    try:
        scratch_database.setup_django(NAME)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection, connections
        from django.test import Client
        from django.urls import reverse

        from casemgr.timeline.models import Event

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        made = fill(
            allegation_count=args.allegations,
            exhibit_count=args.exhibits,
            event_count=args.events,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"set-up: {time.perf_counter() - started:.0f} s")
        print("rows: " + ", ".join(f"{k} {v:,}" for k, v in made["rows"].items()))

        settings.DEBUG = False  # as served: no query log, no template debugging
        # WhiteNoise, with DEBUG off, looks for collected static files; none are needed.
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        logging.getLogger("django.request").setLevel(logging.ERROR)  # a page past the end: 404
        minimal_url = install_minimal_view()
        matter = made["matter"]
        page = reverse("timeline:timeline", kwargs={"matter_pk": matter.pk})
        api = reverse("api-timeline", kwargs={"matter_pk": matter.pk})

        for reader, clearance in [("partner", "AEO"), ("expert", "standard")]:
            user = made[reader]
            client = Client()
            client.force_login(user)
            measure = Measure(client, args.repeat)
            visible = Event.objects.visible_to(user).filter(matter=matter).count()
            print(
                f"\n{reader} (clearance {clearance}; sees {visible:,} of "
                f"{made['rows']['events']:,} events). A line: median (min–max) of "
                f"{args.repeat} requests after a warm-up, × the minimal view's median, mean "
                f"time in the cyclic garbage collector, queries and SQL time of one request, "
                f"status, size:"
            )
            minimal = measure(minimal_url, repeat=max(args.repeat, 5) * 5)
            line("minimal view (login_required)", minimal, None)
            plain = measure(page)
            line("timeline page", plain, minimal["median"])
            print(f"    {plain['entries']:,} entries, 100 a page")
            selector = time_selector(matter, user, args.repeat)
            print(
                f"    selector alone (no HTTP, no HTML), median: timeline_for() "
                f"{selector['all']:.1f} ms, with page 1's entries {selector['page']:.1f} ms"
            )
            if reader == "partner":
                one_year = "date_from=2021-01-01&date_to=2021-12-31"
                lines = [
                    (f"?allegation={made['allegation']}", f"?allegation={made['allegation']}"),
                    ("?date_from=2021-01-01&date_to=…", f"?{one_year}"),
                    ("?page=50", "?page=50"),
                ]
                for label, query in lines:
                    figures = measure(page + query)
                    line(label, figures, minimal["median"])
                    print(f"    {figures['entries']:,} entries")
            api_lines = [("API, page 1 (50 entries)", api)]
            if reader == "partner":
                api_lines.append(("API ?page=100", f"{api}?page=100"))
            for label, url in api_lines:
                line(label, measure(url), minimal["median"])
        if args.profile:
            client = Client()
            client.force_login(made["partner"])
            client.get(page)
            profile(client, page)
        connections.close_all()
    finally:
        scratch_database.recreate(NAME, drop_only=True)


if __name__ == "__main__":
    main()
