"""The API half of the access matrix: every role × every matter-scoped endpoint.

Members read their matter; partners, associates and paralegals change it; experts and clients
only read; anyone else gets 404 — answered exactly like a missing id, and audited.
"""

import pytest

from casemgr.access.models import AuditAction, AuditEvent
from tests.api.conftest import (
    CREATABLE,
    EDITORS,
    ENDPOINTS,
    MEMBERS,
    MISSING_ID,
    READ_ONLY,
    REFERENCE,
    ROLES,
    SCOPED,
    WRITABLE,
    new_record,
    record_of,
)


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def denied_events(user):
    return AuditEvent.objects.filter(action=AuditAction.DENIED, actor=user)


# --- Reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", SCOPED)
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_a_matters_rows_only_to_its_members(api, world, role, endpoint):
    response = api(world.user(role)).get(ENDPOINTS[endpoint].list_url())
    assert response.status_code == 200
    visible = record_of(world, endpoint).pk in ids(response)
    assert visible == (role in MEMBERS)


@pytest.mark.parametrize("endpoint", SCOPED)
@pytest.mark.parametrize("role", ROLES)
def test_detail_is_200_for_members_and_404_for_anyone_else(api, world, role, endpoint):
    record = record_of(world, endpoint)
    response = api(world.user(role)).get(ENDPOINTS[endpoint].detail_url(record.pk))
    if role in MEMBERS:
        assert response.status_code == 200
        assert response.json()["id"] == record.pk
    else:
        assert response.status_code == 404
        assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("endpoint", SCOPED)
def test_outsider_lists_only_rows_of_their_own_matter(api, world, elsewhere, endpoint):
    response = api(world.outsider).get(ENDPOINTS[endpoint].list_url())
    expected = {elsewhere[endpoint].pk}
    if endpoint == "parties":
        expected.add(elsewhere["defendants"].pk)
    assert ids(response) == expected


def test_matter_list_tells_each_member_their_role(api, world):
    for role in MEMBERS:
        results = api(world.user(role)).get("/api/matters/").json()["results"]
        assert [(m["reference"], m["my_role"]) for m in results] == [("NWA-0001", role)]


@pytest.mark.parametrize("endpoint", REFERENCE)
@pytest.mark.parametrize("role", ["partner", "client", "outsider"])
def test_reference_data_is_readable_by_every_signed_in_user(api, world, role, endpoint):
    response = api(world.user(role)).get(f"/api/{endpoint}/")
    assert response.status_code == 200
    assert response.json()


# --- Writing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", WRITABLE)
@pytest.mark.parametrize("role", ROLES)
def test_patch_changes_the_record_only_for_editing_roles(api, world, role, endpoint):
    spec = ENDPOINTS[endpoint]
    record = record_of(world, endpoint)
    field, value = spec.patch
    before = getattr(record, field)

    response = api(world.user(role)).patch(
        spec.detail_url(record.pk), {field: value}, format="json"
    )

    record.refresh_from_db()
    if role in EDITORS:
        assert response.status_code == 200
        assert response.json()[field] == value
        assert getattr(record, field) == value
    else:
        assert response.status_code == (403 if role in READ_ONLY else 404)
        assert getattr(record, field) == before


@pytest.mark.parametrize("endpoint", CREATABLE)
@pytest.mark.parametrize("role", ROLES)
def test_post_creates_a_record_only_for_editing_roles(api, world, role, endpoint):
    spec = ENDPOINTS[endpoint]
    count = spec.model.objects.count()

    response = api(world.user(role)).post(
        spec.list_url(), new_record(world, endpoint), format="json"
    )

    if role in EDITORS:
        assert response.status_code == 201, response.json()
        assert spec.model.objects.filter(pk=response.json()["id"]).exists()
        assert spec.model.objects.count() == count + 1
        return
    if role in READ_ONLY:
        assert response.status_code == 403
        assert response.json() == {"detail": "Your role on this matter is read-only."}
    else:
        # The outsider cannot see the matter (or parent row) at all: it "does not exist".
        assert response.status_code == 400
        assert spec.parent_field in response.json()
    assert spec.model.objects.count() == count


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_cannot_put_either(api, world, role):
    response = api(world.user(role)).put(
        f"/api/parties/{world.claimant.pk}/",
        {"matter": world.matter.pk, "name": "Renamed Ltd", "role": "claimant"},
        format="json",
    )
    assert response.status_code == 403
    world.claimant.refresh_from_db()
    assert world.claimant.name == "Northwind Intelligence Ltd"


@pytest.mark.parametrize("endpoint", SCOPED)
def test_nothing_can_be_deleted_through_the_api(api, world, endpoint):
    spec = ENDPOINTS[endpoint]
    record = record_of(world, endpoint)
    response = api(world.partner).delete(spec.detail_url(record.pk))
    assert response.status_code == 405
    assert spec.model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("endpoint", ["memberships", *REFERENCE])
def test_read_only_endpoints_refuse_writes_even_from_a_partner(api, world, endpoint):
    client = api(world.partner)
    url = f"/api/{endpoint}/"
    assert client.post(url, {"name": "x"}, format="json").status_code == 405
    first = client.get(url).json()
    row = (first["results"] if isinstance(first, dict) else first)[0]
    assert client.patch(f"{url}{row['id']}/", {"name": "x"}, format="json").status_code == 405


def test_a_partner_of_both_matters_sees_both(api, world):
    from casemgr.access.models import Role
    from tests.factories import member

    member(world.partner, world.other_matter, Role.PARTNER)
    response = api(world.partner).get("/api/parties/")
    assert ids(response) == {world.claimant.pk, world.defendant.pk, world.other_party.pk}


# --- No existence oracle ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "patch", "put"])
@pytest.mark.parametrize("endpoint", SCOPED)
def test_another_matters_record_answers_exactly_like_a_missing_id(api, world, endpoint, method):
    spec = ENDPOINTS[endpoint]
    client = api(world.outsider)
    call = getattr(client, method)
    hidden = call(spec.detail_url(record_of(world, endpoint).pk), {}, format="json")
    missing = call(spec.detail_url(MISSING_ID), {}, format="json")
    expected = 405 if endpoint == "memberships" and method != "get" else 404
    assert hidden.status_code == missing.status_code == expected
    assert hidden.content == missing.content


@pytest.mark.parametrize("endpoint", ["matters", "parties"])
def test_a_non_numeric_id_is_404_like_a_missing_one(api, world, endpoint):
    client = api(world.partner)
    client.raise_request_exception = False
    spec = ENDPOINTS[endpoint]
    response = client.get(spec.detail_url("abc"))
    assert response.status_code == 404
    assert response.content == client.get(spec.detail_url(MISSING_ID)).content


FILTERS = [
    ("parties", "matter", "matters"),
    ("people", "matter", "matters"),
    ("people", "party", "parties"),
    ("proceedings", "matter", "matters"),
    ("hearings", "matter", "matters"),
    ("hearings", "proceeding", "proceedings"),
    ("claims", "matter", "matters"),
    ("claims", "proceeding", "proceedings"),
    ("allegations", "matter", "matters"),
    ("allegations", "claim", "claims"),
    ("allegations", "against", "defendants"),
    ("memberships", "matter", "matters"),
]


@pytest.mark.parametrize(("endpoint", "param", "target"), FILTERS)
def test_filtering_by_another_matters_id_looks_like_a_missing_id(
    api, world, elsewhere, endpoint, param, target
):
    url = ENDPOINTS[endpoint].list_url()
    hidden_id = elsewhere[target].pk
    # The filter does find rows for someone who may see them...
    assert api(world.outsider).get(url, {param: hidden_id}).json()["count"] > 0
    # ...but to the partner of the other matter it is the same empty page as a missing id.
    client = api(world.partner)
    hidden = client.get(url, {param: hidden_id})
    missing = client.get(url, {param: MISSING_ID})
    assert hidden.status_code == missing.status_code == 200
    assert (
        hidden.json()
        == missing.json()
        == {
            "count": 0,
            "next": None,
            "previous": None,
            "results": [],
        }
    )


@pytest.mark.parametrize("endpoint", CREATABLE)
def test_posting_into_an_invisible_matter_looks_like_a_missing_one(api, world, endpoint):
    spec = ENDPOINTS[endpoint]
    client = api(world.outsider)
    body = new_record(world, endpoint)
    hidden_id = body[spec.parent_field]
    hidden = client.post(spec.list_url(), body, format="json")
    missing = client.post(spec.list_url(), {**body, spec.parent_field: MISSING_ID}, format="json")
    assert hidden.status_code == missing.status_code == 400
    message = hidden.json()[spec.parent_field]
    assert message == [f'Invalid pk "{hidden_id}" - object does not exist.']
    assert missing.json()[spec.parent_field] == [
        f'Invalid pk "{MISSING_ID}" - object does not exist.'
    ]


# --- Audit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", WRITABLE)
def test_outsider_reaching_for_a_hidden_record_is_audited(api, world, endpoint):
    spec = ENDPOINTS[endpoint]
    record = record_of(world, endpoint)
    client = api(world.outsider)
    url = spec.detail_url(record.pk)
    assert client.get(url).status_code == 404
    assert client.patch(url, {}, format="json").status_code == 404
    assert client.put(url, {}, format="json").status_code == 404

    events = list(denied_events(world.outsider))
    assert len(events) == 3
    for event in events:
        assert event.matter_id == world.matter.pk
        assert event.object_type == spec.model._meta.label
        assert event.object_id == str(record.pk)
        assert event.detail == {"reason": "not a member of the matter"}
        assert event.path == url


def test_outsider_reaching_for_a_hidden_membership_is_audited(api, world):
    record = record_of(world, "memberships")
    assert api(world.outsider).get(f"/api/memberships/{record.pk}/").status_code == 404
    assert denied_events(world.outsider).filter(matter=world.matter).count() == 1


@pytest.mark.parametrize("endpoint", SCOPED)
def test_a_missing_id_is_not_audited(api, world, endpoint):
    assert api(world.outsider).get(ENDPOINTS[endpoint].detail_url(MISSING_ID)).status_code == 404
    assert not denied_events(world.outsider).exists()


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_member_refused_a_change_is_audited(api, world, role):
    user = world.user(role)
    client = api(user)
    client.patch(f"/api/parties/{world.claimant.pk}/", {"name": "X"}, format="json")
    client.post("/api/parties/", new_record(world, "parties"), format="json")
    events = list(denied_events(user))
    assert len(events) == 2
    assert {e.detail["reason"] for e in events} == {"read-only member"}
    assert {e.matter_id for e in events} == {world.matter.pk}


def test_reading_is_not_audited_as_a_refusal(api, world):
    client = api(world.expert)
    for endpoint in SCOPED:
        client.get(ENDPOINTS[endpoint].detail_url(record_of(world, endpoint).pk))
    assert not AuditEvent.objects.filter(action=AuditAction.DENIED).exists()
