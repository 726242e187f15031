"""An analysis in headless Chromium: the page follows a queued run (static script, strict
CSP) and shows the results once the worker has finished; its tables sort by a click."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from playwright.sync_api import expect

from casemgr.analysis import services
from casemgr.matters.models import Matter
from tests.analysis import pages
from tests.e2e.test_bundles_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class _World:
    def __init__(self):
        self.matter = Matter.objects.get(reference="NWA-0042")
        self.partner = get_user_model().objects.get(username="partner")


@pytest.fixture
def queued(demo_matter, tmp_path, monkeypatch):
    """A log analysis queued by the partner of the demo matter, made before the browser
    starts (see conftest); its run waits for the test to play the worker."""
    monkeypatch.setattr(services, "default_cache_dir", lambda: tmp_path / "cache")
    # Tasks run where they are queued in the tests; here the test plays the worker, later.
    monkeypatch.setattr(services, "_queue", lambda task, analysis_id: None)
    world = _World()
    _, data = pages.log_csv(tmp_path, hostile=True)
    source = pages.stored(world, data, name="api-logs.csv", kind="csv", title="API access log")
    analysis = services.analysis_create(source=source, kind="logs", created_by=world.partner)
    services.analysis_start(analysis=analysis, actor=world.partner)
    return analysis


def play_the_worker(analysis_id, cache_dir) -> None:
    """Run the analysis in a thread of its own, as a worker would, and close its connection
    (ORM calls in this thread, where Playwright's loop runs, would leave one open)."""

    def work():
        try:
            services.analysis_execute(analysis_id, cache_dir=cache_dir)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()


def test_the_page_follows_the_run_and_shows_the_results(live_server, queued, page, tmp_path):
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    sign_in(page, live_server, "partner")
    page.goto(live_server.url + pages.url(queued))
    expect(page.get_by_role("status")).to_contain_text("Queued")
    play_the_worker(queued.pk, tmp_path / "cache")
    expect(page.get_by_role("heading", name="Flagged accounts")).to_be_visible(timeout=20_000)
    expect(page.locator("#volumes figure svg").first).to_be_visible()
    header = page.locator("#top-accounts thead th").nth(1)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    requests = page.locator("#top-accounts tbody tr td:nth-child(2)").all_inner_texts()
    counts = [int(n.replace(",", "")) for n in requests]
    assert counts == sorted(counts) and max(counts) >= 1000  # "10,679" sorts as a number
    assert refused == []
