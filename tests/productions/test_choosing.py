"""What may be produced: privileged, withdrawn and attorneys'-eyes-only exhibits never are;
an approved redaction is produced instead of the rendition, one awaiting approval never."""

import pytest
from django.core.exceptions import ValidationError

from casemgr.access.models import Clearance
from casemgr.evidence.models import Exhibit
from casemgr.productions.models import Production
from casemgr.redaction.models import Redaction
from tests.evidence import files
from tests.productions.conftest import page_text

pytestmark = pytest.mark.django_db


def test_privileged_withdrawn_and_aeo_exhibits_are_refused_with_why(world, add_exhibit, produce):
    fine = add_exhibit(files.pdf(text="fine"), "fine.pdf")
    privileged = add_exhibit(files.pdf(text="advice"), "advice.pdf", privileged=True)
    aeo = add_exhibit(files.pdf(text="weights"), "weights.pdf", designation=Clearance.AEO)
    withdrawn = add_exhibit(files.pdf(text="old"), "old.pdf")
    withdrawn.status = Exhibit.Status.WITHDRAWN
    withdrawn.save()

    with pytest.raises(ValidationError) as refused:
        produce(fine, privileged, aeo, withdrawn, user=world.partner)

    messages = " ".join(refused.value.messages)
    assert f"{privileged.reference}: privileged" in messages and "privilege log" in messages
    assert f"{aeo.reference}: attorneys' eyes only" in messages
    assert f"{withdrawn.reference}: withdrawn" in messages
    assert fine.reference not in messages
    assert not Production.objects.exists()


def test_an_exhibit_privileged_after_it_was_chosen_is_left_out_with_why(
    world, add_exhibit, produce, django_capture_on_commit_callbacks
):
    from casemgr.productions import services

    fine = add_exhibit(files.pdf(text="fine"), "fine.pdf")
    later = add_exhibit(files.pdf(text="advice"), "advice.pdf")
    production = Production(
        matter=world.matter,
        proceeding=world.proceeding,
        title="Tranche",
        prefix="NWA",
        produced_to=world.defendant,
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.production_create(
            production=production, exhibits=[fine, later], order="reference", actor=world.partner
        )
    later.privileged = True
    later.save()
    for callback in queued:
        callback()
    production.refresh_from_db()

    assert production.status == Production.Status.READY
    assert [d.exhibit for d in production.documents.all()] == [fine]
    assert production.left_out == [
        {
            "exhibit": later.pk,
            "reference": later.reference,
            "reason": "privileged: withheld, and listed in the privilege log instead",
        }
    ]


def test_an_approved_redaction_is_produced_and_its_text_is_the_redacted_text(
    world, add_exhibit, produce, redact, unpack
):
    exhibit = add_exhibit(
        files.pdf_of_pages(["API key sk-SECRET-1234", "Nothing to hide"]), "keys.pdf"
    )
    redaction = redact(exhibit, files.pdf_of_pages(["API key [REDACTED]", "Nothing to hide"]))

    production = produce(exhibit)

    assert production.status == Production.Status.READY, production.error
    document = production.documents.get()
    assert document.redaction == redaction
    zipped = unpack(production)
    row = zipped.dat()[0]
    assert row["REDACTED"] == "Y"
    stamped = zipped.pdf_path(row["NATIVEPATH"])
    assert "[REDACTED]" in page_text(stamped, 1)
    assert "NWA000001" in page_text(stamped, 1)
    text = zipped.read(row["TEXTPATH"]).decode()
    assert "[REDACTED]" in text
    everything = b"".join(zipped.archive.read(name) for name in zipped.names)
    assert b"SECRET" not in everything
    assert "SECRET" not in page_text(zipped.pdf_path("IMAGES\\NWA000001.pdf"))


def test_a_redaction_awaiting_approval_is_not_used_and_the_production_says_so(
    world, add_exhibit, produce, redact, unpack, client
):
    exhibit = add_exhibit(files.pdf_of_pages(["Project Orion budget"]), "budget.pdf")
    redact(exhibit, files.pdf_of_pages(["Project [REDACTED] budget"]), Redaction.Status.PROPOSED)

    production = produce(exhibit)

    assert production.documents.get().redaction is None
    zipped = unpack(production)
    assert zipped.dat()[0]["REDACTED"] == "N"
    assert "Orion" in page_text(zipped.pdf_path("IMAGES\\NWA000001.pdf"))
    assert production.notes == [
        {
            "reference": exhibit.reference,
            "file": "budget.pdf",
            "note": "a redaction awaiting approval was not used: produced unredacted",
        }
    ]
    client.force_login(world.partner)
    page = client.get(production.get_absolute_url()).content.decode()
    assert "a redaction awaiting approval was not used" in page


def test_a_redaction_approved_for_an_earlier_rendition_is_not_used(
    world, add_exhibit, produce, redact
):
    exhibit = add_exhibit(files.pdf_of_pages(["Project Orion"]), "orion.pdf")
    stale = redact(exhibit, files.pdf_of_pages(["Project [REDACTED]"]))
    Redaction.objects.filter(pk=stale.pk).update(source_sha256="0" * 64)

    production = produce(exhibit)

    assert production.documents.get().redaction is None
    assert "earlier rendition" in production.notes[0]["note"]


def test_an_exhibit_made_aeo_after_it_was_chosen_is_left_out_and_not_named_below_aeo(
    world, add_exhibit, client, django_capture_on_commit_callbacks
):
    from casemgr.productions import services

    fine = add_exhibit(files.pdf(text="fine"), "fine.pdf")
    sealed = add_exhibit(files.pdf(text="weights"), "weights.pdf", title="Model weights memo")
    production = Production(
        matter=world.matter,
        proceeding=world.proceeding,
        title="Tranche",
        prefix="NWA",
        produced_to=world.defendant,
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.production_create(
            production=production, exhibits=[fine, sealed], order="reference", actor=world.partner
        )
    sealed.designation = Clearance.AEO
    sealed.save()
    for callback in queued:
        callback()
    production.refresh_from_db()

    assert [d.exhibit for d in production.documents.all()] == [fine]
    client.force_login(world.partner)
    assert f"{sealed.reference} – attorneys" in client.get(production.get_absolute_url()).text
    client.force_login(world.paralegal)
    page = client.get(production.get_absolute_url()).text
    assert sealed.reference not in page
    assert "1 exhibit above your clearance" in page
