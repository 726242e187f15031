"""Creating and changing records through the API: what is saved, what is refused and why,
and the audit row every change leaves."""

import pytest
from django.contrib.auth.models import Permission

from casemgr.access.models import AuditAction, AuditEvent, Clearance, MatterMembership, Role
from casemgr.matters.models import Hearing, Matter, Party, Person
from casemgr.pleadings.models import Allegation, Claim
from tests.api.conftest import CREATABLE, ENDPOINTS, WRITABLE, new_record, record_of
from tests.factories import PartyFactory, ProceedingFactory, member

MOVED = "A record cannot be moved once it exists."


def grant_open_matter(user):
    user.user_permissions.add(Permission.objects.get(codename="add_matter"))


def audit_for(obj, action):
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label, object_id=str(obj.pk)
    )


@pytest.fixture
def both(world, api):
    """The partner is a member of both matters; returns their client."""
    member(world.partner, world.other_matter, Role.PARTNER)
    return api(world.partner)


# --- Happy paths and their audit rows -------------------------------------------------------


def test_created_party_is_returned_saved_and_audited(api, world):
    response = api(world.paralegal).post(
        "/api/parties/",
        {
            "matter": world.matter.pk,
            "name": "Quill Analytics Ltd",
            "role": "intervener",
            "country": "IE",
            "solicitors": "Brack & Ode",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "matter": world.matter.pk,
        "name": "Quill Analytics Ltd",
        "kind": "company",
        "role": "intervener",
        "country": "IE",
        "parent": None,
        "solicitors": "Brack & Ode",
        "counsel": "",
    }
    party = Party.objects.get(pk=body["id"])
    assert party.matter == world.matter
    event = audit_for(party, AuditAction.CREATE).get()
    assert event.actor == world.paralegal
    assert event.matter == world.matter
    assert event.detail["changes"]["name"] == {"from": None, "to": "Quill Analytics Ltd"}
    assert event.detail["changes"]["matter_id"] == {"from": None, "to": world.matter.pk}


@pytest.mark.parametrize("endpoint", CREATABLE)
def test_every_create_is_audited_with_its_changes(api, world, endpoint):
    body = new_record(world, endpoint)
    response = api(world.associate).post(ENDPOINTS[endpoint].list_url(), body, format="json")
    assert response.status_code == 201
    record = ENDPOINTS[endpoint].model.objects.get(pk=response.json()["id"])
    event = audit_for(record, AuditAction.CREATE).get()
    assert event.actor == world.associate
    assert event.matter == world.matter
    changes = event.detail["changes"]
    parent = ENDPOINTS[endpoint].parent_field
    assert changes[f"{parent}_id"] == {"from": None, "to": body[parent]}


@pytest.mark.parametrize("endpoint", WRITABLE)
def test_every_update_is_audited_with_exactly_what_changed(api, world, endpoint):
    spec = ENDPOINTS[endpoint]
    record = record_of(world, endpoint)
    field, value = spec.patch
    before = getattr(record, field)
    response = api(world.partner).patch(spec.detail_url(record.pk), {field: value}, format="json")
    assert response.status_code == 200
    event = audit_for(record, AuditAction.UPDATE).get()
    assert event.actor == world.partner
    assert event.matter == world.matter
    assert event.detail["changes"] == {field: {"from": before, "to": value}}


def test_put_replaces_a_party(api, world):
    response = api(world.partner).put(
        f"/api/parties/{world.defendant.pk}/",
        {
            "matter": world.matter.pk,
            "name": "Jadeport Commerce Ltd",
            "role": "defendant",
            "kind": "company",
            "country": "CN",
        },
        format="json",
    )
    assert response.status_code == 200
    world.defendant.refresh_from_db()
    assert (world.defendant.name, world.defendant.country.code) == ("Jadeport Commerce Ltd", "CN")
    changes = audit_for(world.defendant, AuditAction.UPDATE).get().detail["changes"]
    assert set(changes) == {"name", "country"}


def test_claimants_of_a_claim_can_be_changed_and_the_change_is_audited(api, world):
    extra = PartyFactory(matter=world.matter, name="Northwind Holdings plc")
    response = api(world.partner).patch(
        f"/api/claims/{world.claim.pk}/",
        {"claimants": [world.claimant.pk, extra.pk]},
        format="json",
    )
    assert response.status_code == 200
    assert sorted(response.json()["claimants"]) == sorted([world.claimant.pk, extra.pk])
    changes = audit_for(world.claim, AuditAction.UPDATE).get().detail["changes"]
    assert changes == {
        "claimants": {"from": [world.claimant.pk], "to": sorted([world.claimant.pk, extra.pk])}
    }


def test_refused_write_leaves_no_change_in_the_audit_trail(api, world):
    api(world.partner).post("/api/parties/", {"matter": world.matter.pk}, format="json")
    assert not AuditEvent.objects.filter(
        action__in=[AuditAction.CREATE, AuditAction.UPDATE]
    ).exists()


# --- Field validation -----------------------------------------------------------------------


def test_party_without_name_or_role_is_refused_field_by_field(api, world):
    response = api(world.partner).post("/api/parties/", {"matter": world.matter.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "name": ["This field is required."],
        "role": ["This field is required."],
    }


def test_party_with_unknown_role_is_refused(api, world):
    body = {**new_record(world, "parties"), "role": "judge"}
    response = api(world.partner).post("/api/parties/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"role": ['"judge" is not a valid choice.']}


def test_two_parties_with_one_name_in_a_matter_are_refused(api, world):
    body = {**new_record(world, "parties"), "name": world.claimant.name}
    response = api(world.partner).post("/api/parties/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["A party with this name already exists in this matter."]
    }


def test_party_can_be_created_without_a_country(api, world):
    client = api(world.partner)
    client.raise_request_exception = False
    body = {"matter": world.matter.pk, "name": "Stateless Ltd", "role": "non_party"}
    response = client.post("/api/parties/", body, format="json")
    assert response.status_code == 201
    assert response.json()["country"] == ""


def test_party_list_still_works_when_a_party_has_no_country(api, world):
    PartyFactory(matter=world.matter, name="Stateless Ltd", country="")
    client = api(world.partner)
    client.raise_request_exception = False
    response = client.get("/api/parties/", {"matter": world.matter.pk})
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_hearing_needs_a_venue_or_a_remote_link(api, world):
    body = {**new_record(world, "hearings"), "venue": ""}
    response = api(world.partner).post("/api/hearings/", body, format="json")
    assert response.status_code == 400
    assert ["Give a venue, a remote link, or both."] in response.json().values()
    assert Hearing.objects.count() == 1


def test_hearing_without_venue_reports_a_non_field_error_like_other_endpoints(api, world):
    body = {**new_record(world, "hearings"), "venue": ""}
    response = api(world.partner).post("/api/hearings/", body, format="json")
    assert response.json() == {"non_field_errors": ["Give a venue, a remote link, or both."]}


def test_second_allegation_with_the_same_paragraph_number_is_refused(api, world):
    body = {**new_record(world, "allegations"), "paragraph": world.allegation.paragraph}
    response = api(world.partner).post("/api/allegations/", body, format="json")
    assert response.status_code == 400
    assert "This claim already has a paragraph with that number." in str(response.json())
    assert Allegation.objects.count() == 1


def test_case_number_already_used_in_the_court_is_refused(api, world):
    body = {**new_record(world, "proceedings"), "case_number": world.proceeding.case_number}
    response = api(world.partner).post("/api/proceedings/", body, format="json")
    assert response.status_code == 400
    assert "already has a proceeding in this court with that case number" in str(response.json())


def test_case_number_check_does_not_reveal_other_matters(api, world):
    """The outsider may file the same case number in their own matter; being refused would
    tell them that some matter they cannot see concerns that case."""
    body = {
        **new_record(world, "proceedings"),
        "matter": world.other_matter.pk,
        "case_number": world.proceeding.case_number,
    }
    response = api(world.outsider).post("/api/proceedings/", body, format="json")
    assert response.status_code == 201, response.json()


# --- Links stay inside one matter ------------------------------------------------------------


def test_allegation_against_a_party_of_another_matter_is_refused(world, both):
    body = {**new_record(world, "allegations"), "against": world.other_party.pk}
    response = both.post("/api/allegations/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"against": ["The party must be in this matter."]}
    assert Allegation.objects.count() == 1


@pytest.mark.parametrize("side", ["claimants", "defendants"])
def test_claim_with_a_party_of_another_matter_is_refused(world, both, side):
    body = new_record(world, "claims")
    body[side] = [*body[side], world.other_party.pk]
    response = both.post("/api/claims/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {side: ["Choose only parties in this matter."]}
    assert Claim.objects.count() == 1


def test_person_of_a_party_in_another_matter_is_refused(world, both):
    body = {**new_record(world, "people"), "party": world.other_party.pk}
    response = both.post("/api/people/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"party": ["The party must be in this matter."]}
    assert Person.objects.count() == 1


def test_corporate_parent_from_another_matter_is_refused(world, both):
    body = {**new_record(world, "parties"), "parent": world.other_party.pk}
    response = both.post("/api/parties/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"parent": ["The corporate parent must be a party in this matter."]}


def test_claim_with_one_party_on_both_sides_is_refused(api, world):
    body = {**new_record(world, "claims"), "defendants": [world.claimant.pk]}
    response = api(world.partner).post("/api/claims/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "A party cannot be both claimant and defendant: Northwind Intelligence Ltd."
        ]
    }
    assert Claim.objects.count() == 1


def test_patching_a_defendant_in_as_claimant_is_refused(api, world):
    response = api(world.partner).patch(
        f"/api/claims/{world.claim.pk}/",
        {"claimants": [world.claimant.pk, world.defendant.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "A party cannot be both claimant and defendant: Jadeport Commerce (UK) Ltd."
        ]
    }
    assert list(world.claim.claimants.all()) == [world.claimant]


@pytest.mark.parametrize("endpoint", CREATABLE)
def test_record_cannot_be_moved_to_another_matter(world, elsewhere, both, endpoint):
    spec = ENDPOINTS[endpoint]
    record = record_of(world, endpoint)
    target = {"matter": elsewhere["matters"], "proceeding": elsewhere["proceedings"]}.get(
        spec.parent_field, elsewhere["claims"]
    )
    response = both.patch(spec.detail_url(record.pk), {spec.parent_field: target.pk}, format="json")
    assert response.status_code == 400
    assert MOVED in str(response.json()[spec.parent_field])
    record.refresh_from_db()
    assert getattr(record, f"{spec.parent_field}_id") != target.pk
    assert not audit_for(record, AuditAction.UPDATE).exists()


def test_hearing_cannot_be_moved_to_another_proceeding_of_the_same_matter(api, world):
    second = ProceedingFactory(matter=world.matter)
    response = api(world.partner).patch(
        f"/api/hearings/{world.hearing.pk}/", {"proceeding": second.pk}, format="json"
    )
    assert response.status_code == 400
    assert MOVED in str(response.json()["proceeding"])


def test_moving_into_a_matter_you_cannot_see_is_refused_as_missing(api, world):
    response = api(world.partner).patch(
        f"/api/parties/{world.claimant.pk}/", {"matter": world.other_matter.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "matter": [f'Invalid pk "{world.other_matter.pk}" - object does not exist.']
    }


def test_move_refusal_uses_the_same_error_shape_as_other_field_errors(world, both):
    response = both.patch(
        f"/api/parties/{world.claimant.pk}/", {"matter": world.other_matter.pk}, format="json"
    )
    assert response.json() == {"matter": [MOVED]}


# --- Opening a matter ------------------------------------------------------------------------

NEW_MATTER = {"reference": "NWA-0002", "title": "Northwind v Orrin", "opened_on": "2026-11-02"}


def test_opening_a_matter_needs_the_add_matter_permission(api, world):
    response = api(world.partner).post("/api/matters/", NEW_MATTER, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only firm staff may open matters."}
    assert not Matter.objects.filter(reference="NWA-0002").exists()


def test_whoever_opens_a_matter_becomes_its_partner(api, world):
    grant_open_matter(world.associate)
    client = api(world.associate)
    response = client.post("/api/matters/", NEW_MATTER, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["my_role"] == "partner"
    assert body["status"] == "open"
    membership = MatterMembership.objects.get(matter_id=body["id"])
    assert (membership.user, membership.role, membership.clearance) == (
        world.associate,
        Role.PARTNER,
        Clearance.AEO,
    )
    assert client.get(f"/api/matters/{body['id']}/").json()["reference"] == "NWA-0002"
    matter = Matter.objects.get(pk=body["id"])
    assert audit_for(matter, AuditAction.CREATE).get().detail["changes"]["reference"] == {
        "from": None,
        "to": "NWA-0002",
    }


def test_a_new_matter_is_invisible_to_everyone_else(api, world):
    grant_open_matter(world.associate)
    matter_id = api(world.associate).post("/api/matters/", NEW_MATTER, format="json").json()["id"]
    assert api(world.partner).get(f"/api/matters/{matter_id}/").status_code == 404


def test_matter_reference_must_be_unique(api, world):
    grant_open_matter(world.partner)
    body = {**NEW_MATTER, "reference": world.matter.reference}
    response = api(world.partner).post("/api/matters/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"reference": ["matter with this reference already exists."]}
