"""A paralegal's first visit, in headless Chromium (Debian's package) against a live server."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from casemgr.matters.demo import demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def demo_matter():
    # Before the browser starts: ORM calls made while Playwright's loop runs in this thread
    # would open a connection in another async context, left open past the test.
    demo_load(password="demo-pass-123")


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread, which makes Django refuse ORM
    # calls here (the test database teardown among them); the live server's threads are
    # unaffected. Scoped to this fixture so nothing else inherits it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def test_paralegal_signs_in_sees_parties_and_allegations_and_signs_out(
    live_server, demo_matter, page
):
    csp_violations = []
    page.on("console", lambda msg: msg.type == "error" and csp_violations.append(msg.text))

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("paralegal")
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="My matters")).to_be_visible()
    page.get_by_role("link", name="NWA-0042").first.click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    page.get_by_role("navigation", name="Matter").get_by_role("link", name="Parties").click()
    parties = page.locator("#parties")
    expect(parties).to_contain_text("Jadeport Commerce (UK) Ltd")
    expect(parties).to_contain_text("Northwind Intelligence")
    expect(page.locator("#people")).to_be_visible()

    # Adding a party: a missing field is explained, what was typed is kept, then it saves.
    page.get_by_role("link", name="Add party").click()
    page.get_by_label("Name").fill("Cirrus Relay Networks Ltd")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the highlighted")
    expect(page.get_by_label("Name")).to_have_value("Cirrus Relay Networks Ltd")
    page.get_by_label("Role").select_option("non_party")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Party “Cirrus Relay Networks Ltd” added.")
    expect(page.locator("#parties")).to_contain_text("Cirrus Relay Networks Ltd")

    page.get_by_role("navigation", name="Matter").get_by_role("link", name="Claims").click()
    expect(page.get_by_role("heading", name="Claims & allegations")).to_be_visible()
    expect(page.locator("table.allegations").first).to_contain_text("Denied")
    # Sorting by clicking a column header, as a keyboard user would.
    header = page.locator("table.allegations").first.get_by_role("button", name="Pleaded response")
    header.focus()
    page.keyboard.press("Enter")
    expect(page.locator("table.allegations th[aria-sort]").first).to_have_attribute(
        "aria-sort", "ascending"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "claims.png"), full_page=True)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert not [m for m in csp_violations if "Content Security Policy" in m]
