"""The API keeps to its published OpenAPI schema, and the docs page is self-hosted."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from openapi_spec_validator import validate

from casemgr.access.models import Clearance, Role
from casemgr.api_urls import router
from tests.api.conftest import ALL_LISTS, ENDPOINTS, new_record, record_of
from tests.factories import MatterFactory, member
from tests.openapi import check

DOCS_SCRIPT = "/api/docs/?script="


def detail_id(world, endpoint: str) -> int:
    if endpoint == "jurisdictions":
        return world.proceeding.court.jurisdiction_id
    if endpoint == "courts":
        return world.proceeding.court_id
    return record_of(world, endpoint).pk


# --- The schema itself -----------------------------------------------------------------------


def test_schema_is_valid_openapi_3(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "casemgr API"


def test_schema_lists_every_endpoint(spec):
    expected = {"/api/auth/token/"}
    # Every viewset on the router, not only those this file exercises.
    for prefix, _viewset, _basename in router.registry:
        expected |= {f"/api/{prefix}/", f"/api/{prefix}/{{id}}/"}
    assert {f"/api/{endpoint}/" for endpoint in ALL_LISTS} <= expected
    assert expected <= set(spec["paths"])


def test_schema_offers_no_delete_but_of_evidence_links_and_no_writes_to_reference_data(spec):
    deletable = {path for path, operations in spec["paths"].items() if "delete" in operations}
    assert deletable == {"/api/evidence-links/{id}/"}
    for endpoint in ["jurisdictions", "courts", "memberships"]:
        assert set(spec["paths"][f"/api/{endpoint}/"]) == {"get"}
        assert set(spec["paths"][f"/api/{endpoint}/{{id}}/"]) == {"get"}


def test_schema_documents_token_and_session_sign_in(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["tokenAuth"]["name"] == "Authorization"
    assert schemes["cookieAuth"]["in"] == "cookie"


def test_hearing_schema_documents_both_times(spec):
    hearing = spec["components"]["schemas"]["Hearing"]["properties"]
    assert hearing["starts_at"]["format"] == "date-time"
    assert hearing["starts_at_local"]["readOnly"] is True
    assert hearing["time_zone"]["readOnly"] is True


# --- Real responses against the schema -------------------------------------------------------


@pytest.mark.parametrize("endpoint", ALL_LISTS)
def test_list_response_matches_the_schema(api, world, openapi, endpoint):
    response = api(world.partner).get(f"/api/{endpoint}/")
    assert response.status_code == 200
    check(openapi, response, request_too=True)


@pytest.mark.parametrize("endpoint", ALL_LISTS)
def test_detail_response_matches_the_schema(api, world, openapi, endpoint):
    response = api(world.partner).get(f"/api/{endpoint}/{detail_id(world, endpoint)}/")
    assert response.status_code == 200
    check(openapi, response, request_too=True)


def test_filtered_list_request_matches_the_schema(api, world, openapi):
    response = api(world.partner).get(
        "/api/parties/", {"matter": world.matter.pk, "role": "defendant", "ordering": "-name"}
    )
    assert response.json()["count"] == 1
    check(openapi, response, request_too=True)


@pytest.mark.parametrize("endpoint", ["parties", "hearings", "claims", "allegations"])
def test_create_matches_the_schema(api, world, openapi, endpoint):
    response = api(world.partner).post(
        ENDPOINTS[endpoint].list_url(), new_record(world, endpoint), format="json"
    )
    assert response.status_code == 201
    check(openapi, response, request_too=True)


@pytest.mark.parametrize("endpoint", ["matters", "proceedings", "allegations"])
def test_update_matches_the_schema(api, world, openapi, endpoint):
    spec = ENDPOINTS[endpoint]
    field, value = spec.patch
    response = api(world.partner).patch(
        spec.detail_url(record_of(world, endpoint).pk), {field: value}, format="json"
    )
    assert response.status_code == 200
    check(openapi, response, request_too=True)


def test_hearing_with_a_remote_link_matches_the_schema(api, world, openapi):
    response = api(world.partner).patch(
        f"/api/hearings/{world.hearing.pk}/",
        {"remote_link": "https://video.example.com/room/7"},
        format="json",
    )
    assert response.status_code == 200
    check(openapi, response, request_too=True)


def test_opening_a_matter_matches_the_schema(api, world, openapi):
    world.partner.user_permissions.add(Permission.objects.get(codename="add_matter"))
    response = api(world.partner).post(
        "/api/matters/",
        {"reference": "NWA-0002", "title": "Northwind v Orrin", "opened_on": "2026-11-02"},
        format="json",
    )
    assert response.status_code == 201
    check(openapi, response, request_too=True)


def test_token_exchange_matches_the_schema(api, world, openapi):
    response = api().post(
        "/api/auth/token/",
        {"username": "partner", "password": "correct-horse-battery"},
        format="json",
    )
    assert response.status_code == 200
    check(openapi, response)


# --- The docs page ---------------------------------------------------------------------------


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.urls.append(attrs["src"])
            else:
                self.inline_scripts += 1
        elif tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


@pytest.fixture
def docs(api, world):
    response = api(world.partner).get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    parser = Assets()
    parser.feed(response.content.decode())
    return parser


def test_docs_page_runs_no_inline_script(docs):
    assert docs.urls
    assert docs.inline_scripts == 0


def test_docs_assets_come_from_this_site_only(docs):
    for url in docs.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, url
        assert url.startswith("/static/") or url == DOCS_SCRIPT, url


def test_docs_static_assets_exist_and_are_served(docs):
    static = [url for url in docs.urls if url.startswith("/static/")]
    assert len(static) >= 3  # the Swagger UI bundle, its preset, its stylesheet
    for url in static:
        assert finders.find(url.removeprefix("/static/")), url
    # In tests DEBUG is off and collectstatic has not run, so let WhiteNoise serve from the
    # finders, as it does in development.
    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        client = Client()
        for url in static:
            assert client.get(url).status_code == 200, url


def test_docs_start_script_is_served_and_points_at_the_schema(api, world, docs):
    assert DOCS_SCRIPT in docs.urls
    response = api(world.partner).get(DOCS_SCRIPT)
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert "/api/schema/" in response.content.decode()


def test_schema_documents_the_refusals_each_operation_may_give(spec):
    """casemgr.core.schema: a 400 names the field, a 403 or 404 says why, all as JSON."""
    operations = [op for item in spec["paths"].values() for op in item.values()]
    assert all("403" in op["responses"] for op in operations)
    assert all("400" in op["responses"] for op in operations if "requestBody" in op)
    detail = spec["paths"]["/api/triggers/{id}/"]
    assert {"400", "403", "404", "415"} <= set(detail["patch"]["responses"])
    assert "404" in detail["get"]["responses"]
    assert spec["components"]["schemas"]["ValidationError"]["type"] == "object"


def _body_properties(spec, path: str, method: str) -> dict:
    operation = spec["paths"][path][method]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return spec["components"]["schemas"][ref.rpartition("/")[2]]["properties"]


def test_fields_that_cannot_change_after_creation_are_marked(spec, api, world):
    put = _body_properties(spec, "/api/proceedings/{id}/", "put")
    patch = _body_properties(spec, "/api/proceedings/{id}/", "patch")
    assert put["matter"]["x-fixed-after-creation"] is True
    assert "Cannot change once the record exists" in put["matter"]["description"]
    assert "readOnly" not in put["matter"]  # the same body creates a proceeding
    assert patch["matter"]["readOnly"] is True  # a PATCH leaves it out
    assert "x-fixed-after-creation" not in put["title"]

    link = _body_properties(spec, "/api/evidence-links/{id}/", "patch")
    assert {"exhibit", "allegation", "event"} <= {
        name for name, prop in link.items() if prop.get("x-fixed-after-creation")
    }

    # What the schema says is what the API does.
    elsewhere = MatterFactory()
    member(world.partner, elsewhere, Role.PARTNER, Clearance.AEO)
    response = api(world.partner).patch(
        f"/api/proceedings/{world.proceeding.pk}/", {"matter": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["matter"] == ["A record cannot be moved once it exists."]


def test_schema_states_the_limits_the_server_keeps(spec, api, world):
    """What the server refuses, the schema says: ids from 1, no null character in text, a
    time zone from the IANA list, a claim's parties not empty; and the server keeps to it."""
    client = api(world.partner)
    matter = next(
        p for p in spec["paths"]["/api/proceedings/"]["get"]["parameters"] if p["name"] == "matter"
    )
    assert matter["schema"]["minimum"] == 1
    assert client.get("/api/proceedings/", {"matter": 0}).status_code == 400

    claim = _body_properties(spec, "/api/claims/", "post")
    assert claim["claimants"]["minItems"] == 1
    body = {**new_record(world, "claims"), "claimants": []}
    assert client.post("/api/claims/", body, format="json").status_code == 400

    title = _body_properties(spec, "/api/proceedings/", "post")["title"]
    assert not re.match(title["pattern"], "a\x00b")
    assert not re.match(title["pattern"], " \x1f ")  # blank once trimmed, as the server trims
    assert re.match(title["pattern"], " Northwind v Jadeport ")
    body = {**new_record(world, "proceedings"), "title": "a\x00b"}
    assert client.post("/api/proceedings/", body, format="json").status_code == 400

    zone = _body_properties(spec, "/api/events/", "post")["time_zone"]
    zones = spec["components"]["schemas"]["TimeZone"]["enum"]
    assert zone["oneOf"][0] == {"$ref": "#/components/schemas/TimeZone"}
    assert "Asia/Shanghai" in zones and "Mars/Olympus" not in zones


def test_rules_the_schema_cannot_state_are_written_on_their_operation(spec):
    hearing = spec["paths"]["/api/hearings/"]["post"]["description"]
    assert "Also refused with 400: the hearing starts between 1990 and 2200" in hearing
    upload = spec["paths"]["/api/matters/{matter_pk}/exhibits/upload/"]["post"]
    assert set(upload["requestBody"]["content"]) == {"multipart/form-data"}
    assert set(spec["paths"]["/api/claims/"]["post"]["requestBody"]["content"]) == {
        "application/json"
    }
