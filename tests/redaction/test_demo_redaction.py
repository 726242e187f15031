"""The demo matter shows one approved redaction: NWA-3's e-mail addresses, proposed by the
paralegal and approved by the partner, made by the real engine."""

import pytest

from casemgr.evidence.demo import demo_exhibits_load
from casemgr.matters.demo import demo_load
from casemgr.redaction.demo import demo_redactions_load
from casemgr.redaction.models import Redaction
from casemgr.redaction.selectors import approved

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_approved_redaction_of_the_email_addresses(
    django_capture_on_commit_callbacks,
):
    demo_load(password="demo-pass-123")
    with django_capture_on_commit_callbacks(execute=True):
        demo_exhibits_load()
    with django_capture_on_commit_callbacks(execute=True):
        assert demo_redactions_load() == 1
    redaction = Redaction.objects.get()
    assert redaction.file.exhibit.reference == "NWA-3"
    assert (redaction.proposed_by.username, redaction.reviewed_by.username) == (
        "paralegal",
        "partner",
    )
    assert {box.found_by for box in redaction.boxes.all()} == {"e-mail addresses"}
    assert approved([redaction.file_id]) == {redaction.file_id: redaction}
    assert demo_redactions_load() == 0  # loaded again: left alone
