"""Walking the URL configuration, and the rows that fill every route's parameters.

The sweeps that must cover every route (tests/core/test_page_methods.py, tests/hostile/)
take their routes from here, so a new route is in them the day it is added, and a route with
a parameter no row fills fails them until the rows below learn it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casemgr.access.models import AuditEvent, Clearance, MatterMembership
from casemgr.analysis import services as analysis_services
from casemgr.analysis.models import Analysis
from casemgr.bundles import services as bundle_services
from casemgr.bundles.models import Bundle
from casemgr.deadlines.models import Deadline, ReminderPreference, TriggerEvent
from casemgr.disclosure import services as disclosure_services
from casemgr.disclosure.models import DisclosureEntry
from casemgr.productions import services as production_services
from casemgr.productions.models import Production
from casemgr.redaction import engine
from casemgr.redaction import services as redaction_services
from casemgr.redaction.models import Redaction
from tests.evidence import files
from tests.factories import EventFactory, EvidenceLinkFactory, ExhibitFactory, ExhibitFileFactory

# A parameter in a path() route (<int:pk>), a router's regex ((?P<pk>[^/.]+)) or an OpenAPI
# path template ({id}).
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\{(\w+)\}")
# A bare `pk` (or the schema's `id`) is a row of the segment before it.
ROW_OF_SEGMENT = {"pk", "id"}

# What a member below AEO clearance must never see named, anywhere.
AEO_EXHIBIT_TITLE = "Osprey valuation memorandum"
RING_BUNDLE_TITLE = "Osprey confidentiality ring bundle"


@dataclass(frozen=True)
class Route:
    route: str  # as in the URL configuration, e.g. "matters/<int:matter_pk>/parties/"
    name: str  # namespaced, for reverse()
    view: object  # the view class (or function) the route resolves to
    actions: dict  # a router's method → action map ({} for anything else)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def parameters(self) -> list[str]:
        return [next(filter(None, m.groups())) for m in PARAMETER.finditer(self.route)]

    def url(self, rows: dict) -> str:
        return reverse(self.name, kwargs=kwargs_for(self.route, rows))


def routes(patterns=None, prefix: str = "", namespace: str = ""):
    """Every route of the URL configuration but the admin (Django's own)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith("admin/"):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            view = getattr(callback, "view_class", None) or getattr(callback, "cls", callback)
            yield Route(route, namespace + pattern.name, view, getattr(callback, "actions", {}))


def page_routes():
    """Every page: all routes but the API's (which documents its own methods)."""
    return [route for route in routes() if not route.is_api]


def kwargs_for(route: str, rows: dict) -> dict:
    """Real ids for a route's parameters: a `pk` is the row of the segment before it
    (`bundles/<pk>` is a bundle), any other parameter is named after its row."""
    kwargs = {}
    for match in PARAMETER.finditer(route):
        name = next(filter(None, match.groups()))
        if name in ROW_OF_SEGMENT:
            key = route[: match.start()].rstrip("/").rpartition("/")[2].lstrip("^")
        else:
            key = name
        assert key in rows, f"{route}: no test row for <{name}>; add one to tests/routes.py"
        kwargs[name] = rows[key]
    return kwargs


def _stored(exhibit_file):
    """Real bytes behind a factory's file row (a PDF, its own preview), so that its download
    and preview are served as they would be."""
    content = files.pdf(text=f"Swept file {exhibit_file.pk}")
    digest = hashlib.sha256(content).hexdigest()
    key = default_storage.save(f"sha256/{digest}", ContentFile(content))
    exhibit_file.size, exhibit_file.sha256, exhibit_file.storage_key = len(content), digest, key
    exhibit_file.rendition_key, exhibit_file.rendition_sha256 = key, digest
    exhibit_file.save()
    return exhibit_file


def make_rows(world, capture_on_commit) -> dict:
    """A matter with one of everything, by the name its routes give it. Among them, an AEO
    exhibit and a confidentiality-ring bundle that only AEO members may know of."""
    exhibit = ExhibitFactory(matter=world.matter, created_by=world.partner)
    exhibit_file = _stored(ExhibitFileFactory(exhibit=exhibit))
    event = EventFactory(matter=world.matter, created_by=world.partner)
    link = EvidenceLinkFactory(exhibit=exhibit, event=event)
    bundle = bundle_services.bundle_create(
        bundle=Bundle(matter=world.matter, proceeding=world.proceeding, title="CMC bundle"),
        actor=world.partner,
    )
    section = bundle.sections.get(letter="D")
    entry = bundle_services.entry_add(
        bundle=bundle, section=section, exhibit=exhibit, actor=world.partner
    )
    # Its build may fail (the factory's file is no PDF): the version is all that is needed.
    with capture_on_commit(execute=True):
        version = bundle_services.version_request(bundle=bundle, actor=world.partner)

    with capture_on_commit(execute=True):
        production = production_services.production_create(
            production=Production(
                matter=world.matter,
                proceeding=world.proceeding,
                title="First tranche",
                prefix="NWA",
                produced_to=world.defendant,
            ),
            exhibits=[exhibit],
            order=Production.Order.REFERENCE,
            actor=world.partner,
        )

    sealed = ExhibitFactory(
        matter=world.matter,
        created_by=world.partner,
        title=AEO_EXHIBIT_TITLE,
        designation=Clearance.AEO,
    )
    _stored(ExhibitFileFactory(exhibit=sealed))
    _analysis(world, sealed, name="sealed-log")
    EvidenceLinkFactory(exhibit=sealed, event=event)
    ring = bundle_services.bundle_create(
        bundle=Bundle(
            matter=world.matter,
            proceeding=world.proceeding,
            title=RING_BUNDLE_TITLE,
            audience=Bundle.Audience.RING,
        ),
        actor=world.partner,
    )
    bundle_services.entry_add(
        bundle=ring, section=ring.sections.get(letter="D"), exhibit=sealed, actor=world.partner
    )

    # The production put the exhibit on the proceeding's list of documents disclosed.
    listed = DisclosureEntry.objects.get(proceeding=world.proceeding, exhibit=exhibit)
    disclosure_services.entry_add(
        proceeding=world.proceeding,
        exhibit=sealed,
        kind="withheld",
        actor=world.partner,
        ground="litigation",
        description=AEO_EXHIBIT_TITLE,
    )

    preference = ReminderPreference(user=world.partner)
    token = preference.new_feed_token()
    preference.save()
    deadline = Deadline.objects.create(
        proceeding=world.proceeding, title="Defence", due_date=date(2027, 1, 15)
    )
    trigger = TriggerEvent.objects.create(
        proceeding=world.proceeding,
        event="claim_served",
        occurred_at=datetime(2026, 11, 27, 16, 45, tzinfo=UTC),
        recorded_by=world.partner,
    )
    analysis = _analysis(world, exhibit, name="api-log")
    redaction = _redaction(world, exhibit_file)
    court = world.proceeding.court
    expert_membership = MatterMembership.objects.get(user=world.expert, matter=world.matter)
    return {
        "matter_pk": world.matter.pk,
        "matters": world.matter.pk,
        "jurisdictions": court.jurisdiction_id,
        "courts": court.pk,
        "parties": world.claimant.pk,
        "people": world.person.pk,
        "proceedings": world.proceeding.pk,
        "proceeding_pk": world.proceeding.pk,
        "hearings": world.hearing.pk,
        "claims": world.claim.pk,
        "claim_pk": world.claim.pk,
        "allegations": world.allegation.pk,
        "members": expert_membership.pk,
        "memberships": expert_membership.pk,
        "exhibits": exhibit.pk,
        "files": exhibit_file.pk,
        "events": event.pk,
        "evidence": link.pk,
        "evidence-links": link.pk,
        "bundles": bundle.pk,
        "entry_pk": entry.pk,
        "section_pk": section.pk,
        "number": version.number,
        "productions": production.pk,
        "deadlines": deadline.pk,
        "triggers": trigger.pk,
        "token": token,
        "analyses": analysis.pk,
        "file_pk": exhibit_file.pk,
        "redactions": redaction.pk,
        "box_pk": redaction.boxes.get().pk,
        "entries": listed.pk,
        "kind": "withheld",
        "which": "withheld",
        "fmt": "csv",  # plain text, so the sweep reads what it names
        # The drill-down pages of the first cluster and the first output pair.
        "cluster": 1,
        "pair": 1,
    }


def _analysis(world, exhibit, *, name: str) -> Analysis:
    """A finished analysis of a small log stored beside the exhibit's PDF: one to start
    again, cancel (refused: it is done) and read the results of."""
    content = f"request_time,api_key_id\n2026-03-02T10:00:00Z,{name}\n".encode()
    digest = hashlib.sha256(content).hexdigest()
    log_file = ExhibitFileFactory(
        exhibit=exhibit,
        original_name=f"{name}.csv",
        kind="csv",
        mime="text/csv",
        size=len(content),
        sha256=digest,
        storage_key=default_storage.save(f"sha256/{digest}", ContentFile(content)),
    )
    analysis = Analysis.objects.create(
        matter=world.matter,
        source=log_file,
        kind=Analysis.Kind.LOGS,
        sha256=digest,
        created_by=world.partner,
    )
    # Real results, as the pages and the API read them.
    return analysis_services.analysis_run(analysis=analysis)


def _redaction(world, exhibit_file) -> Redaction:
    """A redaction of the file with one box, proposed by the paralegal: its "redacted file" is
    the file's own PDF (the engine's work is not what the sweeps are about)."""
    redaction, _ = redaction_services.redaction_start(
        exhibit_file=exhibit_file, actor=world.paralegal
    )
    redaction_services.boxes_add(
        redaction=redaction,
        boxes=[engine.Box(page=1, x0=72, y0=72, x1=200, y1=100)],
        actor=world.paralegal,
    )
    Redaction.objects.filter(pk=redaction.pk).update(
        status=Redaction.Status.PROPOSED,
        proposed_by=world.paralegal,
        storage_key=exhibit_file.rendition_key,
        sha256=exhibit_file.rendition_sha256,
        size=exhibit_file.size,
        page_count=1,
    )
    return redaction


def snapshot(*, audit: bool = True) -> dict:
    """Every table's row count and the rows a careless write would change in place. The
    audit trail can be left out, for sweeps whose refusals are rightly audited."""
    counts = {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if audit or model is not AuditEvent
    }
    return counts | {
        "last audit": (
            AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() if audit else 0
        ),
        "bundles": list(Bundle.objects.values_list("pk", "title", "audience")),
        "memberships": list(MatterMembership.objects.values_list("pk", "role", "clearance")),
    }
