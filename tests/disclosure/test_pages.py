"""The Disclosure pages: the two lists, adding, editing and removing, who may do what."""

import pytest
from django.urls import reverse

from casemgr.access.models import AuditAction, AuditEvent
from casemgr.disclosure.models import DisclosureEntry
from tests.disclosure.conftest import approve_redaction
from tests.factories import ExhibitFactory

pytestmark = pytest.mark.django_db


def page_url(proceeding, **extra):
    return reverse(
        "disclosure:disclosure",
        kwargs={"matter_pk": proceeding.matter_id, "proceeding_pk": proceeding.pk},
    ) + ("?" + "&".join(f"{k}={v}" for k, v in extra.items()) if extra else "")


def add_url(proceeding, kind):
    return reverse(
        "disclosure:listing_add",
        kwargs={"matter_pk": proceeding.matter_id, "proceeding_pk": proceeding.pk, "kind": kind},
    )


def entry_url(entry, name):
    return reverse(
        f"disclosure:{name}",
        kwargs={
            "matter_pk": entry.matter_id,
            "proceeding_pk": entry.proceeding_id,
            "pk": entry.pk,
        },
    )


def test_the_page_shows_both_lists_in_the_courts_form(client, disclosure):
    client.force_login(disclosure.world.partner)
    page = client.get(page_url(disclosure.us)).content.decode()
    assert "Documents produced" in page and "Privilege log" in page
    assert "Attorney-client privilege" in page
    assert "Memorandum prepared for the litigation" in page
    english = client.get(page_url(disclosure.english)).content.decode()
    assert "documents withheld from inspection" in english
    assert "Issue for Disclosure" in english
    # The other form, asked for, and the exports follow it.
    chosen = client.get(page_url(disclosure.english, form="frcp")).content.decode()
    assert "Privilege log" in chosen and "withheld.csv?form=frcp" in chosen


def test_the_page_is_reached_from_the_matter_and_the_proceeding(client, disclosure):
    client.force_login(disclosure.world.paralegal)
    proceeding = client.get(disclosure.english.get_absolute_url()).content.decode()
    assert page_url(disclosure.english) in proceeding
    index = client.get(reverse("disclosure:disclosure_index", args=[disclosure.world.matter.pk]))
    assert page_url(disclosure.us) in index.content.decode()


def test_an_outsider_gets_404_everywhere(client, disclosure):
    client.force_login(disclosure.world.outsider)
    entry = DisclosureEntry.objects.filter(proceeding=disclosure.us).first()
    for url in [
        page_url(disclosure.us),
        add_url(disclosure.us, "withheld"),
        entry_url(entry, "listing_edit"),
        entry_url(entry, "listing_remove"),
        reverse("disclosure:disclosure_index", args=[disclosure.world.matter.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert AuditEvent.objects.filter(action=AuditAction.DENIED).exists()


def test_an_entry_above_clearance_does_not_exist(client, disclosure):
    client.force_login(disclosure.world.paralegal)
    page = client.get(page_url(disclosure.us)).content.decode()
    assert "NWA-3" not in page and "Memorandum prepared" not in page
    memo = DisclosureEntry.objects.get(proceeding=disclosure.us, exhibit=disclosure.memo)
    assert client.get(entry_url(memo, "listing_edit")).status_code == 404
    assert client.post(entry_url(memo, "listing_remove")).status_code == 404
    assert DisclosureEntry.objects.filter(pk=memo.pk).exists()
    # Nor can it be chosen to add to a list.
    form = client.get(add_url(disclosure.us, "disclosed")).content.decode()
    assert "Secret memo" not in form


def test_adding_a_withheld_document(client, disclosure):
    exhibit = ExhibitFactory(
        matter=disclosure.world.matter, prefix="NWA", number=6, title="Note of a call"
    )
    client.force_login(disclosure.world.paralegal)
    response = client.post(
        add_url(disclosure.us, "withheld"),
        {
            "exhibit": exhibit.pk,
            "ground": "work_product",
            "withholding": "in_full",
            "description": "Note prepared by counsel in anticipation of litigation",
        },
    )
    assert response.status_code == 302
    entry = DisclosureEntry.objects.get(exhibit=exhibit)
    assert entry.ground == "work_product" and entry.created_by == disclosure.world.paralegal
    assert "Note prepared by counsel" in client.get(page_url(disclosure.us)).content.decode()


def test_bad_input_is_kept_and_explained(client, disclosure):
    exhibit = ExhibitFactory(matter=disclosure.world.matter, prefix="NWA", number=6)
    client.force_login(disclosure.world.paralegal)
    response = client.post(
        add_url(disclosure.us, "withheld"),
        {
            "exhibit": exhibit.pk,
            "ground": "other",
            "withholding": "in_full",
            "description": "A note",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "State the ground claimed." in page
    assert "A note" in page  # what was typed is still there
    # A privileged exhibit may not go on the disclosed list as it is.
    response = client.post(add_url(disclosure.us, "disclosed"), {"exhibit": disclosure.advice.pk})
    assert response.status_code == 400
    assert "marked privileged" in response.content.decode()
    assert not DisclosureEntry.objects.filter(exhibit=exhibit).exists()


def test_editing_and_removing_an_entry(client, disclosure):
    entry = DisclosureEntry.objects.get(proceeding=disclosure.us, exhibit=disclosure.advice)
    client.force_login(disclosure.world.paralegal)
    form = client.get(entry_url(entry, "listing_edit")).content.decode()
    assert '<option value="attorney_client" selected>' in form
    assert 'value="2026-02-03"' in form  # as a date input reads it, so saving keeps it
    response = client.post(
        entry_url(entry, "listing_edit"),
        {
            "ground": "common_interest",
            "withholding": "in_full",
            "description": "E-mail between co-defendants' counsel",
            "document_type": "email",
            "document_date": "2026-02-03",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.ground == "common_interest"
    page = client.get(page_url(disclosure.us)).content.decode()
    assert "Common-interest doctrine" in page  # a US log's words for it
    assert client.post(entry_url(entry, "listing_remove")).status_code == 302
    assert not DisclosureEntry.objects.filter(pk=entry.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_id=str(entry.pk)).exists()


def test_a_read_only_member_sees_but_does_not_change(client, disclosure):
    client.force_login(disclosure.world.client)
    assert client.get(page_url(disclosure.us)).status_code == 200
    assert "Add a document" not in client.get(page_url(disclosure.us)).content.decode()
    assert client.get(add_url(disclosure.us, "disclosed")).status_code == 403
    letter = DisclosureEntry.objects.get(proceeding=disclosure.us, exhibit=disclosure.letter)
    assert client.post(entry_url(letter, "listing_remove")).status_code == 403


def test_a_redactions_row_offers_to_state_the_ground(client, disclosure):
    report = ExhibitFactory(
        matter=disclosure.world.matter,
        prefix="NWA",
        number=5,
        title="Board report",
        privileged=True,
    )
    approve_redaction(report, reason="privilege", world=disclosure.world)
    client.force_login(disclosure.world.partner)
    response = client.post(add_url(disclosure.us, "disclosed"), {"exhibit": report.pk})
    assert response.status_code == 302
    page = client.get(page_url(disclosure.us)).content.decode()
    assert "Privilege – ground to be stated" in page
    assert "exhibit=NWA-5" in page
    form = client.get(add_url(disclosure.us, "withheld") + "?exhibit=NWA-5").content.decode()
    assert f'<option value="{report.pk}" selected>' in form
