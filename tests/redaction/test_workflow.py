"""The redaction workflow's services: start, boxes, apply (the task, run twice), the
four-eyes approval, superseding, returning, stale renditions, and the audit trail."""

import io

import pikepdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from casemgr.access.models import AuditAction, AuditEvent
from casemgr.evidence import storage
from casemgr.redaction import applying, engine, selectors, services
from casemgr.redaction.models import Redaction
from casemgr.redaction.tasks import apply_redaction
from tests.evidence import files
from tests.redaction.making import FakeEngine, box, install

pytestmark = pytest.mark.django_db


def start(memo, user):
    redaction, _new = services.redaction_start(exhibit_file=memo, actor=user)
    return redaction


def proposed(memo, user, django_capture_on_commit_callbacks):
    """A redaction with one box, applied by `user` (the task run as a worker would)."""
    redaction = start(memo, user)
    services.boxes_add(redaction=redaction, boxes=[box()], actor=user)
    with django_capture_on_commit_callbacks(execute=True):
        applying.redaction_apply(redaction=redaction, actor=user)
    redaction.refresh_from_db()
    return redaction


def audited(redaction, **detail) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(
        object_type="redaction.Redaction", object_id=str(redaction.pk)
    )
    return [e for e in events if all(e.detail.get(k) == v for k, v in detail.items())]


def test_a_redaction_starts_as_a_draft_of_the_current_rendition(world, memo):
    redaction, new = services.redaction_start(exhibit_file=memo, actor=world.paralegal)
    assert new and redaction.status == Redaction.Status.DRAFT
    assert redaction.source_sha256 == memo.rendition_sha256
    assert redaction.page_sizes == [[595.0, 842.0], [595.0, 842.0]]
    assert audited(redaction)[0].action == AuditAction.CREATE
    again, new = services.redaction_start(exhibit_file=memo, actor=world.partner)
    assert (again, new) == (redaction, False)  # one open redaction per file at a time


def test_read_only_members_cannot_start_a_redaction(world, memo):
    with pytest.raises(PermissionDenied, match="read-only"):
        services.redaction_start(exhibit_file=memo, actor=world.expert)
    assert not Redaction.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=world.expert).exists()


def test_boxes_are_checked_against_the_pages(world, memo):
    redaction = start(memo, world.paralegal)
    with pytest.raises(ValidationError, match="Page 3 is not in this document"):
        services.boxes_add(redaction=redaction, boxes=[box(page=3)], actor=world.paralegal)
    off_page = engine.Box(page=1, x0=600, y0=10, x1=700, y1=40)
    with pytest.raises(ValidationError, match="outside page 1"):
        services.boxes_add(redaction=redaction, boxes=[off_page], actor=world.paralegal)
    overhanging = engine.Box(page=2, x0=500, y0=800, x1=900, y1=900)
    (added,) = services.boxes_add(redaction=redaction, boxes=[overhanging], actor=world.paralegal)
    assert (added.x1, added.y1) == (595.0, 842.0)  # clipped to the page
    services.boxes_add(redaction=redaction, boxes=[overhanging], actor=world.paralegal)
    assert redaction.boxes.count() == 1  # the same box twice is one box


def test_find_adds_boxes_marked_with_what_found_them(world, memo, fake):
    redaction = start(memo, world.paralegal)
    added = services.boxes_find(
        redaction=redaction,
        actor=world.paralegal,
        reason="personal_data",
        terms=["Orion"],
        found_by="term “Orion”",
    )
    assert fake.found == [{"terms": ["Orion"], "patterns": []}]
    assert [(b.page, b.reason, b.found_by) for b in added] == [(1, "personal_data", "term “Orion”")]


def test_applying_stores_the_redacted_file_and_proposes_it(
    world, memo, fake, django_capture_on_commit_callbacks
):
    redaction = proposed(memo, world.paralegal, django_capture_on_commit_callbacks)
    assert redaction.status == Redaction.Status.PROPOSED, redaction.error
    assert redaction.proposed_by == world.paralegal and redaction.proposed_at
    assert redaction.page_count == 2 and redaction.size > 0
    assert redaction.storage_key == applying.redaction_key(redaction.sha256)
    storage.verify(redaction.storage_key, redaction.sha256)
    assert fake.redacted == [[box()]]
    assert redaction.sha256 != memo.rendition_sha256  # the rendition itself is untouched
    storage.verify(memo.rendition_key, memo.rendition_sha256)


def test_the_apply_task_may_run_twice(world, memo, fake, django_capture_on_commit_callbacks):
    redaction = proposed(memo, world.paralegal, django_capture_on_commit_callbacks)
    assert apply_redaction(redaction.pk) == "not applying"
    again = Redaction.objects.get(pk=redaction.pk)
    assert (again.status, again.sha256, again.attempts) == (
        Redaction.Status.PROPOSED,
        redaction.sha256,
        1,
    )
    assert len(fake.redacted) == 1


def test_a_redelivered_task_takes_over_and_the_first_run_publishes_nothing(world, memo, fake):
    redaction = start(memo, world.paralegal)
    services.boxes_add(redaction=redaction, boxes=[box()], actor=world.paralegal)
    applying.redaction_apply(redaction=redaction, actor=world.paralegal)  # not run: no commit
    first = applying._claim(redaction.pk)
    assert applying.redaction_make(redaction.pk) == "proposed"  # the second delivery
    assert first != Redaction.objects.get(pk=redaction.pk).attempt
    assert Redaction.objects.get(pk=redaction.pk).attempts == 2


def test_an_engine_refusal_fails_the_redaction_with_its_reason(
    world, memo, monkeypatch, django_capture_on_commit_callbacks
):
    install(monkeypatch, FakeEngine(fail_with="The PDF is encrypted."))
    redaction = proposed(memo, world.paralegal, django_capture_on_commit_callbacks)
    assert redaction.status == Redaction.Status.FAILED
    assert redaction.error == "The PDF is encrypted."
    assert audited(redaction, failed="The PDF is encrypted.")
    # Changing its boxes makes it a draft again, ready to apply once more.
    services.boxes_add(redaction=redaction, boxes=[box(page=2)], actor=world.paralegal)
    redaction.refresh_from_db()
    assert (redaction.status, redaction.error) == (Redaction.Status.DRAFT, "")


def test_the_proposer_cannot_approve_their_own_redaction(
    world, memo, fake, django_capture_on_commit_callbacks
):
    redaction = proposed(memo, world.paralegal, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied, match="You proposed this redaction; a second member"):
        services.redaction_approve(redaction=redaction, actor=world.paralegal)
    assert Redaction.objects.get(pk=redaction.pk).status == Redaction.Status.PROPOSED
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, actor=world.paralegal, detail__reason="own proposal"
    ).exists()
    # The database keeps the rule too, whatever code writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        Redaction.objects.filter(pk=redaction.pk).update(
            status=Redaction.Status.APPROVED, reviewed_by=world.paralegal
        )


def test_read_only_members_cannot_approve(world, memo, fake, django_capture_on_commit_callbacks):
    redaction = proposed(memo, world.paralegal, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        services.redaction_approve(redaction=redaction, actor=world.expert)
    assert Redaction.objects.get(pk=redaction.pk).status == Redaction.Status.PROPOSED


def test_a_second_members_approval_supersedes_the_earlier_one(
    world, memo, fake, django_capture_on_commit_callbacks
):
    first = proposed(memo, world.paralegal, django_capture_on_commit_callbacks)
    services.redaction_approve(redaction=first, actor=world.partner)
    first.refresh_from_db()
    assert (first.status, first.reviewed_by) == (Redaction.Status.APPROVED, world.partner)
    assert selectors.approved([memo.pk]) == {memo.pk: first}
    assert audited(first, approved=True)[0].actor == world.partner

    # A new redaction starts from the approved one's boxes, and replaces it once approved.
    second, new = services.redaction_start(exhibit_file=memo, actor=world.associate)
    assert new and second.boxes.count() == 1
    services.boxes_add(redaction=second, boxes=[box(page=2)], actor=world.associate)
    with django_capture_on_commit_callbacks(execute=True):
        applying.redaction_apply(redaction=second, actor=world.associate)
    assert selectors.approved([memo.pk]) == {memo.pk: first}  # until the second is approved
    services.redaction_approve(redaction=second, actor=world.paralegal)
    first.refresh_from_db()
    assert first.status == Redaction.Status.SUPERSEDED
    assert selectors.approved([memo.pk]) == {memo.pk: second}


def test_a_stale_redaction_is_never_applied_approved_or_used(
    world, memo, fake, django_capture_on_commit_callbacks
):
    approved = proposed(memo, world.paralegal, django_capture_on_commit_callbacks)
    services.redaction_approve(redaction=approved, actor=world.partner)
    pending = start(memo, world.paralegal)
    services.boxes_add(redaction=pending, boxes=[box(page=2)], actor=world.paralegal)
    with django_capture_on_commit_callbacks(execute=True):
        applying.redaction_apply(redaction=pending, actor=world.paralegal)
    # The rendition is made again (a new format, OCR): different bytes, a different hash.
    type(memo).objects.filter(pk=memo.pk).update(rendition_sha256="f" * 64)

    assert selectors.approved([memo.pk]) == {}
    pending.refresh_from_db()
    assert pending.stale
    with pytest.raises(ValidationError, match="made again since this redaction was drawn"):
        services.redaction_approve(redaction=pending, actor=world.partner)
    with pytest.raises(ValidationError, match="made again"):
        services.boxes_add(redaction=start_draft_of(pending), boxes=[box()], actor=world.partner)


def start_draft_of(redaction):
    """The stale redaction returned to draft by hand: still stale, still refused."""
    Redaction.objects.filter(pk=redaction.pk).update(status=Redaction.Status.DRAFT)
    redaction.refresh_from_db()
    return redaction


def test_a_reviewer_returns_a_redaction_to_draft_with_a_note(
    world, memo, fake, django_capture_on_commit_callbacks
):
    redaction = proposed(memo, world.paralegal, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="Say what should change"):
        services.redaction_return(redaction=redaction, actor=world.partner)
    returned = services.redaction_return(
        redaction=redaction, actor=world.partner, note="Also the signature block on p. 2."
    )
    assert returned.status == Redaction.Status.DRAFT
    assert (returned.reviewed_by, returned.review_note) == (
        world.partner,
        "Also the signature block on p. 2.",
    )
    assert returned.storage_key == "" and returned.sha256 == ""
    assert returned.boxes.count() == 1  # kept, to mend rather than redraw
    assert audited(returned, returned="rejected")


def test_discarded_redactions_are_kept_but_not_open(
    world, memo, fake, django_capture_on_commit_callbacks
):
    redaction = start(memo, world.paralegal)
    services.redaction_discard(redaction=redaction, actor=world.paralegal)
    assert Redaction.objects.get(pk=redaction.pk).status == Redaction.Status.REJECTED
    fresh, new = services.redaction_start(exhibit_file=memo, actor=world.paralegal)
    assert new and fresh.pk != redaction.pk
    with pytest.raises(ValidationError, match="Draw or find at least one box"):
        applying.redaction_apply(redaction=fresh, actor=world.paralegal)


def test_pages_are_measured_as_shown(tmp_path):
    """A box is checked against the page as the viewer draws it: a page turned a quarter
    is as wide as it was tall, and a crop box is all that shows."""
    pdf = pikepdf.open(io.BytesIO(files.pdf_of_pages(["upright", "turned", "cropped"])))
    pdf.pages[1].obj["/Rotate"] = 90
    pdf.pages[2].obj["/CropBox"] = [50, 100, 350, 500]
    path = tmp_path / "shown.pdf"
    pdf.save(path)
    assert services.page_sizes(path) == [[595.0, 842.0], [842.0, 595.0], [300.0, 400.0]]
