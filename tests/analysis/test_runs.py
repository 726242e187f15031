"""The run of an analysis: queued once the request commits, claimed with a token, finished
once; cancelled at once while queued and at the next progress report while running; a run
that lost its claim, kept failing or ran out of time ends the way the member is told."""

from __future__ import annotations

import threading

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from kombu.exceptions import OperationalError

from casemgr.analysis import logs, services, tasks
from casemgr.analysis.models import Analysis
from tests.analysis.stored import stored_file


@pytest.fixture
def planted(world, tmp_path):
    """(truth, analysis) of a generated log, queued (its task not yet sent)."""
    truth, source = stored_file(world, tmp_path)
    analysis = services.analysis_create(source=source, kind="logs", created_by=world.partner)
    return truth, analysis


def start(analysis, actor, capture, *, execute=False):
    with capture(execute=execute) as sent:
        services.analysis_start(analysis=analysis, actor=actor)
    return sent


def execute(analysis, tmp_path) -> str:
    return services.analysis_execute(analysis.pk, cache_dir=tmp_path / "cache")


@pytest.fixture
def engine_hook(monkeypatch):
    """`engine_hook(before)`: the engine's progress reports go through `before(stage)` on
    their way to the run's own progress (which records them, and stops a cancelled run)."""
    seen: list[str] = []

    def install(before=None):
        real = logs.analyse

        def analyse(*args, progress, **kwargs):
            def hooked(stage, fraction):
                seen.append(stage)
                if before is not None:
                    before(stage)
                progress(stage, fraction)

            return real(*args, progress=hooked, **kwargs)

        monkeypatch.setattr(logs, "analyse", analyse)
        # Every report reaches the database, however quick the run.
        monkeypatch.setattr(services, "PROGRESS_EVERY_SECONDS", 0)
        return seen

    return install


def test_start_queues_the_run_once_the_request_commits(
    world, planted, monkeypatch, django_capture_on_commit_callbacks
):
    _, analysis = planted
    sent = []
    monkeypatch.setattr(tasks.run_analysis, "delay", sent.append)
    callbacks = start(analysis, world.partner, django_capture_on_commit_callbacks)
    assert sent == []  # nothing goes to the broker before the row it names is committed
    assert (analysis.status, analysis.progress, analysis.attempts) == ("queued", 0.0, 0)
    for callback in callbacks:
        callback()
    assert sent == [analysis.pk]


def test_execute_runs_to_done_with_progress_and_results(
    world, planted, tmp_path, django_capture_on_commit_callbacks
):
    truth, analysis = planted
    start(analysis, world.partner, django_capture_on_commit_callbacks)
    assert execute(analysis, tmp_path) == "done"
    analysis.refresh_from_db()
    assert (analysis.status, analysis.progress, analysis.error) == ("done", 1.0, "")
    assert analysis.attempts == 1 and analysis.finished_at is not None
    assert analysis.results["flagged_accounts"] == sorted(truth.ring)


def test_the_task_on_the_queue_runs_it(world, planted, django_capture_on_commit_callbacks):
    truth, analysis = planted
    start(analysis, world.partner, django_capture_on_commit_callbacks, execute=True)
    analysis.refresh_from_db()
    assert analysis.status == "done"
    assert analysis.results["flagged_accounts"] == sorted(truth.ring)
    assert tasks.run_analysis.delay(analysis.pk).get() == "already finished"


def test_a_second_execute_finds_it_finished_and_leaves_one_result(
    world, planted, tmp_path, django_capture_on_commit_callbacks
):
    _, analysis = planted
    start(analysis, world.partner, django_capture_on_commit_callbacks)
    execute(analysis, tmp_path)
    first = Analysis.objects.values().get(pk=analysis.pk)
    assert execute(analysis, tmp_path) == "already finished"
    assert Analysis.objects.values().get(pk=analysis.pk) == first


def test_cancel_while_queued_is_immediate_and_the_task_then_does_nothing(
    world, planted, tmp_path, django_capture_on_commit_callbacks
):
    _, analysis = planted
    start(analysis, world.partner, django_capture_on_commit_callbacks)
    services.analysis_cancel(analysis=analysis, actor=world.partner)
    assert analysis.status == "cancelled" and analysis.error == "Cancelled before it finished."
    assert execute(analysis, tmp_path) == "already finished"
    analysis.refresh_from_db()
    assert (analysis.status, analysis.results, analysis.attempts) == ("cancelled", {}, 0)


@pytest.mark.django_db(transaction=True)
def test_cancel_while_running_is_honoured_at_the_next_progress_report(
    world, planted, tmp_path, engine_hook, monkeypatch
):
    """The member cancels from another connection (a request) while the worker is between
    two reports: the run stops at the next one and keeps nothing."""
    _, analysis = planted
    monkeypatch.setattr(tasks.run_analysis, "delay", lambda pk: None)  # run below instead
    services.analysis_start(analysis=analysis, actor=world.partner)

    def cancel_from_a_request(stage):
        if stage != "volumes":
            return

        def request():
            try:
                services.analysis_cancel(analysis=analysis, actor=world.partner)
            finally:
                connection.close()

        thread = threading.Thread(target=request)
        thread.start()
        thread.join()

    seen = engine_hook(cancel_from_a_request)
    assert execute(analysis, tmp_path) == "cancelled"
    assert seen == ["load", "volumes"]  # no stage after the report that saw the request
    analysis.refresh_from_db()
    assert (analysis.status, analysis.error, analysis.results) == (
        "cancelled",
        "Cancelled before it finished.",
        {},
    )
    assert (analysis.stage, analysis.progress) == ("volumes", 0.5)  # reported as it began


def test_a_run_redelivered_after_a_cancel_request_stops_before_it_starts(
    world, planted, tmp_path, engine_hook, django_capture_on_commit_callbacks
):
    _, analysis = planted
    start(analysis, world.partner, django_capture_on_commit_callbacks)
    # Running, asked to stop, and its worker died before its next report.
    Analysis.objects.filter(pk=analysis.pk).update(status="running", cancel_requested=True)
    seen = engine_hook()
    execute(analysis, tmp_path)
    analysis.refresh_from_db()
    assert (analysis.status, analysis.results, seen) == ("cancelled", {}, [])


def test_a_superseded_run_cannot_write_its_results(
    world, planted, tmp_path, engine_hook, django_capture_on_commit_callbacks
):
    _, analysis = planted
    start(analysis, world.partner, django_capture_on_commit_callbacks)
    row = Analysis.objects.filter(pk=analysis.pk)

    def taken_over(stage):
        if stage == "volumes":  # a second worker claimed it meanwhile, and is reading it
            row.update(attempt="a-later-run", stage="load", progress=0.5)

    seen = engine_hook(taken_over)
    assert execute(analysis, tmp_path) == "superseded"
    assert seen == ["load", "volumes"]  # it stopped at the first report after losing it
    analysis.refresh_from_db()
    assert (analysis.status, analysis.attempt, analysis.results) == ("running", "a-later-run", {})
    assert (analysis.stage, analysis.progress, analysis.finished_at) == ("load", 0.5, None)


def test_results_are_kept_only_while_the_run_holds_its_claim(
    world, planted, tmp_path, django_capture_on_commit_callbacks
):
    _, analysis = planted
    start(analysis, world.partner, django_capture_on_commit_callbacks)
    Analysis.objects.filter(pk=analysis.pk).update(status="running", attempt="the-current-run")
    with pytest.raises(services.Superseded):
        services.analysis_run(analysis=analysis, cache_dir=tmp_path / "cache", token="lost")
    analysis.refresh_from_db()
    assert (analysis.status, analysis.results) == ("running", {})


def test_it_gives_up_after_the_last_attempt(
    world, planted, tmp_path, engine_hook, django_capture_on_commit_callbacks
):
    _, analysis = planted
    start(analysis, world.partner, django_capture_on_commit_callbacks)
    # Claimed by every attempt allowed, and each time its worker died.
    Analysis.objects.filter(pk=analysis.pk).update(status="running", attempts=services.MAX_ATTEMPTS)
    seen = engine_hook()
    assert execute(analysis, tmp_path) == "failed"
    analysis.refresh_from_db()
    assert analysis.status == "failed" and analysis.results == {} and seen == []
    assert analysis.error == "Gave up after 3 attempts; the worker kept stopping."
    assert analysis.attempts == services.MAX_ATTEMPTS + 1


def test_the_last_attempt_allowed_still_runs(
    world, planted, tmp_path, django_capture_on_commit_callbacks
):
    _, analysis = planted
    start(analysis, world.partner, django_capture_on_commit_callbacks)
    Analysis.objects.filter(pk=analysis.pk).update(
        status="running", attempts=services.MAX_ATTEMPTS - 1
    )
    assert execute(analysis, tmp_path) == "done"


def test_a_run_past_its_soft_time_limit_fails_with_the_reason(
    world, planted, tmp_path, engine_hook, django_capture_on_commit_callbacks
):
    _, analysis = planted
    start(analysis, world.partner, django_capture_on_commit_callbacks)

    def out_of_time(stage):
        if stage == "bursts":
            raise SoftTimeLimitExceeded()

    engine_hook(out_of_time)
    assert execute(analysis, tmp_path) == "failed"
    analysis.refresh_from_db()
    assert analysis.status == "failed" and analysis.results == {}
    assert analysis.error == "The analysis took longer than its time limit and was stopped."


def test_an_unexpected_error_fails_the_run_rather_than_leave_it_running(
    world, planted, tmp_path, engine_hook, django_capture_on_commit_callbacks
):
    _, analysis = planted
    start(analysis, world.partner, django_capture_on_commit_callbacks)

    def broken(stage):
        raise RuntimeError("a bug in the engine")

    engine_hook(broken)
    assert execute(analysis, tmp_path) == "failed"
    analysis.refresh_from_db()
    assert analysis.status == "failed" and analysis.finished_at is not None
    assert "unexpected error" in analysis.error and "a bug" not in analysis.error


def test_a_broker_that_does_not_answer_fails_the_run_with_a_clear_message(
    world, planted, monkeypatch, django_capture_on_commit_callbacks
):
    _, analysis = planted

    def refused(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_analysis, "delay", refused)
    start(analysis, world.partner, django_capture_on_commit_callbacks, execute=True)
    analysis.refresh_from_db()
    assert analysis.status == "failed" and analysis.finished_at is not None
    assert analysis.error == (
        "The run could not be queued (the task broker did not answer); run it again in a minute."
    )
    # It may be started again once the broker is back.
    monkeypatch.undo()
    start(analysis, world.partner, django_capture_on_commit_callbacks)
    assert analysis.status == "queued" and analysis.error == ""
