"""In Chromium, with the demo matter (its deadlines are dated from today, one of them two days
overdue and held by the associate): the partner sees it marked "Overdue" on the dashboard,
not among their own deadlines, and among their team's. And a hearing abroad names the
reader's own time as the court's is named."""

import re
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casemgr.deadlines.demo import demo_deadlines_load
from casemgr.matters.models import Court, Hearing, Proceeding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
OVERDUE_ITEM = "Serve list of issues for the CMC"


@pytest.fixture
def demo_deadlines(demo_matter):
    # Before the browser starts, like demo_matter (tests/e2e/conftest.py).
    demo_deadlines_load()


def test_a_partner_sees_overdue_work_on_the_dashboard_and_in_the_team_view(
    live_server, demo_deadlines, page
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("partner")
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Sign in").click()

    ahead = page.get_by_role("region", name="Overdue and next deadlines")
    row = ahead.get_by_role("row").filter(has_text=OVERDUE_ITEM)
    expect(row.locator(".deadline-state--overdue")).to_have_text("Overdue")
    expect(row).to_contain_text("by 2 days")
    expect(row).to_contain_text("NWA-0042")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-overdue.png"), full_page=True)

    page.get_by_role("link", name="My deadlines").first.click()
    expect(page.get_by_role("heading", name="My deadlines", exact=True)).to_be_visible()
    mine = page.get_by_role("region", name="My deadlines")
    expect(mine).not_to_contain_text(OVERDUE_ITEM)  # the associate's, not the partner's

    switch = page.get_by_role("navigation", name="Whose deadlines")
    switch.get_by_role("link", name="My team's").click()
    expect(page).to_have_url(re.compile(r"\?view=team$"))
    expect(switch.get_by_role("link", name="My team's")).to_have_attribute("aria-current", "page")
    team = page.get_by_role("region", name="My team's deadlines")
    row = team.get_by_role("row").filter(has_text=OVERDUE_ITEM)
    expect(row.locator(".deadline-state--overdue")).to_have_text("Overdue")
    expect(row).to_contain_text("Samuel Adeyemi-Clarke")
    page.screenshot(path=str(ARTIFACTS / "my-deadlines-team.png"), full_page=True)


@pytest.fixture
def beijing_hearing(demo_matter):
    """A hearing in the demo's Beijing court a month from now, at 09:30 there."""
    court = Court.objects.get(name="Beijing Intellectual Property Court")
    proceeding = Proceeding.objects.get(court=court)
    day = timezone.now().date() + timedelta(days=30)
    return Hearing.objects.create(
        proceeding=proceeding,
        kind=Hearing.Kind.OTHER,
        title="Exchange of evidence",
        starts_at=datetime.combine(day, time(9, 30), ZoneInfo("Asia/Shanghai")),
        venue="Tribunal 3",
    )


def test_the_readers_own_time_is_named_as_the_courts_is(live_server, beijing_hearing, page):
    # A reader in London, whatever this machine's zone.
    context = page.context.browser.new_context(timezone_id="Europe/London")
    london = context.new_page()
    london.goto(f"{live_server.url}/accounts/login/")
    london.get_by_label("Username").fill("partner")
    london.get_by_label("Password").fill("demo-pass-123")
    london.get_by_role("button", name="Sign in").click()

    row = london.get_by_role("region", name="Next hearings").get_by_role("row")
    row = row.filter(has_text="Exchange of evidence")
    there = beijing_hearing.starts_at.astimezone(ZoneInfo("Asia/Shanghai"))
    here = beijing_hearing.starts_at.astimezone(ZoneInfo("Europe/London"))
    offset = int(here.utcoffset().total_seconds() // 3600)
    expect(row).to_contain_text(f"{there:%H:%M} Shanghai (UTC+8)")
    expect(row.locator(".local-time")).to_have_text(
        f" ({here:%a} {here.day} {here:%b}, {here:%H:%M} London (UTC+{offset}) your time)"
    )
    context.close()
