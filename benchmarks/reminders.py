"""One reminder sweep against a year's worth of reminders: time, queries, the claim, the floor.

    .venv/bin/python benchmarks/reminders.py [--deadlines 100000] [--rounds 3]

Creates a PostgreSQL database of its own (casemgr_bench_reminders on the server of
BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432) and drops it at the end.
Fills it with open deadlines spread over the coming year across a few matters, five
reminder rows each (14, 7, 3, 1 and 0 days before, 08:00 London): the rows whose day has
passed are already sent, today's are due. E-mail goes to the in-memory outbox, so that
only casemgr's side of a sweep is measured. Prints:
- the rows in the table and the rows due;
- EXPLAIN ANALYZE of the sweep's read of a batch (whether it reads the partial index
  reminder_due_idx) and of one e-mail's claim (the UPDATE marking its rows sent);
- per round (the due rows are made unsent again and the table vacuumed between rounds):
  the floor, one statement claiming every due row (`UPDATE … WHERE id IN (SELECT … FOR
  UPDATE SKIP LOCKED) RETURNING …`, rolled back), then one sweep: its wall time, its claim
  and scan part (the sweep less composing the e-mails and handing them over), e-mails per
  second, queries per e-mail; and the medians over the rounds with the ratio of claim and
  scan to the floor;
- a second sweep, with nothing left due.
"""

from __future__ import annotations

import argparse
import collections
import statistics
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


def captured(function) -> list[str]:
    """The SQL `function()` runs, in a transaction rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        function()
        transaction.set_rollback(True)
    return [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def explain(sql: str) -> str:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def plans() -> dict[str, str]:
    """EXPLAIN ANALYZE of the sweep's two reads of a batch (the due rows' readers, then their
    rows with what the e-mails show) and of the first e-mail's claim."""
    from django.utils import timezone

    from casemgr.deadlines.reminders import _mark_sent, _scan

    now = timezone.now()
    reads = captured(lambda: _scan(now))
    found = {"scan: the due rows' readers": explain(reads[0])}
    if len(reads) < 2:
        return found  # nothing due

    def claim_first():
        messages = _scan(now)
        if messages:
            _mark_sent(messages[0], due_by=now, now=now)

    claim = [sql for sql in captured(claim_first) if "SKIP LOCKED" in sql]
    found["scan: their rows, with what the e-mails show"] = explain(reads[1])
    if claim:
        found["one e-mail's claim (UPDATE)"] = explain(claim[0])
    return found


def floor() -> tuple[float, int]:
    """One statement claiming every due row, in a transaction rolled back: seconds, rows."""
    from django.db import connection, transaction
    from django.utils import timezone

    from casemgr.deadlines.models import Reminder

    table = connection.ops.quote_name(Reminder._meta.db_table)
    sql = (
        f"UPDATE {table} SET sent_at = %s, sent_for_date = for_date WHERE id IN ("
        f"SELECT id FROM {table} WHERE sent_at IS NULL AND send_at <= %s "
        "ORDER BY send_at, id FOR UPDATE SKIP LOCKED) "
        "RETURNING id, user_id, deadline_id, hearing_id, for_date"
    )
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, [now, now])
        claimed = len(cursor.fetchall())
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds, claimed


def sweep():
    """One sweep: e-mails sent, wall seconds, seconds composing and handing over, queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casemgr.core import mail as core_mail
    from casemgr.deadlines import reminders

    spent = [0.0]

    def timed(function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started

        return wrapper

    compose, hand_over = reminders._compose, core_mail.Postman.hand_over
    reminders._compose, core_mail.Postman.hand_over = timed(compose), timed(hand_over)
    try:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            sent = reminders.reminders_send_due()
            seconds = time.perf_counter() - started
    finally:
        reminders._compose, core_mail.Postman.hand_over = compose, hand_over
    return sent, seconds, spent[0], queries.captured_queries


def report_plan(label: str, plan: str, *, full: bool) -> None:
    def figure(name: str) -> str:
        return next(
            (line.split(":", 1)[1].strip() for line in plan.splitlines() if name in line), "?"
        )

    scan = next((line for line in plan.splitlines() if "reminder_due_idx" in line), "")
    used = "reads reminder_due_idx" if scan else "does not read reminder_due_idx"
    if scan and full:
        used += f", {int(scan.rsplit('rows=', 1)[1].split()[0]):,} rows of it"
    print(
        f"\n{label}: execution {figure('Execution Time')}, "
        f"planning {figure('Planning Time')}; {used}"
    )
    if full:
        print("\n".join("    " + line for line in plan.splitlines()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
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
        # Keep every query of the sweep, not just Django's last 9,000.
        connection.queries_log = collections.deque(maxlen=None)
        total = Reminder.objects.count()
        unsent = Reminder.objects.filter(sent_at=None).count()
        due_ids = list(
            Reminder.objects.filter(sent_at=None, send_at__lte=datetime.now(UTC)).values_list(
                "pk", flat=True
            )
        )
        deadline_count = Deadline.objects.filter(status=Deadline.Status.OPEN).count()
        print(
            f"reminder rows: {total:,} for {deadline_count:,} open deadlines; "
            f"unsent (in reminder_due_idx): {unsent:,}; due now: {len(due_ids):,}"
        )
        for label, plan in plans().items():
            report_plan(label, plan, full=True)

        results = []
        for round_number in range(1, args.rounds + 1):
            floor_seconds, claimed = floor()
            mail.outbox = []
            sent, seconds, sending, queries = sweep()
            claim_scan = seconds - sending
            claims = [q for q in queries if "SKIP LOCKED" in q["sql"]]
            kinds = collections.Counter(q["sql"].split()[0] for q in queries)
            waits = collections.Counter()
            for q in queries:
                waits[q["sql"].split()[0]] += float(q["time"])
            print(
                f"\nround {round_number}: floor, one statement claiming {claimed:,} rows: "
                f"{floor_seconds * 1000:.0f} ms\n"
                f"  sweep: {sent:,} e-mails ({len(mail.outbox):,} in the outbox) in "
                f"{seconds:.2f} s, {sent / seconds:,.0f} e-mails/s; claim and scan "
                f"{claim_scan:.2f} s ({claim_scan / floor_seconds:.1f}x the floor), composing "
                f"and handing over {sending:.2f} s\n"
                f"  {len(queries):,} queries, {len(queries) / max(sent, 1):.2f} per e-mail "
                f"{dict(kinds)}; {len(claims):,} claims\n"
                f"  time in the database by statement: "
                + ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in waits.items())
            )
            results.append((floor_seconds, seconds, claim_scan, len(queries) / max(sent, 1)))
            # The same rows due again for the next round, and the table as a day's sweep
            # finds it (no dead rows in the index).
            Reminder.objects.filter(pk__in=due_ids).update(sent_at=None, sent_for_date=None)
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {Reminder._meta.db_table}")

        medians = [statistics.median(column) for column in zip(*results, strict=True)]
        floor_s, sweep_s, claim_s, per_email = medians
        print(
            f"\nmedian of {args.rounds} rounds: floor {floor_s * 1000:.0f} ms; sweep "
            f"{sweep_s:.2f} s ({sweep_s / floor_s:.1f}x the floor); claim and scan "
            f"{claim_s:.2f} s ({claim_s / floor_s:.1f}x the floor); "
            f"{per_email:.2f} queries per e-mail"
        )

        sweep()  # send them, then a sweep that finds nothing
        plan = plans()["scan: the due rows' readers"]
        report_plan("scan, nothing due", plan, full=False)
        sent, seconds, _, queries = sweep()
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
