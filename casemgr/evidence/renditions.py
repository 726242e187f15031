"""PDF renditions of exhibit files, for preview and for bundles. Pure: a path in, a PDF out.

Evidence is hostile. Nothing read from a file is ever interpreted: every string is escaped
before it goes into the HTML that WeasyPrint lays out, an e-mail's own HTML is reduced to
text and never rendered, and WeasyPrint's URL fetcher refuses every URL, so a file cannot
make the server fetch anything.
"""

from __future__ import annotations

import csv
import email
import email.policy
import html
import io
import json
import mimetypes
import re
import shutil
import string
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeVar

import img2pdf
import pikepdf
import pypdf
from PIL import Image, UnidentifiedImageError

from casemgr.core import layout, processes
from casemgr.core.text import breakable
from casemgr.evidence import extracts, image_pages, ocr

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "evidence" / "rendition"

# Characters of one page's text kept for search: a dense page of 8-point type holds about
# 10,000, so only a page made to exhaust the index reaches it.
PAGE_TEXT_LIMIT = 100_000
# What one rendition lays out is bounded, whatever the file's size, so that a worker's memory
# is too: WeasyPrint holds the whole layout until the PDF is written (a 200 MB CSV log laid
# out as 5,000 rows, 60,000 cells, peaked at 1 GiB). Past these, the rendition is an extract
# that says so on its first page, and the original file keeps everything.
RENDER_CHAR_LIMIT = 1_000_000  # characters laid out from one file (a few hundred pages)
TEXT_LINE_LIMIT = 20_000  # lines of a text file laid out (~300 pages)
CSV_ROW_LIMIT = 500  # rows of a table laid out (about 15 pages): enough to read the data's shape
CSV_COLUMN_LIMIT = 40
CSV_CELL_LIMIT = 6_000  # cells laid out, row numbers included: wide tables get fewer rows
CSV_CELL_CHARS = 2_000  # characters of one cell shown
# Characters of cells laid out: 500 rows of eleven 180-character cells (a million
# characters) peaked at 433 MiB; 200,000 characters stay under 300 MiB.
CSV_CHAR_LIMIT = 200_000
JSONL_RECORD_LIMIT = 500
# An e-mail's header is a line or two; one that runs to pages (a subject of 20,000
# characters, a To: of thousands of addresses) is cut in the PDF, whose layout would
# otherwise take minutes. The whole header stays in the original.
EMAIL_HEADER_CHARS = 2_000
EMAIL_SUBJECT_CHARS = 300  # the heading: it must fit the first page
JSONL_RECORD_CHARS = 20_000  # one pretty-printed record, before it is cut short
# Lines in one block of preformatted text. WeasyPrint re-reads all the text left in a block
# for each line it breaks, so a million characters in one block took twice as long as in
# blocks of 50 lines, and four times as long once any character in it was not ASCII.
PRE_BLOCK_LINES = 50
EMAIL_ATTACHMENT_ROWS = 1_000  # attachments listed in an e-mail's rendition (all are stored)
# Python's e-mail parser holds the whole message, decoded, many times over (a 21 MB e-mail
# with 2,000 attachments peaked at about 400 MiB); past this size, more than mail servers
# carry, an e-mail is kept as uploaded but not parsed, so a worker's memory stays bounded.
EMAIL_READ_LIMIT = 50 * 1024 * 1024
OFFICE_TIMEOUT = 120  # seconds LibreOffice may take over one document

T = TypeVar("T")

KINDS = ("pdf", "jpeg", "png", "tiff", "email", "text", "csv", "jsonl", "docx", "xlsx")
# How renditions are made, stored with each (ExhibitFile.rendition_format). A rendition goes
# into court bundles, whose pages carry one number, the bundle's: so it holds nothing that can
# change after it is made, and no page number of its own. Format 1 put the exhibit's
# reference and "page X of Y" in the footer of every page laid out here, so an exhibit
# renumbered after upload was bundled under its old reference; until format 3 an image whose
# file states no resolution became a page of its pixels at 96 dpi (a photo, 42 inches wide).
# Raise FORMAT when a change must reach renditions already stored, and say in CURRENT_SINCE
# which kinds it changes: stale ones are made again before they are bundled
# (bundles.services) or by `manage.py renew_renditions`.
FORMAT = 3
# For each kind whose rendition casemgr makes, the format since which it is made as now (the
# others, a PDF and an Office file's conversion, never go stale).
CURRENT_SINCE = {"email": 2, "text": 2, "csv": 2, "jsonl": 2, "jpeg": 3, "png": 3, "tiff": 3}


@dataclass(frozen=True)
class Attachment:
    filename: str  # sanitised name from the e-mail
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Rendition:
    pdf: bytes | None  # None when the input is already a PDF (the original is its own rendition)
    page_count: int
    attachments: tuple[Attachment, ...] = ()  # only for e-mails


class RenditionError(Exception):
    """Why a file has no rendition, in words a paralegal can act on."""


def render(path: Path, kind: str, *, name: str = "") -> Rendition:
    """The rendition of the file at `path`, whose detected kind is `kind` (one of KINDS).
    `name`, the file's original name, titles a PDF laid out here (an e-mail's own subject
    comes first): it never changes, unlike the exhibit's reference (see FORMAT)."""
    if kind == "pdf":
        return _render_pdf(path)
    if kind in ("jpeg", "png", "tiff"):
        return _render_image(path)
    if kind == "email":
        return _render_email(path, name)
    if kind in ("text", "csv", "jsonl"):
        # Each reads the file as a stream and lays out only its start (see the limits above),
        # so a log export of several gigabytes costs the worker no more memory than a page.
        documents = {"csv": _csv_document, "jsonl": _jsonl_document, "text": _text_document}
        document = documents[kind](path, name)
        return _from_html(document)
    if kind in ("docx", "xlsx"):
        return _render_office(path)
    raise ValueError(f"Unknown kind of exhibit file: {kind!r}")


# PDF and images


def _render_pdf(path: Path) -> Rendition:
    try:
        with pikepdf.open(path) as pdf:
            page_count = len(pdf.pages)
    except pikepdf.PasswordError:
        raise RenditionError(
            "The PDF is password-protected, so it cannot be previewed or bundled. "
            "Ask for an unprotected copy."
        ) from None
    except pikepdf.PdfError as error:
        raise RenditionError(f"The PDF could not be read: {error}") from None
    return Rendition(pdf=None, page_count=page_count)


def page_texts(path: Path) -> list[str]:
    """The text of each page of the PDF at `path` (a rendition), in order: what search finds
    and names by page. A page whose text cannot be extracted is empty, since search is a
    convenience and the PDF itself is what counts; a PDF that cannot be read has none."""
    # An open file, not a path: given a path, pypdf reads the whole file into memory.
    with path.open("rb") as handle:
        try:
            reader = pypdf.PdfReader(handle)
            if reader.is_encrypted:
                reader.decrypt("")
            page_total = len(reader.pages)
        except Exception:
            return []
        texts = []
        for number in range(page_total):
            try:
                text = reader.pages[number].extract_text() or ""
            except Exception:  # one bad page must not cost the text of the others
                text = ""
            texts.append(ocr.join_cjk(_clean(text))[:PAGE_TEXT_LIMIT])
        return texts


def _render_image(path: Path) -> Rendition:
    # img2pdf puts JPEG (and most PNG and TIFF) data into the PDF as it is, so the exhibit's
    # pixels are the original ones; EXIF rotation becomes the page's /Rotate. The page is A4
    # (image_pages), whatever size and resolution the image claims.
    options = {"rotation": img2pdf.Rotation.ifvalid, "layout_fun": image_pages.a4_layout}
    try:
        pdf = img2pdf.convert(str(path), **options)
    except (img2pdf.AlphaChannelError, img2pdf.UnsupportedColorspaceError):
        # img2pdf keeps 8-bit transparency as a soft mask but refuses alpha above 8 bits per
        # channel (PIL cannot carry it), and some TIFF colour spaces. Those images are
        # converted with Pillow to RGB, transparency flattened onto white, and then embedded.
        pdf = img2pdf.convert(_flattened_frames(path), **options)
    except _UNREADABLE_IMAGE as error:
        raise RenditionError(f"The image could not be read: {error}") from None
    return Rendition(pdf=pdf, page_count=_page_count(pdf))


_UNREADABLE_IMAGE = (
    img2pdf.ImageOpenError,
    img2pdf.JpegColorspaceError,
    img2pdf.NegativeDimensionError,
    img2pdf.PdfTooLargeError,
    Image.DecompressionBombError,
    UnidentifiedImageError,
    OSError,
    ValueError,
)


def _flattened_frames(path: Path) -> list[bytes]:
    """Each frame of the image as an RGB PNG, transparency composited onto white."""
    frames = []
    try:
        with Image.open(path) as image:
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                rgba = image.convert("RGBA")
                flat = Image.new("RGB", rgba.size, "white")
                flat.paste(rgba, mask=rgba.getchannel("A"))
                buffer = io.BytesIO()
                flat.save(buffer, format="PNG", dpi=image.info.get("dpi", (72, 72)))
                frames.append(buffer.getvalue())
    except _UNREADABLE_IMAGE as error:
        raise RenditionError(f"The image could not be read: {error}") from None
    return frames


# E-mail


_EMAIL_HEADERS = ("From", "To", "Cc", "Date", "Subject")
# A forwarded message is written out with its headers as they arrived, not refolded.
_AS_RECEIVED = email.policy.default.clone(refold_source="none")


def _render_email(path: Path, name: str) -> Rendition:
    size = path.stat().st_size
    if size > EMAIL_READ_LIMIT:
        raise RenditionError(
            f"This e-mail is {_size(size)}, more than the {_size(EMAIL_READ_LIMIT)} casemgr "
            "unpacks: it is kept exactly as uploaded and can be downloaded, but it is not shown "
            "as a PDF and its attachments are not added as files. Export the attachments "
            "from the mail program and upload them to this exhibit."
        )
    bodies: list[EmailMessage] = []
    parts: list[EmailMessage] = []
    try:
        with path.open("rb") as handle:
            message = email.message_from_binary_file(handle, policy=email.policy.default)
        _collect_parts(message, wanted=True, bodies=bodies, attachments=parts)
    except RecursionError:  # thousands of nested parts: damaged, or made to crash readers
        raise RenditionError(
            "The e-mail could not be read: its parts are nested too deeply."
        ) from None
    headers = {name: _header(message, name) for name in _EMAIL_HEADERS}
    body = "\n\n".join(_body_text(part) for part in bodies).strip()
    attachments = tuple(_attachment(part, number) for number, part in enumerate(parts, 1))

    notes = []
    if bodies and all(part.get_content_type() == "text/html" for part in bodies):
        notes.append("The e-mail has only an HTML body; it is shown here as plain text.")
    if len(body) > RENDER_CHAR_LIMIT:
        notes.append(
            f"Extract: characters 1–{RENDER_CHAR_LIMIT:,} of the body's {len(body):,} are "
            "shown. The original e-mail is unchanged and holds all of it; download it for "
            "the full text."
        )
    if len(attachments) > EMAIL_ATTACHMENT_ROWS:
        notes.append(
            f"Extract: attachments 1–{EMAIL_ATTACHMENT_ROWS:,} of {len(attachments):,} are "
            "listed. Every attachment is kept as a file of this exhibit."
        )
    header_rows = "\n".join(
        f"<tr><th>{name}</th><td>{_e(_cut(value, EMAIL_HEADER_CHARS))}</td></tr>"
        for name, value in headers.items()
    )
    attachment_rows = "\n".join(
        f"<tr><td>{_e(item.filename)}</td><td>{_e(item.content_type)}</td>"
        f'<td class="size">{_size(len(item.data))}</td></tr>'
        for item in attachments[:EMAIL_ATTACHMENT_ROWS]
    )
    document = _template("email.html").substitute(
        document_title=_title(_cut(headers["Subject"], EMAIL_SUBJECT_CHARS) or name),
        subject=_e(_cut(headers["Subject"], EMAIL_SUBJECT_CHARS) or "(no subject)"),
        header_rows=header_rows,
        notes=_notes(notes),
        body=(
            _pre_blocks(body[:RENDER_CHAR_LIMIT].split("\n"), "body")
            if body
            else '<pre class="body"><i>(no text body)</i></pre>'
        ),
        attachments=(
            '<table class="attachments"><thead><tr><th>Name</th><th>Type</th>'
            f"<th>Size</th></tr></thead><tbody>{attachment_rows}</tbody></table>"
            if attachments
            else "<p>None.</p>"
        ),
    )
    rendition = _from_html(document)
    return Rendition(rendition.pdf, rendition.page_count, attachments)


def _collect_parts(
    part: EmailMessage,
    *,
    wanted: bool,
    bodies: list[EmailMessage],
    attachments: list[EmailMessage],
) -> None:
    """Sort the leaves of the MIME tree into body text and attachments. Of the versions in a
    multipart/alternative only one is the body (plain text first); the others are the same
    words again, but any files inside them (an HTML version's inline images) are kept."""
    if part.get_content_maintype() == "multipart":
        children = list(part.iter_parts())
        preferred = None
        if part.get_content_subtype() == "alternative" and children:
            preferred = next(
                (c for c in children if _is_body_text(c, "text/plain")),
                next((c for c in children if _is_body_text(c, "text/html")), children[-1]),
            )
        for child in children:
            _collect_parts(
                child,
                wanted=wanted and preferred in (None, child),
                bodies=bodies,
                attachments=attachments,
            )
    elif _is_body_text(part, "text/plain") or _is_body_text(part, "text/html"):
        if wanted:
            bodies.append(part)
    else:  # files, and forwarded messages (message/rfc822) kept whole
        attachments.append(part)


def _is_body_text(part: EmailMessage, content_type: str) -> bool:
    return (
        part.get_content_type() == content_type
        and part.get_content_disposition() != "attachment"
        and not _filename(part)
    )


def _header(message: EmailMessage, name: str) -> str:
    try:
        values = [str(value) for value in message.get_all(name, [])]
    except Exception:  # a malformed header the parser chokes on is shown as it arrived
        values = [str(v) for k, v in message.raw_items() if k.lower() == name.lower()]
    return _clean(re.sub(r"\s+", " ", ", ".join(values))).strip()


def _body_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # unknown or lying charset
        content = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        content = _html_to_text(content)
    return _clean(content.replace("\r\n", "\n"))


def _attachment(part: EmailMessage, number: int) -> Attachment:
    content_type = part.get_content_type()
    if part.get_content_maintype() == "message":
        inner = part.get_payload(0) if part.is_multipart() else None
        data = inner.as_bytes(policy=_AS_RECEIVED) if inner is not None else b""
    else:
        data = part.get_payload(decode=True) or b""
    return Attachment(
        filename=_safe_filename(_filename(part), number, content_type),
        content_type=content_type,
        data=data,
    )


def _filename(part: EmailMessage) -> str:
    try:
        return part.get_filename() or ""
    except Exception:  # an undecodable RFC 2231 name: the attachment keeps a made-up one
        return ""


def _safe_filename(name: str, number: int, content_type: str) -> str:
    """The attachment's own name with no path, no control or direction-override characters
    (U+202E can make a name ending "fdp.exe" display as one ending "exe.pdf"), bounded."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem[: 190 - len(suffix)]}.{suffix}" if dot and len(suffix) < 10 else name[:200]
    if not name:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"attachment-{number}{extension}"
    return name


class _HTMLText(HTMLParser):
    """An HTML e-mail body as plain text: tags and scripts dropped, blocks on their own lines,
    link targets kept (where a link really pointed can matter in a dispute)."""

    _HIDDEN = frozenset({"script", "style", "title", "template", "noscript"})
    _CELLS = frozenset({"td", "th"})
    _BLOCKS = frozenset(
        "address blockquote br dd div dl dt h1 h2 h3 h4 h5 h6 hr li ol p pre table tr ul".split()
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden = 0
        self.href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag in self._BLOCKS:
            self.chunks.append("\n")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.href = href if href.startswith(("http:", "https:", "mailto:")) else ""

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self._BLOCKS:
            self.chunks.append("\n")
        elif tag in self._CELLS:
            self.chunks.append(" ")
        elif tag == "a" and self.href:
            self.chunks.append(f" <{self.href}>")
            self.href = ""

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.chunks.append(re.sub(r"\s+", " ", data))


def _html_to_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    lines = (line.strip() for line in "".join(parser.chunks).replace("\xa0", " ").split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# Text, CSV and JSON Lines


def _text_document(path: Path, name: str, notes: Iterable[str] = ()) -> str:
    notes = list(notes)
    shown: list[str] = []
    used, unshown, cut = 0, 0, False
    with extracts.open_text(path) as stream:
        for line in extracts.lines(stream, RENDER_CHAR_LIMIT):
            room = RENDER_CHAR_LIMIT - used
            if line.cut or len(line.text) > room:
                if shown:  # whole lines, up to the limit, are a better extract
                    unshown = 1
                else:
                    shown.append(f"{line.text[:room]} … (cut short here)")
                    cut = True
                break
            shown.append(line.text)
            used += len(line.text) + 1
            if len(shown) == TEXT_LINE_LIMIT:
                break
        total = len(shown) + unshown + extracts.count_lines(stream)
    if total > len(shown):
        notes.append(_extract_note(len(shown), total, "lines"))
    if cut:
        notes.append(
            "Extract: the first line is too long to show whole and is cut short where "
            "marked “(cut short here)”. The original file is unchanged and holds it whole; "
            "download it for the full data."
        )
    if not any(line.strip() for line in shown):
        notes.append("The file is empty.")
    return _template("text.html").substitute(
        document_title=_title(name), notes=_notes(notes), content=_pre_blocks(shown)
    )


def _csv_document(path: Path, name: str) -> str:
    with extracts.open_text(path) as stream:
        sample = stream.read(4096)  # the sniffer's regexes are slow on long samples
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    shown: list[list[str]] = []
    with extracts.open_text(path) as stream:
        reader = csv.reader(extracts.raw_lines(stream), dialect)
        try:
            for row in reader:
                shown.append(row)
                if len(shown) > CSV_ROW_LIMIT:  # the header row plus CSV_ROW_LIMIT rows
                    break
        except csv.Error as error:
            note = f"The file could not be read as a table ({error}), so it is shown as text."
            return _text_document(path, name, [note])
        if not shown:
            return _text_document(path, name)
        total, unreadable = len(shown), ""
        try:
            for _row in reader:
                total += 1
        except csv.Error as error:
            unreadable = (
                f"From line {reader.line_num:,} on, the file could not be read as a table "
                f"({error}), so the rows after it were not counted."
            )
    header, rows = shown[0], shown[1:]
    columns = max(len(row) for row in shown)
    notes = []
    if columns > CSV_COLUMN_LIMIT:
        notes.append(_extract_note(CSV_COLUMN_LIMIT, columns, "columns"))
        columns = CSV_COLUMN_LIMIT
    # WeasyPrint lays out about a thousand table cells a second and holds them all in memory
    # until the PDF is written: wide tables get fewer rows.
    rows = rows[: CSV_CELL_LIMIT // (columns + 1)]
    rows = _within_budget(
        rows, lambda row: sum(min(len(v), CSV_CELL_CHARS) for v in row), CSV_CHAR_LIMIT
    )
    if total - 1 > len(rows):
        notes.append(_extract_note(len(rows), total - 1, "rows", at_least=bool(unreadable)))
    if unreadable:
        notes.append(unreadable)

    def cells(row: list[str], tag: str) -> str:
        row = (row + [""] * columns)[:columns]
        return "".join(f"<{tag}>{_e(_cut(value, CSV_CELL_CHARS))}</{tag}>" for value in row)

    return _template("table.html").substitute(
        document_title=_title(name),
        body_class="landscape" if columns > 6 else "",
        notes=_notes(notes),
        header_cells='<th class="row-number">#</th>' + cells(header, "th"),
        rows="\n".join(
            f'<tr><td class="row-number">{number}</td>{cells(row, "td")}</tr>'
            for number, row in enumerate(rows, 1)
        ),
    )


def _jsonl_document(path: Path, name: str) -> str:
    records = []
    total = 0
    with extracts.open_text(path) as stream:
        for line_number, line in enumerate(extracts.lines(stream), 1):
            if not line.text.strip():
                continue
            total += 1
            if len(records) == JSONL_RECORD_LIMIT:
                continue  # counted, not laid out
            label = f"line {line_number}"
            try:
                if line.cut:
                    raise ValueError("too long to read")
                pretty = json.dumps(json.loads(line.text), indent=2, ensure_ascii=False)
            except (ValueError, RecursionError):
                pretty = line.text
                label += (
                    f" (longer than {extracts.LINE_CHARS:,} characters, the start shown as it is)"
                    if line.cut
                    else " (not valid JSON, shown as it is)"
                )
            records.append((label, _cut(pretty, JSONL_RECORD_CHARS)))
    records = _within_budget(records, lambda record: len(record[1]))
    notes = []
    if total > len(records):
        notes.append(_extract_note(len(records), total, "records"))
    if not total:
        notes.append("The file is empty.")
    blocks = (
        f'<div class="record"><div class="record-number">{label}</div>{_e(pretty)}</div>'
        for label, pretty in records
    )
    return _template("text.html").substitute(
        document_title=_title(name), notes=_notes(notes), content="\n".join(blocks)
    )


def _pre_blocks(lines: list[str], css_class: str = "") -> str:
    """`lines` as preformatted text, in blocks of PRE_BLOCK_LINES lines that read as one."""
    attribute = f' class="{css_class}"' if css_class else ""
    blocks = []
    for start in range(0, len(lines), PRE_BLOCK_LINES):
        # The HTML parser drops the newline just after <pre>, and layout the last one before
        # </pre>: with one after every line, an empty first or last line still shows.
        text = "".join(f"{line}\n" for line in lines[start : start + PRE_BLOCK_LINES])
        blocks.append(f"<pre{attribute}>\n{_e(text)}</pre>")
    return "".join(blocks) or f"<pre{attribute}></pre>"


def _within_budget(items: list[T], size: Callable[[T], int], budget: int | None = None) -> list[T]:
    """The first of `items` whose sizes add up to at most `budget` (RENDER_CHAR_LIMIT unless
    given; at least one item)."""
    budget = RENDER_CHAR_LIMIT if budget is None else budget
    used = 0
    for index, item in enumerate(items):
        used += size(item)
        if used > budget:
            return items[: max(index, 1)]
    return items


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else f"{value[:limit]} … (cut short here)"


def _extract_note(shown: int, total: int, what: str, *, at_least: bool = False) -> str:
    """What a reader of an extract needs to know first: how much of the file it shows, and
    that nothing was lost."""
    of = f"at least {total:,}" if at_least else f"{total:,}"
    return (
        f"Extract: {what} 1–{shown:,} of {of} are shown. The original file is unchanged "
        f"and holds all of them; download it for the full data."
    )


# Word and Excel


def _render_office(path: Path) -> Rendition:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RenditionError(
            "LibreOffice is not installed on the server, so Word and Excel files cannot be "
            "previewed. The original file can still be downloaded."
        )
    with tempfile.TemporaryDirectory(prefix="rendition-") as work:
        command = [
            soffice,
            # A profile of its own: LibreOffice instances sharing one profile fail silently.
            f"-env:UserInstallation={Path(work, 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            work,
            str(path.resolve()),  # absolute, so a name starting with "-" is not an option
        ]
        try:
            returncode, _, stderr = processes.run(command, timeout=OFFICE_TIMEOUT)
        except processes.TimedOut:
            raise RenditionError(
                f"LibreOffice took more than {OFFICE_TIMEOUT} seconds to convert the file "
                "and was stopped."
            ) from None
        output = Path(work, f"{path.resolve().stem}.pdf")
        if returncode != 0 or not output.exists():
            detail = stderr[-300:]
            raise RenditionError(f"LibreOffice could not convert the file. {detail}".strip())
        pdf = output.read_bytes()
    return Rendition(pdf=pdf, page_count=_page_count(pdf))


# Laying out HTML


# A rendition laid out for longer than this is stopped: the worker is freed for the next file,
# and the file is marked failed with the reason (the limits above keep ordinary files far
# below it: the largest e-mail or table takes seconds).
LAYOUT_SECONDS = 120


def write_pdf(document: str) -> bytes:
    """`document` (HTML built from escaped strings only) laid out on A4 pages, with nothing in
    their margins: a bundle stamps its own page number there (see FORMAT)."""
    try:
        return layout.write_pdf(document, _stylesheet(), seconds=LAYOUT_SECONDS)
    except layout.LayoutFailed as error:
        raise RenditionError(
            f"The file could not be shown as a PDF: {error} The original is unchanged and can "
            "be downloaded."
        ) from None


def _from_html(document: str) -> Rendition:
    pdf = write_pdf(document)
    return Rendition(pdf=pdf, page_count=_page_count(pdf))


def _page_count(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


@cache
def _template(name: str) -> string.Template:
    return string.Template((TEMPLATE_DIR / name).read_text(encoding="utf-8"))


@cache
def _stylesheet() -> str:
    return (TEMPLATE_DIR / "rendition.css").read_text(encoding="utf-8")


# Strings from files


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAKS = frozenset("\x0b\x0c\r")


def _clean(text: str) -> str:
    """Text fit to store and show: no lone surrogates (from JSON escapes or broken PDFs), and
    no control characters; NUL, which PostgreSQL will not store, is dropped."""
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    text = text.replace("\x00", "").replace("\r\n", "\n")
    return _CONTROL.sub(lambda m: "\n" if m[0] in _LINE_BREAKS else "\ufffd", text)


def _e(value: str) -> str:
    """`value` escaped for HTML, long runs without a space made breakable (core.text)."""
    return html.escape(breakable(_clean(value)), quote=True)


def _title(value: str) -> str:
    """`value` escaped for the document's <title>, the PDF's title: never laid out, so kept
    exactly as it is, without the break points _e adds."""
    return html.escape(_clean(value), quote=True)


def _notes(notes: Iterable[str]) -> str:
    return "\n".join(f'<p class="note">{_e(note)}</p>' for note in notes)


def _size(length: int) -> str:
    if length < 1024:
        return f"{length:,} bytes"
    if length < 1024 * 1024:
        return f"{length / 1024:,.1f} KB"
    return f"{length / 1024 / 1024:,.1f} MB"
