"""Pages take GET (and HEAD) and POST only: any other method is 405 before any work, on
every page of the URL configuration, so a new page cannot forget it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casemgr.access.models import AuditEvent, MatterMembership
from casemgr.bundles import services as bundle_services
from casemgr.bundles.models import Bundle
from casemgr.deadlines.models import Deadline, ReminderPreference, TriggerEvent
from tests.factories import EventFactory, EvidenceLinkFactory, ExhibitFactory, ExhibitFileFactory

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def _page_routes(patterns=None, prefix="", namespace=""):
    """Every page's route and name: all but the API (which documents its own methods) and
    the admin (Django's own)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(("api/", "admin/")):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _page_routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, namespace + pattern.name


def _kwargs(route: str, rows: dict) -> dict:
    """Real ids for a route's parameters: a `pk` is the row of the segment before it
    (`bundles/<pk>` is a bundle), any other parameter is named after its row."""
    kwargs = {}
    for match in PARAMETER.finditer(route):
        name = match.group(1)
        key = route[: match.start()].rstrip("/").rpartition("/")[2] if name == "pk" else name
        assert key in rows, f"{route}: no test row for <{name}>; add one to the fixture"
        kwargs[name] = rows[key]
    return kwargs


@pytest.fixture
def rows(world, django_capture_on_commit_callbacks) -> dict:
    exhibit = ExhibitFactory(matter=world.matter, created_by=world.partner)
    exhibit_file = ExhibitFileFactory(exhibit=exhibit)
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
    with django_capture_on_commit_callbacks(execute=True):
        version = bundle_services.version_request(bundle=bundle, actor=world.partner)
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
    return {
        "matter_pk": world.matter.pk,
        "parties": world.claimant.pk,
        "people": world.person.pk,
        "proceedings": world.proceeding.pk,
        "proceeding_pk": world.proceeding.pk,
        "hearings": world.hearing.pk,
        "claims": world.claim.pk,
        "claim_pk": world.claim.pk,
        "allegations": world.allegation.pk,
        "members": MatterMembership.objects.get(user=world.expert, matter=world.matter).pk,
        "exhibits": exhibit.pk,
        "files": exhibit_file.pk,
        "events": event.pk,
        "evidence": link.pk,
        "bundles": bundle.pk,
        "entry_pk": entry.pk,
        "section_pk": section.pk,
        "number": version.number,
        "deadlines": deadline.pk,
        "triggers": trigger.pk,
        "token": token,
    }


def _snapshot() -> dict:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()} | {
        "last audit": AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "bundles": list(Bundle.objects.values_list("pk", "title", "audience")),
        "memberships": list(MatterMembership.objects.values_list("pk", "role", "clearance")),
    }


def test_every_page_answers_put_patch_and_delete_with_405_and_changes_nothing(world, client, rows):
    client.force_login(world.partner)
    routes = list(_page_routes())
    assert len(routes) > 60  # the sweep really walks the URL configuration
    before = _snapshot()
    # What a form would have saved, had the method been taken for POST.
    body = "title=Changed&role=partner&clearance=3&audience=ring&name=Changed"
    taken = []
    for route, name in routes:
        url = reverse(name, kwargs=_kwargs(route, rows))
        for method in ("put", "patch", "delete"):
            response = getattr(client, method)(
                url, body, content_type="application/x-www-form-urlencoded"
            )
            allowed = set(response.get("Allow", "").split(", "))
            if response.status_code != 405 or allowed != {"GET", "HEAD", "POST"}:
                taken.append((method.upper(), url, response.status_code, sorted(allowed)))
    assert taken == []
    assert _snapshot() == before


def test_pages_still_take_get_and_post_and_the_api_keeps_its_methods(world, client, api):
    client.force_login(world.partner)
    assert client.get(world.matter.get_absolute_url()).status_code == 200
    assert client.head(world.matter.get_absolute_url()).status_code == 200
    members = reverse("access:members", kwargs={"matter_pk": world.matter.pk})
    assert client.post(members, {}).status_code == 200  # the form, with its errors
    response = api(world.partner).patch(
        f"/api/matters/{world.matter.pk}/", {"title": "Northwind v Jadeport (renamed)"}
    )
    assert response.status_code == 200, response.content
