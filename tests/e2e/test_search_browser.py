"""A paralegal searches from the matter's header in headless Chromium and lands on the page of
the exhibit where the phrase is: the viewer shows that page, its text readable."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect
from rest_framework.test import APIClient

from casemgr.matters.models import Matter
from tests.evidence import files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHRASE = "heliotrope distillation ledger"


@pytest.fixture
def letter(demo_matter):
    """Uploaded through the API, before the browser starts: its rendition (run where it is
    queued, in the tests) writes the text of each page, the phrase on page 3 only."""
    matter = Matter.objects.get(reference="NWA-0042")
    client = APIClient()
    client.force_login(get_user_model().objects.get(username="paralegal"))
    pages = ["Without prejudice", "Terms of access", f"The {PHRASE} was kept by Jadeport"]
    response = client.post(
        f"/api/matters/{matter.pk}/exhibits/upload/",
        {
            "file": SimpleUploadedFile("ledger-letter.pdf", files.pdf_of_pages(pages)),
            "title": "Letter about the ledger",
            "prefix": "LDG",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content


def test_a_search_from_the_header_lands_on_the_page_of_the_exhibit(
    live_server,
    letter,
    page,
):
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("paralegal")
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="NWA-0042").first.click()

    box = page.get_by_role("searchbox", name="Search this matter")
    box.fill(f'"{PHRASE}"')
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.get_by_role("searchbox", name="Search this matter")).to_have_value(f'"{PHRASE}"')
    documents = page.locator("#results-page")
    expect(documents.get_by_role("heading")).to_contain_text("In the documents")
    expect(documents.locator(".hit__snippet mark").first).to_have_text("heliotrope")

    documents.get_by_role("link", name=re.compile(r"LDG-1, p\. 3")).click()
    expect(page).to_have_url(re.compile(r"\?file=\d+&page=3#preview$"))
    viewer = page.locator("[data-pdf-viewer]")
    expect(viewer.locator("[data-status]")).to_have_text("Page 3 of 3", timeout=30_000)
    expect(viewer.locator(".textLayer")).to_contain_text(PHRASE)
    expect(viewer.get_by_role("button", name="Next page")).to_be_disabled()

    # And on, to the page before.
    viewer.get_by_role("button", name="Previous page").click()
    expect(viewer.locator("[data-status]")).to_have_text("Page 2 of 3")
    expect(viewer.locator(".textLayer")).to_contain_text("Terms of access")
    assert refused == []
