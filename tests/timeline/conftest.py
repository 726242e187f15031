"""A small chronology in the world's matter, with evidence at two clearances.

- MA-1, a letter (standard; one file of 3 pages) and MA-2, an API log (attorneys' eyes only;
  one file of 40 pages). The expert and the paralegal (confidential clearance) never see
  MA-2; the client (standard) sees neither confidential nor AEO material.
- Allegations: the world's ¶12 (denied), ¶13 (denied), ¶14 (admitted).
- Events: the terms changed (September 2025, agreed), the traffic spike (3 November 2025,
  disputed, bears on ¶12), the letter before action (12 January 2026 at 09:00 London,
  procedural, agreed).
- Links: MA-2 pp. 12-14 supports the spike; MA-1 gives it context; MA-1 p. 1 supports ¶12;
  MA-2 p. 2 supports ¶13 and p. 7 contradicts it.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from casemgr.access.models import Clearance
from casemgr.timeline.models import Event, EvidenceLink
from tests.factories import (
    AllegationFactory,
    EventFactory,
    EvidenceLinkFactory,
    ExhibitFactory,
    ExhibitFileFactory,
)


@dataclass
class Chronology:
    letter: object
    letter_file: object
    log: object
    log_file: object
    denied: object  # ¶13
    admitted: object  # ¶14
    terms: object
    spike: object
    letter_before_action: object


@pytest.fixture
def chronology(world) -> Chronology:
    m, by = world.matter, world.partner
    letter = ExhibitFactory(matter=m, prefix="MA", number=1, title="Letter", created_by=by)
    log = ExhibitFactory(
        matter=m,
        prefix="MA",
        number=2,
        title="API access log",
        document_type="log",
        designation=Clearance.AEO,
        created_by=by,
    )
    letter_file = ExhibitFileFactory(exhibit=letter, page_count=3)
    log_file = ExhibitFileFactory(exhibit=log, page_count=40)
    world.allegation.response = "denied"
    world.allegation.save()
    denied = AllegationFactory(claim=world.claim, paragraph="13", response="denied")
    admitted = AllegationFactory(claim=world.claim, paragraph="14", response="admitted")

    terms = EventFactory(
        matter=m,
        date=date(2025, 9, 1),
        precision=Event.Precision.MONTH,
        title="Terms of service v4.2 published",
        status=Event.Status.AGREED,
        created_by=by,
    )
    terms.parties.set([world.claimant])
    spike = EventFactory(
        matter=m,
        date=date(2025, 11, 3),
        title="Traffic spike from rotating accounts",
        status=Event.Status.DISPUTED,
        created_by=by,
    )
    spike.parties.set([world.defendant])
    spike.people.set([world.person])
    spike.allegations.set([world.allegation])
    letter_before_action = EventFactory(
        matter=m,
        date=date(2026, 1, 12),
        occurred_at=datetime(2026, 1, 12, 9, 0, tzinfo=UTC),
        time_zone="Europe/London",
        title="Letter before action sent",
        status=Event.Status.AGREED,
        kind=Event.Kind.PROCEDURAL,
        created_by=by,
    )
    letter_before_action.parties.set([world.claimant, world.defendant])

    EvidenceLinkFactory(exhibit=log, exhibit_file=log_file, event=spike, pages="12-14")
    EvidenceLinkFactory(exhibit=letter, event=spike, stance=EvidenceLink.Stance.CONTEXT)
    EvidenceLinkFactory(
        exhibit=letter, exhibit_file=letter_file, allegation=world.allegation, pages="1"
    )
    EvidenceLinkFactory(exhibit=log, exhibit_file=log_file, allegation=denied, pages="2")
    EvidenceLinkFactory(
        exhibit=log, allegation=denied, pages="7", stance=EvidenceLink.Stance.CONTRADICTS
    )
    return Chronology(
        letter=letter,
        letter_file=letter_file,
        log=log,
        log_file=log_file,
        denied=denied,
        admitted=admitted,
        terms=terms,
        spike=spike,
        letter_before_action=letter_before_action,
    )
