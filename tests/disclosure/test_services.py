"""Writing the lists: what the exhibit gives an entry, the rules between the two lists, and
the service production sets call to record the numbers they gave."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from casemgr.access.models import AuditAction, AuditEvent
from casemgr.disclosure import services
from casemgr.disclosure.models import DisclosureEntry
from tests.disclosure.conftest import approve_redaction
from tests.factories import ExhibitFactory

Kind = DisclosureEntry.Kind
pytestmark = pytest.mark.django_db


def test_an_entry_starts_with_the_exhibits_details(disclosure):
    entry = DisclosureEntry.objects.get(proceeding=disclosure.english, exhibit=disclosure.letter)
    assert entry.description == "Letter before action"
    assert entry.document_date == date(2026, 1, 12)
    assert entry.producing_party == disclosure.world.claimant
    assert entry.recipients == "To: Jadeport Commerce (UK) Ltd"
    # A withheld document's description is the lawyer's own, never the revealing title.
    withheld = DisclosureEntry.objects.get(proceeding=disclosure.english, exhibit=disclosure.advice)
    assert "strike-out" not in withheld.description


def test_a_withheld_document_needs_a_ground(disclosure):
    other = ExhibitFactory(matter=disclosure.world.matter, prefix="NWA", number=9)
    with pytest.raises(ValidationError) as raised:
        services.entry_add(
            proceeding=disclosure.english,
            exhibit=other,
            kind=Kind.WITHHELD,
            actor=disclosure.world.partner,
            description="A note",
        )
    assert "ground" in raised.value.message_dict


def test_a_privileged_exhibit_is_not_disclosed_as_it_is(disclosure):
    with pytest.raises(ValidationError, match="marked privileged"):
        services.entry_add(
            proceeding=disclosure.us,
            exhibit=disclosure.advice,
            kind=Kind.DISCLOSED,
            actor=disclosure.world.partner,
        )


def test_a_document_withheld_in_full_is_not_also_disclosed(disclosure):
    # NWA-2 is privileged, but its redaction is approved: only the entry stands in the way.
    approve_redaction(disclosure.advice, reason="privilege", world=disclosure.world)
    with pytest.raises(ValidationError, match="withheld in full"):
        services.entry_add(
            proceeding=disclosure.us,
            exhibit=disclosure.advice,
            kind=Kind.DISCLOSED,
            actor=disclosure.world.partner,
        )


def produce(disclosure, exhibit, begin="NWA000001", end="NWA000012", on=date(2026, 5, 4)):
    return services.disclosure_record_produced(
        proceeding=disclosure.us,
        exhibit=exhibit,
        begin=begin,
        end=end,
        produced_on=on,
        by=disclosure.world.paralegal,
    )


def test_a_production_puts_the_document_on_the_list_with_its_numbers(disclosure):
    exhibit = ExhibitFactory(
        matter=disclosure.world.matter, prefix="NWA", number=7, title="API terms"
    )
    entry = produce(disclosure, exhibit)
    assert entry.kind == Kind.DISCLOSED
    assert entry.production_numbers == "NWA000001–NWA000012"
    assert entry.disclosed_on == date(2026, 5, 4)
    assert entry.description == "API terms"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(entry.pk), actor=disclosure.world.paralegal
    ).exists()


def test_recording_the_same_production_twice_changes_nothing(disclosure):
    first = produce(disclosure, disclosure.letter)
    events = AuditEvent.objects.count()
    second = produce(disclosure, disclosure.letter)
    assert second.pk == first.pk
    assert AuditEvent.objects.count() == events
    assert DisclosureEntry.objects.filter(exhibit=disclosure.letter).count() == 2  # two courts


def test_a_later_production_replaces_the_numbers_and_a_single_page_has_one(disclosure):
    produce(disclosure, disclosure.letter)
    entry = produce(disclosure, disclosure.letter, begin="NWA000040", end="NWA000040")
    assert entry.production_numbers == "NWA000040"
    entry.refresh_from_db()
    assert entry.production_numbers == "NWA000040"


def test_producing_a_redacted_document_numbers_its_privilege_log_entry(disclosure):
    withheld = DisclosureEntry.objects.get(proceeding=disclosure.us, exhibit=disclosure.advice)
    withheld.withholding = DisclosureEntry.Withholding.REDACTED
    withheld.save()
    produce(disclosure, disclosure.advice, begin="NWA000013", end="NWA000015")
    withheld.refresh_from_db()
    assert withheld.production_numbers == "NWA000013–NWA000015"


def test_a_production_is_refused_what_is_withheld_or_privileged(disclosure):
    with pytest.raises(ValidationError, match="withheld in full"):
        approve_redaction(disclosure.memo, reason="privilege", world=disclosure.world)
        produce(disclosure, disclosure.memo)
    bare = ExhibitFactory(matter=disclosure.world.matter, prefix="NWA", number=8, privileged=True)
    with pytest.raises(ValidationError, match="marked privileged"):
        produce(disclosure, bare)
    stranger = ExhibitFactory(matter=disclosure.world.other_matter)
    with pytest.raises(ValidationError, match="not in this proceeding's matter"):
        produce(disclosure, stranger)
    assert not DisclosureEntry.objects.filter(exhibit__in=[bare, stranger]).exists()
