"""The API under generated input: every operation of the published schema, with valid and
with invalid values, answers without a server error and as its schema says.

A bounded, repeatable run (fixed seed, a few dozen cases per operation and mode) of
schemathesis against the app in-process, on the test database, signed in by token only.
Path parameters are real ids (tests/routes.py), so the cases reach the views' work, not
just their 404. Every request runs in a savepoint that is rolled back, so each case meets the
same data and a database error cannot poison the ones after it.
"""

from __future__ import annotations

import copy
import time
import traceback
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.routes import kwargs_for

SEED = 20261204
EXAMPLES = 12  # per operation and mode: the whole run stays near a minute on two cores
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
# Operations left out, and why.
NOT_FUZZED = {
    "GET /api/schema/": "the schema itself, rebuilt on each call: tests/api/test_schema.py",
    "GET /api/docs/": "Swagger UI's HTML page, no data",
}


class _NoConnectionRecycling:
    """Django closes "old" connections around each request, which in a test would close the
    one holding the test's transaction; its test client unhooks the same signal."""

    def __enter__(self):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)

    def __exit__(self, *exc):
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class _Rollback(Exception):
    pass


def _token_only(spec: dict) -> dict:
    """The schema as a token client reads it: no session cookie (nor anything else) for
    schemathesis to fill in, so each request is signed by the token header alone."""
    spec = copy.deepcopy(spec)
    spec["components"]["securitySchemes"] = {
        "tokenAuth": spec["components"]["securitySchemes"]["tokenAuth"]
    }
    for operation in (op for item in spec["paths"].values() for op in item.values()):
        if "security" in operation:
            operation["security"] = [s for s in operation["security"] if "tokenAuth" in s]
    return spec


@pytest.fixture
def schema(spec):
    loaded = schemathesis.openapi.from_dict(_token_only(spec), config=schemathesis.Config())
    loaded.app = WSGIHandler()
    return loaded


def test_the_api_answers_generated_input_without_server_errors_and_as_documented(
    schema, world, rows, report
):
    headers = {"Authorization": f"Token {Token.objects.create(user=world.partner).key}"}
    raised: list[str] = []

    def keep_traceback(sender, request=None, **kwargs):
        raised.append(f"{request.method} {request.get_full_path()}\n{traceback.format_exc()}")

    tried = Counter()
    failures: dict[tuple[str, str], str] = {}
    operations = [
        result.ok() for result in schema.get_all_operations() if result.ok().label not in NOT_FUZZED
    ]
    started = time.monotonic()
    got_request_exception.connect(keep_traceback)
    try:
        with _NoConnectionRecycling():
            for operation in operations:
                path_parameters = kwargs_for(operation.path, rows)
                for mode in MODES:
                    try:
                        _fuzz(operation, mode, path_parameters, headers, tried, failures)
                    except Unsatisfiable:
                        tried[f"{operation.label} [{mode.value}] unsatisfiable"] += 1
    finally:
        got_request_exception.disconnect(keep_traceback)
    elapsed = time.monotonic() - started
    requests = sum(n for key, n in tried.items() if not key.endswith("unsatisfiable"))
    report(
        f"schemathesis: {len(operations)} operations, {requests} requests, "
        f"{len(failures)} failures, {len(raised)} server exceptions, {elapsed:.1f} s "
        f"(seed {SEED}, {EXAMPLES} examples per operation and mode)"
    )
    report = "\n\n".join(
        f"{label} — {title}\n{message}" for (label, title), message in failures.items()
    )
    assert not failures, report + "\n\n" + "\n\n".join(raised[:3])
    assert requests > 10 * len(operations)


def _fuzz(operation, mode, path_parameters, headers, tried, failures) -> None:
    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        tried[f"{operation.label} [{mode.value}]"] += 1
        try:
            with transaction.atomic():
                response = case.call(headers=headers)
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except FailureGroup as group:
                    for failure in group.exceptions:
                        failures.setdefault((operation.label, failure.title), str(group))
                raise _Rollback
        except _Rollback:
            pass

    run()
