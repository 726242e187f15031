"""A matter with something of every kind to find, the pages' text made by the real upload
and rendition (tasks run eagerly in the tests), as a user would have it."""

from dataclasses import dataclass
from datetime import date

import pytest

from casemgr.access.models import Clearance
from casemgr.deadlines.models import Deadline
from casemgr.evidence.models import Exhibit, ExhibitFile
from tests.evidence import files
from tests.evidence.conftest import upload  # noqa: F401  (the real upload, through the API)
from tests.factories import EventFactory

PHRASE = "heliotrope distillation ledger"


@dataclass
class Findable:
    letter: Exhibit  # a three-page letter, PHRASE on page 3 only
    letter_file: ExhibitFile
    sealed: Exhibit  # attorneys' eyes only, PHRASE on its page
    event: object
    deadline: Deadline


@pytest.fixture
def findable(world, upload) -> Findable:  # noqa: F811
    pages = ["Opening remarks", "Terms of access", f"The {PHRASE} was kept by the defendant"]
    letter = upload(
        files.pdf_of_pages(pages),
        "letter.pdf",
        title="Letter of 3 March 2026",
        document_date="2026-03-03",
        document_type=Exhibit.DocumentType.LETTER,
    )
    sealed = upload(
        files.pdf_of_pages([f"Osprey {PHRASE} valuation"]),
        "osprey.pdf",
        user=world.partner,
        title="Osprey memorandum",
        document_date="2026-04-01",
        document_type=Exhibit.DocumentType.REPORT,
        designation=int(Clearance.AEO),
        prefix="AEO",
    )
    assert letter.status_code == sealed.status_code == 201, (letter.content, sealed.content)
    event = EventFactory(
        matter=world.matter,
        created_by=world.partner,
        date=date(2026, 3, 5),
        title="Heliotrope ledger handed over",
    )
    world.allegation.text = "The Defendant copied the heliotrope ledger."
    world.allegation.save()
    deadline = Deadline.objects.create(
        proceeding=world.proceeding, title="Heliotrope disclosure", due_date=date(2026, 6, 1)
    )
    letter_exhibit = Exhibit.objects.get(pk=letter.json()["id"])
    return Findable(
        letter=letter_exhibit,
        letter_file=letter_exhibit.files.get(),
        sealed=Exhibit.objects.get(pk=sealed.json()["id"]),
        event=event,
        deadline=deadline,
    )
