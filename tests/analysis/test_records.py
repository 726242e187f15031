"""An Analysis of a stored exhibit file: run from the stored bytes, kept with its versions,
seen only by those who may see the source exhibit."""

import pytest

from casemgr.access.models import AuditAction, AuditEvent, Clearance
from casemgr.analysis import services
from casemgr.analysis.models import Analysis
from casemgr.evidence import storage
from tests.analysis.stored import stored_file
from tests.factories import ExhibitFileFactory


@pytest.mark.django_db
def test_run_keeps_results_mapping_and_versions(world, tmp_path):
    truth, source = stored_file(world, tmp_path)
    analysis = services.analysis_create(source=source, kind="logs", created_by=world.partner)
    assert (analysis.status, analysis.sha256, analysis.matter) == (
        "new",
        source.sha256,
        world.matter,
    )
    services.analysis_run(analysis=analysis, cache_dir=tmp_path / "cache")
    analysis.refresh_from_db()
    assert analysis.status == Analysis.Status.DONE and analysis.error == ""
    assert analysis.results["flagged_accounts"] == sorted(truth.ring)
    assert analysis.mapping["roles"]["account"] == "api_key_id"
    assert analysis.parameters["min_link_kinds"] == 2
    assert set(analysis.versions) == {"engine", "duckdb", "datasketch", "rapidfuzz", "scipy"}
    first = analysis.results
    services.analysis_run(analysis=analysis, cache_dir=tmp_path / "other-cache")
    analysis.refresh_from_db()
    assert analysis.results == first


@pytest.mark.django_db
def test_corrected_mapping_is_used_and_a_wrong_one_fails_the_run(world, tmp_path):
    _, source = stored_file(world, tmp_path)
    analysis = services.analysis_create(
        source=source,
        kind="logs",
        created_by=world.partner,
        mapping={"roles": {"account": "org_id"}},
    )
    services.analysis_run(analysis=analysis, cache_dir=tmp_path / "cache")
    assert analysis.status == Analysis.Status.DONE
    assert analysis.mapping["roles"]["account"] == "org_id"
    assert "organisation" not in analysis.mapping["roles"]

    misread = services.analysis_create(source=source, kind="logs", created_by=world.partner)
    misread.mapping = {"roles": {"timestamp": "status", "account": "api_key_id"}}
    services.analysis_run(analysis=misread, cache_dir=tmp_path / "cache")
    assert misread.status == Analysis.Status.DONE
    # Every row is unreadable and counted so, none dropped.
    assert misread.results["bad_reasons"] == {"timestamp unreadable": misread.results["rows"]}

    wrong = services.analysis_create(
        source=source, kind="logs", created_by=world.partner, mapping={"roles": {"ip": "nope"}}
    )
    services.analysis_run(analysis=wrong, cache_dir=tmp_path / "cache")
    wrong.refresh_from_db()
    assert wrong.status == Analysis.Status.FAILED
    assert "no column 'nope' for ip" in wrong.error and wrong.results == {}


@pytest.mark.django_db
def test_only_csv_or_json_lines_are_read(world):
    pdf = ExhibitFileFactory(exhibit__matter=world.matter, exhibit__created_by=world.partner)
    with pytest.raises(ValueError, match="this file is pdf"):
        services.analysis_create(source=pdf, kind="logs", created_by=world.partner)


@pytest.mark.django_db
def test_seen_by_whoever_may_see_the_source(world, tmp_path):
    _, source = stored_file(world, tmp_path, designation=Clearance.AEO)
    analysis = services.analysis_create(source=source, kind="logs", created_by=world.partner)
    visible = {
        name: Analysis.objects.visible_to(getattr(world, name)).filter(pk=analysis.pk).exists()
        for name in ("partner", "associate", "paralegal", "expert", "client", "outsider")
    }
    assert visible == {
        "partner": True,
        "associate": True,
        "paralegal": False,
        "expert": False,
        "client": False,
        "outsider": False,
    }


@pytest.mark.django_db
def test_a_run_that_cannot_finish_ends_failed_with_the_reason_never_left_new(world, tmp_path):
    _, source = stored_file(world, tmp_path)
    # A zone DuckDB does not know fails inside the engine, not in the mapping's checks.
    analysis = services.analysis_create(
        source=source,
        kind="logs",
        created_by=world.partner,
        mapping={"timezone": "Mars/Olympus_Mons"},
    )
    services.analysis_run(analysis=analysis, cache_dir=tmp_path / "cache")
    analysis.refresh_from_db()
    assert analysis.status == Analysis.Status.FAILED
    assert analysis.error


@pytest.mark.django_db
def test_a_stored_file_that_no_longer_matches_its_hash_is_not_analysed_and_is_audited(
    world, tmp_path
):
    _, source = stored_file(world, tmp_path)
    with storage.default_storage.open(source.storage_key, "wb") as handle:
        handle.write(b"timestamp,api_key_id\n2026-01-01T00:00:00Z,changed\n")
    analysis = services.analysis_create(source=source, kind="logs", created_by=world.partner)
    services.analysis_run(analysis=analysis, cache_dir=tmp_path / "cache")
    analysis.refresh_from_db()
    assert analysis.status == Analysis.Status.FAILED
    assert "no longer matches its SHA-256" in analysis.error
    assert AuditEvent.objects.filter(
        action=AuditAction.INTEGRITY_FAILED, matter=world.matter
    ).exists()
