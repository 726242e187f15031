"""Cases where reminders or deadlines could go wrong in ways a lawyer would notice: a named
person leaving, a mail server refusing one address, a date moved and moved back, a team on
the other side of the world, a confidential title showing where it must not."""

import asyncio
import socket
import threading
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from casemgr.access.models import Clearance, MatterMembership
from casemgr.access.services import membership_revoke
from casemgr.deadlines.models import Deadline, Reminder, ReminderPreference, TriggerEvent
from casemgr.deadlines.reminders import _postpone, reminders_send_due
from casemgr.deadlines.selectors import deadlines_for_user
from casemgr.deadlines.services import deadline_extend, deadline_save, trigger_record
from casemgr.matters.services import hearing_save

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_deadline(world, *, due=date(2026, 12, 15), responsible=None, title="Defence", **fields):
    deadline = Deadline(proceeding=world.proceeding, title=title, due_date=due, **fields)
    return deadline_save(deadline=deadline, actor=world.partner, responsible=responsible)


def record(world, event, at, *, method="", options=None):
    trigger = TriggerEvent(
        proceeding=world.proceeding,
        event=event,
        occurred_at=at,
        method=method,
        options=options or {},
    )
    return trigger_record(trigger=trigger, actor=world.associate)


def recipients(deadline):
    return set(deadline.reminders.values_list("user__username", flat=True))


def test_when_the_named_person_leaves_the_team_is_reminded(world, frozen):
    deadline = make_deadline(world, responsible=[world.associate])
    assert recipients(deadline) == {"associate"}
    membership = MatterMembership.objects.get(user=world.associate, matter=world.matter)
    membership_revoke(membership=membership, actor=world.partner)
    assert recipients(deadline) == {"partner", "paralegal"}
    assert deadline in deadlines_for_user(world.paralegal)


def test_a_deactivated_named_person_hands_over_to_the_team(world, frozen):
    deadline = make_deadline(world, responsible=[world.associate])
    world.associate.is_active = False
    world.associate.save()
    assert recipients(deadline) == {"partner", "paralegal"}


def test_nobody_below_the_designation_can_be_named(world):
    with pytest.raises(ValidationError):
        make_deadline(world, responsible=[world.paralegal], designation=Clearance.AEO)


def test_a_postponement_never_undoes_another_sweeps_send(world, frozen):
    make_deadline(world, responsible=[world.associate])
    row = Reminder.objects.get(offset_days=14)
    Reminder.objects.filter(pk=row.pk).update(sent_at=NOW)  # another sweep sent it
    _postpone([row.pk], OSError("451 try later"), marked_at=None)
    row.refresh_from_db()
    assert row.sent_at == NOW


def test_a_date_moved_and_moved_back_is_not_reminded_twice(world, frozen):
    deadline = make_deadline(world, responsible=[world.associate])
    assert reminders_send_due() == 1
    deadline.due_date = date(2026, 12, 16)
    deadline_save(deadline=deadline, actor=world.partner)
    deadline.due_date = date(2026, 12, 15)
    deadline_save(deadline=deadline, actor=world.partner)
    assert reminders_send_due() == 0
    assert len(mail.outbox) == 1


def test_a_reminder_still_waiting_survives_a_resync(world, frozen):
    deadline = make_deadline(world, responsible=[world.associate])
    frozen.move_to(datetime(2026, 12, 2, 12, 0, tzinfo=UTC))  # the 14-day one never went
    deadline.notes = "Counsel instructed"
    deadline_save(deadline=deadline, actor=world.partner)
    assert deadline.reminders.filter(offset_days=14, sent_at=None).exists()
    assert reminders_send_due() == 1


def test_a_team_west_of_the_court_hears_of_a_hearing_before_it_starts(world, frozen):
    ReminderPreference.objects.create(
        user=world.client, offsets=[0], time_zone="America/Los_Angeles"
    )
    hearing_save(instance=world.hearing, actor=world.partner)  # 10:30 London, 9 March 2027
    row = world.hearing.reminders.get(user=world.client)
    # 08:00 in LA on the day is 16:00 in London, after the hearing; 08:00 London is midnight
    # in LA. At the reader's hour the day before, then.
    assert row.send_at == datetime(2027, 3, 8, 8, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    # Once the hearing has begun, nothing about it goes out any more.
    frozen.move_to(datetime(2027, 3, 9, 10, 45, tzinfo=LONDON))
    assert reminders_send_due() == 0
    assert mail.outbox == []


def test_a_time_set_by_hand_survives_recomputation(world):
    trigger = record(
        world, "particulars_served", datetime(2026, 11, 27, 16, 45, tzinfo=LONDON), method="email"
    )
    defence = trigger.deadlines.get(rule_key="cpr-15.4-defence")
    defence.due_time = time(16, 0)
    deadline_save(deadline=defence, actor=world.partner)
    assert defence.edited_by_hand
    trigger_record(trigger=trigger, actor=world.associate)
    defence.refresh_from_db()
    assert defence.due_time == time(16, 0)


def test_the_cpr_15_5_cap_counts_an_extension_agreed_in_the_trigger(world):
    trigger = record(
        world,
        "particulars_served",
        datetime(2026, 11, 27, 16, 45, tzinfo=LONDON),
        method="email",
        options={"extension_days": 28, "acknowledged": True},
    )
    defence = trigger.deadlines.get(rule_key="cpr-15.4-defence")
    with pytest.raises(ValidationError, match="CPR 15.5"):
        deadline_extend(
            deadline=defence,
            new_date=date(2027, 2, 5),
            agreed_with="Harbour & Pike LLP",
            reason="More time",
            actor=world.partner,
        )


def test_the_cap_applies_to_a_defence_served_abroad(world):
    trigger = record(
        world,
        "particulars_served",
        datetime(2026, 11, 27, 10, 0, tzinfo=LONDON),
        method="personal",
        options={"country": "CN"},
    )
    defence = trigger.deadlines.get(rule_key="cpr-15.4-defence")
    assert defence.citation.startswith("PD 6B")
    with pytest.raises(ValidationError, match="CPR 15.5"):
        deadline_extend(
            deadline=defence,
            new_date=date(2027, 3, 1),
            agreed_with="Harbour & Pike LLP",
            reason="More time",
            actor=world.partner,
        )


def test_the_triggers_api_does_not_list_hidden_deadlines(api, world):
    trigger = record(world, "decision", datetime(2026, 11, 27, 10, 0, tzinfo=LONDON))
    Deadline.objects.filter(trigger=trigger).update(designation=Clearance.AEO)
    seen = api(world.client).get(f"/api/triggers/{trigger.pk}/").json()
    assert seen["deadlines"] == []
    assert api(world.partner).get(f"/api/triggers/{trigger.pk}/").json()["deadlines"]


def test_the_overview_does_not_name_a_deadline_above_the_readers_clearance(client, world):
    make_deadline(
        world,
        title="Serve the secret annex",
        designation=Clearance.AEO,
        responsible=[world.partner],
    )
    client.force_login(world.client)
    page = client.get(reverse("matters:overview", args=[world.matter.pk])).content.decode()
    assert "secret annex" not in page
    client.force_login(world.partner)
    page = client.get(reverse("matters:overview", args=[world.matter.pk])).content.decode()
    assert "secret annex" in page


def test_subjects_are_plain_text(world, frozen):
    make_deadline(world, responsible=[world.associate])
    Deadline.objects.update(title="Reply to Harbour & Pike's letter")
    reminders_send_due()
    assert mail.outbox[0].subject.startswith("Deadline in 14 days: Reply to Harbour & Pike's")


class Inbox:
    """A real SMTP server's handler: keeps what it accepts, refuses one address."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []
        self.refuse_next_data = False

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address.startswith("bounce@"):
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.refuse_next_data:
            self.refuse_next_data = False
            return "451 Try again later"
        with self.lock:
            self.received.append(envelope.rcpt_tos[0])
        await asyncio.sleep(0)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback (aiosmtpd), for the one test that needs the wire."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def test_one_refused_address_does_not_hold_up_the_others(world, frozen, smtp_server):
    world.associate.email = "bounce@example.com"
    world.associate.save()
    make_deadline(world)  # the whole team: partner, associate, paralegal
    assert reminders_send_due() == 2
    assert sorted(smtp_server.received) == [world.paralegal.email, world.partner.email]
    refused = Reminder.objects.get(user=world.associate, offset_days=14, hearing=None)
    assert refused.sent_at is None and refused.attempts == 1
    assert "550" in refused.last_error


def test_an_address_that_cannot_even_be_encoded_does_not_stop_the_sweep(world, frozen, smtp_server):
    world.associate.email = "a@\ufffdx.com"
    world.associate.save()
    make_deadline(world)
    assert reminders_send_due() == 2
    broken = Reminder.objects.get(user=world.associate, offset_days=14, hearing=None)
    assert broken.sent_at is None and broken.attempts == 1
    assert reminders_send_due() == 0  # postponed, not retried in a tight loop


def test_a_message_refused_after_its_data_is_sent_later_whatever_happens_meanwhile(
    world, frozen, smtp_server
):
    deadline = make_deadline(world, responsible=[world.associate])
    smtp_server.refuse_next_data = True
    assert reminders_send_due() == 0
    deadline.notes = "Chased the other side"  # any resync in between
    deadline_save(deadline=deadline, actor=world.partner)
    frozen.move_to(datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    assert reminders_send_due() == 1
    assert smtp_server.received == [world.associate.email]


def test_the_cpr_15_5_cap_is_what_the_rules_give_with_28_days(world):
    # E-mailed Friday 11 December 2026, 10:00: 14 days end on Christmas Day, so the defence
    # is due Tuesday 29 December; 28 days more, counted from the 25th, end Friday 22 January.
    trigger = record(
        world, "particulars_served", datetime(2026, 12, 11, 10, 0, tzinfo=LONDON), method="email"
    )
    defence = trigger.deadlines.get(rule_key="cpr-15.4-defence")
    assert defence.due_date == date(2026, 12, 29)
    agreed = {"agreed_with": "Harbour & Pike LLP", "reason": "Counsel", "actor": world.partner}
    with pytest.raises(ValidationError, match="Fri 22 Jan 2027"):
        deadline_extend(deadline=defence, new_date=date(2027, 1, 26), **agreed)
    deadline_extend(deadline=defence, new_date=date(2027, 1, 22), **agreed)


def test_after_a_court_order_an_agreement_is_not_capped(world):
    defence = make_deadline(world, citation="CPR 15.4(1)(a)", due=date(2026, 12, 14))
    deadline_extend(
        deadline=defence,
        new_date=date(2027, 2, 1),
        agreed_with="Order of Master Kaye",
        reason="Expert evidence",
        by_order=True,
        actor=world.partner,
    )
    deadline_extend(
        deadline=defence,
        new_date=date(2027, 2, 8),
        agreed_with="Harbour & Pike LLP",
        reason="Seven more days agreed",
        actor=world.partner,
    )
    defence.refresh_from_db()
    assert defence.due_date == date(2027, 2, 8)


def test_a_year_typo_in_an_extension_is_explained_not_a_crash(client, world):
    deadline = make_deadline(world)
    client.force_login(world.partner)
    url = reverse("deadlines:deadline_extend", args=[world.matter.pk, deadline.pk])
    response = client.post(
        url, {"new_date": "2207-01-29", "agreed_with": "Harbour & Pike", "reason": "Time"}
    )
    assert response.status_code == 400
    assert "between 1990 and 2200" in response.content.decode()


def test_extending_a_deadline_already_done_says_to_reopen_it(client, world):
    from casemgr.deadlines.services import deadline_set_status

    deadline = make_deadline(world)
    deadline_set_status(deadline=deadline, status="done", actor=world.partner)
    client.force_login(world.partner)
    url = reverse("deadlines:deadline_extend", args=[world.matter.pk, deadline.pk])
    response = client.post(
        url,
        {"new_date": "2027-01-10", "agreed_with": "Harbour & Pike", "reason": "Time"},
        follow=True,
    )
    assert "reopen it before extending it" in response.content.decode()


def test_moved_done_reopened_and_moved_back_is_not_sent_twice(world, frozen):
    from casemgr.deadlines.services import deadline_set_status

    deadline = make_deadline(world, responsible=[world.associate])
    assert reminders_send_due() == 1  # the 14-day reminder for 15 December
    deadline.due_date = date(2026, 12, 20)
    deadline_save(deadline=deadline, actor=world.partner)
    deadline_set_status(deadline=deadline, status="done", actor=world.partner)
    deadline_set_status(deadline=deadline, status="open", actor=world.partner)
    deadline.due_date = date(2026, 12, 15)
    deadline_save(deadline=deadline, actor=world.partner)
    assert reminders_send_due() == 0


def test_a_reader_east_of_the_court_is_reminded_of_the_courts_today(world, frozen):
    frozen.move_to(datetime(2026, 12, 15, 14, 0, tzinfo=LONDON))  # already the 16th in Sydney
    ReminderPreference.objects.create(
        user=world.associate, offsets=[0], time_zone="Australia/Sydney"
    )
    deadline = make_deadline(world, due=date(2026, 12, 15), responsible=[world.associate])
    assert reminders_send_due() == 1
    assert deadline.reminders.get().sent_at is not None


def test_a_resync_keeps_a_failed_reminders_attempts_and_wait(world, frozen, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    deadline = make_deadline(world, responsible=[world.associate])
    assert reminders_send_due() == 0
    waiting = Reminder.objects.get(offset_days=14, hearing=None)
    deadline.notes = "Chased"
    deadline_save(deadline=deadline, actor=world.partner)
    after = Reminder.objects.get(pk=waiting.pk)
    assert (after.attempts, after.send_at) == (1, waiting.send_at)
