"""Test PDFs for the redaction engine, made on the spot (WeasyPrint, pikepdf), and the ways a
test looks at a result: pdftotext, a walk over every object with pikepdf, a render with
pdftoppm."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from PIL import Image
from weasyprint import HTML

SECRET = "Quuxberry"  # a word no dictionary and no OCR mistake makes
EMAIL = "ops.lead@jadeport.example"
API_KEY = "sk-proj-Zq81Hh4Kk2Lm9Pp0Rr7Tt6Vv"
AWS_KEY = "AKIAZ7QX4JW2PLM9KD3R"
PHRASE = "bramblewick tollgate"  # wraps from one line to the next on page 1

# Page 1 (A4, no margins: CSS pixels are 0.75 pt): the secret, an e-mail address and a key in
# a paragraph, a red image and a blue vector rectangle at known places, and a paragraph that
# stays. Page 2 carries nothing to redact. Page 3 has the secret again and is turned a
# quarter (/Rotate 90) afterwards.
IMAGE_AT = (72.0, 400.0, 172.0, 460.0)  # x0, y0, x1, y1 in points from the top-left
DRAWING_AT = (300.0, 400.0, 420.0, 470.0)
_PX = 4 / 3  # CSS pixels per point


def _css_box(box: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = (v * _PX for v in box)
    return f"position:absolute;left:{x0}px;top:{y0}px;width:{x1 - x0}px;height:{y1 - y0}px"


def _red_png() -> str:
    out = io.BytesIO()
    Image.new("RGB", (100, 60), (220, 20, 20)).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def letter(path: Path) -> Path:
    body = f"""
    <style>
      @page {{ size: A4; margin: 0 }}
      body {{ font-family: DejaVu Serif, serif; font-size: 12pt; margin: 0 }}
      @page turned {{ size: A4 landscape }}
      section {{ padding: 60pt 72pt; page-break-after: always; position: relative;
                 height: 700pt }}
      section.turned {{ page: turned; height: 400pt }}
      p {{ width: 420pt; line-height: 1.5 }}
    </style>
    <section>
      <p>Counsel's advice names the project {SECRET} and may not be disclosed.
         Write to {EMAIL} about the keys.</p>
      <p>New key {API_KEY}; old key {AWS_KEY}.</p>
      <p style="width: 206pt">The meeting at the {PHRASE} crossing was on a Thursday.</p>
      <p>This visible paragraph about delivery schedules stays searchable after redaction.</p>
      <img src="{_red_png()}" style="{_css_box(IMAGE_AT)}">
      <div style="{_css_box(DRAWING_AT)};background:rgb(20,40,230)"></div>
    </section>
    <section><p>The second page keeps its original wording about warehouse inventories.</p>
    </section>
    <section class="turned">
      <p>The turned page mentions {SECRET.upper()} once, beside the harbour timetable.</p>
    </section>
    """
    HTML(string=body).write_pdf(path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        _stored_portrait(pdf, pdf.pages[2])
        pdf.save(path)
    return path


def _stored_portrait(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """A landscape page stored as a scanner stores one: a portrait page, its content drawn a
    quarter turn anticlockwise, and /Rotate 90 to show it the right way up."""
    _, _, width, height = (float(v) for v in page.mediabox)
    page.contents_add(pdf.make_stream(f"q 0 1 -1 0 {height} 0 cm".encode()), prepend=True)
    page.contents_add(pdf.make_stream(b"Q"))
    page.obj.MediaBox = [0, 0, height, width]
    page.obj.Rotate = 90


def laden(path: Path) -> Path:
    """`letter`, then everything a redacted document may not carry, each holding the secret:
    document info and XMP, a comment, a link running JavaScript, a form field, an attached
    file, document-level and opening JavaScript, a thumbnail, private application data, and a
    line of plain Helvetica text (its words readable in the content stream)."""
    letter(path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.docinfo["/Title"] = f"Advice on {SECRET}"
        pdf.docinfo["/Author"] = "A. Fictional Counsel"
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = f"Advice on {SECRET}"
        page = pdf.pages[0]
        script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=f"app.alert('{SECRET}')")
        field = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Widget,
                FT=pikepdf.Name.Tx,
                T="note",
                V=f"{SECRET} in a form",
                Rect=[72, 100, 300, 120],
            )
        )
        page.obj.Annots = pdf.make_indirect(
            [
                pdf.make_indirect(
                    pikepdf.Dictionary(
                        Type=pikepdf.Name.Annot,
                        Subtype=pikepdf.Name.Text,
                        Contents=f"Comment: {SECRET} is privileged",
                        Rect=[500, 700, 520, 720],
                    )
                ),
                pdf.make_indirect(
                    pikepdf.Dictionary(
                        Type=pikepdf.Name.Annot,
                        Subtype=pikepdf.Name.Link,
                        Rect=[72, 60, 300, 80],
                        A=script,
                    )
                ),
                field,
            ]
        )
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field])
        pdf.attachments["notes.txt"] = pikepdf.AttachedFileSpec(
            pdf, f"Attached: {SECRET}".encode(), mime_type="text/plain"
        )
        pdf.Root.Names.JavaScript = pikepdf.Dictionary(Names=["init", pdf.make_indirect(script)])
        pdf.Root.OpenAction = pdf.make_indirect(script)
        page.obj.AA = pikepdf.Dictionary(O=script)
        page.obj.Thumb = pdf.make_stream(b"\x00" * 12, Width=2, Height=2)
        page.obj.PieceInfo = pikepdf.Dictionary(
            Illustrator=pikepdf.Dictionary(Private=pdf.make_stream(f"%{SECRET}".encode()))
        )
        helvetica = pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
        page.add_resource(helvetica, pikepdf.Name.Font, "/Plain")
        page.contents_add(
            pdf.make_stream(f"BT /Plain 12 Tf 72 50 Td ({SECRET} plain) Tj ET".encode())
        )
        pdf.save(path)
    return path


def text(path: Path, *, page: int | None = None) -> str:
    """What pdftotext reads (Poppler: a reader other than the engine's)."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        [shutil.which("pdftotext"), *pages, str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def strings_anywhere(path: Path) -> bytes:
    """Every object of the file as bytes, streams decompressed (as far as pikepdf can), for
    looking for a word in: its Latin-1 and UTF-16 spellings, and the UTF-16 hex in which
    Tesseract's text layer writes it."""
    parts = [path.read_bytes()]
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            parts.append(repr(obj).encode("utf-8", "replace"))
            if isinstance(obj, pikepdf.Stream):
                try:
                    parts.append(obj.read_bytes())
                except pikepdf.PdfError:
                    parts.append(obj.read_raw_bytes())
            if isinstance(obj, pikepdf.String):
                parts.append(bytes(obj))
    return b"\n".join(parts)


def holds(blob: bytes, word: str) -> bool:
    lowered = blob.lower()
    spellings = [
        word.lower().encode("latin-1"),
        word.lower().encode("utf-16-be"),
        *(w.encode("utf-16-be").hex().encode() for w in (word, word.lower(), word.upper())),
    ]
    return any(spelling in lowered for spelling in spellings)


def render(path: Path, page: int, dpi: int = 72) -> Image.Image:
    """The page as Poppler draws it (pdftoppm), at `dpi`: at 72, a pixel per point."""
    out = subprocess.run(
        [shutil.which("pdftoppm"), "-r", str(dpi), "-f", str(page), "-l", str(page), "-png"]
        + ["-cropbox", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    return Image.open(io.BytesIO(out)).convert("RGB")


def sizes(path: Path) -> list[tuple[float, float]]:
    """Each page's size as shown (rotation and crop box applied), in points."""
    document = pdfium.PdfDocument(str(path))
    try:
        return [tuple(round(v, 1) for v in document.get_page_size(i)) for i in range(len(document))]
    finally:
        document.close()
