"""Proof that the store still holds what the database says it does: every blob a record names
is read through and its SHA-256 compared with the one recorded when it was stored.
`manage.py evidence_verify` runs it over every source (this app's exhibit files, the bundles'
published versions).

Reading every byte of a large store takes hours, so a run keeps where it got to in a small
state file and can be resumed. Blobs are visited in a stable order (source, then pk, then the
record's parts) and pks only grow, so what was added since the interruption comes after the
place the run stopped, and nothing is checked twice or skipped.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from django.db import models
from django.db.models import F, Q

from casemgr.evidence import storage
from casemgr.evidence.models import ExhibitFile
from casemgr.matters.models import Matter

PAGE = 500  # records read per query: a run holds no cursor (or snapshot) open for hours


@dataclass(frozen=True)
class Part:
    """One blob of a record: which of its files (0 for the first), where, and its hash."""

    number: int
    name: str
    key: str
    sha256: str


class Source(Protocol):
    """The records of one model whose bytes live in the evidence store."""

    label: str  # the model's label, which also names the source in the state file

    def records(self, matter: Matter | None) -> models.QuerySet: ...

    def count(self, matter: Matter | None) -> int: ...

    def parts(self, record) -> list[Part]: ...

    def describe(self, record) -> str: ...

    def matter_of(self, record) -> Matter: ...


class ExhibitFiles:
    """An exhibit file's original, and its PDF rendition when it has one of its own (a PDF is
    its own rendition: the same blob, read once)."""

    label = "evidence.ExhibitFile"

    def records(self, matter: Matter | None) -> models.QuerySet:
        files = ExhibitFile.objects.select_related("exhibit", "matter")
        return files if matter is None else files.filter(matter=matter)

    def count(self, matter: Matter | None) -> int:
        files = self.records(matter)
        renditions = files.exclude(rendition_key="").exclude(
            Q(rendition_key=F("storage_key")) & Q(rendition_sha256=F("sha256"))
        )
        return files.count() + renditions.count()

    def parts(self, record: ExhibitFile) -> list[Part]:
        parts = [Part(0, "original", record.storage_key, record.sha256)]
        rendition = (record.rendition_key, record.rendition_sha256)
        if record.rendition_key and rendition != (record.storage_key, record.sha256):
            parts.append(Part(1, "rendition", *rendition))
        return parts

    def describe(self, record: ExhibitFile) -> str:
        return f"exhibit {record.exhibit.reference}, file {record.original_name!r}"

    def matter_of(self, record: ExhibitFile) -> Matter:
        return record.matter


@dataclass(frozen=True)
class Blob:
    source: int  # its place in the run's sources
    record: models.Model
    part: Part
    matter: Matter
    what: str  # the record in words: "exhibit MA-1, file 'letter.pdf'"

    @property
    def position(self) -> tuple[int, int, int]:
        return (self.source, self.record.pk, self.part.number)


@dataclass
class Finding:
    """A blob missing, or whose bytes no longer hash to what was recorded."""

    model: str
    pk: int
    part: str
    matter: str
    what: str
    key: str
    expected: str
    found: str | None  # the bytes' SHA-256 now; None when nothing is stored under the key

    @property
    def missing(self) -> bool:
        return self.found is None


class StateError(Exception):
    """The state file cannot be used to resume this run."""


@dataclass
class Verification:
    """One run over the sources (one matter's records, or all), resumable from its state file.

    Blobs come from `remaining()`; `check()` reads each one, counts it and moves the cursor.
    `finish()` removes the state of a run that got to the end; one that stops before keeps it
    (`save()`, which `check()` also calls from time to time) for `--resume`."""

    sources: tuple[Source, ...]
    state_path: Path
    matter: Matter | None = None
    on_read: Callable[[int], object] | None = None  # told each chunk's size, for progress
    total: int = field(init=False, default=0)
    done: int = field(init=False, default=0)
    bytes_checked: int = field(init=False, default=0)
    findings: list[Finding] = field(init=False, default_factory=list)
    # The last blob checked: its source's label, record pk and part number.
    after: tuple[str, int, int] | None = field(init=False, default=None)
    # Bytes read and since when, in this process only (the rate shown is this run's).
    bytes_read: int = field(init=False, default=0)
    started: float = field(init=False, default_factory=time.monotonic)
    _saved: float = field(init=False, default=0.0)
    # What each key read so far held: a blob several records share is read once per run.
    _found: dict[str, str | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.total = sum(source.count(self.matter) for source in self.sources)

    # --- State ----------------------------------------------------------------------------

    def resume(self) -> bool:
        """Take up where the interrupted run recorded in the state file stopped; False if
        there is none. StateError if it is unreadable or checked another scope."""
        try:
            state = json.loads(self.state_path.read_text())
            done, bytes_checked, after = state["done"], state["bytes"], state["after"]
            findings = [Finding(**finding) for finding in state["findings"]]
        except FileNotFoundError:
            return False
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise StateError(f"The state file {self.state_path} cannot be read: {error}") from error
        scope = self.matter.reference if self.matter else None
        if state.get("matter") != scope:
            was = state.get("matter") or "every matter"
            raise StateError(
                f"The interrupted run in {self.state_path} checked {was}, not "
                f"{scope or 'every matter'}: resume it with the same --matter, or start afresh "
                "without --resume."
            )
        self.done, self.bytes_checked, self.findings = done, bytes_checked, findings
        self.after = tuple(after) if after else None
        return True

    def save(self) -> None:
        """Write the state beside its final name and rename it into place, so that a run
        killed while writing leaves the previous state whole."""
        state = {
            "matter": self.matter.reference if self.matter else None,
            "after": list(self.after) if self.after else None,
            "done": self.done,
            "bytes": self.bytes_checked,
            "findings": [asdict(finding) for finding in self.findings],
        }
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.state_path.with_name(f".{self.state_path.name}.partial")
        partial.write_text(json.dumps(state, indent=1))
        os.replace(partial, self.state_path)
        self._saved = time.monotonic()

    def finish(self) -> None:
        self.state_path.unlink(missing_ok=True)

    # --- Checking -------------------------------------------------------------------------

    def remaining(self) -> Iterator[Blob]:
        """Every blob after the cursor, in order."""
        labels = [source.label for source in self.sources]
        cursor = None
        if self.after is not None:
            label, pk, part = self.after
            if label not in labels:
                raise StateError(f"The state file names an unknown source, {label}.")
            cursor = (labels.index(label), pk, part)
        for index, source in enumerate(self.sources):
            if cursor is not None and index < cursor[0]:
                continue
            first_pk = cursor[1] if cursor is not None and index == cursor[0] else 0
            records = source.records(self.matter).order_by("pk")
            while page := list(records.filter(pk__gte=first_pk)[:PAGE]):
                for record in page:
                    for part in source.parts(record):
                        blob = Blob(
                            index, record, part, source.matter_of(record), source.describe(record)
                        )
                        if cursor is None or blob.position > cursor:
                            yield blob
                first_pk = page[-1].pk + 1

    def check(self, blob: Blob) -> Finding | None:
        """Read the blob through; a Finding if it is missing or its bytes changed."""
        key = blob.part.key
        if key not in self._found:
            try:
                self._found[key] = storage.stored_sha256(key, on_read=self._read)
            except FileNotFoundError:
                self._found[key] = None
        found = self._found[key]
        finding = None
        if found != blob.part.sha256:
            finding = Finding(
                model=self.sources[blob.source].label,
                pk=blob.record.pk,
                part=blob.part.name,
                matter=blob.matter.reference,
                what=blob.what,
                key=key,
                expected=blob.part.sha256,
                found=found,
            )
            self.findings.append(finding)
        self.done += 1
        self.after = (self.sources[blob.source].label, blob.record.pk, blob.part.number)
        # A finding is kept at once; otherwise the state is written at most once a second,
        # so that a store of small files is not slowed by writing it after each.
        if finding is not None or time.monotonic() - self._saved >= 1:
            self.save()
        return finding

    def _read(self, size: int) -> None:
        self.bytes_read += size
        self.bytes_checked += size
        if self.on_read is not None:
            self.on_read(size)

    @property
    def rate(self) -> float:
        """Bytes read per second in this run."""
        return self.bytes_read / max(time.monotonic() - self.started, 1e-6)
