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
    assert "Tue 9 Mar 2027, 09:00 Los Angeles (UTC−8)" in page


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
    assert "Thu 9 Jul 2099, 10:30 London (UTC+1)" in page
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


def list_hearing(client, world, zone, typed):
    """As the partner, list a hearing typed as `typed` in a court sitting in `zone`."""
    court = CourtFactory(name=f"Court in {zone}", time_zone=zone)
    proceeding = ProceedingFactory(matter=world.matter, court=court)
    client.force_login(world.partner)
    response = client.post(
        reverse("matters:hearing_create", args=[world.matter.pk, proceeding.pk]),
        {"kind": "cmc", "start": typed, "venue": "Court 1", "status": "listed"},
    )
    return proceeding, response


@pytest.mark.parametrize(
    ("zone", "typed", "message"),
    [
        ("America/Los_Angeles", "2026-03-08T02:30", "does not exist in America/Los_Angeles"),
        ("Europe/London", "2026-03-29T01:30", "does not exist in Europe/London"),
        ("America/Los_Angeles", "2026-11-01T01:30", "happens twice in America/Los_Angeles"),
        ("Europe/London", "2026-10-25T01:30", "happens twice in Europe/London"),
        ("Asia/Shanghai", "0001-01-01T00:10", "between 1990 and 2200"),
    ],
)
def test_impossible_or_ambiguous_court_times_are_refused(client, world, zone, typed, message):
    proceeding, response = list_hearing(client, world, zone, typed)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Hearing.objects.filter(proceeding=proceeding).exists()


@pytest.mark.parametrize(
    ("zone", "typed", "utc"),
    [
        # Times that exist once, on the day the clocks change where the server is (London).
        ("America/Los_Angeles", "2026-03-29T01:30", datetime(2026, 3, 29, 8, 30, tzinfo=UTC)),
        ("Asia/Shanghai", "2026-10-25T01:30", datetime(2026, 10, 24, 17, 30, tzinfo=UTC)),
    ],
)
def test_court_time_is_read_in_the_courts_zone_not_the_servers(client, world, zone, typed, utc):
    proceeding, response = list_hearing(client, world, zone, typed)
    assert response.status_code == 302
    assert Hearing.objects.get(proceeding=proceeding).starts_at == utc


def test_saving_an_unchanged_hearing_records_no_change(client, world):
    from casemgr.access.models import AuditEvent

    court = CourtFactory(name="N.D. Cal.", time_zone="America/Los_Angeles")
    proceeding = ProceedingFactory(matter=world.matter, court=court)
    hearing = Hearing.objects.create(
        proceeding=proceeding,
        kind="cmc",
        starts_at=datetime(2026, 9, 3, 20, 30, tzinfo=UTC),
        venue="Courtroom 3",
    )
    client.force_login(world.partner)
    url = reverse("matters:hearing_edit", args=[world.matter.pk, hearing.pk])
    response = client.post(
        url,
        {"kind": "cmc", "start": "2026-09-03T13:30", "venue": "Courtroom 3", "status": "listed"},
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="update", object_id=str(hearing.pk)).exists()


def test_another_matters_record_under_my_matter_url_is_404_and_audited(client, world):
    from casemgr.access.models import AuditEvent

    client.force_login(world.outsider)
    url = reverse("matters:party_edit", args=[world.other_matter.pk, world.claimant.pk])
    assert client.get(url).status_code == 404
    denied = AuditEvent.objects.get(action="denied", actor=world.outsider)
    assert denied.matter == world.matter
    assert (
        client.get(reverse("matters:party_edit", args=[world.other_matter.pk, "99999"])).status_code
        == 404
    )
