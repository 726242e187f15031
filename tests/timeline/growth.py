"""Growing the chronology fixture's matter, for the tests that check a page or a selector
runs the same queries whatever the matter's size (test_pages.py, test_queries.py)."""

from datetime import UTC, date, datetime, timedelta

from casemgr.access.models import Clearance
from casemgr.deadlines.models import Deadline
from tests.factories import (
    AllegationFactory,
    EventFactory,
    EvidenceLinkFactory,
    ExhibitFactory,
    ExhibitFileFactory,
    HearingFactory,
)


def grow(world, chronology, size: int, start: int = 0) -> None:
    """Events `start` to `start + size`, each with parties, people, two allegations (¶12 and
    one of its own) and evidence: an exhibit of its own (standard, confidential and AEO in
    turn; a letter, an e-mail and a log in turn; one file of 30 pages) and the AEO log, each
    pinned to the event and to its allegation; a hearing and a deadline every fifth one."""
    for n in range(start, start + size):
        exhibit = ExhibitFactory(
            matter=world.matter,
            prefix="GR",
            number=n + 1,
            title=f"Grown exhibit {n + 1}",
            designation=[Clearance.STANDARD, Clearance.CONFIDENTIAL, Clearance.AEO][n % 3],
            document_type=["letter", "email", "log"][n % 3],
            created_by=world.partner,
        )
        exhibit_file = ExhibitFileFactory(exhibit=exhibit, page_count=30)
        allegation = AllegationFactory(claim=world.claim, paragraph=f"{100 + n}")
        event = EventFactory(
            matter=world.matter,
            date=date(2025, 1, 1) + timedelta(days=n),
            status=["agreed", "disputed"][n % 2],
            created_by=world.partner,
        )
        event.parties.set([world.claimant, world.defendant])
        event.people.set([world.person])
        event.allegations.set([world.allegation, allegation])
        for linked, linked_file in [(exhibit, exhibit_file), (chronology.log, None)]:
            EvidenceLinkFactory(exhibit=linked, exhibit_file=linked_file, event=event, pages="2-3")
            EvidenceLinkFactory(exhibit=linked, allegation=allegation, pages="4")
        if n % 5 == 0:
            HearingFactory(
                proceeding=world.proceeding,
                starts_at=datetime(2026, 1, 1, 10, tzinfo=UTC) + timedelta(days=n),
            )
            Deadline.objects.create(
                proceeding=world.proceeding,
                title=f"Step {n}",
                due_date=date(2026, 2, 1) + timedelta(days=n),
            )
