"""Many hits of one kind: the overview shows the best few of each kind and links to the rest;
one kind is read page by page, best first, through the search page and the API alike."""

import re

import pytest
from django.urls import reverse

from casemgr.search.selectors import OVERVIEW_HITS, PAGE_HITS, SearchFilters, search_for
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

EVENTS = PAGE_HITS + 5


@pytest.fixture
def licences(world):
    """EVENTS events about licences, the nth naming the licence n times: ranked by n."""
    return [
        EventFactory(
            matter=world.matter,
            title=f"Call number {n}",
            description=" ".join(["licence"] * n),
            created_by=world.partner,
        )
        for n in range(1, EVENTS + 1)
    ]


def _titles(group) -> list[str]:
    return [hit.title for hit in group.hits]


def test_the_overview_shows_the_best_of_each_kind(world, licences):
    [group] = search_for(matter=world.matter, user=world.partner, query="licence").groups
    assert group.total == EVENTS
    assert _titles(group) == [f"Call number {n}" for n in range(EVENTS, EVENTS - OVERVIEW_HITS, -1)]


@pytest.mark.parametrize("route", ["fts", "simple"])
def test_one_kind_is_read_page_by_page_to_the_last(world, licences, route):
    def page(number):
        [group] = search_for(
            matter=world.matter,
            user=world.partner,
            query="licence",
            filters=SearchFilters(kinds=("event",)),
            page=number,
            route=route,
        ).groups
        return group

    first, second, beyond = page(1), page(2), page(99)
    assert (first.page, first.pages, len(first.hits)) == (1, 2, PAGE_HITS)
    assert (second.page, second.start, len(second.hits)) == (2, PAGE_HITS, 5)
    assert _titles(beyond) == _titles(second)  # past the end: the last page, not nothing
    assert {h.id for h in first.hits} | {h.id for h in second.hits} == {e.pk for e in licences}
    if route == "fts":  # the simple route does not rank
        assert _titles(second) == [f"Call number {n}" for n in range(5, 0, -1)]


def test_the_search_page_links_from_the_overview_to_the_pages_of_a_kind(client, world, licences):
    client.force_login(world.paralegal)
    url = reverse("search:results", args=[world.matter.pk])

    overview = client.get(url, {"q": "licence"}).content.decode()
    assert overview.count('class="hit hit--event"') == OVERVIEW_HITS
    link = re.search(r'<a href="([^"]+)">All 30 in events →</a>', overview)
    assert link, "the overview links to the rest of the kind"

    first = client.get(url + link[1].replace("&amp;", "&")).content.decode()
    assert first.count('class="hit hit--event"') == PAGE_HITS
    assert "Page 1 of 2" in first
    next_page = re.search(r'<a rel="next" href="([^"]+)">Next</a>', first)[1]

    second = client.get(url + next_page.replace("&amp;", "&")).content.decode()
    assert second.count('class="hit hit--event"') == 5
    assert '<ol class="hits" start="26">' in second
    assert "26–30 of 30" in second and "Page 2 of 2" in second
    assert 'rel="next"' not in second and 'rel="prev"' in second

    nonsense = client.get(url, {"q": "licence", "kind": "event", "page": "x"})
    assert nonsense.status_code == 200 and "Page 1 of 2" in nonsense.content.decode()


def test_the_api_gives_a_page_of_one_kind(api, world, licences):
    body = (
        api(world.paralegal)
        .get(
            f"/api/matters/{world.matter.pk}/search/", {"q": "licence", "kind": "event", "page": 2}
        )
        .json()
    )
    assert body["groups"][0] | {"label": None} == {
        "kind": "event",
        "label": None,
        "total": EVENTS,
        "more": False,
        "page": 2,
        "pages": 2,
    }
    assert len(body["results"]) == 5
