"""Writes to a proceeding's disclosure lists, each validated and audited (core.services)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from casemgr.core.services import record_delete, record_save
from casemgr.disclosure.grounds import Withholding
from casemgr.disclosure.models import DisclosureEntry
from casemgr.disclosure.selectors import privilege_redactions
from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Proceeding

Kind = DisclosureEntry.Kind


def _check_privileged(*, proceeding: Proceeding, exhibit: Exhibit) -> None:
    """A privileged exhibit goes to the other side only with its privileged passages
    blacked out: an approved redaction with privilege boxes, or an entry on the withheld
    list that says it is produced with redactions."""
    if not exhibit.privileged:
        return
    redacted = DisclosureEntry.objects.filter(
        proceeding=proceeding,
        exhibit=exhibit,
        kind=Kind.WITHHELD,
        withholding=Withholding.REDACTED,
    ).exists()
    if not redacted and exhibit.pk not in privilege_redactions([exhibit.pk]):
        raise ValidationError(
            f"{exhibit.reference} is marked privileged, so it cannot be disclosed as it is. "
            "List it as withheld, or produce it with its privileged passages redacted."
        )


def _from_exhibit(exhibit: Exhibit, kind: str) -> dict:
    """An entry's details as the exhibit gives them. A withheld document's description is
    left for the lawyer to write: the exhibit's title may give away the privileged advice."""
    return {
        "document_date": exhibit.document_date,
        "description": exhibit.title if kind == Kind.DISCLOSED else "",
        "document_type": exhibit.document_type,
        "producing_party": exhibit.party,
        "custodian": exhibit.custodian,
        "author": exhibit.author,
        "recipients": exhibit.recipients,
    }


@transaction.atomic
def entry_add(
    *, proceeding: Proceeding, exhibit: Exhibit, kind: str, actor, request=None, **fields
) -> DisclosureEntry:
    """Put `exhibit` on one of `proceeding`'s lists; `fields` override what the exhibit
    gives (the description of a withheld document, its ground...)."""
    if kind == Kind.DISCLOSED:
        _check_privileged(proceeding=proceeding, exhibit=exhibit)
    values = {**_from_exhibit(exhibit, kind), **fields}
    entry = DisclosureEntry(
        matter_id=proceeding.matter_id,
        proceeding=proceeding,
        exhibit=exhibit,
        kind=kind,
        created_by=actor,
        **values,
    )
    return record_save(instance=entry, actor=actor, request=request)


@transaction.atomic
def entry_save(*, entry: DisclosureEntry, actor, request=None) -> DisclosureEntry:
    """Save an edited entry (its description, ground, numbers...)."""
    return record_save(instance=entry, actor=actor, request=request)


@transaction.atomic
def entry_remove(*, entry: DisclosureEntry, actor, request=None) -> None:
    record_delete(instance=entry, actor=actor, request=request)


def production_range(begin: str, end: str) -> str:
    """ "NWA000001–NWA000012"; a one-page document has one number."""
    begin, end = begin.strip(), end.strip()
    return begin if not end or end == begin else f"{begin}–{end}"


@transaction.atomic
def disclosure_record_produced(
    *, proceeding: Proceeding, exhibit: Exhibit, begin: str, end: str, produced_on: date, by
) -> DisclosureEntry:
    """Record that `exhibit` was produced in `proceeding` under the production numbers
    `begin` to `end` on `produced_on` (called by production sets): it is put on the list of
    documents disclosed, or its entry there takes the numbers and the date, and an entry
    withheld with redactions takes the numbers too. Calling it again with the same numbers
    changes nothing; a later production of the same document replaces its numbers.

    Refused (ValidationError) for an exhibit of another matter, one withheld in full, and
    a privileged one produced without its privileged passages redacted."""
    if exhibit.matter_id != proceeding.matter_id:
        raise ValidationError("The exhibit is not in this proceeding's matter.")
    if not begin.strip():
        raise ValidationError("A production needs its first production number.")
    numbers = production_range(begin, end)
    entries = {
        entry.kind: entry
        for entry in DisclosureEntry.objects.select_for_update().filter(
            proceeding=proceeding, exhibit=exhibit
        )
    }
    disclosed = entries.get(Kind.DISCLOSED)
    if disclosed is None:
        disclosed = entry_add(
            proceeding=proceeding,
            exhibit=exhibit,
            kind=Kind.DISCLOSED,
            actor=by,
            disclosed_on=produced_on,
            production_numbers=numbers,
        )
    elif (disclosed.production_numbers, disclosed.disclosed_on) != (numbers, produced_on):
        disclosed.production_numbers = numbers
        disclosed.disclosed_on = produced_on
        record_save(instance=disclosed, actor=by)
    withheld = entries.get(Kind.WITHHELD)
    if (
        withheld is not None
        and withheld.withholding == Withholding.REDACTED
        and withheld.production_numbers != numbers
    ):
        withheld.production_numbers = numbers
        record_save(instance=withheld, actor=by)
    return disclosed
