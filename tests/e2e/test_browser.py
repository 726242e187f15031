"""A paralegal's first visit, in headless Chromium (Debian's package) against a live server."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


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
