"""What an uploaded evidence file really is, and whether the matter may hold it.

The answer comes from the file's content, never from its name: a paralegal's "letter.pdf"
may be a phone photo, and a hostile "invoice.pdf" may be a program. The name is used only to
catch a mismatch between what the file says it is and what it is, because a court bundle
that lists "letter.pdf" must open as the letter.

Refused outright, whatever the name:
- programs and scripts (ELF, Windows PE, Mach-O, "#!" scripts, batch files): they run on
  the computer of whoever double-clicks them, and evidence is opened by many people;
- HTML and SVG: a browser runs the script they may carry as soon as they are viewed, inside
  our site's origin if we ever served them inline;
- archives: their contents would escape every check here, so they are unpacked first;
- password-protected PDFs: nobody else can open them, and bundles cannot be paginated;
- images larger than `max_pixels`: a small file can declare a huge canvas that exhausts
  the memory of whatever later renders it (a "decompression bomb").

Accepted with a warning (`Detection.flags`), because the document itself may be the
evidence: PDFs carrying JavaScript, launch actions or embedded files; PDFs that qpdf had to
repair to open (often a truncated upload); Office files carrying macros.

Pure Python, no Django: the upload service calls `detect()` and stores the answer.
"""

from __future__ import annotations

import csv
import email.parser
import io
import json
import pathlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

import magic
import pikepdf
from PIL import JpegImagePlugin, PngImagePlugin, TiffImagePlugin

# libmagic decides from the first bytes; 64 KiB covers every signature it knows (tar's is at
# 257, OOXML's first zip entries within a few hundred) without reading a 2 GB scan into memory.
HEAD_BYTES = 64 * 1024


class Kind(StrEnum):
    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    EMAIL = "email"
    TEXT = "text"
    CSV = "csv"
    JSONL = "jsonl"
    DOCX = "docx"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Detection:
    kind: Kind | None  # None when rejected
    mime: str  # what the content is (libmagic), e.g. "application/pdf"
    reason: str = ""  # set when rejected: a sentence a paralegal understands
    flags: tuple[str, ...] = ()  # accepted, but a lawyer should know

    @property
    def accepted(self) -> bool:
        return self.kind is not None


JAVASCRIPT = "javascript"
LAUNCH_ACTION = "launch_action"
EMBEDDED_FILES = "embedded_files"
REPAIRED = "repaired"
MACROS = "macros"

EMPTY = "The file is empty."
PROGRAM = (
    "The file is a computer program, which is not accepted: it could run on the computer of "
    "whoever opens it."
)
SCRIPT = (
    "The file is a script (a program in text form), which is not accepted: it could run on the "
    "computer of whoever opens it. If its text is evidence, print it to PDF and upload that."
)
HTML = (
    "Web pages (HTML) are not accepted: they can run scripts when they are opened. Print the "
    "page to PDF and upload that."
)
SVG = (
    "SVG images are not accepted: they can run scripts when they are opened. Export the image "
    "as PNG or PDF and upload that."
)
ARCHIVE = "Archives are not accepted yet: unpack them and upload the files."
OFFICE_UNAVAILABLE = (
    "Word and Excel files need LibreOffice on the server to be converted; ask an "
    "administrator, or upload a PDF."
)
OFFICE_OTHER = (
    "Of Office files, only Word (.docx) and Excel (.xlsx) are accepted: save this one as a "
    "PDF and upload that."
)
OFFICE_DAMAGED = "The Word or Excel file is damaged and cannot be read."
PDF_LOCKED = (
    "The PDF is password-protected: open it with its password, save or print it to a new PDF "
    "without protection, and upload that."
)
PDF_RESTRICTED = (
    "The PDF is password-protected (it opens, but a password restricts printing, copying or "
    "changes): save or print it to a new PDF without protection, and upload that."
)
PDF_DAMAGED = (
    "The PDF is damaged and cannot be read: save it again from the program that made it, "
    "and upload the new copy."
)
PDF_NO_PAGES = "The PDF has no pages."
IMAGE_DAMAGED = "The image is damaged and cannot be read."
TEXT_ENCODING = (
    "The text is in an encoding this server cannot read (such as UTF-16): save it as UTF-8 "
    "and upload it again."
)

_EXTENSION_KINDS = {
    ".pdf": Kind.PDF,
    ".jpg": Kind.JPEG,
    ".jpeg": Kind.JPEG,
    ".jpe": Kind.JPEG,
    ".jfif": Kind.JPEG,
    ".png": Kind.PNG,
    ".tif": Kind.TIFF,
    ".tiff": Kind.TIFF,
    ".eml": Kind.EMAIL,
    ".txt": Kind.TEXT,
    ".text": Kind.TEXT,
    ".log": Kind.TEXT,
    ".csv": Kind.CSV,
    ".tsv": Kind.CSV,
    ".jsonl": Kind.JSONL,
    ".ndjson": Kind.JSONL,
    ".docx": Kind.DOCX,
    ".xlsx": Kind.XLSX,
}

_KIND_EXTENSIONS = {kind: suffix for suffix, kind in reversed(_EXTENSION_KINDS.items())}

_KIND_NAMES = {
    Kind.PDF: "a PDF",
    Kind.JPEG: "a JPEG image",
    Kind.PNG: "a PNG image",
    Kind.TIFF: "a TIFF image",
    Kind.EMAIL: "an e-mail",
    Kind.TEXT: "plain text",
    Kind.CSV: "a CSV table",
    Kind.JSONL: "JSON Lines",
    Kind.DOCX: "a Word document",
    Kind.XLSX: "an Excel workbook",
}

# These are all text: which of them a file is depends on how closely one reads it (an e-mail
# saved as .txt is still text), so a .txt name on CSV content is no contradiction.
_TEXT_KINDS = frozenset({Kind.EMAIL, Kind.TEXT, Kind.CSV, Kind.JSONL})
_IMAGE_PLUGINS = {
    Kind.JPEG: JpegImagePlugin.JpegImageFile,
    Kind.PNG: PngImagePlugin.PngImageFile,
    Kind.TIFF: TiffImagePlugin.TiffImageFile,
}
_MIME_KINDS = {
    "application/pdf": Kind.PDF,
    "image/jpeg": Kind.JPEG,
    "image/png": Kind.PNG,
    "image/tiff": Kind.TIFF,
}
_DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_PROGRAM_MIMES = frozenset(
    {
        "application/x-executable",
        "application/x-pie-executable",
        "application/x-sharedlib",
        "application/x-object",
        "application/x-coredump",
        "application/x-dosexec",
        "application/x-msdownload",
        "application/vnd.microsoft.portable-executable",
        "application/x-mach-binary",
        "application/x-java-applet",
        "application/java-archive",
        "application/x-msi",
        "application/x-ms-shortcut",
    }
)
_SCRIPT_MIMES = frozenset({"text/x-shellscript", "text/x-msdos-batch"})
_ARCHIVE_MIMES = frozenset(
    {
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-7z-compressed",
        "application/x-rar",
        "application/vnd.rar",
        "application/x-bzip2",
        "application/x-xz",
        "application/x-lzma",
        "application/x-lzip",
        "application/zstd",
        "application/x-compress",
        "application/vnd.ms-cab-compressed",
        "application/x-iso9660-image",
    }
)
# Text that libmagic labels text/* but that is not plain text to whatever opens it: RTF can
# embed OLE objects in Word, XML can pull in stylesheets and scripts.
_NOT_PLAIN_TEXT = frozenset({"text/html", "text/xml", "text/rtf"})
_ELF = b"\x7fELF"
_MACH_O = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_FAT_BINARY = b"\xca\xfe\xba\xbe"  # Mach-O universal binary, or a compiled Java class
_UTF8_BOM = b"\xef\xbb\xbf"


def detect(
    path: pathlib.Path,
    filename: str,
    *,
    max_pixels: int = 100_000_000,
    office_available: bool = False,
) -> Detection:
    """Decide from `path`'s content what the upload is; `filename` (the user's name for it)
    only has to agree."""
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES + 1)
    truncated = len(head) > HEAD_BYTES
    head = head[:HEAD_BYTES]
    mime = magic.from_buffer(head, mime=True)
    if not head:
        return Detection(None, mime, EMPTY)
    refusal = _refusal(head, mime)
    if refusal:
        return Detection(None, mime, refusal)

    suffix = pathlib.PureWindowsPath(filename.strip()).suffix
    kind, flags = None, ()
    package = _zip_entries(path) if head.startswith(b"PK\x03\x04") else None
    if package is not None and "[Content_Types].xml" in package:
        kind, mime, flags = _office_kind(package, mime)
        if kind is None:
            return Detection(None, mime, OFFICE_OTHER)
    elif mime in (_DOCX_MIME, _XLSX_MIME):
        return Detection(None, mime, OFFICE_DAMAGED)  # named by libmagic, unreadable as a zip
    elif mime in _ARCHIVE_MIMES:
        return Detection(None, mime, ARCHIVE)
    kind = kind or _MIME_KINDS.get(mime)
    if kind is None and _is_text_mime(mime):
        text = _decode(head, truncated)
        if text is None:
            return Detection(None, mime, TEXT_ENCODING)
        kind = _text_kind(text, head, mime, truncated, suffix.lower())
    if kind is None:
        return Detection(None, mime, _not_accepted(head, mime))

    claimed = _EXTENSION_KINDS.get(suffix.lower())
    if suffix and claimed is None:
        # The name travels with the file: a download of "notes.js" or "page.htm" would run
        # as a program or a web page on the reader's machine, whatever its content.
        expected = _KIND_EXTENSIONS[kind]
        reason = (
            f"Files named …{suffix} are not accepted: the content is {_KIND_NAMES[kind]}, so "
            f"rename it to end in {expected} and upload it again."
        )
        return Detection(None, mime, reason)
    if claimed and claimed != kind and not {claimed, kind} <= _TEXT_KINDS:
        reason = f"The file's content is {_KIND_NAMES[kind]} but its name ends in {suffix}."
        return Detection(None, mime, reason)

    if kind is Kind.PDF:
        return _check_pdf(path, mime)
    if kind in _IMAGE_PLUGINS:
        return _check_image(path, kind, mime, max_pixels)
    if kind in (Kind.DOCX, Kind.XLSX) and not office_available:
        return Detection(None, mime, OFFICE_UNAVAILABLE)
    return Detection(kind, mime, flags=flags)


def _refusal(head: bytes, mime: str) -> str:
    """Why content that is dangerous to open is refused, or "" for anything else. Signatures
    are checked as well as libmagic's answer: this machine's libmagic calls a bare ELF header
    "text/plain", and a program is a program whether or not its header is complete."""
    binary = not mime.startswith("text/")
    if (
        head.startswith((_ELF, _FAT_BINARY, *_MACH_O))
        or (head.startswith(b"MZ") and binary)
        or mime in _PROGRAM_MIMES
    ):
        return PROGRAM
    if head.removeprefix(_UTF8_BOM).startswith(b"#!") or mime in _SCRIPT_MIMES:
        return SCRIPT
    if mime == "image/svg+xml":
        return SVG
    if mime in ("text/html", "application/xhtml+xml"):
        return HTML
    if mime in ("text/xml", "application/xml"):
        # XHTML and SVG written as generic XML still run their scripts in a browser.
        opening = head[:4096].lower()
        if b"<svg" in opening:
            return SVG
        if b"<html" in opening or b"/1999/xhtml" in opening:
            return HTML
    return ""


def _zip_entries(path: pathlib.Path) -> set[str] | None:
    """The entry names of a zip file, read from its central directory alone."""
    try:
        with zipfile.ZipFile(path) as package:
            return set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _office_kind(entries: set[str], mime: str) -> tuple[Kind | None, str, tuple[str, ...]]:
    """Word and Excel files are zip packages with a [Content_Types].xml. libmagic names them
    only when the entries come in the order Microsoft Office writes them, so the entries are
    looked at here instead, and the mime corrected when libmagic saw just a zip."""
    for kind, folder, kind_mime in (
        (Kind.DOCX, "word/", _DOCX_MIME),
        (Kind.XLSX, "xl/", _XLSX_MIME),
    ):
        if any(name.startswith(folder) for name in entries):
            if mime in ("application/zip", "application/octet-stream"):
                mime = kind_mime
            # Office refuses macros in a .docx/.xlsx, but LibreOffice and older tools run them.
            flags = (MACROS,) if f"{folder}vbaProject.bin" in entries else ()
            return kind, mime, flags
    return None, mime, ()


def _is_text_mime(mime: str) -> bool:
    if mime.startswith("text/"):
        return mime not in _NOT_PLAIN_TEXT
    return mime in ("message/rfc822", "application/json", "application/x-ndjson")


def _decode(head: bytes, truncated: bool) -> str | None:
    """The head as text, or None when it is not UTF-8 or latin-1 text. Latin-1 decodes any
    bytes, so what rules out UTF-16 and binary is the NUL byte plain text never holds."""
    if b"\x00" in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The head may end in the middle of a character that the rest of the file completes.
        if truncated and error.reason == "unexpected end of data":
            return head[: error.start].decode("utf-8", errors="replace")
        return head.decode("latin-1")


def _text_kind(text: str, head: bytes, mime: str, truncated: bool, suffix: str) -> Kind | None:
    lines = text.splitlines()
    if truncated:
        lines = lines[:-1]  # cut off by the head, so it would not parse
    if mime == "message/rfc822" or (suffix == ".eml" and _looks_like_email(head)):
        return Kind.EMAIL
    named_jsonl = _EXTENSION_KINDS.get(suffix) is Kind.JSONL or mime == "application/x-ndjson"
    if _is_json_lines(lines, minimum=1 if named_jsonl else 2):
        return Kind.JSONL
    if mime == "application/json":
        return None  # one JSON document is not a log of records
    if mime == "text/csv" or _EXTENSION_KINDS.get(suffix) is Kind.CSV or _is_csv(lines):
        return Kind.CSV
    return Kind.TEXT


def _looks_like_email(head: bytes) -> bool:
    message = email.parser.BytesParser().parsebytes(head, headersonly=True)
    return bool(message.get("From") and (message.get("Date") or message.get("Subject")))


def _is_json_lines(lines: list[str], *, minimum: int) -> bool:
    records = [line for line in lines if line.strip()]
    if len(records) < minimum:
        return False
    try:
        return all(isinstance(json.loads(line), dict) for line in records)
    except ValueError:
        return False


def _is_csv(lines: list[str]) -> bool:
    """csv.Sniffer finds a delimiter in almost any prose, so a table is believed only when a
    header and at least two rows all split into the same number (two or more) of columns."""
    sample = "\n".join(lines[:50])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        rows = [row for row in csv.reader(io.StringIO(sample), dialect) if row]
    except csv.Error:
        return False
    widths = {len(row) for row in rows}
    return len(rows) >= 3 and len(widths) == 1 and widths.pop() >= 2


def _not_accepted(head: bytes, mime: str) -> str:
    if mime == "application/octet-stream":
        return "The file's type could not be recognised, so it is not accepted."
    # libmagic's name for the content ("GIF image data"), without the detail after it.
    description = magic.from_buffer(head).split(",")[0].strip()
    return f"Files of type {description} are not accepted."


MAX_FRAMES = 500


def _check_image(path: pathlib.Path, kind: Kind, mime: str, max_pixels: int) -> Detection:
    # The format's own class reads only the header for the size. Image.open() would also apply
    # Pillow's global MAX_IMAGE_PIXELS guard, which raises before telling us the size and
    # applies its own limit rather than the caller's max_pixels.
    try:
        with _IMAGE_PLUGINS[kind](str(path)) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > MAX_FRAMES:
                return Detection(
                    None,
                    mime,
                    f"The image has {frames:,} pages; at most {MAX_FRAMES} are accepted.",
                )
            # Every page of a TIFF counts: a small first page can hide a huge second one.
            width, height = image.size
            for frame in range(1, frames):
                image.seek(frame)
                if image.size[0] * image.size[1] > width * height:
                    width, height = image.size
    except (SyntaxError, OSError, ValueError, EOFError):
        return Detection(None, mime, IMAGE_DAMAGED)
    pixels = width * height
    if pixels > max_pixels:
        reason = (
            f"The image is {pixels:,} pixels ({width:,} × {height:,}), more than the "
            f"{max_pixels:,} accepted: reduce its size and upload it again."
        )
        return Detection(None, mime, reason)
    return Detection(kind, mime)


def _check_pdf(path: pathlib.Path, mime: str) -> Detection:
    try:
        with pikepdf.open(path) as pdf:
            # Opening without a password succeeds when only an owner password is set; the
            # restrictions still stop bundles from being stamped and re-paginated.
            if pdf.is_encrypted:
                return Detection(None, mime, PDF_RESTRICTED)
            if len(pdf.pages) == 0:
                return Detection(None, mime, PDF_NO_PAGES)
            flags = _pdf_flags(pdf)
            # qpdf rebuilds a damaged file silently; a truncated upload would otherwise pass
            # as a complete document with its last pages missing.
            if pdf.get_warnings():
                flags += (REPAIRED,)
    except pikepdf.PasswordError:
        return Detection(None, mime, PDF_LOCKED)
    except (pikepdf.PdfError, RuntimeError, ValueError, TypeError, KeyError, RecursionError):
        return Detection(None, mime, PDF_DAMAGED)
    return Detection(Kind.PDF, mime, flags=flags)


def _pdf_flags(pdf: pikepdf.Pdf) -> tuple[str, ...]:
    """Where active content can hide, read from the document structure a viewer acts on: the
    catalog's name trees and actions, each page's actions and its annotations (links, form
    widgets, attachments), form fields and bookmarks. Content streams are never read, so a
    2,000-page bundle costs a walk over its page dictionaries, not its bytes."""
    found: set[str] = set()
    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        if _name_tree_has_entries(names.get("/JavaScript")):
            found.add(JAVASCRIPT)
        if _name_tree_has_entries(names.get("/EmbeddedFiles")):
            found.add(EMBEDDED_FILES)

    actions: list[pikepdf.Object] = [root.get("/OpenAction"), *_trigger_actions(root)]
    for page in pdf.pages:
        actions.extend(_trigger_actions(page.obj))
        annotations = page.obj.get("/Annots")
        for annotation in annotations if isinstance(annotations, pikepdf.Array) else ():
            if not isinstance(annotation, pikepdf.Dictionary):
                continue
            if annotation.get("/Subtype") == pikepdf.Name.FileAttachment:
                found.add(EMBEDDED_FILES)
            actions.append(annotation.get("/A"))
            actions.extend(_trigger_actions(annotation))
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary):
        for field in _walk(form.get("/Fields"), ("/Kids",)):
            actions.append(field.get("/A"))
            actions.extend(_trigger_actions(field))
    outlines = root.get("/Outlines")
    if isinstance(outlines, pikepdf.Dictionary):
        actions.extend(
            item.get("/A") for item in _walk(outlines.get("/First"), ("/First", "/Next"))
        )

    for action in _walk(actions, ("/Next",)):
        kind = action.get("/S")
        if kind == pikepdf.Name.JavaScript or "/JS" in action:
            found.add(JAVASCRIPT)
        elif kind == pikepdf.Name.Launch:
            found.add(LAUNCH_ACTION)
    return tuple(flag for flag in (JAVASCRIPT, LAUNCH_ACTION, EMBEDDED_FILES) if flag in found)


def _trigger_actions(owner: pikepdf.Object) -> list[pikepdf.Object]:
    """The actions in an /AA (additional actions) dictionary: on open, close, focus, etc."""
    triggers = owner.get("/AA")
    if not isinstance(triggers, pikepdf.Dictionary):
        return []
    return [triggers.get(key) for key in triggers.keys()]


def _walk(
    start: pikepdf.Object | list[pikepdf.Object | None] | None, links: tuple[str, ...]
) -> Iterator[pikepdf.Dictionary]:
    """Every dictionary reachable from `start` (a dictionary, an array of them, or a list)
    through the `links` keys. Indirect objects are visited once, so a /Next chain or bookmark
    list that loops back on itself, as hostile files do, still ends."""
    seen: set[tuple[int, int]] = set()
    stack = list(start) if isinstance(start, list) else [start]
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Array | pikepdf.Dictionary):
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        if isinstance(item, pikepdf.Array):
            stack.extend(item)
            continue
        yield item
        stack.extend(item.get(link) for link in links)


def _name_tree_has_entries(tree: pikepdf.Object | None) -> bool:
    if tree is None:
        return False
    try:
        return next(iter(pikepdf.NameTree(tree)), None) is not None
    except (pikepdf.PdfError, TypeError, ValueError):
        return True  # a malformed tree still shows what the file meant to carry
