"""A bundle's cover reads as a court cover sheet: the court as it styles itself, the claim
number, the parties in their roles, the bundle's letter and title, and the hearing it is for
at the court's own time. Built for real (WeasyPrint, pikepdf) and read back."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pypdf
import pytest
from django.conf import settings

from casemgr.bundles import builder, services
from casemgr.bundles.models import Version
from casemgr.matters.models import Hearing
from tests.bundles.pages import footer
from tests.evidence import files
from tests.factories import ClaimFactory, HearingFactory, PartyFactory, ProceedingFactory

pytestmark = pytest.mark.django_db

DIVISION = "Business and Property Courts – Intellectual Property List (ChD)"


def cover_text(version: Version) -> str:
    with open(f"{settings.MEDIA_ROOT}/{version.storage_key}", "rb") as handle:
        page = pypdf.PdfReader(io.BytesIO(handle.read())).pages[0]
    return " ".join(page.extract_text().split())


@pytest.fixture
def bundled(world, add_exhibit, make_bundle, build):
    """Build a one-document bundle of world's proceeding (or `proceeding`) and return it."""

    def run(proceeding=None, **fields) -> Version:
        bundle = make_bundle(**fields)
        if proceeding is not None:
            bundle.proceeding = proceeding
            bundle.save()
        services.entry_add(
            bundle=bundle,
            section=bundle.sections.get(letter="D"),
            exhibit=add_exhibit(title="Letter before action"),
            actor=world.paralegal,
        )
        version = build(bundle)
        assert version.status == Version.Status.READY, version.error
        return version

    return run


def test_the_cover_names_court_claim_parties_bundle_letter_and_hearing(world, bundled):
    court = world.proceeding.court
    court.division = DIVISION
    court.save()
    # 09:30 UTC on a June day is 10:30 in London: the court's clock, as the app shows it.
    hearing = HearingFactory(
        proceeding=world.proceeding,
        kind=Hearing.Kind.CMC,
        title="First case management conference",
        starts_at=datetime(2027, 6, 15, 9, 30, tzinfo=UTC),
    )

    cover = cover_text(bundled(hearing=hearing, letter="B", title="Bundle for the first CMC"))

    assert "High Court of Justice" in cover
    assert DIVISION in cover  # not upper-cased into "(CHD)"
    assert f"Claim No. {world.proceeding.case_number}" in cover
    assert "Between: Northwind Intelligence Ltd Claimant – and – " in cover
    assert "Jadeport Commerce (UK) Ltd Defendant" in cover
    assert "Bundle B Bundle for the first CMC" in cover
    assert "For the case management conference: First case management conference" in cover
    assert "Tuesday 15 June 2027, 10:30 London (UTC+1)" in cover


def test_with_no_claims_recorded_the_cover_names_no_sides(world, bundled):
    """The matter's roles are its lead case's: in a parallel case where our client is the
    one sued they would be the wrong way round, so no "Between" until claims say who is who."""
    proceeding = ProceedingFactory(
        matter=world.matter, court=world.proceeding.court, title="Jadeport v Northwind"
    )
    PartyFactory(matter=world.matter, name="Cirrostrata Cloud Services Ltd", role="non_party")

    cover = cover_text(bundled(proceeding=proceeding))

    assert "Jadeport v Northwind" in cover
    assert "Between" not in cover
    assert "Claimant" not in cover and "Defendant" not in cover
    assert "For the" not in cover  # the bundle is for no hearing in particular


def test_several_parties_on_a_side_are_numbered_under_one_plural_role(world, bundled):
    holdings = PartyFactory(
        matter=world.matter, name="Jadeport Holdings Co., Ltd", role="defendant"
    )
    claim = ClaimFactory(proceeding=world.proceeding, cause_of_action="Conspiracy")
    claim.claimants.set([world.claimant])
    claim.defendants.set([world.defendant, holdings])

    cover = cover_text(bundled())

    assert "Northwind Intelligence Ltd Claimant – and – " in cover
    assert "(1) Jadeport Commerce (UK) Ltd (2) Jadeport Holdings Co., Ltd Defendants" in cover


def test_a_side_of_many_parties_is_shortened_to_fit_the_cover(tmp_path):
    names = tuple(f"Jadeport Regional Subsidiary Number {n} Limited" for n in range(1, 41))
    document = tmp_path / "letter.pdf"
    document.write_bytes(files.pdf(text="Letter"))
    spec = builder.Spec(
        title="Bundle for trial",
        court="High Court of Justice",
        division=DIVISION,
        claim_number="IL-2026-000123",
        letter="C",
        sides=(
            builder.Side("Claimant", ("Northwind Intelligence Ltd",)),
            builder.Side("Defendants", names),
        ),
        sections=(builder.Section("A", "Documents", (builder.Document("d", document, "L"),)),),
    )

    builder.build(spec, tmp_path / "bundle.pdf")

    page = pypdf.PdfReader(tmp_path / "bundle.pdf").pages[0]
    cover = " ".join(page.extract_text().split())
    assert "(5) Jadeport Regional Subsidiary Number 5 Limited" in cover
    assert "Number 6 Limited" not in cover
    assert "and 35 others Defendants" in cover
    assert "Bundle C" in cover
    assert footer(page) == ["1"]  # the cover fits its page, under its number
    assert re.search(r"Claim No\. IL-2026-000123", cover)
