"""A disclosure in both courts. On the world's English proceeding and on a US federal one:
MA-1, a letter disclosed; MA-2, advice withheld as privileged; MA-3, an attorneys'-eyes-only
memo withheld, which the paralegal (confidential clearance) never sees."""

from dataclasses import dataclass
from datetime import date

import pytest

from casemgr.access.models import Clearance
from casemgr.disclosure import services
from casemgr.disclosure.models import DisclosureEntry
from casemgr.evidence.models import Exhibit
from casemgr.redaction.models import Box, Redaction
from tests.factories import (
    CourtFactory,
    ExhibitFactory,
    ExhibitFileFactory,
    JurisdictionFactory,
    ProceedingFactory,
)

Kind = DisclosureEntry.Kind


@dataclass
class Disclosure:
    world: object
    english: object
    us: object
    letter: object
    advice: object
    memo: object


def us_proceeding(matter):
    jurisdiction = JurisdictionFactory(
        code="us-fed",
        name="United States (federal courts)",
        time_zone="America/New_York",
        holiday_calendar="US",
        rule_set="frcp",
    )
    court = CourtFactory(
        jurisdiction=jurisdiction,
        name="United States District Court",
        division="Northern District of California",
    )
    return ProceedingFactory(
        matter=matter, court=court, case_number="3:26-cv-01234", title="Northwind v Jadeport"
    )


@pytest.fixture
def disclosure(world) -> Disclosure:
    matter = world.matter
    letter = ExhibitFactory(
        matter=matter,
        prefix="NWA",
        number=1,
        title="Letter before action",
        document_date=date(2026, 1, 12),
        party=world.claimant,
        author="Ada Quill",
        recipients="To: Jadeport Commerce (UK) Ltd",
    )
    advice = ExhibitFactory(
        matter=matter,
        prefix="NWA",
        number=2,
        title="Counsel's advice on the strike-out prospects",
        document_type=Exhibit.DocumentType.EMAIL,
        document_date=date(2026, 2, 3),
        party=world.claimant,
        author="R. Hale (in-house counsel)",
        recipients="To: CTO; cc: General Counsel",
        privileged=True,
        designation=Clearance.CONFIDENTIAL,
    )
    memo = ExhibitFactory(
        matter=matter,
        prefix="NWA",
        number=3,
        title="Secret memo",
        document_type=Exhibit.DocumentType.REPORT,
        document_date=date(2026, 1, 20),
        privileged=True,
        designation=Clearance.AEO,
    )
    us = us_proceeding(matter)
    for proceeding in (world.proceeding, us):
        services.entry_add(
            proceeding=proceeding,
            exhibit=letter,
            kind=Kind.DISCLOSED,
            actor=world.partner,
            disclosed_on=date(2026, 4, 1),
        )
        services.entry_add(
            proceeding=proceeding,
            exhibit=advice,
            kind=Kind.WITHHELD,
            actor=world.partner,
            ground="attorney_client" if proceeding == us else "legal_advice",
            description="E-mail from in-house counsel to the CTO giving legal advice",
            issue="Issue 2",
        )
        services.entry_add(
            proceeding=proceeding,
            exhibit=memo,
            kind=Kind.WITHHELD,
            actor=world.partner,
            ground="work_product" if proceeding == us else "litigation",
            description="Memorandum prepared for the litigation",
        )
    return Disclosure(world, world.proceeding, us, letter, advice, memo)


def approve_redaction(exhibit, *, reason, pages=(2,), world) -> Redaction:
    """An approved redaction of `exhibit`'s file, with a box of `reason` on each page."""
    file = ExhibitFileFactory(exhibit=exhibit, rendition_sha256="a" * 64)
    redaction = Redaction.objects.create(
        file=file,
        matter=exhibit.matter,
        source_sha256=file.rendition_sha256,
        status=Redaction.Status.APPROVED,
        created_by=world.paralegal,
        storage_key="redacted/x.pdf",
        proposed_by=world.paralegal,
        reviewed_by=world.partner,
    )
    for page in pages:
        Box.objects.create(
            redaction=redaction,
            page=page,
            x0=10,
            y0=10,
            x1=100,
            y1=40,
            reason=reason,
            created_by=world.paralegal,
        )
    return redaction
