"""Production numbers: continuous across the documents and pages of a set, stamped where a
reader sees them, and a later production with the same prefix numbers on."""

import pikepdf
import pytest

from casemgr.productions.models import NumberRange, ProducedDocument, Production
from tests.evidence import files
from tests.productions.conftest import page_text

pytestmark = pytest.mark.django_db


def test_numbers_run_on_across_documents_and_every_page_carries_its_own(
    world, add_exhibit, produce, unpack
):
    first = add_exhibit(files.pdf(pages=3, text="Licence"), "licence.pdf", title="Licence")
    second = add_exhibit(files.pdf(pages=2, text="Letter"), "letter.pdf", title="Letter")

    production = produce(first, second)

    assert production.status == Production.Status.READY, production.error
    assert (production.first_label, production.last_label) == ("NWA000001", "NWA000005")
    documents = list(production.documents.order_by("position"))
    assert [(d.exhibit, d.begin_label, d.end_label) for d in documents] == [
        (first, "NWA000001", "NWA000003"),
        (second, "NWA000004", "NWA000005"),
    ]
    zipped = unpack(production)
    for number in range(1, 6):
        label = f"NWA{number:06d}"
        page = zipped.pdf_path(f"IMAGES\\{label}.pdf")
        assert len(pikepdf.open(page).pages) == 1
        assert label in page_text(page)
    whole = zipped.pdf_path("NATIVES\\NWA000004.pdf")
    assert "NWA000004" in page_text(whole, 1)
    assert "NWA000005" in page_text(whole, 2)
    assert "Letter page 2" in page_text(whole, 2)


def test_a_later_production_with_the_prefix_numbers_on(world, add_exhibit, produce):
    one = add_exhibit(files.pdf(pages=2, text="one"), "one.pdf")
    two = add_exhibit(files.pdf(pages=3, text="two"), "two.pdf")
    three = add_exhibit(files.pdf(pages=1, text="three"), "three.pdf")

    earlier = produce(one)
    later = produce(two, three)
    other_prefix = produce(three, prefix="NWB")

    assert (earlier.first_label, earlier.last_label) == ("NWA000001", "NWA000002")
    assert (later.first_label, later.last_label) == ("NWA000003", "NWA000006")
    assert (other_prefix.first_label, other_prefix.last_label) == ("NWB000001", "NWB000001")
    assert NumberRange.objects.get(matter=world.matter, prefix="NWA").last_number == 6


def test_the_chosen_order_and_the_padding(world, add_exhibit, produce):
    from datetime import date

    late = add_exhibit(files.pdf(pages=1, text="late"), "late.pdf")
    early = add_exhibit(files.pdf(pages=1, text="early"), "early.pdf")
    late.document_date, early.document_date = date(2025, 6, 1), date(2024, 1, 1)
    late.save()
    early.save()

    production = produce(late, early, order="date", padding=4, prefix="JAD")

    assert [(d.exhibit, d.begin_label) for d in production.documents.order_by("position")] == [
        (early, "JAD0001"),
        (late, "JAD0002"),
    ]


def test_the_padding_of_a_prefix_is_kept(world, add_exhibit, produce):
    from django.core.exceptions import ValidationError

    exhibit = add_exhibit(files.pdf(pages=1, text="one"), "one.pdf")
    produce(exhibit)
    with pytest.raises(ValidationError, match="6 digits"):
        produce(exhibit, padding=8)


def test_a_number_is_never_given_twice_in_the_database(world, add_exhibit, produce):
    from django.db import IntegrityError

    exhibit = add_exhibit(files.pdf(pages=1, text="one"), "one.pdf")
    production = produce(exhibit)
    document = production.documents.get()
    with pytest.raises(IntegrityError):
        ProducedDocument.objects.create(
            **{
                f.attname: getattr(document, f.attname)
                for f in ProducedDocument._meta.concrete_fields
                if f.attname != "id"
            }
        )
