"""Exhibit references ("NWA-4"): the prefix a matter's exhibits take unless told otherwise,
and which references an exhibit may be given."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q

from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Matter

# When a matter's reference gives nothing usable (no letters, or too long to be a prefix).
FALLBACK_PREFIX = "EX"
PREFIX_LENGTH = 10  # Exhibit.prefix's max_length
_WORD = re.compile(r"[A-Za-z0-9]+")
_LETTER = re.compile(r"[A-Za-z]")


def default_prefix(matter: Matter) -> str:
    """The matter's own letters: "NWA" for matter NWA-0042, as the demo's exhibits and a
    firm's own numbering have it: the reference's first run of letters and digits that has a
    letter in it, if it fits a prefix; otherwise "EX"."""
    words = [w.upper() for w in _WORD.findall(matter.reference or "") if _LETTER.search(w)]
    if not words or len(words[0]) > PREFIX_LENGTH:
        return FALLBACK_PREFIX
    return words[0]


# One answer for every reference that another exhibit holds, whether the member can see that
# exhibit or not. A hidden exhibit must not be named, and an answer that named the visible
# holder ("already used by NWA-4 …") but not a hidden one would tell the two apart: that
# difference alone would say that something the member may not see is there. What cannot be
# hidden is the refusal itself (two exhibits can never share a reference in court), so a
# member who finds a reference refused that is missing from their list can still infer that
# it is taken; the answer adds nothing to that, and the attempt is audited.
REFUSED = "{reference} cannot be used: choose another reference."
ALSO_GIVEN = "{reference} is also given to {others}."


@dataclass(frozen=True)
class Refusals:
    """What is wrong with the references of exhibits about to be saved together."""

    errors: dict[int, ValidationError] = field(default_factory=dict)
    # (exhibit, the exhibit above the member's clearance that holds the reference it asked
    # for): refused accesses, for the audit trail.
    hidden: list[tuple[Exhibit, Exhibit]] = field(default_factory=list)


def reference_of(exhibit: Exhibit) -> tuple[str, int]:
    return (exhibit.prefix, exhibit.number)


def check_references(
    *,
    exhibits: list[Exhibit],
    stored: dict[int, Exhibit],
    user,
    label: Callable[[Exhibit], str],
) -> Refusals:
    """Refuse each exhibit whose new reference another exhibit of the same save is also
    given, or an exhibit outside the save holds (seen by `user` or not). `stored` is each
    exhibit as it is in the database (locked by the caller); `label` names an exhibit of the
    save for the member ("row 2 (letter.pdf)"). The error is on the field the member changed."""
    refusals = Refusals()
    moving = [e for e in exhibits if reference_of(e) != reference_of(stored[e.pk])]
    if not moving:
        return refusals
    given: dict[tuple[str, int], list[Exhibit]] = defaultdict(list)
    for exhibit in exhibits:
        given[reference_of(exhibit)].append(exhibit)
    matter_id = exhibits[0].matter_id
    wanted = Q()
    for exhibit in moving:
        wanted |= Q(prefix=exhibit.prefix, number=exhibit.number)
    holders = {
        reference_of(holder): holder
        for holder in Exhibit._base_manager.filter(wanted, matter_id=matter_id).exclude(
            pk__in=[e.pk for e in exhibits]
        )
    }
    seen = set(
        Exhibit.objects.visible_to(user)
        .filter(pk__in=[h.pk for h in holders.values()])
        .values_list("pk", flat=True)
    )
    for exhibit in moving:
        was = stored[exhibit.pk]
        only_prefix = exhibit.prefix != was.prefix and exhibit.number == was.number
        name = "prefix" if only_prefix else "number"
        others = [o for o in given[reference_of(exhibit)] if o is not exhibit]
        holder = holders.get(reference_of(exhibit))
        if others:
            message = ALSO_GIVEN.format(
                reference=exhibit.reference, others=" and ".join(label(o) for o in others)
            )
        elif holder is not None:
            message = REFUSED.format(reference=exhibit.reference)
            if holder.pk not in seen:
                refusals.hidden.append((exhibit, holder))
        else:
            continue
        refusals.errors[exhibit.pk] = ValidationError({name: message}, code="reference")
    return refusals
