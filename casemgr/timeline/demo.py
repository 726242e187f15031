"""The demo chronology of NWA-0042 (fixtures/demo/nwa-0042-chronology.json): events across the
dispute, linked to the demo exhibits at pinpoints and to the pleaded allegations.

Loaded after the demo matters and exhibits. Like the rest of the demo, rows are written
through the ORM, validated by `full_clean()` but not audited; each is found by its natural key
(an event by its title, a link by its exhibit, file, pinpoint and target) and updated, so
loading twice leaves the same rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction

from casemgr.access.models import Clearance
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.matters.demo import FIXTURES, DemoDataError
from casemgr.matters.models import Matter
from casemgr.pleadings.models import Allegation
from casemgr.timeline import pinpoints
from casemgr.timeline.models import Event, EvidenceLink

CHRONOLOGY_FILE = FIXTURES / "demo" / "nwa-0042-chronology.json"


@dataclass(frozen=True)
class DemoChronology:
    events: int
    links: int


@transaction.atomic
def demo_chronology_load(path=CHRONOLOGY_FILE) -> DemoChronology:
    """Load (or refresh) the demo chronology. Raises DemoDataError naming a record that the
    models refuse or that names something not there (load the demo exhibits first)."""
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    matter = Matter.objects.filter(reference=data["matter"]).first()
    if matter is None:
        return DemoChronology(0, 0)
    names = _Names(matter, data["pleading"])
    author = get_user_model().objects.get(username=data["author"])
    links = 0
    for record in data["events"]:
        event = _load_event(matter, names, author, record)
        for evidence in record.get("evidence", []):
            _load_link(names, author, evidence, event=event)
            links += 1
    for evidence in data.get("allegation_evidence", []):
        allegation = names.allegation(evidence["allegation"])
        _load_link(names, author, evidence, allegation=allegation)
        links += 1
    return DemoChronology(events=len(data["events"]), links=links)


class _Names:
    """The matter's records by the names the fixture uses, read once."""

    def __init__(self, matter: Matter, pleading: str) -> None:
        self.matter = matter
        self.pleading = pleading
        self.parties = {p.name: p for p in matter.parties.all()}
        self.people = {p.name: p for p in matter.people.all()}
        self.allegations = {
            (a.claim.proceeding.case_number, a.paragraph): a
            for a in Allegation.objects.in_matter(matter).select_related("claim__proceeding")
        }
        self.exhibits = {e.reference: e for e in Exhibit.objects.filter(matter=matter)}

    def _get(self, table: dict, key, what: str, hint: str = ""):
        if key not in table:
            hint = f" ({hint})" if hint else ""
            raise DemoDataError(f"{self.matter.reference} chronology: no {what} {key!r}{hint}.")
        return table[key]

    def party(self, name: str):
        return self._get(self.parties, name, "party")

    def person(self, name: str):
        return self._get(self.people, name, "person")

    def allegation(self, ref: str) -> Allegation:
        """ "16(a)" is a paragraph of the fixture's pleading; "3:26-cv-04417 ¶44" names its case."""
        case, _, paragraph = ref.rpartition(" ¶")
        return self._get(self.allegations, (case or self.pleading, paragraph), "allegation")

    def exhibit(self, reference: str) -> Exhibit:
        return self._get(self.exhibits, reference, "exhibit", "load the demo exhibits first")

    def file(self, exhibit: Exhibit, name: str) -> ExhibitFile:
        found = ExhibitFile.objects.filter(exhibit=exhibit, original_name=name).first()
        if found is None:
            raise DemoDataError(f"{exhibit.reference} has no file {name!r}.")
        return found


def _upsert(model: type[models.Model], key: dict, values: dict):
    obj = model._default_manager.filter(**key).first() or model(**key)
    for name, value in values.items():
        setattr(obj, name, value)
    try:
        obj.full_clean()
    except ValidationError as error:
        where = ", ".join(f"{k}={v}" for k, v in key.items())
        raise DemoDataError(f"{model.__name__} {where}: {error}") from error
    obj.save()
    return obj


def _load_event(matter: Matter, names: _Names, author, e: dict) -> Event:
    values = {
        "precision": e.get("precision", Event.Precision.DAY),
        "date": e.get("date"),
        "date_end": e.get("date_end"),
        "occurred_at": None,
        "time_zone": "",
        "description": e.get("description", ""),
        "status": e.get("status", Event.Status.UNKNOWN),
        "kind": e.get("kind", Event.Kind.FACT),
        "designation": Clearance[e.get("designation", "standard").upper()],
        "created_by": author,
    }
    if "local_time" in e:
        # As for hearings: the fixture gives the local time and the zone it was in.
        zone = e["time_zone"]
        values["occurred_at"] = datetime.fromisoformat(e["local_time"]).replace(
            tzinfo=ZoneInfo(zone)
        )
        values["time_zone"] = zone
    event = _upsert(Event, {"matter": matter, "title": e["title"]}, values)
    event.parties.set([names.party(n) for n in e.get("parties", [])])
    event.people.set([names.person(n) for n in e.get("people", [])])
    event.allegations.set([names.allegation(ref) for ref in e.get("allegations", [])])
    return event


def _load_link(names: _Names, author, link: dict, **target) -> EvidenceLink:
    exhibit = names.exhibit(link["exhibit"])
    key = {
        "matter": names.matter,
        "exhibit": exhibit,
        "exhibit_file": names.file(exhibit, link["file"]) if link.get("file") else None,
        # In the form the model keeps them, so that the key finds the row next time.
        "pages": pinpoints.normalise_pages(link.get("pages", "")),
        "paragraphs": pinpoints.normalise_paragraphs(link.get("paragraphs", "")),
        "allegation": target.get("allegation"),
        "event": target.get("event"),
    }
    values = {
        "stance": link.get("stance", EvidenceLink.Stance.SUPPORTS),
        "note": link.get("note", ""),
        "created_by": author,
    }
    return _upsert(EvidenceLink, key, values)
