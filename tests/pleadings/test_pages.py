from django.urls import reverse

from casemgr.pleadings.models import Allegation, Claim
from tests.factories import AllegationFactory


def test_claims_page_shows_allegations_in_order_with_responses(client, world):
    AllegationFactory(claim=world.claim, paragraph="2", response="admitted", text="Admitted text")
    AllegationFactory(claim=world.claim, paragraph="13", response="denied", text="Denied text")
    client.force_login(world.expert)
    page = client.get(reverse("pleadings:claims", args=[world.matter.pk])).content.decode()
    assert page.index("Admitted text") < page.index("Denied text")
    assert "Northwind Intelligence Ltd" in page and "Jadeport Commerce (UK) Ltd" in page
    assert ">Admitted<" in page and ">Denied<" in page


def test_claims_page_filters_by_response(client, world):
    AllegationFactory(claim=world.claim, paragraph="2", response="admitted", text="Admitted text")
    AllegationFactory(claim=world.claim, paragraph="13", response="denied", text="Denied text")
    client.force_login(world.partner)
    url = reverse("pleadings:claims", args=[world.matter.pk])
    page = client.get(url, {"response": "denied"}).content.decode()
    assert "Denied text" in page
    assert "Admitted text" not in page


def test_record_a_pleaded_response(client, world):
    client.force_login(world.paralegal)
    url = reverse("pleadings:allegation_edit", args=[world.matter.pk, world.allegation.pk])
    response = client.post(
        url,
        {
            "paragraph": "12",
            "text": world.allegation.text,
            "against": world.defendant.pk,
            "response": "not_admitted",
            "response_note": "Put to proof (Defence ¶8).",
        },
    )
    assert response.status_code == 302
    world.allegation.refresh_from_db()
    assert world.allegation.response == Allegation.Response.NOT_ADMITTED


def test_duplicate_paragraph_is_explained(client, world):
    client.force_login(world.partner)
    response = client.post(
        reverse("pleadings:allegation_create", args=[world.matter.pk, world.claim.pk]),
        {"paragraph": "12", "text": "Again", "response": "no_response"},
    )
    assert response.status_code == 200
    assert "already has a paragraph with that number" in response.content.decode()


def test_claim_needs_distinct_claimants_and_defendants(client, world):
    client.force_login(world.partner)
    response = client.post(
        reverse("pleadings:claim_create", args=[world.matter.pk]),
        {
            "proceeding": world.proceeding.pk,
            "cause_of_action": "Database right",
            "claimants": [world.claimant.pk],
            "defendants": [world.claimant.pk],
        },
    )
    assert response.status_code == 200
    assert "both claimant and defendant" in response.content.decode()
    response = client.post(
        reverse("pleadings:claim_create", args=[world.matter.pk]),
        {
            "proceeding": world.proceeding.pk,
            "cause_of_action": "Database right",
            "claimants": [world.claimant.pk],
            "defendants": [world.defendant.pk],
        },
    )
    claim = Claim.objects.get(cause_of_action="Database right")
    assert response.url == reverse("pleadings:claim", args=[world.matter.pk, claim.pk])
    assert list(claim.defendants.all()) == [world.defendant]
