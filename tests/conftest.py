"""The named cast every permission test reuses.

On one matter ("ours"): a partner, a paralegal and an expert without AEO clearance. The
outsider is a partner on another matter only.
"""

import http.server
import threading
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from casemgr.access.models import Clearance, Role
from tests import openapi as openapi_schema
from tests import routes
from tests.factories import (
    AllegationFactory,
    ClaimFactory,
    HearingFactory,
    MatterFactory,
    PartyFactory,
    PersonFactory,
    ProceedingFactory,
    UserFactory,
    member,
)


@dataclass
class World:
    matter: object
    other_matter: object
    partner: object
    associate: object
    paralegal: object
    expert: object
    client: object
    outsider: object
    claimant: object
    defendant: object
    person: object
    proceeding: object
    hearing: object
    claim: object
    allegation: object
    other_party: object

    def user(self, name):
        return getattr(self, name)


@pytest.fixture
def world(db) -> World:
    matter = MatterFactory(reference="NWA-0001", title="Northwind v Jadeport")
    other = MatterFactory(reference="HRB-0001", title="Halberd v Quayline")
    users = {}
    for name, role, clearance in [
        ("partner", Role.PARTNER, Clearance.AEO),
        ("associate", Role.ASSOCIATE, Clearance.AEO),
        ("paralegal", Role.PARALEGAL, Clearance.CONFIDENTIAL),
        ("expert", Role.EXPERT, Clearance.CONFIDENTIAL),
        ("client", Role.CLIENT, Clearance.STANDARD),
    ]:
        users[name] = UserFactory(username=name)
        member(users[name], matter, role, clearance)
    users["outsider"] = UserFactory(username="outsider")
    member(users["outsider"], other, Role.PARTNER, Clearance.AEO)

    claimant = PartyFactory(matter=matter, name="Northwind Intelligence Ltd")
    defendant = PartyFactory(matter=matter, name="Jadeport Commerce (UK) Ltd", role="defendant")
    proceeding = ProceedingFactory(matter=matter)
    claim = ClaimFactory(proceeding=proceeding)
    claim.claimants.set([claimant])
    claim.defendants.set([defendant])
    return World(
        matter=matter,
        other_matter=other,
        claimant=claimant,
        defendant=defendant,
        person=PersonFactory(matter=matter, party=claimant, name="Ada Quill"),
        proceeding=proceeding,
        hearing=HearingFactory(proceeding=proceeding),
        claim=claim,
        allegation=AllegationFactory(claim=claim, paragraph="12", against=defendant),
        other_party=PartyFactory(matter=other, name="Quayline Ltd"),
        **users,
    )


@pytest.fixture
def api():
    """`api(user)` is an APIClient signed in as that user (a fresh session, as in real use:
    force_login reloads the user on every request, so nothing is cached between requests)."""

    def signed_in(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return signed_in


@pytest.fixture
def tasks_via_redis():
    """From here on, tasks go through Redis to a real worker, as in production, instead of
    running where they are queued. The queues of slow work start and end empty."""
    from casemgr import celery_app

    def purge() -> None:
        with celery_app.connection_for_write() as connection:
            for queue in ("bundles", "analysis"):
                connection.default_channel.queue_purge(queue)

    celery_app.conf.task_always_eager = False
    purge()
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = True
        purge()


_schema: dict = {}


@pytest.fixture
def spec(api, world) -> dict:
    """The OpenAPI schema as the partner fetches it (generated once per run: it depends on
    code only)."""
    if "spec" not in _schema:
        response = api(world.partner).get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        _schema["spec"] = response.json()
    return _schema["spec"]


@pytest.fixture
def openapi(spec):
    """The schema, loaded to validate real responses (tests/openapi.py `check`)."""
    if "openapi" not in _schema:
        _schema["openapi"] = openapi_schema.load(spec)
    return _schema["openapi"]


@pytest.fixture
def rows(world, django_capture_on_commit_callbacks) -> dict:
    """One of everything in world.matter, keyed as its routes name it (tests/routes.py)."""
    return routes.make_rows(world, django_capture_on_commit_callbacks)


@pytest.fixture
def listener():
    """A real HTTP server on loopback that records every request it gets: the peer an export
    or a rendition would reach if it ever fetched a URL. `listener.url` to point at it,
    `listener.requests` to see what arrived."""
    requests: list[str] = []

    class Recording(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recording)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    server.requests = requests
    yield server
    server.shutdown()
    server.server_close()
