"""Completing exhibits' details after an upload: the bulk page has what a court bundle depends
on, and it and the single exhibit's page apply one rule for "Details to complete"."""

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casemgr.bundles import services as bundle_services
from casemgr.bundles.models import Bundle
from casemgr.evidence.models import Exhibit
from tests.evidence.pages import bulk_post, bulk_url, edit_post, field_element


def listing(client, world) -> str:
    return client.get(reverse("evidence:exhibits", args=[world.matter.pk])).content.decode()


def test_save_all_clears_details_to_complete_on_exhibits_dated_with_their_producer(
    client, world, new_exhibits
):
    ids = new_exhibits(2)
    client.force_login(world.paralegal)
    assert listing(client, world).count("Details to complete") == 2
    response = bulk_post(
        client,
        world.matter,
        ids,
        {
            0: {"document_date": "2026-01-12", "party": world.claimant.pk},
            1: {"document_date": "2026-01-26"},  # who produced it is still unknown
        },
    )
    assert response.status_code == 302, response.content.decode()
    done, undone = Exhibit.objects.get(pk=ids[0]), Exhibit.objects.get(pk=ids[1])
    assert done.status == Exhibit.Status.REVIEWED
    assert undone.status == Exhibit.Status.NEW
    page = client.get(response.url).content.decode()
    assert page.count("Details to complete") == 1
    assert "2 exhibits saved; 1 still has details to complete" in page


def test_the_single_exhibit_page_applies_the_same_rule(client, world, new_exhibits):
    first, second = new_exhibits(2)
    client.force_login(world.paralegal)
    response = edit_post(
        client, first, world.matter, {"document_date": "2026-01-12", "party": world.claimant.pk}
    )
    assert response.status_code == 302
    assert Exhibit.objects.get(pk=first).status == Exhibit.Status.REVIEWED
    # Still undated: it stays to complete.
    edit_post(client, second, world.matter, {"author": "Ada Quill"})
    assert Exhibit.objects.get(pk=second).status == Exhibit.Status.NEW


def test_a_status_the_member_chooses_is_kept(client, world, new_exhibits):
    pk, undated = new_exhibits(2)
    client.force_login(world.paralegal)
    complete = {"document_date": "2026-01-12", "party": world.claimant.pk}
    edit_post(client, pk, world.matter, complete)
    assert Exhibit.objects.get(pk=pk).status == Exhibit.Status.REVIEWED
    # Chosen in a save, New is kept, even with the details complete…
    bulk_post(client, world.matter, [pk], {0: {"status": "new"}})
    assert Exhibit.objects.get(pk=pk).status == Exhibit.Status.NEW
    # …but it means "details to complete": the next save that finds them complete clears it.
    bulk_post(client, world.matter, [pk], {0: {"title": "Letter before action"}})
    assert Exhibit.objects.get(pk=pk).status == Exhibit.Status.REVIEWED
    # Nothing sets an exhibit back to New by itself, and an undated one may be marked
    # reviewed by hand (some documents bear no date).
    bulk_post(
        client,
        world.matter,
        [pk, undated],
        {0: {"document_date": ""}, 1: {"status": "reviewed"}},
    )
    assert Exhibit.objects.get(pk=pk).status == Exhibit.Status.REVIEWED
    assert Exhibit.objects.get(pk=undated).status == Exhibit.Status.REVIEWED


def test_the_bulk_form_has_status_party_author_and_privileged(client, world, new_exhibits):
    ids = new_exhibits(1)
    client.force_login(world.paralegal)
    html = client.get(bulk_url(world.matter, ids)).content.decode()
    for field in ["status", "party", "author", "privileged"]:
        assert field_element(html, f"form-0-{field}") is not None, field
    party = field_element(html, "form-0-party")
    names = [option.text for option in party.xpath("option")]
    assert "Northwind Intelligence Ltd" in names
    assert "Quayline Ltd" not in names  # a party of another matter is never offered


def test_privileged_set_in_bulk_keeps_the_exhibit_out_of_a_bundle_for_all_parties(
    client, world, new_exhibits
):
    advice, terms = new_exhibits(2)
    client.force_login(world.paralegal)
    response = bulk_post(
        client,
        world.matter,
        [advice, terms],
        {0: {"title": "Counsel's advice on merits", "privileged": "on"}},
    )
    assert response.status_code == 302, response.content.decode()
    assert Exhibit.objects.get(pk=advice).privileged
    bundle = bundle_services.bundle_create(
        bundle=Bundle(
            matter=world.matter,
            proceeding=world.proceeding,
            title="Bundle for the CMC",
            audience=Bundle.Audience.ALL_PARTIES,
        ),
        actor=world.paralegal,
    )
    section = bundle.sections.get(letter="D")
    with pytest.raises(ValidationError, match="privileged"):
        bundle_services.entry_add(
            bundle=bundle,
            section=section,
            exhibit=Exhibit.objects.get(pk=advice),
            actor=world.paralegal,
        )
    bundle_services.entry_add(
        bundle=bundle, section=section, exhibit=Exhibit.objects.get(pk=terms), actor=world.paralegal
    )


def test_the_exhibit_list_leads_back_to_bulk_details_for_the_rows_shown(
    client, world, new_exhibits
):
    ids = new_exhibits(3)
    client.force_login(world.paralegal)
    page = listing(client, world)
    link = re.search(
        r'<a class="button" id="bulk-details" href="([^"]+)">Edit the details of these 3<', page
    )
    assert link is not None
    path, _, query = html.unescape(link[1]).partition("?")
    assert path == reverse("evidence:bulk_edit", args=[world.matter.pk])
    assert sorted(int(pk) for pk in query.removeprefix("ids=").split(",")) == sorted(ids)
    bulk = client.get(html.unescape(link[1])).content.decode()
    assert all(f'value="{pk}"' in bulk for pk in ids)
    client.force_login(world.expert)  # reads only: no way in to change details
    assert "Edit the details of these" not in listing(client, world)
