"""What a sweep costs the database: a fixed number of queries to read a batch of due rows
with everything their e-mails show, then one statement per e-mail (plus the transaction
that makes its "sent" mark and its hand-over one)."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casemgr.deadlines import reminders
from casemgr.deadlines.models import Deadline, Reminder, ReminderPreference
from casemgr.deadlines.reminders import reminders_send_due
from casemgr.deadlines.services import deadline_save

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
# Reading a batch (the due rows' readers, then their rows with what the e-mails show) and
# the last read that finds nothing more.
READS = 3


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_deadlines(world, count, *, responsible=None):
    """`count` deadlines due in 14 days: today is each one's 14-day reminder."""
    for n in range(count):
        deadline = Deadline(
            proceeding=world.proceeding,
            title=f"Step {n}",
            citation="CPR 15.4(1)(a)",
            due_date=date(2026, 12, 15),
        )
        deadline_save(deadline=deadline, actor=world.partner, responsible=responsible)


def sweep():
    with CaptureQueriesContext(connection) as queries:
        sent = reminders_send_due()
    statements = [q["sql"] for q in queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    return sent, len(queries), statements


@pytest.mark.parametrize("deadlines", [1, 6])
def test_a_sweep_costs_one_statement_per_email_beyond_a_fixed_few(world, frozen, deadlines):
    make_deadlines(world, deadlines)  # the whole team: one e-mail a person a deadline
    due = Reminder.objects.filter(sent_at=None, send_at__lte=NOW)
    emails = len(set(due.values_list("user", "deadline")))
    assert emails >= 2 * deadlines
    sent, total, statements = sweep()
    assert sent == len(mail.outbox) == emails
    assert len(statements) <= READS + sent, "\n".join(statements)
    # BEGIN and COMMIT (here SAVEPOINT and RELEASE) around each e-mail and each read.
    assert total <= 3 * READS + 3 * sent
    assert not due.exists()


def test_a_digest_read_across_two_batches_is_still_one_email(world, frozen, monkeypatch):
    ReminderPreference.objects.create(
        user=world.associate, offsets=[14], digest_time=time(7, 30), time_zone="Europe/London"
    )
    make_deadlines(world, 3, responsible=[world.associate])
    monkeypatch.setattr(reminders, "SCAN_ROWS", 1)  # a batch begins with one due row
    assert reminders_send_due() == 1
    [digest] = mail.outbox
    assert "3 reminders" in digest.subject
