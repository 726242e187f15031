"""Evidence file detection: what an upload is, judged from its content, and what is refused.

Every sample is built here in tmp_path (pikepdf, Pillow, the stdlib), so no binaries are
committed and each case shows exactly what makes a file acceptable or not.
"""

import ast
import email.message
import email.utils
import gzip
import io
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from PIL import Image

from casemgr.evidence import detection
from casemgr.evidence.detection import Detection, Kind, detect

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def write(tmp_path: Path, data: bytes, name: str = "upload") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def pdf_file(tmp_path: Path, build=None, name: str = "doc.pdf", **save) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if build:
        build(pdf)
    path = tmp_path / name
    pdf.save(path, **save)
    return path


def image_file(tmp_path: Path, fmt: str, name: str, size=(20, 10)) -> Path:
    path = tmp_path / name
    Image.new("RGB", size, "white").save(path, fmt)
    return path


def png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header is rewritten to claim another size (with a valid CRC): the
    decompression bomb shape, a few bytes that promise a vast canvas."""
    buffer = io.BytesIO()
    Image.new("1", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def ooxml(entries: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for entry in entries:
            package.writestr(entry, '<?xml version="1.0"?><x/>')
    return buffer.getvalue()


DOCX_ENTRIES = ["[Content_Types].xml", "_rels/.rels", "word/document.xml"]
XLSX_ENTRIES = ["[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "xl/workbook.xml"]


def eml(headers: dict[str, str]) -> bytes:
    message = email.message.EmailMessage()
    for key, value in headers.items():
        message[key] = value
    message.set_content("Please find the licence attached.")
    return message.as_bytes()


def rejected(result: Detection, phrase: str) -> bool:
    return not result.accepted and result.kind is None and phrase in result.reason


# PDFs


def test_a_plain_pdf_is_accepted(tmp_path):
    result = detect(pdf_file(tmp_path), "Witness statement.pdf")
    assert result == Detection(Kind.PDF, "application/pdf")
    assert result.accepted


def test_a_pdf_needing_a_password_to_open_is_refused(tmp_path):
    path = pdf_file(tmp_path, encryption=pikepdf.Encryption(owner="o-secret", user="u-secret"))
    assert rejected(detect(path, "doc.pdf"), "The PDF is password-protected")


def test_a_pdf_with_only_an_owner_password_is_refused_too(tmp_path):
    path = pdf_file(tmp_path, encryption=pikepdf.Encryption(owner="o-secret", user=""))
    result = detect(path, "doc.pdf")
    assert rejected(result, "The PDF is password-protected")
    assert "restricts printing" in result.reason


def test_a_pdf_that_is_not_one_inside_is_refused_as_damaged(tmp_path):
    path = write(tmp_path, b"%PDF-1.7\n" + b"not really a pdf " * 20, "doc.pdf")
    result = detect(path, "doc.pdf")
    assert result.mime == "application/pdf"
    assert rejected(result, "damaged and cannot be read")


def test_a_truncated_pdf_that_qpdf_repairs_is_accepted_but_flagged(tmp_path):
    whole = pdf_file(tmp_path).read_bytes()
    path = write(tmp_path, whole[: len(whole) // 2], "cut.pdf")
    result = detect(path, "cut.pdf")
    assert result.kind is Kind.PDF
    assert "repaired" in result.flags


def js(text="app.alert(1)"):
    return Dictionary(S=Name.JavaScript, JS=String(text))


def launch():
    return Dictionary(S=Name.Launch, F=String("calc.exe"))


def link_annotation(pdf, action):
    annotation = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 10, 10], A=action)
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(annotation)])


def open_action_js(pdf):
    pdf.Root.OpenAction = js()


def names_tree_js(pdf):
    tree = Dictionary(Names=Array([String("init"), pdf.make_indirect(js())]))
    pdf.Root.Names = Dictionary(JavaScript=tree)


def page_open_js(pdf):
    pdf.pages[0].obj.AA = Dictionary(O=js())


def form_field_js(pdf):
    field = pdf.make_indirect(Dictionary(FT=Name.Tx, T=String("total"), AA=Dictionary(C=js())))
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]))


def bookmark_js(pdf):
    outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines))
    item = pdf.make_indirect(Dictionary(Title=String("Start"), Parent=outlines, A=js()))
    outlines.First = item
    outlines.Last = item
    pdf.Root.Outlines = outlines


def annotation_launch(pdf):
    link_annotation(pdf, launch())


def chained_launch(pdf):
    goto = Dictionary(S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit]), Next=launch())
    pdf.Root.OpenAction = goto


def looping_chain_launch(pdf):
    # /Next chains that point back at themselves, directly or through an array, must not hang
    # the walk.
    action = pdf.make_indirect(launch())
    loop = pdf.make_indirect(Array([action]))
    loop.append(loop)
    action.Next = action
    pdf.Root.OpenAction = Dictionary(S=Name.GoTo, D=Array([0, Name.Fit]), Next=loop)


def attachment(pdf):
    spec = pikepdf.AttachedFileSpec(pdf, b"secret minutes", mime_type="text/plain")
    pdf.attachments["minutes.txt"] = spec


def attachment_annotation(pdf):
    spec = pikepdf.AttachedFileSpec(pdf, b"secret minutes", mime_type="text/plain")
    annotation = Dictionary(
        Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 0, 10, 10], FS=spec.obj
    )
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(annotation)])


ACTIVE_CONTENT = [
    (open_action_js, ("javascript",)),
    (names_tree_js, ("javascript",)),
    (page_open_js, ("javascript",)),
    (form_field_js, ("javascript",)),
    (bookmark_js, ("javascript",)),
    (annotation_launch, ("launch_action",)),
    (chained_launch, ("launch_action",)),
    (looping_chain_launch, ("launch_action",)),
    (attachment, ("embedded_files",)),
    (attachment_annotation, ("embedded_files",)),
]


@pytest.mark.parametrize(
    ("build", "flags"), ACTIVE_CONTENT, ids=[build.__name__ for build, _ in ACTIVE_CONTENT]
)
def test_active_content_in_a_pdf_is_accepted_but_flagged(tmp_path, build, flags):
    result = detect(pdf_file(tmp_path, build), "doc.pdf")
    assert result.kind is Kind.PDF
    assert result.flags == flags


def test_flags_come_in_a_fixed_order(tmp_path):
    def everything(pdf):
        attachment(pdf)
        annotation_launch(pdf)
        open_action_js(pdf)

    result = detect(pdf_file(tmp_path, everything), "doc.pdf")
    assert result.flags == ("javascript", "launch_action", "embedded_files")


def test_an_ordinary_link_is_not_flagged(tmp_path):
    def uri_link(pdf):
        link_annotation(pdf, Dictionary(S=Name.URI, URI=String("https://example.com")))

    assert detect(pdf_file(tmp_path, uri_link), "doc.pdf").flags == ()


# Images


@pytest.mark.parametrize(
    ("fmt", "name", "kind", "mime"),
    [
        ("JPEG", "photo.jpg", Kind.JPEG, "image/jpeg"),
        ("JPEG", "photo.JPEG", Kind.JPEG, "image/jpeg"),
        ("PNG", "screenshot.png", Kind.PNG, "image/png"),
        ("TIFF", "scan.tif", Kind.TIFF, "image/tiff"),
        ("TIFF", "scan.tiff", Kind.TIFF, "image/tiff"),
    ],
)
def test_photos_and_scans_are_accepted(tmp_path, fmt, name, kind, mime):
    assert detect(image_file(tmp_path, fmt, name), name) == Detection(kind, mime)


def test_an_image_declaring_a_huge_canvas_is_refused_with_its_size(tmp_path):
    path = write(tmp_path, png_claiming(12_000, 10_000), "bomb.png")
    result = detect(path, "bomb.png")
    assert rejected(result, "120,000,000 pixels (12,000 × 10,000)")
    assert "more than the 100,000,000" in result.reason


def test_the_pixel_limit_is_the_callers_not_pillows(tmp_path):
    # 120 million pixels is past Pillow's own decompression-bomb limit; only the header is read.
    path = write(tmp_path, png_claiming(12_000, 10_000), "big.png")
    assert detect(path, "big.png", max_pixels=200_000_000).kind is Kind.PNG
    small = image_file(tmp_path, "JPEG", "small.jpg", size=(20, 10))
    assert rejected(detect(small, "small.jpg", max_pixels=199), "200 pixels")


def broken_png() -> bytes:
    data = bytearray(png_claiming(5, 5))
    data[30] ^= 0xFF  # the header's checksum no longer matches
    return bytes(data)


@pytest.mark.parametrize(
    ("data", "filename", "mime"),
    [
        (broken_png(), "broken.png", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40, "broken.jpg", "image/jpeg"),
    ],
    ids=["png", "jpeg"],
)
def test_a_damaged_image_is_refused(tmp_path, data, filename, mime):
    result = detect(write(tmp_path, data), filename)
    assert result.mime == mime
    assert rejected(result, "The image is damaged")


def test_other_image_formats_are_refused_by_name(tmp_path):
    path = image_file(tmp_path, "GIF", "anim.gif")
    result = detect(path, "anim.gif")
    assert result.mime == "image/gif"
    assert rejected(result, "Files of type GIF image data are not accepted.")


# E-mail and text


def test_an_email_is_accepted(tmp_path):
    data = eml(
        {
            "From": "ceo@northwind.example",
            "To": "cto@northwind.example",
            "Subject": "Model weights",
            "Date": email.utils.formatdate(),
        }
    )
    assert detect(write(tmp_path, data, "m.eml"), "m.eml") == Detection(
        Kind.EMAIL, "message/rfc822"
    )


def test_an_email_libmagic_calls_plain_text_is_accepted_when_named_eml(tmp_path):
    data = eml({"Subject": "Model weights", "From": "ceo@northwind.example"})
    path = write(tmp_path, data, "m.eml")
    result = detect(path, "m.eml")
    assert result.kind is Kind.EMAIL
    assert result.mime == "text/plain"
    # Named otherwise it is still acceptable, as the text it is.
    assert detect(path, "m.txt").kind is Kind.TEXT


def test_text_named_eml_without_headers_is_plain_text(tmp_path):
    path = write(tmp_path, b"Notes from the call.\nNothing agreed.\n", "notes.eml")
    assert detect(path, "notes.eml").kind is Kind.TEXT


@pytest.mark.parametrize(
    "data",
    [
        b"Attendance note: the witness confirmed the date.\n",
        "Réunion à 14 h, café compris.\n".encode(),
        "Réunion à 14 h, café compris.\n".encode("latin-1"),
        "He said \u201cdelete it\u201d.\n".encode("cp1252"),
    ],
    ids=["ascii", "utf-8", "latin-1", "cp1252"],
)
def test_plain_text_is_accepted(tmp_path, data):
    result = detect(write(tmp_path, data, "note.txt"), "note.txt")
    assert result.kind is Kind.TEXT
    assert result.mime == "text/plain"


def test_source_code_is_text_but_keeps_no_runnable_name(tmp_path):
    # libmagic labels Python without a "#!" line text/x-script.python; it is only text, but a
    # download named train.py would run on a double-click, so it must be renamed.
    path = write(tmp_path, b"import os\n\ndef main():\n    print(os.getcwd())\n", "train.py")
    assert detect(path, "train.txt").kind is Kind.TEXT
    assert rejected(detect(path, "train.py"), "rename it to end in .txt")


def test_utf16_text_is_refused_with_a_fix(tmp_path):
    path = write(tmp_path, "Attendance note\n".encode("utf-16"), "note.txt")
    assert rejected(detect(path, "note.txt"), "save it as UTF-8")


# CSV and JSON Lines


def test_csv_is_accepted(tmp_path):
    data = b"date,amount,party\n2024-01-01,10,Northwind\n2024-01-02,20,Jadeport\n"
    assert detect(write(tmp_path, data, "ledger.csv"), "ledger.csv") == Detection(
        Kind.CSV, "text/csv"
    )


def test_a_table_libmagic_misses_is_read_as_csv(tmp_path):
    data = b"date;amount;party\n2024-01-01;10;Northwind\n2024-01-02;20;Jadeport\n"
    result = detect(write(tmp_path, data), "export")
    assert result.mime == "text/plain"
    assert result.kind is Kind.CSV


def test_any_text_named_csv_is_csv(tmp_path):
    path = write(tmp_path, b"amount\n10\n", "one-column.csv")
    assert detect(path, "one-column.csv").kind is Kind.CSV


def test_prose_with_commas_is_not_mistaken_for_csv(tmp_path):
    data = (
        b"The witness said that, on the 3rd of March, the files were deleted.\n"
        b"He then left, without a word.\n"
        b"Nobody saw him again.\n"
    )
    assert detect(write(tmp_path, data), "statement").kind is Kind.TEXT


def test_json_lines_are_accepted(tmp_path):
    data = b'{"ts": 1, "path": "/v1/completions"}\n{"ts": 2, "path": "/v1/embeddings"}\n'
    result = detect(write(tmp_path, data, "api.log"), "api.log")
    assert result == Detection(Kind.JSONL, "application/x-ndjson")


def test_a_single_record_is_json_lines_only_when_named_so(tmp_path):
    path = write(tmp_path, b'{"ts": 1, "path": "/v1/completions"}\n')
    assert detect(path, "export.jsonl").kind is Kind.JSONL
    assert detect(path, "export.ndjson").kind is Kind.JSONL
    assert rejected(detect(path, "export.json"), "Files of type JSON text data")


def test_lines_that_are_not_all_objects_are_not_json_lines(tmp_path):
    data = b'{"ts": 1}\n[1, 2]\n{"ts": 3}\n'
    assert detect(write(tmp_path, data, "api.jsonl"), "api.jsonl").kind is Kind.TEXT


def test_a_large_log_is_judged_from_its_head_without_its_cut_off_line(tmp_path):
    line = b'{"ts": 1, "prompt": "' + b"x" * 200 + b'"}\n'
    path = write(tmp_path, line * 2_000, "api.jsonl")  # ~440 KB; the head ends mid-line
    assert path.stat().st_size > detection.HEAD_BYTES
    assert detect(path, "api.jsonl").kind is Kind.JSONL


# Word and Excel


def test_word_and_excel_are_accepted_when_libreoffice_is_there(tmp_path):
    docx = write(tmp_path, ooxml(DOCX_ENTRIES), "a.docx")
    xlsx = write(tmp_path, ooxml(XLSX_ENTRIES), "b.xlsx")
    assert detect(docx, "a.docx", office_available=True) == Detection(Kind.DOCX, DOCX_MIME)
    result = detect(xlsx, "b.xlsx", office_available=True)
    assert result.kind is Kind.XLSX
    assert result.mime == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_word_and_excel_are_refused_without_libreoffice(tmp_path):
    path = write(tmp_path, ooxml(DOCX_ENTRIES), "a.docx")
    result = detect(path, "a.docx")
    assert result.mime == DOCX_MIME
    assert rejected(result, "need LibreOffice on the server")


def test_a_word_file_libmagic_calls_a_zip_is_still_word(tmp_path):
    # libmagic names OOXML only when [Content_Types].xml comes first in the package.
    path = write(tmp_path, ooxml(["_rels/.rels", "[Content_Types].xml", "word/document.xml"]))
    result = detect(path, "a.docx", office_available=True)
    assert result == Detection(Kind.DOCX, DOCX_MIME)


def test_macros_in_a_word_file_are_flagged(tmp_path):
    path = write(tmp_path, ooxml([*DOCX_ENTRIES, "word/vbaProject.bin"]))
    assert detect(path, "a.docx", office_available=True).flags == ("macros",)


# Refused types


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


def tar_bytes():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (zip_bytes(), "bundle.zip"),
        (zip_bytes(), "bundle.docx"),
        (gzip.compress(b"hello"), "notes.txt.gz"),
        (tar_bytes(), "bundle.tar"),
        (b"7z\xbc\xaf\x27\x1c" + b"\x00" * 100, "bundle.7z"),
        (b"Rar!\x1a\x07\x01\x00" + b"\x00" * 100, "bundle.rar"),
    ],
    ids=["zip", "zip-named-docx", "gzip", "tar", "7z", "rar"],
)
def test_archives_are_refused(tmp_path, data, filename):
    result = detect(write(tmp_path, data), filename)
    assert rejected(result, "Archives are not accepted yet: unpack them and upload the files.")


def test_other_office_packages_are_refused_as_office_not_archives(tmp_path):
    path = write(tmp_path, ooxml(["[Content_Types].xml", "_rels/.rels", "ppt/presentation.xml"]))
    assert rejected(detect(path, "deck.pptx", office_available=True), "only Word (.docx)")


def test_a_damaged_word_file_is_refused(tmp_path):
    path = write(tmp_path, ooxml(DOCX_ENTRIES)[:300])
    result = detect(path, "a.docx", office_available=True)
    assert result.mime == DOCX_MIME
    assert rejected(result, "damaged")


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (b"\x7fELF" + b"\x00" * 60, "computer program"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 57, "computer program"),
        (b"MZ" + b"\x00" * 200, "computer program"),
        (b"\xcf\xfa\xed\xfe" + b"\x00" * 100, "computer program"),
        (b"#!/bin/sh\nrm -rf ~\n", "is a script"),
        (b"#!/usr/bin/env python3\nprint('hi')\n", "is a script"),
        (b"@echo off\r\ndel *.*\r\n", "is a script"),
    ],
    ids=["elf-bare", "elf-64", "pe", "mach-o", "shell", "python", "batch"],
)
def test_programs_and_scripts_are_refused_whatever_their_name(tmp_path, data, phrase):
    assert rejected(detect(write(tmp_path, data), "evidence.pdf"), phrase)


def test_text_that_starts_with_mz_is_not_a_program(tmp_path):
    path = write(tmp_path, b"MZ is the region code on every invoice.\n")
    assert detect(path, "note.txt").kind is Kind.TEXT


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (b"<!DOCTYPE html><html><body>Hi</body></html>\n", "Web pages (HTML)"),
        (b"Minutes\n<script>fetch('/api/matters/')</script>\n", "Web pages (HTML)"),
        (
            b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>\n',
            "Web pages (HTML)",
        ),
        (
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>\n',
            "SVG images are not accepted",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>\n', "SVG images"),
    ],
    ids=["html", "script-in-text", "xhtml", "svg", "svg-bare"],
)
def test_content_that_runs_script_when_viewed_is_refused(tmp_path, data, phrase):
    result = detect(write(tmp_path, data), "page.txt")
    assert rejected(result, phrase)
    assert "can run scripts" in result.reason


def test_an_empty_file_is_refused(tmp_path):
    result = detect(write(tmp_path, b"", "empty.pdf"), "empty.pdf")
    assert result == Detection(None, "application/x-empty", "The file is empty.")


def test_unrecognisable_bytes_are_refused(tmp_path):
    result = detect(write(tmp_path, b"\x00\x01\x02\x03" * 8), "blob")
    assert rejected(result, "could not be recognised")


# Content against name


@pytest.mark.parametrize(
    ("make", "filename", "reason"),
    [
        (
            lambda p: image_file(p, "PNG", "x"),
            "letter.pdf",
            "The file's content is a PNG image but its name ends in .pdf.",
        ),
        (
            lambda p: pdf_file(p),
            "photo.jpg",
            "The file's content is a PDF but its name ends in .jpg.",
        ),
        (
            lambda p: write(p, b"Just some notes.\n"),
            "Contract.PDF",
            "The file's content is plain text but its name ends in .PDF.",
        ),
        (
            lambda p: image_file(p, "JPEG", "x"),
            "scan.tiff",
            "The file's content is a JPEG image but its name ends in .tiff.",
        ),
        (
            lambda p: write(p, ooxml(DOCX_ENTRIES)),
            "accounts.xlsx",
            "The file's content is a Word document but its name ends in .xlsx.",
        ),
        (
            lambda p: pdf_file(p),
            "ledger.csv",
            "The file's content is a PDF but its name ends in .csv.",
        ),
    ],
)
def test_content_that_contradicts_its_name_is_refused(tmp_path, make, filename, reason):
    result = detect(make(tmp_path), filename, office_available=True)
    assert result.kind is None
    assert result.reason == reason


@pytest.mark.parametrize("filename", ["scan", r"C:\Users\pa\scan"])
def test_missing_extensions_are_fine(tmp_path, filename):
    assert detect(image_file(tmp_path, "PNG", "x"), filename).kind is Kind.PNG


@pytest.mark.parametrize("filename", ["scan.bin", "scan.heic", "scan.exe", "scan.lnk"])
def test_unknown_extensions_must_be_renamed_to_match_the_content(tmp_path, filename):
    assert rejected(detect(image_file(tmp_path, "PNG", "x"), filename), "rename it to end in .png")


def test_kinds_of_text_do_not_contradict_each_other(tmp_path):
    data = b"date,amount,party\n2024-01-01,10,Northwind\n2024-01-02,20,Jadeport\n"
    assert detect(write(tmp_path, data), "ledger.txt").kind is Kind.CSV


# The module itself


def test_detection_is_frozen():
    result = Detection(Kind.PDF, "application/pdf")
    with pytest.raises(AttributeError):
        result.kind = None  # type: ignore[misc]


def test_the_module_does_not_import_django():
    tree = ast.parse(Path(detection.__file__).read_text())
    modules = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert "pikepdf" in modules
    assert not any(name and name.split(".")[0] == "django" for name in modules)
