"""Analyses through the API: created with a checked mapping, started, followed, cancelled,
their results read; seen by whoever may see the source exhibit, and by nobody else."""

from __future__ import annotations

import pytest

from casemgr.access.models import AuditAction, AuditEvent, Clearance
from casemgr.analysis.models import Analysis
from tests.analysis.stored import stored_file
from tests.factories import ExhibitFileFactory
from tests.openapi import check

LIST = "/api/analyses/"


def detail(analysis_id: int, action: str = "") -> str:
    return f"{LIST}{analysis_id}/" + (f"{action}/" if action else "")


@pytest.fixture
def log_file(world, tmp_path):
    """(truth, file) of a generated log with the planted ring, a standard exhibit."""
    return stored_file(world, tmp_path)


@pytest.fixture
def sealed_file(world, tmp_path):
    return stored_file(world, tmp_path, designation=Clearance.AEO)[1]


def create(client, source, **body):
    return client.post(LIST, {"source": source.pk, "kind": "logs", **body}, format="json")


def test_create_start_and_read_the_results(
    api, world, log_file, openapi, django_capture_on_commit_callbacks
):
    truth, source = log_file
    partner = api(world.partner)
    created = create(partner, source, mapping={"roles": {"account": "api_key_id"}})
    assert created.status_code == 201, created.json()
    check(openapi, created, request_too=True)
    body = created.json()
    assert (body["status"], body["source"], body["matter"]) == ("new", source.pk, world.matter.pk)
    assert body["sha256"] == source.sha256

    with django_capture_on_commit_callbacks(execute=True):  # the task runs as it is queued
        started = partner.post(detail(body["id"], "start"), {}, format="json")
    assert started.status_code == 202, started.json()
    check(openapi, started, request_too=True)

    followed = partner.get(detail(body["id"]))
    check(openapi, followed)
    assert {k: followed.json()[k] for k in ("status", "progress", "error", "attempts")} == {
        "status": "done",
        "progress": 1.0,
        "error": "",
        "attempts": 1,
    }
    results = partner.get(followed.json()["results_url"])
    assert results.status_code == 200
    check(openapi, results)
    read = results.json()
    assert read["results"]["flagged_accounts"] == sorted(truth.ring)
    assert read["sha256"] == source.sha256 and read["mapping"]["roles"]["account"] == "api_key_id"
    assert set(read["versions"]) >= {"engine", "duckdb"}


def test_while_queued_it_shows_its_status_and_has_no_results(
    api, world, log_file, openapi, django_capture_on_commit_callbacks
):
    _, source = log_file
    partner = api(world.partner)
    analysis_id = create(partner, source).json()["id"]
    with django_capture_on_commit_callbacks(execute=False):
        partner.post(detail(analysis_id, "start"), format="json")
    followed = partner.get(detail(analysis_id)).json()
    assert {k: followed[k] for k in ("status", "stage", "progress", "error")} == {
        "status": "queued",
        "stage": "",
        "progress": 0.0,
        "error": "",
    }
    assert followed["cancel_requested"] is False
    results = partner.get(detail(analysis_id, "results"))
    assert results.status_code == 409
    assert results.json() == {"detail": "No results: the analysis is queued."}
    check(openapi, results)
    again = partner.post(detail(analysis_id, "start"), format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "This analysis is already running; wait for it or cancel it."}


def test_cancel_a_queued_analysis(
    api, world, log_file, openapi, django_capture_on_commit_callbacks
):
    _, source = log_file
    partner = api(world.partner)
    analysis_id = create(partner, source).json()["id"]
    assert partner.post(detail(analysis_id, "cancel")).status_code == 409  # never started
    with django_capture_on_commit_callbacks(execute=False):
        partner.post(detail(analysis_id, "start"), format="json")
    cancelled = partner.post(detail(analysis_id, "cancel"))
    assert cancelled.status_code == 200
    check(openapi, cancelled)
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["error"] == "Cancelled before it finished."
    refused = partner.post(detail(analysis_id, "cancel"))
    assert refused.status_code == 409
    assert refused.json() == {"detail": "Only a queued or running analysis can be cancelled."}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"mapping": {"roles": {"colour": "api_key_id"}}},
            "mapping",
            "Unknown role 'colour'; roles are timestamp, account,",
        ),
        (
            {"mapping": {"roles": {"ip": "address"}}},
            "mapping",
            "No column 'address' for ip; columns are request_time, api_key_id,",
        ),
        ({"mapping": {"zone": "UTC"}}, "mapping", "Unknown key 'zone'"),
        ({"mapping": {"timezone": "Mars/Olympus"}}, "mapping", "Unknown time zone 'Mars/Olympus'"),
        ({"mapping": {"roles": ["account"]}}, "mapping", "Expected a dictionary"),
        ({"parameters": {"speed": 3}}, "parameters", "Unknown parameter 'speed'"),
        ({"parameters": {"burst_threshold": -1}}, "parameters", "burst_threshold: give a number"),
        ({"parameters": {"min_link_kinds": 2.5}}, "parameters", "min_link_kinds: give a whole"),
        ({"parameters": {"max_link_share": 2}}, "parameters", "max_link_share: give a fraction"),
        ({"parameters": {"markers": "think"}}, "parameters", "markers: give a list of phrases"),
        ({"parameters": []}, "parameters", "Give an object of names and values."),
        (
            {"kind": "outputs"},
            "source",
            "This kind of analysis (Model-output pairs) reads jsonl files",
        ),
    ],
)
def test_a_mapping_or_parameters_that_cannot_run_are_refused_with_the_reason(
    api, world, log_file, openapi, body, field, message
):
    _, source = log_file
    response = create(api(world.partner), source, **body)
    assert response.status_code == 400
    check(openapi, response)
    reasons = response.json()[field]
    assert any(message in reason for reason in _flat(reasons)), reasons
    assert not Analysis.objects.exists()


def _flat(reasons) -> list[str]:
    if isinstance(reasons, dict):
        return [r for value in reasons.values() for r in _flat(value)]
    return list(reasons) if isinstance(reasons, list) else [reasons]


def test_a_mapping_given_at_start_is_checked_too(
    api, world, log_file, django_capture_on_commit_callbacks
):
    _, source = log_file
    partner = api(world.partner)
    analysis_id = create(partner, source).json()["id"]
    with django_capture_on_commit_callbacks(execute=True) as sent:
        response = partner.post(
            detail(analysis_id, "start"), {"mapping": {"roles": {"ip": "nope"}}}, format="json"
        )
    assert response.status_code == 400 and "No column 'nope'" in response.json()["mapping"][0]
    assert sent == [] and Analysis.objects.get(pk=analysis_id).status == "new"


def test_a_file_that_is_not_a_log_is_refused(api, world):
    pdf = ExhibitFileFactory(exhibit__matter=world.matter, exhibit__created_by=world.partner)
    response = api(world.partner).post(LIST, {"source": pdf.pk, "kind": "logs"}, format="json")
    assert response.status_code == 400
    assert response.json()["source"] == [
        "This kind of analysis (API access log) reads csv or jsonl files; this file is pdf."
    ]


def test_an_expert_below_the_designation_finds_no_aeo_analysis(
    api, world, sealed_file, log_file, openapi
):
    partner = api(world.partner)
    sealed = create(partner, sealed_file).json()["id"]
    ordinary = create(partner, log_file[1]).json()["id"]
    for name in ("expert", "paralegal"):
        client = api(world.user(name))
        listed = client.get(LIST, {"matter": world.matter.pk})
        check(openapi, listed, request_too=True)
        assert [row["id"] for row in listed.json()["results"]] == [ordinary], name
        for action in ("", "results"):
            assert client.get(detail(sealed, action)).status_code == 404, (name, action)
        for action in ("start", "cancel"):
            assert client.post(detail(sealed, action), format="json").status_code == 404
        # Nor can a file above their clearance be named as a source.
        assert create(client, sealed_file).status_code == 404
    assert api(world.associate).get(detail(sealed)).status_code == 200  # AEO clearance


def test_a_read_only_member_follows_but_does_not_create_start_or_cancel(
    api, world, log_file, openapi
):
    _, source = log_file
    analysis_id = create(api(world.partner), source).json()["id"]
    expert = api(world.expert)
    assert expert.get(detail(analysis_id)).status_code == 200
    refused = create(expert, source)
    assert refused.status_code == 403
    check(openapi, refused)
    for action in ("start", "cancel"):
        assert expert.post(detail(analysis_id, action), format="json").status_code == 403
    assert Analysis.objects.get(pk=analysis_id).status == "new"
    assert Analysis.objects.count() == 1


def test_an_outsider_gets_nothing_and_is_audited(api, world, log_file, openapi):
    _, source = log_file
    analysis_id = create(api(world.partner), source).json()["id"]
    outsider = api(world.outsider)
    listed = outsider.get(LIST, {"matter": world.matter.pk})
    assert listed.status_code == 200 and listed.json()["results"] == []
    assert outsider.get(LIST).json()["count"] == 0
    refusals = [
        outsider.get(detail(analysis_id)),
        outsider.get(detail(analysis_id, "results")),
        outsider.post(detail(analysis_id, "start"), format="json"),
        outsider.post(detail(analysis_id, "cancel"), format="json"),
        create(outsider, source),
    ]
    assert [r.status_code for r in refusals] == [404] * 5
    check(openapi, refusals[0])
    # A missing id reads the same as one that is not theirs.
    assert outsider.get(detail(999999)).json() == refusals[0].json()
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED, actor=world.outsider)
    assert denied.count() == 5 and set(denied.values_list("matter", flat=True)) == {world.matter.pk}
    assert Analysis.objects.get(pk=analysis_id).status == "new"


def test_the_schema_documents_every_analysis_operation_and_its_refusals(spec):
    paths = spec["paths"]
    assert set(paths[LIST]) == {"get", "post"}
    assert set(paths["/api/analyses/{id}/"]) == {"get"}
    assert set(paths["/api/analyses/{id}/start/"]) == {"post"}
    assert set(paths["/api/analyses/{id}/cancel/"]) == {"post"}
    assert set(paths["/api/analyses/{id}/results/"]) == {"get"}
    assert {"201", "400", "403", "404"} <= set(paths[LIST]["post"]["responses"])
    for path, method in [("start", "post"), ("cancel", "post"), ("results", "get")]:
        responses = paths[f"/api/analyses/{{id}}/{path}/"][method]["responses"]
        assert {"403", "404", "409"} <= set(responses), path
    assert "400" in paths["/api/analyses/{id}/start/"]["post"]["responses"]
    created = spec["components"]["schemas"]["AnalysisCreateRequest"]["properties"]
    assert set(created) == {"source", "kind", "mapping", "parameters"}
