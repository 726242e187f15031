"""One reminder sweep against a year's worth of reminders: time, queries, the claim query.

    .venv/bin/python benchmarks/reminders.py [--deadlines 100000]

Creates a PostgreSQL database of its own (casemgr_bench_reminders on the server of
BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432) and drops it at the end.
Fills it with open deadlines spread over the coming year across a few matters, five
reminder rows each (14, 7, 3, 1 and 0 days before, 08:00 London): the rows whose day has
passed are already sent, today's are due. E-mail goes to the in-memory outbox, so that
only casemgr's side of a sweep is measured. Prints:
- the rows in the table, the rows due, the e-mails one sweep sent, its wall time, e-mails
  per second, its query count and queries per e-mail;
- EXPLAIN ANALYZE of the query that finds (and locks) the next due row, and whether it
  reads the partial index reminder_due_idx;
- the same for a second sweep, with nothing left due.
"""

from __future__ import annotations

import argparse
import collections
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import scratch_database  # benchmarks/, beside this script

NAME = "casemgr_bench_reminders"
OFFSETS = (14, 7, 3, 1, 0)
MATTERS = 5
PROCEEDINGS_PER_MATTER = 2
MEMBERS_PER_MATTER = 20
LONDON = ZoneInfo("Europe/London")


def fill(deadline_count: int) -> None:
    """Deadline i falls 1 + i mod 365 days from today; its reminder rows whose day is
    before today are sent, today's are due (an hour ago), later ones wait."""
    from django.contrib.auth import get_user_model

    from casemgr.access.models import Clearance, MatterMembership, Role
    from casemgr.deadlines.models import Deadline, Reminder
    from casemgr.matters.models import Court, Jurisdiction, Matter, Proceeding

    jurisdiction = Jurisdiction.objects.create(
        code="ew",
        name="England and Wales",
        time_zone="Europe/London",
        holiday_calendar="GB-ENG",
        rule_set="cpr",
    )
    court = Court.objects.create(
        jurisdiction=jurisdiction,
        name="High Court of Justice",
        division="Intellectual Property List",
    )
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"fee-earner-{n}", email=f"fee-earner-{n}@example.com")
        for n in range(MATTERS * MEMBERS_PER_MATTER)
    )
    proceedings, members = [], []
    for m in range(MATTERS):
        matter = Matter.objects.create(
            reference=f"BEN-{m:04d}", title=f"Benchmark matter {m}", opened_on=date(2026, 1, 5)
        )
        team = users[m * MEMBERS_PER_MATTER : (m + 1) * MEMBERS_PER_MATTER]
        MatterMembership.objects.bulk_create(
            MatterMembership(user=u, matter=matter, role=Role.ASSOCIATE, clearance=Clearance.AEO)
            for u in team
        )
        for p in range(PROCEEDINGS_PER_MATTER):
            proceedings.append(
                Proceeding.objects.create(
                    matter=matter,
                    court=court,
                    case_number=f"IL-2026-{m:03d}{p:03d}",
                    title=f"Claimant {m} v Defendant {p}",
                    our_side="claimant",
                )
            )
            members.append(team)

    today = datetime.now(LONDON).date()
    now = datetime.now(UTC)
    deadlines = Deadline.objects.bulk_create(
        (
            Deadline(
                proceeding=proceedings[n % len(proceedings)],
                title=f"Step {n}",
                citation="CPR 15.4(1)(a)",
                due_date=today + timedelta(days=1 + n % 365),
            )
            for n in range(deadline_count)
        ),
        batch_size=5_000,
    )

    def rows():
        for n, deadline in enumerate(deadlines):
            user = members[n % len(proceedings)][(n // len(proceedings)) % MEMBERS_PER_MATTER]
            for offset in OFFSETS:
                day = deadline.due_date - timedelta(days=offset)
                if day == today:
                    send_at, sent_at = now - timedelta(hours=1), None
                else:
                    send_at = datetime.combine(day, datetime.min.time().replace(hour=8), LONDON)
                    sent_at = send_at if day < today else None
                yield Reminder(
                    user=user,
                    deadline=deadline,
                    offset_days=offset,
                    for_date=deadline.due_date,
                    send_at=send_at,
                    sent_at=sent_at,
                )

    Reminder.objects.bulk_create(rows(), batch_size=10_000)


def claim_plan() -> str:
    """EXPLAIN ANALYZE of the query the sweep runs to find and lock the next due row: the
    first one `_claim` sends, captured and explained in transactions rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from casemgr.deadlines.reminders import _claim

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        _claim(timezone.now())
        transaction.set_rollback(True)
    sql = next(q["sql"] for q in queries if "SKIP LOCKED" in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def sweep():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casemgr.deadlines.reminders import reminders_send_due

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        sent = reminders_send_due()
        seconds = time.perf_counter() - started
    return sent, seconds, queries.captured_queries


def report_plan(label: str, plan: str, *, full: bool) -> None:
    def figure(name: str) -> str:
        return next(
            (line.split(":", 1)[1].strip() for line in plan.splitlines() if name in line), "?"
        )

    scan = next((line for line in plan.splitlines() if "reminder_due_idx" in line), "")
    used = "reads reminder_due_idx" if scan else "does NOT read reminder_due_idx"
    if scan and full:
        used += f", {int(scan.rsplit('rows=', 1)[1].split()[0]):,} rows of it to lock one"
    print(
        f"\nclaim query, {label}: execution {figure('Execution Time')}, "
        f"planning {figure('Planning Time')}; {used}"
    )
    if full:
        print("\n".join("    " + line for line in plan.splitlines()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deadlines", type=int, default=100_000)
    args = parser.parse_args()

    scratch_database.recreate(NAME)
    try:
        scratch_database.setup_django(NAME)
        from django.conf import settings
        from django.core import mail
        from django.core.management import call_command
        from django.db import connection, connections

        from casemgr.deadlines.models import Deadline, Reminder

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        fill(args.deadlines)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"set-up: {time.perf_counter() - started:.0f} s")

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        mail.outbox = []
        # Keep every query of the sweep, not just Django's last 9,000.
        connection.queries_log = collections.deque(maxlen=None)
        total = Reminder.objects.count()
        unsent = Reminder.objects.filter(sent_at=None).count()
        due = Reminder.objects.filter(sent_at=None, send_at__lte=datetime.now(UTC)).count()
        deadline_count = Deadline.objects.filter(status=Deadline.Status.OPEN).count()
        print(
            f"reminder rows: {total:,} for {deadline_count:,} open deadlines; "
            f"unsent (in reminder_due_idx): {unsent:,}; due now: {due:,}"
        )
        report_plan(f"{due:,} due", claim_plan(), full=True)

        sent, seconds, queries = sweep()
        claims = [q for q in queries if "SKIP LOCKED" in q["sql"]]
        claim_ms = sum(float(q["time"]) for q in claims) * 1000
        print(
            f"\nsweep: {sent:,} e-mails ({len(mail.outbox):,} in the outbox) in {seconds:.2f} s, "
            f"{sent / seconds:,.0f} e-mails/s"
        )
        kinds = collections.Counter(q["sql"].split()[0] for q in queries)
        print(
            f"       {len(queries):,} queries, {len(queries) / max(sent, 1):.1f} per e-mail "
            f"{dict(kinds)}"
        )
        print(
            f"       claim queries: {len(claims):,}, {claim_ms / max(len(claims), 1):.2f} ms "
            f"each, {claim_ms / 1000 / seconds:.0%} of the sweep's time"
        )

        report_plan("nothing due", claim_plan(), full=False)
        sent, seconds, queries = sweep()
        kinds = collections.Counter(q["sql"].split()[0] for q in queries)
        print(
            f"\nsecond sweep, nothing due: {sent} e-mails in {seconds * 1000:.1f} ms, "
            f"{len(queries)} queries {dict(kinds)}"
        )
        connections.close_all()
    finally:
        scratch_database.recreate(NAME, drop_only=True)


if __name__ == "__main__":
    main()
