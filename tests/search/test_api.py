"""GET /api/matters/{id}/search/: the search page's hits and filters as JSON, in the schema,
404 to an outsider, and a 400 with its reason for a parameter that is not right."""

import pytest

from casemgr.search.selectors import QUERY_CHARS
from tests.search.conftest import PHRASE

PATH = "/api/matters/{id}/search/"


def _url(world) -> str:
    return PATH.format(id=world.matter.pk)


def test_the_schema_lists_the_endpoint_with_its_filters(spec):
    operation = spec["paths"]["/api/matters/{matter_pk}/search/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {
        "q",
        "kind",
        "document_type",
        "designation",
        "party",
        "date_from",
        "date_to",
        "page",
    } <= names


def test_hits_come_with_where_they_open(api, world, findable):
    body = api(world.paralegal).get(_url(world), {"q": f'"{PHRASE}"', "kind": "page"}).json()
    assert body["groups"] == [
        {
            "kind": "page",
            "label": "In the documents",
            "total": 1,
            "more": False,
            "page": 1,
            "pages": 1,
        }
    ]
    [hit] = body["results"]
    assert hit["id"] == findable.letter_file.pk and hit["page"] == 3
    assert hit["url"].endswith(f"?file={findable.letter_file.pk}&page=3#preview")
    assert "<mark>heliotrope</mark>" in hit["snippet"]
    assert set(hit) == {"kind", "id", "title", "page", "snippet", "rank", "url"}


def test_an_outsider_gets_404(api, world):
    assert api(world.outsider).get(_url(world), {"q": "heliotrope"}).status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "x", "date_from": "2026-02-30"}, "date_from"),
        ({"q": "x", "kind": "spaceship"}, "kind"),
        ({"q": "x", "date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_to"),
        ({"q": "x" * (QUERY_CHARS + 1)}, "q"),
        ({"q": "x", "party": "99999999999999999999"}, "party"),
        ({"q": "x\x00"}, "q"),
    ],
)
def test_a_bad_parameter_is_400_with_its_reason(api, world, params, field):
    response = api(world.paralegal).get(_url(world), params)
    assert response.status_code == 400
    assert field in response.json()
