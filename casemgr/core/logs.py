"""What each log record is about, and the two ways it is written.

A record names the request it was written in (its id, its user and the matter its address
names) and the Celery task running it (its id and name). A task queued during a request
carries the request's fields in its message headers, so the worker's records name the same
request. `plain` is one readable line per record (the request id, short, in front); `json`
is one JSON object per line, for a log collector.

Imported by the logging configuration, before Django's apps are loaded: it must not import
models.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

FIELDS = ("request_id", "user_id", "matter_id", "task_id", "task")
# The fields a request hands on to the tasks it queues.
CARRIED = ("request_id", "user_id", "matter_id")
HEADER = "X-Request-ID"
TASK_HEADER = "log_context"
SHORT_ID = 8

# A request id from outside is written into every log line and sent back in a header, so it
# is only kept when it cannot forge a line or a field: no newline, quote or space.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

_request: ContextVar[HttpRequest | None] = ContextVar("casemgr_log_request", default=None)
_fields: ContextVar[dict[str, Any] | None] = ContextVar("casemgr_log_fields", default=None)


def request_id_for(incoming: str | None) -> str:
    """The id of a request: the one a proxy in front gave it, if sane, else a new one."""
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    # Until authentication has loaded the user, it is left alone: loading it here would
    # query the database from inside logging, and for views that never needed it.
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    return getattr(user, "pk", None)


def request_fields(request: HttpRequest) -> dict[str, Any]:
    """What is known of a request so far (RequestIdMiddleware sets its id and matter)."""
    return {
        "request_id": getattr(request, "request_id", None),
        "user_id": _user_id(request),
        "matter_id": getattr(request, "matter_id", None),
    }


def current() -> dict[str, Any]:
    """The fields known where this runs, those unknown left out: a task's own over those of
    the request it runs in (an eager task) or was queued by."""
    request = _request.get()
    known = request_fields(request) if request is not None else {}
    known.update(_fields.get() or {})
    return {name: value for name, value in known.items() if value is not None}


def enter_request(request: HttpRequest) -> Token:
    return _request.set(request)


def leave_request(token: Token) -> None:
    _request.reset(token)


def bind(**fields: Any) -> Token:
    """Add fields to the current ones until `unbind` is given the token returned."""
    return _fields.set({**(_fields.get() or {}), **fields})


def unbind(token: Token) -> None:
    _fields.reset(token)


class ContextFilter(logging.Filter):
    """Give every record the fields of its request and task (None where unknown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        known = current()
        # Django logs a 4xx or 5xx response it was handed (not raised) after the middleware
        # has returned, naming the request in the record: its fields are read from there.
        request = getattr(record, "request", None)
        if "request_id" not in known and isinstance(request, HttpRequest):
            known = {**request_fields(request), **known}
        for name in FIELDS:
            if getattr(record, name, None) is None:
                setattr(record, name, known.get(name))
        return True


class PlainFormatter(logging.Formatter):
    """The line as it always was, with the request's id (short) in front when there is one.

    `around` is another formatter whose line is prefixed (a Celery worker's own)."""

    def __init__(self, *args, around: logging.Formatter | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.around = around

    def format(self, record: logging.LogRecord) -> str:
        line = self.around.format(record) if self.around else super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"[{request_id[:SHORT_ID]}] {line}" if request_id else line


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, the context
    fields that are known, the exception's traceback, and any other `extra` a library gave
    (Django's status_code, Celery's runtime)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            ["levelname", "name", "message", *FIELDS],
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
            # The request object Django hands its request logs, written out, would give the
            # address with its query string: search terms are no business of the log.
            reserved_attrs=[*RESERVED_ATTRS, "request"],
            **kwargs,
        )

    def add_fields(self, log_data, record, message_dict) -> None:
        created = datetime.fromtimestamp(record.created, tz=UTC)
        log_data["time"] = created.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        super().add_fields(log_data, record, message_dict)

    def process_log_record(self, log_data):
        for name in FIELDS:
            if log_data.get(name) is None:
                log_data.pop(name, None)
        return log_data


def formatter(kind: str, around: logging.Formatter | None = None) -> logging.Formatter:
    """The formatter LOG_FORMAT names (the logging configuration and the worker's)."""
    if kind == "json":
        return JsonFormatter()
    return PlainFormatter(around=around)
