"""Building bundle specs in tests: shared by the builder's tests and numbering's."""

from __future__ import annotations

import dataclasses

from casemgr.bundles.builder import Document, Spec


def with_document(spec: Spec, letter: str, position: int, document: Document, **changes) -> Spec:
    """`spec` with `document` put at `position` of section `letter`, and `changes` made."""
    sections = tuple(
        dataclasses.replace(
            section,
            documents=section.documents[:position] + (document,) + section.documents[position:],
        )
        if section.letter == letter
        else section
        for section in spec.sections
    )
    return dataclasses.replace(spec, sections=sections, **changes)
