"""Structured logs: every line names its request (X-Request-ID), user and matter, and the
tasks a request queues name the same request, through a real worker too."""

from __future__ import annotations

import io
import json
import logging

import pytest

from casemgr.core import logs


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
