"""Free text is held to a limit everywhere it is written: API and pages alike."""

from django.urls import reverse

from casemgr.core.limits import LONG_TEXT, SHORT_TEXT
from casemgr.pleadings.models import Allegation
from tests.api.conftest import new_record


def test_an_allegation_over_the_limit_is_refused_by_the_api(api, world):
    body = {**new_record(world, "allegations"), "text": "x" * (LONG_TEXT + 1)}
    response = api(world.partner).post("/api/allegations/", body, format="json")
    assert response.status_code == 400, response.content
    assert "10000 characters" in " ".join(response.json()["text"])
    assert Allegation.objects.count() == 1


def test_an_allegation_at_the_limit_is_kept_whole(api, world):
    body = {**new_record(world, "allegations"), "text": "x" * LONG_TEXT}
    response = api(world.partner).post("/api/allegations/", body, format="json")
    assert response.status_code == 201, response.content
    assert len(Allegation.objects.get(pk=response.json()["id"]).text) == LONG_TEXT


def test_a_response_note_over_its_limit_is_refused(api, world):
    response = api(world.partner).patch(
        f"/api/allegations/{world.allegation.pk}/",
        {"response_note": "y" * (SHORT_TEXT + 1)},
        format="json",
    )
    assert response.status_code == 400
    assert "response_note" in response.json()


def test_the_page_explains_the_limit_next_to_the_field(client, world):
    client.force_login(world.partner)
    response = client.post(
        reverse("pleadings:allegation_create", args=[world.matter.pk, world.claim.pk]),
        {"paragraph": "13", "text": "z" * (LONG_TEXT + 1), "response": "no_response"},
    )
    assert response.status_code == 200
    assert "at most 10000 characters" in response.content.decode()
    assert not Allegation.objects.filter(paragraph="13").exists()
