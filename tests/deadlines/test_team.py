"""A partner's "my team" view of My deadlines: every member's open and overdue deadlines in
the matters they are partner of – and nothing beyond those matters or their clearance."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from casemgr.access.models import Clearance, Role
from casemgr.deadlines.models import Deadline, DeadlineStatus
from casemgr.deadlines.services import deadline_save
from tests.factories import MatterFactory, ProceedingFactory, UserFactory, member

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
TEAM = reverse("deadlines:mine") + "?view=team"
OVERDUE = re.compile(r'class="[^"]*\bdeadline-state--overdue\b[^"]*">Overdue</span>')


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def make_deadline(world, title, due, *, proceeding=None, responsible=(), **fields):
    return deadline_save(
        deadline=Deadline(
            proceeding=proceeding or world.proceeding, title=title, due_date=due, **fields
        ),
        actor=world.partner,
        responsible=list(responsible),
    )


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_partner_switches_to_the_teams_deadlines(client, world, frozen):
    make_deadline(world, "Serve list of issues", date(2026, 12, 7), responsible=[world.associate])
    make_deadline(world, "Paginate the bundle", date(2026, 12, 20), responsible=[world.paralegal])
    make_deadline(
        world,
        "Costs budget",
        date(2026, 11, 20),
        responsible=[world.paralegal],
        status=DeadlineStatus.DONE,
    )
    client.force_login(world.partner)

    mine = page(client, reverse("deadlines:mine"))
    assert "Serve list of issues" not in mine and "Paginate the bundle" not in mine
    assert 'href="?view=team"' in mine  # the switch

    team = page(client, TEAM)
    assert "Serve list of issues" in team and "Paginate the bundle" in team
    assert "Costs budget" not in team  # done
    assert len(OVERDUE.findall(team)) == 1
    assert world.associate.get_full_name() in team  # who answers for each
    assert re.search(r'<a href="\?view=team"[^>]*aria-current="page"', team)
    assert not re.search(r'<a href="/deadlines/"[^>]*aria-current="page"', team)


def test_the_team_is_only_that_of_matters_the_partner_leads(client, world, frozen):
    # On a third matter the partner is only an associate: its deadlines are not theirs to
    # oversee, whoever holds them.
    other_partner = UserFactory(username="other-partner")
    third = MatterFactory(reference="ZZZ-0003")
    member(world.partner, third, Role.ASSOCIATE, Clearance.AEO)
    member(other_partner, third, Role.PARTNER, Clearance.AEO)
    make_deadline(
        world,
        "Someone else's matter",
        date(2026, 12, 7),
        proceeding=ProceedingFactory(matter=third),
        responsible=[other_partner],
    )
    # The outsider's matter, where the partner is nobody.
    make_deadline(
        world,
        "Outsider's matter",
        date(2026, 12, 7),
        proceeding=ProceedingFactory(matter=world.other_matter),
        responsible=[world.outsider],
    )
    make_deadline(world, "Ours", date(2026, 12, 7), responsible=[world.associate])
    client.force_login(world.partner)
    team = page(client, TEAM)
    assert "Ours" in team
    assert "Someone else" not in team and "ZZZ-0003" not in team
    assert "Outsider" not in team and world.other_matter.reference not in team


def test_the_team_view_stays_within_the_partners_clearance(client, world, frozen):
    limited = UserFactory(username="limited-partner")
    member(limited, world.matter, Role.PARTNER, Clearance.CONFIDENTIAL)
    make_deadline(
        world,
        "Serve the AEO annex",
        date(2026, 12, 7),
        responsible=[world.associate],
        designation=Clearance.AEO,
    )
    make_deadline(world, "Serve the open annex", date(2026, 12, 7), responsible=[world.associate])
    client.force_login(limited)
    team = page(client, TEAM)
    assert "Serve the open annex" in team
    assert "AEO annex" not in team


@pytest.mark.parametrize("username", ["associate", "paralegal", "expert", "client"])
def test_only_partners_have_a_team_view(client, world, frozen, username):
    make_deadline(world, "The associate's", date(2026, 12, 7), responsible=[world.associate])
    make_deadline(world, "The paralegal's", date(2026, 12, 8), responsible=[world.paralegal])
    user = world.user(username)
    client.force_login(user)
    mine = page(client, reverse("deadlines:mine"))
    assert "view=team" not in mine
    # Asking by URL changes nothing: still their own list.
    forced = page(client, TEAM)
    for title in ("The associate&#x27;s", "The paralegal&#x27;s"):
        assert (title in forced) == (title in mine), title
    assert not (username == "associate" and "The paralegal&#x27;s" in forced)
