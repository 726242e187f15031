"""Demo exhibits for NWA-0042, generated rather than shipped: two letters (PDF), an e-mail
thread with an attachment, an extract of API access logs (CSV) and a screenshot (PNG), with
mixed designations, so that clearance can be seen at work (the expert does not see AEO).

Loading is idempotent: an exhibit whose reference already exists is left alone.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from django.contrib.auth import get_user_model
from PIL import Image, ImageDraw
from weasyprint import HTML

from casemgr.access.models import Clearance
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.evidence.services import IncomingFile, exhibit_file_ingest
from casemgr.matters.models import Matter

LETTER = """<html><head><meta name="dcterms.created" content="{date}T09:00:00Z">
<style>body {{ font-family: serif; margin: 2cm; }} .head {{ text-align: right; }}</style></head>
<body><p class="head">{sender}<br>{date}</p><p>{addressee}</p><p><strong>{subject}</strong></p>
{paragraphs}<p>Yours faithfully,</p><p>{sender}</p></body></html>"""


def _letter(*, sender, addressee, subject, on: date, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = LETTER.format(
        sender=sender, addressee=addressee, subject=subject, date=on.isoformat(), paragraphs=body
    )
    return HTML(string=html).write_pdf()


def _email_thread() -> bytes:
    message = EmailMessage()
    message["From"] = "Liang Wenhao <l.wenhao@jadeport.example>"
    message["To"] = "Project Lantern team <lantern@jadeport.example>"
    message["Subject"] = "Re: Lantern – harvesting throughput for next week"
    message["Date"] = format_datetime(datetime(2025, 11, 18, 9, 12, tzinfo=UTC))
    message.set_content(
        "Team,\n\nThe rotating accounts are holding up: 2.1M prompt/response pairs since "
        "Monday. Keep each account under the rate limit and vary the chatbot wording as "
        "agreed. Attached is the account list for the next batch.\n\nLiang\n\n"
        "> On 17 Nov 2025, Zhou Yiran wrote:\n> Can we double the throughput without "
        "tripping Northwind's abuse checks?\n"
    )
    accounts = "account_id,created,contact\n" + "".join(
        f"nw-{n:04d},2025-10-{14 + n % 10:02d},ops{n}@jadeport-test.example\n" for n in range(37)
    )
    message.add_attachment(
        accounts.encode(), maintype="text", subtype="csv", filename="lantern-accounts.csv"
    )
    return message.as_bytes()


def _access_log() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["timestamp_utc", "account_id", "endpoint", "prompt_tokens", "output_tokens"])
    start = datetime(2025, 11, 3, tzinfo=UTC)
    for n in range(400):
        at = start + timedelta(minutes=7 * n)
        writer.writerow(
            [at.isoformat(), f"nw-{n % 37:04d}", "/v2/messages", 900 + n % 300, 1800 + n % 700]
        )
    return out.getvalue().encode()


def _screenshot() -> bytes:
    image = Image.new("RGB", (1200, 700), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 1200, 60], fill=(29, 53, 87))
    draw.text((20, 20), "Northwind API console – usage by organisation", fill="white")
    for n in range(30):
        height = 40 + (n * 37) % 500 if n > 10 else 30 + n * 3
        draw.rectangle([60 + n * 36, 660 - height, 85 + n * 36, 660], fill=(47, 111, 171))
    draw.text((60, 80), "Spike: 3 Nov – 20 Nov 2025 (37 accounts, one billing card)", fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _exhibits():
    solicitors = "Harcourt Vell LLP"
    yield (
        "NWA",
        1,
        "Letter before action to Jadeport Commerce (UK) Ltd",
        "letter",
        Clearance.STANDARD,
        "letter-before-action.pdf",
        lambda: _letter(
            sender=solicitors,
            addressee="Jadeport Commerce (UK) Ltd, Legal Department",
            subject="Northwind Intelligence – misuse of the Northwind API",
            on=date(2026, 1, 12),
            paragraphs=[
                "We act for Northwind Intelligence, Inc. and Northwind Intelligence UK Ltd.",
                "Between October 2025 and January 2026 accounts opened by your company sent "
                "approximately 28.6 million prompts to the Northwind API and harvested the "
                "outputs, in breach of clauses 3.4 and 5.2 of the Terms of Service.",
                "We require your undertakings within 14 days of the date of this letter.",
            ],
        ),
    )
    yield (
        "NWA",
        2,
        "Response of Pellow Strand LLP to the letter before action",
        "letter",
        Clearance.STANDARD,
        "response-to-letter-before-action.pdf",
        lambda: _letter(
            sender="Pellow Strand LLP",
            addressee=solicitors,
            subject="Your letter of 12 January 2026",
            on=date(2026, 1, 26),
            paragraphs=[
                "We act for Jadeport Commerce (UK) Ltd. Your client's allegations are denied.",
                "The accounts were used to evaluate a customer-service chatbot.",
            ],
        ),
    )
    yield (
        "NWA",
        3,
        "E-mail thread: Lantern – harvesting throughput",
        "email",
        Clearance.CONFIDENTIAL,
        "lantern-throughput.eml",
        _email_thread,
    )
    yield (
        "NWA",
        4,
        "API access log extract, 3–5 November 2025",
        "log",
        Clearance.AEO,
        "api-access-log-extract.csv",
        _access_log,
    )
    yield (
        "NWA",
        5,
        "Screenshot of the API console usage dashboard",
        "screenshot",
        Clearance.CONFIDENTIAL,
        "usage-dashboard.png",
        _screenshot,
    )


def demo_exhibits_load(*, matter_reference: str = "NWA-0042", uploader: str = "partner") -> int:
    """Generate and ingest the demo exhibits that are not there yet; returns how many."""
    matter = Matter.objects.get(reference=matter_reference)
    user = get_user_model().objects.get(username=uploader)
    added = 0
    for prefix, number, title, doc_type, designation, filename, make in _exhibits():
        if Exhibit.objects.filter(matter=matter, prefix=prefix, number=number).exists():
            continue
        with IncomingFile.from_bytes(make(), filename) as incoming:
            result = exhibit_file_ingest(
                matter=matter,
                uploaded_by=user,
                incoming=incoming,
                metadata={
                    "prefix": prefix,
                    "number": number,
                    "title": title,
                    "document_type": doc_type,
                    "designation": designation,
                },
            )
        added += result.status == "stored"
    _render_pending(matter)
    return added


def _render_pending(matter: Matter) -> None:
    """Make the renditions the rest of the demo needs (an e-mail's attachment is a file only
    once its rendition has run) here, in this process, by the task the worker runs: with a
    broker configured the worker may not be running yet. The queued tasks then find the
    files ready and leave them alone."""
    from casemgr.evidence.tasks import render_exhibit_file

    # Each round renders what the last one stored (attachments of attachments, if any).
    for _round in range(5):
        pending = list(
            ExhibitFile.objects.filter(
                matter=matter, rendition=ExhibitFile.Rendition.PENDING
            ).values_list("pk", flat=True)
        )
        if not pending:
            return
        for file_id in pending:
            render_exhibit_file(file_id)
