"""A production set and the proceeding's disclosure list: what is produced is on the list of
documents disclosed with the numbers it bears, and what the list withholds in full is never
produced."""

import pytest

from casemgr.disclosure import services as disclosure
from casemgr.disclosure.grounds import Ground, Withholding
from casemgr.disclosure.models import DisclosureEntry
from casemgr.productions.models import Production
from tests.evidence import files

pytestmark = pytest.mark.django_db


def test_a_ready_production_puts_its_documents_on_the_disclosed_list(world, add_exhibit, produce):
    licence = add_exhibit(files.pdf(pages=3, text="Licence"), "licence.pdf", title="Licence")
    letter = add_exhibit(files.pdf(pages=2, text="Letter"), "letter.pdf", title="Letter")

    production = produce(licence, letter)

    assert production.status == Production.Status.READY, production.error
    listed = {
        entry.exhibit: entry.production_numbers
        for entry in DisclosureEntry.objects.filter(
            proceeding=world.proceeding, kind=DisclosureEntry.Kind.DISCLOSED
        )
    }
    assert listed == {licence: "NWA000001–NWA000003", letter: "NWA000004–NWA000005"}


def test_a_document_withheld_in_full_on_the_list_is_left_out_of_the_set(
    world, add_exhibit, produce
):
    kept = add_exhibit(files.pdf(pages=1, text="Kept"), "kept.pdf", title="Kept")
    withheld = add_exhibit(files.pdf(pages=2, text="Advice"), "advice.pdf", title="Advice")
    disclosure.entry_add(
        proceeding=world.proceeding,
        exhibit=withheld,
        kind=DisclosureEntry.Kind.WITHHELD,
        actor=world.partner,
        ground=Ground.LITIGATION,
        withholding=Withholding.IN_FULL,
        description="Advice on the claim",
    )

    production = produce(kept, withheld)

    assert production.status == Production.Status.READY, production.error
    assert [d.exhibit for d in production.documents.all()] == [kept]
    assert (production.first_label, production.last_label) == ("NWA000001", "NWA000001")
    assert production.left_out == [
        {
            "exhibit": withheld.pk,
            "reference": withheld.reference,
            "reason": "withheld in full on this proceeding's disclosure list",
        }
    ]
    assert not DisclosureEntry.objects.filter(
        exhibit=withheld, kind=DisclosureEntry.Kind.DISCLOSED
    ).exists()
