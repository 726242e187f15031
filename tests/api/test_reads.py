"""Reading through the API: pages, filters, search, ordering, and hearing times."""

from datetime import UTC, datetime

import pytest

from casemgr.access.models import Role
from casemgr.matters.models import Party
from tests.api.conftest import ENDPOINTS, SCOPED
from tests.factories import (
    AllegationFactory,
    ClaimFactory,
    CourtFactory,
    HearingFactory,
    JurisdictionFactory,
    PartyFactory,
    ProceedingFactory,
    member,
)


def names(response, key="name") -> list:
    return [row[key] for row in response.json()["results"]]


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- Pagination ------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["courts", *SCOPED])
def test_lists_are_paginated(api, world, endpoint):
    body = api(world.partner).get(f"/api/{endpoint}/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == len(body["results"]) >= 1


def test_jurisdictions_are_a_plain_list(api, world):
    body = api(world.partner).get("/api/jurisdictions/").json()
    assert isinstance(body, list)
    assert [j["code"] for j in body] == ["ew"]


def test_long_list_is_split_into_pages_of_fifty(api, world):
    Party.objects.bulk_create(
        Party(matter=world.matter, name=f"Subsidiary {n:02d} Ltd", role="non_party", country="GB")
        for n in range(55)
    )
    client = api(world.partner)
    first = client.get("/api/parties/").json()
    assert (first["count"], len(first["results"]), first["previous"]) == (57, 50, None)
    assert first["next"].endswith("/api/parties/?page=2")
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 7
    assert second["next"] is None


# --- Filters ---------------------------------------------------------------------------------


def test_parties_filtered_by_matter_and_role(api, world):
    response = api(world.partner).get(
        "/api/parties/", {"matter": world.matter.pk, "role": "defendant"}
    )
    assert ids(response) == [world.defendant.pk]


def test_unknown_role_filter_is_a_400_naming_the_filter(api, world):
    response = api(world.partner).get("/api/parties/", {"role": "judge"})
    assert response.status_code == 400
    assert list(response.json()) == ["role"]


def test_hearings_filtered_by_matter(api, world):
    member(world.partner, world.other_matter, Role.PARTNER)
    HearingFactory(proceeding=ProceedingFactory(matter=world.other_matter))
    assert api(world.partner).get("/api/hearings/").json()["count"] == 2
    response = api(world.partner).get("/api/hearings/", {"matter": world.matter.pk})
    assert ids(response) == [world.hearing.pk]


def test_hearings_filtered_by_date_range(api, world):
    later = HearingFactory(
        proceeding=world.proceeding, starts_at=datetime(2027, 9, 1, 9, 0, tzinfo=UTC)
    )
    response = api(world.partner).get("/api/hearings/", {"starts_after": "2027-06-01T00:00:00Z"})
    assert ids(response) == [later.pk]


def test_allegations_filtered_by_matter_and_response(api, world):
    denied = AllegationFactory(
        claim=world.claim, paragraph="14", against=world.defendant, response="denied"
    )
    response = api(world.partner).get(
        "/api/allegations/", {"matter": world.matter.pk, "response": "denied"}
    )
    assert ids(response) == [denied.pk]


def test_claims_filtered_by_proceeding(api, world):
    appeal = ProceedingFactory(matter=world.matter)
    ClaimFactory(proceeding=appeal, cause_of_action="Passing off")
    response = api(world.partner).get("/api/claims/", {"proceeding": world.proceeding.pk})
    assert ids(response) == [world.claim.pk]


def test_memberships_filtered_by_role(api, world):
    response = api(world.client).get("/api/memberships/", {"role": "expert"})
    assert names(response, "username") == ["expert"]


# --- Search and ordering ---------------------------------------------------------------------


def test_party_search_matches_part_of_a_name(api, world):
    response = api(world.partner).get("/api/parties/", {"search": "jadeport"})
    assert ids(response) == [world.defendant.pk]


def test_matter_search_matches_the_reference(api, world):
    response = api(world.partner).get("/api/matters/", {"search": "NWA-00"})
    assert ids(response) == [world.matter.pk]
    assert api(world.partner).get("/api/matters/", {"search": "HRB"}).json()["count"] == 0


def test_search_does_not_reach_into_other_matters(api, world):
    response = api(world.partner).get("/api/parties/", {"search": "Quayline"})
    assert response.json()["count"] == 0


@pytest.mark.parametrize(("ordering", "descending"), [("name", False), ("-name", True)])
def test_parties_can_be_ordered_by_name(api, world, ordering, descending):
    PartyFactory(matter=world.matter, name="Aardvark Ltd", role="third_party")
    listed = names(api(world.partner).get("/api/parties/", {"ordering": ordering}))
    assert listed == sorted(listed, reverse=descending)
    assert len(listed) == 3


def test_allegations_are_in_pleading_order(api, world):
    for paragraph in ["2", "10", "10(a)", "3"]:
        AllegationFactory(claim=world.claim, paragraph=paragraph, against=world.defendant)
    response = api(world.partner).get("/api/allegations/", {"ordering": "paragraph_sort"})
    assert names(response, "paragraph") == ["2", "3", "10", "10(a)", "12"]


def test_unknown_ordering_is_ignored(api, world):
    response = api(world.partner).get("/api/parties/", {"ordering": "matter__memberships"})
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_memberships_ordering_by_a_computed_field_is_not_a_server_error(api, world):
    client = api(world.partner)
    client.raise_request_exception = False
    response = client.get("/api/memberships/", {"ordering": "user__get_full_name"})
    assert response.status_code == 200


# --- Hearing times ---------------------------------------------------------------------------


@pytest.fixture
def los_angeles(world):
    """A proceeding of world.matter in a US court that sits in Los Angeles."""
    us = JurisdictionFactory(
        code="us-fed",
        name="United States federal courts",
        time_zone="America/New_York",
        holiday_calendar="US",
        rule_set="frcp",
    )
    court = CourtFactory(
        jurisdiction=us,
        name="US District Court",
        division="Central District of California",
        time_zone="America/Los_Angeles",
    )
    return ProceedingFactory(matter=world.matter, court=court)


def hearing_json(api, world, hearing) -> dict:
    return api(world.partner).get(f"/api/hearings/{hearing.pk}/").json()


def test_winter_hearing_in_london_is_shown_at_utc_offset_zero(api, world):
    body = hearing_json(api, world, world.hearing)
    assert body["starts_at"] == "2027-03-09T10:30:00Z"
    assert body["starts_at_local"] == "2027-03-09T10:30:00+00:00"
    assert body["time_zone"] == "Europe/London"


def test_summer_hearing_in_london_is_shown_in_british_summer_time(api, world):
    summer = HearingFactory(
        proceeding=world.proceeding, starts_at=datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
    )
    body = hearing_json(api, world, summer)
    assert body["starts_at_local"] == "2027-07-01T10:00:00+01:00"
    assert datetime.fromisoformat(body["starts_at"]) == summer.starts_at


def test_starts_at_is_given_in_utc(api, world):
    summer = HearingFactory(
        proceeding=world.proceeding, starts_at=datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
    )
    assert hearing_json(api, world, summer)["starts_at"] == "2027-07-01T09:00:00Z"


@pytest.mark.parametrize(
    ("utc", "local"),
    [
        (datetime(2027, 3, 9, 18, 0, tzinfo=UTC), "2027-03-09T10:00:00-08:00"),
        (datetime(2027, 7, 1, 17, 0, tzinfo=UTC), "2027-07-01T10:00:00-07:00"),
    ],
)
def test_hearing_in_los_angeles_is_shown_in_pacific_time(api, world, los_angeles, utc, local):
    hearing = HearingFactory(proceeding=los_angeles, starts_at=utc)
    body = hearing_json(api, world, hearing)
    assert body["starts_at_local"] == local
    assert body["time_zone"] == "America/Los_Angeles"
    assert datetime.fromisoformat(body["starts_at"]) == utc


def test_hearing_posted_with_a_court_offset_is_stored_as_that_instant(api, world, los_angeles):
    response = api(world.partner).post(
        "/api/hearings/",
        {
            "proceeding": los_angeles.pk,
            "kind": "interim",
            "starts_at": "2027-07-01T10:00:00-07:00",
            "remote_link": "https://video.example.com/room/42",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["starts_at_local"] == "2027-07-01T10:00:00-07:00"
    hearing = ENDPOINTS["hearings"].model.objects.get(pk=response.json()["id"])
    assert hearing.starts_at == datetime(2027, 7, 1, 17, 0, tzinfo=UTC)


def test_court_reports_its_own_time_zone_over_its_jurisdictions(api, world, los_angeles):
    response = api(world.partner).get(f"/api/courts/{los_angeles.court_id}/")
    assert response.json()["time_zone"] == "America/Los_Angeles"
