"""The search page before a search, when nothing is found, and when the search is too long:
each says so in words."""

from django.urls import reverse

from casemgr.search.selectors import QUERY_CHARS


def _page(client, world, **params) -> str:
    response = client.get(reverse("search:results", args=[world.matter.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_without_a_query_the_page_says_what_can_be_searched(client, world):
    client.force_login(world.paralegal)
    html = _page(client, world)
    assert "Type what you are looking for" in html
    assert '"quoted phrases"' in html and "<code>OR</code>" in html and "<code>-word</code>" in html


def test_nothing_found_is_said_with_the_query(client, world):
    client.force_login(world.paralegal)
    html = _page(client, world, q="zygomorphic")
    assert "Nothing found for “zygomorphic”" in html


def test_a_search_too_long_is_refused_with_its_length(client, world):
    client.force_login(world.paralegal)
    html = _page(client, world, q="word " * 200)
    assert f"at most {QUERY_CHARS} characters, and it has 999" in html
    assert "Nothing found" not in html
    assert "Type what you are looking for" not in html
