"""The demo production: NWA-0042's first production to the defendant, numbered NWI000001 on,
built once from the demo exhibits (a few pages: the demo must stay fast).

Idempotent: a production already there is left alone.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Party, PartyRole, Proceeding
from casemgr.productions import services
from casemgr.productions.models import Production

CASE_NUMBER = "IL-2026-000123"
TITLE = "Initial disclosure, first tranche"
# NWA-4 is attorneys' eyes only, so it is never produced.
REFERENCES = ("NWA-1", "NWA-2", "NWA-3")


def demo_productions_load(*, matter_reference: str = "NWA-0042", user: str = "paralegal") -> int:
    """Create the demo production if missing and ask for its build; returns productions made."""
    proceeding = (
        Proceeding.objects.filter(matter__reference=matter_reference, case_number=CASE_NUMBER)
        .select_related("matter")
        .first()
    )
    if proceeding is None or Production.objects.filter(proceeding=proceeding, title=TITLE).exists():
        return 0
    matter = proceeding.matter
    receiving = Party.objects.filter(matter=matter, role=PartyRole.DEFENDANT).order_by("pk").first()
    exhibits = []
    for reference in REFERENCES:
        prefix, number = reference.split("-")
        exhibit = Exhibit.objects.filter(matter=matter, prefix=prefix, number=number).first()
        if exhibit is not None and not Production.refusal(exhibit) and exhibit.files.exists():
            exhibits.append(exhibit)
    if receiving is None or not exhibits:
        return 0
    services.production_create(
        production=Production(
            matter=matter, proceeding=proceeding, title=TITLE, prefix="NWI", produced_to=receiving
        ),
        exhibits=exhibits,
        order=Production.Order.REFERENCE,
        actor=get_user_model().objects.get(username=user),
    )
    return 1
