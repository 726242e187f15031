"""Events and evidence links: what the models accept, what they refuse and why, and the audit
row each write leaves (through the services)."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from casemgr.access.models import AuditAction, AuditEvent
from casemgr.timeline.models import Event, EvidenceLink
from casemgr.timeline.services import event_save, evidence_link_save
from tests.factories import (
    AllegationFactory,
    ClaimFactory,
    EventFactory,
    ExhibitFactory,
    ExhibitFileFactory,
    PartyFactory,
    ProceedingFactory,
)


def new_event(world, **fields) -> Event:
    values = {
        "matter": world.matter,
        "title": "Accounts suspended",
        "date": date(2026, 1, 28),
        "created_by": world.partner,
    }
    return Event(**{**values, **fields})


def errors(instance) -> dict:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


# --- Event dates -----------------------------------------------------------------------------


def test_a_month_is_kept_as_its_first_day_and_covers_the_whole_month(world):
    event = event_save(
        event=new_event(world, date=date(2025, 9, 17), precision="month"), actor=world.partner
    )
    event.refresh_from_db()
    assert (event.date, event.date_last) == (date(2025, 9, 1), date(2025, 9, 30))
    assert event.date_display == "September 2025"


def test_a_time_is_stored_in_utc_and_dates_the_event_in_its_own_zone(world):
    # 20:00 UTC on 17 November is 04:00 on 18 November in Shanghai.
    event = event_save(
        event=new_event(
            world,
            date=None,
            occurred_at=datetime(2025, 11, 17, 20, 0, tzinfo=UTC),
            time_zone="Asia/Shanghai",
        ),
        actor=world.partner,
    )
    event.refresh_from_db()
    assert event.date == date(2025, 11, 18)
    assert event.occurred_at == datetime(2025, 11, 17, 20, 0, tzinfo=UTC)
    assert event.local_time.isoformat() == "2025-11-18T04:00:00+08:00"


def test_a_time_needs_its_zone_and_an_exact_day(world):
    at = datetime(2025, 11, 17, 20, 0, tzinfo=UTC)
    assert "time_zone" in errors(new_event(world, occurred_at=at))
    assert "precision" in errors(
        new_event(world, occurred_at=at, time_zone="UTC", precision="month")
    )
    assert "time_zone" in errors(new_event(world, occurred_at=at, time_zone="Mars/Olympus"))
    ancient = datetime(1, 1, 1, 0, 30, tzinfo=UTC)
    assert "occurred_at" in errors(new_event(world, occurred_at=ancient, time_zone="Asia/Tokyo"))


def test_a_zone_without_a_time_is_dropped(world):
    event = new_event(world, time_zone="Asia/Shanghai")
    event.full_clean()
    assert event.time_zone == ""


def test_a_range_needs_a_last_day_after_its_first(world):
    assert errors(new_event(world, precision="range")) == {
        "date_end": ["Give the last day of the range."]
    }
    backwards = new_event(world, precision="range", date_end=date(2026, 1, 1))
    assert "date_end" in errors(backwards)
    event = new_event(world, date=date(2025, 10, 14), precision="range", date_end=date(2026, 1, 27))
    event.full_clean()
    assert event.date_display == "14 October 2025 – 27 January 2026"


def test_only_a_range_keeps_a_last_day(world):
    event = new_event(world, date_end=date(2026, 2, 1))
    event.full_clean()
    assert event.date_end is None


def test_an_event_needs_a_date_in_a_sensible_span(world):
    assert errors(new_event(world, date=None)) == {"date": ["Give the date, or a time."]}
    assert "date" in errors(new_event(world, date=date(1700, 1, 1)))


def test_the_database_refuses_a_range_without_an_end(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(matter=world.matter, precision="range", date_end=None)


# --- Writing events through the service ------------------------------------------------------


def test_a_new_event_is_audited_with_its_links(world):
    event = event_save(
        event=new_event(world),
        actor=world.associate,
        m2m={"parties": [world.defendant], "allegations": [world.allegation]},
    )
    assert event.created_by == world.associate
    audit = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="timeline.Event")
    assert audit.actor == world.associate
    assert audit.matter == world.matter
    assert audit.detail["changes"]["parties"] == {"from": None, "to": [world.defendant.pk]}
    assert audit.detail["changes"]["allegations"] == {"from": None, "to": [world.allegation.pk]}


def test_an_event_involves_only_its_own_matters_parties_and_allegations(world):
    with pytest.raises(ValidationError) as caught:
        event_save(
            event=new_event(world), actor=world.partner, m2m={"parties": [world.other_party]}
        )
    assert caught.value.message_dict == {"parties": ["Choose only parties in this matter."]}
    elsewhere = AllegationFactory(
        claim=ClaimFactory(proceeding=ProceedingFactory(matter=world.other_matter))
    )
    with pytest.raises(ValidationError) as caught:
        event_save(event=new_event(world), actor=world.partner, m2m={"allegations": [elsewhere]})
    assert caught.value.message_dict == {"allegations": ["Choose only allegations in this matter."]}
    assert not Event.objects.exists()


def test_a_change_is_audited_with_exactly_what_changed(world):
    event = event_save(event=new_event(world), actor=world.partner)
    event.status = Event.Status.DISPUTED
    event_save(event=event, actor=world.paralegal)
    audit = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="timeline.Event")
    assert audit.detail["changes"] == {"status": {"from": "unknown", "to": "disputed"}}
    assert event.created_by == world.partner


# --- Evidence links --------------------------------------------------------------------------


@pytest.fixture
def exhibit(world):
    return ExhibitFactory(matter=world.matter, prefix="TR", number=4, created_by=world.partner)


@pytest.fixture
def event(world):
    return EventFactory(matter=world.matter, created_by=world.partner)


def test_a_link_takes_its_matter_from_its_exhibit_and_is_audited(world, exhibit, event):
    exhibit_file = ExhibitFileFactory(exhibit=exhibit, page_count=20)
    link = evidence_link_save(
        link=EvidenceLink(
            exhibit=exhibit, exhibit_file=exhibit_file, event=event, pages="19, 3 -5"
        ),
        actor=world.paralegal,
    )
    assert link.matter == world.matter
    assert link.created_by == world.paralegal
    assert link.pages == "19, 3-5"
    assert link.pinpoint == "pp. 19, 3–5"
    assert str(link).startswith("TR-4 pp. 19, 3–5 supports 3 November 2025")
    audit = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="timeline.EvidenceLink")
    assert (audit.actor, audit.matter) == (world.paralegal, world.matter)


def test_a_link_points_at_an_allegation_or_an_event_never_both_or_neither(world, exhibit, event):
    message = "Link the exhibit to an allegation or to an event (one of them, not both)."
    neither = EvidenceLink(exhibit=exhibit)
    both = EvidenceLink(exhibit=exhibit, event=event, allegation=world.allegation)
    for link in (neither, both):
        with pytest.raises(ValidationError) as caught:
            evidence_link_save(link=link, actor=world.partner)
        assert caught.value.messages == [message]


def test_the_database_refuses_a_link_to_both(world, exhibit, event):
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceLink.objects.create(
            matter=world.matter,
            exhibit=exhibit,
            event=event,
            allegation=world.allegation,
            created_by=world.partner,
        )


def test_a_link_stays_inside_one_matter(world, exhibit):
    elsewhere = EventFactory(matter=world.other_matter)
    link = EvidenceLink(
        matter=world.matter, exhibit=exhibit, event=elsewhere, created_by=world.partner
    )
    assert errors(link) == {"event": ["The event must be in this matter."]}
    other_claim = ClaimFactory(proceeding=ProceedingFactory(matter=world.other_matter))
    allegation = AllegationFactory(
        claim=other_claim, against=PartyFactory(matter=world.other_matter)
    )
    link = EvidenceLink(
        matter=world.matter, exhibit=exhibit, allegation=allegation, created_by=world.partner
    )
    assert errors(link) == {"allegation": ["The allegation must be in this matter."]}


def test_the_file_must_be_one_of_the_exhibits_files(world, exhibit, event):
    stranger = ExhibitFileFactory(
        exhibit=ExhibitFactory(matter=world.matter, created_by=world.partner)
    )
    link = EvidenceLink(
        matter=world.matter,
        exhibit=exhibit,
        exhibit_file=stranger,
        event=event,
        created_by=world.partner,
    )
    assert errors(link) == {"exhibit_file": ["Choose a file of this exhibit."]}


def test_pages_must_be_in_the_file_when_its_length_is_known(world, exhibit, event):
    short = ExhibitFileFactory(exhibit=exhibit, page_count=12)
    link = EvidenceLink(
        matter=world.matter,
        exhibit=exhibit,
        exhibit_file=short,
        event=event,
        pages="12-14, 19",
        created_by=world.partner,
    )
    assert errors(link) == {"pages": ["The file has 12 pages; page 19 is not in it."]}
    link.pages = "12"
    link.full_clean()
    # A file still being prepared has no page count yet: nothing to check against.
    pending = ExhibitFileFactory(exhibit=exhibit, page_count=None, rendition="pending")
    EvidenceLink(
        matter=world.matter,
        exhibit=exhibit,
        exhibit_file=pending,
        event=event,
        pages="400",
        created_by=world.partner,
    ).full_clean()


def test_unreadable_pinpoints_are_refused_with_a_reason(world, exhibit, event):
    link = EvidenceLink(
        matter=world.matter,
        exhibit=exhibit,
        event=event,
        pages="14-12",
        paragraphs="para 4",
        created_by=world.partner,
    )
    assert errors(link) == {
        "pages": ["“14-12” runs backwards: write 12-14."],
        "paragraphs": ["“para 4” is not a paragraph or a range of paragraphs, e.g. 4, 7(a)-9."],
    }
