"""The demo matter: loads, loads again without duplicates, and keeps its outsider out."""

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from casemgr.matters.demo import demo_load
from casemgr.matters.models import Matter
from casemgr.pleadings.models import Allegation

pytestmark = pytest.mark.django_db

COUNTED = [
    "matters.Matter",
    "matters.Party",
    "matters.Person",
    "matters.Proceeding",
    "matters.Hearing",
    "pleadings.Claim",
    "pleadings.Allegation",
    "access.MatterMembership",
    "auth.User",
]


def counts():
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def test_demo_loads_twice_to_the_same_rows():
    demo_load(password="demo-pass-123")
    first = counts()
    demo_load(password="demo-pass-123")
    assert counts() == first
    assert Allegation.objects.filter(claim__proceeding__matter__reference="NWA-0042").count() >= 15
    jurisdictions = set(
        Matter.objects.get(reference="NWA-0042").proceedings.values_list(
            "court__jurisdiction__code", flat=True
        )
    )
    assert jurisdictions == {"ew", "us-fed", "cn"}


def test_outsider_gets_404_for_the_demo_matter_in_pages_and_api(client):
    demo_load(password="demo-pass-123")
    matter = Matter.objects.get(reference="NWA-0042")
    from django.contrib.auth import get_user_model

    outsider = get_user_model().objects.get(username="outsider")
    client.force_login(outsider)
    assert client.get(reverse("matters:overview", args=[matter.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(f"/api/matters/{matter.pk}/").status_code == 404
    assert api.get("/api/parties/", {"matter": matter.pk}).json()["count"] == 0


def test_demo_expert_cannot_edit(client):
    demo_load(password="demo-pass-123")
    matter = Matter.objects.get(reference="NWA-0042")
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="expert"))
    assert client.get(reverse("matters:parties", args=[matter.pk])).status_code == 200
    assert client.get(reverse("matters:party_create", args=[matter.pk])).status_code == 403


def test_demo_exhibits_have_mixed_designations_within_clearance(django_capture_on_commit_callbacks):
    from casemgr.evidence.demo import demo_exhibits_load
    from casemgr.evidence.models import Exhibit, ExhibitFile

    demo_load(password="demo-pass-123")
    with django_capture_on_commit_callbacks(execute=True):
        assert demo_exhibits_load() == 5
    assert demo_exhibits_load() == 0  # loading again adds nothing
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    partner_sees = Exhibit.objects.visible_to(users.get(username="partner")).count()
    expert_sees = Exhibit.objects.visible_to(users.get(username="expert")).count()
    assert (partner_sees, expert_sees) == (5, 4)  # the access log extract is AEO
    assert not ExhibitFile.objects.exclude(rendition="ready").exists()
    assert ExhibitFile.objects.filter(original_name="lantern-accounts.csv").exists()
