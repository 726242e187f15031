"""Moving a matter to another casemgr: `matter_export` of the demo matter, `matter_import`
into a second, fresh database with an empty store of its own, and the two compared record by
record (ids replaced by what they point to), file by file and event by event. A damaged or
tampered archive is refused with nothing written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import CommandError, call_command

from casemgr.access.models import AuditAction, AuditEvent
from casemgr.core.portability import graph
from casemgr.evidence.models import ExhibitPage
from casemgr.evidence.storage import stored_sha256
from casemgr.matters.models import Court, Jurisdiction, Matter

pytestmark = pytest.mark.django_db(databases=["default", "elsewhere"])

REF = "NWA-0042"
THERE = "elsewhere"
User = get_user_model()


@pytest.fixture
def demo(settings, django_capture_on_commit_callbacks) -> Matter:
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):  # renditions, bundle builds
        call_command("load_demo", password="demo-pass-123", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Matter.objects.get(reference=REF)


@pytest.fixture
def exported(demo, tmp_path) -> tuple[Path, dict]:
    """The archive, and the matter as it was when exported."""
    before = canonical(demo, using="default")
    path = tmp_path / "nwa-0042.zip"
    call_command("matter_export", REF, str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    return path, before


@pytest.fixture
def elsewhere(settings, tmp_path):
    """Another casemgr: its own database (the reference courts, and the demo's people under
    other user names and ids), and its own empty store."""
    for jurisdiction in Jurisdiction.objects.order_by("-pk"):  # ids differ there
        jurisdiction.pk = None
        jurisdiction.save(using=THERE)
    for court in Court.objects.select_related("jurisdiction").order_by("-pk"):
        there = Jurisdiction.objects.using(THERE).get(code=court.jurisdiction.code)
        court.jurisdiction_id = there.pk
        court.pk = None
        court.save(using=THERE)
    User.objects.db_manager(THERE).create_user("someone-else", "someone@example.com")
    for user in User.objects.exclude(email="").order_by("-pk"):
        User.objects.db_manager(THERE).create_user(
            f"{user.username}-there", user.email.upper(), first_name=user.first_name
        )
    store = tmp_path / "store-elsewhere"
    store.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(store), "base_url": None},
        },
    }
    return store


def import_there(path: Path, **options) -> str:
    out = []

    class Out:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("matter_import", str(path), database=THERE, stdout=Out(), **options)
    return "".join(out)


# The canonical form: every row of the matter with its fields, ids replaced by what they name
# (a user's e-mail, a court's name, a row of the matter by its place among its kind).


def canonical(matter: Matter, *, using: str) -> dict:
    querysets = graph.rows_of(matter, using=using)
    places = {
        graph.label(model): {
            pk: n for n, pk in enumerate(qs.order_by("pk").values_list("pk", flat=True))
        }
        for model, qs in querysets.items()
    }
    emails = dict(User.objects.using(using).values_list("pk", "email"))
    courts = {c.pk: (c.jurisdiction.code, c.name, c.division) for c in Court.objects.using(using)}

    def name(model, value):
        if value is None:
            return None
        if model is User:
            return emails[value].lower()
        if model is Court:
            return courts[value]
        return (graph.label(model), places[graph.label(model)][value])

    records = {}
    for model, qs in querysets.items():
        rows = []
        for row in serializers.serialize("python", qs.order_by("pk")):
            fields = row["fields"]
            for f in graph.relations(model):
                if f.many_to_many:
                    fields[f.name] = sorted(name(f.related_model, v) for v in fields[f.name])
                else:
                    fields[f.name] = name(f.related_model, fields[f.name])
            rows.append(fields)
        records[graph.label(model)] = rows
    audit = []
    for event in graph.audit_of(matter, using=using):
        row = serializers.serialize("python", [event])[0]["fields"]
        row["actor"] = name(User, row["actor"])
        row["matter"] = None
        known = places.get(row["object_type"])
        if known is not None and row["object_id"].isdigit() and int(row["object_id"]) in known:
            row["object_id"] = places[row["object_type"]][int(row["object_id"])]
        elif row["object_type"] == User._meta.label and row["object_id"]:
            row["object_id"] = name(User, int(row["object_id"]))
        audit.append(row)
    return {"records": records, "audit": audit}


def row_counts(using: str) -> dict:
    models = [*graph.matter_models(), AuditEvent, User]
    return {graph.label(m): m._base_manager.using(using).count() for m in models}


def manifest_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json"))


def rezip(path: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    """The archive copied member by member, with the members in `change` replaced (or, for
    None, left out)."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            name = info.filename
            data = change[name] if name in change else source.read(name)
            if data is not None:
                out.writestr(name, data)
    return target


def refused(path: Path, message: str, store: Path) -> None:
    before = row_counts(THERE)
    with pytest.raises(CommandError, match=message):
        import_there(path)
    assert row_counts(THERE) == before
    assert not any(p.is_file() for p in store.rglob("*"))


# The walk finds every model of a matter, and nothing else.


def test_the_walk_finds_every_model_of_a_matter():
    assert {graph.label(m) for m in graph.matter_models()} == {
        "matters.Matter",
        "matters.Party",
        "matters.Person",
        "matters.Proceeding",
        "matters.Hearing",
        "access.MatterMembership",
        "pleadings.Claim",
        "pleadings.Allegation",
        "evidence.Exhibit",
        "evidence.ExhibitFile",
        "evidence.ExhibitPage",
        "deadlines.TriggerEvent",
        "deadlines.Deadline",
        "deadlines.Extension",
        "deadlines.Reminder",
        "timeline.Event",
        "timeline.EvidenceLink",
        "bundles.Bundle",
        "bundles.Section",
        "bundles.Entry",
        "bundles.Version",
        "analysis.Analysis",
        "redaction.Redaction",
        "redaction.Box",
        "productions.NumberRange",
        "productions.Production",
        "productions.ChosenExhibit",
        "productions.ProducedDocument",
        "disclosure.DisclosureEntry",
    }


# The round trip.


def test_the_demo_matter_moves_to_another_casemgr_with_nothing_lost(exported, elsewhere):
    path, before = exported
    manifest = manifest_of(path)
    assert manifest["matter"] == REF and manifest["version"] == 1
    kinds = {blob["key"].split("/")[0] for blob in manifest["blobs"]}
    assert {"evidence", "renditions", "bundles"} <= kinds

    said = import_there(path)

    assert f"Imported {REF}" in said
    moved = Matter.objects.using(THERE).get(reference=REF)
    after = canonical(moved, using=THERE)
    assert after["records"].keys() == before["records"].keys()
    for model in before["records"]:
        assert after["records"][model] == before["records"][model], model
    assert all(before["records"][m] for m in ("evidence.ExhibitPage", "bundles.Version"))
    # The history as it was, then one event for the import.
    *history, imported = after["audit"]
    assert history == before["audit"]
    assert imported["action"] == AuditAction.CREATE
    assert imported["actor_label"] == "manage.py matter_import"
    # Every file there, byte for byte.
    for blob in manifest["blobs"]:
        assert stored_sha256(blob["key"]) == blob["sha256"]
    # Page vectors are not carried but made there by the search trigger, the same.
    pages = ExhibitPage._base_manager.using(THERE).filter(matter=moved).exclude(text="")
    assert pages.exists() and not pages.filter(search_vector__isnull=True).exists()
    # The people are the ones with the same e-mail there, not the same ids or names.
    partner = User.objects.using(THERE).get(username="partner-there")
    assert moved.memberships.filter(user=partner).exists()


# Refusals: nothing written. (Loading the demo takes most of a minute, so each test tries
# several archives.)


def test_a_damaged_or_tampered_archive_is_refused(exported, elsewhere, tmp_path):
    path = exported[0]
    key = manifest_of(path)["blobs"][0]["key"]

    cut = tmp_path / "cut.zip"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    refused(cut, "not a complete zip archive", elsewhere)

    with zipfile.ZipFile(path) as zf:
        records = zf.read("records.jsonl")
    edited = records.replace(b"Northwind", b"Southwind", 1)
    assert edited != records
    tampered = rezip(path, tmp_path / "edited.zip", {"records.jsonl": edited})
    refused(tampered, "records.jsonl does not match its SHA-256.*changed after export", elsewhere)

    swapped = rezip(path, tmp_path / "swapped.zip", {f"blobs/{key}": b"other bytes"})
    refused(swapped, f"blobs/{key} does not match its SHA-256", elsewhere)

    lacking = rezip(path, tmp_path / "lacking.zip", {f"blobs/{key}": None})
    refused(lacking, f"manifest.json lists blobs/{key} but the archive lacks it", elsewhere)


def test_missing_people_are_listed_or_added_inactive_and_a_matter_moves_once(exported, elsewhere):
    User.objects.db_manager(THERE).filter(username="partner-there").delete()
    partner = User.objects.get(username="partner")
    refused(exported[0], f"(?s)1 people.*{partner.email}.*--create-missing-users", elsewhere)

    said = import_there(exported[0], create_missing_users=True)

    assert partner.email in said
    added = User.objects.using(THERE).get(email=partner.email)
    assert not added.is_active and not added.has_usable_password()
    before = row_counts(THERE)
    with pytest.raises(CommandError, match=f"A matter with the reference {REF} exists here"):
        import_there(exported[0])
    assert row_counts(THERE) == before
