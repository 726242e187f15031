"""The redaction engine. Pure: a PDF and the boxes to black out in, a redacted PDF out; no
Django. `casemgr.redaction.services` runs it on an exhibit file's rendition, and
`manage.py redact` on any PDF.

Coordinates are PDF points (1/72 inch) from the top-left corner of the page as it is shown:
rotation and crop box applied, which is what a viewer draws and what a person measures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Reason(StrEnum):
    PRIVILEGE = "privilege"
    PERSONAL_DATA = "personal_data"
    COMMERCIAL = "commercially_sensitive"
    IRRELEVANT = "irrelevant"


# As printed inside each box, and offered in the viewer.
REASON_LABELS = {
    Reason.PRIVILEGE: "Privileged",
    Reason.PERSONAL_DATA: "Personal data",
    Reason.COMMERCIAL: "Commercially sensitive",
    Reason.IRRELEVANT: "Irrelevant",
}


class RedactionError(Exception):
    """A document cannot be redacted (unreadable, encrypted, a box off the page), in words a
    paralegal can act on."""


@dataclass(frozen=True)
class Box:
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    reason: Reason = Reason.PRIVILEGE


@dataclass(frozen=True)
class Result:
    page_count: int
    redacted_pages: tuple[int, ...]  # 1-based, the pages that had a box


Progress = Callable[[int, int], object]  # (pages done, pages to do)


def find(
    path: Path,
    *,
    terms: Sequence[str] = (),
    patterns: Sequence[str] = (),
    reason: Reason = Reason.PRIVILEGE,
) -> list[Box]:
    """A box over every occurrence of each term (case-insensitive) and each regular
    expression, found in the PDF's text layer."""
    raise NotImplementedError


def redact(
    source: Path,
    target: Path,
    boxes: Sequence[Box],
    *,
    languages: str = "eng",
    progress: Progress | None = None,
) -> Result:
    """Write `source` to `target` with the content under every box gone (text, images and
    vector drawing), each box painted black with its reason, and the document's metadata,
    annotations, attachments and scripts removed. The source is never changed."""
    raise NotImplementedError
