"""Every route of the URL configuration, tried by the roles that must be refused.

- An outsider (a member of another matter only) gets 404 from every route of our matter, by
  GET and by a write, and each attempt writes one DENIED audit row; nothing changes.
- The expert (read-only) never has a write taken, on any page or API route.
- A member below AEO clearance never sees an AEO exhibit or a ring bundle named.

The routes come from the URL configuration (tests/routes.py), so a new route is swept the day
it is added; one whose parameter no test row fills, or that belongs to no matter and is not
in NOT_MATTER_SCOPED with its reason, fails here.
"""

from __future__ import annotations

import json
import time

import pytest

from casemgr.access.models import AuditAction, AuditEvent
from tests.routes import AEO_EXHIBIT_TITLE, RING_BUNDLE_TITLE, Route, routes, snapshot

# Routes that hold nothing of one matter, and why. Everything else takes a matter (its pk,
# or the pk of a row that belongs to one) or is an API list, which shows the caller's own.
NOT_MATTER_SCOPED = {
    "dashboard": "lists the signed-in user's own matters",
    "login": "signing in",
    "logout": "signing out",
    "matters:create": "opens a new matter; there is none yet to belong to",
    "deadlines:mine": "the user's own deadlines, across the matters they are on",
    "deadlines:preferences": "the user's own reminder settings",
    "deadlines:feed_token": "the user's own calendar-feed token",
    "deadlines:feed": "signed by the secret token in its URL, not by a session",
    "api-token": "signing in, for a token",
    "api-deadlines-compute": "date arithmetic on what the caller sends; reads no matter",
    "api-schema": "the API's schema",
    "api-docs": "the API's documentation page",
    "api-root": "the API's index of endpoints",
    "jurisdiction-list": "reference data every matter shares",
    "jurisdiction-detail": "reference data every matter shares",
    "court-list": "reference data every matter shares",
    "court-detail": "reference data every matter shares",
    "healthz": "whether the process answers, for a load balancer; names no matter or user",
    "readyz": "whether the services casemgr needs work; names no matter or user",
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")
# What a form or an API body would have saved, had the write been taken.
FORM_BODY = "title=Changed&name=Changed&role=partner&clearance=3&audience=ring&text=Changed"


def _json_body(rows: dict) -> str:
    return json.dumps(
        {
            "matter": rows["matter_pk"],
            "proceeding": rows["proceedings"],
            "claim": rows["claims"],
            "title": "Changed",
            "name": "Changed",
            "paragraph": "99",
            "text": "Changed",
            "due_date": "2027-02-01",
            "event": "claim_served",
            "occurred_at": "2026-12-01T10:00:00Z",
        }
    )


def _swept_routes() -> tuple[list[Route], list[Route]]:
    """(routes of one matter, API lists). The format-suffix twins of the API's routes
    (`/api/parties.json`) are the same views and are left out."""
    scoped, lists, unplaced = [], [], []
    for route in routes():
        if "format" in route.parameters or route.name in NOT_MATTER_SCOPED:
            continue
        # A router's detail actions (`/api/analyses/{id}/start/`) are as scoped as its detail.
        detail = route.name.endswith("-detail") or (route.actions and "pk" in route.parameters)
        if "matter_pk" in route.parameters or detail:
            scoped.append(route)
        elif route.name.endswith("-list"):
            lists.append(route)
        else:
            unplaced.append(route.route)
    assert unplaced == [], "neither matter-scoped nor in NOT_MATTER_SCOPED (with a reason)"
    return scoped, lists


def _takes(route: Route, method: str) -> bool:
    if route.actions:
        return method.lower() in route.actions
    return hasattr(route.view, method.lower()) or (method == "HEAD" and _takes(route, "GET"))


def _write_methods(route: Route) -> list[str]:
    """Every write the route takes; a page, or a route that takes none, is tried with POST."""
    taken = [method for method in WRITES if _takes(route, method)]
    return taken or ["POST"]


def _send(client, method: str, url: str, route: Route, rows: dict):
    if method == "GET":
        return client.get(url)
    if route.is_api:
        body, content_type = _json_body(rows), "application/json"
    else:
        body, content_type = FORM_BODY, "application/x-www-form-urlencoded"
    return client.generic(method, url, body, content_type=content_type)


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def _denied() -> int:
    return AuditEvent.objects.filter(action=AuditAction.DENIED).count()


@pytest.fixture
def figures(request, report):
    counted = {"routes": 0, "requests": 0, "unexpected allows": 0}
    started = time.monotonic()
    yield counted
    report(
        f"route sweep, {request.node.name.removeprefix('test_')}: {counted['routes']} routes, "
        f"{counted['requests']} requests, {counted['unexpected allows']} unexpected allows, "
        f"{time.monotonic() - started:.1f} s"
    )


def test_every_route_of_a_matter_is_404_to_an_outsider_and_audited(client, world, rows, figures):
    scoped, lists = _swept_routes()
    assert len(scoped) > 80  # the sweep really walks the URL configuration
    client.force_login(world.outsider)
    before = snapshot(audit=False)
    allowed = []
    for route in scoped:
        url = route.url(rows)
        for method in ["GET", *_write_methods(route)[:1]]:
            denied = _denied()
            response = _send(client, method, url, route, rows)
            figures["requests"] += 1
            new_rows = _denied() - denied
            if response.status_code == 405 and not _takes(route, method):
                continue  # the route takes no such method, from anyone
            if response.status_code != 404 or new_rows != 1:
                allowed.append((method, url, response.status_code, f"{new_rows} DENIED rows"))
    leaks = ("NWA-0001", "Northwind", "Ada Quill")
    for route in lists:
        url = route.url(rows)
        body = _text(_send(client, "GET", url, route, rows))
        if any(leak in body for leak in leaks):
            allowed.append(("GET", url, "names a matter the outsider is not on"))
        if _takes(route, "POST"):
            response = _send(client, "POST", url, route, rows)
            if response.status_code < 400:
                allowed.append(("POST", url, response.status_code))
        figures["requests"] += 1 + _takes(route, "POST")
    figures["routes"] = len(scoped) + len(lists)
    figures["unexpected allows"] = len(allowed)
    assert allowed == []
    assert snapshot(audit=False) == before
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED, actor=world.outsider)
    assert set(denied.values_list("matter", flat=True)) == {world.matter.pk}


def test_the_expert_never_has_a_write_taken(client, world, rows, figures):
    scoped, lists = _swept_routes()
    client.force_login(world.expert)
    before = snapshot(audit=False)
    taken = []
    for route in scoped + lists:
        url = route.url(rows)
        for method in _write_methods(route):
            response = _send(client, method, url, route, rows)
            figures["requests"] += 1
            if response.status_code < 400:
                taken.append((method, url, response.status_code))
    figures["routes"] = len(scoped) + len(lists)
    figures["unexpected allows"] = len(taken)
    assert taken == []
    assert snapshot(audit=False) == before


@pytest.mark.parametrize("role", ["paralegal", "expert", "client"])
def test_nothing_above_a_members_clearance_is_named_anywhere(client, world, rows, figures, role):
    scoped, lists = _swept_routes()
    readable = [r for r in scoped + lists if _takes(r, "GET")]
    readable += [r for r in routes() if r.name in ("dashboard", "deadlines:mine")]
    client.force_login(world.user(role))
    named = []
    for route in readable:
        url = route.url(rows)
        body = _text(client.get(url))
        figures["requests"] += 1
        for secret in (AEO_EXHIBIT_TITLE, RING_BUNDLE_TITLE):
            if secret in body:
                named.append((url, secret))
    figures["routes"] = len(readable)
    figures["unexpected allows"] = len(named)
    assert named == []


def test_a_partner_sees_what_the_clearance_sweep_looks_for(client, world, rows):
    """The sweep above would notice: both titles are on pages an AEO member reads."""
    client.force_login(world.partner)
    matter = world.matter.pk
    assert AEO_EXHIBIT_TITLE in _text(client.get(f"/matters/{matter}/exhibits/"))
    assert RING_BUNDLE_TITLE in _text(client.get(f"/matters/{matter}/bundles/"))
