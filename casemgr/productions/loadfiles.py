"""The load files that review platforms (Relativity, Concordance, Everlaw…) import with a
production: a Concordance DAT (one row per document) and an Opticon OPT (one line per page).
Pure: no Django.

DAT: UTF-8 with a byte-order mark (Concordance and Relativity tell UTF-8 from ANSI by it),
CRLF line ends, fields separated by DC4 (ASCII 20, shown as ¶) and each enclosed in þ
(U+00FE), a header row first. A value cannot hold either character, nor a line break
(which would end the row), so they become spaces.

OPT: comma-separated, no header, no quoting (so a path cannot hold a comma; ours are made
of production numbers): ImageKey,Volume,ImagePath,DocumentBreak,FolderBreak,BoxBreak,
PageCount, with DocumentBreak "Y" and the document's page count on its first page only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

FIELD = "\x14"  # DC4
QUOTE = "\u00fe"  # þ
NEWLINE = "\r\n"
BOM = "\ufeff"

DAT_FIELDS = (
    "BEGBATES",
    "ENDBATES",
    "PAGECOUNT",
    "TITLE",
    "DOCDATE",
    "DOCTYPE",
    "AUTHOR",
    "RECIPIENTS",
    "CUSTODIAN",
    "PRODPARTY",
    "REDACTED",
    "SHA256",
    "NATIVEPATH",
    "TEXTPATH",
)


def _clean(value: object) -> str:
    text = "" if value is None else str(value)
    for char in (FIELD, QUOTE, "\r\n", "\r", "\n", "\t"):
        text = text.replace(char, " ")
    return text


def dat(rows: Sequence[dict[str, object]]) -> str:
    """The DAT file's text for `rows`, each a dict keyed by DAT_FIELDS (missing ones empty)."""
    lines = [FIELD.join(f"{QUOTE}{name}{QUOTE}" for name in DAT_FIELDS)]
    for row in rows:
        unknown = set(row) - set(DAT_FIELDS)
        if unknown:
            raise ValueError(f"Not DAT fields: {sorted(unknown)}")
        lines.append(
            FIELD.join(f"{QUOTE}{_clean(row.get(name, ''))}{QUOTE}" for name in DAT_FIELDS)
        )
    return BOM + NEWLINE.join(lines) + NEWLINE


@dataclass(frozen=True)
class ImageLine:
    key: str  # the page's production number
    path: str  # relative to the volume, with backslashes as the platforms expect
    first: bool  # the document's first page
    pages: int  # the document's page count (written on its first page only)


def opt(volume: str, lines: Sequence[ImageLine]) -> str:
    """The OPT file's text: one line per page, in production order."""
    out = []
    for line in lines:
        for value in (line.key, volume, line.path):
            if "," in value or "\n" in value:
                raise ValueError(f"{value!r} cannot go into an OPT line.")
        out.append(
            ",".join(
                [
                    line.key,
                    volume,
                    line.path,
                    "Y" if line.first else "",
                    "",
                    "",
                    str(line.pages) if line.first else "",
                ]
            )
        )
    return NEWLINE.join(out) + NEWLINE
