"""Structured logs: every line names its request (X-Request-ID), user and matter, and the
tasks a request queues name the same request, through a real worker too."""

from __future__ import annotations

import io
import json
import logging
import tempfile
from pathlib import Path

import pytest
from celery.signals import after_setup_logger
from django.core.files.uploadedfile import SimpleUploadedFile

from casemgr import celery_app
from casemgr.core import logs
from casemgr.evidence.models import ExhibitFile
from tests.evidence import files
from tests.worker_process import Worker, worker_env

pytestmark = pytest.mark.django_db

RENDITION_TASK = "casemgr.evidence.tasks.render_exhibit_file"


def upload_url(matter) -> str:
    return f"/api/matters/{matter.pk}/exhibits/upload/"


def upload(client, matter, name="exhibit.pdf"):
    data = {"file": SimpleUploadedFile(name, files.pdf(text="Letter before claim"))}
    return client.post(upload_url(matter), data, format="multipart")


class Captured:
    """What the root logger writes, formatted as LOG_FORMAT would have it."""

    def __init__(self, kind: str) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.addFilter(logs.ContextFilter())
        self.handler.setFormatter(logs.formatter(kind))

    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.lines()]


@pytest.fixture
def captured():
    """`captured(kind)`: the log lines written from here on, in `plain` or `json`."""
    root = logging.getLogger()
    made: list[Captured] = []

    def capture(kind: str) -> Captured:
        made.append(Captured(kind))
        root.addHandler(made[-1].handler)
        return made[-1]

    yield capture
    for each in made:
        root.removeHandler(each.handler)


# --- X-Request-ID -------------------------------------------------------------------------


def test_every_response_carries_a_new_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    for response in (first, second):
        assert len(response["X-Request-ID"]) == 32
        int(response["X-Request-ID"], 16)
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_sane_request_id_from_the_proxy_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.91_c2"})
    assert response["X-Request-ID"] == "lb-7f3a.91_c2"


@pytest.mark.parametrize(
    "hostile",
    ["a" * 65, "abc\ninjected", 'abc"def', "abc def", "", "é"],
    ids=["too-long", "newline", "quote", "space", "empty", "non-ascii"],
)
def test_a_hostile_request_id_is_replaced(client, hostile):
    response = client.get("/healthz", headers={"X-Request-ID": hostile})
    assert response["X-Request-ID"] != hostile
    assert len(response["X-Request-ID"]) == 32


# --- What a line says -----------------------------------------------------------------------


def test_a_json_line_written_in_a_page_names_its_request_user_and_matter(client, world, captured):
    out = captured("json")
    client.force_login(world.outsider)
    response = client.get(f"/matters/{world.matter.pk}/", headers={"X-Request-ID": "probe-1"})
    assert response.status_code == 404
    (line,) = out.lines()
    record = json.loads(line)
    assert record == {
        "time": record["time"],
        "level": "WARNING",
        "logger": "django.request",
        "message": f"Not Found: /matters/{world.matter.pk}/",
        "request_id": "probe-1",
        "user_id": world.outsider.pk,
        "matter_id": world.matter.pk,
        "status_code": 404,
    }
    assert record["time"].endswith("Z") and "T" in record["time"]


def test_a_refusal_the_api_answers_itself_is_logged_with_its_request(api, world, captured):
    """DRF hands Django a 403 rather than raising it: Django logs it once every middleware
    has returned, and the line still names the request."""
    out = captured("json")
    response = upload(api(world.client), world.matter)
    assert response.status_code == 403
    (record,) = out.records()
    assert record["message"] == f"Forbidden: {upload_url(world.matter)}"
    assert record["request_id"] == response["X-Request-ID"]
    assert record["user_id"] == world.client.pk
    assert record["matter_id"] == world.matter.pk


def test_a_json_line_outside_any_request_has_only_what_is_known(captured):
    out = captured("json")
    try:
        raise ValueError("bad page count")
    except ValueError:
        logging.getLogger("casemgr.evidence.tasks").exception("Rendition of %s failed", 7)
    (record,) = out.records()
    assert set(record) == {"time", "level", "logger", "message", "exception"}
    assert record["level"] == "ERROR" and record["message"] == "Rendition of 7 failed"
    assert "ValueError: bad page count" in record["exception"]


def test_a_plain_line_shows_the_short_request_id_in_front(client, world, captured):
    out = captured("plain")
    client.force_login(world.outsider)
    response = client.get(f"/matters/{world.matter.pk}/")
    short = response["X-Request-ID"][:8]
    assert out.lines() == [f"[{short}] Not Found: /matters/{world.matter.pk}/"]


@pytest.mark.parametrize("kind", ["plain", "json"])
def test_a_workers_own_handlers_write_in_log_format(settings, kind):
    """Celery replaces the root logger's handlers in a worker, with its own format; once it
    has, they are given LOG_FORMAT and the context fields."""
    settings.LOG_FORMAT = kind
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("[%(levelname)s/MainProcess] %(message)s"))
    logger = logging.getLogger("tests.worker_root")
    logger.addHandler(handler)
    try:
        after_setup_logger.send(sender=None, logger=logger, loglevel=logging.INFO)
        token = logs.bind(request_id="0123456789abcdef", task_id="t-1", task="casemgr.x")
        try:
            logger.warning("Worker lost")
        finally:
            logs.unbind(token)
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue().rstrip("\n")
    if kind == "plain":
        assert line == "[01234567] [WARNING/MainProcess] Worker lost"
    else:
        record = json.loads(line)
        assert record["message"] == "Worker lost" and record["task_id"] == "t-1"
        assert record["request_id"] == "0123456789abcdef" and record["task"] == "casemgr.x"


# --- Into the tasks a request queues ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_task_run_eagerly_in_a_request_names_the_request_and_itself(api, world, captured):
    out = captured("json")
    response = upload(api(world.paralegal), world.matter)
    assert response.status_code == 201, response.content
    (done,) = [r for r in out.records() if r["logger"] == "celery.app.trace"]
    assert done["message"].startswith(f"Task {RENDITION_TASK}[{done['task_id']}] succeeded")
    assert done["task"] == RENDITION_TASK
    assert done["request_id"] == response["X-Request-ID"]
    assert done["user_id"] == world.paralegal.pk and done["matter_id"] == world.matter.pk
    # Nothing is left bound once the task and the request are done.
    assert logs.current() == {}


@pytest.fixture
def default_queue_empty(tasks_via_redis):
    def purge() -> None:
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_purge("default")

    purge()
    yield
    purge()


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_by_a_request_carries_it_in_its_message(api, world, default_queue_empty):
    response = upload(api(world.paralegal), world.matter)
    assert response.status_code == 201, response.content
    with celery_app.connection_for_write() as connection:
        message = connection.default_channel.basic_get("default", no_ack=True)
    assert message is not None, "the rendition was not queued"
    assert message.headers["task"] == RENDITION_TASK
    assert message.headers[logs.TASK_HEADER] == {
        "request_id": response["X-Request-ID"],
        "user_id": world.paralegal.pk,
        "matter_id": world.matter.pk,
    }


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_the_task_under_the_request_that_queued_it(
    api, world, tmp_path, default_queue_empty
):
    with Worker(
        env={**worker_env(), "LOG_FORMAT": "json"},
        folder=Path(tempfile.mkdtemp(dir=tmp_path)),
        queues="default",
        beat=False,
        loglevel="INFO",
    ) as worker:
        worker.start()
        response = upload(api(world.paralegal), world.matter, name="worker.pdf")
        assert response.status_code == 201, response.content
        request_id = response["X-Request-ID"]

        def logged() -> list[dict]:
            lines = worker.output().splitlines()
            records = [json.loads(line) for line in lines if line.startswith("{")]
            return [r for r in records if r.get("request_id") == request_id]

        def finished() -> list[dict]:
            return [r for r in logged() if r["logger"] == "celery.app.trace"]

        assert worker.wait_until(finished, seconds=25, every=0.2), worker.output()
        records = logged()
    (done,) = finished_records = [r for r in records if r["logger"] == "celery.app.trace"]
    assert finished_records and done["level"] == "INFO" and done["task"] == RENDITION_TASK
    assert done["message"].startswith(f"Task {RENDITION_TASK}[{done['task_id']}] succeeded in ")
    assert done["message"].endswith(": 'ready'")
    assert done["user_id"] == world.paralegal.pk and done["matter_id"] == world.matter.pk
    # Whatever else the task wrote names it too.
    assert {r["task_id"] for r in records} == {done["task_id"]}
    assert ExhibitFile.objects.get(original_name="worker.pdf").rendition == "ready"
