"""An analysis in headless Chromium: the page follows a queued run (static script, strict
CSP) and shows the results once the worker has finished; its tables sort by a click; and the
partner's whole round, on a real worker: mapping confirmed, progress watched, the ring
opened, the report saved as an exhibit and a figure of it pinned to an allegation."""

import re
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from django.db import connection
from playwright.sync_api import expect

from casemgr import celery_app
from casemgr.analysis import services
from casemgr.matters.models import Matter
from tests.analysis import pages
from tests.analysis.stored import write_large_csv
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


@pytest.fixture
def large_log(demo_matter, tmp_path, monkeypatch):
    """A log exhibit of the demo matter busy enough (about 400,000 rows) for a run to last
    several of the page's polls, with the planted ring; made before the browser starts."""
    monkeypatch.setattr(services, "default_cache_dir", lambda: tmp_path / "cache")
    path = tmp_path / "large-logs.csv"
    truth = write_large_csv(path, seed=21, bulk_rows=400_000)
    source = pages.stored(
        _World(), path.read_bytes(), name="api-logs.csv", kind="csv", title="Full API access log"
    )
    return truth, source


@pytest.mark.worker
def test_partner_analyses_a_log_opens_the_ring_saves_the_report_and_pins_a_figure(
    live_server, large_log, tasks_via_redis, page
):
    truth, source = large_log
    sign_in(page, live_server, "partner")
    page.goto(live_server.url + source.exhibit.get_absolute_url())
    page.get_by_role("button", name="Analyse as API log").click()

    # The mapping page: the detected columns over the file's own rows; confirm them.
    expect(page.get_by_role("heading", level=1)).to_contain_text("confirm and run")
    expect(page.get_by_label("Account (API key)")).to_have_value("api_key_id")
    expect(page.locator("table").last).to_contain_text("api_key_id")
    page.get_by_role("button", name="Confirm and run").click()
    progress = page.locator(".analysis-progress__text")
    expect(progress).to_contain_text("Queued")  # no worker yet

    with start_worker(
        celery_app, pool="solo", queues=["analysis"], perform_ping_check=False, shutdown_timeout=10
    ):
        # Seen while it runs: the stage in words and the share done ("Reading the file – 0%").
        expect(progress).to_contain_text(re.compile(r" – \d+%"), timeout=60_000)
        expect(page.get_by_role("heading", name="Flagged accounts")).to_be_visible(timeout=90_000)
    flagged = page.locator("#flagged-accounts, section:has(h2:text('Flagged accounts'))").first
    for account in truth.ring:
        expect(flagged).to_contain_text(account)

    # The ring: its cluster, and the links that tie it.
    page.locator("#cluster-table").get_by_role("link", name="Cluster 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{len(truth.ring)} linked")
    for account in truth.ring:
        expect(page.get_by_role("link", name=account, exact=True).first).to_be_visible()
    page.go_back()

    page.get_by_role("button", name="Save report as exhibit").click()
    expect(page.locator(".messages")).to_contain_text("The report is exhibit")
    report_reference = page.get_by_role("heading", level=1).inner_text()
    page.go_back()
    page.reload()
    figure_1 = page.locator("#id_label option", has_text="Figure 1.").inner_text()
    page.get_by_label("Figure or table").select_option(label=figure_1)
    page.get_by_label("Allegation").select_option(index=1)
    page.get_by_role("button", name="Pin to the allegation").click()
    expect(page.locator(".messages")).to_contain_text("Figure 1 (page")
    expect(page.locator("main")).to_contain_text(report_reference.split()[0])
