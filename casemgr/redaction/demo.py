"""The demo redaction: the e-mail addresses in NWA-3 (the Lantern e-mail thread) blacked out
as personal data, proposed by the paralegal and approved by the partner.

Made here, in this process, by the task's own work (with a broker configured the worker may
not be running yet; the queued task then finds the redaction applied and leaves it alone).
Idempotent: a file with a redaction already is left alone.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from casemgr.evidence.models import ExhibitFile
from casemgr.redaction import applying, services
from casemgr.redaction.engine import Reason
from casemgr.redaction.models import Redaction
from casemgr.redaction.patterns import PRESETS


def demo_redactions_load(
    *, matter_reference: str = "NWA-0042", proposer: str = "paralegal", approver: str = "partner"
) -> int:
    """Redact, apply and approve the demo e-mail's addresses; returns redactions made."""
    users = get_user_model().objects
    exhibit_file = (
        ExhibitFile.objects.filter(
            matter__reference=matter_reference,
            exhibit__prefix="NWA",
            exhibit__number=3,
            kind="email",
            rendition=ExhibitFile.Rendition.READY,
        )
        .select_related("exhibit", "matter")
        .first()
    )
    if exhibit_file is None or Redaction.objects.filter(file=exhibit_file).exists():
        return 0
    paralegal = users.get(username=proposer)
    redaction, _new = services.redaction_start(exhibit_file=exhibit_file, actor=paralegal)
    preset = PRESETS["email"]
    found = services.boxes_find(
        redaction=redaction,
        actor=paralegal,
        reason=Reason.PERSONAL_DATA,
        patterns=[preset.regex],
        found_by=preset.label.lower(),
    )
    if not found:
        return 0
    applying.redaction_apply(redaction=redaction, actor=paralegal)
    applying.redaction_make(redaction.pk)
    redaction.refresh_from_db()
    if redaction.status != Redaction.Status.PROPOSED:
        return 0
    services.redaction_approve(redaction=redaction, actor=users.get(username=approver))
    return 1
