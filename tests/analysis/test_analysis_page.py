"""The analysis page: progress while it runs, the reason when it fails, the figures with their
methods, the charts and the provenance when it is done; the matter's list of analyses."""

import lxml.html
import pytest

from casemgr.access.models import Clearance
from casemgr.analysis import services
from casemgr.analysis.models import Analysis
from tests.analysis import pages


@pytest.fixture
def ring_log(world, tmp_path):
    truth, data = pages.log_csv(tmp_path, hostile=True)
    source = pages.stored(world, data, name="api-logs.csv", kind="csv")
    return truth, source


def _main(response) -> str:
    return response.content.decode().split("<main", 1)[1]


def test_while_queued_the_page_follows_the_run_and_offers_cancel(client, world, ring_log):
    _, source = ring_log
    analysis = services.analysis_create(source=source, kind="logs", created_by=world.partner)
    services.analysis_start(analysis=analysis, actor=world.partner)
    client.force_login(world.partner)
    html = client.get(pages.url(analysis)).content.decode()
    tree = lxml.html.fromstring(html)
    (box,) = tree.xpath("//*[@data-status-url]")
    assert box.get("data-status-url") == pages.url(analysis, "analysis_status")
    assert tree.xpath("//progress") and "Queued: waiting for a worker" in html
    assert tree.xpath("//script[@src='/static/js/analysis.js']")
    assert not tree.xpath("//script[not(@src)]")  # no inline script under the CSP
    assert "Cancel" in tree.xpath("//div[contains(@class,'analysis-actions')]")[0].text_content()

    Analysis.objects.filter(pk=analysis.pk).update(status="running", stage="bursts", progress=0.65)
    state = client.get(pages.url(analysis, "analysis_status")).json()
    assert state == {
        "status": "running",
        "status_display": "Running",
        "stage": "bursts",
        "stage_display": "Looking for bursts",
        "percent": 65,
        "finished": False,
        "stalled": False,
    }
    response = client.post(pages.url(analysis, "analysis_cancel"))
    assert response.url == pages.url(analysis)
    analysis.refresh_from_db()
    assert analysis.cancel_requested


def test_a_cancelled_or_failed_run_shows_why_and_offers_to_run_it_again(client, world, ring_log):
    _, source = ring_log
    analysis = services.analysis_create(source=source, kind="logs", created_by=world.partner)
    services.analysis_start(analysis=analysis, actor=world.partner)
    client.force_login(world.partner)
    client.post(pages.url(analysis, "analysis_cancel"))
    html = client.get(pages.url(analysis)).content.decode()
    assert "The analysis was cancelled." in html and "Cancelled before it finished." in html
    Analysis.objects.filter(pk=analysis.pk).update(status="failed", error="No column for ip.")
    tree = lxml.html.fromstring(client.get(pages.url(analysis)).content)
    assert "No column for ip." in tree.xpath("//*[@role='alert']")[0].text_content()
    (again,) = tree.xpath("//a[normalize-space()='Run again']")
    assert again.get("href") == pages.url(analysis, "analysis_mapping")


def test_done_it_shows_the_flagged_ring_the_figures_their_methods_and_the_charts(
    client, world, ring_log, cache_dir
):
    truth, source = ring_log
    analysis = pages.done(world, source, cache_dir)
    assert analysis.status == Analysis.Status.DONE, analysis.error
    client.force_login(world.expert)
    html = _main(client.get(pages.url(analysis)))
    tree = lxml.html.fromstring(html)
    flagged = [a.text_content() for a in tree.xpath("//*[@id='flagged']//a[@class='account']")]
    assert set(truth.ring) <= set(flagged)
    totals = analysis.results["totals"]
    summary = tree.xpath("//*[@aria-labelledby='summary-title']")[0].text_content()
    for figure in (totals["rows"], totals["bad_rows"], totals["accounts"]):
        assert f"{figure:,}" in summary
    assert f"{totals['flagged_request_share'] * 100:.1f}%" in summary
    (reasons, examples) = tree.xpath("//*[@id='unreadable']//table")
    assert [[td.text_content() for td in tr.xpath("td")] for tr in reasons.xpath("tbody/tr")] == [
        [reason, f"{count:,}"] for reason, count in sorted(analysis.results["bad_reasons"].items())
    ]
    assert len(examples.xpath("tbody/tr")) == len(analysis.results["bad_examples"]) > 0
    for method in (
        analysis.results["volumes"]["method"],
        analysis.results["bursts"]["method"],
        analysis.results["clusters_method"],
        analysis.results["templates_method"],
    ):
        assert method.split(".")[0] in tree.text_content()
    assert len(tree.xpath("//figure[contains(@class,'chart')]/*[local-name()='svg']")) == 2
    assert tree.xpath("//table[@id='burst-windows']//tbody/tr")
    assert tree.xpath("//table[@id='cluster-table']//a[starts-with(normalize-space(), 'Cluster')]")
    assert tree.xpath("//table[@id='template-table']//tbody/tr")
    provenance = tree.xpath("//*[@id='provenance']")[0].text_content()
    assert source.sha256 in provenance and "api-logs.csv" in provenance
    assert "api_key_id" in provenance and "duckdb" in provenance
    assert (world.partner.get_full_name() or world.partner.username) in provenance
    assert tree.xpath("//div[contains(@class,'analysis-actions')]")  # where "Save report" goes
    # Every value from the log is text, never markup.
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_matter_list_and_the_exhibit_tab_show_only_what_the_member_may_see(
    client, world, tmp_path, cache_dir
):
    _, data = pages.log_csv(tmp_path)
    _, other = pages.log_csv(tmp_path, seed=22)
    open_file = pages.stored(world, data, name="open.csv", kind="csv", title="Open API log")
    sealed_file = pages.stored(
        world,
        other,
        name="sealed.csv",
        kind="csv",
        designation=Clearance.AEO,
        title="Sealed API log",
    )
    shown = pages.done(world, open_file, cache_dir)
    sealed = pages.done(world, sealed_file, cache_dir)
    assert sealed.status == Analysis.Status.DONE, sealed.error
    listing = f"/matters/{world.matter.pk}/analyses/"

    client.force_login(world.partner)
    page = client.get(listing).content.decode()
    assert "Open API log" in page and "Sealed API log" in page
    assert f"{len(sealed.results['flagged_accounts'])} of {sealed.results['accounts']}" in page
    nav = lxml.html.fromstring(page).xpath("//nav[@aria-label='Matter']//a[@class='is-active']")
    assert [a.text_content() for a in nav] == ["Analyses"]

    client.force_login(world.expert)
    page = client.get(listing).content.decode()
    assert "Open API log" in page and "Sealed API log" not in page
    for name in ("analysis", "analysis_status"):
        assert client.get(pages.url(sealed, name)).status_code == 404
    assert client.get(pages.url(sealed, "cluster", cluster=1)).status_code == 404
    assert client.get(pages.url(sealed, "account") + "?account=ring-1").status_code == 404
    assert client.get(sealed_file.exhibit.get_absolute_url()).status_code == 404
    tab = client.get(open_file.exhibit.get_absolute_url()).content.decode()
    assert pages.url(shown) in tab and pages.url(sealed) not in tab

    client.force_login(world.outsider)
    assert client.get(listing).status_code == 404
    assert client.get(pages.url(shown)).status_code == 404
