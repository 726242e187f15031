"""A paralegal uploads in headless Chromium: a batch with two files stored and one refused,
and files dropped together numbered in the order they were dropped."""

import base64
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
    # Until the page has loaded, its script may not be listening yet: a file given to it
    # sooner would be missed.
    page.wait_for_url("**/exhibits/upload/", wait_until="load")

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
        expect(page.locator("[data-pdf-viewer] [data-status]")).to_have_text("Page 1 of 2")
    assert preview.value.status == 200
    assert preview.value.headers["content-type"] == "application/pdf"
    expect(page.locator("#exhibit-files")).to_contain_text("letter-before-action.pdf")


def test_files_dropped_together_are_numbered_in_drop_order_whichever_arrives_first(
    live_server,
    demo_matter,
    page,  # noqa: F811
):
    """Three files dropped at once; the first one's upload is held back until the other two
    are stored, as a large file would be. It still becomes the first of the three."""
    dropped = {
        "first.pdf": files.pdf(text="Dropped first"),
        "second.png": files.image("PNG", size=(64, 48)),
        "third.pdf": files.pdf(text="Dropped third"),
    }
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("paralegal")
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="NWA-0042").first.click()
    page.get_by_role("navigation", name="Matter").get_by_role("link", name="Exhibits").click()
    page.get_by_role("link", name="Upload files").click()
    # Until the page has loaded, its script may not be listening yet: a file given to it
    # sooner would be missed.
    page.wait_for_url("**/exhibits/upload/", wait_until="load")

    held = []

    def hold_the_first(route):
        if b'filename="first.pdf"' in (route.request.post_data_buffer or b""):
            held.append(route)
        else:
            route.continue_()

    page.route("**/exhibits/upload/", hold_the_first)
    transfer = page.evaluate_handle(
        """(dropped) => {
            const transfer = new DataTransfer();
            for (const [name, base64] of dropped) {
                const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
                transfer.items.add(new File([bytes], name));
            }
            return transfer;
        }""",
        [[name, base64.b64encode(content).decode()] for name, content in dropped.items()],
    )
    page.locator(".dropzone").dispatch_event("drop", {"dataTransfer": transfer})

    results = page.locator("#upload-results")
    expect(results.locator("tr.upload--stored")).to_have_count(2, timeout=30_000)
    assert len(held) == 1
    held[0].continue_()
    expect(results.locator("tr.upload--stored")).to_have_count(3, timeout=30_000)

    # The page shows the references the server now holds, those it first gave corrected…
    for name, reference in [
        ("first.pdf", "NWA-1"),
        ("second.png", "NWA-2"),
        ("third.pdf", "NWA-3"),
    ]:
        expect(results.locator("tr", has_text=name)).to_contain_text(reference)
    # …the matter's own prefix was the one offered…
    expect(page.get_by_label("Reference prefix")).to_have_value("NWA")
    # …and so does the details page, which lists them by reference.
    page.get_by_role("link", name="Fill in details for the new exhibits").click()
    rows = page.locator("table.bulk tbody tr")
    expect(rows).to_have_count(3)
    for n, (name, number) in enumerate(
        [("first.pdf", "1"), ("second.png", "2"), ("third.pdf", "3")]
    ):
        expect(rows.nth(n)).to_contain_text(name)
        expect(rows.nth(n).locator("input[name$='-number']")).to_have_value(number)
