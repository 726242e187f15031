"""The demo disclosure: both forms filled in a few rows, loaded twice to the same rows."""

import pytest
from django.contrib.auth import get_user_model

from casemgr.disclosure import selectors
from casemgr.disclosure.demo import demo_disclosure_load
from casemgr.disclosure.grounds import Form
from casemgr.disclosure.models import DisclosureEntry
from casemgr.matters.demo import demo_load
from casemgr.matters.models import Proceeding
from tests.factories import ExhibitFactory

pytestmark = pytest.mark.django_db


def test_the_demo_lists_load_once(django_capture_on_commit_callbacks):
    demo_load(password="demo-pass-123")
    partner = get_user_model().objects.get(username="partner")
    # The demo exhibits, cheaply: rows without files are enough for the lists.
    matter = Proceeding.objects.get(case_number="IL-2026-000123").matter
    for number in (1, 2, 5):
        ExhibitFactory(matter=matter, prefix="NWA", number=number, created_by=partner)
    made = demo_disclosure_load()
    assert made == 6
    assert demo_disclosure_load() == 0
    assert DisclosureEntry.objects.count() == made
    english = selectors.lists_for(
        proceeding=Proceeding.objects.get(case_number="IL-2026-000123"), user=partner
    )
    assert english.form == Form.PD57AD
    assert [row.ground for row in english.withheld] == ["Legal advice privilege"]
    us = selectors.lists_for(
        proceeding=Proceeding.objects.get(case_number="3:26-cv-04417"), user=partner
    )
    assert us.form == Form.FRCP
    assert [row.ground for row in us.withheld] == ["Attorney-client privilege"]
    assert [row.production_numbers for row in us.disclosed] == ["NWA-US-000001–NWA-US-000002", ""]
