"""Changing and unpinning evidence from the pages: inline in an event's entry (htmx), as plain
pages without JavaScript, and pinning exhibits to an allegation from its proof and the gaps.
Only editors, only links they may see, and every change audited."""

import pytest
from django.urls import reverse

from casemgr.access.models import AuditAction, AuditEvent
from casemgr.evidence.models import Exhibit
from casemgr.timeline.models import EvidenceLink
from tests.factories import AllegationFactory, EvidenceLinkFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def spike_link(chronology, exhibit) -> EvidenceLink:
    return EvidenceLink.objects.get(event=chronology.spike, exhibit=exhibit)


def test_an_entry_offers_edit_and_remove_for_each_link(client, world, chronology):
    client.force_login(world.associate)
    html = client.get(reverse("timeline:timeline", args=[world.matter.pk])).content.decode()
    for exhibit in (chronology.letter, chronology.log):
        link = spike_link(chronology, exhibit)
        assert reverse("timeline:link_edit", args=[world.matter.pk, link.pk]) in html
        assert reverse("timeline:link_remove", args=[world.matter.pk, link.pk]) in html
    assert f'aria-label="Remove the link to {chronology.log.reference} pp. 12–14"' in html
    # One click does not remove: the browser asks first, naming the exhibit and the event.
    assert 'hx-confirm="Remove MA-2 from “Traffic spike from rotating accounts”?' in html


def test_editing_a_link_inline_changes_its_pinpoint_and_stance(client, world, chronology):
    client.force_login(world.associate)
    link = spike_link(chronology, chronology.log)
    url = reverse("timeline:link_edit", args=[world.matter.pk, link.pk])
    form = client.get(url, **HTMX).content.decode()
    assert "Edit the link to MA-2" in form and 'value="12-14"' in form
    response = client.post(
        url,
        {
            "exhibit": chronology.letter.pk,  # the exhibit stays: a new one is a new link
            "exhibit_file": chronology.log_file.pk,
            "pages": "20-21",
            "stance": "contradicts",
            "note": "Traffic fell after the suspension",
            "event": chronology.terms.pk,  # nor does the link move
            "allegation": chronology.denied.pk,
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "pp. 20–21" in html and "Contradicts" in html and "data-inline-form" not in html
    link.refresh_from_db()
    assert (link.pages, link.stance) == ("20-21", "contradicts")
    assert (link.exhibit, link.event, link.allegation) == (chronology.log, chronology.spike, None)
    change = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(link.pk))
    assert change.detail["changes"]["pages"] == {"from": "12-14", "to": "20-21"}


def test_an_invalid_edit_comes_back_with_its_error_and_changes_nothing(client, world, chronology):
    client.force_login(world.associate)
    link = spike_link(chronology, chronology.log)
    url = reverse("timeline:link_edit", args=[world.matter.pk, link.pk])
    data = {"exhibit": chronology.log.pk, "exhibit_file": chronology.log_file.pk}
    response = client.post(url, {**data, "pages": "41", "stance": "supports"}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The file has 40 pages; page 41 is not in it." in html and 'value="41"' in html
    link.refresh_from_db()
    assert link.pages == "12-14"


def test_removing_a_link_inline_keeps_the_exhibit_and_audits_what_it_said(
    client, world, chronology
):
    client.force_login(world.associate)
    link = spike_link(chronology, chronology.log)
    url = reverse("timeline:link_remove", args=[world.matter.pk, link.pk])
    response = client.post(url, {"next": "/ignored-when-htmx"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Traffic spike" in html and "MA-2" not in html and "MA-1" in html
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()
    assert Exhibit.objects.filter(pk=chronology.log.pk).exists()
    removed = AuditEvent.objects.get(action=AuditAction.DELETE, object_id=str(link.pk))
    assert removed.actor == world.associate and removed.matter == world.matter
    assert removed.detail["removed"]["pages"] == "12-14"


def test_without_javascript_removing_asks_first_then_goes_back(client, world, chronology):
    client.force_login(world.associate)
    link = spike_link(chronology, chronology.letter)
    url = reverse("timeline:link_remove", args=[world.matter.pk, link.pk])
    back = reverse("timeline:timeline", args=[world.matter.pk]) + "?status=disputed"
    confirm = client.get(url, {"next": back}).content.decode()
    assert "Remove this evidence link?" in confirm
    assert "Traffic spike from rotating accounts" in confirm and "MA-1" in confirm
    assert EvidenceLink.objects.filter(pk=link.pk).exists()
    response = client.post(url, {"next": back})
    assert response.status_code == 302
    assert response["Location"] == f"{back}#event-{chronology.spike.pk}"
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()


def test_a_link_to_an_exhibit_above_the_members_clearance_is_not_found(client, world, chronology):
    client.force_login(world.paralegal)  # confidential: the AEO log is not theirs to see
    link = spike_link(chronology, chronology.log)
    for name in ("link_edit", "link_remove"):
        url = reverse(f"timeline:{name}", args=[world.matter.pk, link.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"stance": "context"}, **HTMX).status_code == 404
    link.refresh_from_db()
    assert link.stance == "supports"
    html = client.get(reverse("timeline:timeline", args=[world.matter.pk])).content.decode()
    assert reverse("timeline:link_edit", args=[world.matter.pk, link.pk]) not in html


@pytest.mark.parametrize("role", ["expert", "client"])
def test_read_only_members_can_neither_change_nor_remove_a_link(client, world, chronology, role):
    client.force_login(world.user(role))
    link = EvidenceLink.objects.get(allegation=world.allegation)  # standard: all may see it
    for name in ("link_edit", "link_remove"):
        url = reverse(f"timeline:{name}", args=[world.matter.pk, link.pk])
        assert client.post(url, {"exhibit": chronology.letter.pk}).status_code == 403
    assert EvidenceLink.objects.filter(pk=link.pk, pages="1").exists()
    proof = reverse("timeline:allegation_proof", args=[world.matter.pk, world.allegation.pk])
    html = client.get(proof).content.decode()
    assert "Pin evidence" not in html and "/remove/" not in html


def test_pinning_evidence_to_a_gap_from_the_gaps_list(client, world, chronology):
    unproved = AllegationFactory(claim=world.claim, paragraph="15", response="not_admitted")
    client.force_login(world.paralegal)
    gaps = reverse("timeline:gaps", args=[world.matter.pk])
    pin = reverse("timeline:allegation_link_create", args=[world.matter.pk, unproved.pk])
    assert pin in client.get(gaps).content.decode()
    form = client.get(pin, {"next": gaps}).content.decode()
    assert "Pin evidence to paragraph 15" in form and "MA-2" not in form  # above clearance
    response = client.post(
        pin,
        {
            "next": gaps,
            "exhibit": chronology.letter.pk,
            "exhibit_file": chronology.letter_file.pk,
            "pages": "2",
            "stance": "supports",
        },
    )
    assert response.status_code == 302 and response["Location"] == gaps
    link = EvidenceLink.objects.get(allegation=unproved)
    assert (link.pages, link.created_by, link.event) == ("2", world.paralegal, None)
    assert pin not in client.get(gaps).content.decode()


def test_an_allegations_evidence_is_changed_and_removed_from_its_proof(client, world, chronology):
    client.force_login(world.associate)
    proof = reverse("timeline:allegation_proof", args=[world.matter.pk, chronology.denied.pk])
    html = client.get(proof).content.decode()
    contradicting = EvidenceLink.objects.get(allegation=chronology.denied, stance="contradicts")
    edit = reverse("timeline:link_edit", args=[world.matter.pk, contradicting.pk])
    assert edit in html and "Pin evidence to ¶13" in html
    page = client.get(edit).content.decode()
    assert "Evidence for paragraph 13" in page
    response = client.post(
        edit, {"exhibit": chronology.log.pk, "pages": "8", "stance": "contradicts"}
    )
    assert response.status_code == 302 and response["Location"] == f"{proof}#evidence"
    contradicting.refresh_from_db()
    assert contradicting.pages == "8" and contradicting.allegation == chronology.denied
    remove = reverse("timeline:link_remove", args=[world.matter.pk, contradicting.pk])
    assert client.post(remove).status_code == 302
    after = client.get(proof).content.decode()
    assert "p. 8" not in after and edit not in after and "Contradicts</span> 0" in after
    assert not EvidenceLink.objects.filter(pk=contradicting.pk).exists()


def test_the_claim_page_leads_to_the_matrix_and_each_paragraphs_proof(client, world, chronology):
    client.force_login(world.expert)
    claim = reverse("pleadings:claim", args=[world.matter.pk, world.claim.pk])
    html = client.get(claim).content.decode()
    assert reverse("timeline:claim_matrix", args=[world.matter.pk, world.claim.pk]) in html
    for allegation in (world.allegation, chronology.denied, chronology.admitted):
        proof = reverse("timeline:allegation_proof", args=[world.matter.pk, allegation.pk])
        assert proof in html


def test_going_back_never_leaves_the_site(client, world, chronology):
    client.force_login(world.associate)
    timeline = reverse("timeline:timeline", args=[world.matter.pk])
    for elsewhere in ["https://evil.example/", "//evil.example/", "/\\evil.example"]:
        link = EvidenceLinkFactory(exhibit=chronology.letter, event=chronology.spike)
        url = reverse("timeline:link_remove", args=[world.matter.pk, link.pk])
        assert "evil" not in client.get(url, {"next": elsewhere}).content.decode()
        response = client.post(url, {"next": elsewhere})
        assert response["Location"] == f"{timeline}#event-{chronology.spike.pk}"
    # A paragraph's evidence goes back to its proof.
    link = EvidenceLink.objects.get(allegation=world.allegation)
    url = reverse("timeline:link_edit", args=[world.matter.pk, link.pk])
    data = {"next": "https://evil.example/", "pages": "2", "stance": "supports"}
    proof = reverse("timeline:allegation_proof", args=[world.matter.pk, world.allegation.pk])
    assert client.post(url, data)["Location"] == f"{proof}#evidence"
