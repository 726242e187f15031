"""Reads of a proceeding's disclosure lists, as one user may see them: a document above the
user's clearance is on neither list for them, and the numbering counts only what they see,
so that a gap never tells them something is hidden."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from casemgr.disclosure.columns import Row
from casemgr.disclosure.grounds import (
    WITHHOLDING_LABELS,
    Form,
    Withholding,
    form_for_jurisdiction,
    ground_label,
)
from casemgr.disclosure.models import DisclosureEntry
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.matters.models import Proceeding
from casemgr.redaction import selectors as redactions
from casemgr.redaction.engine import Reason
from casemgr.redaction.models import Box


@dataclass(frozen=True)
class Lists:
    proceeding: Proceeding
    form: Form
    disclosed: list[Row]
    withheld: list[Row]

    def rows(self, which: str) -> list[Row]:
        return self.disclosed if which == "disclosed" else self.withheld


def default_form(proceeding: Proceeding) -> Form:
    return form_for_jurisdiction(proceeding.court.jurisdiction.code)


def entries_for(*, proceeding: Proceeding, user):
    return (
        DisclosureEntry.objects.visible_to(user)
        .filter(proceeding=proceeding)
        .select_related("exhibit", "producing_party")
    )


# What a privilege box stores: the engine's value, and also what the redaction app's choices
# store for it today (Box.Reason is built from (value, label) pairs, which makes the label
# the stored value), so that either reads as privilege.
PRIVILEGE_REASONS = sorted(
    {str(Reason.PRIVILEGE)}
    | {
        str(member.value)
        for member in Box.Reason
        if member.name.lower() == Reason.PRIVILEGE or member.value == Reason.PRIVILEGE
    }
)


def privilege_redactions(exhibit_ids) -> dict[int, list[int]]:
    """The exhibits among these whose files have an approved, current redaction with a box
    for privilege, and the pages those boxes are on. Three queries."""
    files = dict(
        ExhibitFile.objects.filter(exhibit_id__in=list(exhibit_ids)).values_list("pk", "exhibit_id")
    )
    approved = redactions.approved(files)
    if not approved:
        return {}
    pages: dict[int, set[int]] = defaultdict(set)
    boxes = Box.objects.filter(
        redaction__in=list(approved.values()), reason__in=PRIVILEGE_REASONS
    ).values_list("redaction__file_id", "page")
    for file_id, page in boxes:
        pages[files[file_id]].add(page)
    return {exhibit_id: sorted(found) for exhibit_id, found in pages.items()}


def _pages(pages: list[int]) -> str:
    return ("p. " if len(pages) == 1 else "pp. ") + ", ".join(str(p) for p in pages)


def _row(number: int, entry: DisclosureEntry, form: Form, pages: list[int] | None) -> Row:
    withheld = entry.kind == DisclosureEntry.Kind.WITHHELD
    withholding = ""
    if withheld:
        withholding = WITHHOLDING_LABELS[Withholding(entry.withholding)]
        if entry.withholding == Withholding.REDACTED and pages:
            withholding += f" ({_pages(pages)})"
    return Row(
        number=number,
        reference=entry.exhibit.reference,
        document_date=entry.document_date,
        description=entry.description,
        document_type=entry.get_document_type_display(),
        producing_party=entry.producing_party.name if entry.producing_party else "",
        custodian=entry.custodian,
        author=entry.author,
        recipients=entry.recipients,
        disclosed_on=entry.disclosed_on,
        production_numbers=entry.production_numbers,
        issue=entry.issue,
        ground=ground_label(entry.ground, entry.ground_detail, form) if withheld else "",
        withholding=withholding,
        entry_id=entry.pk,
    )


def _redaction_row(number: int, entry: DisclosureEntry, form: Form, pages: list[int]) -> Row:
    """A disclosed document with privileged passages redacted, on the log before anyone has
    stated the ground: the log must not be short of it meanwhile."""
    row = _row(number, entry, form, None)
    return Row(
        **{
            **row.__dict__,
            "ground": "Privilege – ground to be stated",
            "withholding": f"{WITHHOLDING_LABELS[Withholding.REDACTED]} ({_pages(pages)})",
            "entry_id": None,
            "needs_ground": True,
        }
    )


def _order(entry: DisclosureEntry):
    # Undated documents last, then in the order they were listed.
    return (entry.document_date is None, entry.document_date, entry.pk)


def lists_for(*, proceeding: Proceeding, user, form: Form | None = None) -> Lists:
    """Both lists of `proceeding` as `user` sees them, numbered, in `form` (the court's own
    by default). Withheld: the entries, and each disclosed document whose approved redaction
    blacks out privileged passages and that no withheld entry names yet."""
    form = form or default_form(proceeding)
    entries = sorted(entries_for(proceeding=proceeding, user=user), key=_order)
    disclosed = [e for e in entries if e.kind == DisclosureEntry.Kind.DISCLOSED]
    withheld = [e for e in entries if e.kind == DisclosureEntry.Kind.WITHHELD]
    pages = privilege_redactions({e.exhibit_id for e in entries})
    named = {e.exhibit_id for e in withheld}
    log: list[tuple[DisclosureEntry, bool]] = [(e, False) for e in withheld]
    log += [(e, True) for e in disclosed if e.exhibit_id in pages and e.exhibit_id not in named]
    log.sort(key=lambda pair: _order(pair[0]))
    return Lists(
        proceeding=proceeding,
        form=form,
        disclosed=[_row(n, e, form, None) for n, e in enumerate(disclosed, 1)],
        withheld=[
            _redaction_row(n, e, form, pages[e.exhibit_id])
            if derived
            else _row(n, e, form, pages.get(e.exhibit_id))
            for n, (e, derived) in enumerate(log, 1)
        ],
    )


def exhibits_to_list(*, proceeding: Proceeding, user, kind: str):
    """The exhibits a user may add to a list: those they may see, not on it already."""
    listed = DisclosureEntry.objects.filter(proceeding=proceeding, kind=kind).values("exhibit_id")
    return (
        Exhibit.objects.visible_to(user)
        .in_matter(proceeding.matter)
        .exclude(pk__in=listed)
        .exclude(status=Exhibit.Status.WITHDRAWN)
        .order_by("prefix", "number")
    )


def withheld_in_full(*, proceeding: Proceeding, exhibit_ids) -> set[int]:
    """Which of these exhibits the proceeding's list withholds in full: a production set
    leaves them out. One query."""
    return set(
        DisclosureEntry.objects.filter(
            proceeding=proceeding,
            exhibit_id__in=list(exhibit_ids),
            kind=DisclosureEntry.Kind.WITHHELD,
            withholding=Withholding.IN_FULL,
        ).values_list("exhibit_id", flat=True)
    )
