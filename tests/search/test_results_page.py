"""The search page: hits grouped by kind with their counts, each linking to where it belongs,
and the anchors it links to present on the page it opens."""

import re

import pytest
from django.urls import reverse

from tests.search.conftest import PHRASE


def _search(client, world, **params):
    response = client.get(reverse("search:results", args=[world.matter.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_hits_are_grouped_by_kind_with_counts(client, world, findable):
    client.force_login(world.partner)
    html = _search(client, world, q="heliotrope")
    for kind, label in [
        ("page", "In the documents"),
        ("event", "Events"),
        ("allegation", "Allegations"),
        ("deadline", "Deadlines"),
    ]:
        section = re.search(rf'<section[^>]*id="results-{kind}".*?</section>', html, re.S)
        assert section, kind
        assert label in section[0]
    pages = re.search(r'id="results-page".*?</section>', html, re.S)[0]
    # Two pages for the partner, who may see the AEO exhibit too.
    assert re.search(r'class="badge search-count">2<', pages)


def test_a_page_hit_opens_the_exhibit_preview_at_its_page(client, world, findable):
    client.force_login(world.paralegal)
    html = _search(client, world, q=f'"{PHRASE}"')
    exhibit_url = reverse("evidence:exhibit", args=[world.matter.pk, findable.letter.pk])
    link = f"{exhibit_url}?file={findable.letter_file.pk}&amp;page=3#preview"
    assert f'href="{link}"' in html
    assert "Page 3" in html

    exhibit = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'id="preview"' in exhibit
    assert 'data-page="3"' in exhibit
    preview = reverse("evidence:file_preview", args=[world.matter.pk, findable.letter_file.pk])
    assert f'data-src="{preview}"' in exhibit


@pytest.mark.parametrize(
    ("kind", "anchor"),
    [
        ("event", "event-{event}"),
        ("allegation", "allegation-{allegation}"),
        ("party", "party-{party}"),
    ],
)
def test_a_record_hit_opens_its_page_at_its_row(client, world, findable, kind, anchor):
    client.force_login(world.paralegal)
    ids = {
        "event": findable.event.pk,
        "allegation": world.allegation.pk,
        "party": world.claimant.pk,
    }
    anchor = anchor.format(**ids)
    html = _search(client, world, q="heliotrope OR northwind", kind=kind)
    href = re.search(rf'href="([^"]*#{anchor})"', html)
    assert href, f"no link to #{anchor}"
    target = client.get(href[1].split("#")[0])
    assert target.status_code == 200
    assert f'id="{anchor}"' in target.content.decode()


def test_a_person_row_can_be_landed_on(client, world):
    client.force_login(world.paralegal)
    html = _search(client, world, q="Ada Quill")
    assert f"#person-{world.person.pk}" in html
    parties = client.get(reverse("matters:parties", args=[world.matter.pk])).content.decode()
    assert f'id="person-{world.person.pk}"' in parties


def test_every_matter_page_has_the_search_box_and_it_keeps_the_query(client, world):
    client.force_login(world.paralegal)
    action = reverse("search:results", args=[world.matter.pk])
    for url in [
        reverse("matters:overview", args=[world.matter.pk]),
        reverse("timeline:timeline", args=[world.matter.pk]),
        reverse("evidence:exhibits", args=[world.matter.pk]),
    ]:
        html = client.get(url).content.decode()
        assert f'action="{action}"' in html, url
        assert (
            '<label class="visually-hidden" for="matter-search-q">Search this matter</label>'
            in html
        )
    html = _search(client, world, q="ledger <b>")
    assert 'name="q" value="ledger &lt;b&gt;"' in html
    # Outside a matter there is nothing to search in.
    assert 'id="matter-search-q"' not in client.get(reverse("dashboard")).content.decode()


def test_an_event_hit_opens_the_timeline_page_it_is_on(client, world, findable, monkeypatch):
    from datetime import date

    from casemgr.timeline import views as timeline_views
    from tests.factories import EventFactory

    monkeypatch.setattr(timeline_views, "PAGE_SIZE", 2)
    for n in range(4):  # earlier than the hit's event: it is on page 3 of 3
        EventFactory(matter=world.matter, title=f"Earlier event {n}", date=date(2001, 1, n + 1))
    client.force_login(world.paralegal)
    html = _search(client, world, q="heliotrope", kind="event")
    href = re.search(rf'href="([^"]*#event-{findable.event.pk})"', html)[1]

    target = client.get(href.replace("&amp;", "&").split("#")[0]).content.decode()

    assert f'id="event-{findable.event.pk}"' in target
