"""The chronology through the API: the access matrix for events and evidence links, clearance,
filters, and the timeline endpoint."""

import json
from datetime import date

import pytest

from casemgr.access.models import AuditAction, AuditEvent, Clearance, Role
from casemgr.evidence.models import Exhibit
from casemgr.timeline.models import Event, EvidenceLink
from tests.api.conftest import EDITORS, MEMBERS, MISSING_ID, READ_ONLY, ROLES
from tests.factories import EventFactory, member

ENDPOINTS = ["events", "evidence-links"]
MODELS = {"events": Event, "evidence-links": EvidenceLink}
PATCH = {
    "events": ("description", "Seen in the abuse dashboard."),
    "evidence-links": ("note", "See the header."),
}


def record_of(world, chronology, endpoint):
    """A row of each endpoint that every member may see (standard designation)."""
    if endpoint == "events":
        return chronology.terms
    return EvidenceLink.objects.get(exhibit=chronology.letter, allegation=world.allegation)


def new_body(world, chronology, endpoint) -> dict:
    if endpoint == "events":
        return {
            "matter": world.matter.pk,
            "date": "2026-01-28",
            "title": "Accounts suspended",
            "status": "agreed",
            "parties": [world.defendant.pk],
            "allegations": [world.allegation.pk],
        }
    return {
        "exhibit": chronology.letter.pk,
        "exhibit_file": chronology.letter_file.pk,
        "event": chronology.spike.pk,
        "pages": "2 – 3",
        "stance": "contradicts",
    }


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- The access matrix -----------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_members_read_and_nobody_else(api, world, chronology, role, endpoint):
    record = record_of(world, chronology, endpoint)
    client = api(world.user(role))
    listed = record.pk in ids(client.get(f"/api/{endpoint}/"))
    detail = client.get(f"/api/{endpoint}/{record.pk}/")
    assert listed == (role in MEMBERS)
    assert detail.status_code == (200 if role in MEMBERS else 404)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_only_editing_roles_create(api, world, chronology, role, endpoint):
    model = MODELS[endpoint]
    count = model.objects.count()
    response = api(world.user(role)).post(
        f"/api/{endpoint}/", new_body(world, chronology, endpoint), format="json"
    )
    if role in EDITORS:
        assert response.status_code == 201, response.json()
        created = model.objects.get(pk=response.json()["id"])
        assert created.created_by == world.user(role)
        audit = AuditEvent.objects.get(
            action=AuditAction.CREATE, object_type=model._meta.label, object_id=str(created.pk)
        )
        assert (audit.actor, audit.matter) == (world.user(role), world.matter)
        return
    assert response.status_code == (403 if role in READ_ONLY else 400)
    assert model.objects.count() == count


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_only_editing_roles_change(api, world, chronology, role, endpoint):
    record = record_of(world, chronology, endpoint)
    field, value = PATCH[endpoint]
    response = api(world.user(role)).patch(
        f"/api/{endpoint}/{record.pk}/", {field: value}, format="json"
    )
    record.refresh_from_db()
    if role in EDITORS:
        assert response.status_code == 200
        assert getattr(record, field) == value
    else:
        assert response.status_code == (403 if role in READ_ONLY else 404)
        assert getattr(record, field) != value


def test_events_are_not_deleted_through_the_api(api, world, chronology):
    record = chronology.terms
    assert api(world.partner).delete(f"/api/events/{record.pk}/").status_code == 405
    assert Event.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_editors_may_unpin_evidence_and_the_audit_keeps_it(api, world, chronology, role):
    link = record_of(world, chronology, "evidence-links")
    response = api(world.user(role)).delete(f"/api/evidence-links/{link.pk}/")
    gone = not EvidenceLink.objects.filter(pk=link.pk).exists()
    if role in EDITORS:
        assert response.status_code == 204 and gone
        removed = AuditEvent.objects.get(action=AuditAction.DELETE, object_id=str(link.pk))
        assert removed.actor == world.user(role) and removed.matter == world.matter
        assert removed.detail["removed"]["pages"] == "1"
        assert removed.object_repr.startswith("MA-1 p. 1 supports")
        assert Exhibit.objects.filter(pk=chronology.letter.pk).exists()
    else:
        assert response.status_code == (403 if role in READ_ONLY else 404) and not gone


def test_a_link_cannot_be_moved_to_another_event_or_paragraph(api, world, chronology):
    link = EvidenceLink.objects.get(event=chronology.spike, exhibit=chronology.letter)
    client = api(world.partner)
    for change in [
        {"event": chronology.terms.pk},
        {"event": None, "allegation": chronology.denied.pk},
    ]:
        response = client.patch(f"/api/evidence-links/{link.pk}/", change, format="json")
        assert response.status_code == 400, response.json()
        assert "cannot be moved" in json.dumps(response.json())
    link.refresh_from_db()
    assert (link.event, link.allegation) == (chronology.spike, None)
    same = client.patch(
        f"/api/evidence-links/{link.pk}/", {"event": chronology.spike.pk, "note": "p. 2"}
    )
    assert same.status_code == 200


def test_a_link_to_an_exhibit_above_the_members_clearance_cannot_be_deleted(api, world, chronology):
    hidden = EvidenceLink.objects.filter(exhibit=chronology.log).first()
    response = api(world.paralegal).delete(f"/api/evidence-links/{hidden.pk}/")
    assert response.status_code == 404
    assert EvidenceLink.objects.filter(pk=hidden.pk).exists()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_another_matters_row_answers_like_a_missing_one_and_is_audited(
    api, world, chronology, endpoint
):
    record = record_of(world, chronology, endpoint)
    client = api(world.outsider)
    hidden = client.get(f"/api/{endpoint}/{record.pk}/")
    missing = client.get(f"/api/{endpoint}/{MISSING_ID}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    denied = AuditEvent.objects.get(action=AuditAction.DENIED, actor=world.outsider)
    assert (denied.object_type, denied.object_id) == (MODELS[endpoint]._meta.label, str(record.pk))


# --- Clearance -------------------------------------------------------------------------------


def test_a_link_to_an_aeo_exhibit_does_not_exist_for_the_expert(api, world, chronology):
    aeo_link = EvidenceLink.objects.filter(exhibit=chronology.log).first()
    client = api(world.expert)
    hidden = client.get(f"/api/evidence-links/{aeo_link.pk}/")
    missing = client.get(f"/api/evidence-links/{MISSING_ID}/")
    assert hidden.status_code == 404 and hidden.content == missing.content
    listed = client.get("/api/evidence-links/", {"matter": world.matter.pk}).json()
    assert {row["reference"] for row in listed["results"]} == {"MA-1"}
    assert client.get("/api/evidence-links/", {"exhibit": chronology.log.pk}).json()["count"] == 0
    event = client.get(f"/api/events/{chronology.spike.pk}/")
    assert event.status_code == 200  # the event is standard; only the log behind it is hidden


def test_nobody_links_an_exhibit_they_cannot_see(api, world, chronology):
    body = {"exhibit": chronology.log.pk, "event": chronology.spike.pk}
    hidden = api(world.paralegal).post("/api/evidence-links/", body, format="json")
    missing = api(world.paralegal).post(
        "/api/evidence-links/", {**body, "exhibit": MISSING_ID}, format="json"
    )
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["exhibit"] == [
        f'Invalid pk "{chronology.log.pk}" - object does not exist.'
    ]


def test_a_confidential_event_and_its_links_do_not_exist_for_the_client(api, world, chronology):
    chronology.spike.designation = Clearance.CONFIDENTIAL
    chronology.spike.save()
    client = api(world.client)
    assert client.get(f"/api/events/{chronology.spike.pk}/").status_code == 404
    links = client.get("/api/evidence-links/").json()["results"]
    assert all(row["event"] != chronology.spike.pk for row in links)
    assert api(world.expert).get(f"/api/events/{chronology.spike.pk}/").status_code == 200


def test_nobody_designates_an_event_above_their_own_clearance(api, world):
    body = {"matter": world.matter.pk, "date": "2026-02-02", "title": "Lantern-7B weights seen"}
    refused = api(world.paralegal).post(
        "/api/events/", {**body, "designation": int(Clearance.AEO)}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json() == {"designation": ["You may not designate above your own clearance."]}
    allowed = api(world.partner).post(
        "/api/events/", {**body, "designation": int(Clearance.AEO)}, format="json"
    )
    assert allowed.status_code == 201
    assert api(world.paralegal).get(f"/api/events/{allowed.json()['id']}/").status_code == 404


# --- Writing: what the API answers -----------------------------------------------------------


def test_an_event_with_a_time_answers_in_utc_and_in_its_zone(api, world):
    response = api(world.associate).post(
        "/api/events/",
        {
            "matter": world.matter.pk,
            "occurred_at": "2025-11-18T09:12:00+08:00",
            "time_zone": "Asia/Shanghai",
            "title": "Lantern throughput e-mail sent",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["occurred_at"] == "2025-11-18T01:12:00Z"
    assert body["occurred_at_local"] == "2025-11-18T09:12:00+08:00"
    assert (body["date"], body["date_display"]) == ("2025-11-18", "18 November 2025")


def test_a_month_comes_back_as_its_first_day(api, world):
    response = api(world.associate).post(
        "/api/events/",
        {"matter": world.matter.pk, "date": "2025-09-17", "precision": "month", "title": "ToS 4.2"},
        format="json",
    )
    assert (response.json()["date"], response.json()["date_display"]) == (
        "2025-09-01",
        "September 2025",
    )


def test_a_link_is_saved_with_its_pinpoint_and_preview(api, world, chronology):
    response = api(world.paralegal).post(
        "/api/evidence-links/", new_body(world, chronology, "evidence-links"), format="json"
    )
    body = response.json()
    assert body["matter"] == world.matter.pk
    assert (body["reference"], body["pages"], body["pinpoint"]) == ("MA-1", "2-3", "pp. 2–3")
    assert body["preview_url"].endswith(f"/files/{chronology.letter_file.pk}/preview.pdf#page=2")


def test_a_link_to_both_an_allegation_and_an_event_is_refused(api, world, chronology):
    body = {**new_body(world, chronology, "evidence-links"), "allegation": world.allegation.pk}
    response = api(world.paralegal).post("/api/evidence-links/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Link the exhibit to an allegation or to an event (one of them, not both)."
        ]
    }


def test_pages_beyond_the_file_are_refused(api, world, chronology):
    body = {**new_body(world, chronology, "evidence-links"), "pages": "2-5"}
    response = api(world.paralegal).post("/api/evidence-links/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"pages": ["The file has 3 pages; page 5 is not in it."]}


def test_a_link_stays_with_its_exhibit(api, world, chronology):
    link = record_of(world, chronology, "evidence-links")
    response = api(world.partner).patch(
        f"/api/evidence-links/{link.pk}/", {"exhibit": chronology.log.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"exhibit": ["A record cannot be moved once it exists."]}


def test_an_event_involves_only_parties_of_its_matter(api, world):
    member(world.partner, world.other_matter, Role.PARTNER)
    response = api(world.partner).post(
        "/api/events/",
        {
            "matter": world.matter.pk,
            "date": "2026-01-28",
            "title": "X",
            "parties": [world.other_party.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"parties": ["Choose only parties in this matter."]}


# --- Event list filters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "disputed"}, ["spike"]),
        ({"kind": "procedural"}, ["letter_before_action"]),
        ({"precision": "month"}, ["terms"]),
        ({"party": "claimant"}, ["terms", "letter_before_action"]),
        ({"person": "person"}, ["spike"]),
        ({"allegation": "allegation"}, ["spike"]),
        ({"date_from": "2025-09-30", "date_to": "2025-12-31"}, ["terms", "spike"]),
    ],
)
def test_event_list_filters(api, world, chronology, params, expected):
    params = {
        name: getattr(world, value).pk if name in {"party", "person", "allegation"} else value
        for name, value in params.items()
    }
    response = api(world.partner).get("/api/events/", params)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [
        getattr(chronology, name).pk for name in expected
    ]


# --- The timeline endpoint -------------------------------------------------------------------


def timeline_url(world) -> str:
    return f"/api/matters/{world.matter.pk}/timeline/"


def test_the_timeline_lists_events_hearings_and_deadlines_with_their_evidence(
    api, world, chronology
):
    body = api(world.expert).get(timeline_url(world)).json()
    assert [(row["type"], row["title"]) for row in body["results"]] == [
        ("event", "Terms of service v4.2 published"),
        ("event", "Traffic spike from rotating accounts"),
        ("event", "Letter before action sent"),
        ("hearing", "Case management conference"),
    ]
    spike = body["results"][1]
    assert spike["status"] == "disputed"
    assert spike["parties"] == [{"id": world.defendant.pk, "name": world.defendant.name}]
    assert spike["allegations"] == [
        {"id": world.allegation.pk, "paragraph": "12", "claim": world.claim.pk}
    ]
    assert [e["reference"] for e in spike["evidence"]] == ["MA-1"]
    lba = body["results"][2]
    assert (lba["at"], lba["at_local"], lba["time_zone"]) == (
        "2026-01-12T09:00:00Z",
        "2026-01-12T09:00:00+00:00",
        "Europe/London",
    )


def test_the_timeline_never_names_an_aeo_exhibit_to_the_expert(api, world, chronology):
    for params in [{}, {"document_type": "log"}, {"allegation": chronology.denied.pk}]:
        text = json.dumps(api(world.expert).get(timeline_url(world), params).json())
        assert "MA-2" not in text and "API access log" not in text
        assert str(chronology.log_file.pk) not in [
            str(e["file"]) for row in json.loads(text)["results"] for e in row["evidence"]
        ]
    partner = json.dumps(api(world.partner).get(timeline_url(world)).json())
    assert "MA-2" in partner


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"allegation": "allegation"}, ["Traffic spike from rotating accounts"]),
        ({"claim": "claim"}, ["Traffic spike from rotating accounts"]),
        (
            {"party": "defendant"},
            ["Traffic spike from rotating accounts", "Letter before action sent"],
        ),
        ({"person": "person"}, ["Traffic spike from rotating accounts"]),
        ({"status": "agreed"}, ["Terms of service v4.2 published", "Letter before action sent"]),
        ({"document_type": "log"}, ["Traffic spike from rotating accounts"]),
        ({"date_from": "2026-01-01", "date_to": "2026-12-31"}, ["Letter before action sent"]),
        ({"kind": "procedural"}, ["Letter before action sent", "Case management conference"]),
        ({"kind": "fact", "party": "claimant"}, ["Terms of service v4.2 published"]),
    ],
)
def test_each_timeline_filter(api, world, chronology, params, expected):
    params = {
        name: getattr(world, value).pk
        if name in {"allegation", "claim", "party", "person"}
        else value
        for name, value in params.items()
    }
    response = api(world.partner).get(timeline_url(world), params)
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "probable"}, "status"),
        ({"allegation": "twelve"}, "allegation"),
        ({"party": "0"}, "party"),
        ({"date_from": "3 March"}, "date_from"),
        ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "date_to"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(api, world, params, field):
    response = api(world.partner).get(timeline_url(world), params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_another_matters_timeline_is_404_like_a_missing_one_and_audited(api, world, chronology):
    client = api(world.outsider)
    hidden = client.get(timeline_url(world))
    missing = client.get(f"/api/matters/{MISSING_ID}/timeline/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=world.outsider).count() == 1


def test_an_id_of_another_matter_filters_to_nothing(api, world, chronology):
    response = api(world.partner).get(timeline_url(world), {"party": world.other_party.pk})
    assert response.json()["count"] == 0


def test_the_timeline_is_paginated(api, world):
    for n in range(55):
        EventFactory(matter=world.matter, date=date(2025, 1, 1 + n % 28), title=f"Entry {n:02d}")
    first = api(world.partner).get(timeline_url(world)).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (56, 50, None)
    second = api(world.partner).get(first["next"]).json()
    assert [row["type"] for row in second["results"]][-1] == "hearing"
    assert len(second["results"]) == 6
