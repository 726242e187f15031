"""Text files of any size read as a stream: the start, to lay out, and a count of the rest, in
memory that does not grow with the file (pure; no Django).

A rendition of a 200 MB access log laid out whole would be thousands of pages and a gigabyte
of WeasyPrint's memory, and nobody reads it in a PDF: the rendition is a readable extract
that says how much there is, and the full data stays in the original file.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple, TextIO

# One line held in memory at a time, at most this long (a few MB); the rest of a longer line
# is read and dropped, so a file with no line breaks costs no more than one with many.
LINE_CHARS = 1_000_000
ENCODING_SAMPLE_BYTES = 1024 * 1024  # read to choose the encoding, before anything else
_COUNT_CHUNK_CHARS = 1024 * 1024

_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


class Line(NamedTuple):
    text: str  # without its line break
    cut: bool  # the line was longer than the limit, and only its start is here


def encoding_of(sample: bytes) -> str:
    """The encoding of text whose start is `sample`: UTF-16 when it says so, UTF-8 when it is
    (or nearly is, e.g. a character cut off at the end of the sample), otherwise
    Windows-1252, what most non-UTF-8 exports are."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "utf-8" if _UTF8_SEQUENCE.search(sample) else "cp1252"
    return "utf-8-sig"


@contextlib.contextmanager
def open_text(path: Path) -> Iterator[TextIO]:
    """The file as text, decoded as `encoding_of` its start says (undecodable bytes become
    U+FFFD) and with every line break ("\\r\\n", "\\r") read as "\\n"."""
    with path.open("rb") as handle:
        encoding = encoding_of(handle.read(ENCODING_SAMPLE_BYTES))
    with path.open(encoding=encoding, errors="replace", newline=None) as stream:
        yield stream


def lines(stream: TextIO, limit: int = LINE_CHARS) -> Iterator[Line]:
    """The stream's lines, split at "\\n" only (a JSON string may hold U+2028), each at most
    `limit` characters."""
    while chunk := stream.readline(limit):
        if chunk.endswith("\n"):
            yield Line(chunk[:-1], cut=False)
            continue
        cut = len(chunk) == limit
        while cut and (rest := stream.readline(limit)) and not rest.endswith("\n"):
            pass
        yield Line(chunk, cut=cut)


def raw_lines(stream: TextIO, limit: int = LINE_CHARS) -> Iterator[str]:
    """The stream's lines with their line breaks, for csv.reader, each at most `limit`
    characters."""
    for line in lines(stream, limit):
        yield line.text + "\n"


def count_lines(stream: TextIO) -> int:
    """How many lines are left in the stream, read a megabyte at a time."""
    count = 0
    last = "\n"
    while chunk := stream.read(_COUNT_CHUNK_CHARS):
        count += chunk.count("\n")
        last = chunk[-1]
    return count + (last != "\n")
