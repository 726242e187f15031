"""A paralegal builds a hearing bundle in headless Chromium: creates it, adds exhibits,
builds it on a real Celery worker while the page follows the progress, and downloads it;
and the bundle page on a tablet."""

import pikepdf
import pypdf
import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from casemgr import celery_app
from casemgr.bundles import services
from casemgr.bundles.models import Bundle, Version
from casemgr.evidence.demo import demo_exhibits_load
from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Matter
from tests.bundles.pages import footer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def demo_exhibits(demo_matter):
    demo_exhibits_load()  # renditions run as the exhibits are stored (tasks are eager here)


@pytest.fixture
def built_bundle(demo_exhibits) -> Bundle:
    """The demo CMC's bundle with three documents and a version built (tasks are eager
    here), as a paralegal leaves it; made before the browser starts (see conftest)."""
    matter = Matter.objects.get(reference="NWA-0042")
    paralegal = get_user_model().objects.get(username="paralegal")
    proceeding = matter.proceedings.get(case_number="IL-2026-000123")
    bundle = services.bundle_create(
        bundle=Bundle(
            matter=matter,
            proceeding=proceeding,
            hearing=proceeding.hearings.get(kind="cmc"),
            title="Bundle for the first case management conference",
        ),
        actor=paralegal,
    )
    section = bundle.sections.get(letter="D")
    for number in (1, 2, 3):
        exhibit = Exhibit.objects.get(matter=matter, prefix="NWA", number=number)
        services.entry_add(bundle=bundle, section=section, exhibit=exhibit, actor=paralegal)
    version = services.version_request(bundle=bundle, actor=paralegal)
    version.refresh_from_db()
    assert version.status == Version.Status.READY, version.error
    return bundle


def sign_in(page, live_server, username="paralegal"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Sign in").click()


def add_ticked(page, references: list[str], section: str) -> None:
    """Tick exhibits in the picker and add them to `section` in one go."""
    for reference in references:
        page.get_by_role("checkbox", name=f"Select {reference}").check()
    page.get_by_label("Add the ticked exhibits to").select_option(label=section)
    page.get_by_role("button", name="Add ticked exhibits").click()


def assert_within_width(locator, width: int) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box


@pytest.mark.worker
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
    add_ticked(page, ["NWA-1"], "D Documents")
    expect(page.locator(".messages")).to_contain_text("NWA-1 added to section D")
    page.get_by_role("link", name="Clear").click()
    # Several at once: the reply, and the e-mail thread with its attachment (both laid out
    # by casemgr, so their pages are the ones that used to carry a footer of their own).
    add_ticked(page, ["NWA-2", "NWA-3"], "D Documents")
    expect(page.locator(".messages")).to_contain_text("2 exhibits added to section D: NWA-2, NWA-3")
    add_ticked(page, ["NWA-5"], "C Witness statements and expert reports")
    contents = page.locator("#contents")
    expect(contents.locator(".bundle-entry[data-entry-id]")).to_have_count(4)
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
        # Every page carries one number, the bundle's: no exhibit reference and no "page X
        # of Y" of a document's own beside it.
        assert [footer(p) for p in pypdf.PdfReader(path).pages] == [[n] for n in labels]
        with document.open_outline() as outline:
            sections = [item.title for item in outline.root]
            documents = [child.title for item in outline.root for child in item.children]
    assert any(title.startswith("C") for title in sections)
    assert any("Response of Pellow Strand" in title for title in documents)
    assert documents.index(
        next(t for t in documents if "Response of Pellow Strand" in t)
    ) < documents.index(next(t for t in documents if "Letter before action to" in t))


def test_on_a_tablet_the_bundle_pages_actions_are_in_view_without_scrolling_sideways(
    live_server, built_bundle, page, tmp_path
):
    page.set_viewport_size(TABLET)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}{built_bundle.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(built_bundle.title)
    page.screenshot(path=tmp_path / "bundle-768.png", full_page=True)

    # Neither the page nor anything in it scrolls sideways: a control in a box that does is
    # out of sight with nothing to say it is there.
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    sideways = page.evaluate(
        """() => Array.from(document.querySelectorAll("main, main *"))
            .filter((e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX)
                           && e.scrollWidth > e.clientWidth + 1)
            .map((e) => e.tagName + "." + e.className)"""
    )
    assert sideways == []
    version = page.locator("#version-1")
    for control in (
        version.get_by_role("link", name="Download PDF"),
        version.get_by_role("button", name="Mark as served"),
        page.get_by_role("button", name="Build a new version"),
        page.get_by_role("checkbox", name="Select NWA-5"),
        page.get_by_label("Add the ticked exhibits to"),
        page.get_by_role("button", name="Add ticked exhibits"),
    ):
        assert_within_width(control, TABLET["width"])
