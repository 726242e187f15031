"""What a bundle's cover says of its case, read from the matter: the court as it styles itself,
the claim number, the parties in their roles, and the hearing the bundle is for, at the
court's own time. builder.Spec carries it to the cover (front_matter)."""

from __future__ import annotations

from casemgr.bundles import builder
from casemgr.bundles.models import Bundle
from casemgr.core.zones import wall_time
from casemgr.matters.models import Hearing, PartyRole, Proceeding

# A role as a cover names it, for one party and for several.
ROLES = {
    PartyRole.CLAIMANT: ("Claimant", "Claimants"),
    PartyRole.DEFENDANT: ("Defendant", "Defendants"),
    PartyRole.THIRD_PARTY: ("Third Party", "Third Parties"),
    PartyRole.INTERVENER: ("Intervener", "Interveners"),
}


def cover_details(bundle: Bundle) -> dict:
    """builder.Spec's cover fields for `bundle`."""
    proceeding = bundle.proceeding
    court = proceeding.court
    details = {
        "case_name": proceeding.title,
        "claim_number": proceeding.case_number,
        "claim_number_label": proceeding.number_label,
        "court": court.name,
        "division": court.division,
        "letter": bundle.letter,
        "sides": sides(proceeding),
    }
    if bundle.hearing is not None:
        details |= {
            "hearing": _hearing(bundle.hearing),
            # A bundle's hearing is in its proceeding, whose court is already loaded.
            "hearing_at": wall_time(bundle.hearing.starts_at, court.zone, "l j F Y, H:i"),
        }
    return details


def sides(proceeding: Proceeding) -> tuple[builder.Side, ...]:
    """The parties to `proceeding` as its cover names them, claimants first.

    A party's role is the proceeding's own: who claims against whom in its claims. With no
    claims recorded there are no sides: the matter's roles are those of its lead case, and in
    a parallel one (the Beijing case, where our client is sued) they would name the wrong
    side, so the cover then carries the case name alone."""
    by_role: dict[str, dict[int, str]] = {role: {} for role in ROLES}
    claims = proceeding.claims.prefetch_related("claimants", "defendants").order_by("pk")
    for claim in claims:
        for party in claim.claimants.all():
            by_role[PartyRole.CLAIMANT].setdefault(party.pk, party.name)
        for party in claim.defendants.all():
            by_role[PartyRole.DEFENDANT].setdefault(party.pk, party.name)
    return tuple(
        builder.Side(ROLES[role][len(names) > 1], tuple(names.values()))
        for role, names in by_role.items()
        if names
    )


def _hearing(hearing: Hearing) -> str:
    """ "For the case management conference: First CMC"."""
    kind = "hearing" if hearing.kind == Hearing.Kind.OTHER else hearing.get_kind_display().lower()
    return f"For the {kind}: {hearing.title}" if hearing.title else f"For the {kind}"
