"""In Chromium: an associate records particulars served by e-mail at 16:45 on a Friday and
sees the acknowledgment and defence deadlines with their citations."""

import pytest

from casemgr.matters.models import Proceeding

pytestmark = pytest.mark.django_db(transaction=True)


def test_associate_records_a_late_friday_email_service(live_server, demo_matter, page):
    proceeding = Proceeding.objects.get(case_number="IL-2026-000123")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("associate")
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}{proceeding.get_absolute_url()}")
    page.get_by_role("link", name="Record a trigger").click()
    page.get_by_label("Event").select_option(label="Particulars of claim served")
    page.get_by_label("When").fill("2026-11-27T16:45")
    page.get_by_label("Service method").select_option(value="email")
    page.get_by_role("button", name="Save and compute deadlines").click()

    trigger = page.locator("article.trigger", has_text="27 Nov 2026")
    rows = trigger.locator("table tbody tr")
    acknowledgment = rows.filter(has_text="Acknowledgment of service")
    defence = rows.filter(has_text="Defence")
    # Deemed served Monday 30 November (after 4.30pm on a Friday); 14 days on.
    assert "Mon 14 Dec 2026" in acknowledgment.inner_text()
    assert "CPR 10.3(1)(a)" in acknowledgment.inner_text()
    assert "Mon 14 Dec 2026" in defence.inner_text()
    assert "CPR 15.4(1)(a)" in defence.inner_text()
    assert "30 Nov" in acknowledgment.inner_text()
