"""A confidentiality-ring bundle is attorneys' eyes only as a whole: to a member below AEO
clearance it does not exist, on any page, in any list or feed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casemgr.access import policy
from casemgr.access.models import AuditAction, AuditEvent, Clearance
from casemgr.bundles import services
from casemgr.bundles.models import Bundle

TITLE = "Ring bundle: source-code annex"


def _add(bundle, exhibit, user):
    return services.entry_add(
        bundle=bundle, section=bundle.sections.get(letter="D"), exhibit=exhibit, actor=user
    )


@pytest.fixture
def ring(world, add_exhibit, build):
    bundle = services.bundle_create(
        bundle=Bundle(
            matter=world.matter,
            proceeding=world.proceeding,
            title=TITLE,
            audience=Bundle.Audience.RING,
        ),
        actor=world.partner,
    )
    # Only a letter inside: the bundle is hidden for its audience, not for its contents.
    entry = _add(bundle, add_exhibit(title="Open letter"), world.partner)
    version = build(bundle, user=world.partner)
    assert version.status == "ready", version.error
    return bundle, entry, version


def _urls(bundle, entry, version) -> list[tuple[str, str]]:
    kwargs = {"matter_pk": bundle.matter_id, "pk": bundle.pk}
    of_version = {**kwargs, "number": version.number}
    of_entry = {**kwargs, "entry_pk": entry.pk}
    section = {**kwargs, "section_pk": entry.section_id}
    return [
        ("get", reverse("bundles:bundle", kwargs=kwargs)),
        ("get", reverse("bundles:bundle_edit", kwargs=kwargs)),
        ("post", reverse("bundles:bundle_edit", kwargs=kwargs)),
        ("post", reverse("bundles:entry_add", kwargs=kwargs)),
        ("post", reverse("bundles:entry_remove", kwargs=of_entry)),
        ("post", reverse("bundles:entry_move", kwargs=of_entry)),
        ("post", reverse("bundles:arrange", kwargs=kwargs)),
        ("post", reverse("bundles:section_add", kwargs=kwargs)),
        ("post", reverse("bundles:section_remove", kwargs=section)),
        ("post", reverse("bundles:build", kwargs=kwargs)),
        ("post", reverse("bundles:split", kwargs=kwargs)),
        ("get", reverse("bundles:version_status", kwargs=of_version)),
        ("get", reverse("bundles:version_download", kwargs=of_version)),
        ("post", reverse("bundles:version_serve", kwargs=of_version)),
    ]


@pytest.mark.parametrize("name", ["paralegal", "expert", "client"])
def test_a_ring_bundle_does_not_exist_below_aeo_clearance(world, client, ring, name):
    bundle, entry, version = ring
    user = world.user(name)
    assert policy.clearance(user, world.matter) < Clearance.AEO
    client.force_login(user)
    for method, url in _urls(bundle, entry, version):
        before = AuditEvent.objects.filter(action=AuditAction.DENIED, actor=user).count()
        response = getattr(client, method)(url)
        # A read-only member is refused every editing URL before any bundle is looked up,
        # whatever the id: that 403 tells nothing about the bundle.
        editing = method == "post" or url.endswith("/edit/")
        expected = 404 if policy.can_edit(user, world.matter) or not editing else 403
        assert response.status_code == expected, (method, url)
        assert TITLE not in response.content.decode()
        denied = AuditEvent.objects.filter(action=AuditAction.DENIED, actor=user)
        assert denied.count() == before + 1, (method, url)
    bundle.refresh_from_db(), version.refresh_from_db()
    assert bundle.versions.count() == 1 and version.served_at is None
    assert bundle.title == TITLE and bundle.sections.count() == 4

    for page in (
        reverse("bundles:bundles", kwargs={"matter_pk": world.matter.pk}),
        world.matter.get_absolute_url(),
        reverse("dashboard"),
    ):
        response = client.get(page)
        assert response.status_code == 200, page
        assert TITLE not in response.content.decode(), page


def test_a_ring_bundle_is_listed_and_opens_for_the_ring(world, client, ring):
    bundle, entry, version = ring
    client.force_login(world.associate)  # AEO clearance: inside the ring
    for page in (
        reverse("bundles:bundles", kwargs={"matter_pk": world.matter.pk}),
        world.matter.get_absolute_url(),  # its creation is among the recent changes
        bundle.get_absolute_url(),
    ):
        assert TITLE in client.get(page).content.decode(), page
    for method, url in _urls(bundle, entry, version):
        if method == "get":
            assert client.get(url).status_code == 200, url


def _details(world, **changes) -> dict:
    return {
        "title": "Bundle for the PTR",
        "proceeding": world.proceeding.pk,
        "hearing": "",
        "letter": "B",
        "audience": Bundle.Audience.ALL_PARTIES,
        "dividers": "on",
        "late_mode": Bundle.LateMode.END,
        **changes,
    }


def test_only_a_member_cleared_for_aeo_is_offered_a_ring_bundle(client, world):
    url = reverse("bundles:bundle_create", kwargs={"matter_pk": world.matter.pk})
    client.force_login(world.paralegal)
    assert 'value="ring"' not in client.get(url).content.decode()
    client.force_login(world.partner)
    assert 'value="ring"' in client.get(url).content.decode()


def test_a_member_below_aeo_cannot_make_a_bundle_for_the_ring(client, world):
    # Saved, it would vanish from their own view: refused, with the choice named.
    url = reverse("bundles:bundle_create", kwargs={"matter_pk": world.matter.pk})
    client.force_login(world.paralegal)

    response = client.post(url, _details(world, audience=Bundle.Audience.RING))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Bundle.objects.exists()


def test_a_member_below_aeo_cannot_move_a_bundle_into_the_ring(client, world):
    bundle = services.bundle_create(
        bundle=Bundle(matter=world.matter, proceeding=world.proceeding, title="Open bundle"),
        actor=world.paralegal,
    )
    url = reverse("bundles:bundle_edit", kwargs={"matter_pk": world.matter.pk, "pk": bundle.pk})
    client.force_login(world.paralegal)

    response = client.post(url, _details(world, audience=Bundle.Audience.RING))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    bundle.refresh_from_db()
    assert bundle.audience == Bundle.Audience.ALL_PARTIES
