"""A paralegal builds a hearing bundle in headless Chromium: creates it, adds exhibits,
builds it on a real Celery worker while the page follows the progress, and downloads it."""

import pikepdf
import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import expect

from casemgr import celery_app
from casemgr.evidence.demo import demo_exhibits_load

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_exhibits(demo_matter):
    demo_exhibits_load()  # renditions run as the exhibits are stored (tasks are eager here)


def test_paralegal_builds_a_bundle_and_downloads_it(
    live_server, demo_exhibits, tasks_via_redis, page, tmp_path
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("paralegal")
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="NWA-0042").first.click()
    page.get_by_role("navigation", name="Matter").get_by_role("link", name="Bundles").click()
    page.get_by_role("link", name="New bundle").click()

    page.get_by_label("Title").fill("Bundle for the CMC on 12 March 2027")
    high_court = page.locator("#id_proceeding option", has_text="IL-2026-000123").inner_text()
    page.get_by_label("Proceeding").select_option(label=high_court)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bundle for the CMC on 12 March 2027")

    page.get_by_role("textbox", name="Search").fill("letter before action")
    page.get_by_role("button", name="Search").click()
    page.get_by_label("Section for NWA-1").select_option(label="D Documents")
    page.get_by_role("button", name="Add NWA-1").click()
    expect(page.locator(".messages")).to_contain_text("NWA-1 added to section D")
    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Section for NWA-2").select_option(label="D Documents")
    page.get_by_role("button", name="Add NWA-2").click()
    page.get_by_label("Section for NWA-5").select_option(
        label="C Witness statements and expert reports"
    )
    page.get_by_role("button", name="Add NWA-5").click()
    contents = page.locator("#contents")
    expect(contents.locator(".bundle-entry[data-entry-id]")).to_have_count(3)
    # The keyboard's way of ordering: NWA-2 goes above NWA-1.
    page.get_by_role("button", name="Move NWA-2 up").click()
    expect(contents.locator("[aria-label='Section D'] .bundle-entry").first).to_contain_text(
        "NWA-2"
    )

    page.get_by_role("button", name="Build the bundle").click()
    progress = page.locator(".build-progress")
    expect(progress).to_contain_text("Queued")  # no worker is running yet
    with start_worker(
        celery_app, pool="solo", queues=["bundles"], perform_ping_check=False, shutdown_timeout=10
    ):
        # The page polls and reloads itself when the build finishes.
        expect(page.locator("#version-1")).to_contain_text("Ready", timeout=60_000)
    expect(page.locator("#version-1").get_by_role("link", name="Download PDF")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith("Bundle A - v1.pdf")
    with pikepdf.open(path) as document:
        labels = [p.label for p in document.pages]
        assert labels == [str(n) for n in range(1, len(document.pages) + 1)]
        with document.open_outline() as outline:
            sections = [item.title for item in outline.root]
            documents = [child.title for item in outline.root for child in item.children]
    assert any(title.startswith("C") for title in sections)
    assert any("Response of Pellow Strand" in title for title in documents)
    assert documents.index(
        next(t for t in documents if "Response of Pellow Strand" in t)
    ) < documents.index(next(t for t in documents if "Letter before action to" in t))
