"""Deadline pages, the quick-check API and command, and the calendar feed."""

import json
from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from casemgr.access.models import AuditAction, AuditEvent, Clearance
from casemgr.deadlines.models import Deadline, ReminderPreference, TriggerEvent
from casemgr.deadlines.services import deadline_save

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def make_deadline(world, title, due, **fields):
    return deadline_save(
        deadline=Deadline(proceeding=world.proceeding, title=title, due_date=due, **fields),
        actor=world.partner,
    )


def trigger_form(world, **overrides):
    data = {
        "event": "particulars_served",
        "when": "2026-11-27T16:45",
        "time_zone": "Europe/London",
        "method": "email",
        "note": "",
    }
    return {**data, **overrides}


def test_recording_a_trigger_on_the_proceeding_page(client, world):
    client.force_login(world.associate)
    url = reverse("deadlines:trigger_create", args=[world.matter.pk, world.proceeding.pk])
    response = client.post(url, trigger_form(world), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "CPR 10.3" in page and "CPR 15.4" in page
    assert "Mon 14 Dec 2026" in page
    trigger = TriggerEvent.objects.get()
    assert trigger.occurred_at == datetime(2026, 11, 27, 16, 45, tzinfo=UTC)
    assert trigger.recorded_by == world.associate


def test_a_bad_trigger_keeps_what_was_typed(client, world):
    client.force_login(world.associate)
    url = reverse("deadlines:trigger_create", args=[world.matter.pk, world.proceeding.pk])
    response = client.post(url, trigger_form(world, when="2027-03-28T01:30"))  # clocks skip it
    assert response.status_code == 200
    page = response.content.decode()
    assert "does not exist in Europe/London" in page
    assert 'value="2027-03-28T01:30"' in page
    assert not TriggerEvent.objects.exists()


def test_readers_cannot_record_triggers(client, world):
    client.force_login(world.expert)
    url = reverse("deadlines:trigger_create", args=[world.matter.pk, world.proceeding.pk])
    assert client.post(url, trigger_form(world)).status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=world.expert).exists()


def test_outsiders_get_404_on_every_deadline_page(client, world):
    deadline = make_deadline(world, "Defence", date(2026, 12, 14))
    client.force_login(world.outsider)
    for url in [
        reverse("deadlines:deadlines", args=[world.matter.pk]),
        reverse("deadlines:deadline", args=[world.matter.pk, deadline.pk]),
        reverse("deadlines:trigger_create", args=[world.matter.pk, world.proceeding.pk]),
    ]:
        assert client.get(url).status_code == 404, url


def test_an_aeo_deadline_does_not_exist_for_the_paralegal(client, world):
    secret = make_deadline(world, "Serve AEO annex", date(2026, 12, 20), designation=Clearance.AEO)
    client.force_login(world.paralegal)
    listing = client.get(reverse("deadlines:deadlines", args=[world.matter.pk]))
    assert "Serve AEO annex" not in listing.content.decode()
    url = reverse("deadlines:deadline", args=[world.matter.pk, secret.pk])
    assert client.get(url).status_code == 404


def test_matter_deadlines_mark_overdue_and_this_week(client, world, frozen):
    make_deadline(world, "Overdue thing", date(2026, 12, 7))
    make_deadline(world, "This week thing", date(2026, 12, 11))
    make_deadline(world, "Later thing", date(2027, 1, 20))
    client.force_login(world.associate)
    page = client.get(reverse("deadlines:deadlines", args=[world.matter.pk])).content.decode()
    assert page.index("Overdue thing") < page.index("This week thing") < page.index("Later thing")
    assert 'class="deadline--overdue"' in page
    assert 'class="deadline--soon"' in page
    assert page.count("Overdue</span>") == 1
    assert page.count("Due this week</span>") == 1


def test_my_deadlines_across_matters_and_quiet_proceedings(client, world, frozen):
    make_deadline(world, "Mine", date(2026, 12, 11)).responsible.set([world.associate])
    make_deadline(world, "Someone else's", date(2026, 12, 12)).responsible.set([world.partner])
    make_deadline(world, "Nobody's", date(2026, 12, 13))
    client.force_login(world.associate)
    page = client.get(reverse("deadlines:mine")).content.decode()
    assert "Mine" in page and "Nobody&#x27;s" in page
    assert "Someone else" not in page
    assert world.matter.reference in page
    # The proceeding has deadlines ahead, so it is not among the quiet ones.
    assert "Every live proceeding has a deadline ahead." in page


def test_a_live_proceeding_with_nothing_ahead_is_listed(client, world, frozen):
    make_deadline(world, "Long past", date(2026, 10, 1))
    client.force_login(world.associate)
    page = client.get(reverse("deadlines:deadlines", args=[world.matter.pk])).content.decode()
    assert world.proceeding.case_number in page.split("no upcoming deadline")[1]


def test_extension_form_errors_are_shown(client, world):
    deadline = make_deadline(world, "Defence", date(2026, 12, 14), citation="CPR 15.4(1)(a)")
    deadline.computed_date = deadline.due_date
    deadline.save()
    client.force_login(world.partner)
    url = reverse("deadlines:deadline_extend", args=[world.matter.pk, deadline.pk])
    response = client.post(
        url, {"new_date": "2027-02-01", "agreed_with": "Harbour & Pike", "reason": "Time"}
    )
    assert response.status_code == 400
    assert "CPR 15.5" in response.content.decode()
    deadline.refresh_from_db()
    assert deadline.due_date == date(2026, 12, 14)


def test_compute_api(api, world):
    response = api(world.associate).post(
        "/api/deadlines/compute/",
        {
            "rules": "cpr",
            "event": "particulars_served",
            "at": "2026-11-27T16:45:00+00:00",
            "method": "email",
            "options": {"acknowledged": True},
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    by_citation = {row["citation"][:8]: row for row in response.json()}
    assert by_citation["CPR 10.3"]["due_date"] == "2026-12-14"
    # 28 days after 30 November is Monday 28 December, a bank holiday that year (Boxing Day
    # falls on a Saturday): the defence is in time on Tuesday 29 December.
    assert by_citation["CPR 15.4"]["due_date"] == "2026-12-29"
    assert not TriggerEvent.objects.exists()


def test_compute_api_explains_bad_input(api, world):
    client = api(world.associate)
    unknown = client.post(
        "/api/deadlines/compute/",
        {"rules": "cpr", "event": "moon_landing", "at": "2026-11-27T16:45:00Z"},
        format="json",
    )
    assert unknown.status_code == 400
    assert "moon_landing" in unknown.content.decode()
    assert api().post("/api/deadlines/compute/", {}, format="json").status_code in (401, 403)


def test_compute_api_through_a_proceeding_needs_access(api, world):
    body = {"proceeding": world.proceeding.pk, "event": "decision", "at": "2026-12-01T10:00Z"}
    assert (
        api(world.outsider).post("/api/deadlines/compute/", body, format="json").status_code == 400
    )
    ok = api(world.expert).post("/api/deadlines/compute/", body, format="json")
    assert ok.status_code == 200
    assert ok.json()[0]["citation"].startswith("CPR 52.12")


def test_triggers_and_deadlines_through_the_api(api, world):
    client = api(world.associate)
    created = client.post(
        "/api/triggers/",
        {
            "proceeding": world.proceeding.pk,
            "event": "particulars_served",
            "occurred_at": "2026-11-27T16:45:00Z",
            "method": "email",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    deadlines = client.get(f"/api/deadlines/?proceeding={world.proceeding.pk}").json()["results"]
    assert {"CPR 10.3(1)(a)", "CPR 15.4(1)(a)"} <= {d["citation"] for d in deadlines}
    assert api(world.outsider).get("/api/deadlines/").json()["results"] == []
    some = deadlines[0]["id"]
    denied = api(world.expert).patch(f"/api/deadlines/{some}/", {"status": "done"}, format="json")
    assert denied.status_code == 403


def test_deadlines_command_prints_json():
    out = StringIO()
    call_command(
        "deadlines",
        "compute",
        "--rules",
        "frcp",
        "--event",
        "complaint_served",
        "--at",
        "2026-06-01T12:00:00-04:00",
        "--method",
        "personal",
        "--json",
        stdout=out,
    )
    [answer] = json.loads(out.getvalue())
    # 21 days after 1 June 2026 is Monday 22 June.
    assert answer["due_date"] == "2026-06-22"
    assert answer["citation"].startswith("FRCP 12(a)(1)(A)(i)")
    assert answer["title"]


def test_calendar_feed(client, world):
    make_deadline(world, "Defence", date(2027, 1, 14), citation="CPR 15.4(1)(a)")
    make_deadline(world, "AEO annex", date(2027, 1, 15), designation=Clearance.AEO)
    client.force_login(world.expert)
    client.post(reverse("deadlines:feed_token"), {"action": "new"})
    page = client.get(reverse("deadlines:preferences")).content.decode()
    feed_path = page.split('value="http://testserver')[1].split('"')[0]
    client.logout()
    response = client.get(feed_path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert any("Defence" in s for s in summaries)
    assert any("Case management conference" in s for s in summaries)
    assert not any("AEO annex" in s for s in summaries)
    # Only the hash is stored, and revoking ends the feed.
    token = feed_path.rsplit("/", 1)[1].removesuffix(".ics")
    assert ReminderPreference.objects.get(user=world.expert).feed_token_hash != token
    client.force_login(world.expert)
    client.post(reverse("deadlines:feed_token"), {"action": "revoke"})
    client.logout()
    assert client.get(feed_path).status_code == 404


def test_preferences_page_saves_offsets(client, world):
    client.force_login(world.associate)
    response = client.post(
        reverse("deadlines:preferences"),
        {"offsets": "10, 2, 0", "digest_time": "07:30", "time_zone": "America/New_York"},
    )
    assert response.status_code == 302
    preference = ReminderPreference.objects.get(user=world.associate)
    assert preference.offsets == [10, 2, 0]
    bad = client.post(
        reverse("deadlines:preferences"),
        {"offsets": "ten", "digest_time": "", "time_zone": "Europe/London"},
    )
    assert "whole numbers" in bad.content.decode()


def test_options_on_the_trigger_form_reach_the_rules(client, world):
    client.force_login(world.associate)
    url = reverse("deadlines:trigger_create", args=[world.matter.pk, world.proceeding.pk])
    client.post(url, trigger_form(world, acknowledged="on"))
    trigger = TriggerEvent.objects.get()
    assert trigger.options == {"acknowledged": True}
    defence = trigger.deadlines.get(citation__startswith="CPR 15.4")
    assert defence.due_date == date(2026, 12, 29)  # 28 Dec 2026 is a bank holiday
    edit = reverse(
        "deadlines:trigger_edit", args=[world.matter.pk, world.proceeding.pk, trigger.pk]
    )
    form = client.get(edit).content.decode()
    assert 'value="2026-11-27T16:45"' in form
    assert 'name="acknowledged" id="id_acknowledged" checked' in form


def test_a_rule_the_inputs_do_not_fit_is_explained_on_the_form(client, world):
    client.force_login(world.associate)
    url = reverse("deadlines:trigger_create", args=[world.matter.pk, world.proceeding.pk])
    response = client.post(url, trigger_form(world, method=""))  # served, but how?
    assert response.status_code == 200
    assert "Please correct" in response.content.decode()
    assert not TriggerEvent.objects.exists()


def test_listing_triggers_costs_the_same_however_many_there_are(api, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casemgr.deadlines.services import trigger_record

    def add_trigger(day):
        trigger_record(
            trigger=TriggerEvent(
                proceeding=world.proceeding,
                event="decision",
                occurred_at=datetime(2026, 11, day, 10, 0, tzinfo=UTC),
            ),
            actor=world.associate,
        )

    def queries_for_listing():
        client = api(world.associate)
        client.get("/api/triggers/")  # the session and membership look-ups, once
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/triggers/").status_code == 200
        return len(queries)

    add_trigger(2)
    one = queries_for_listing()
    for day in range(3, 9):
        add_trigger(day)
    assert queries_for_listing() == one
