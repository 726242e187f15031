"""A bad value is a 400 naming the field, whatever the content type, never a server error."""

import re
from datetime import timedelta, timezone

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casemgr.deadlines.models import TriggerEvent
from casemgr.evidence.models import Exhibit
from tests.evidence import files
from tests.factories import ExhibitFactory


@pytest.fixture
def trigger(api, world):
    created = api(world.associate).post(
        "/api/triggers/",
        {
            "proceeding": world.proceeding.pk,
            "event": "particulars_served",
            "occurred_at": "2026-11-27T16:45:00Z",
            "method": "email",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    return TriggerEvent.objects.get(pk=created.json()["id"])


def test_null_options_on_a_trigger_are_refused_by_name(api, world, trigger):
    client = api(world.associate)
    response = client.patch(f"/api/triggers/{trigger.pk}/", {"options": None}, format="json")
    assert response.status_code == 400, response.content
    assert "options" in response.json()
    trigger.refresh_from_db()
    assert trigger.options == {}


@pytest.mark.parametrize("content_type", ["multipart", "application/x-www-form-urlencoded"])
def test_a_form_body_is_refused_as_a_type_the_api_does_not_read(api, world, trigger, content_type):
    """A form cannot say null, an empty list or an object, so the API reads JSON (and the
    upload's multipart) only: `options=null` is not quietly read as something else."""
    client = api(world.associate)
    if content_type == "multipart":
        response = client.patch(f"/api/triggers/{trigger.pk}/", {"note": "x"}, format=content_type)
    else:
        response = client.patch(
            f"/api/triggers/{trigger.pk}/", "note=x&options=null", content_type=content_type
        )
    assert response.status_code == 415, response.content
    assert "Unsupported media type" in response.json()["detail"]
    trigger.refresh_from_db()
    assert (trigger.note, trigger.options) == ("", {})


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"prefix": "\x01\x7f中文"}, "prefix"),
        ({"prefix": "M A"}, "prefix"),
        ({"prefix": "\x00"}, "prefix"),
        ({"prefix": "中", "designation": "1"}, "prefix"),
    ],
)
def test_odd_upload_metadata_is_a_400_naming_the_field(api, world, fields, named):
    client = api(world.paralegal)
    data = {"file": SimpleUploadedFile("terms.pdf", files.pdf(text="Odd prefix")), **fields}
    response = client.post(
        f"/api/matters/{world.matter.pk}/exhibits/upload/", data, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert named in response.json()
    assert not Exhibit.objects.filter(matter=world.matter).exists()


def test_an_upload_with_a_good_prefix_and_designation_as_text_is_stored(api, world):
    client = api(world.paralegal)
    data = {
        "file": SimpleUploadedFile("terms.pdf", files.pdf(text="Good prefix")),
        "prefix": "MA",
        "designation": "1",
    }
    response = client.post(
        f"/api/matters/{world.matter.pk}/exhibits/upload/", data, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json()["prefix"] == "MA"


@pytest.mark.parametrize("options", [["acknowledged"], "acknowledged", 7])
def test_options_that_are_not_an_object_are_refused_by_name(api, world, trigger, options):
    response = api(world.associate).patch(
        f"/api/triggers/{trigger.pk}/", {"options": options}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "options" in response.json()


@pytest.mark.parametrize(
    ("options", "named"),
    [({"country": "\u0000"}, "'country'"), ({"unknown_option": True}, "unknown_option")],
)
def test_options_the_rules_do_not_take_are_refused_naming_the_option(
    api, world, trigger, options, named
):
    response = api(world.associate).patch(
        f"/api/triggers/{trigger.pk}/", {"options": options}, format="json"
    )
    assert response.status_code == 400, response.content
    assert named in " ".join(response.json()["non_field_errors"])
    trigger.refresh_from_db()
    assert trigger.options == {}


@pytest.mark.parametrize(
    "instant",
    [
        "1994-05-26T20:41:58-22:06",  # an offset Python takes and PostgreSQL does not
        "0001-01-01T00:00:00+05:00",  # before the year 1 in UTC
        "9999-12-31T23:00:00-05:00",  # after the year 9999 in UTC
    ],
)
def test_an_instant_filter_out_of_the_databases_range_is_a_400_naming_it(api, world, instant):
    response = api(world.partner).get("/api/hearings/", {"starts_before": instant})
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert "starts_before" in response.json()


def test_an_instant_filter_with_a_far_offset_is_compared_in_utc(api, world):
    starts = world.hearing.starts_at
    # The same instant written with an offset of -22:06: the hearing starts at it, not before.
    far = starts.astimezone(timezone(-timedelta(hours=22, minutes=6))).isoformat()
    client = api(world.partner)
    assert client.get("/api/hearings/", {"starts_before": far}).json()["count"] == 0
    assert client.get("/api/hearings/", {"starts_after": far}).json()["count"] == 1


def test_a_deadline_time_of_day_matches_its_published_schema(api, world, spec):
    """JSON Schema's "time" format wants an offset ("16:00:00Z"); a court's 4pm has none, so
    the schema publishes the shape of the value instead of that format."""
    response = api(world.partner).post(
        "/api/deadlines/",
        {
            "proceeding": world.proceeding.pk,
            "title": "Disclosure",
            "due_date": "2027-03-01",
            "due_time": "16:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["due_time"] == "16:00:00"
    published = spec["components"]["schemas"]["Deadline"]["properties"]["due_time"]
    shapes = published.get("anyOf", [published])
    assert not any(shape.get("format") == "time" for shape in shapes)
    assert any(re.fullmatch(shape.get("pattern", "^$"), "16:00:00") for shape in shapes)


@pytest.mark.parametrize("endpoint", ["events", "parties", "evidence-links"])
def test_a_search_with_a_null_character_is_a_400_naming_the_parameter(api, world, endpoint):
    response = api(world.partner).get(f"/api/{endpoint}/", {"search": "Jade\x00port"})
    assert response.status_code == 400, response.content
    assert response.json() == {"search": ["Null characters are not allowed."]}


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"matter": ""}, "matter"),  # an id, not nothing
        ({"status": ""}, "status"),  # one of the statuses, not nothing
        ({"privileged": "perhaps"}, "privileged"),  # true or false
    ],
)
def test_a_filter_given_no_usable_value_is_refused_not_ignored(api, world, query, named):
    path = "/api/proceedings/" if named == "status" else "/api/exhibits/"
    response = api(world.partner).get(path, query)
    assert response.status_code == 400, response.content
    assert named in response.json()


def test_an_empty_text_filter_and_an_empty_page_number(api, world):
    client = api(world.partner)
    assert client.get("/api/triggers/", {"event": ""}).status_code == 200  # empty text
    assert client.get("/api/courts/", {"page": ""}).status_code == 404


def test_text_given_as_a_number_is_refused(api, world):
    response = api(world.partner).patch(
        f"/api/matters/{world.matter.pk}/", {"description": 1126981646}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "description" in response.json()
    world.matter.refresh_from_db()
    assert world.matter.description != "1126981646"


def test_a_text_limit_counts_the_white_space_sent_around_it(api, world):
    """As the schema's maxLength does: 300 characters and a space are over a limit of 300."""
    limit = 300  # Exhibit.title
    client = api(world.partner)
    exhibit = ExhibitFactory(matter=world.matter, created_by=world.partner)
    over = client.patch(f"/api/exhibits/{exhibit.pk}/", {"title": " " + "x" * limit}, format="json")
    assert over.status_code == 400, over.content
    assert "title" in over.json()
    at = client.patch(f"/api/exhibits/{exhibit.pk}/", {"title": "x" * limit}, format="json")
    assert at.status_code == 200, at.content


@pytest.mark.parametrize("country", [False, "Ireland", "ie", {"code": "IE"}])
def test_a_country_is_its_code_as_the_schema_lists_it(api, world, country):
    response = api(world.partner).patch(
        f"/api/parties/{world.claimant.pk}/", {"country": country}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "country" in response.json()
    good = api(world.partner).patch(
        f"/api/parties/{world.claimant.pk}/", {"country": "IE"}, format="json"
    )
    assert good.status_code == 200 and good.json()["country"] == "IE"


@pytest.mark.parametrize("query", [{"date_from": ""}, {"status": ""}, {"party": ""}])
def test_a_timeline_parameter_given_no_value_is_refused_not_ignored(api, world, query):
    response = api(world.partner).get(f"/api/matters/{world.matter.pk}/timeline/", query)
    assert response.status_code == 400, response.content
    assert list(response.json()) == list(query)
