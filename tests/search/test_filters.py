"""The search page's filters, read from the query string: kind, exhibit type, designation,
party and dates narrow the hits; a filter that is not valid is named and not applied."""

import re

from django.urls import reverse

from casemgr.access.models import Clearance


def _kinds(client, world, **params) -> set[str]:
    response = client.get(reverse("search:results", args=[world.matter.pk]), params)
    assert response.status_code == 200
    return set(re.findall(r'<section[^>]*id="results-(\w+)"', response.content.decode()))


def test_kind_shows_only_that_kind(client, world, findable):
    client.force_login(world.partner)
    assert _kinds(client, world, q="heliotrope") >= {"page", "event", "allegation", "deadline"}
    assert _kinds(client, world, q="heliotrope", kind="event") == {"event"}


def test_exhibit_type_and_designation_keep_to_exhibits_of_that_kind(client, world, findable):
    client.force_login(world.partner)
    html = client.get(
        reverse("search:results", args=[world.matter.pk]),
        {"q": "heliotrope", "document_type": "report"},
    ).content.decode()
    assert "Osprey memorandum" in html and "Letter of 3 March 2026" not in html
    assert _kinds(client, world, q="heliotrope", designation=int(Clearance.AEO)) == {"page"}


def test_dates_keep_to_records_dated_within(client, world, findable):
    client.force_login(world.partner)
    march = _kinds(client, world, q="heliotrope", date_from="2026-03-01", date_to="2026-03-31")
    assert march == {"page", "event"}  # the letter (3 March) and the event (5 March)
    assert _kinds(client, world, q="heliotrope", date_from="2026-05-01") == {"deadline"}


def test_party_keeps_to_its_records(client, world, findable):
    client.force_login(world.partner)
    assert _kinds(client, world, q="heliotrope", party=world.defendant.pk) == {"allegation"}


def test_a_bad_date_is_named_and_the_rest_still_searched(client, world, findable):
    client.force_login(world.partner)
    response = client.get(
        reverse("search:results", args=[world.matter.pk]),
        {"q": "heliotrope", "date_from": "2026-13-45", "kind": "event"},
    )
    html = response.content.decode()
    assert "Dated from" in html or "From:" in html
    assert "This filter was not applied." in html
    assert 'id="results-event"' in html
