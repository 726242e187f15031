"""A paralegal uploads a batch in headless Chromium: two files stored, one refused."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.evidence import files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def batch(tmp_path) -> list[Path]:
    made = {
        "letter-before-action.pdf": files.pdf(pages=2, text="Letter before action"),
        "usage-dashboard.png": files.image("PNG", size=(640, 360)),
        "installer.pdf": b"MZ" + b"\0" * 4096,  # an executable dressed up as a PDF
    }
    for name, content in made.items():
        (tmp_path / name).write_bytes(content)
    return [tmp_path / name for name in made]


def test_paralegal_uploads_a_batch_fills_in_a_reference_and_previews(
    live_server,
    demo_matter,
    batch,
    page,  # noqa: F811
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("paralegal")
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="NWA-0042").first.click()
    page.get_by_role("navigation", name="Matter").get_by_role("link", name="Exhibits").click()
    page.get_by_role("link", name="Upload files").click()

    page.get_by_label("Reference prefix").fill("CM")
    page.locator("#upload-input").set_input_files([str(path) for path in batch])
    results = page.locator("#upload-results")
    expect(results.locator("tr.upload--stored")).to_have_count(2, timeout=30_000)
    expect(results.locator("tr.upload--rejected")).to_have_count(1)
    expect(results.locator("tr.upload--rejected")).to_contain_text("installer.pdf")
    expect(results.locator("tr.upload--rejected")).to_contain_text("not accepted")

    page.get_by_role("link", name="Fill in details for the new exhibits").click()
    letter = page.locator("table.bulk tr", has_text="letter-before-action.pdf")
    letter.locator("input[name$='-title']").fill("Letter before action, 12 January 2026")
    letter.locator("input[name$='-number']").fill("7")
    page.get_by_role("button", name="Save all").click()
    expect(page.get_by_role("status")).to_contain_text("exhibits saved")
    expect(page.locator("#exhibits")).to_contain_text("CM-7")

    page.get_by_role("link", name="CM-7").click()
    with page.expect_response(re.compile(r"/preview\.pdf$")) as preview:
        expect(page.locator("iframe.preview")).to_be_visible()
    assert preview.value.status == 200
    assert preview.value.headers["content-type"] == "application/pdf"
    expect(page.locator("#exhibit-files")).to_contain_text("letter-before-action.pdf")
