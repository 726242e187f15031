"""Who is reminded, when, and that each reminder goes once (the sweep, with the test outbox).
The same sweep through a real worker and a real SMTP server is in test_reliability.py."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from casemgr.access.models import Clearance, MatterMembership, Role
from casemgr.access.services import membership_grant, membership_revoke
from casemgr.deadlines.models import Deadline, DeadlineStatus, Reminder, ReminderPreference
from casemgr.deadlines.reminders import reminders_send_due
from casemgr.deadlines.services import deadline_save, deadline_set_status
from casemgr.matters.services import hearing_save
from tests.factories import UserFactory

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_deadline(world, *, due=date(2026, 12, 15), responsible=None, **fields):
    deadline = Deadline(
        proceeding=world.proceeding,
        title="Defence",
        citation="CPR 15.4(1)(a)",
        due_date=due,
        **fields,
    )
    return deadline_save(deadline=deadline, actor=world.partner, responsible=responsible)


def rows(deadline):
    return {(r.user.username, r.offset_days): r for r in deadline.reminders.select_related("user")}


def test_the_whole_team_is_reminded_when_nobody_is_named(world, frozen):
    deadline = make_deadline(world)
    people = {user for user, _ in rows(deadline)}
    # Fee earners and paralegals; the expert and the client only read the file.
    assert people == {"partner", "associate", "paralegal"}
    # 14 days before 15 December is today (08:00 London has passed, so it is due now);
    # 7, 3, 1 and 0 lie ahead.
    assert {offset for user, offset in rows(deadline) if user == "partner"} == {14, 7, 3, 1, 0}
    seven = rows(deadline)[("partner", 7)]
    assert seven.send_at == datetime(2026, 12, 8, 8, 0, tzinfo=LONDON)


def test_named_people_only_and_offsets_already_past_are_skipped(world, frozen):
    deadline = make_deadline(world, due=date(2026, 12, 4), responsible=[world.associate])
    assert set(rows(deadline)) == {("associate", 3), ("associate", 1), ("associate", 0)}


def test_a_deadline_above_someones_clearance_is_not_reminded_to_them(world, frozen):
    deadline = make_deadline(world, designation=Clearance.AEO)
    assert {user for user, _ in rows(deadline)} == {"partner", "associate"}


def test_a_moved_deadline_reschedules_and_a_sent_reminder_comes_again(world, frozen):
    deadline = make_deadline(world, responsible=[world.partner])
    fourteen = rows(deadline)[("partner", 14)]
    Reminder.objects.filter(pk=fourteen.pk).update(sent_at=NOW)
    deadline.due_date = date(2026, 12, 22)
    deadline_save(deadline=deadline, actor=world.partner)
    moved = rows(deadline)
    assert moved[("partner", 7)].send_at == datetime(2026, 12, 15, 8, 0, tzinfo=LONDON)
    assert moved[("partner", 14)].sent_at is None  # new date: remind again on 8 December
    assert moved[("partner", 14)].for_date == date(2026, 12, 22)


def test_done_deadlines_keep_no_unsent_reminders(world, frozen):
    deadline = make_deadline(world)
    deadline_set_status(deadline=deadline, status=DeadlineStatus.DONE, actor=world.partner)
    assert not deadline.reminders.filter(sent_at=None).exists()


def test_a_hearing_reminds_everyone_on_the_matter(world, frozen):
    hearing = world.hearing  # 9 March 2027
    hearing_save(instance=hearing, actor=world.partner)
    assert set(hearing.reminders.values_list("user__username", flat=True)) == {
        "partner",
        "associate",
        "paralegal",
        "expert",
        "client",
    }


def test_the_sweep_sends_what_is_due_once(world, frozen):
    deadline = make_deadline(world, responsible=[world.associate])
    assert reminders_send_due() == 1  # the 14-day reminder, due at 08:00 today
    assert reminders_send_due() == 0
    [message] = mail.outbox
    assert message.to == [world.associate.email]
    assert "Defence" in message.subject and "NWA-0001" in message.subject
    assert "in 14 days" in message.subject
    text = message.body
    assert "Tuesday 15 December 2026" in text
    assert "CPR 15.4(1)(a)" in text
    assert f"/matters/{world.matter.pk}/deadlines/{deadline.pk}/" in text
    html = message.alternatives[0][0]
    assert "CPR 15.4(1)(a)" in html
    assert Reminder.objects.get(user=world.associate, offset_days=14).sent_at is not None


def test_the_sweep_refuses_to_run_inside_someone_elses_transaction(world, frozen):
    # Inside a caller's transaction, "marked sent and handed over" would not be committed:
    # a rollback after the e-mail went would send it again. The sweep says so and sends nothing.
    make_deadline(world, responsible=[world.associate])
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        reminders_send_due()
    assert mail.outbox == []
    assert reminders_send_due() == 1


def test_each_due_day_sends_its_reminder(world, frozen):
    make_deadline(world, responsible=[world.associate])
    sent = [reminders_send_due()]
    for day in [8, 12, 14, 15]:
        frozen.move_to(datetime(2026, 12, day, 8, 5, tzinfo=LONDON))
        sent.append(reminders_send_due())
    assert sent == [1, 1, 1, 1, 1]
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "Deadline in 14 days",
        "Deadline in 7 days",
        "Deadline in 3 days",
        "Deadline tomorrow",
        "Deadline today",
    ]


def test_nothing_goes_for_a_deadline_done_before_its_reminder(world, frozen):
    deadline = make_deadline(world, responsible=[world.associate])
    Deadline.objects.filter(pk=deadline.pk).update(status=DeadlineStatus.DONE)  # in a race
    assert reminders_send_due() == 0
    assert mail.outbox == []


def test_nothing_goes_to_someone_taken_off_the_matter(world, frozen):
    make_deadline(world, responsible=[world.associate])
    # Removed behind the scheduler's back: the sweep itself checks membership.
    MatterMembership.objects.filter(user=world.associate, matter=world.matter).delete()
    assert reminders_send_due() == 0


def test_membership_changes_move_reminders(world, frozen):
    deadline = make_deadline(world)
    newcomer = UserFactory(username="newcomer")
    membership = membership_grant(
        matter=world.matter,
        user=newcomer,
        role=Role.ASSOCIATE,
        clearance=Clearance.STANDARD,
        actor=world.partner,
        notify=False,
    )
    assert ("newcomer", 7) in rows(deadline)
    membership_revoke(membership=membership, actor=world.partner)
    assert not [key for key in rows(deadline) if key[0] == "newcomer"]


def test_a_digest_gathers_the_days_reminders_into_one_email(world, frozen):
    ReminderPreference.objects.create(
        user=world.associate, offsets=[14, 7], digest_time=time(7, 30), time_zone="Europe/London"
    )
    make_deadline(world, responsible=[world.associate])
    make_deadline(world, responsible=[world.associate], due=date(2026, 12, 8))
    assert reminders_send_due() == 1
    [digest] = mail.outbox
    assert "2 reminders" in digest.subject
    assert digest.body.count("Due:") == 2


def test_a_failed_send_is_kept_for_later_with_the_attempt_counted(world, frozen, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    make_deadline(world, responsible=[world.associate])
    assert reminders_send_due() == 0
    reminder = Reminder.objects.get(user=world.associate, offset_days=14)
    assert reminder.sent_at is None
    assert reminder.attempts == 1
    assert reminder.last_error
    assert reminder.send_at > NOW


def test_a_hearing_reminder_gives_the_courts_time(world, frozen):
    hearing = world.hearing  # 10:30 UTC on 9 March 2027: 10:30 in London (GMT)
    hearing_save(instance=hearing, actor=world.partner)
    frozen.move_to(datetime(2027, 3, 9, 8, 1, tzinfo=LONDON))
    reminders_send_due()
    # 14, 7, 3 and 1 days before and the day itself are all due now (no sweep ran since
    # the hearing was listed): one e-mail covers them.
    [today] = [m for m in mail.outbox if m.to == [world.client.email]]
    assert "Hearing today" in today.subject
    assert today.body.count("Hearing:") == 1
    assert not hearing.reminders.filter(user=world.client, sent_at=None).exists()
    assert "Tuesday 9 March 2027, 10:30" in today.body


def test_a_deleted_deadline_leaves_nothing_to_send(world, frozen):
    deadline = make_deadline(world, responsible=[world.associate])
    deadline.delete()
    assert not Reminder.objects.exists()
    assert reminders_send_due() == 0
