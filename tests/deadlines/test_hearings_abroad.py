"""A hearing in a court far from the team: when its reminders go, and how e-mails, the
calendar feed and the pages name it and its time.

A London team defends a claim in the Beijing Intellectual Property Court (Asia/Shanghai,
UTC+8 all year): the hearing opens at 09:30 in Beijing on Tuesday 9 March 2027, which is
01:30 that morning in London.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casemgr.deadlines.models import Deadline
from casemgr.deadlines.services import deadline_save
from tests.factories import CourtFactory, JurisdictionFactory, ProceedingFactory

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def beijing(world):
    china = JurisdictionFactory(
        code="cn", name="China", time_zone="Asia/Shanghai", holiday_calendar="CN", rule_set="prc"
    )
    court = CourtFactory(
        jurisdiction=china, name="Beijing Intellectual Property Court", division=""
    )
    return ProceedingFactory(
        matter=world.matter,
        court=court,
        case_number="(2026) Jing 73 Min Chu No. 118",
        title="Jadeport v Northwind",
    )


def test_pages_name_a_courts_zone_as_its_hearing_times_do(client, world, beijing, frozen):
    deadline = deadline_save(
        deadline=Deadline(proceeding=beijing, title="File evidence", due_date=date(2027, 3, 1)),
        actor=world.partner,
    )
    client.force_login(world.associate)
    for url in [deadline.get_absolute_url(), beijing.get_absolute_url()]:
        page = client.get(url).content.decode()
        assert "Shanghai (UTC+8)" in page, url
        # The key is for the script that adds the reader's own time, not for the reader.
        assert "Asia/Shanghai" not in page.replace('data-court-zone="Asia/Shanghai"', ""), url
