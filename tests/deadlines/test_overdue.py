"""Overdue reads the same everywhere a deadline is listed, and the dashboard and a matter's
overview show what is overdue and what comes next."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from casemgr.access.models import Clearance
from casemgr.deadlines.models import Deadline, DeadlineStatus, TriggerEvent
from casemgr.deadlines.services import deadline_save
from tests.factories import ProceedingFactory

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)  # Wednesday 9 December in London

OVERDUE = re.compile(r'<span class="[^"]*\bdeadline-state--overdue\b[^"]*">Overdue</span>')
OPEN = re.compile(r"\bdeadline-state--open\b")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def make_deadline(world, title, due, *, proceeding=None, responsible=None, **fields):
    return deadline_save(
        deadline=Deadline(
            proceeding=proceeding or world.proceeding, title=title, due_date=due, **fields
        ),
        actor=world.partner,
        responsible=responsible,
    )


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_an_overdue_deadline_reads_overdue_on_every_page_that_lists_it(client, world, frozen):
    trigger = TriggerEvent.objects.create(
        proceeding=world.proceeding,
        event="decision",
        occurred_at=datetime(2026, 11, 10, 12, 0, tzinfo=UTC),
    )
    computed = make_deadline(world, "Appellant's notice", date(2026, 12, 1), trigger=trigger)
    by_hand = make_deadline(world, "Serve list of issues", date(2026, 12, 7))
    client.force_login(world.partner)
    matter = world.matter.pk
    for url in [
        reverse("dashboard"),
        reverse("matters:overview", args=[matter]),
        world.proceeding.get_absolute_url(),
        reverse("deadlines:deadlines", args=[matter]),
        reverse("deadlines:mine"),
        reverse("timeline:timeline", args=[matter]),
    ]:
        html = page(client, url)
        assert len(OVERDUE.findall(html)) == 2, url
        # Nothing live and on time here: no "Open" beside an overdue deadline.
        assert not OPEN.search(html), url
    for deadline in (computed, by_hand):
        html = page(client, deadline.get_absolute_url())
        assert len(OVERDUE.findall(html)) == 1


def test_a_deadline_met_or_on_time_is_not_overdue(client, world, frozen):
    make_deadline(world, "Filed in time", date(2026, 12, 1), status=DeadlineStatus.DONE)
    make_deadline(world, "Next month", date(2027, 1, 20))
    client.force_login(world.partner)
    html = page(client, reverse("deadlines:deadlines", args=[world.matter.pk]) + "?status=all")
    assert not OVERDUE.search(html)
    assert "deadline-state--done" in html and "deadline-state--open" in html


def test_the_dashboard_lists_every_overdue_deadline_and_the_next_ones(client, world, frozen):
    for day in range(1, 9):
        make_deadline(world, f"Overdue {day}", date(2026, 12, day))
    for day in range(10, 17):
        make_deadline(world, f"Ahead {day}", date(2026, 12, day))
    make_deadline(world, "AEO overdue", date(2026, 11, 30), designation=Clearance.AEO)
    elsewhere = ProceedingFactory(matter=world.other_matter)
    make_deadline(world, "Another matter's", date(2026, 12, 2), proceeding=elsewhere)

    client.force_login(world.partner)
    html = page(client, reverse("dashboard"))
    for day in range(1, 9):
        assert f"Overdue {day}<" in html
    assert "AEO overdue" in html
    # The next five still to come, in date order, and no further.
    shown = [day for day in range(10, 17) if f"Ahead {day}<" in html]
    assert shown == [10, 11, 12, 13, 14]
    assert html.index("Overdue 8<") < html.index("Ahead 10<")
    assert "Another matter" not in html

    client.force_login(world.paralegal)  # confidential clearance, not AEO
    html = page(client, reverse("dashboard"))
    assert "AEO overdue" not in html
    assert len(OVERDUE.findall(html)) == 8


def test_the_overview_lists_the_matters_overdue_and_next_deadlines(client, world, frozen):
    make_deadline(world, "Serve list of issues", date(2026, 12, 7))
    make_deadline(world, "Exchange expert reports", date(2026, 12, 14))
    elsewhere = ProceedingFactory(matter=world.other_matter)
    make_deadline(world, "Another matter's", date(2026, 12, 2), proceeding=elsewhere)
    client.force_login(world.partner)
    html = page(client, reverse("matters:overview", args=[world.matter.pk]))
    assert "Serve list of issues" in html and "Exchange expert reports" in html
    assert len(OVERDUE.findall(html)) == 1
    assert "Another matter" not in html


def test_nothing_overdue_and_nothing_ahead_says_so(client, world, frozen):
    client.force_login(world.partner)
    html = page(client, reverse("dashboard"))
    assert "No open deadlines in your matters." in html


def test_deadlines_on_the_dashboard_cost_the_same_however_many(
    client, world, frozen, django_assert_max_num_queries
):
    for day in range(1, 31):
        make_deadline(world, f"Overdue {day}", date(2026, 11, day), responsible=[world.associate])
        make_deadline(world, f"Ahead {day}", date(2027, 1, day))
    client.force_login(world.partner)
    for url in [reverse("dashboard"), reverse("matters:overview", args=[world.matter.pk])]:
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200
