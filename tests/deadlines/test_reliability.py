"""Each reminder arrives exactly once, even when the mail worker is killed mid-sweep.

The real stack: the test database, Redis, a Celery worker with its embedded beat (a separate
process group, so SIGKILL takes the worker, its forked children and beat at once, as an OOM
kill or a lost machine would) and an SMTP server on loopback (aiosmtpd) that notes the
reminder ids of every message it receives. 500 reminders are due; the worker is killed
five times while messages are arriving and started again; in the end every id must have
arrived once and every row be marked sent.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from email.parser import BytesHeaderParser
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.utils import timezone

from casemgr.access.models import Clearance, MatterMembership, Role
from casemgr.deadlines.models import Deadline, Reminder
from tests.factories import MatterFactory, ProceedingFactory, UserFactory
from tests.worker_process import Worker, database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database no other test uses
DUE = 500
PEOPLE = 50
KILL_AFTER = (50, 120, 190, 260, 330)  # arrivals at which the worker is killed...
KILL_JITTER = 0.025  # ...within this many seconds (about one message's time)


class Mailbox:
    """An SMTP handler that notes the X-Casemgr-Reminders header of each message.

    A message counts as arrived once the server holds all of it (the final dot), before
    it answers: a real server that has the message delivers it even if the client is gone
    before reading the 250. It takes its time over each recipient and each message, as a
    server across a network would: a sweep lasts seconds, so the kills land mid-sweep, and
    a sweep that marked rows sent before handing the message over (a kill loses it) or only
    after reading the 250 (a kill repeats it) would likely be caught."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: list[int] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(0.002)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.original_content)
        ids = [int(pk) for pk in headers["X-Casemgr-Reminders"].split(",")]
        with self._lock:
            self._ids.extend(ids)
        await asyncio.sleep(0.004)
        return "250 Message accepted for delivery"

    def ids(self) -> list[int]:
        with self._lock:
            return list(self._ids)

    def __len__(self) -> int:
        with self._lock:
            return len(self._ids)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox():
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def make_due_reminders() -> list[int]:
    """DUE unsent reminders whose time has passed: PEOPLE members × DUE / PEOPLE open
    deadlines, one e-mail each (nobody has a digest time)."""
    matter = MatterFactory()
    proceeding = ProceedingFactory(matter=matter)
    people = [UserFactory() for _ in range(PEOPLE)]
    MatterMembership.objects.bulk_create(
        MatterMembership(
            user=person, matter=matter, role=Role.PARALEGAL, clearance=Clearance.CONFIDENTIAL
        )
        for person in people
    )
    due_date = timezone.localdate() + timedelta(days=7)
    deadlines = Deadline.objects.bulk_create(
        Deadline(
            proceeding=proceeding,
            title=f"Reply to defence {n}",
            citation="CPR 15.8",
            due_date=due_date,
            designation=Clearance.CONFIDENTIAL if n % 2 else Clearance.STANDARD,
        )
        for n in range(DUE // PEOPLE)
    )
    now = timezone.now()
    reminders = Reminder.objects.bulk_create(
        Reminder(
            deadline=deadline,
            user=person,
            offset_days=7,
            for_date=due_date,
            send_at=now - timedelta(seconds=n),
        )
        for n, (deadline, person) in enumerate(
            (deadline, person) for deadline in deadlines for person in people
        )
    )
    return [reminder.pk for reminder in reminders]


def worker_env(smtp_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casemgr.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "REMINDER_SWEEP_SECONDS": "1",
        "SITE_URL": "http://testserver",
    }


def test_every_reminder_arrives_once_though_the_worker_is_killed_mid_sweep(mailbox, tmp_path):
    inbox, smtp_port = mailbox
    expected = make_due_reminders()
    assert len(expected) == DUE
    redis.Redis.from_url(REDIS_URL).flushdb()
    unsent = Reminder.objects.filter(sent_at=None)

    worker = Worker(env=worker_env(smtp_port), folder=Path(tempfile.mkdtemp(dir=tmp_path)))
    killed_at = []
    try:
        worker.start()
        for threshold in KILL_AFTER:
            assert worker.wait_until(
                lambda t=threshold: len(inbox) >= t,
                seconds=30,
            ), f"only {len(inbox)} messages arrived, waiting for {threshold}"
            # A crash is not timed by the mail server. Killing the instant a message arrives
            # would aim every kill at the gap between that message's final dot and the
            # COMMIT marking it sent, which no ordering of the two can close (core/mail.py).
            time.sleep(random.uniform(0, KILL_JITTER))
            worker.kill()
            killed_at.append(len(inbox))
            assert killed_at[-1] < DUE, f"the sweep was over before the kill: {killed_at}"
            worker.start()
        finished = worker.wait_until(
            lambda: len(set(inbox.ids())) >= DUE and not unsent.exists(),
            seconds=90,
            every=0.1,
        )
        time.sleep(3)  # any message sent twice has time to arrive
    except BaseException:
        print(worker.output())
        raise
    finally:
        log = worker.output()
        worker.close()
        redis.Redis.from_url(REDIS_URL).flushdb()

    arrived = Counter(inbox.ids())
    duplicates = sorted(pk for pk, times in arrived.items() if times > 1)
    missing = sorted(set(expected) - set(arrived))
    strangers = sorted(set(arrived) - set(expected))
    context = (
        f"killed after {killed_at} arrivals; {len(arrived)} distinct ids, "
        f"{sum(arrived.values())} messages"
    )
    postponed = list(
        Reminder.objects.exclude(last_error="").values_list("pk", "attempts", "last_error")
    )
    assert not duplicates, f"sent more than once: {duplicates} ({context})"
    assert not missing, f"never arrived: {missing}; postponed: {postponed} ({context})"
    assert not strangers, f"unexpected ids: {strangers} ({context})"
    assert finished, f"the sweep did not finish in time ({context})\n{log}"
    still_unsent = sorted(unsent.values_list("pk", flat=True))
    assert still_unsent == [], f"arrived but not marked sent: {still_unsent} ({context})"
