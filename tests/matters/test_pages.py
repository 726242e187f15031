"""The matter pages as a lawyer uses them: forms save, refuse bad input clearly, keep scope."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from casemgr.access.models import MatterMembership, Role
from casemgr.matters.models import Hearing, Matter, Party
from tests.factories import CourtFactory, ProceedingFactory


def test_add_party_with_parent_in_same_matter(client, world):
    client.force_login(world.associate)
    url = reverse("matters:party_create", args=[world.matter.pk])
    response = client.post(
        url,
        {
            "name": "Jadeport Holdings Co., Ltd",
            "kind": "company",
            "role": "defendant",
            "country": "CN",
            "solicitors": "",
            "counsel": "",
        },
    )
    assert response.status_code == 302
    holding = Party.objects.get(name="Jadeport Holdings Co., Ltd")
    response = client.post(
        reverse("matters:party_edit", args=[world.matter.pk, world.defendant.pk]),
        {
            "name": world.defendant.name,
            "kind": "company",
            "role": "defendant",
            "country": "GB",
            "parent": holding.pk,
        },
        follow=True,
    )
    assert "saved" in response.content.decode()
    world.defendant.refresh_from_db()
    assert world.defendant.parent == holding


def test_party_form_offers_only_parties_of_this_matter(client, world):
    client.force_login(world.partner)
    page = client.get(reverse("matters:party_create", args=[world.matter.pk])).content.decode()
    assert world.claimant.name in page
    assert world.other_party.name not in page


def test_parent_from_another_matter_is_refused_with_a_message(client, world):
    client.force_login(world.partner)
    response = client.post(
        reverse("matters:party_edit", args=[world.matter.pk, world.defendant.pk]),
        {
            "name": world.defendant.name,
            "kind": "company",
            "role": "defendant",
            "parent": world.other_party.pk,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    world.defendant.refresh_from_db()
    assert world.defendant.parent is None


def test_missing_fields_are_named_and_input_is_kept(client, world):
    client.force_login(world.partner)
    response = client.post(
        reverse("matters:party_create", args=[world.matter.pk]),
        {"name": "Half-typed Ltd", "kind": "company"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please correct the highlighted" in page
    assert "This field is required." in page
    assert 'value="Half-typed Ltd"' in page
    assert not Party.objects.filter(name="Half-typed Ltd").exists()


def test_duplicate_party_name_is_explained(client, world):
    client.force_login(world.partner)
    response = client.post(
        reverse("matters:party_create", args=[world.matter.pk]),
        {"name": world.claimant.name, "kind": "company", "role": "claimant"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_hearing_time_is_typed_in_the_courts_zone(client, world):
    court = CourtFactory(name="N.D. Cal.", time_zone="America/Los_Angeles")
    proceeding = ProceedingFactory(matter=world.matter, court=court)
    client.force_login(world.paralegal)
    response = client.post(
        reverse("matters:hearing_create", args=[world.matter.pk, proceeding.pk]),
        {
            "kind": "cmc",
            "start": "2027-03-09T09:00",
            "venue": "Courtroom 3, San Francisco",
            "status": "listed",
            "time_estimate": "1 hour",
        },
    )
    assert response.status_code == 302
    hearing = Hearing.objects.get(proceeding=proceeding)
    assert hearing.starts_at == datetime(2027, 3, 9, 17, 0, tzinfo=UTC)
    edit = client.get(reverse("matters:hearing_edit", args=[world.matter.pk, hearing.pk]))
    assert 'value="2027-03-09T09:00"' in edit.content.decode()
    page = client.get(proceeding.get_absolute_url()).content.decode()
    assert "Tue 9 Mar 2027, 09:00 PST" in page


def test_hearing_without_venue_or_link_is_refused(client, world):
    client.force_login(world.partner)
    response = client.post(
        reverse("matters:hearing_create", args=[world.matter.pk, world.proceeding.pk]),
        {"kind": "trial", "start": "2027-10-04T10:30", "status": "listed"},
    )
    assert response.status_code == 200
    assert "Give a venue, a remote link, or both." in response.content.decode()


def test_open_a_matter_makes_me_its_partner(client, world):
    from django.contrib.auth.models import Permission

    world.associate.user_permissions.add(Permission.objects.get(codename="add_matter"))
    client.force_login(world.associate)
    response = client.post(
        reverse("matters:create"),
        {
            "reference": "NWA-0099",
            "title": "Northwind v Others",
            "status": "open",
            "opened_on": "2026-11-26",
        },
    )
    matter = Matter.objects.get(reference="NWA-0099")
    assert response.url == matter.get_absolute_url()
    assert MatterMembership.objects.get(matter=matter).role == Role.PARTNER


@pytest.mark.parametrize("username", ["expert", "paralegal"])
def test_opening_a_matter_needs_firm_staff_permission(client, world, username):
    client.force_login(world.user(username))
    assert client.get(reverse("matters:create")).status_code == 403


def test_dashboard_shows_next_hearings_in_court_time(client, world):
    Hearing.objects.filter(pk=world.hearing.pk).update(
        starts_at=datetime(2099, 7, 9, 9, 30, tzinfo=UTC)
    )
    client.force_login(world.paralegal)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Thu 9 Jul 2099, 10:30 BST" in page
    assert world.matter.reference in page


def test_pages_run_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    from tests.factories import AllegationFactory, HearingFactory, PartyFactory

    for i in range(30):
        PartyFactory(matter=world.matter, parent=world.claimant, name=f"Subsidiary {i}")
        HearingFactory(proceeding=world.proceeding)
        AllegationFactory(claim=world.claim, against=world.defendant)
    client.force_login(world.partner)
    for url in [
        reverse("dashboard"),
        reverse("matters:overview", args=[world.matter.pk]),
        reverse("matters:parties", args=[world.matter.pk]),
        reverse("matters:proceedings", args=[world.matter.pk]),
        reverse("pleadings:claims", args=[world.matter.pk]),
    ]:
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200
