"""Load the demo matters, the reference courts and the demo logins from fixtures/.

The fixtures are hand-edited JSON. Records name each other by natural keys (a matter's
reference, a party's name, a court's jurisdiction + name + division, a paragraph number), never
by database id, so the same files load into any database. Every row is looked up by its natural
key and then updated or created, so loading twice leaves exactly the same rows.

Rows are written through the ORM, not `record_save`: loading demo data is not a change anyone
made to a matter, so it gets no audit rows. It is still validated (`full_clean`) row by row.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models, transaction

from casemgr.access.models import Clearance, MatterMembership
from casemgr.matters.models import Court, Hearing, Jurisdiction, Matter, Party, Person, Proceeding
from casemgr.pleadings.models import Allegation, Claim

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
REFERENCE_FILE = FIXTURES / "reference" / "jurisdictions.json"
MATTER_FILES = [FIXTURES / "demo" / "nwa-0042.json", FIXTURES / "demo" / "hrb-0007.json"]
USERS_FILE = FIXTURES / "demo" / "users.json"


class DemoDataError(Exception):
    """A fixture record that the models refuse, or that names a record that isn't there."""


@dataclass
class DemoLogin:
    username: str
    full_name: str
    # (matter reference, role label, clearance label) for each matter the user is on.
    memberships: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class DemoSummary:
    password: str
    loaded: Counter[str] = field(default_factory=Counter)  # rows written, by model (plural)
    created: Counter[str] = field(default_factory=Counter)  # ...of which were new
    logins: list[DemoLogin] = field(default_factory=list)


@transaction.atomic
def demo_load(*, password: str) -> DemoSummary:
    """Load (or refresh) all demo data, and set every demo user's password to `password`.

    One transaction: a bad record anywhere leaves the database as it was.
    """
    if not password:
        raise DemoDataError("The demo password must not be empty.")
    summary = DemoSummary(password=password)
    for record in _read(REFERENCE_FILE)["jurisdictions"]:
        _load_jurisdiction(summary, record)
    matters = {}
    for path in MATTER_FILES:
        matter = _load_matter(summary, _read(path))
        matters[matter.reference] = matter
    for record in _read(USERS_FILE)["users"]:
        summary.logins.append(_load_user(summary, record, matters, password))
    return summary


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _upsert(summary: DemoSummary, model: type[models.Model], key: dict, values: dict):
    """`update_or_create` keyed on the natural key, but with `full_clean()` before the save,
    so that a bad fixture stops the load with the model and the key that are wrong (and rules
    only `clean()` knows, like a party's parent being in the same matter, are checked too)."""
    where = f"{model.__name__} {', '.join(f'{k}={v}' for k, v in key.items())}"
    try:
        obj = model._default_manager.get(**key)
    except model.DoesNotExist:
        obj = model(**key)
    except model.MultipleObjectsReturned as error:
        raise DemoDataError(f"{where}: more than one row has this natural key.") from error
    for name, value in values.items():
        setattr(obj, name, value)
    created = obj._state.adding
    try:
        obj.full_clean()
    except ValidationError as error:
        raise DemoDataError(f"{where}: {error}") from error
    obj.save()  # Allegation.save() derives paragraph_sort, so always go through save().
    label = str(model._meta.verbose_name_plural)
    summary.loaded[label] += 1
    summary.created[label] += created
    return obj


def _load_jurisdiction(summary: DemoSummary, record: dict) -> None:
    values = {k: record[k] for k in ("name", "time_zone", "holiday_calendar", "rule_set")}
    jurisdiction = _upsert(summary, Jurisdiction, {"code": record["code"]}, values)
    for court in record["courts"]:
        key = {"jurisdiction": jurisdiction, "name": court["name"], "division": court["division"]}
        _upsert(summary, Court, key, {"time_zone": court.get("time_zone", "")})


def _court(ref: dict) -> Court:
    try:
        return Court.objects.get(
            jurisdiction__code=ref["jurisdiction"], name=ref["name"], division=ref["division"]
        )
    except Court.DoesNotExist:
        raise DemoDataError(f"No court {ref}: add it to {REFERENCE_FILE.name}.") from None


def _load_matter(summary: DemoSummary, data: dict) -> Matter:
    m = data["matter"]
    # Dates stay ISO strings here: full_clean() turns them into dates.
    values = {k: m.get(k, "") for k in ("title", "status", "opened_on", "description")}
    matter = _upsert(summary, Matter, {"reference": m["reference"]}, values)
    parties = _load_parties(summary, matter, data["parties"])
    for p in data.get("people", []):
        values = {k: p.get(k, "") for k in ("organisation", "role", "notes")}
        values["party"] = _party(parties, p["party"], matter) if p.get("party") else None
        _upsert(summary, Person, {"matter": matter, "name": p["name"]}, values)
    for record in data.get("proceedings", []):
        _load_proceeding(summary, matter, parties, record)
    return matter


def _load_parties(summary: DemoSummary, matter: Matter, records: list[dict]) -> dict:
    # A parent must be listed before its subsidiaries, so it exists when they point to it.
    parties: dict[str, Party] = {}
    for p in records:
        values = {k: p.get(k, "") for k in ("kind", "role", "country", "solicitors", "counsel")}
        values["parent"] = _party(parties, p["parent"], matter) if p.get("parent") else None
        parties[p["name"]] = _upsert(summary, Party, {"matter": matter, "name": p["name"]}, values)
    return parties


def _party(parties: dict[str, Party], name: str, matter: Matter) -> Party:
    if name not in parties:
        raise DemoDataError(
            f"{matter.reference}: no party named {name!r} (a corporate parent must be "
            "listed before its subsidiaries)."
        )
    return parties[name]


def _load_proceeding(summary: DemoSummary, matter: Matter, parties: dict, p: dict) -> None:
    court = _court(p["court"])
    values = {k: p[k] for k in ("title", "our_side", "status")}
    values["issued_on"] = p.get("issued_on")
    # The case number identifies a proceeding (within its matter) only once issued; before
    # that, its title does.
    if p["case_number"]:
        key = {"matter": matter, "court": court, "case_number": p["case_number"]}
    else:
        key = {"matter": matter, "court": court, "title": values.pop("title"), "case_number": ""}
    proceeding = _upsert(summary, Proceeding, key, values)
    for h in p.get("hearings", []):
        key = {"proceeding": proceeding, "kind": h["kind"], "starts_at": _starts_at(h, court)}
        values = {k: h.get(k, "") for k in ("title", "time_estimate", "venue", "remote_link")}
        values["status"] = h.get("status", Hearing.Status.LISTED)
        _upsert(summary, Hearing, key, values)
    for c in p.get("claims", []):
        _load_claim(summary, proceeding, parties, c)


def _starts_at(hearing: dict, court: Court) -> datetime:
    """Fixtures give a hearing's time as the court lists it: local time, plus the zone so a
    reader need not look it up. The zone must be the court's, since the app shows hearing
    times in the court's zone; anything else is a slip in the fixture."""
    if hearing["time_zone"] != court.zone.key:
        raise DemoDataError(
            f"Hearing {hearing['local_start']} in {court}: time_zone {hearing['time_zone']} "
            f"is not the court's ({court.zone.key})."
        )
    return datetime.fromisoformat(hearing["local_start"]).replace(tzinfo=court.zone)


def _load_claim(summary: DemoSummary, proceeding: Proceeding, parties: dict, c: dict) -> None:
    matter = proceeding.matter
    claim = _upsert(
        summary,
        Claim,
        {"proceeding": proceeding, "cause_of_action": c["cause_of_action"]},
        {"relief_sought": c.get("relief_sought", "")},
    )
    claim.claimants.set([_party(parties, name, matter) for name in c["claimants"]])
    claim.defendants.set([_party(parties, name, matter) for name in c["defendants"]])
    for a in c.get("allegations", []):
        values = {
            "text": a["text"],
            "against": _party(parties, a["against"], matter) if a.get("against") else None,
            "response": a.get("response", Allegation.Response.NO_RESPONSE),
            "response_note": a.get("response_note", ""),
        }
        _upsert(summary, Allegation, {"claim": claim, "paragraph": a["paragraph"]}, values)


def _load_user(summary: DemoSummary, u: dict, matters: dict, password: str) -> DemoLogin:
    values = {k: u[k] for k in ("first_name", "last_name", "email")}
    # Demo users are never staff or superusers: what they see comes from memberships alone.
    # The password is reset on every run, so the printed login always works.
    values.update(is_active=True, is_staff=False, is_superuser=False)
    values["password"] = make_password(password)
    user = _upsert(summary, get_user_model(), {"username": u["username"]}, values)
    user.user_permissions.set([_permission(name) for name in u.get("permissions", [])])
    login = DemoLogin(username=user.username, full_name=user.get_full_name())
    for m in u.get("memberships", []):
        if m["matter"] not in matters:
            raise DemoDataError(f"User {user.username}: no demo matter {m['matter']!r}.")
        # Written directly rather than by membership_grant: no audit row and no e-mail.
        membership = _upsert(
            summary,
            MatterMembership,
            {"user": user, "matter": matters[m["matter"]]},
            {"role": m["role"], "clearance": _clearance(m["clearance"])},
        )
        clearance = membership.get_clearance_display()
        login.memberships.append((m["matter"], membership.get_role_display(), clearance))
    return login


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist:
        raise DemoDataError(f"No permission {dotted!r}; have the migrations run?") from None


def _clearance(name: str) -> Clearance:
    # Fixtures spell clearances by name (aeo), not by their stored number (3).
    try:
        return Clearance[name.upper()]
    except KeyError:
        choices = ", ".join(c.name.lower() for c in Clearance)
        raise DemoDataError(f"Unknown clearance {name!r}: use one of {choices}.") from None
