"""The chronology and the evidence map as each reader sees them: order, filters, clearance,
an allegation's proof, the claim's matrix and the gaps."""

from datetime import UTC, date, datetime, time

import pytest

from casemgr.access.models import Clearance
from casemgr.deadlines.models import Deadline, DeadlineStatus
from casemgr.timeline.models import Event, EvidenceLink
from casemgr.timeline.selectors import (
    TimelineFilters,
    allegation_proof,
    claim_evidence_matrix,
    evidence_gaps,
    timeline_for,
)
from tests.factories import (
    AllegationFactory,
    ClaimFactory,
    EventFactory,
    EvidenceLinkFactory,
    HearingFactory,
)


def titles(world, user=None, **filters) -> list[str]:
    timeline = timeline_for(
        matter=world.matter, user=user or world.partner, filters=TimelineFilters(**filters)
    )
    return [item.title for item in timeline]


def references(links) -> list[str]:
    return [f"{link.exhibit.reference} {link.pinpoint}".strip() for link in links]


# --- Order -----------------------------------------------------------------------------------


def test_events_hearings_and_deadlines_are_merged_in_date_order(world, chronology):
    Deadline.objects.create(
        proceeding=world.proceeding,
        title="Defence due",
        due_date=date(2026, 4, 14),
        due_time=time(16, 0),
    )
    timeline = list(timeline_for(matter=world.matter, user=world.partner))
    assert [(item.type, item.title) for item in timeline] == [
        ("event", "Terms of service v4.2 published"),
        ("event", "Traffic spike from rotating accounts"),
        ("event", "Letter before action sent"),
        ("deadline", "Defence due"),
        ("hearing", "Case management conference"),  # untitled: its kind
    ]
    hearing = timeline[-1]
    assert (hearing.kind, hearing.precision, hearing.time_zone) == (
        "procedural",
        "day",
        "Europe/London",
    )
    assert hearing.local_time.isoformat() == "2027-03-09T10:30:00+00:00"
    deadline = timeline[-2]
    assert deadline.at == datetime(2026, 4, 14, 15, 0, tzinfo=UTC)  # 4pm London in summer time
    assert deadline.record_status == "open"


def test_every_precision_takes_its_place_whatever_the_order_of_entry(world):
    def event(title, day, precision="day", **fields):
        return EventFactory(
            matter=world.matter, title=title, date=day, precision=precision, **fields
        )

    # Entered newest first, and in the worst order for a sort by id.
    event(
        "3 March 09:00 London",
        date(2026, 3, 3),
        occurred_at=datetime(2026, 3, 3, 9, tzinfo=UTC),
        time_zone="Europe/London",
    )
    event("3 March", date(2026, 3, 3))
    event("about 3 March", date(2026, 3, 3), "approximate")
    event("1-15 March", date(2026, 3, 1), "range", date_end=date(2026, 3, 15))
    event("March", date(2026, 3, 20), "month")
    event("1 March", date(2026, 3, 1))
    event("2026", date(2026, 6, 30), "year")
    event("28 February", date(2026, 2, 28))
    event("1 March-30 April", date(2026, 3, 1), "range", date_end=date(2026, 4, 30))
    event(
        "3 March 08:00 Shanghai",
        date(2026, 3, 3),
        occurred_at=datetime(2026, 3, 3, 0, tzinfo=UTC),
        time_zone="Asia/Shanghai",
    )

    expected = [
        "2026",  # 1 January
        "28 February",
        "March",  # 1 March, the month before the days in it
        "1 March-30 April",  # the longer range first
        "1-15 March",
        "1 March",
        "about 3 March",
        "3 March",  # untimed before timed
        "3 March 08:00 Shanghai",  # 00:00 UTC
        "3 March 09:00 London",  # 09:00 UTC
    ]
    assert titles(world, kind="fact") == expected
    # The database keeps the same order on its own, for any list ordered by sort_key.
    stored = Event.objects.filter(matter=world.matter).order_by("sort_key", "pk")
    assert [e.title for e in stored] == expected


def test_ties_are_broken_the_same_way_on_every_reading(world):
    same_day = date(2027, 3, 9)
    first = EventFactory(matter=world.matter, title="Skeleton served", date=same_day)
    second = EventFactory(matter=world.matter, title="Bundle lodged", date=same_day)
    Deadline.objects.create(proceeding=world.proceeding, title="Reading list", due_date=same_day)
    expected = [first.title, second.title, "Reading list", "Case management conference"]
    assert titles(world) == expected
    assert titles(world) == expected


# --- Filters ---------------------------------------------------------------------------------


def test_filter_by_allegation(world, chronology):
    assert titles(world, allegation=world.allegation.pk) == ["Traffic spike from rotating accounts"]
    assert titles(world, allegation=chronology.denied.pk) == []


def test_filter_by_claim_lists_each_event_once(world, chronology):
    chronology.spike.allegations.add(chronology.denied)
    other_claim = ClaimFactory(proceeding=world.proceeding, cause_of_action="Conspiracy")
    assert titles(world, claim=world.claim.pk) == ["Traffic spike from rotating accounts"]
    assert titles(world, claim=other_claim.pk) == []


def test_filter_by_party(world, chronology):
    assert titles(world, party=world.claimant.pk) == [
        "Terms of service v4.2 published",
        "Letter before action sent",
    ]


def test_filter_by_person(world, chronology):
    assert titles(world, person=world.person.pk) == ["Traffic spike from rotating accounts"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("agreed", ["Terms of service v4.2 published", "Letter before action sent"]),
        ("disputed", ["Traffic spike from rotating accounts"]),
        ("unknown", []),
    ],
)
def test_filter_by_agreed_or_disputed(world, chronology, status, expected):
    assert titles(world, status=status) == expected


def test_filter_by_exhibit_type(world, chronology):
    assert titles(world, document_type="log") == ["Traffic spike from rotating accounts"]
    assert titles(world, document_type="letter") == ["Traffic spike from rotating accounts"]
    assert titles(world, document_type="email") == []


def test_filter_by_dates_keeps_every_entry_with_a_day_in_the_range(world, chronology):
    # September 2025 reaches into a range starting on the 15th; the spike does not.
    assert titles(world, date_from=date(2025, 9, 15), date_to=date(2025, 10, 31)) == [
        "Terms of service v4.2 published"
    ]
    assert titles(world, date_from=date(2026, 1, 1)) == [
        "Letter before action sent",
        "Case management conference",
    ]
    assert titles(world, date_to=date(2025, 11, 3)) == [
        "Terms of service v4.2 published",
        "Traffic spike from rotating accounts",
    ]


def test_a_hearing_is_dated_by_its_court_not_by_utc(world):
    # 00:30 on 2 July in London is 23:30 on 1 July in UTC.
    late = HearingFactory(
        proceeding=world.proceeding, starts_at=datetime(2027, 7, 1, 23, 30, tzinfo=UTC)
    )
    found = timeline_for(
        matter=world.matter,
        user=world.partner,
        filters=TimelineFilters(date_from=date(2027, 7, 2), date_to=date(2027, 7, 2)),
    )
    assert [item.record for item in found] == [late]


def test_a_hearing_on_the_next_day_in_court_is_left_out_of_the_day_before(world):
    HearingFactory(proceeding=world.proceeding, starts_at=datetime(2027, 7, 1, 23, 30, tzinfo=UTC))
    found = timeline_for(
        matter=world.matter,
        user=world.partner,
        filters=TimelineFilters(date_from=date(2027, 7, 1), date_to=date(2027, 7, 1)),
    )
    assert list(found) == []


def test_a_deadlines_time_is_the_courts_wall_clock(world):
    # 16:00 in London in summer is 15:00 UTC: before an event timed at 15:30 UTC that day.
    Deadline.objects.create(
        proceeding=world.proceeding,
        title="Defence due",
        due_date=date(2026, 4, 14),
        due_time=time(16, 0),
    )
    EventFactory(
        matter=world.matter,
        title="Defence filed",
        date=date(2026, 4, 14),
        occurred_at=datetime(2026, 4, 14, 15, 30, tzinfo=UTC),
        time_zone="UTC",
    )
    assert titles(world) == ["Defence due", "Defence filed", "Case management conference"]


def test_read_whole_or_by_id_the_chronology_is_the_same(world, chronology, monkeypatch):
    """An export reads every entry at once, above Timeline._BY_ID_LIMIT: the same entries in
    the same order as a page reads them, including ties between events, hearings and
    deadlines on one key."""
    same_day = datetime(2027, 3, 9, 10, 30, tzinfo=UTC)  # the CMC's start
    EventFactory(
        matter=world.matter,
        title="Skeletons exchanged",
        date=date(2027, 3, 9),
        occurred_at=same_day,
        time_zone="Europe/London",
    )
    Deadline.objects.create(
        proceeding=world.proceeding,
        title="Bundle lodged",
        due_date=date(2027, 3, 9),
        due_time=time(10, 30),
    )
    HearingFactory(proceeding=world.proceeding, starts_at=same_day, title="Second listing")

    def read(limit, step):
        monkeypatch.setattr("casemgr.timeline.selectors.Timeline._BY_ID_LIMIT", limit)
        timeline = timeline_for(matter=world.matter, user=world.expert)
        read = [
            item
            for start in range(0, len(timeline), step)
            for item in timeline[start : start + step]
        ]
        assert len(read) == len(timeline)
        return [(item.type, item.title) for item in read]

    by_id = read(500, 2)
    assert by_id == read(1, 100) == read(1, 3)
    assert by_id[-4:] == [
        ("event", "Skeletons exchanged"),
        ("hearing", "Case management conference"),
        ("hearing", "Second listing"),
        ("deadline", "Bundle lodged"),
    ]
    assert ("event", "Traffic spike from rotating accounts") in by_id  # standard, not AEO


def test_facts_or_procedural_entries(world, chronology):
    assert titles(world, kind="fact") == [
        "Terms of service v4.2 published",
        "Traffic spike from rotating accounts",
    ]
    assert titles(world, kind="procedural") == [
        "Letter before action sent",
        "Case management conference",
    ]


def test_filters_about_facts_leave_hearings_and_deadlines_out(world, chronology):
    Deadline.objects.create(
        proceeding=world.proceeding, title="Defence due", due_date=date(2026, 4, 14)
    )
    everything = titles(world)
    assert "Defence due" in everything and "Case management conference" in everything
    for about_facts in [{"status": "agreed"}, {"party": world.claimant.pk}]:
        listed = titles(world, **about_facts)
        assert "Defence due" not in listed and "Case management conference" not in listed


def test_filters_combine(world, chronology):
    assert titles(world, party=world.claimant.pk, kind="procedural") == [
        "Letter before action sent"
    ]


def test_a_deadline_that_does_not_apply_is_not_part_of_the_story(world):
    Deadline.objects.create(
        proceeding=world.proceeding,
        title="Reply (none served)",
        due_date=date(2026, 5, 1),
        status=DeadlineStatus.NOT_APPLICABLE,
    )
    assert "Reply (none served)" not in titles(world)


# --- What is shown beside each event ---------------------------------------------------------


def test_an_event_brings_its_people_parties_allegations_and_evidence(world, chronology):
    spike = next(
        i
        for i in timeline_for(matter=world.matter, user=world.partner)
        if i.title.startswith("Traffic")
    )
    assert spike.date_display == "3 November 2025"
    assert spike.status == "disputed"
    assert spike.parties == [world.defendant]
    assert spike.people == [world.person]
    assert spike.allegations == [world.allegation]
    assert references(spike.evidence) == ["MA-1", "MA-2 pp. 12–14"]
    log_link = spike.evidence[1]
    assert log_link.stance == "supports"
    assert log_link.preview_url.endswith(f"/files/{chronology.log_file.pk}/preview.pdf#page=12")


# --- Clearance -------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["expert", "paralegal"])
def test_an_aeo_exhibit_is_never_named_to_a_reader_without_clearance(world, chronology, reader):
    user = world.user(reader)
    timeline = list(timeline_for(matter=world.matter, user=user))
    shown = [ref for item in timeline for ref in references(item.evidence)]
    assert shown == ["MA-1"]
    # Filtering by its type does not give it away either.
    assert titles(world, user, document_type="log") == []
    proof = allegation_proof(allegation=chronology.denied, user=user)
    assert (proof.supporting, proof.contradicting) == ([], [])
    matrix = claim_evidence_matrix(claim=world.claim, user=user)
    assert [e.reference for e in matrix.exhibits] == ["MA-1"]


def test_a_confidential_event_and_its_evidence_do_not_exist_for_the_client(world, chronology):
    chronology.spike.designation = Clearance.CONFIDENTIAL
    chronology.spike.save()
    client_sees = titles(world, world.client)
    assert "Traffic spike from rotating accounts" not in client_sees
    # MA-1 itself is standard, but its link describes the hidden event.
    visible = EvidenceLink.objects.visible_to(world.client)
    assert not visible.filter(event=chronology.spike).exists()
    assert visible.filter(allegation=world.allegation).exists()
    assert "Traffic spike from rotating accounts" in titles(world, world.expert)


def test_a_confidential_deadline_stays_with_those_cleared_for_it(world):
    Deadline.objects.create(
        proceeding=world.proceeding,
        title="Serve expert's AEO annex",
        due_date=date(2026, 6, 1),
        designation=Clearance.AEO,
    )
    assert "Serve expert's AEO annex" in titles(world, world.partner)
    assert "Serve expert's AEO annex" not in titles(world, world.expert)


def test_nothing_crosses_from_another_matter(world, chronology):
    assert titles(world, world.outsider) == []
    other = EventFactory(matter=world.other_matter, title="Elsewhere")
    assert "Elsewhere" not in titles(world)
    assert other.title in [
        i.title for i in timeline_for(matter=world.other_matter, user=world.outsider)
    ]


# --- An allegation's proof -------------------------------------------------------------------


def test_proof_of_an_allegation_splits_evidence_by_stance_and_orders_its_events(world, chronology):
    later = EventFactory(matter=world.matter, title="Accounts suspended", date=date(2026, 1, 28))
    later.allegations.add(chronology.denied)
    chronology.spike.allegations.add(chronology.denied)
    proof = allegation_proof(allegation=chronology.denied, user=world.partner)
    assert proof.allegation.response == "denied"
    assert references(proof.supporting) == ["MA-2 p. 2"]
    assert references(proof.contradicting) == ["MA-2 p. 7"]
    assert proof.context == []
    assert [e.title for e in proof.events] == [
        "Traffic spike from rotating accounts",
        "Accounts suspended",
    ]
    assert references(proof.events[0].visible_links) == ["MA-1", "MA-2 pp. 12–14"]


# --- The claim's matrix ----------------------------------------------------------------------


def test_matrix_has_a_cell_per_allegation_and_exhibit_with_its_stance(world, chronology):
    matrix = claim_evidence_matrix(claim=world.claim, user=world.partner)
    assert [a.paragraph for a in matrix.allegations] == ["12", "13", "14"]
    assert [e.reference for e in matrix.exhibits] == ["MA-1", "MA-2"]
    rows = {
        a.paragraph: [cell.stance if cell else None for cell in cells] for a, cells in matrix.rows()
    }
    assert rows == {
        "12": ["supports", None],
        "13": [None, "mixed"],  # p. 2 supports, p. 7 contradicts
        "14": [None, None],
    }
    assert references(matrix.cell(chronology.denied, chronology.log).links) == [
        "MA-2 p. 2",
        "MA-2 p. 7",
    ]


# --- Gaps ------------------------------------------------------------------------------------


def test_gaps_are_allegations_in_issue_and_disputed_events_without_support(world, chronology):
    unproved = EventFactory(
        matter=world.matter, title="Shadow model released", date=date(2026, 2, 2), status="disputed"
    )
    gaps = evidence_gaps(matter=world.matter, user=world.partner)
    # ¶12 and ¶13 have support; ¶14 is admitted, so it needs none (CPR 16.5).
    assert gaps.allegations == []
    assert gaps.events == [unproved]

    EvidenceLinkFactory(exhibit=chronology.letter, event=unproved, stance="contradicts")
    assert evidence_gaps(matter=world.matter, user=world.partner).events == [unproved]
    EvidenceLinkFactory(exhibit=chronology.letter, event=unproved, stance="supports")
    assert evidence_gaps(matter=world.matter, user=world.partner).events == []


def test_a_reader_without_clearance_sees_their_own_gaps(world, chronology):
    # ¶13 and the spike are supported only by the AEO log: gaps to the expert, who cannot
    # see it (being told otherwise would tell them it exists).
    gaps = evidence_gaps(matter=world.matter, user=world.expert)
    assert gaps.allegations == [chronology.denied]
    assert gaps.events == [chronology.spike]


def test_an_allegation_not_yet_answered_is_in_issue(world, chronology):
    pending = AllegationFactory(claim=world.claim, paragraph="15", response="no_response")
    assert evidence_gaps(matter=world.matter, user=world.partner).allegations == [pending]
