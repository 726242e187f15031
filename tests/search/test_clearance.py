"""The expert (no AEO clearance) never learns of an AEO exhibit through search: no hit, no
count, no snippet, on the page or through the API."""

from django.urls import reverse

from tests.search.conftest import PHRASE


def test_the_expert_sees_the_letter_page_and_nothing_of_the_aeo_exhibit(
    client, api, world, findable
):
    client.force_login(world.expert)
    html = client.get(
        reverse("search:results", args=[world.matter.pk]), {"q": f'"{PHRASE}"'}
    ).content.decode()
    assert "Letter of 3 March 2026" in html
    assert "Osprey" not in html and "AEO-" not in html
    assert 'class="badge search-count">1<' in html

    body = api(world.expert).get(f"/api/matters/{world.matter.pk}/search/", {"q": PHRASE}).json()
    assert [g["total"] for g in body["groups"] if g["kind"] == "page"] == [1]
    assert "Osprey" not in str(body) and "AEO-" not in str(body)
    assert {hit["id"] for hit in body["results"] if hit["kind"] == "page"} == {
        findable.letter_file.pk
    }


def test_the_partner_finds_both(api, world, findable):
    body = api(world.partner).get(f"/api/matters/{world.matter.pk}/search/", {"q": PHRASE}).json()
    assert [g["total"] for g in body["groups"] if g["kind"] == "page"] == [2]
    assert "Osprey" in str(body)
