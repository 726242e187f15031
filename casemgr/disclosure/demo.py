"""The demo disclosure of NWA-0042: in the High Court claim a list of documents (PD 57AD),
in the US action a privilege log, each with a few rows. One privileged exhibit is added for
it (NWA-20, a record with no file: the log describes it, nobody opens it). Fictional.

Idempotent: a proceeding whose lists already have entries is left alone.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model

from casemgr.access.models import Clearance
from casemgr.disclosure import services
from casemgr.disclosure.models import DisclosureEntry
from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Party, Proceeding

Kind = DisclosureEntry.Kind
ADVICE = {
    "prefix": "NWA",
    "number": 20,
    "title": "E-mail from in-house counsel on the API Terms of Service",
    "document_type": Exhibit.DocumentType.EMAIL,
    "document_date": date(2025, 11, 7),
    "author": "Oriel Vance (in-house counsel, Northwind)",
    "recipients": "To: Chief Technology Officer; cc: General Counsel",
    "designation": Clearance.CONFIDENTIAL,
    "privileged": True,
    "status": Exhibit.Status.REVIEWED,
}
ADVICE_DESCRIPTION = (
    "E-mail from in-house counsel to the Chief Technology Officer giving legal advice on "
    "the API Terms of Service"
)
# (case number, exhibit number, production numbers or "", ground, Issue for Disclosure)
DISCLOSED = {
    "IL-2026-000123": [(1, "NWA000001–NWA000002", "Issue 1"), (2, "NWA000003", "Issue 1")],
    "3:26-cv-04417": [(1, "NWA-US-000001–NWA-US-000002", ""), (5, "", "")],
}
WITHHELD = {"IL-2026-000123": ("legal_advice", "Issue 2"), "3:26-cv-04417": ("attorney_client", "")}


def demo_disclosure_load(*, matter_reference: str = "NWA-0042", user: str = "partner") -> int:
    """The demo lists, where missing; returns how many entries were made."""
    actor = get_user_model().objects.get(username=user)
    proceedings = Proceeding.objects.filter(
        matter__reference=matter_reference, case_number__in=list(DISCLOSED)
    ).select_related("matter")
    made = 0
    for proceeding in proceedings:
        if DisclosureEntry.objects.filter(proceeding=proceeding).exists():
            continue
        matter = proceeding.matter
        advice, _ = Exhibit.objects.get_or_create(
            matter=matter,
            prefix=ADVICE["prefix"],
            number=ADVICE["number"],
            defaults={
                **ADVICE,
                "created_by": actor,
                "party": Party.objects.filter(matter=matter, role="claimant").first(),
            },
        )
        for number, production, issue in DISCLOSED[proceeding.case_number]:
            exhibit = Exhibit.objects.filter(matter=matter, prefix="NWA", number=number).first()
            if exhibit is None:
                continue
            services.entry_add(
                proceeding=proceeding,
                exhibit=exhibit,
                kind=Kind.DISCLOSED,
                actor=actor,
                production_numbers=production,
                disclosed_on=date(2026, 6, 5) if production else None,
                issue=issue,
            )
            made += 1
        ground, issue = WITHHELD[proceeding.case_number]
        services.entry_add(
            proceeding=proceeding,
            exhibit=advice,
            kind=Kind.WITHHELD,
            actor=actor,
            ground=ground,
            description=ADVICE_DESCRIPTION,
            issue=issue,
        )
        made += 1
    return made
