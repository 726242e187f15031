"""The rows of the two lists and the columns each court's form gives them. Pure: the pages
and the three exports (PDF, XLSX, CSV) all read the columns from here, so a column is in
every one of them or in none.

England and Wales: the Business and Property Courts' disclosure practice (PD 57AD) lists
the documents disclosed, numbered, with date, description, type and the party (or
custodian) that holds them, and the documents withheld from inspection with the ground
claimed, described without giving away what is privileged; each may name the Issue for
Disclosure it goes to.

United States: FRCP 26(b)(5)(A) asks a party withholding a document as privileged to make
the claim expressly and describe the nature of the document "in a manner that, without
revealing information itself privileged or protected, will enable other parties to assess
the claim" — the privilege log's date, author, recipients, type, description and privilege.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from casemgr.disclosure.grounds import Form


@dataclass(frozen=True)
class Row:
    """One document on a list, numbered as the reader's list numbers it."""

    number: int
    reference: str  # the exhibit's, e.g. "NWA-4": for the team, not the other side
    document_date: date | None
    description: str
    document_type: str  # its label, "E-mail"
    producing_party: str
    custodian: str
    author: str
    recipients: str
    disclosed_on: date | None
    production_numbers: str
    issue: str
    ground: str  # as printed: "Legal advice privilege"; "" on the disclosed list
    withholding: str  # "Withheld in full", "Produced with redactions (pp. 2, 5)"
    entry_id: int | None  # None: a row made from an approved redaction, not yet an entry
    needs_ground: bool = False  # a redaction's row whose ground nobody has stated yet

    @property
    def party_or_custodian(self) -> str:
        if self.producing_party and self.custodian:
            return f"{self.producing_party} ({self.custodian})"
        return self.producing_party or self.custodian


@dataclass(frozen=True)
class Column:
    heading: str
    value: Callable[[Row], object]
    kind: str = "text"  # "number", "date" or "text": how the XLSX stores it
    width: float = 18  # in the XLSX, characters; in the PDF, a share of the width


def _columns(*specs: tuple) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


_NUMBER = ("No.", lambda r: r.number, "number", 7)
_DATE = ("Date", lambda r: r.document_date, "date", 16)
_DESCRIPTION = ("Description", lambda r: r.description, "text", 48)
_TYPE = ("Document type", lambda r: r.document_type, "text", 16)
_ISSUE = ("Issue for Disclosure", lambda r: r.issue, "text", 18)
_PRODUCTION = ("Production numbers", lambda r: r.production_numbers, "text", 22)
_PARTY_OR_CUSTODIAN = ("Producing party / custodian", lambda r: r.party_or_custodian, "text", 24)
_WITHHOLDING = ("Withheld in full or redacted", lambda r: r.withholding, "text", 22)

# Every list opens with these: a document's number, date, description and type.
_DOCUMENT = (_NUMBER, _DATE, _DESCRIPTION, _TYPE)

COLUMNS: dict[tuple[Form, str], tuple[Column, ...]] = {
    (Form.PD57AD, "disclosed"): _columns(
        *_DOCUMENT,
        _PARTY_OR_CUSTODIAN,
        ("Date disclosed", lambda r: r.disclosed_on, "date", 13),
        _PRODUCTION,
        _ISSUE,
    ),
    (Form.PD57AD, "withheld"): _columns(
        *_DOCUMENT,
        _PARTY_OR_CUSTODIAN,
        ("Ground on which withheld", lambda r: r.ground, "text", 24),
        _WITHHOLDING,
        _PRODUCTION,
        _ISSUE,
    ),
    (Form.FRCP, "disclosed"): _columns(
        *_DOCUMENT,
        ("Producing party", lambda r: r.producing_party, "text", 24),
        ("Date produced", lambda r: r.disclosed_on, "date", 13),
        _PRODUCTION,
    ),
    (Form.FRCP, "withheld"): _columns(
        ("Entry No.", lambda r: r.number, "number", 10),
        _DATE,
        ("Author", lambda r: r.author, "text", 20),
        ("Recipients (to / cc)", lambda r: r.recipients, "text", 26),
        _TYPE,
        ("Description of the nature of the document", lambda r: r.description, "text", 44),
        ("Privilege asserted", lambda r: r.ground, "text", 22),
        _WITHHOLDING,
        ("Production No.", lambda r: r.production_numbers, "text", 22),
    ),
}

TITLES = {
    (Form.PD57AD, "disclosed"): "List of documents: documents disclosed",
    (Form.PD57AD, "withheld"): "List of documents: documents withheld from inspection",
    (Form.FRCP, "disclosed"): "Documents produced",
    (Form.FRCP, "withheld"): "Privilege log",
}

# Under the title of each export: what the list is, in the words of the rule it follows.
NOTES = {
    (Form.PD57AD, "disclosed"): (
        "Documents disclosed in the Business and Property Courts under Practice Direction 57AD."
    ),
    (Form.PD57AD, "withheld"): (
        "Documents withheld from inspection under Practice Direction 57AD, with the ground "
        "on which each is withheld. Descriptions do not reveal the content for which "
        "privilege is claimed."
    ),
    (Form.FRCP, "disclosed"): "Documents produced in this action.",
    (Form.FRCP, "withheld"): (
        "Privilege log under Fed. R. Civ. P. 26(b)(5)(A): each document withheld or redacted "
        "on a claim of privilege or protection, described without revealing the information "
        "itself privileged or protected."
    ),
}
