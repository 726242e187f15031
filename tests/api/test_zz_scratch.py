import json
from rest_framework.test import APIClient
from casemgr.access.models import AuditEvent, Role
from tests.factories import member


def show(r):
    print(r.status_code, r.headers.get("Content-Type"), r.content[:600].decode(errors="replace"))


def test_explore(world):
    c = APIClient()
    c.force_login(world.outsider)
    for u in [
        "/api/parties/abc/",
        "/api/parties/99999999999999999999/",
        "/api/matters/abc/",
        "/api/parties/?matter=99999999999999999999",
        "/api/parties/?matter=abc",
        f"/api/memberships/{1}/",
        "/api/memberships/?ordering=user__get_full_name",
        "/api/claims/?ordering=claimants",
        f"/api/parties/?parent={world.claimant.pk}",
        f"/api/hearings/?proceeding={world.proceeding.pk}",
        f"/api/matters/{world.matter.pk}/",
    ]:
        print("--", u)
        try:
            show(c.get(u))
        except Exception as e:
            print("EXC", type(e), e)
    print(list(AuditEvent.objects.values("action", "object_type", "object_id", "matter", "detail")))
    c.force_login(world.partner)
    show(c.get("/api/memberships/?ordering=-user__get_full_name"))
    show(c.get("/api/memberships/?ordering=name"))
    show(
        c.post(
            "/api/matters/",
            {"reference": "X-1", "title": "t", "opened_on": "2026-01-01"},
            format="json",
        )
    )
    member(world.partner, world.other_matter, Role.PARTNER)
    show(
        c.post(
            "/api/allegations/",
            {
                "claim": world.claim.pk,
                "paragraph": "13",
                "text": "x",
                "against": world.other_party.pk,
            },
            format="json",
        )
    )
    show(
        c.post(
            "/api/claims/",
            {
                "proceeding": world.proceeding.pk,
                "cause_of_action": "x",
                "claimants": [world.other_party.pk],
                "defendants": [world.defendant.pk],
            },
            format="json",
        )
    )
    show(
        c.post(
            "/api/claims/",
            {
                "proceeding": world.proceeding.pk,
                "cause_of_action": "x",
                "claimants": [world.claimant.pk],
                "defendants": [world.claimant.pk],
            },
            format="json",
        )
    )
    show(
        c.patch(
            f"/api/parties/{world.claimant.pk}/", {"matter": world.other_matter.pk}, format="json"
        )
    )
    show(
        c.post(
            "/api/hearings/",
            {"proceeding": world.proceeding.pk, "kind": "cmc", "starts_at": "2027-07-01T09:00:00Z"},
            format="json",
        )
    )
    show(
        c.post(
            "/api/hearings/",
            {
                "proceeding": world.proceeding.pk,
                "kind": "cmc",
                "starts_at": "2027-07-01T09:00:00Z",
                "venue": "R",
            },
            format="json",
        )
    )
    show(
        c.post(
            "/api/people/",
            {"matter": world.matter.pk, "name": "P", "party": world.other_party.pk},
            format="json",
        )
    )
    show(
        c.post(
            "/api/parties/",
            {
                "matter": world.matter.pk,
                "name": "Sub",
                "role": "claimant",
                "parent": world.other_party.pk,
            },
            format="json",
        )
    )
    show(
        c.patch(
            f"/api/hearings/{world.hearing.pk}/",
            {"starts_at": "2027-07-01T09:00:00Z"},
            format="json",
        )
    )
    show(
        c.post(
            "/api/parties/",
            {"matter": world.matter.pk, "name": world.claimant.name, "role": "claimant"},
            format="json",
        )
    )
    show(
        c.put(
            f"/api/parties/{world.claimant.pk}/",
            {"matter": world.matter.pk, "name": "New", "role": "claimant"},
            format="json",
        )
    )
    print(list(AuditEvent.objects.values("action", "object_type", "object_id", "matter", "detail")))
