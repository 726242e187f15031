"""The redaction pages: the exhibit page's redactions, the redaction page's forms and
refusals, the redacted file served with its hash checked, and clearance (404, audited)."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from casemgr.access.models import AuditAction, AuditEvent, Clearance
from casemgr.redaction import applying, services
from casemgr.redaction.models import Redaction
from tests.redaction.making import box, exhibit_file

pytestmark = pytest.mark.django_db


def url(name, redaction, *args):
    return reverse(f"redaction:{name}", args=[redaction.matter_id, redaction.pk, *args])


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def proposal(world, memo, fake, django_capture_on_commit_callbacks):
    """The paralegal's redaction of the memo, applied and awaiting approval."""
    redaction, _ = services.redaction_start(exhibit_file=memo, actor=world.paralegal)
    services.boxes_add(redaction=redaction, boxes=[box()], actor=world.paralegal)
    with django_capture_on_commit_callbacks(execute=True):
        applying.redaction_apply(redaction=redaction, actor=world.paralegal)
    redaction.refresh_from_db()
    assert redaction.status == Redaction.Status.PROPOSED
    return redaction


def test_the_exhibit_page_offers_redact_and_shows_the_state(client, world, memo, proposal):
    exhibit_url = memo.exhibit.get_absolute_url()
    client.force_login(world.partner)
    page = client.get(exhibit_url).content.decode()
    assert "Awaiting approval" in page
    assert f"proposed by {world.paralegal.get_full_name()}" in page
    assert reverse("redaction:start", args=[world.matter.pk, memo.pk]) in page
    client.force_login(world.expert)  # reads only: sees the state, is offered nothing
    page = client.get(exhibit_url).content.decode()
    assert "Awaiting approval" in page
    assert reverse("redaction:start", args=[world.matter.pk, memo.pk]) not in page


def test_redact_opens_the_redaction_page_with_the_viewer(client, world, memo):
    client.force_login(world.paralegal)
    response = client.post(reverse("redaction:start", args=[world.matter.pk, memo.pk]))
    redaction = Redaction.objects.get()
    assert response.url == redaction.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "data-redact-viewer" in page and 'id="redaction-boxes"' in page
    assert reverse("evidence:file_preview", args=[world.matter.pk, memo.pk]) in page
    assert "Drag across the page to draw a box" in page
    assert "<script>" not in page  # CSP: no inline script (the boxes are JSON data)


def test_a_drawn_box_is_saved_and_listed_with_its_reason(client, world, memo):
    redaction, _ = services.redaction_start(exhibit_file=memo, actor=world.paralegal)
    client.force_login(world.paralegal)
    response = client.post(
        url("box_add", redaction),
        {"page": 2, "x0": 70, "y0": 90, "x1": 250, "y1": 120, "reason": "personal_data"},
        follow=True,
    )
    assert "Box added on page 2 (Personal data)." in messages_of(response)
    assert response.redirect_chain[-1][0].endswith("?page=2#viewer")
    (saved,) = redaction.boxes.all()
    assert (saved.page, saved.x0, saved.y1, saved.reason) == (2, 70, 120, "personal_data")
    assert '"label": "Personal data"' in response.content.decode()


def test_a_box_without_a_reason_is_refused_and_what_was_drawn_kept(client, world, memo):
    redaction, _ = services.redaction_start(exhibit_file=memo, actor=world.paralegal)
    client.force_login(world.paralegal)
    response = client.post(
        url("box_add", redaction), {"page": 1, "x0": 70, "y0": 90, "x1": 250, "y1": 120}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and 'value="250"' in page
    off = client.post(
        url("box_add", redaction),
        {"page": 9, "x0": 70, "y0": 90, "x1": 250, "y1": 120, "reason": "privilege"},
        follow=True,
    )
    assert "Page 9 is not in this document, which has 2 page(s)." in messages_of(off)
    assert not redaction.boxes.exists()


def test_find_and_redact_adds_boxes_and_says_where(client, world, memo, fake):
    redaction, _ = services.redaction_start(exhibit_file=memo, actor=world.paralegal)
    client.force_login(world.paralegal)
    response = client.post(
        url("find", redaction), {"term": "Orion", "reason": "commercially_sensitive"}, follow=True
    )
    assert "1 box added for term “Orion”, on p. 1." in messages_of(response)
    assert redaction.boxes.get().found_by == "term “Orion”"
    empty = client.post(url("find", redaction), {"term": "", "reason": "privilege"})
    assert "Give a word or phrase to find" in empty.content.decode()


def test_the_proposer_is_told_a_second_member_must_approve(client, world, proposal):
    client.force_login(world.paralegal)
    page = client.get(url("redaction", proposal)).content.decode()
    assert "You proposed this redaction; a second member must approve it." in page
    assert url("approve", proposal) not in page
    response = client.post(url("approve", proposal), follow=True)
    assert "You proposed this redaction; a second member must approve it." in messages_of(response)
    assert Redaction.objects.get(pk=proposal.pk).status == Redaction.Status.PROPOSED


def test_a_second_member_approves_and_the_exhibit_page_says_by_whom(client, world, proposal):
    client.force_login(world.associate)
    response = client.post(url("approve", proposal), follow=True)
    assert "approved" in messages_of(response)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reviewed_by) == (Redaction.Status.APPROVED, world.associate)
    page = client.get(proposal.file.exhibit.get_absolute_url()).content.decode()
    assert f"approved by {world.associate.get_full_name()}" in page


def test_a_reviewer_returns_it_with_a_note_the_proposer_reads(client, world, proposal):
    client.force_login(world.partner)
    refused = client.post(url("return", proposal), {"note": ""}, follow=True)
    assert "Say what should change" in messages_of(refused)
    client.post(url("return", proposal), {"note": "Box the <b>account ids</b> too."})
    client.force_login(world.paralegal)
    page = client.get(url("redaction", proposal)).content.decode()
    assert f"Returned by {world.partner.get_full_name()}" in page
    assert "Box the &lt;b&gt;account ids&lt;/b&gt; too." in page  # escaped


def test_readers_cannot_change_a_redaction(client, world, proposal):
    client.force_login(world.expert)
    assert client.get(url("redaction", proposal)).status_code == 200
    for name in ("apply", "approve", "return", "discard", "box_add", "find"):
        assert client.post(url(name, proposal)).status_code == 403, name
    assert Redaction.objects.get(pk=proposal.pk).status == Redaction.Status.PROPOSED


def test_above_clearance_and_outsiders_get_404_audited(
    client, world, fake, django_capture_on_commit_callbacks
):
    aeo = exhibit_file(world, designation=Clearance.AEO, name="weights.pdf")
    redaction, _ = services.redaction_start(exhibit_file=aeo, actor=world.partner)
    services.boxes_add(redaction=redaction, boxes=[box()], actor=world.partner)
    with django_capture_on_commit_callbacks(execute=True):
        applying.redaction_apply(redaction=redaction, actor=world.partner)
    # The paralegal edits, but is cleared to confidential only; the outsider is not a member.
    for user in (world.paralegal, world.outsider):
        client.force_login(user)
        for name in ("redaction", "status", "redacted", "redacted_pdf", "download"):
            assert client.get(url(name, redaction)).status_code == 404, (user, name)
        assert client.post(url("approve", redaction)).status_code == 404
        start = reverse("redaction:start", args=[world.matter.pk, aeo.pk])
        assert client.post(start).status_code == 404
    assert Redaction.objects.get(pk=redaction.pk).status == Redaction.Status.PROPOSED
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED)
    assert denied.filter(actor=world.paralegal, object_id=str(redaction.pk)).exists()
    assert denied.filter(actor=world.outsider).exists()


def test_the_redacted_file_is_served_hash_checked_and_audited(client, world, proposal):
    client.force_login(world.partner)
    response = client.get(url("redacted_pdf", proposal))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF") and response["Content-Disposition"].startswith("inline")
    download = client.get(url("download", proposal))
    assert download["Content-Disposition"].startswith("attachment")
    assert "(redacted).pdf" in download["Content-Disposition"]
    events = AuditEvent.objects.filter(object_id=str(proposal.pk), actor=world.partner)
    assert {e.action for e in events} >= {AuditAction.VIEW, AuditAction.DOWNLOAD}
    viewer = client.get(url("redacted", proposal)).content.decode()
    assert url("redacted_pdf", proposal) in viewer and "data-pdf-viewer" in viewer


def test_a_tampered_redacted_file_is_not_sent(client, world, proposal):
    with default_storage.open(proposal.storage_key, "wb") as stored:
        stored.write(b"%PDF-1.7 something else")
    client.force_login(world.partner)
    response = client.get(url("download", proposal))
    assert response.status_code == 500
    assert b"failed its integrity check" in response.content
    assert AuditEvent.objects.filter(
        action=AuditAction.INTEGRITY_FAILED, object_id=str(proposal.pk)
    ).exists()


def test_a_stale_redaction_is_shown_as_stale(client, world, memo, proposal):
    type(memo).objects.filter(pk=memo.pk).update(rendition_sha256="e" * 64)
    client.force_login(world.partner)
    page = client.get(url("redaction", proposal)).content.decode()
    assert "This redaction is stale." in page
    assert url("approve", proposal) not in page
    exhibit_page = client.get(memo.exhibit.get_absolute_url()).content.decode()
    assert "drawn on an earlier preview; never used" in exhibit_page


def test_the_status_poll_reports_progress(client, world, memo):
    redaction, _ = services.redaction_start(exhibit_file=memo, actor=world.paralegal)
    Redaction.objects.filter(pk=redaction.pk).update(
        status=Redaction.Status.APPLYING, pages_done=1, pages_total=4
    )
    client.force_login(world.paralegal)
    state = client.get(url("status", redaction)).json()
    assert state["percent"] == 25 and state["finished"] is False
    page = client.get(url("redaction", redaction)).content.decode()
    assert "Being applied – 1 of 4 pages" in page
