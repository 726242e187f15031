"""The chronology runs a fixed number of SQL queries whatever the size of the matter: each
reader is measured on a matter grown to 5 and to 50 events (each with parties, people,
allegations and evidence at two clearances, with hearings, deadlines and allegations growing
alongside), and must run exactly the same number of queries at both sizes; where what a page
holds changes with the size, no more than one bound at both."""

from datetime import date

import pytest

from casemgr.timeline.selectors import (
    TimelineFilters,
    allegation_proof,
    claim_evidence_matrix,
    evidence_gaps,
    timeline_for,
)
from tests.timeline.growth import grow

SIZES = [5, 50]


def read_everything(timeline) -> int:
    """Touch all a chronology page shows, as a template or serializer would."""
    shown = 0
    for item in timeline:
        shown += len(item.date_display) + len(item.parties) + len(item.people)
        shown += sum(len(a.paragraph) for a in item.allegations)
        for link in item.evidence:
            shown += len(link.exhibit.reference + link.pinpoint + link.preview_url)
    return shown


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("reader", ["partner", "expert"])
def test_timeline_selector(world, chronology, django_assert_num_queries, size, reader):
    grow(world, chronology, size)
    # The order of the events, hearings and deadlines; then the events, their parties,
    # people, allegations and evidence, the hearings and the deadlines.
    with django_assert_num_queries(10):
        timeline = timeline_for(matter=world.matter, user=world.user(reader))
        assert read_everything(timeline) > 0
    assert len(timeline) == size + 3 + 2 * len(range(0, size, 5)) + 1


@pytest.mark.parametrize("size", SIZES)
def test_timeline_selector_with_every_filter(world, chronology, django_assert_num_queries, size):
    grow(world, chronology, size)
    filters = TimelineFilters(
        allegation=world.allegation.pk,
        claim=world.claim.pk,
        party=world.defendant.pk,
        person=world.person.pk,
        status="disputed",
        document_type="letter",
        date_from=date(2024, 1, 1),
        date_to=date(2027, 1, 1),
        kind="fact",
    )
    # The filters are subqueries of the events' queries; hearings and deadlines are not read.
    with django_assert_num_queries(6):
        timeline = timeline_for(matter=world.matter, user=world.partner, filters=filters)
        assert read_everything(timeline) > 0


@pytest.mark.parametrize("size", SIZES)
def test_timeline_endpoint(
    api, world, chronology, django_assert_num_queries, django_assert_max_num_queries, size
):
    grow(world, chronology, size)
    client = api(world.expert)
    # The first page has hearings and deadlines at one size, not at the other: at most the
    # same number of queries either way.
    with django_assert_max_num_queries(13):
        first = client.get(f"/api/matters/{world.matter.pk}/timeline/")
    assert first.status_code == 200 and first.json()["results"]
    # The last page, which holds events, hearings and deadlines at both sizes. Session and
    # user, the matter with its membership, the 3 queries for the order, the page's events
    # and their 4 detail queries, its hearings, its deadlines.
    url = f"/api/matters/{world.matter.pk}/timeline/?page=last"
    with django_assert_num_queries(13):
        response = client.get(url)
    kinds = {item["type"] for item in response.json()["results"]}
    assert kinds == {"event", "hearing", "deadline"}, kinds
    assert response.status_code == 200
    assert response.json()["count"] == size + 3 + 2 * len(range(0, size, 5)) + 1


@pytest.mark.parametrize("size", SIZES)
def test_event_list_endpoint(api, world, chronology, django_assert_num_queries, size):
    grow(world, chronology, size)
    client = api(world.partner)
    # Session, user, count, page, and its parties, people and allegations.
    with django_assert_num_queries(7):
        assert client.get("/api/events/").status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_evidence_link_list_endpoint(api, world, chronology, django_assert_num_queries, size):
    grow(world, chronology, size)
    client = api(world.partner)
    # Session, user, count, page (with its exhibits).
    with django_assert_num_queries(4):
        assert client.get("/api/evidence-links/").status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_allegation_proof(world, chronology, django_assert_num_queries, size):
    grow(world, chronology, size)
    # Links; events; their parties, people, allegations and evidence.
    with django_assert_num_queries(6):
        proof = allegation_proof(allegation=world.allegation, user=world.partner)
        assert len(proof.events) == size + 1
        for event in proof.events:
            assert [link.exhibit.reference for link in event.visible_links]
            assert list(event.parties.all())


@pytest.mark.parametrize("size", SIZES)
def test_claim_evidence_matrix(world, chronology, django_assert_num_queries, size):
    grow(world, chronology, size)
    with django_assert_num_queries(2):
        matrix = claim_evidence_matrix(claim=world.claim, user=world.partner)
        cells = [cell.stance for _, row in matrix.rows() for cell in row if cell]
    assert len(matrix.allegations) == size + 3
    # Each grown allegation has its own exhibit and the log; ¶12 has MA-1, ¶13 MA-2.
    assert len(cells) == 2 * size + 2


@pytest.mark.parametrize("size", SIZES)
def test_evidence_gaps(world, chronology, django_assert_num_queries, size):
    grow(world, chronology, size)
    with django_assert_num_queries(2):
        gaps = evidence_gaps(matter=world.matter, user=world.expert)
        assert [a.claim.cause_of_action for a in gaps.allegations]
