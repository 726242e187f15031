"""A hearing in a court far from the team: when its reminders go, and how e-mails, the
calendar feed and the pages name it and its time.

A London team defends a claim in the Beijing Intellectual Property Court (Asia/Shanghai,
UTC+8 all year): the hearing opens at 09:30 in Beijing on Tuesday 9 March 2027, which is
01:30 that morning in London.
"""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from casemgr.deadlines.models import Deadline, ReminderPreference
from casemgr.deadlines.reminders import reminders_send_due
from casemgr.deadlines.services import deadline_save
from casemgr.matters.models import Hearing
from casemgr.matters.services import hearing_save
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


@pytest.fixture
def hearing(world, beijing, frozen):
    # Someone in the Beijing office reads their reminders at 08:00 Beijing time.
    ReminderPreference.objects.create(user=world.client, time_zone="Asia/Shanghai")
    return hearing_save(
        instance=Hearing(
            proceeding=beijing,
            kind=Hearing.Kind.OTHER,
            title="Exchange of evidence",
            starts_at=datetime(2027, 3, 9, 9, 30, tzinfo=SHANGHAI),
            venue="Tribunal 3",
        ),
        actor=world.partner,
    )


def send_times(hearing, user) -> dict[int, datetime]:
    return {r.offset_days: r.send_at for r in hearing.reminders.filter(user=user)}


def test_a_london_lawyer_is_reminded_in_london_working_hours_before_the_hearing(world, hearing):
    at = send_times(hearing, world.partner)
    # 08:00 in Beijing on the day is midnight in London, and 08:00 London on the day is after
    # the hearing has opened: "the day itself" goes at 08:00 London the day before.
    assert at[0] == datetime(2027, 3, 8, 8, 0, tzinfo=LONDON)
    assert at[1] == datetime(2027, 3, 8, 8, 0, tzinfo=LONDON)
    # Further out, on the day so many days before the court's date, at the lawyer's hour.
    assert at[3] == datetime(2027, 3, 6, 8, 0, tzinfo=LONDON)
    assert at[7] == datetime(2027, 3, 2, 8, 0, tzinfo=LONDON)
    assert at[14] == datetime(2027, 2, 23, 8, 0, tzinfo=LONDON)
    assert {moment.astimezone(LONDON).time() for moment in at.values()} == {time(8, 0)}


def test_the_beijing_office_is_reminded_on_the_morning_of_the_hearing(world, hearing):
    at = send_times(hearing, world.client)
    assert at[0] == datetime(2027, 3, 9, 8, 0, tzinfo=SHANGHAI)
    assert at[7] == datetime(2027, 3, 2, 8, 0, tzinfo=SHANGHAI)


def test_the_email_names_the_hearing_and_gives_both_clocks(world, hearing, frozen):
    frozen.move_to(datetime(2027, 3, 8, 8, 1, tzinfo=LONDON))
    reminders_send_due()
    [message] = [m for m in mail.outbox if m.to == [world.partner.email]]
    assert message.subject.startswith("Hearing tomorrow: Exchange of evidence – NWA-0001")
    for body in (message.body, message.alternatives[0][0]):
        assert "Tuesday 9 March 2027, 09:30 Shanghai (UTC+8)" in body
        assert "01:30 London (UTC+0) your time" in body
        assert "Asia/Shanghai" not in body
        assert "Other" not in body
        assert "(2026) Jing 73 Min Chu No. 118" in body


def feed(client, user) -> Calendar:
    client.force_login(user)
    client.post(reverse("deadlines:feed_token"), {"action": "new"})
    page = client.get(reverse("deadlines:preferences")).content.decode()
    path = page.split('value="http://testserver')[1].split('"')[0]
    client.logout()
    return Calendar.from_ical(client.get(path).content)


def test_the_feed_names_the_hearing_and_gives_the_courts_clock(client, world, hearing):
    untitled = hearing_save(
        instance=Hearing(
            proceeding=hearing.proceeding,
            kind=Hearing.Kind.OTHER,
            starts_at=datetime(2027, 4, 6, 14, 0, tzinfo=SHANGHAI),
            venue="Tribunal 3",
        ),
        actor=world.partner,
    )
    events = {str(e["uid"]): e for e in feed(client, world.associate).walk("VEVENT")}
    titled = events[f"hearing-{hearing.pk}@casemgr"]
    assert str(titled["summary"]) == "Exchange of evidence – NWA-0001"
    description = str(titled["description"])
    assert "Tue 9 Mar 2027, 09:30 Shanghai (UTC+8)" in description
    assert "(2026) Jing 73 Min Chu No. 118" in description
    assert "Beijing Intellectual Property Court" in description
    # A hearing of no particular kind and no title is a hearing, not "Other".
    assert str(events[f"hearing-{untitled.pk}@casemgr"]["summary"]) == "Hearing – NWA-0001"


def test_the_feed_gives_a_deadline_the_courts_date_and_zone(client, world, beijing, frozen):
    deadline_save(
        deadline=Deadline(proceeding=beijing, title="File evidence", due_date=date(2027, 3, 1)),
        actor=world.partner,
    )
    [event] = [
        e for e in feed(client, world.associate).walk("VEVENT") if "File evidence" in e["summary"]
    ]
    assert "Mon 1 Mar 2027, the court's date in Shanghai (UTC+8)" in str(event["description"])


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


def test_pages_list_a_hearing_by_its_own_title_not_as_other(client, world, hearing):
    client.force_login(world.associate)
    for url in [
        reverse("dashboard"),
        reverse("matters:overview", args=[world.matter.pk]),
        hearing.proceeding.get_absolute_url(),
    ]:
        page = client.get(url).content.decode()
        assert "Exchange of evidence" in page, url
        assert not re.search(r">\s*Other\b", page), url
