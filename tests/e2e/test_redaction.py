"""Redacting in headless Chromium: a paralegal draws a box on the demo letter by dragging
across a line of it, gives the reason and applies the redaction; the partner approves it and
views the redacted version; the redacted file no longer holds the line's text."""

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from casemgr.evidence.demo import demo_exhibits_load
from casemgr.evidence.models import Exhibit
from tests.e2e.test_bundles_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINE = "We act for Northwind Intelligence"


@pytest.fixture
def letter(demo_matter) -> Exhibit:
    demo_exhibits_load()  # renditions run as the exhibits are stored (tasks are eager here)
    return Exhibit.objects.get(matter__reference="NWA-0042", prefix="NWA", number=1)


def test_draw_apply_approve_and_view_a_redaction(live_server, letter, page, tmp_path):
    page.set_default_timeout(60_000)  # applying rasterises the page and reads it again (OCR)
    sign_in(page, live_server, "paralegal")
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    page.get_by_role("button", name="Redact letter-before-action.pdf").click()
    expect(page.get_by_role("heading", name=re.compile("Redaction"))).to_be_visible()

    # Drag across the line, a little beyond it on every side.
    viewer = page.locator("[data-redact-viewer]")
    expect(viewer.locator("[data-status]")).to_have_text(re.compile(r"Page 1 of \d+"))
    line = viewer.locator(".textLayer span", has_text=LINE).first
    expect(line).to_be_attached()
    at = line.bounding_box()
    page.mouse.move(at["x"] - 3, at["y"] - 3)
    page.mouse.down()
    page.mouse.move(at["x"] + at["width"] / 2, at["y"] + at["height"] / 2, steps=4)
    page.mouse.move(at["x"] + at["width"] + 3, at["y"] + at["height"] + 3, steps=4)
    page.mouse.up()
    expect(page.locator("[data-draw-hint]")).to_have_text(re.compile("Box drawn on page 1"))
    page.locator("#box_reason").select_option(label="Personal data")
    page.get_by_role("button", name="Save box").click()

    expect(page.get_by_text("Box added on page 1 (Personal data).")).to_be_visible()
    drawn = viewer.locator(".redact-box", has_text="Personal data")
    expect(drawn).to_be_visible()
    shown = drawn.bounding_box()  # over the line, as drawn
    assert shown["x"] <= at["x"] and shown["x"] + shown["width"] >= at["x"] + at["width"]

    page.get_by_role("button", name="Apply the redaction").click()
    expect(
        page.get_by_text("Redaction applied: a second member must now approve it.")
    ).to_be_visible()
    expect(
        page.get_by_text("You proposed this redaction; a second member must approve it.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    redaction_url = page.url

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "partner")
    page.goto(redaction_url)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(re.compile("Redaction of .* approved"))).to_be_visible()
    expect(page.locator("#redaction-status")).to_have_text("Approved")

    page.get_by_role("link", name="View the redacted version").click()
    redacted = page.locator("[data-pdf-viewer]")
    expect(redacted.locator("[data-status]")).to_have_text(re.compile(r"Page 1 of \d+"))
    expect(redacted.locator(".textLayer")).not_to_contain_text("We act for")

    # Who proposed and who approved, as the redaction page records them.
    page.goto(redaction_url)
    facts = page.locator("#state .facts")
    expect(facts).to_contain_text(re.compile(r"Proposed\s*Chloe Marchetti"))
    expect(facts).to_contain_text(re.compile(r"Approved\s*Beatrix Holloway"))

    # The file itself, as downloaded: the line's text is gone, the rest of the page is
    # still text (read again by OCR). No ORM here: see tests/e2e/conftest.py.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    path = tmp_path / "redacted.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename == "NWA-1 letter-before-action (redacted).pdf"
    text = subprocess.run(
        [shutil.which("pdftotext"), str(path), "-"], capture_output=True, check=True
    )
    words = text.stdout.decode()
    assert "We act for" not in words and "Northwind Intelligence, Inc." not in words
    assert "undertakings" in words
