"""The timeline in headless Chromium, on the demo matter: filter by one allegation, open an
exhibit at its pinpoint, export the chronology as a PDF, and add an event inline, link
evidence to it, change the link and remove it; every export is found where a user looks for
it."""

import csv
import io
import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from casemgr.deadlines.demo import demo_deadlines_load
from casemgr.evidence.demo import demo_exhibits_load
from casemgr.matters.models import Matter
from casemgr.pleadings.models import Allegation
from casemgr.timeline.demo import demo_chronology_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_timeline(demo_matter):
    """NWA-0042 with its exhibits (renditions made: tasks run eagerly), deadlines and
    chronology, loaded before the browser starts (see conftest.demo_matter)."""
    demo_exhibits_load()
    demo_deadlines_load()
    demo_chronology_load()
    matter = Matter.objects.get(reference="NWA-0042")
    paragraph_16 = Allegation.objects.get(
        claim__proceeding__matter=matter,
        claim__proceeding__case_number="IL-2026-000123",
        paragraph="16",
    )
    events = list(paragraph_16.events.values_list("title", flat=True))
    connection.close()  # the live server's threads use their own
    return matter, paragraph_16, events


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Sign in").click()


def test_filter_open_at_pinpoint_and_export(live_server, demo_timeline, page, tmp_path):
    matter, paragraph_16, events = demo_timeline
    sign_in(page, live_server, "associate")
    page.get_by_role("link", name="NWA-0042").first.click()
    page.get_by_role("navigation", name="Matter").get_by_role("link", name="Timeline").click()
    entries = page.locator("#chronology article.entry")
    expect(entries.first).to_be_visible()
    assert entries.count() > len(events)

    # Filter by one allegation: only its events, and the filter kept in the address.
    page.get_by_label("Allegation", exact=True).select_option(str(paragraph_16.pk))
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(rf"[?&]allegation={paragraph_16.pk}(&|$)"))
    expect(entries).to_have_count(len(events))
    shown = entries.locator(".entry__title").all_inner_texts()
    assert sorted(shown) == sorted(events)
    for n in range(len(events)):
        expect(entries.nth(n).locator(".entry__allegations")).to_contain_text("¶16")

    # Export the chronology, filtered as shown, as a PDF.
    with page.expect_download() as download:
        page.get_by_role("link", name="Chronology (PDF)").click()
    saved = tmp_path / "chronology.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    assert f"allegation={paragraph_16.pk}" in download.value.url

    # Open an exhibit at its pinpoint: the preview of its file, at the page cited.
    pin = entries.locator("a.evidence__ref[href*='/preview.pdf#page=']").first
    href = pin.get_attribute("href")
    wanted_page = re.search(r"#page=(\d+)$", href).group(1)
    with page.expect_response(re.compile(r"/preview\.pdf$")) as preview:
        pin.click()
    assert preview.value.status == 200
    assert preview.value.headers["content-type"] == "application/pdf"
    expect(page).to_have_url(re.compile(rf"/preview\.pdf#page={wanted_page}$"))


def download_from(page, link_name, saved):
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).click()
    download.value.save_as(saved)
    return download.value.url, saved.read_bytes()


def test_every_export_is_linked_where_a_user_looks(live_server, demo_timeline, page, tmp_path):
    """The chronology on the timeline (PDF and CSV, as filtered), the dramatis personae with
    the people, the list of issues with the claims: nobody should need the README's addresses."""
    matter, paragraph_16, events = demo_timeline
    sign_in(page, live_server, "associate")
    nav = page.get_by_role("navigation", name="Matter")
    page.goto(f"{live_server.url}/matters/{matter.pk}/timeline/?allegation={paragraph_16.pk}")

    url, body = download_from(page, "Chronology (CSV)", tmp_path / "chronology.csv")
    assert f"allegation={paragraph_16.pk}" in url
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == len(events) + 1  # the header, then the filtered events only
    assert all(any(title in row for row in rows[1:]) for title in events)

    nav.get_by_role("link", name="Parties").click()
    _, body = download_from(page, "Dramatis personae (PDF)", tmp_path / "people.pdf")
    assert body.startswith(b"%PDF-")

    nav.get_by_role("link", name="Claims").click()
    _, body = download_from(page, "List of issues (PDF)", tmp_path / "issues.pdf")
    assert body.startswith(b"%PDF-")


def test_add_an_event_and_link_evidence_inline_by_keyboard(live_server, demo_timeline, page):
    matter, _, _ = demo_timeline
    sign_in(page, live_server, "associate")
    page.goto(f"{live_server.url}/matters/{matter.pk}/timeline/")
    add = page.get_by_role("link", name="Add event")
    add.click()
    form = page.get_by_role("form", name="New event")
    expect(form).to_be_visible()
    expect(form.get_by_label("Title")).to_be_focused()
    # Esc cancels and gives focus back to the button.
    page.keyboard.press("Escape")
    expect(form).to_have_count(0)
    expect(add).to_be_focused()

    add.click()
    form = page.get_by_role("form", name="New event")
    form.get_by_label("Title").fill("Second wave of accounts detected")
    form.get_by_label("Date", exact=True).fill("2025-12-02")
    form.get_by_label("Agreed or disputed").select_option("disputed")
    form.get_by_role("button", name="Add event").click()
    added = page.locator("article.entry", has_text="Second wave of accounts detected")
    expect(added).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text("added")
    assert "/timeline/events/" not in page.url  # never left the page

    added.get_by_role("link", name=re.compile("Link evidence")).click()
    link_form = added.get_by_role("form", name="Link evidence to this event")
    expect(link_form.get_by_label("Exhibit", exact=True)).to_be_focused()
    exhibit = link_form.get_by_label("Exhibit", exact=True)
    exhibit.select_option(exhibit.locator("option", has_text="NWA-3 ·").get_attribute("value"))
    link_form.get_by_label("Pages").fill("1")
    link_form.get_by_role("button", name="Link exhibit").click()
    added = page.locator("article.entry", has_text="Second wave of accounts detected")
    expect(added.locator(".evidence__ref")).to_contain_text("NWA-3")
    expect(added).to_be_focused()

    # Change its stance, then unpin it: the entry is redrawn in place each time.
    added.get_by_role("link", name="Edit the link to NWA-3").click()
    edit_form = added.get_by_role("form", name="Edit the link to NWA-3")
    expect(edit_form.get_by_label("File")).to_be_focused()
    edit_form.get_by_label("Stance").select_option("contradicts")
    edit_form.get_by_role("button", name="Save link").click()
    expect(added.locator(".evidence .stance")).to_have_text(re.compile("contradicts", re.I))
    # Removing asks first (the click waits for the answer, so it is given as it comes).
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    added.get_by_role("button", name="Remove the link to NWA-3").click()
    expect(added.locator(".evidence__ref")).to_have_count(0)
    assert asked and "Remove NWA-3 from “Second wave of accounts detected”?" in asked[0]
    expect(added).to_contain_text("Second wave of accounts detected")


def test_the_gaps_page_fits_a_laptop_screen(live_server, demo_timeline, page):
    """At 1366 px every "Pin evidence" is inside its card and an allegation reads as lines of
    text, not a column of four words."""
    matter, _, _ = demo_timeline
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "associate")
    page.goto(f"{live_server.url}/matters/{matter.pk}/timeline/gaps/")
    card = page.locator("section[aria-labelledby=gap-allegations]")
    card_box = card.bounding_box()
    pins = card.get_by_role("link", name=re.compile(r"^Pin evidence"))
    assert pins.count() > 5
    for n in range(pins.count()):
        box = pins.nth(n).bounding_box()
        assert box["x"] + box["width"] <= card_box["x"] + card_box["width"], pins.nth(n)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    text_cell = card.locator("tbody tr").first.locator("td").nth(2)
    assert text_cell.bounding_box()["width"] >= 400
