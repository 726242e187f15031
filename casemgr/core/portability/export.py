"""Writing one matter to an archive (see archive.py for its layout)."""

from __future__ import annotations

import datetime
import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import models
from django.db.models.fields.related import ForeignKey
from django.utils import timezone

from casemgr.access.models import AuditEvent
from casemgr.core.portability import archive, graph
from casemgr.matters.models import Matter

# Values the archive's JSON carries as they are (times as ISO 8601, see archive.dumps).
_PLAIN = (type(None), bool, int, float, str, list, dict, datetime.date, datetime.time)


class ExportError(Exception):
    pass


@dataclass
class ExportSummary:
    rows: dict[str, int] = field(default_factory=dict)
    audit_events: int = 0
    blobs: int = 0
    blob_bytes: int = 0
    manifest_sha256: str = ""


@dataclass
class _Refs:
    """What the rows point to outside themselves, gathered as they are written."""

    users: set[int] = field(default_factory=set)
    reference: dict[str, set[int]] = field(default_factory=dict)
    blobs: dict[str, str] = field(default_factory=dict)  # key → SHA-256
    written: dict[str, set[int]] = field(default_factory=dict)


def matter_export(*, matter: Matter, path: Path) -> ExportSummary:
    """Write `matter` whole to the zip at `path`. The bytes of every blob are read from the
    store and hashed as they are copied; one that no longer matches the hash its record
    holds stops the export, which would otherwise carry damage on as if it were evidence."""
    summary, refs = ExportSummary(), _Refs()
    manifest: dict = {
        "format": archive.FORMAT,
        "version": archive.VERSION,
        "matter": matter.reference,
        "exported_at": timezone.now().isoformat(),
        "members": {},
        "blobs": [],
    }
    part = path.with_name(path.name + ".partial")
    try:
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            with zf.open(archive.RECORDS, "w", force_zip64=True) as stream:
                out = archive.HashingWriter(stream)
                for model, rows in graph.rows_of(matter).items():
                    count = 0
                    for row in _ordered(model, rows):
                        out.line(archive.dumps(_record(row, refs)))
                        count += 1
                    summary.rows[graph.label(model)] = count
                manifest["members"][archive.RECORDS] = {**out.entry, "rows": summary.rows}
            with zf.open(archive.AUDIT, "w", force_zip64=True) as stream:
                out = archive.HashingWriter(stream)
                for event in graph.audit_of(matter).iterator(chunk_size=2000):
                    out.line(archive.dumps(_audit(event, refs)))
                    summary.audit_events += 1
                manifest["members"][archive.AUDIT] = {**out.entry, "rows": summary.audit_events}
            _write_json(zf, manifest, archive.PEOPLE, _people(refs.users))
            _write_json(zf, manifest, archive.REFERENCE, _reference(refs.reference))
            for key, sha256 in sorted(refs.blobs.items()):
                size = _write_blob(zf, key, sha256)
                manifest["blobs"].append({"key": key, "sha256": sha256, "size": size})
                summary.blobs += 1
                summary.blob_bytes += size
            data = archive.dumps(manifest).encode()
            zf.writestr(archive.MANIFEST, data)
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    summary.manifest_sha256 = _sha256(data)
    return summary


def _ordered(model: type[models.Model], rows: models.QuerySet) -> Iterator[models.Model]:
    """In id order, except that a row pointing at another of its kind (a subsidiary at its
    corporate parent, an attachment at its e-mail) comes after it."""
    own = [f for f in graph.relations(model) if f.related_model is model and not f.many_to_many]
    if not own:
        yield from rows.order_by("pk").iterator(chunk_size=2000)
        return
    done: set = set()
    waiting: dict = {}

    def release(row):
        done.add(row.pk)
        yield row
        for child in waiting.pop(row.pk, []):
            yield from release(child)

    for row in rows.order_by("pk").iterator(chunk_size=2000):
        parent = next(
            (getattr(row, f.attname) for f in own if getattr(row, f.attname) not in (None, row.pk)),
            None,
        )
        if parent is not None and parent not in done:
            waiting.setdefault(parent, []).append(row)
        else:
            yield from release(row)
    if waiting:
        raise ExportError(f"{graph.label(model)}: rows point at rows outside the matter.")


def _record(row: models.Model, refs: _Refs) -> dict:
    model = type(row)
    fields = {}
    for f in graph.stored_fields(model):
        value = f.value_from_object(row)
        if isinstance(f, ForeignKey) and value is not None:
            _note_reference(model, f, value, refs)
        elif not isinstance(value, _PLAIN):
            value = f.value_to_string(row)  # a UUID, a country: as the field writes it
        fields[f.name] = value
    for f in model._meta.local_many_to_many:
        pks = sorted(getattr(row, f.name).values_list("pk", flat=True))
        for pk in pks:
            _note_reference(model, f, pk, refs)
        fields[f.name] = pks
    for key_field, hash_field in graph.BLOB_FIELDS.get(graph.label(model), ()):
        key, sha256 = getattr(row, key_field), getattr(row, hash_field)
        if key:
            if refs.blobs.setdefault(key, sha256) != sha256:
                raise ExportError(f"{key} is recorded with two different SHA-256s.")
    refs.written.setdefault(graph.label(model), set()).add(row.pk)
    return {"model": graph.label(model), "pk": row.pk, "fields": fields}


def _note_reference(model, f, value, refs: _Refs) -> None:
    target = f.related_model
    if graph.is_user(target):
        refs.users.add(value)
    elif graph.label(target) in graph.REFERENCE:
        refs.reference.setdefault(graph.label(target), set()).add(value)
    elif value not in refs.written.get(graph.label(target), ()):
        raise ExportError(
            f"{graph.label(model)}.{f.name} points to {graph.label(target)} {value}, "
            "which is not part of this matter."
        )


def _audit(event: AuditEvent, refs: _Refs) -> dict:
    if event.actor_id is not None:
        refs.users.add(event.actor_id)
    return {
        "pk": event.pk,
        "fields": {
            f.name: f.value_from_object(event)
            for f in graph.stored_fields(AuditEvent)
            if f.name != "matter"
        },
    }


def _people(pks: set[int]) -> list[dict]:
    users = get_user_model()._base_manager.filter(pk__in=pks).order_by("pk")
    return [
        {
            "pk": u.pk,
            "email": u.email,
            "username": u.get_username(),
            "first_name": getattr(u, "first_name", ""),
            "last_name": getattr(u, "last_name", ""),
        }
        for u in users
    ]


def _reference(pks: dict[str, set[int]]) -> dict[str, list[dict]]:
    out = {}
    for name, ids in sorted(pks.items()):
        rows = apps.get_model(name)._base_manager.filter(pk__in=ids).order_by("pk")
        out[name] = [{"pk": r.pk, "key": graph.REFERENCE[name].natural_key(r)} for r in rows]
    return out


def _write_json(zf: zipfile.ZipFile, manifest: dict, name: str, value) -> None:
    data = archive.dumps(value).encode()
    zf.writestr(name, data)
    manifest["members"][name] = {"sha256": _sha256(data), "size": len(data)}


def _write_blob(zf: zipfile.ZipFile, key: str, sha256: str) -> int:
    # Stored, not deflated: PDFs and images are compressed already.
    info = zipfile.ZipInfo(archive.blob_member(key), date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    try:
        source = default_storage.open(key, "rb")
    except FileNotFoundError as error:
        raise ExportError(
            f"{key} is missing from the store (see manage.py evidence_verify)."
        ) from error
    with source, zf.open(info, "w", force_zip64=True) as stream:
        out = archive.HashingWriter(stream)
        while chunk := source.read(archive.CHUNK):
            out.write(chunk)
    if out.entry["sha256"] != sha256:
        raise ExportError(
            f"{key} in the store does not match its SHA-256 {sha256}: the stored evidence is "
            "damaged (see manage.py evidence_verify); nothing was exported."
        )
    return out.size


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
