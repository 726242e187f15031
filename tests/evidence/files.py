"""Real evidence files, made on the fly for the tests."""

from __future__ import annotations

import io
import os
from email.message import EmailMessage

import pikepdf
from PIL import Image


def pdf(pages: int = 1, text: str = "Exhibit text") -> bytes:
    return pdf_of_pages([f"{text} page {n + 1}" for n in range(pages)])


def pdf_of_pages(texts: list[str]) -> bytes:
    """A PDF with one page per text, each page's text its own."""
    document = pikepdf.new()
    font = document.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for text in texts:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        content = f"BT /F1 18 Tf 72 720 Td ({escaped}) Tj ET".encode()
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=document.make_stream(content),
        )
        document.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    document = pikepdf.open(io.BytesIO(pdf()))
    out = io.BytesIO()
    document.save(out, encryption=pikepdf.Encryption(owner="o", user="secret"))
    return out.getvalue()


def image(fmt: str, size=(320, 200), mode="RGB") -> bytes:
    out = io.BytesIO()
    picture = Image.new(mode, size, (40, 90, 160) if mode == "RGB" else 1)
    picture.save(out, format=fmt)
    return out.getvalue()


def eml(with_attachment: bool = True) -> bytes:
    message = EmailMessage()
    message["From"] = "Ada Quill <ada@northwind.example>"
    message["To"] = "Legal <legal@northwind.example>"
    message["Subject"] = "API spike from rotating accounts"
    message["Date"] = "Mon, 17 Nov 2025 09:12:00 +0000"
    message.set_content("We saw 2.1M requests from 37 new accounts this week.\n")
    if with_attachment:
        message.add_attachment(
            b"account,requests\nnw-0001,51000\n",
            maintype="text",
            subtype="csv",
            filename="accounts.csv",
        )
    return message.as_bytes()


def csv_log() -> bytes:
    return b"timestamp,account,endpoint\n2025-11-03T10:00:00Z,nw-0001,/v2/messages\n"


def jsonl_log() -> bytes:
    return (
        b'{"ts": "2025-11-03T10:00:00Z", "account": "nw-0001"}\n'
        b'{"ts": "2025-11-03T10:01:00Z", "account": "nw-0002"}\n'
    )


def unique_text() -> bytes:
    """Text no other test uploads, for tests that change or remove stored bytes."""
    return f"Attendance note {os.urandom(8).hex()}\n".encode()


def pdf_with_javascript() -> bytes:
    document = pikepdf.open(io.BytesIO(pdf(text="Click here")))
    document.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hello');")
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
