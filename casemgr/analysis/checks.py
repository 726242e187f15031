"""What a member asks of an analysis, checked before it is kept or queued: the mapping's roles
and columns against the file itself, the parameters against the engine's.

A run would fail on the same mistakes, but only later and in the worker; checked here, the
member is told at once which role, column or parameter is wrong.
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from django.core.exceptions import ValidationError

from casemgr.evidence import storage
from casemgr.evidence.models import ExhibitFile

from . import logs, mapping
from .models import Analysis

# Enough of the file's head to find its columns and a sample of rows.
HEAD_BYTES = 1 << 20
MAPPING_KEYS = ("roles", "timezone")
# Shares and similarities are fractions; every other number is a count or a threshold.
FRACTIONS = ("max_link_share", "template_similarity")
LARGEST_COUNT = 10_000_000


def check_settings(*, source: ExhibitFile, kind: str, mapping: dict, parameters: dict) -> None:
    """Raise a ValidationError naming `source`, `mapping` or `parameters` with the reasons."""
    from .services import READABLE

    if source.kind not in READABLE[kind]:
        raise ValidationError(
            {
                "source": f"This kind of analysis ({Analysis.Kind(kind).label}) reads "
                f"{' or '.join(READABLE[kind])} files; this file is {source.kind}."
            }
        )
    errors: dict[str, list[str]] = {}
    if kind == Analysis.Kind.OUTPUTS:
        # The pairs' fields are found by name (outputs.FIELDS); nothing is chosen.
        if mapping:
            errors["mapping"] = ["An output-pair analysis takes no mapping."]
        if parameters:
            errors["parameters"] = ["An output-pair analysis takes no parameters."]
    else:
        if problems := mapping_problems(source, mapping):
            errors["mapping"] = problems
        if problems := parameter_problems(parameters):
            errors["parameters"] = problems
    if errors:
        raise ValidationError(errors)


def mapping_problems(source: ExhibitFile, given: dict) -> list[str]:
    unknown = sorted(set(given) - set(MAPPING_KEYS))
    if unknown:
        return [f"Unknown key {', '.join(map(repr, unknown))}; a mapping has roles and timezone."]
    roles = given.get("roles") or {}
    zone = given.get("timezone")
    if not isinstance(roles, dict) or not all(
        isinstance(role, str) and (column is None or isinstance(column, str))
        for role, column in roles.items()
    ):
        return ["Give roles as an object of role names and column names (null for none)."]
    if zone is not None and (not isinstance(zone, str) or zone not in _zones()):
        return [f"Unknown time zone {zone!r}; give an IANA name such as Europe/London."]
    try:
        with file_head(source) as path:
            detected = mapping.detect(path, kind=source.kind, override=roles, timezone=zone)
    except ValueError as error:  # an unknown role, or a column the file does not have
        return [str(error)[:1].upper() + str(error)[1:] + "."]
    except (OSError, duckdb.Error):
        return ["The file's columns could not be read, so the mapping cannot be checked."]
    if detected.missing:
        return [
            f"No column found for {', '.join(detected.missing)}; name it in roles "
            f"(columns are {', '.join(detected.columns)})."
        ]
    return []


def parameter_problems(given: dict) -> list[str]:
    defaults = logs.Parameters()
    names = [f.name for f in dataclasses.fields(logs.Parameters)]
    problems = []
    for name, value in given.items():
        if name not in names:
            problems.append(f"Unknown parameter {name!r}; parameters are {', '.join(names)}.")
            continue
        default = getattr(defaults, name)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                problems.append(f"{name}: give a list of phrases.")
        elif isinstance(default, int):
            if type(value) is not int or not 1 <= value <= LARGEST_COUNT:
                problems.append(f"{name}: give a whole number from 1 to {LARGEST_COUNT:,}.")
        elif type(value) not in (int, float) or not math.isfinite(value) or value <= 0:
            problems.append(f"{name}: give a number above 0.")
        elif name in FRACTIONS and value > 1:
            problems.append(f"{name}: give a fraction above 0, at most 1.")
    return problems


def _zones() -> set[str]:
    return zoneinfo.available_timezones() | {"UTC"}


@contextmanager
def file_head(source: ExhibitFile) -> Iterator[Path]:
    """The first part of the stored file, cut at a line's end, as a local temporary file
    (the whole file is read, and its hash checked, by the run itself)."""
    with storage.default_storage.open(source.storage_key, "rb") as stored:
        data = stored.read(HEAD_BYTES + 1)
    if len(data) > HEAD_BYTES:
        data = data[: data.rfind(b"\n", 0, HEAD_BYTES) + 1]
    with tempfile.NamedTemporaryFile(suffix="." + source.kind) as head:
        head.write(data)
        head.flush()
        yield Path(head.name)
