"""Restoring a matter from an archive into this installation.

Everything is read and checked before anything is written: the manifest, every member's and
every blob's SHA-256, every row's model, fields and references, the people and courts it
names, and that the matter's reference is free here. Only then are the rows written, in one
transaction, with new ids; the blobs are stored inside it, so a failure while storing them
undoes the rows. Blobs already stored before such a failure stay in the store: they sit under
their own hash (or, a bundle, their hash's prefix) and nothing names them, so they are
harmless, and a later import of the same archive finds them there.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction

from casemgr.access.models import AuditAction, AuditEvent
from casemgr.core.portability import archive, graph
from casemgr.evidence.storage import store_stream, stored_sha256
from casemgr.matters.models import Matter

IMPORTER = "manage.py matter_import"


class ArchiveError(Exception):
    """The archive cannot be imported, and nothing was written."""


@dataclass
class ImportSummary:
    matter: Matter | None = None
    rows: dict[str, int] = field(default_factory=dict)
    audit_events: int = 0
    blobs_stored: int = 0
    blobs_present: int = 0
    users_created: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    """What the checks found, for the writing to use."""

    manifest: dict
    users: dict[int, int | None] = field(default_factory=dict)  # old id → id here (None: make)
    people: dict[int, dict] = field(default_factory=dict)
    reference: dict[str, dict[int, int]] = field(default_factory=dict)
    blobs: dict[str, dict] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)  # blobs this store holds already
    listed: dict[str, dict] = field(default_factory=dict)  # the manifest's blobs by key


def matter_import(
    *, path: Path, using: str = "default", create_missing_users: bool = False
) -> ImportSummary:
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError as error:
        raise ArchiveError(f"{path}: no such file.") from error
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(
            f"{path} is not a complete zip archive ({error}): it may have been cut short "
            "in copying. Nothing was imported."
        ) from error
    with zf:
        plan = _check(zf, using=using, create_missing_users=create_missing_users)
        return _write(zf, plan, using=using)


# Checking ------------------------------------------------------------------------------------


def _check(zf: zipfile.ZipFile, *, using: str, create_missing_users: bool) -> _Plan:
    plan = _Plan(manifest=_manifest(zf))
    plan.listed = {blob["key"]: blob for blob in plan.manifest["blobs"]}
    _check_hashes(zf, plan.manifest)
    _check_people(zf, plan, using=using, create_missing=create_missing_users)
    _check_reference(zf, plan, using=using)
    _check_records(zf, plan, using=using)
    _check_audit(zf, plan)
    _check_store(plan)
    return plan


def _manifest(zf: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(zf.read(archive.MANIFEST))
    except KeyError as error:
        raise ArchiveError("The archive has no manifest.json: not a matter export.") from error
    except (ValueError, zipfile.BadZipFile) as error:
        raise ArchiveError(f"manifest.json is damaged: {error}.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != archive.FORMAT:
        raise ArchiveError("manifest.json does not describe a casemgr matter export.")
    if manifest.get("version") != archive.VERSION:
        raise ArchiveError(
            f"The archive is in format version {manifest.get('version')!r}; this casemgr reads "
            f"version {archive.VERSION}."
        )
    members, blobs = manifest.get("members"), manifest.get("blobs")
    if not isinstance(members, dict) or not isinstance(blobs, list):
        raise ArchiveError("manifest.json is malformed: it lists no members or no blobs.")
    for name in archive.MEMBERS:
        if not _is_entry(members.get(name)):
            raise ArchiveError(f"manifest.json is malformed: no SHA-256 and size for {name}.")
    for blob in blobs:
        if not (_is_entry(blob) and isinstance(blob.get("key"), str)):
            raise ArchiveError(f"manifest.json is malformed: a blob entry {blob!r}.")
        if not archive.safe_key(blob["key"]):
            raise ArchiveError(f"manifest.json names a blob key it may not: {blob['key']!r}.")
        named = archive.hash_in_key(blob["key"])
        if named is not None and named != blob["sha256"]:
            raise ArchiveError(
                f"manifest.json lists {blob['key']} with SHA-256 {blob['sha256']}, but its key "
                "names another: the manifest was changed after export."
            )
    return manifest


def _is_entry(entry) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("sha256"), str)
        and bool(archive.SHA256.match(entry["sha256"]))
        and isinstance(entry.get("size"), int)
    )


def _check_hashes(zf: zipfile.ZipFile, manifest: dict) -> None:
    expected = {name: entry for name, entry in manifest["members"].items()}
    expected.update({archive.blob_member(b["key"]): b for b in manifest["blobs"]})
    present = set(zf.namelist()) - {archive.MANIFEST}
    for name in sorted(set(expected) - present):
        raise ArchiveError(f"manifest.json lists {name} but the archive lacks it.")
    for name in sorted(present - set(expected)):
        raise ArchiveError(
            f"The archive holds {name}, which manifest.json does not list: it was added "
            "after export."
        )
    for name, entry in expected.items():
        digest, size = _hash_member(zf, name)
        if digest != entry["sha256"] or size != entry["size"]:
            raise ArchiveError(
                f"{name} does not match its SHA-256 in manifest.json: the archive was changed "
                "after export."
            )


def _hash_member(zf: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    try:
        with zf.open(name) as stream:
            while chunk := stream.read(archive.CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ArchiveError(f"{name} is damaged in the archive ({error}).") from error
    return digest.hexdigest(), size


def _read_json(zf: zipfile.ZipFile, name: str):
    try:
        return json.loads(zf.read(name))
    except ValueError as error:
        raise ArchiveError(f"{name} is not valid JSON: {error}.") from error


def _lines(zf: zipfile.ZipFile, name: str) -> Iterator[tuple[int, dict]]:
    with zf.open(name) as stream:
        for number, line in enumerate(stream, start=1):
            try:
                row = json.loads(line)
            except ValueError as error:
                raise ArchiveError(f"{name}, line {number}, is not valid JSON: {error}.") from error
            if not isinstance(row, dict) or not isinstance(row.get("fields"), dict):
                raise ArchiveError(f"{name}, line {number}, is not a record.")
            yield number, row


def _check_people(zf, plan: _Plan, *, using: str, create_missing: bool) -> None:
    people = _read_json(zf, archive.PEOPLE)
    users = get_user_model()._base_manager.db_manager(using)
    missing = []
    for person in people:
        plan.people[person["pk"]] = person
        email = (person.get("email") or "").strip()
        found = list(users.filter(email__iexact=email)[:2]) if email else []
        if len(found) > 1:
            raise ArchiveError(
                f"Two people here have the e-mail {email}; the archive's user "
                f"{person['username']!r} could be either. Give each their own address first."
            )
        if found:
            plan.users[person["pk"]] = found[0].pk
        elif create_missing:
            plan.users[person["pk"]] = None
        else:
            missing.append(person)
    if missing:
        lines = "\n".join(
            f"  {p.get('email') or '(no e-mail)'}  {p.get('first_name', '')} "
            f"{p.get('last_name', '')} (was {p['username']!r})"
            for p in missing
        )
        raise ArchiveError(
            f"{len(missing)} people in the archive have no account here (matched by e-mail):\n"
            f"{lines}\nCreate their accounts (the admin's Users page, or manage.py "
            "createsuperuser for staff) with these e-mails and import again, or pass "
            "--create-missing-users to add them as inactive accounts that cannot sign in. "
            "Nothing was imported."
        )


def _check_reference(zf, plan: _Plan, *, using: str) -> None:
    reference = _read_json(zf, archive.REFERENCE)
    missing = []
    for name, rows in reference.items():
        if name not in graph.REFERENCE:
            raise ArchiveError(f"reference.json names {name!r}, which is not reference data.")
        kind, model = graph.REFERENCE[name], apps.get_model(name)
        plan.reference[name] = {}
        for row in rows:
            found = model._base_manager.db_manager(using).filter(kind.lookup(row["key"])).first()
            if found is None:
                missing.append(f"  {model._meta.verbose_name}: {kind.describe(row['key'])}")
            else:
                plan.reference[name][row["pk"]] = found.pk
    if missing:
        raise ArchiveError(
            "The archive's records name reference data this casemgr lacks:\n"
            + "\n".join(missing)
            + "\nAdd it (the admin's Courts page) and import again. Nothing was imported."
        )


def _check_records(zf, plan: _Plan, *, using: str) -> None:
    owned = {graph.label(m): m for m in graph.matter_models()}
    seen: dict[str, set[int]] = {name: set() for name in owned}
    counts: dict[str, int] = {}
    for number, row in _lines(zf, archive.RECORDS):
        where = f"{archive.RECORDS}, line {number}"
        model = owned.get(row.get("model"))
        if model is None:
            raise ArchiveError(f"{where}: {row.get('model')!r} is not a model of a matter here.")
        _check_row(model, row, seen, plan, where)
        seen[graph.label(model)].add(row["pk"])
        counts[graph.label(model)] = counts.get(graph.label(model), 0) + 1
        if model is Matter:
            reference = row["fields"].get("reference")
            if Matter._base_manager.db_manager(using).filter(reference=reference).exists():
                raise ArchiveError(
                    f"A matter with the reference {reference} exists here already; nothing was "
                    "imported. Rename one of them first if they are different matters."
                )
    listed = plan.manifest["members"][archive.RECORDS].get("rows", {})
    if counts.get("matters.Matter") != 1 or {k: v for k, v in counts.items() if v} != {
        k: v for k, v in listed.items() if v
    }:
        raise ArchiveError(
            f"{archive.RECORDS} does not hold the rows manifest.json counts: the archive is "
            "incomplete."
        )


def _check_row(model, row: dict, seen: dict, plan: _Plan, where: str) -> None:
    fields = row["fields"]
    if not isinstance(row.get("pk"), int):
        raise ArchiveError(f"{where}: the row has no id.")
    known = {f.name: f for f in graph.stored_fields(model)}
    known.update({f.name: f for f in model._meta.local_many_to_many})
    for name, value in fields.items():
        if name not in known:
            raise ArchiveError(f"{where}: {graph.label(model)} has no field {name!r} here.")
        if not known[name].is_relation:
            _to_python(known[name], value, where)
    for f in graph.relations(model):
        values = fields.get(f.name)
        for value in values if f.many_to_many else [values]:
            if value is None:
                continue
            target = f.related_model
            if graph.is_user(target):
                ok = value in plan.users
            elif graph.label(target) in graph.REFERENCE:
                ok = value in plan.reference.get(graph.label(target), {})
            else:
                ok = value in seen.get(graph.label(target), ()) and (
                    target is not model or value != row["pk"]
                )
            if not ok:
                raise ArchiveError(
                    f"{where}: {graph.label(model)}.{f.name} points to "
                    f"{graph.label(target)} {value}, which the archive does not hold."
                )
    for key_field, hash_field in graph.BLOB_FIELDS.get(graph.label(model), ()):
        key = fields.get(key_field)
        if key:
            blob = plan.listed.get(key)
            if blob is None or blob["sha256"] != fields.get(hash_field):
                raise ArchiveError(
                    f"{where}: {graph.label(model)} names the file {key}, which the archive "
                    "does not hold under that SHA-256."
                )
            plan.blobs[key] = blob


def _check_audit(zf, plan: _Plan) -> None:
    count = 0
    for number, row in _lines(zf, archive.AUDIT):
        where = f"{archive.AUDIT}, line {number}"
        for f in graph.stored_fields(AuditEvent):
            if f.name in row["fields"] and not f.is_relation:
                _to_python(f, row["fields"][f.name], where)
        actor = row["fields"].get("actor")
        if actor is not None and actor not in plan.users:
            raise ArchiveError(
                f"{archive.AUDIT}, line {number}: the actor {actor} is not in people.json."
            )
        count += 1
    if count != plan.manifest["members"][archive.AUDIT].get("rows"):
        raise ArchiveError(f"{archive.AUDIT} does not hold the events manifest.json counts.")


def _check_store(plan: _Plan) -> None:
    """A blob already stored here is left as it is, so it must be the same bytes."""
    for key, blob in plan.blobs.items():
        try:
            found = stored_sha256(key)
        except FileNotFoundError:
            continue
        if found != blob["sha256"]:
            raise ArchiveError(
                f"This casemgr's store already holds other bytes under {key} (SHA-256 {found}, "
                f"the archive's is {blob['sha256']}); run manage.py evidence_verify. Nothing "
                "was imported."
            )
        plan.present.add(key)


# Writing ------------------------------------------------------------------------------------


def _write(zf: zipfile.ZipFile, plan: _Plan, *, using: str) -> ImportSummary:
    summary = ImportSummary()
    with transaction.atomic(using=using):
        _make_missing_users(plan, summary, using=using)
        ids: dict[str, dict[int, int]] = {}
        for _number, row in _lines(zf, archive.RECORDS):
            model = apps.get_model(row["model"])
            obj = _insert(model, row["fields"], ids, plan, using=using)
            ids.setdefault(row["model"], {})[row["pk"]] = obj.pk
            summary.rows[row["model"]] = summary.rows.get(row["model"], 0) + 1
            if model is Matter:
                summary.matter = obj
        for _number, row in _lines(zf, archive.AUDIT):
            _insert_audit(row["fields"], summary.matter, ids, plan, using=using)
            summary.audit_events += 1
        for key in plan.blobs:
            if key in plan.present:
                summary.blobs_present += 1
            else:
                _store_blob(zf, key)
                summary.blobs_stored += 1
        AuditEvent(
            action=AuditAction.CREATE,
            actor_label=IMPORTER,
            matter=summary.matter,
            object_type=graph.label(Matter),
            object_id=str(summary.matter.pk),
            object_repr=str(summary.matter)[:200],
            detail={
                "imported": plan.manifest.get("exported_at"),
                "manifest_sha256": hashlib.sha256(zf.read(archive.MANIFEST)).hexdigest(),
                "rows": sum(summary.rows.values()),
                "audit_events": summary.audit_events,
                "blobs": len(plan.blobs),
                "users_created": summary.users_created,
            },
        ).save(using=using)
    return summary


def _make_missing_users(plan: _Plan, summary: ImportSummary, *, using: str) -> None:
    """Inactive, with no usable password: they appear in the history under their names, and
    whether they may sign in is the firm's decision, made afterwards."""
    manager = get_user_model()._base_manager.db_manager(using)
    for old, new in plan.users.items():
        if new is not None:
            continue
        person = plan.people[old]
        username = person["username"]
        if manager.filter(username=username).exists():
            username = person.get("email") or f"imported-{old}"
        user = get_user_model()(
            username=username,
            email=person.get("email", ""),
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
            is_active=False,
        )
        user.set_unusable_password()
        user.save(using=using)
        plan.users[old] = user.pk
        summary.users_created.append(person.get("email") or username)


def _insert(model, fields: dict, ids: dict, plan: _Plan, *, using: str) -> models.Model:
    values, m2m = {}, {}
    for f in graph.stored_fields(model):
        if f.name not in fields:
            continue  # a field this casemgr has and the exporting one had not: its default
        value = fields[f.name]
        if f.is_relation:
            new = None if value is None else _new_id(f.related_model, value, ids, plan)
            values[f.attname] = new
        else:
            values[f.attname] = _to_python(f, value)
    for f in model._meta.local_many_to_many:
        m2m[f.name] = [_new_id(f.related_model, v, ids, plan) for v in fields.get(f.name, [])]
    obj = model(**values)
    # raw: as loaddata saves, so that creation times and derived columns (a paragraph's sort
    # key, an event's place in the chronology) are the archive's, not made again.
    obj.save_base(using=using, raw=True, force_insert=True)
    for name, pks in m2m.items():
        getattr(obj, name).set(pks)
    return obj


def _insert_audit(fields: dict, matter: Matter, ids: dict, plan: _Plan, *, using: str) -> None:
    values = {
        f.attname: _to_python(f, fields[f.name])
        for f in graph.stored_fields(AuditEvent)
        if f.name in fields and not f.is_relation
    }
    actor = fields.get("actor")
    values["actor_id"] = None if actor is None else plan.users[actor]
    values["matter_id"] = matter.pk
    # The object the event was about, by its id here; an object not in the archive (removed
    # before the export) keeps the id it had.
    old = values.get("object_type", "")
    if old == graph.label(get_user_model()) and values["object_id"].isdigit():
        new = plan.users.get(int(values["object_id"]))
    elif values.get("object_id", "").isdigit():
        new = ids.get(old, {}).get(int(values["object_id"]))
    else:
        new = None
    if new is not None:
        values["object_id"] = str(new)
    AuditEvent(**values).save_base(using=using, raw=True, force_insert=True)


def _new_id(target, value: int, ids: dict, plan: _Plan) -> int:
    if graph.is_user(target):
        return plan.users[value]
    name = graph.label(target)
    if name in graph.REFERENCE:
        return plan.reference[name][value]
    return ids[name][value]


def _to_python(f: models.Field, value, where: str = ""):
    try:
        return f.to_python(value)
    except ValidationError as error:
        raise ArchiveError(
            f"{where}: {f.model._meta.label}.{f.name}: {error.messages[0]}"
        ) from error


def _store_blob(zf: zipfile.ZipFile, key: str) -> None:
    """Streamed from the zip to the store. Its hash was checked in the checks; this second
    read is guarded by the zip's own CRC-32, and a read that fails it leaves no file."""
    try:
        with zf.open(archive.blob_member(key)) as stream:
            store_stream(stream, key)
    except zipfile.BadZipFile as error:
        raise ArchiveError(f"{key} could not be read again from the archive: {error}.") from error
