"""The demo chronology: loads after the demo exhibits, loads again to the same rows, links
every demo exhibit at pinpoints inside its files, and keeps to each reader's clearance."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from casemgr.deadlines.demo import demo_deadlines_load
from casemgr.evidence.demo import demo_exhibits_load
from casemgr.matters.demo import DemoDataError, demo_load
from casemgr.matters.models import Hearing, Matter
from casemgr.timeline.demo import demo_chronology_load
from casemgr.timeline.models import Event, EvidenceLink
from casemgr.timeline.selectors import evidence_gaps, timeline_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    demo_load(password="demo-pass-123")
    with django_capture_on_commit_callbacks(execute=True):  # renditions count the pages
        demo_exhibits_load()
    demo_deadlines_load()
    return Matter.objects.get(reference="NWA-0042")


def user(name):
    return get_user_model().objects.get(username=name)


def test_the_chronology_loads_twice_to_the_same_rows(demo):
    first = demo_chronology_load()
    rows = (Event.objects.count(), EvidenceLink.objects.count())
    assert first.events >= 30
    assert rows == (first.events, first.links)
    links = {
        e.pk: sorted(e.evidence_links.values_list("pk", flat=True)) for e in Event.objects.all()
    }
    assert demo_chronology_load() == first
    assert (Event.objects.count(), EvidenceLink.objects.count()) == rows
    after = {
        e.pk: sorted(e.evidence_links.values_list("pk", flat=True)) for e in Event.objects.all()
    }
    assert after == links


def test_every_demo_exhibit_is_pinned_inside_its_files(demo):
    demo_chronology_load()
    links = EvidenceLink.objects.select_related("exhibit", "exhibit_file")
    assert {link.exhibit.reference for link in links} == {f"NWA-{n}" for n in range(1, 6)}
    for link in links:
        link.full_clean()  # pages within each file's page count, now that it is known
        assert link.exhibit_file is None or link.exhibit_file.page_count
    assert links.filter(allegation__isnull=False).exists()
    assert links.filter(stance="contradicts").exists()


def test_the_chronology_spans_the_dispute_without_copying_hearings(demo):
    demo_chronology_load()
    events = Event.objects.filter(matter=demo)
    assert {e.precision for e in events} == {"day", "month", "year", "approximate", "range"}
    assert events.filter(occurred_at__isnull=False).exclude(time_zone="Europe/London").exists()
    assert {e.status for e in events} == {"agreed", "disputed", "unknown"}
    assert {e.kind for e in events} == {"fact", "procedural"}
    hearing_titles = set(
        Hearing.objects.filter(proceeding__matter=demo).values_list("title", flat=True)
    )
    assert not hearing_titles & set(events.values_list("title", flat=True))
    timeline = list(timeline_for(matter=demo, user=user("partner")))
    assert {item.type for item in timeline} == {"event", "hearing", "deadline"}


def test_the_demo_expert_sees_neither_the_aeo_log_nor_the_aeo_event(demo):
    demo_chronology_load()
    expert, partner = user("expert"), user("partner")
    shown = {
        link.exhibit.reference
        for item in timeline_for(matter=demo, user=expert)
        for link in item.evidence
    }
    assert "NWA-4" not in shown and "NWA-3" in shown
    assert "NWA-4" in {
        link.exhibit.reference
        for item in timeline_for(matter=demo, user=partner)
        for link in item.evidence
    }
    aeo = Event.objects.filter(matter=demo, designation=3)
    assert aeo.exists()
    assert not Event.objects.visible_to(expert).filter(pk__in=aeo).exists()


def test_the_demo_has_gaps_to_show(demo):
    demo_chronology_load()
    gaps = evidence_gaps(matter=demo, user=user("partner"))
    assert gaps.allegations and gaps.events


def test_without_the_exhibits_the_chronology_says_what_is_missing():
    demo_load(password="demo-pass-123")
    with pytest.raises(DemoDataError, match="no exhibit 'NWA-1'"):
        demo_chronology_load()


def test_load_demo_reports_the_chronology(demo, capsys, settings):
    settings.DEBUG = True
    call_command("load_demo", password="demo-pass-123")
    assert "events" in capsys.readouterr().out
    assert Event.objects.filter(matter=demo).count() >= 30
