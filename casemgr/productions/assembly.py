"""Assembling a production set: each document's PDF stamped with its production numbers
(the bundle stamper, casemgr.bundles.marking), its text, and the load files, in one zip.
Pure: paths and values in, a zip out; no Django.

Layout of the zip, under one folder named after the volume ("NWA000001-NWA000042"):

    DATA/<volume>.dat      Concordance DAT, one row per document
    DATA/<volume>.opt      Opticon OPT, one line per page
    NATIVES/<begin>.pdf    each document, stamped, whole: what a reader opens
    IMAGES/<number>.pdf    each page alone, stamped: what the OPT points at
    TEXT/<begin>.txt       each document's text, pages separated by a form feed

Why both NATIVES and IMAGES: an Opticon line names one image per page, and platforms that
import a multi-page file named on every line (or only on the first) disagree on what they
do with it, from showing the whole document on each page to refusing the volume. A page
of its own per line is what every platform reads the same way. Splitting a stamped PDF
into single pages with pikepdf copies objects, not pixels, so it costs little; rasterising
to TIFF (the older convention) would cost far more and lose the text layer. The stamped
document PDF itself goes in NATIVES, named by its first number, and the DAT points at it
(NATIVEPATH) with its SHA-256, so that the receiving party can check what it was given.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from casemgr.bundles.marking import stamp_labels
from casemgr.productions import loadfiles

Progress = Callable[[int, int], object]  # (pages done, pages in all)


class ProductionError(Exception):
    """A document cannot be produced as it stands, in words a paralegal can act on."""


@dataclass(frozen=True)
class Document:
    path: Path  # the PDF produced: a rendition, or its approved redacted version
    name: str  # how the document is named in messages, e.g. "NWA-12 (letter.pdf)"
    begin: int
    texts: Sequence[str]  # one a page
    fields: dict[str, str] = field(default_factory=dict)  # the DAT's descriptive fields


@dataclass(frozen=True)
class Spec:
    prefix: str
    padding: int
    documents: Sequence[Document]


@dataclass(frozen=True)
class Produced:
    begin: str
    end: str
    pages: int
    sha256: str  # of the stamped PDF in NATIVES


@dataclass(frozen=True)
class Result:
    volume: str
    sha256: str
    size: int
    page_count: int
    documents: tuple[Produced, ...]


def page_count(path: Path) -> int:
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except pikepdf.PasswordError:
        raise ProductionError("it is password-protected") from None
    except pikepdf.PdfError as error:
        raise ProductionError(f"it could not be read: {error}") from None


def number(prefix: str, padding: int, value: int) -> str:
    return f"{prefix}{value:0{padding}d}"


def volume_name(spec: Spec) -> str:
    first = spec.documents[0].begin
    last = spec.documents[-1].begin + len(spec.documents[-1].texts) - 1
    return f"{number(spec.prefix, spec.padding, first)}-{number(spec.prefix, spec.padding, last)}"


def build(spec: Spec, out: Path, work: Path, *, progress: Progress | None = None) -> Result:
    """Write the production set `spec` to the zip `out`, using the folder `work` for the
    stamped files on the way."""
    if not spec.documents:
        raise ProductionError("Nothing to produce.")
    expected = spec.documents[0].begin
    for document in spec.documents:
        if document.begin != expected:
            raise ProductionError(f"{document.name} does not follow on from the document before.")
        expected += len(document.texts)
    total = expected - spec.documents[0].begin
    volume = volume_name(spec)
    rows: list[dict[str, object]] = []
    lines: list[loadfiles.ImageLine] = []
    produced: list[Produced] = []
    done = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document in spec.documents:
            labels = [
                number(spec.prefix, spec.padding, document.begin + n)
                for n in range(len(document.texts))
            ]
            stamped = work / f"{labels[0]}.pdf"
            with pikepdf.open(document.path) as pdf:
                if len(pdf.pages) != len(labels):
                    raise ProductionError(
                        f"{document.name} has {len(pdf.pages)} pages, not the {len(labels)} "
                        "numbered for it."
                    )
                stamp_labels(pdf, labels)
                pdf.save(stamped)
            with pikepdf.open(stamped) as pdf:
                for offset, label in enumerate(labels):
                    single = pikepdf.new()
                    single.pages.append(pdf.pages[offset])
                    page_path = work / f"page-{label}.pdf"
                    single.save(page_path)
                    archive.write(page_path, f"{volume}/IMAGES/{label}.pdf")
                    page_path.unlink()
                    lines.append(
                        loadfiles.ImageLine(
                            key=label,
                            path=f"IMAGES\\{label}.pdf",
                            first=offset == 0,
                            pages=len(labels),
                        )
                    )
                    done += 1
                    if progress is not None:
                        progress(done, total)
            digest = _sha256(stamped)
            archive.write(stamped, f"{volume}/NATIVES/{labels[0]}.pdf")
            stamped.unlink()
            archive.writestr(f"{volume}/TEXT/{labels[0]}.txt", "\f".join(document.texts))
            rows.append(
                {
                    **document.fields,
                    "BEGBATES": labels[0],
                    "ENDBATES": labels[-1],
                    "PAGECOUNT": len(labels),
                    "SHA256": digest,
                    "NATIVEPATH": f"NATIVES\\{labels[0]}.pdf",
                    "TEXTPATH": f"TEXT\\{labels[0]}.txt",
                }
            )
            produced.append(Produced(labels[0], labels[-1], len(labels), digest))
        archive.writestr(f"{volume}/DATA/{volume}.dat", loadfiles.dat(rows).encode("utf-8"))
        archive.writestr(f"{volume}/DATA/{volume}.opt", loadfiles.opt(volume, lines))
    return Result(
        volume=volume,
        sha256=_sha256(out),
        size=out.stat().st_size,
        page_count=total,
        documents=tuple(produced),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
