"""Invariants of the domain that hold whichever way a row is written."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from casemgr.matters.models import Court, Hearing, Jurisdiction
from casemgr.pleadings.models import paragraph_sort_key
from tests.factories import (
    AllegationFactory,
    CourtFactory,
    HearingFactory,
    MatterFactory,
    PartyFactory,
    PersonFactory,
    ProceedingFactory,
)

pytestmark = pytest.mark.django_db


def test_matter_reference_is_unique():
    MatterFactory(reference="NWA-0042")
    with pytest.raises(IntegrityError), transaction.atomic():
        MatterFactory(reference="NWA-0042")


def test_party_names_are_unique_within_a_matter_only():
    party = PartyFactory(name="Jadeport Commerce (UK) Ltd")
    PartyFactory(name="Jadeport Commerce (UK) Ltd")  # another matter: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyFactory(matter=party.matter, name="Jadeport Commerce (UK) Ltd")


def test_corporate_parent_must_be_in_the_same_matter():
    parent = PartyFactory()
    child = PartyFactory(parent=parent)  # factory gives the child its own matter
    with pytest.raises(ValidationError) as error:
        child.full_clean()
    assert "parent" in error.value.message_dict


def test_corporate_groups_cannot_loop():
    top = PartyFactory()
    middle = PartyFactory(matter=top.matter, parent=top)
    top.parent = middle
    with pytest.raises(ValidationError, match="own"):
        top.full_clean()


def test_person_party_must_be_in_the_same_matter():
    person = PersonFactory(party=PartyFactory())
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "party" in error.value.message_dict


def test_case_number_unique_per_court_within_a_matter_and_blank_allowed_many_times():
    court = CourtFactory()
    first = ProceedingFactory(court=court, case_number="IL-2026-000123")
    ProceedingFactory(matter=first.matter, court=court, case_number="")
    ProceedingFactory(matter=first.matter, court=court, case_number="")
    ProceedingFactory(court=court, case_number="IL-2026-000123")  # another matter: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        ProceedingFactory(matter=first.matter, court=court, case_number="IL-2026-000123")


def test_hearing_needs_a_venue_or_a_link():
    hearing = HearingFactory.build(proceeding=ProceedingFactory(), venue="", remote_link="")
    with pytest.raises(ValidationError, match="venue, a remote link"):
        hearing.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        hearing.save()


@pytest.mark.parametrize(
    ("zone", "utc", "local"),
    [
        ("Europe/London", datetime(2027, 3, 9, 10, 30, tzinfo=UTC), "2027-03-09 10:30 GMT"),
        ("Europe/London", datetime(2027, 7, 9, 9, 30, tzinfo=UTC), "2027-07-09 10:30 BST"),
        ("America/Los_Angeles", datetime(2027, 3, 9, 17, 0, tzinfo=UTC), "2027-03-09 09:00 PST"),
        ("Asia/Shanghai", datetime(2027, 3, 9, 1, 0, tzinfo=UTC), "2027-03-09 09:00 CST"),
    ],
)
def test_hearing_shows_in_the_courts_time_zone(zone, utc, local):
    court = CourtFactory(name=f"Court in {zone}", time_zone=zone)
    hearing = HearingFactory(proceeding=ProceedingFactory(court=court), starts_at=utc)
    assert hearing.local_start.strftime("%Y-%m-%d %H:%M %Z") == local


def test_court_falls_back_to_its_jurisdictions_zone():
    us = Jurisdiction.objects.create(
        code="us-fed",
        name="US federal",
        time_zone="America/New_York",
        holiday_calendar="US",
        rule_set="frcp",
    )
    assert Court(name="SDNY", jurisdiction=us).zone.key == "America/New_York"


def test_unknown_time_zone_is_refused():
    court = CourtFactory.build(
        time_zone="Europe/Atlantis", jurisdiction=CourtFactory().jurisdiction
    )
    with pytest.raises(ValidationError, match="IANA"):
        court.full_clean()


def test_allegations_sort_in_pleading_order():
    claim = AllegationFactory(paragraph="10").claim
    for paragraph in ["2", "10(a)", "9", "10.2", "1"]:
        AllegationFactory(claim=claim, paragraph=paragraph)
    ordered = list(claim.allegations.values_list("paragraph", flat=True))
    assert ordered == ["1", "2", "9", "10", "10(a)", "10.2"]
    assert paragraph_sort_key("23(b)") == "000023(b)"


def test_allegation_paragraph_unique_within_a_claim():
    allegation = AllegationFactory(paragraph="12")
    with pytest.raises(IntegrityError), transaction.atomic():
        AllegationFactory(claim=allegation.claim, paragraph="12")


def test_allegation_against_a_party_of_another_matter_is_refused():
    allegation = AllegationFactory(against=PartyFactory())
    with pytest.raises(ValidationError) as error:
        allegation.full_clean()
    assert "against" in error.value.message_dict


def test_hearing_str_uses_court_time():
    hearing = HearingFactory(
        kind=Hearing.Kind.CMC, starts_at=datetime(2027, 7, 9, 9, 30, tzinfo=UTC)
    )
    assert str(hearing) == "Case management conference – 9 Jul 2027, 10:30 London (UTC+1)"
