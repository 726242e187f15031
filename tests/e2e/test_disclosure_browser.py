"""A paralegal keeps a privilege log in headless Chromium: opens the US proceeding's
Disclosure page from the proceeding, withholds a privileged e-mail with its ground and a
description, and downloads the log as Excel, which reads back with that row."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from casemgr.access.models import Clearance
from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Matter, Proceeding
from tests.e2e.test_timeline_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def advice(demo_matter):
    matter = Matter.objects.get(reference="NWA-0042")
    return Exhibit.objects.create(
        matter=matter,
        prefix="NWA",
        number=30,
        title="Advice on the Terms of Service",
        document_type=Exhibit.DocumentType.EMAIL,
        author="In-house counsel",
        recipients="To: CTO",
        privileged=True,
        designation=Clearance.CONFIDENTIAL,
        created_by=get_user_model().objects.get(username="partner"),
    )


def test_paralegal_withholds_a_document_and_downloads_the_log(live_server, advice, page):
    us = Proceeding.objects.get(case_number="3:26-cv-04417")
    sign_in(page, live_server, "paralegal")
    page.goto(live_server.url + us.get_absolute_url())
    page.get_by_role("link", name="Disclosure", exact=True).last.click()
    expect(page.get_by_role("heading", name="Privilege log")).to_be_visible()

    log = page.locator("section", has=page.get_by_role("heading", name="Privilege log"))
    log.get_by_role("link", name="Add a document").click()
    page.get_by_label("Exhibit").select_option(
        label="NWA-30 – Advice on the Terms of Service (privileged)"
    )
    page.get_by_label("Ground", exact=True).select_option(label="Attorney-client privilege")
    page.get_by_label("Description").fill("E-mail from in-house counsel giving legal advice")
    page.get_by_role("button", name="Add to the list").click()

    expect(page.get_by_text("NWA-30 added to the list.")).to_be_visible()
    log = page.locator("section", has=page.get_by_role("heading", name="Privilege log"))
    expect(log.get_by_role("cell", name="Attorney-client privilege")).to_be_visible()
    with page.expect_download() as download:
        log.get_by_role("link", name="Excel").click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Entry No.", "Date", "Author"]
    assert [
        "In-house counsel",
        "To: CTO",
        "E-mail",
        "E-mail from in-house counsel giving legal advice",
        "Attorney-client privilege",
        "Withheld in full",
    ] in [row[2:8] for row in rows[1:]]
