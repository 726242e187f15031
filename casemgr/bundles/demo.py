"""The demo bundles: NWA-0042's bundle for the first CMC, and its confidentiality-ring
bundle with an open version (the AEO exhibit withheld from it), each built once from the demo
exhibits.

Idempotent: a bundle already there is left alone.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from casemgr.bundles import services
from casemgr.bundles.models import Bundle
from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Hearing

CASE_NUMBER = "IL-2026-000123"  # the High Court claim: bundles are an English practice
TITLE = "Bundle for the first CMC"
# Section letter and exhibit references, in order. NWA-4 is attorneys' eyes only, so it
# cannot go into a bundle for all parties.
CONTENTS = (("D", ("NWA-1", "NWA-2", "NWA-3")), ("C", ("NWA-5",)))
# The ring bundle holds NWA-4 too; its open version withholds it, page for page.
RING_TITLE = "Confidentiality ring bundle for the first CMC"
RING_CONTENTS = (("D", ("NWA-1", "NWA-4")),)


def demo_bundles_load(
    *, matter_reference: str = "NWA-0042", user: str = "paralegal", ring_user: str = "partner"
) -> int:
    """Create the demo bundles if missing and ask for their first builds; returns bundles
    made."""
    hearing = (
        Hearing.objects.filter(
            proceeding__matter__reference=matter_reference,
            proceeding__case_number=CASE_NUMBER,
            kind=Hearing.Kind.CMC,
        )
        .select_related("proceeding__matter")
        .first()
    )
    if hearing is None:
        return 0
    made = 0
    for title, contents, username, fields in (
        (TITLE, CONTENTS, user, {}),
        (
            RING_TITLE,
            RING_CONTENTS,
            ring_user,
            {"audience": Bundle.Audience.RING, "open_version": True, "letter": "B"},
        ),
    ):
        if not Bundle.objects.filter(hearing=hearing, title=title).exists():
            _make(hearing, title, contents, get_user_model().objects.get(username=username), fields)
            made += 1
    return made


def _make(hearing: Hearing, title: str, contents, actor, fields: dict) -> None:
    matter = hearing.proceeding.matter
    bundle = services.bundle_create(
        bundle=Bundle(
            matter=matter, proceeding=hearing.proceeding, hearing=hearing, title=title, **fields
        ),
        actor=actor,
    )
    for letter, references in contents:
        section = bundle.sections.get(letter=letter)
        for reference in references:
            prefix, number = reference.split("-")
            exhibit = Exhibit.objects.filter(matter=matter, prefix=prefix, number=number).first()
            if exhibit is not None:
                services.entry_add(bundle=bundle, section=section, exhibit=exhibit, actor=actor)
    if bundle.entries.exists():
        services.version_request(bundle=bundle, actor=actor)
