"""A proceeding's two disclosure lists as PDF, XLSX and CSV, in the columns of the court's
form (columns.py), holding exactly what the requesting user's page shows: everything is read
through selectors.lists_for with that user, so a document above their clearance is in none.

Safety, as for the timeline's exports: the PDF's HTML is an autoescaped template laid out by
WeasyPrint fetching nothing (core.layout); a CSV or XLSX cell that a spreadsheet would take
for a formula (it starts with = + - @, a tab or a carriage return) gets a leading
apostrophe, and the XLSX stores every text cell as a string, never as a formula.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from casemgr.core import layout
from casemgr.disclosure import selectors
from casemgr.disclosure.columns import COLUMNS, NOTES, TITLES, Column, Row
from casemgr.disclosure.grounds import Form
from casemgr.matters.models import Party, Proceeding
from casemgr.timeline.exports import Export, csv_cell, short_case_name
from casemgr.timeline.exports import _safe_filename as safe_filename

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTS = ("disclosed", "withheld")
LAYOUT_SECONDS = 30


@dataclass(frozen=True)
class TitleBlock:
    """What heads each export: the matter, the proceeding, its number, our party, the day."""

    title: str  # "Privilege log"
    note: str
    matter: str  # "NWA-0042 Northwind v Jadeport"
    court: str
    proceeding: str
    number_label: str  # "Claim No." or "Case No."
    case_number: str
    party: str  # the party whose list it is: ours
    prepared_on: date

    def filename(self, extension: str) -> str:
        number = self.case_number or self.matter.split()[0]
        return safe_filename(
            f"{number} {short_case_name(self.proceeding)} - {self.title}.{extension}"
        )


def _title_block(proceeding: Proceeding, user, form: Form, which: str) -> TitleBlock:
    ours = Party.objects.visible_to(user).filter(matter=proceeding.matter, role=proceeding.our_side)
    return TitleBlock(
        title=TITLES[form, which],
        note=NOTES[form, which],
        matter=f"{proceeding.matter.reference} {proceeding.matter.title}",
        court=str(proceeding.court),
        proceeding=proceeding.title,
        number_label=proceeding.number_label,
        case_number=proceeding.case_number,
        party=", ".join(party.name for party in ours.order_by("name")),
        prepared_on=timezone.localdate(),
    )


def _content(proceeding: Proceeding, user, form: Form | None, which: str):
    if which not in LISTS:
        raise ValueError(f"No such list: {which}")
    lists = selectors.lists_for(proceeding=proceeding, user=user, form=form)
    return (
        _title_block(proceeding, user, lists.form, which),
        COLUMNS[lists.form, which],
        lists.rows(which),
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- PDF -------------------------------------------------------------------------------------


def list_pdf(*, proceeding: Proceeding, user, form: Form | None, which: str) -> Export:
    heading, columns, rows = _content(proceeding, user, form, which)
    total = sum(column.width for column in columns)
    html = render_to_string(
        "disclosure/exports/list.html",
        {
            "heading": heading,
            "columns": [
                {"heading": c.heading, "share": f"{100 * c.width / total:.2f}"} for c in columns
            ],
            "rows": [[_pdf_cell(c, row) for c in columns] for row in rows],
        },
    )
    content = layout.write_pdf(html, seconds=LAYOUT_SECONDS)
    return Export(heading.filename("pdf"), PDF, content)


def _pdf_cell(column: Column, row: Row) -> str:
    value = column.value(row)
    if isinstance(value, date):
        return f"{value:%-d %b %Y}"
    return _text(value)


# --- CSV -------------------------------------------------------------------------------------


def list_csv(*, proceeding: Proceeding, user, form: Form | None, which: str) -> Export:
    heading, columns, rows = _content(proceeding, user, form, which)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.heading for column in columns])
    for row in rows:
        writer.writerow([csv_cell(_text(column.value(row))) for column in columns])
    # The byte-order mark tells Excel the file is UTF-8.
    return Export(heading.filename("csv"), CSV, buffer.getvalue().encode("utf-8-sig"))


# --- XLSX ------------------------------------------------------------------------------------

# A sheet's name is at most 31 characters.
SHEET_NAMES = {
    TITLES[Form.PD57AD, "disclosed"]: "Documents disclosed",
    TITLES[Form.PD57AD, "withheld"]: "Withheld from inspection",
    TITLES[Form.FRCP, "disclosed"]: "Documents produced",
    TITLES[Form.FRCP, "withheld"]: "Privilege log",
}
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E6E6E6")
_WRAP = Alignment(wrap_text=True, vertical="top")


def list_xlsx(*, proceeding: Proceeding, user, form: Form | None, which: str) -> Export:
    """The list on the first sheet, its header in row 1 (bold, frozen), so that a review
    tool or a filter reads it as it is; the title block on a second sheet and, on paper, in
    each page's header."""
    heading, columns, rows = _content(proceeding, user, form, which)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAMES.get(heading.title, "List")
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=index, value=column.heading)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _WRAP
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for number, row in enumerate(rows, 2):
        for index, column in enumerate(columns, 1):
            value = column.value(row)
            cell = sheet.cell(row=number, column=index)
            if column.kind == "date" and isinstance(value, date):
                cell.value = value
                cell.number_format = "dd mmm yyyy"
            elif column.kind == "number":
                cell.value = value
            else:
                cell.value = _xlsx_text(_text(value))
            cell.alignment = _WRAP
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    number = f"{heading.number_label} {heading.case_number}" if heading.case_number else ""
    sheet.oddHeader.left.text = _xlsx_header(f"{heading.proceeding} {number}")
    sheet.oddHeader.right.text = _xlsx_header(heading.title)
    sheet.oddFooter.right.text = "Page &P of &N"
    details = book.create_sheet("Details")
    facts = [
        ("Document", heading.title),
        ("Matter", heading.matter),
        ("Court", heading.court),
        ("Proceeding", heading.proceeding),
        (heading.number_label, heading.case_number or "not yet issued"),
        ("Party", heading.party),
        ("Date", heading.prepared_on),
        ("Note", heading.note),
    ]
    for line, (label, value) in enumerate(facts, 1):
        details.cell(row=line, column=1, value=label).font = _BOLD
        cell = details.cell(row=line, column=2)
        if isinstance(value, date):
            cell.value, cell.number_format = value, "d mmmm yyyy"
        else:
            cell.value = _xlsx_text(value)
        cell.alignment = _WRAP
    details.column_dimensions["A"].width = 14
    details.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return Export(heading.filename("xlsx"), XLSX, buffer.getvalue())


def _xlsx_header(text: str) -> str:
    # "&" starts a code in a page header ("&P" is the page number): a literal one is "&&".
    return text.replace("&", "&&")


def _xlsx_text(text: str) -> str:
    """openpyxl stores a string that starts with "=" as a formula: the apostrophe keeps it,
    and the other starts a spreadsheet would read as one, text."""
    return csv_cell(text)


EXPORTS = {"pdf": list_pdf, "csv": list_csv, "xlsx": list_xlsx}
