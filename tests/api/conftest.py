"""Shared pieces of the API tests: signed-in clients, the endpoint table, other-matter rows."""

from dataclasses import dataclass

import pytest

from casemgr.access.models import MatterMembership
from casemgr.matters.models import Hearing, Matter, Party, Person, Proceeding
from casemgr.pleadings.models import Allegation, Claim
from tests.factories import (
    AllegationFactory,
    ClaimFactory,
    HearingFactory,
    PartyFactory,
    PersonFactory,
    ProceedingFactory,
)

ROLES = ["partner", "associate", "paralegal", "expert", "client", "outsider"]
MEMBERS = ["partner", "associate", "paralegal", "expert", "client"]
EDITORS = ["partner", "associate", "paralegal"]
READ_ONLY = ["expert", "client"]

MISSING_ID = 999999


@dataclass(frozen=True)
class Endpoint:
    name: str
    model: type
    # The field that ties a new record to its matter (directly or through its parent row).
    parent_field: str | None
    # A harmless field to change with PATCH, and the value to set.
    patch: tuple[str, str] | None

    def list_url(self) -> str:
        return f"/api/{self.name}/"

    def detail_url(self, pk) -> str:
        return f"/api/{self.name}/{pk}/"


ENDPOINTS = {
    e.name: e
    for e in [
        Endpoint("matters", Matter, None, ("title", "Northwind v Jadeport (renamed)")),
        Endpoint("memberships", MatterMembership, None, None),
        Endpoint("parties", Party, "matter", ("solicitors", "Harcourt Vell LLP")),
        Endpoint("people", Person, "matter", ("notes", "Met at the CMC.")),
        Endpoint("proceedings", Proceeding, "matter", ("title", "Northwind v Jadeport & Ors")),
        Endpoint("hearings", Hearing, "proceeding", ("time_estimate", "2 hours")),
        Endpoint("claims", Claim, "proceeding", ("relief_sought", "An injunction.")),
        Endpoint("allegations", Allegation, "claim", ("response_note", "Denied in full.")),
    ]
}
SCOPED = list(ENDPOINTS)
WRITABLE = [name for name, e in ENDPOINTS.items() if e.patch]
CREATABLE = [name for name, e in ENDPOINTS.items() if e.parent_field]
REFERENCE = ["jurisdictions", "courts"]
ALL_LISTS = REFERENCE + SCOPED


def record_of(world, endpoint: str):
    """The world's row of matter "ours" behind each endpoint."""
    if endpoint == "memberships":
        return MatterMembership.objects.get(user=world.partner, matter=world.matter)
    return {
        "matters": world.matter,
        "parties": world.claimant,
        "people": world.person,
        "proceedings": world.proceeding,
        "hearings": world.hearing,
        "claims": world.claim,
        "allegations": world.allegation,
    }[endpoint]


def new_record(world, endpoint: str) -> dict:
    """A valid POST body that creates a record of `endpoint` in world.matter."""
    return {
        "parties": {
            "matter": world.matter.pk,
            "name": "Quill Analytics Ltd",
            "role": "intervener",
            "country": "IE",
        },
        "people": {"matter": world.matter.pk, "name": "Bo Vance", "party": world.defendant.pk},
        "proceedings": {
            "matter": world.matter.pk,
            "court": world.proceeding.court_id,
            "case_number": "IL-2027-000042",
            "title": "Northwind v Jadeport (No 2)",
            "our_side": "claimant",
        },
        "hearings": {
            "proceeding": world.proceeding.pk,
            "kind": "trial",
            "starts_at": "2027-10-04T09:30:00Z",
            "venue": "Rolls Building, Court 10",
        },
        "claims": {
            "proceeding": world.proceeding.pk,
            "cause_of_action": "Breach of the API terms of service",
            "claimants": [world.claimant.pk],
            "defendants": [world.defendant.pk],
        },
        "allegations": {
            "claim": world.claim.pk,
            "paragraph": "13",
            "text": "The Defendant copied the model outputs.",
            "against": world.defendant.pk,
        },
    }[endpoint]


@pytest.fixture
def elsewhere(world) -> dict:
    """A full set of rows in world.other_matter (the outsider's matter), by endpoint."""
    other = world.other_matter
    defendant = PartyFactory(matter=other, name="Halberd Systems Inc", role="defendant")
    proceeding = ProceedingFactory(matter=other)
    claim = ClaimFactory(proceeding=proceeding)
    claim.claimants.set([world.other_party])
    claim.defendants.set([defendant])
    return {
        "defendants": defendant,
        "matters": other,
        "memberships": MatterMembership.objects.get(user=world.outsider, matter=other),
        "parties": world.other_party,
        "people": PersonFactory(matter=other, party=world.other_party, name="Ivo Marsh"),
        "proceedings": proceeding,
        "hearings": HearingFactory(proceeding=proceeding),
        "claims": claim,
        "allegations": AllegationFactory(claim=claim, paragraph="4", against=defendant),
    }
