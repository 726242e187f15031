"""From a figure to what lies under it: a cluster's accounts, an account's requests (50 a
page, read from the Parquet copy, rebuilt from the stored file when it has gone)."""

from urllib.parse import quote

import lxml.html
import pytest

from casemgr.access.models import AuditAction, AuditEvent
from casemgr.analysis import requests, selectors, services
from tests.analysis import pages


@pytest.fixture
def analysis(world, tmp_path, cache_dir):
    truth, data = pages.log_csv(tmp_path, hostile=True, extra=120)
    source = pages.stored(world, data, name="api-logs.csv", kind="csv")
    done = pages.done(world, source, cache_dir)
    assert done.status == "done", done.error
    done.truth = truth
    return done


def _account_url(analysis, account, page=None):
    url = pages.url(analysis, "account") + "?account=" + quote(account, safe="")
    return url + (f"&page={page}" if page else "")


def _ring_cluster(analysis) -> int:
    return next(
        n
        for n, c in enumerate(analysis.results["clusters"], start=1)
        if set(analysis.truth.ring) <= set(c["accounts"])
    )


def test_a_cluster_lists_its_accounts_with_their_figures_and_why_they_are_flagged(
    client, world, analysis
):
    number = _ring_cluster(analysis)
    client.force_login(world.expert)
    overview = client.get(pages.url(analysis)).content.decode()
    assert pages.url(analysis, "cluster", cluster=number) in overview
    html = client.get(pages.url(analysis, "cluster", cluster=number)).content.decode()
    tree = lxml.html.fromstring(html)
    rows = {
        row.xpath("td[1]/a")[0].text_content(): [
            td.text_content().strip() for td in row.xpath("td")
        ]
        for row in tree.xpath("//table[@id='cluster-accounts']/tbody/tr")
    }
    assert set(analysis.truth.ring) <= set(rows)
    ring_1 = rows["ring-1"]
    figures = requests.accounts(selectors.log_parquet(analysis), ["ring-1"])["ring-1"]
    assert ring_1[1:4] == [f"{figures[k]:,}" for k in ("requests", "input_tokens", "output_tokens")]
    assert ring_1[4] == figures["first_seen"].strftime("%-d %b %Y %H:%M")
    assert f"in cluster {number}, with a bursting account" in ring_1[6]
    shared = [
        [td.text_content() for td in row.xpath("td")]
        for row in tree.xpath("//table[@id='cluster-links']/tbody/tr")
    ]
    assert ["Network", "203.0.113.0/24", "6", ", ".join(sorted(analysis.truth.ring))] in shared
    assert client.get(pages.url(analysis, "cluster", cluster=99)).status_code == 404


def test_an_accounts_requests_are_paged_fifty_at_a_time(client, world, analysis):
    client.force_login(world.partner)
    first = lxml.html.fromstring(client.get(_account_url(analysis, "steady-1")).content)
    assert len(first.xpath("//table[contains(@class,'requests')]/tbody/tr")) == 50
    assert "Rows 1–50 of 120" in first.text_content() and "Page 1 of 3" in first.text_content()
    assert first.xpath("//nav[@aria-label='Pages of requests']//a[.='Next']")
    third = lxml.html.fromstring(client.get(_account_url(analysis, "steady-1", 3)).content)
    assert len(third.xpath("//table[contains(@class,'requests')]/tbody/tr")) == 20
    assert "Rows 101–120 of 120" in third.text_content()
    past = client.get(_account_url(analysis, "steady-1", 9)).content.decode()
    assert "Page 3 of 3" in past
    seen = AuditEvent.objects.filter(action=AuditAction.VIEW, actor=world.partner)
    assert seen.filter(detail__account="steady-1", detail__analysis=analysis.pk).count() == 3


def test_the_requests_are_read_again_when_the_cache_has_gone(client, world, analysis, cache_dir):
    client.force_login(world.partner)
    before = client.get(_account_url(analysis, "ring-1")).content.decode()
    for copy in cache_dir.glob("*.parquet"):
        copy.unlink()
    assert not list(cache_dir.glob("*.parquet"))
    after = client.get(_account_url(analysis, "ring-1")).content.decode()
    assert list(cache_dir.glob("*.parquet"))
    table = "//table[contains(@class,'requests')]"
    assert lxml.html.fromstring(before).xpath(table)[0].text_content() == (
        lxml.html.fromstring(after).xpath(table)[0].text_content()
    )


def test_the_copy_the_run_made_is_the_one_the_pages_read(analysis, cache_dir):
    copies = set(cache_dir.glob("*.parquet"))
    assert services.default_cache_dir() == cache_dir
    assert selectors.log_parquet(analysis) in copies


def test_log_values_are_shown_as_text(client, world, analysis):
    client.force_login(world.partner)
    html = client.get(_account_url(analysis, pages.HOSTILE)).content.decode()
    main = html.split("<main", 1)[1]
    tree = lxml.html.fromstring(html)
    assert len(tree.xpath("//table[contains(@class,'requests')]/tbody/tr")) == 50
    assert "<script>" not in main and "&lt;script&gt;alert" in main
    assert tree.xpath("//h1")[0].text_content() == f"Account {pages.HOSTILE}"


def test_an_unfinished_analysis_has_nothing_to_drill_into(client, world, tmp_path):
    _, data = pages.log_csv(tmp_path)
    source = pages.stored(world, data, name="api-logs.csv", kind="csv")
    queued = services.analysis_create(source=source, kind="logs", created_by=world.partner)
    client.force_login(world.partner)
    assert client.get(pages.url(queued, "cluster", cluster=1)).status_code == 404
    assert client.get(_account_url(queued, "ring-1")).status_code == 404
