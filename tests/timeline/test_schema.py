"""The chronology's endpoints keep to the published OpenAPI schema: real responses (and their
requests) validated against it."""

import pytest

from casemgr.timeline.models import EvidenceLink
from tests.openapi import check


def test_schema_documents_the_chronology(spec):
    paths = spec["paths"]
    for path in ["/api/events/", "/api/events/{id}/", "/api/evidence-links/"]:
        assert path in paths
    timeline = paths["/api/matters/{matter_pk}/timeline/"]
    assert set(timeline) == {"get"}
    parameters = {p["name"] for p in timeline["get"]["parameters"]}
    assert parameters == {
        "matter_pk",
        "page",
        "allegation",
        "claim",
        "party",
        "person",
        "status",
        "document_type",
        "date_from",
        "date_to",
        "kind",
    }
    item = spec["components"]["schemas"]["TimelineItem"]["properties"]
    assert {"evidence", "allegations", "parties", "people", "date_display"} <= set(item)
    event = spec["components"]["schemas"]["Event"]["properties"]
    assert event["occurred_at"]["format"] == "date-time"
    assert event["occurred_at_local"]["readOnly"] is True


@pytest.mark.parametrize("endpoint", ["events", "evidence-links"])
def test_lists_and_details_match_the_schema(api, world, chronology, openapi, endpoint):
    client = api(world.partner)
    listing = client.get(f"/api/{endpoint}/", {"matter": world.matter.pk})
    assert listing.status_code == 200 and listing.json()["count"] >= 3
    check(openapi, listing, request_too=True)
    first = listing.json()["results"][0]["id"]
    detail = client.get(f"/api/{endpoint}/{first}/")
    check(openapi, detail, request_too=True)


def test_a_timed_event_created_and_changed_matches_the_schema(api, world, openapi):
    client = api(world.associate)
    created = client.post(
        "/api/events/",
        {
            "matter": world.matter.pk,
            "occurred_at": "2025-11-18T09:12:00+08:00",
            "time_zone": "Asia/Shanghai",
            "title": "Lantern throughput e-mail sent",
            "people": [world.person.pk],
            "allegations": [world.allegation.pk],
        },
        format="json",
    )
    assert created.status_code == 201
    check(openapi, created, request_too=True)
    changed = client.patch(
        f"/api/events/{created.json()['id']}/",
        {"precision": "range", "occurred_at": None, "date_end": "2025-11-20"},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    check(openapi, changed, request_too=True)


def test_a_link_created_and_changed_matches_the_schema(api, world, chronology, openapi):
    client = api(world.paralegal)
    created = client.post(
        "/api/evidence-links/",
        {
            "exhibit": chronology.letter.pk,
            "exhibit_file": chronology.letter_file.pk,
            "allegation": chronology.denied.pk,
            "pages": "1-2",
            "paragraphs": "3",
            "stance": "contradicts",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    check(openapi, created, request_too=True)
    changed = client.patch(
        f"/api/evidence-links/{created.json()['id']}/",
        {"stance": EvidenceLink.Stance.CONTEXT, "note": "Only the header helps."},
        format="json",
    )
    check(openapi, changed, request_too=True)


@pytest.mark.parametrize(
    "params",
    [{}, {"status": "disputed", "document_type": "log"}, {"kind": "procedural"}],
)
def test_the_timeline_matches_the_schema(api, world, chronology, openapi, params):
    response = api(world.partner).get(f"/api/matters/{world.matter.pk}/timeline/", params)
    assert response.status_code == 200 and response.json()["results"]
    check(openapi, response, request_too=True)
