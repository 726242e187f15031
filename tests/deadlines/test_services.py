"""Recording triggers, recomputing, editing by hand and extending – through the services."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from casemgr.access.models import AuditAction, AuditEvent
from casemgr.deadlines.models import Deadline, DeadlineStatus, TriggerEvent
from casemgr.deadlines.services import (
    deadline_extend,
    deadline_save,
    trigger_record,
)

LONDON = ZoneInfo("Europe/London")
# Particulars e-mailed on Friday 27 November 2026 at 16:45 London time: after 4.30pm, so
# deemed served on Monday 30 November (CPR 6.26); 14 days on is Monday 14 December.
FRIDAY_1645 = datetime(2026, 11, 27, 16, 45, tzinfo=LONDON)


def record(world, *, at=FRIDAY_1645, method="email", **options):
    trigger = TriggerEvent(
        proceeding=world.proceeding,
        event="particulars_served",
        occurred_at=at,
        method=method,
        options=options,
    )
    return trigger_record(trigger=trigger, actor=world.associate)


def by_citation(trigger, prefix):
    found = [d for d in trigger.deadlines.all() if d.citation.startswith(prefix)]
    assert found, f"no deadline citing {prefix}: {[d.citation for d in trigger.deadlines.all()]}"
    return found[0]


def test_particulars_served_by_email_late_on_friday(world):
    trigger = record(world)
    acknowledgment = by_citation(trigger, "CPR 10.3")
    defence = by_citation(trigger, "CPR 15.4")
    assert acknowledgment.due_date == date(2026, 12, 14)
    assert defence.due_date == date(2026, 12, 14)
    assert "30 Nov" in acknowledgment.derivation
    assert acknowledgment.computed_date == acknowledgment.due_date
    assert not acknowledgment.edited_by_hand


def test_each_new_deadline_is_audited(world):
    trigger = record(world)
    audited = AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="deadlines.Deadline"
    ).values_list("object_id", flat=True)
    assert set(audited) == {str(d.pk) for d in trigger.deadlines.all()}


def test_a_trigger_in_new_york_time_is_judged_by_london_time(world):
    # 11:45 in New York is 16:45 in London: after the 4.30pm cut-off.
    trigger = record(world, at=datetime(2026, 11, 27, 11, 45, tzinfo=ZoneInfo("America/New_York")))
    assert by_citation(trigger, "CPR 10.3").due_date == date(2026, 12, 14)


def test_editing_the_trigger_recomputes(world):
    trigger = record(world)
    trigger.occurred_at = datetime(2026, 11, 27, 15, 0, tzinfo=LONDON)  # before 4.30pm
    trigger_record(trigger=trigger, actor=world.associate)
    # Deemed served that Friday: 14 days later is Friday 11 December.
    assert by_citation(trigger, "CPR 10.3").due_date == date(2026, 12, 11)


def test_a_date_changed_by_hand_survives_recomputation_and_is_flagged(world):
    trigger = record(world)
    acknowledgment = by_citation(trigger, "CPR 10.3")
    acknowledgment.due_date = date(2026, 12, 10)
    deadline_save(deadline=acknowledgment, actor=world.partner)
    trigger.occurred_at = datetime(2026, 11, 27, 15, 0, tzinfo=LONDON)
    trigger_record(trigger=trigger, actor=world.associate)
    acknowledgment.refresh_from_db()
    assert acknowledgment.due_date == date(2026, 12, 10)
    assert acknowledgment.edited_by_hand
    assert acknowledgment.computed_date == date(2026, 12, 11)


def test_every_change_of_a_due_date_is_in_the_audit_trail(world):
    acknowledgment = by_citation(record(world), "CPR 10.3")
    acknowledgment.due_date = date(2026, 12, 10)
    deadline_save(deadline=acknowledgment, actor=world.partner)
    change = AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(acknowledgment.pk)
    ).latest("at")
    assert change.detail["changes"]["due_date"] == {"from": "2026-12-14", "to": "2026-12-10"}
    assert change.actor == world.partner


def test_an_extension_records_who_agreed_it_and_why(world):
    defence = by_citation(record(world), "CPR 15.4")
    extension = deadline_extend(
        deadline=defence,
        new_date=date(2027, 1, 11),
        agreed_with="Harbour & Pike LLP, letter of 3 December",
        reason="Defendant's counsel instructed late.",
        actor=world.partner,
    )
    defence.refresh_from_db()
    assert defence.due_date == date(2027, 1, 11)
    assert defence.status == DeadlineStatus.EXTENDED
    assert defence.edited_by_hand
    assert extension.previous_date == date(2026, 12, 14)
    assert extension.recorded_by == world.partner
    assert AuditEvent.objects.filter(
        object_type="deadlines.Extension", object_id=str(extension.pk)
    ).exists()


def test_an_agreed_defence_extension_is_capped_at_28_days(world):
    defence = by_citation(record(world), "CPR 15.4")
    with pytest.raises(ValidationError) as refused:
        deadline_extend(
            deadline=defence,
            new_date=date(2027, 1, 12),  # 29 days after 14 December
            agreed_with="Harbour & Pike LLP",
            reason="More time",
            actor=world.partner,
        )
    assert "CPR 15.5" in str(refused.value)
    deadline_extend(
        deadline=defence,
        new_date=date(2027, 1, 12),
        agreed_with="Order of Master Kaye",
        reason="More time",
        by_order=True,
        actor=world.partner,
    )
    defence.refresh_from_db()
    assert defence.due_date == date(2027, 1, 12)


def test_an_extension_must_move_the_date_later_and_say_why(world):
    defence = by_citation(record(world), "CPR 15.4")
    with pytest.raises(ValidationError) as refused:
        deadline_extend(
            deadline=defence,
            new_date=date(2026, 12, 1),
            agreed_with=" ",
            reason="",
            actor=world.partner,
        )
    assert set(refused.value.message_dict) == {"new_date", "agreed_with", "reason"}


def test_an_unknown_event_is_refused_in_plain_words(world):
    trigger = TriggerEvent(
        proceeding=world.proceeding,
        event="moon_landing",
        occurred_at=datetime(2026, 11, 27, 10, tzinfo=UTC),
    )
    with pytest.raises(ValidationError):
        trigger_record(trigger=trigger, actor=world.associate)
    assert not TriggerEvent.objects.exists()


def test_responsible_people_must_be_members(world):
    deadline = Deadline(
        proceeding=world.proceeding, title="Serve witness statements", due_date=date(2027, 2, 1)
    )
    with pytest.raises(ValidationError):
        deadline_save(deadline=deadline, actor=world.partner, responsible=[world.outsider])
    deadline_save(deadline=deadline, actor=world.partner, responsible=[world.paralegal])
    assert list(deadline.responsible.all()) == [world.paralegal]
