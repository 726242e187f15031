"""The grounds on which a document is withheld from inspection, and the two forms a list of
documents takes. Pure: no Django models, so the exports and their tests read it alone."""

from __future__ import annotations

from enum import StrEnum


class Form(StrEnum):
    """The shape of the lists: England and Wales (Business and Property Courts, Practice
    Direction 57AD) or a US federal court (a privilege log under FRCP 26(b)(5)(A))."""

    PD57AD = "pd57ad"
    FRCP = "frcp"


FORM_LABELS = {
    Form.PD57AD: "England and Wales – list of documents (PD 57AD)",
    Form.FRCP: "US federal court – privilege log (FRCP 26(b)(5)(A))",
}

# Jurisdiction codes (fixtures/reference/jurisdictions.json) whose courts take each form.
# Any other jurisdiction is offered the US log, whose columns are the fuller description.
_FORM_OF_JURISDICTION = {"ew": Form.PD57AD, "us-fed": Form.FRCP}


def form_for_jurisdiction(code: str) -> Form:
    return _FORM_OF_JURISDICTION.get(code, Form.FRCP)


class Ground(StrEnum):
    # England and Wales.
    LEGAL_ADVICE = "legal_advice"
    LITIGATION = "litigation"
    WITHOUT_PREJUDICE = "without_prejudice"
    COMMON_INTEREST = "common_interest"
    PUBLIC_INTEREST_IMMUNITY = "public_interest_immunity"
    # United States.
    ATTORNEY_CLIENT = "attorney_client"
    WORK_PRODUCT = "work_product"
    # Any other, named in the entry's own words.
    OTHER = "other"


GROUND_LABELS = {
    Ground.LEGAL_ADVICE: "Legal advice privilege",
    Ground.LITIGATION: "Litigation privilege",
    Ground.WITHOUT_PREJUDICE: "Without prejudice",
    Ground.COMMON_INTEREST: "Common interest privilege",
    Ground.PUBLIC_INTEREST_IMMUNITY: "Public interest immunity",
    Ground.ATTORNEY_CLIENT: "Attorney-client privilege",
    Ground.WORK_PRODUCT: "Work-product protection",
    Ground.OTHER: "Other (state the ground)",
}

# The grounds each form offers first; a choice from the other list is still kept.
FORM_GROUNDS = {
    Form.PD57AD: (
        Ground.LEGAL_ADVICE,
        Ground.LITIGATION,
        Ground.WITHOUT_PREJUDICE,
        Ground.COMMON_INTEREST,
        Ground.PUBLIC_INTEREST_IMMUNITY,
    ),
    Form.FRCP: (Ground.ATTORNEY_CLIENT, Ground.WORK_PRODUCT, Ground.COMMON_INTEREST),
}

# The words a US log uses for a ground first named in English terms, and back.
_US_WORDS = {Ground.COMMON_INTEREST: "Common-interest doctrine"}


def ground_label(ground: str, detail: str, form: Form) -> str:
    """The ground as the list prints it: its name, or the entry's own words for "other"."""
    if ground == Ground.OTHER or not ground:
        return detail.strip() or "Ground not yet stated"
    if form == Form.FRCP and ground in _US_WORDS:
        return _US_WORDS[Ground(ground)]
    return GROUND_LABELS[Ground(ground)]


class Withholding(StrEnum):
    IN_FULL = "in_full"
    REDACTED = "redacted"


WITHHOLDING_LABELS = {
    Withholding.IN_FULL: "Withheld in full",
    Withholding.REDACTED: "Produced with redactions",
}
