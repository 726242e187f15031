"""The demo bundle: NWA-0042's bundle for the first CMC, built once from the demo exhibits.

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


def demo_bundles_load(*, matter_reference: str = "NWA-0042", user: str = "paralegal") -> int:
    """Create the demo bundle if missing and ask for its first build; returns bundles made."""
    hearing = (
        Hearing.objects.filter(
            proceeding__matter__reference=matter_reference,
            proceeding__case_number=CASE_NUMBER,
            kind=Hearing.Kind.CMC,
        )
        .select_related("proceeding__matter")
        .first()
    )
    if hearing is None or Bundle.objects.filter(hearing=hearing, title=TITLE).exists():
        return 0
    actor = get_user_model().objects.get(username=user)
    matter = hearing.proceeding.matter
    bundle = services.bundle_create(
        bundle=Bundle(matter=matter, proceeding=hearing.proceeding, hearing=hearing, title=TITLE),
        actor=actor,
    )
    for letter, references in CONTENTS:
        section = bundle.sections.get(letter=letter)
        for reference in references:
            prefix, number = reference.split("-")
            exhibit = Exhibit.objects.filter(matter=matter, prefix=prefix, number=number).first()
            if exhibit is not None:
                services.entry_add(bundle=bundle, section=section, exhibit=exhibit, actor=actor)
    if bundle.entries.exists():
        services.version_request(bundle=bundle, actor=actor)
    return 1
