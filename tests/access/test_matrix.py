"""Who may see and change what: every role × every page and API endpoint × own/other matter."""

import re

import pytest
from django.urls import reverse

from casemgr.access.models import AuditAction, AuditEvent


def strip_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


READERS = ["partner", "associate", "paralegal", "expert", "client"]
EDITORS = ["partner", "associate", "paralegal"]
READ_ONLY = ["expert", "client"]


def read_pages(w):
    m = w.matter.pk
    return {
        "overview": reverse("matters:overview", args=[m]),
        "parties": reverse("matters:parties", args=[m]),
        "proceedings": reverse("matters:proceedings", args=[m]),
        "proceeding": reverse("matters:proceeding", args=[m, w.proceeding.pk]),
        "claims": reverse("pleadings:claims", args=[m]),
        "claim": reverse("pleadings:claim", args=[m, w.claim.pk]),
        "members": reverse("access:members", args=[m]),
    }


def edit_pages(w):
    m = w.matter.pk
    return {
        "matter_edit": reverse("matters:edit", args=[m]),
        "party_create": reverse("matters:party_create", args=[m]),
        "party_edit": reverse("matters:party_edit", args=[m, w.claimant.pk]),
        "person_create": reverse("matters:person_create", args=[m]),
        "person_edit": reverse("matters:person_edit", args=[m, w.person.pk]),
        "proceeding_create": reverse("matters:proceeding_create", args=[m]),
        "proceeding_edit": reverse("matters:proceeding_edit", args=[m, w.proceeding.pk]),
        "hearing_create": reverse("matters:hearing_create", args=[m, w.proceeding.pk]),
        "hearing_edit": reverse("matters:hearing_edit", args=[m, w.hearing.pk]),
        "claim_create": reverse("pleadings:claim_create", args=[m]),
        "claim_edit": reverse("pleadings:claim_edit", args=[m, w.claim.pk]),
        "allegation_create": reverse("pleadings:allegation_create", args=[m, w.claim.pk]),
        "allegation_edit": reverse("pleadings:allegation_edit", args=[m, w.allegation.pk]),
    }


@pytest.mark.parametrize("role", READERS)
def test_members_read_every_page_of_their_matter(client, world, role):
    client.force_login(world.user(role))
    for name, url in read_pages(world).items():
        response = client.get(url)
        assert response.status_code == 200, (role, name)
        assert world.matter.reference in response.content.decode()


@pytest.mark.parametrize("role", EDITORS)
def test_editing_roles_open_every_form(client, world, role):
    client.force_login(world.user(role))
    for name, url in edit_pages(world).items():
        assert client.get(url).status_code == 200, (role, name)


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_are_refused_every_form(client, world, role):
    client.force_login(world.user(role))
    for name, url in edit_pages(world).items():
        assert client.get(url).status_code == 403, (role, name)
        assert client.post(url, {"name": "Changed"}).status_code == 403, (role, name)
    world.claimant.refresh_from_db()
    assert world.claimant.name == "Northwind Intelligence Ltd"


def test_read_only_role_sees_no_edit_buttons(client, world):
    client.force_login(world.expert)
    page = client.get(reverse("matters:parties", args=[world.matter.pk])).content.decode()
    assert "Add party" not in page
    assert reverse("matters:party_edit", args=[world.matter.pk, world.claimant.pk]) not in page


def test_outsider_gets_404_for_every_page_and_it_is_audited(client, world):
    # A sample, by name; tests/hostile/test_route_sweep.py tries every route of the URL
    # configuration.
    client.force_login(world.outsider)
    pages = {**read_pages(world), **edit_pages(world)}
    for name, url in pages.items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"name": "x"}).status_code == 404, name
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED, actor=world.outsider)
    assert denied.count() == 2 * len(pages)
    assert set(denied.values_list("matter", flat=True)) == {world.matter.pk}


def test_outsider_404_looks_like_a_missing_matter(client, world):
    client.force_login(world.outsider)
    hidden = client.get(reverse("matters:overview", args=[world.matter.pk]))
    missing = client.get(reverse("matters:overview", args=[999999]))
    assert hidden.status_code == missing.status_code == 404
    assert strip_tokens(hidden) == strip_tokens(missing)


def test_record_of_another_matter_is_404_under_own_matter_url(client, world):
    """A member of both matters still cannot reach matter B's party through matter A's URL."""
    from casemgr.access.models import Role
    from tests.factories import member

    member(world.partner, world.other_matter, Role.PARTNER)
    client.force_login(world.partner)
    url = reverse("matters:party_edit", args=[world.matter.pk, world.other_party.pk])
    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in read_pages(world).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_dashboard_lists_only_my_matters(client, world):
    client.force_login(world.outsider)
    page = client.get(reverse("dashboard")).content.decode()
    assert world.other_matter.reference in page
    assert world.matter.reference not in page
