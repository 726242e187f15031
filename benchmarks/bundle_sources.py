"""Source documents for benchmarks/bundle.py's realistic corpus, laid out by WeasyPrint.

Real exhibits are letters, statements, agreements and exports printed to PDF by Word,
LibreOffice or a browser: each page's text drawn with embedded font subsets (a font file,
its widths and a map back to Unicode), not with the base-14 Helvetica that a tiny
synthetic PDF names without embedding. So about 20 distinct documents are laid out here
once, 1 to 25 pages each, in DejaVu Serif, Sans and Sans Mono (letters, e-mails, minutes,
witness statements, agreements, server logs, reports with a landscape table page,
schedules with a page stored portrait under /Rotate 90), and each exhibit is a
byte-distinct copy of one of them: the XMP metadata's document and instance ids (an
uncompressed stream, as Word writes it) replaced by fresh ones of the same length, so a
copy costs no more than writing the file.
"""

from __future__ import annotations

import html
import io
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

PLACEHOLDER = b"uuid:00000000-0000-0000-0000-000000000000"
# (kind, pages) of each source document; 169 pages in all.
SOURCES = (
    ("letter", 1),
    ("letter", 1),
    ("letter", 2),
    ("letter", 3),
    ("email", 1),
    ("minutes", 2),
    ("minutes", 4),
    ("statement", 12),
    ("statement", 16),
    ("statement", 25),
    ("agreement", 14),
    ("agreement", 21),
    ("log", 5),
    ("log", 9),
    ("log", 11),
    ("report", 6),
    ("report", 8),
    ("report", 18),
    ("schedule", 3),
    ("schedule", 7),
)
TITLES = {
    "letter": ("Letter from Hartley Pryce LLP to Jadeport Systems Inc", "Letter before claim"),
    "email": ("E-mail from J. Okafor to M. Alvarez", "E-mail chain re API access"),
    "minutes": ("Minutes of board meeting", "Minutes of engineering review"),
    "statement": ("Witness statement of Dr Maya Alvarez", "Witness statement of James Okafor"),
    "agreement": ("API Services Agreement", "Data Licence Agreement"),
    "log": ("Server access log extract", "API gateway log export"),
    "report": ("Forensic analysis report", "Evaluation benchmark report"),
    "schedule": ("Schedule of API calls", "Schedule of training runs"),
}
WORDS = (
    "the claimant defendant agreement licence model weights training data clause schedule "
    "breach confidential information disclosed party parties court order witness statement "
    "exhibit pursuant to paragraph account request token output dataset evaluation benchmark "
    "server logs access api key terms of service notice served within days costs hearing "
    "application injunction damages copyright database right infringement distillation "
    "prompt response rate limit invoice payment email letter meeting minutes board director "
    "engineer report analysis figure table annex version release deployment"
).split()
STYLE = """
@page { size: A4; margin: 22mm 20mm 25mm 22mm;
        @bottom-center { content: counter(page); font: 9pt "DejaVu Sans", sans-serif; } }
@page wide { size: A4 landscape; margin: 15mm; }
@page turned { size: A4; margin: 15mm; }
html { font: 10.5pt/1.45 "DejaVu Sans", sans-serif; color: #111; }
body, p, h1, h2 { margin: 0; }
.page { break-after: page; break-inside: avoid; height: 240mm; overflow: hidden; }
.page:last-child { break-after: auto; }
p { margin-bottom: 3mm; text-align: justify; hyphens: manual; }
h1 { font-size: 14pt; margin-bottom: 6mm; }
h2 { font-size: 11.5pt; margin: 4mm 0 2mm; }
.serif { font-family: "DejaVu Serif", serif; }
.letterhead { font-size: 16pt; font-weight: bold; letter-spacing: 0.05em; }
.small { font-size: 8.5pt; color: #444; }
.right { text-align: right; }
ol.numbered { padding-left: 9mm; margin: 0; }
ol.numbered li { margin-bottom: 2.5mm; text-align: justify; }
.log { font: 7pt/1.3 "DejaVu Sans Mono", monospace; white-space: pre; }
.wide-page { page: wide; height: 180mm; }
.turned-page { page: turned; height: 267mm; }
.turned-page table { transform: rotate(-90deg) translate(-267mm, 0); transform-origin: 0 0;
                     width: 267mm; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; }
td, th { border: 0.5pt solid #888; padding: 1.2mm 1.5mm; text-align: left; }
th { background: #e8e8e8; }
.header td { border: none; padding: 0.5mm 0; font-size: 9.5pt; }
"""
XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<pdf:Producer>WeasyPrint</pdf:Producer>
<xmpMM:DocumentID>{placeholder}</xmpMM:DocumentID>
<xmpMM:InstanceID>{placeholder}</xmpMM:InstanceID>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


@dataclass(frozen=True)
class Source:
    kind: str
    title: str
    pages: int
    landscape: int  # pages laid out landscape
    rotated: int  # pages stored portrait with /Rotate 90
    data: bytes  # the PDF, with PLACEHOLDER where each copy has its own ids


def make_sources(rng: random.Random) -> list[Source]:
    """The source documents, laid out by WeasyPrint (a few seconds)."""
    import pikepdf
    from weasyprint import CSS, HTML

    stylesheet = CSS(string=STYLE)
    sources, seen = [], {}
    for kind, pages in SOURCES:
        title = TITLES[kind][seen.get(kind, 0) % 2]
        seen[kind] = seen.get(kind, 0) + 1
        layouts = [_page(kind, number, pages, title, rng) for number in range(1, pages + 1)]
        document = (
            f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head><body>"
            f"{''.join(page for page, _ in layouts)}</body></html>"
        )
        laid_out = HTML(string=document).write_pdf(stylesheets=[stylesheet])
        pdf = pikepdf.open(io.BytesIO(laid_out))
        if len(pdf.pages) != pages:
            raise RuntimeError(f"{title}: {len(pdf.pages)} pages laid out, not {pages}")
        rotated = 0
        for page, (_, shape) in zip(pdf.pages, layouts, strict=True):
            if shape == "turned":
                page.obj.Rotate = 90
                rotated += 1
        xmp = XMP.format(title=html.escape(title), placeholder=PLACEHOLDER.decode())
        pdf.Root.Metadata = pdf.make_stream(
            xmp.encode(), Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML
        )
        out = io.BytesIO()
        # qpdf leaves metadata streams uncompressed, as Word does: the ids stay findable.
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        data = out.getvalue()
        if data.count(PLACEHOLDER) != 2:
            raise RuntimeError(f"{title}: the XMP ids are not in the file as written")
        landscape = sum(shape == "wide" for _, shape in layouts)
        sources.append(Source(kind, title, pages, landscape, rotated, data))
    return sources


def write_copy(source: Source, path: Path) -> None:
    """A copy of `source` at `path`, byte-distinct from every other: fresh XMP ids."""
    fresh = f"uuid:{uuid.uuid4()}".encode()
    assert len(fresh) == len(PLACEHOLDER)  # same length: the cross-reference offsets hold
    path.write_bytes(source.data.replace(PLACEHOLDER, fresh))


# Pages


def _page(kind: str, number: int, pages: int, title: str, rng: random.Random) -> tuple[str, str]:
    """One page of a source document as HTML, and its shape: "", "wide" or "turned"."""
    if kind == "log":
        return _log_page(number, rng), ""
    if kind in ("report", "schedule") and number == 2:
        return _table_page("wide-page", 22, rng), "wide"
    if kind == "schedule" and number % 3 == 0:
        return _table_page("turned-page", 24, rng), "turned"
    if kind in ("letter", "email"):
        return _letter_page(kind, number, pages, rng), ""
    heading = f"<h1>{html.escape(title)}</h1>" if number == 1 else ""
    if kind in ("statement", "agreement"):
        start = (number - 1) * 7 + 1
        items = "".join(f"<li>{_sentences(rng, 3, 5)}</li>" for _ in range(6 if heading else 7))
        clause = f"<h2>{number}. {_words(rng, 3).title()}</h2>" if kind == "agreement" else ""
        body = f'{clause}<ol class="numbered" start="{start}">{items}</ol>'
        if kind == "statement" and number == pages:
            body += (
                "<h2>Statement of truth</h2><p>I believe that the facts stated in this witness "
                "statement are true.</p><p>Signed ........................ Dated 3 June 2026</p>"
            )
        return f'<section class="page">{heading}{body}</section>', ""
    paragraphs = "".join(
        f"<h2>{_words(rng, 4).capitalize()}</h2><p>{_sentences(rng, 4, 7)}</p>" for _ in range(4)
    )
    return f'<section class="page">{heading}{paragraphs}</section>', ""


def _letter_page(kind: str, number: int, pages: int, rng: random.Random) -> str:
    top = ""
    if number == 1 and kind == "letter":
        top = (
            '<p class="letterhead serif">HARTLEY PRYCE LLP</p><p class="small">12 Fetter Lane, '
            'London EC4A 1BR · DX 123 Chancery Lane</p><p class="right">14 March 2025</p>'
            "<p>Jadeport Systems Inc<br>Legal Department<br>1 Harbour Street<br>Dublin 2</p>"
            "<p><b>Our ref: HP/NW/0412 — Northwind AI Ltd v Jadeport Systems Inc</b></p>"
            "<p>Dear Sirs,</p>"
        )
    elif number == 1:
        top = (
            '<table class="header"><tr><td>From: James Okafor &lt;j.okafor@northwind.ai&gt;</td>'
            "</tr><tr><td>To: Maya Alvarez &lt;m.alvarez@northwind.ai&gt;</td></tr><tr><td>Date: "
            "Tue, 11 Mar 2025 17:42:09 +0000</td></tr><tr><td>Subject: RE: unusual API traffic "
            "from the Jadeport account</td></tr></table><hr>"
        )
    body = "".join(f"<p>{_sentences(rng, 3, 5)}</p>" for _ in range(3 if top else 6))
    end = "<p>Yours faithfully,</p><p>Hartley Pryce LLP</p>" if number == pages else ""
    return f'<section class="page serif">{top}{body}{end}</section>'


def _log_page(number: int, rng: random.Random) -> str:
    lines = []
    for n in range(105):
        second = (number * 105 + n) * 7
        lines.append(
            f"2025-03-{10 + number % 18:02d}T{second // 3600 % 24:02d}:{second // 60 % 60:02d}:"
            f"{second % 60:02d}.{rng.randint(0, 999):03d}Z 10.0.{rng.randint(0, 9)}."
            f"{rng.randint(2, 250):<3} {rng.choice(['POST', 'POST', 'GET'])} "
            f"{rng.choice(['/v1/completions', '/v1/embeddings', '/v1/models'])} "
            f"{rng.choice([200, 200, 200, 429, 500])} {rng.randint(40, 4000):>5}ms "
            f"tokens={rng.randint(16, 4096):<5} key=sk-…{rng.randrange(16**4):04x}"
        )
    return (
        f'<section class="page"><div class="log">{html.escape(chr(10).join(lines))}</div></section>'
    )


def _table_page(shape: str, rows: int, rng: random.Random) -> str:
    head = "".join(
        f"<th>{name}</th>"
        for name in ("Date", "Account", "Endpoint", "Requests", "Tokens in", "Tokens out", "Notes")
    )
    body = "".join(
        f"<tr><td>{rng.randint(1, 28)} March 2025</td><td>acct-{rng.randrange(16**6):06x}</td>"
        f"<td>/v1/{rng.choice(['completions', 'embeddings'])}</td>"
        f"<td>{rng.randint(100, 90000):,}</td><td>{rng.randint(10**5, 10**8):,}</td>"
        f"<td>{rng.randint(10**5, 10**8):,}</td><td>{_words(rng, 5)}</td></tr>"
        for _ in range(rows)
    )
    return f'<section class="page {shape}"><table><tr>{head}</tr>{body}</table></section>'


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choices(WORDS, k=count))


def _sentences(rng: random.Random, low: int, high: int) -> str:
    return " ".join(
        f"{_words(rng, rng.randint(9, 22)).capitalize()}." for _ in range(rng.randint(low, high))
    )
