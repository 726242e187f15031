"""The mapping page: the file's columns and first rows, the detected roles to confirm or
correct, the parameters; "Confirm and run" queues the run with what was confirmed."""

import csv
import io

import lxml.html
import pytest

from casemgr.access.models import Clearance
from casemgr.analysis.models import Analysis
from casemgr.evidence import storage
from tests.analysis import pages
from tests.evidence.pages import form_values


@pytest.fixture
def log_file(world, tmp_path):
    _, data = pages.log_csv(tmp_path, hostile=True)
    return pages.stored(world, data, name="api-logs.csv", kind="csv")


def test_the_exhibit_button_creates_an_analysis_and_opens_its_mapping(client, world, log_file):
    client.force_login(world.paralegal)
    page = client.get(log_file.exhibit.get_absolute_url()).content.decode()
    assert "Analyse as API log" in page and "Compare model outputs" not in page  # CSV only
    response = pages.create(client, log_file)
    analysis = Analysis.objects.get(source=log_file)
    assert (analysis.kind, analysis.status) == ("logs", "new")
    assert response.url == pages.url(analysis, "analysis_mapping")


def test_the_page_shows_the_detected_columns_and_the_first_rows_escaped(client, world, log_file):
    client.force_login(world.partner)
    pages.create(client, log_file)
    analysis = Analysis.objects.get(source=log_file)
    html = client.get(pages.url(analysis, "analysis_mapping")).content.decode()
    tree = lxml.html.fromstring(html)
    selected = {select.get("name"): select.value for select in tree.xpath("//main//select")}
    assert selected["role_timestamp"] == "request_time"
    assert selected["role_account"] == "api_key_id"
    assert selected["role_ip"] == "client_ip"
    headers = [th.text_content() for th in tree.xpath("//table[contains(@class,'sample')]//th")]
    assert headers[0].startswith("request_time") and "Time of the request" in headers[0]
    assert len(tree.xpath("//table[contains(@class,'sample')]/tbody/tr")) == 10
    assert tree.xpath("//textarea[@name='markers']")[0].text.strip()  # the default phrases
    assert tree.xpath("//input[@name='burst_threshold']")[0].get("value") == "5.0"
    assert "<script>" not in html.split("<main", 1)[1]


def test_a_corrected_mapping_is_saved_and_used(client, world, log_file, cache_dir):
    log_text = storage.default_storage.open(log_file.storage_key).read().decode()
    client.force_login(world.partner)
    pages.create(client, log_file)
    analysis = Analysis.objects.get(source=log_file)
    mapping_url = pages.url(analysis, "analysis_mapping")
    data = form_values(client.get(mapping_url).content.decode())
    data |= {"role_account": "org_id", "role_organisation": "", "timezone": "Asia/Shanghai"}
    data |= {"min_link_kinds": "3", "markers": "think step by step\nshow your reasoning\n"}
    response = client.post(mapping_url, data)
    assert response.status_code == 302 and response.url == pages.url(analysis)
    analysis.refresh_from_db()
    assert analysis.status == Analysis.Status.QUEUED
    assert analysis.mapping["roles"]["account"] == "org_id"
    assert analysis.mapping["timezone"] == "Asia/Shanghai"
    assert analysis.parameters["min_link_kinds"] == 3
    assert analysis.parameters["markers"] == ["think step by step", "show your reasoning"]
    pages.run(analysis, cache_dir)
    assert analysis.status == Analysis.Status.DONE, analysis.error
    assert analysis.results["mapping"]["roles"]["account"] == "org_id"
    assert analysis.results["parameters"]["min_link_kinds"] == 3
    # The organisations are the accounts now.
    organisations = {row["org_id"] for row in csv.DictReader(io.StringIO(log_text))}
    top = {row["account"] for row in analysis.results["volumes"]["top_accounts"]}
    assert top and top <= organisations


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"role_timestamp": ""}, "Choose the column that holds the timestamp."),
        ({"role_account": ""}, "Choose the column that holds the account."),
        ({"role_model": "api_key_id"}, "a column can play one role only"),
        ({"timezone": "Mars/Olympus"}, "is not a time zone casemgr knows"),
    ],
)
def test_a_mapping_that_cannot_work_is_refused_with_the_reason(
    client, world, log_file, changes, message
):
    client.force_login(world.partner)
    pages.create(client, log_file)
    analysis = Analysis.objects.get(source=log_file)
    mapping_url = pages.url(analysis, "analysis_mapping")
    data = form_values(client.get(mapping_url).content.decode()) | changes
    response = client.post(mapping_url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    analysis.refresh_from_db()
    assert analysis.status == Analysis.Status.NEW and analysis.mapping == {}


def test_a_detected_column_set_to_none_stays_unused_run_after_run(
    client, world, log_file, cache_dir
):
    client.force_login(world.partner)
    pages.create(client, log_file)
    analysis = Analysis.objects.get(source=log_file)
    mapping_url = pages.url(analysis, "analysis_mapping")
    data = form_values(client.get(mapping_url).content.decode())
    assert data["role_ip"] == "client_ip"  # detected by its name
    assert client.post(mapping_url, data | {"role_ip": ""}).status_code == 302
    pages.run(analysis, cache_dir)
    assert analysis.status == Analysis.Status.DONE, analysis.error
    assert "ip" not in analysis.results["mapping"]["roles"]
    assert not any(
        link["kind"] == "ip_prefix" for c in analysis.results["clusters"] for link in c["links"]
    )
    # Run again as saved: still no IP address column, and the page shows "none" for it.
    data = form_values(client.get(mapping_url).content.decode())
    assert data["role_ip"] == ""
    assert client.post(mapping_url, data).status_code == 302
    assert "ip" not in pages.run(analysis, cache_dir).results["mapping"]["roles"]


def test_output_pairs_need_no_mapping_confirming_runs_them(client, world, tmp_path, cache_dir):
    source = pages.stored(world, pages.pairs_jsonl(tmp_path), name="pairs.jsonl", kind="jsonl")
    client.force_login(world.partner)
    page = client.get(source.exhibit.get_absolute_url()).content.decode()
    assert "Analyse as API log" in page and "Compare model outputs" in page
    pages.create(client, source, "outputs")
    analysis = Analysis.objects.get(source=source)
    html = client.get(pages.url(analysis, "analysis_mapping")).content.decode()
    assert "nothing needs mapping" in html and "<select" not in html.split("<main", 1)[1]
    response = client.post(pages.url(analysis, "analysis_mapping"))
    assert response.url == pages.url(analysis)
    assert pages.run(analysis, cache_dir).status == Analysis.Status.DONE


def test_a_read_only_member_may_not_start_one(client, world, log_file):
    client.force_login(world.expert)
    page = client.get(log_file.exhibit.get_absolute_url()).content.decode()
    assert 'id="analysis"' in page and "Analyse as API log" not in page
    assert pages.create(client, log_file).status_code == 403
    assert not Analysis.objects.exists()


def test_an_exhibit_above_the_members_clearance_cannot_be_analysed_by_them(client, world, tmp_path):
    _, data = pages.log_csv(tmp_path)
    sealed = pages.stored(world, data, name="sealed.csv", kind="csv", designation=Clearance.AEO)
    client.force_login(world.paralegal)
    assert pages.create(client, sealed).status_code == 404
    assert not Analysis.objects.exists()
