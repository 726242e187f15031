"""PDF renditions of exhibit files: pure, so no database; every output is opened with pikepdf."""

from __future__ import annotations

import io
import json
import struct
import sys
import time
import zlib
from email.message import EmailMessage
from pathlib import Path

import pikepdf
import pypdf
import pytest
from PIL import Image

from casemgr.evidence import renditions
from casemgr.evidence.renditions import Attachment, RenditionError, render


def open_pdf(pdf: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(pdf))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def make_pdf(path: Path, pages: int = 3) -> Path:
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for number in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=(612, 792))
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.Contents = pdf.make_stream(
            f"BT /F1 24 Tf 72 720 Td (Hello exhibit {number}) Tj ET".encode()
        )
    pdf.save(path)
    return path


# PDF


def test_pdf_is_its_own_rendition(tmp_path):
    result = render(make_pdf(tmp_path / "letter.pdf"), "pdf", name="letter.pdf")

    assert result.pdf is None
    assert result.page_count == 3
    texts = renditions.page_texts(tmp_path / "letter.pdf")
    assert ["Hello exhibit 1" in t for t in texts] == [True, False, False]  # page by page
    assert "Hello exhibit 3" in texts[2]
    assert result.attachments == ()


def test_password_protected_pdf_is_refused(tmp_path):
    path = tmp_path / "locked.pdf"
    with pikepdf.open(make_pdf(tmp_path / "open.pdf")) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="secret", owner="owner"))

    with pytest.raises(RenditionError, match="password-protected"):
        render(path, "pdf")


def test_damaged_pdf_is_refused(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"this is not a PDF at all")

    with pytest.raises(RenditionError, match="The PDF could not be read"):
        render(path, "pdf")


# Images


def test_jpeg_is_embedded_without_re_encoding(tmp_path):
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (120, 80), (200, 30, 30)).save(path, format="JPEG", quality=80)

    result = render(path, "jpeg", name="photo.jpg")

    document = open_pdf(result.pdf)
    (page,) = document.pages
    (image,) = page.Resources.XObject.values()
    assert image.Filter == pikepdf.Name.DCTDecode
    assert image.read_raw_bytes() == path.read_bytes()
    assert result.page_count == 1


def test_jpeg_exif_rotation_is_respected(tmp_path):
    path = tmp_path / "sideways.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    Image.new("RGB", (120, 80), "blue").save(path, format="JPEG", exif=exif.tobytes())

    document = open_pdf(render(path, "jpeg").pdf)
    (page,) = document.pages

    assert page.obj.Rotate == 90


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_png_with_and_without_alpha(tmp_path, mode):
    path = tmp_path / "screenshot.png"
    Image.new(mode, (64, 48), (10, 120, 200, 128)[: len(mode)]).save(path)

    result = render(path, "png")

    document = open_pdf(result.pdf)
    (page,) = document.pages
    assert result.page_count == 1
    (image,) = page.Resources.XObject.values()
    assert ("/SMask" in image) == (mode == "RGBA")  # 8-bit transparency is kept as a mask


def png_rgba_16bit(width: int, height: int) -> bytes:
    """A 16-bit-per-channel RGBA PNG, which Pillow cannot write and img2pdf refuses."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    pixel = b"\xff\xff\x00\x00\x00\x00\x80\x00"  # red, half transparent
    raw = b"".join(b"\x00" + pixel * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_16_bit_alpha_png_is_flattened(tmp_path):
    path = tmp_path / "deep.png"
    path.write_bytes(png_rgba_16bit(32, 16))

    result = render(path, "png")

    document = open_pdf(result.pdf)
    (page,) = document.pages
    (image,) = page.Resources.XObject.values()
    assert "/SMask" not in image
    assert (int(image.Width), int(image.Height)) == (32, 16)


def test_multi_page_tiff_gives_a_page_per_frame(tmp_path):
    path = tmp_path / "scan.tiff"
    frames = [Image.new("L", (50, 70), shade) for shade in (0, 128, 255)]
    frames[0].save(path, save_all=True, append_images=frames[1:])

    result = render(path, "tiff")

    assert result.page_count == 3
    assert len(open_pdf(result.pdf).pages) == 3


def test_unreadable_image_is_explained(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8 not really a jpeg")

    with pytest.raises(RenditionError, match="The image could not be read"):
        render(path, "jpeg")


# E-mail


def write_email(path: Path, message: EmailMessage) -> Path:
    path.write_bytes(bytes(message))
    return path


def test_email_with_text_body_and_attachments(tmp_path):
    message = EmailMessage()
    message["From"] = "Alice Claimant <alice@claimant.example>"
    message["To"] = "bob@defendant.example"
    message["Cc"] = "carol@counsel.example"
    message["Date"] = "Tue, 04 Mar 2025 10:15:00 +0000"
    message["Subject"] = "Licence draft <i>v2</i>"
    message.set_content("Dear Bob,\nthe draft licence is attached.\n")
    message.add_attachment(
        b"%PDF-1.4 draft", maintype="application", subtype="pdf", filename="licence-draft.pdf"
    )
    message.add_attachment(
        b"model,royalty\nLM-7,0.5\n",
        maintype="text",
        subtype="csv",
        filename="C:\\Users\\bob\\royalties.csv",
    )

    result = render(write_email(tmp_path / "mail.eml", message), "email", name="mail.eml")

    assert result.attachments == (
        Attachment("licence-draft.pdf", "application/pdf", b"%PDF-1.4 draft"),
        Attachment("royalties.csv", "text/csv", b"model,royalty\nLM-7,0.5\n"),
    )
    assert result.page_count == len(open_pdf(result.pdf).pages) == 1
    text = pdf_text(result.pdf)
    assert "Licence draft <i>v2</i>" in text  # markup in a header is shown, not obeyed
    assert "alice@claimant.example" in text
    assert "carol@counsel.example" in text
    assert "the draft licence is attached." in text
    assert "licence-draft.pdf" in text
    assert "royalties.csv" in text
    assert "page 1 of" not in text  # a bundle stamps the one page number a page carries
    assert open_pdf(result.pdf).docinfo.Title == "Licence draft <i>v2</i>"  # the subject


def test_html_only_email_is_shown_as_text_never_rendered(tmp_path, listener):
    message = EmailMessage()
    message["From"] = "mallory@phish.example"
    message["To"] = "paralegal@firm.example"
    message["Subject"] = "Urgent invoice"
    message.set_content(
        "<html><head><title>ignored</title><style>p{color:red}</style></head><body>"
        "<p>Please pay&nbsp;now.</p><script>alert('owned')</script>"
        f'<img src="{listener.url}/x"><a href="https://pay.example/now">Pay</a>'
        "</body></html>",
        subtype="html",
    )

    result = render(write_email(tmp_path / "phish.eml", message), "email")

    assert listener.requests == []
    text = pdf_text(result.pdf)
    assert "Urgent invoice" in text
    assert "mallory@phish.example" in text
    assert "Please pay now." in text
    assert "Pay <https://pay.example/now>" in text
    assert "<script" not in text
    assert "alert" not in text
    assert "color:red" not in text
    assert "127.0.0.1" not in text
    assert "only an HTML body" in text
    assert result.attachments == ()


def test_an_email_header_that_runs_to_pages_is_cut_in_the_pdf(tmp_path):
    # Laid out whole, a subject this long took minutes; the original keeps every character.
    subject = "Re: " + "the defendant queried the API with templated prompts " * 400
    message = EmailMessage()
    message["From"] = "alice@claimant.example"
    message["Subject"] = subject
    message.set_content("See the subject.\n")

    result = render(write_email(tmp_path / "long.eml", message), "email", name="long.eml")

    assert result.page_count == 1
    text = " ".join(pdf_text(result.pdf).split())
    assert "(cut short here)" in text
    assert len(text) < 6_000


def test_an_email_too_large_to_unpack_is_refused_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(renditions, "EMAIL_READ_LIMIT", 1024 * 1024)
    message = EmailMessage()
    message["Subject"] = "Logs attached"
    message.set_content("See the attachment.\n")
    message.add_attachment(b"x" * 1_500_000, maintype="text", subtype="csv", filename="log.csv")

    with pytest.raises(RenditionError, match="more than the 1.0 MB casemgr unpacks"):
        render(write_email(tmp_path / "big.eml", message), "email")


def test_forwarded_message_is_kept_as_an_attachment(tmp_path):
    inner = EmailMessage()
    inner["Subject"] = "Original"
    inner.set_content("First version.\n")
    message = EmailMessage()
    message["Subject"] = "Fwd: Original"
    message.set_content("See below.\n")
    message.add_attachment(inner)

    result = render(write_email(tmp_path / "fwd.eml", message), "email")

    (attachment,) = result.attachments
    assert attachment.content_type == "message/rfc822"
    assert attachment.filename == "attachment-1.eml"
    assert b"First version." in attachment.data
    assert "First version." not in pdf_text(result.pdf)


def test_deeply_nested_email_is_refused(tmp_path):
    depth = 1_500
    raw = "From: a@b.example\nContent-Type: multipart/mixed; boundary=b0\n\n"
    raw += "".join(
        f"--b{n - 1}\nContent-Type: multipart/mixed; boundary=b{n}\n\n" for n in range(1, depth)
    )
    path = tmp_path / "nested.eml"
    path.write_text(raw + f"--b{depth - 1}\nContent-Type: text/plain\n\nhi\n")

    with pytest.raises(RenditionError, match="nested too deeply"):
        render(path, "email")


# Laying out HTML: nothing is ever fetched


def test_a_rendition_fetches_no_url_even_when_its_html_names_one(listener):
    # write_pdf takes HTML as it is: were its fetcher to fetch, the listener would hear it.
    pdf = renditions.write_pdf(f'<p>Exhibit</p><img src="{listener.url}/x">')

    assert listener.requests == []
    assert "Exhibit" in pdf_text(pdf)


def test_a_rendition_past_its_time_budget_fails_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(renditions, "LAYOUT_SECONDS", 0.001)  # no layout is that quick
    path = tmp_path / "notes.txt"
    path.write_text("A note.\n")

    with pytest.raises(RenditionError, match="took longer than 0.001 seconds, so it was stopped"):
        render(path, "text")


# Text, CSV and JSON Lines


def test_text_is_laid_out_in_pages_titled_by_the_files_name_with_empty_margins(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("<b>not bold</b>\n" + "\n".join(f"line {n}" for n in range(1, 121)))

    result = render(path, "text", name="notes – 3 March.txt")

    document = open_pdf(result.pdf)
    assert result.page_count == len(document.pages) > 1
    text = pdf_text(result.pdf)
    assert "<b>not bold</b>" in text
    assert "line 120" in text
    # No page number and no exhibit reference: the exhibit can be renumbered, and a bundle
    # page carries one number, the bundle's. The title is the file's name, which never changes.
    assert " of " not in text and "notes" not in text
    assert document.docinfo.Title == "notes – 3 March.txt"
    assert text.startswith("<b>not bold</b>\nline 1\n")


def test_long_unbroken_line_is_laid_out_quickly(tmp_path):
    # Unbroken, 60,000 characters took WeasyPrint about half a minute; broken up, a second.
    path = tmp_path / "blob.txt"
    path.write_text("QUJD" * 15_000)
    started = time.monotonic()

    result = render(path, "text")

    assert time.monotonic() - started < 10
    assert result.page_count == len(open_pdf(result.pdf).pages) > 5
    assert "".join(pdf_text(result.pdf).split()) == "QUJD" * 15_000


def test_text_not_in_utf8_is_read_as_windows_1252(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes("Café – résumé\x00".encode("cp1252"))

    result = render(path, "text")

    assert "Café – résumé" in pdf_text(result.pdf)


def test_csv_is_a_table_with_its_header(tmp_path, monkeypatch):
    monkeypatch.setattr(renditions, "CSV_ROW_LIMIT", 3)
    path = tmp_path / "payments.csv"
    path.write_text("date;payer;amount\n2024-01-05;Acme AI;1200\n" + "2024-02-05;Beta;5\n" * 4)

    result = render(path, "csv", name="payments.csv")

    assert result.page_count == 1
    text = pdf_text(result.pdf)
    assert "date payer amount" in text  # the semicolon dialect was recognised
    assert "2024-01-05 Acme AI 1200" in text
    assert "Extract: rows 1–3 of 5 are shown." in text
    document = open_pdf(result.pdf)
    page = document.pages[0]
    assert float(page.mediabox[2]) < float(page.mediabox[3])  # narrow table: portrait


def test_wide_csv_is_printed_landscape(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"col{n}" for n in range(10)) + "\n" + ",".join("x" * 10) + "\n")

    document = open_pdf(render(path, "csv").pdf)
    page = document.pages[0]

    assert float(page.mediabox[2]) > float(page.mediabox[3])


def test_jsonl_is_pretty_printed_one_record_per_block(tmp_path, monkeypatch):
    monkeypatch.setattr(renditions, "JSONL_RECORD_LIMIT", 2)
    path = tmp_path / "chat.jsonl"
    records = [{"speaker": "agent", "said": "hi"}, {"speaker": "user", "said": "train on it"}]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n{broken\n\n")

    result = render(path, "jsonl", name="chat.jsonl")

    text = pdf_text(result.pdf)
    assert '"speaker": "agent",' in text
    assert '"said": "train on it"' in text
    assert "Extract: records 1–2 of 3 are shown." in text
    assert "{broken" not in text


# Word and Excel


def test_office_files_need_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setattr(renditions.shutil, "which", lambda name: None)

    with pytest.raises(RenditionError, match="LibreOffice is not installed"):
        render(tmp_path / "contract.docx", "docx")


def fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "soffice"
    script.write_text(f"#!{sys.executable}\nimport shutil, sys, time\nargs = sys.argv[1:]\n{body}")
    script.chmod(0o755)
    return script


def test_office_files_are_converted_by_libreoffice(tmp_path, monkeypatch):
    converted = make_pdf(tmp_path / "converted.pdf", pages=2)
    script = fake_soffice(
        tmp_path,
        "assert args[args.index('--convert-to') + 1] == 'pdf' and '--headless' in args\n"
        "assert args[0].startswith('-env:UserInstallation=file://')\n"
        "outdir = args[args.index('--outdir') + 1]\n"
        f"shutil.copy({str(converted)!r}, outdir + '/contract.pdf')\n",
    )
    monkeypatch.setattr(renditions.shutil, "which", lambda name: str(script))
    document = tmp_path / "contract.docx"
    document.write_bytes(b"PK fake docx")

    result = render(document, "docx")

    assert result.pdf == converted.read_bytes()
    assert result.page_count == 2
    pdf = tmp_path / "out.pdf"
    pdf.write_bytes(result.pdf)
    assert "Hello exhibit 2" in renditions.page_texts(pdf)[1]


def test_office_conversion_that_hangs_is_stopped(tmp_path, monkeypatch):
    script = fake_soffice(tmp_path, "time.sleep(30)\n")
    monkeypatch.setattr(renditions.shutil, "which", lambda name: str(script))
    monkeypatch.setattr(renditions, "OFFICE_TIMEOUT", 0.5)
    document = tmp_path / "book.xlsx"
    document.write_bytes(b"PK fake xlsx")

    with pytest.raises(RenditionError, match="took more than 0.5 seconds"):
        render(document, "xlsx")


def test_unknown_kind_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="Unknown kind"):
        render(tmp_path / "x.bin", "exe")
