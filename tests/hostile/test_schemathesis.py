"""The API under generated input: every operation of the published schema, with valid and
with invalid values, answers without a server error and as its schema says.

A bounded, repeatable run (fixed seed, a dozen cases per operation and mode) of
schemathesis against the app in-process, on the test database, signed in by token only,
with every check schemathesis has: a valid request must be accepted (positive data
acceptance) and an invalid one refused (negative data rejection) as well as answered as
documented. Path parameters are real ids (tests/routes.py), and so are the links to other
rows in a valid body (`links`): the schema can say "an integer", not "the id of a row you
can see", so a refusal that remains is a gap in the contract. To those, the coverage
phase's probes of a request's shape (`SHAPE_PROBES`). Every request runs in a
savepoint that is rolled back, so each case meets the same data and a database error cannot
poison the ones after it.
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
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.meta import CoverageScenario
from schemathesis.generation.overrides import Override

from casemgr.analysis.models import Analysis
from casemgr.core.schema import BUSINESS_RULES
from tests.routes import kwargs_for

SEED = 20261204
EXAMPLES = 12  # per operation and mode: the whole run stays near a minute on two cores
load_all_checks()
CHECKS = REGISTERED_CHECKS.get_all()  # every one: positive_data_acceptance, ignored_auth, …
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
# From schemathesis's coverage phase (thousands of cases), the probes of a request's shape
# that only it makes: each method the schema does not list for a path (`unsupported_method`:
# 405 with an Allow header) and each required header left out (`missing_required_header`:
# without Authorization, 401).
SHAPE_PROBES = {CoverageScenario.UNSPECIFIED_HTTP_METHOD, CoverageScenario.MISSING_PARAMETER}
# Operations left out, and why.
NOT_FUZZED = {
    "GET /api/schema/": "the schema itself, rebuilt on each call: tests/api/test_schema.py",
    "GET /api/docs/": "Swagger UI's HTML page, no data",
}


def links(world, rows) -> dict:
    """Real ids for the body fields that link to another row, each one the server accepts
    there: a valid link is to a row of the same matter that the user can see."""
    return {
        "matter": rows["matters"],
        "proceeding": rows["proceedings"],
        "court": rows["courts"],
        "jurisdiction": rows["jurisdictions"],
        "claim": rows["claims"],
        "allegation": rows["allegations"],
        "allegations": [rows["allegations"]],
        "party": rows["parties"],
        "parties": [rows["parties"]],
        "claimants": [world.claimant.pk],
        "defendants": [world.defendant.pk],
        "against": world.defendant.pk,
        # A corporate parent: not the party itself (the rows' party is the claimant).
        "parent": world.defendant.pk,
        "people": [rows["people"]],
        "exhibit": rows["exhibits"],
        "exhibit_file": rows["files"],
        "event": rows["events"],
        "trigger": rows["triggers"],
        "responsible": [world.partner.pk],
        # An analysis reads a log (or output pairs) file, not the exhibit's PDF.
        "source": Analysis.objects.get(pk=rows["analyses"]).source_id,
    }


def _config() -> schemathesis.Config:
    """Valid data is accepted (schemathesis's default answers) but where a rule the schema
    cannot state refuses it, with the 400 its operation documents (core/schema.py
    BUSINESS_RULES): there alone, and the upload's content refusal (415) with it."""
    accepted = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
    return schemathesis.Config.from_dict(
        {
            "operations": [
                {
                    "include-name": f"{method.upper()} {path}",
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": accepted
                            + ["400"]
                            + (["415"] if path.endswith("/upload/") else [])
                        }
                    },
                }
                for path, method in BUSINESS_RULES
            ]
        }
    )


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
            # An empty requirement ({}) is "none needed" (the token exchange), kept as such.
            operation["security"] = [s for s in operation["security"] if "tokenAuth" in s or not s]
    return spec


@pytest.fixture
def schema(spec):
    loaded = schemathesis.openapi.from_dict(_token_only(spec), config=_config())
    loaded.app = WSGIHandler()
    return loaded


def test_the_api_answers_generated_input_without_server_errors_and_as_documented(
    schema, world, rows, report
):
    headers = {"Authorization": f"Token {Token.objects.create(user=world.partner).key}"}
    real = links(world, rows)

    @schema.hook
    def map_case(context, case):
        """A valid body's links are to real rows (an invalid one is left as generated)."""
        if case.meta.generation.mode.is_positive and isinstance(case.body, dict):
            for name, value in real.items():
                if case.body.get(name) not in (None, []):
                    case.body[name] = value
        return case

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
                for case in _shape_probes(schema, operation, path_parameters, headers):
                    tried[f"{operation.label} [shape]"] += 1
                    _send(case, headers, failures)
    finally:
        got_request_exception.disconnect(keep_traceback)
    elapsed = time.monotonic() - started
    requests = sum(n for key, n in tried.items() if not key.endswith("unsatisfiable"))
    report(
        f"schemathesis: {len(operations)} operations, {requests} requests, {len(CHECKS)} checks, "
        f"{len(failures)} failures, {len(raised)} server exceptions, {elapsed:.1f} s "
        f"(seed {SEED}, {EXAMPLES} examples per operation and mode)"
    )
    report = "\n\n".join(
        f"{label} — {title}\n{message}" for (label, title), message in failures.items()
    )
    assert not failures, report + "\n\n" + "\n\n".join(raised[:3])
    assert requests > 10 * len(operations)
    # Every operation had its unlisted methods (and, signed in, its missing token) probed.
    assert all(tried[f"{operation.label} [shape]"] for operation in operations)


def _fuzz(operation, mode, path_parameters, headers, tried, failures) -> None:
    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(
            generation_mode=mode, path_parameters=path_parameters, headers=headers
        )
    )
    def run(case):
        tried[f"{operation.label} [{mode.value}]"] += 1
        _send(case, headers, failures)

    run()


def _shape_probes(schema, operation, path_parameters, headers):
    generator = CoverageGenerator(
        operation=operation,
        generation_modes=[schemathesis.GenerationMode.NEGATIVE],
        generation_config=schema.config.generation_for(operation=operation),
        auth_storage=None,
        override=Override(headers=headers, path_parameters=path_parameters),
        feedback=FeedbackSources(),
    )
    for case in generator:
        if case.meta.phase.data.scenario in SHAPE_PROBES:
            yield case


def _send(case, headers, failures) -> None:
    """One request, in a savepoint rolled back after it, and every check on its answer."""
    try:
        with transaction.atomic():
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    failures.setdefault((case.operation.label, failure.title), str(group))
            raise _Rollback
    except _Rollback:
        pass
