"""The lists as a reader sees them: privileged redactions on the log, clearance, numbering."""

import pytest

from casemgr.disclosure import selectors, services
from casemgr.disclosure.grounds import Form
from casemgr.disclosure.models import DisclosureEntry
from casemgr.redaction.models import Box
from tests.disclosure.conftest import approve_redaction
from tests.factories import ExhibitFactory

pytestmark = pytest.mark.django_db


def test_the_court_decides_the_form(disclosure):
    assert (
        selectors.lists_for(proceeding=disclosure.english, user=disclosure.world.partner).form
        == Form.PD57AD
    )
    assert (
        selectors.lists_for(proceeding=disclosure.us, user=disclosure.world.partner).form
        == Form.FRCP
    )


def test_a_withheld_document_above_clearance_is_on_no_list_and_leaves_no_gap(disclosure):
    partner = selectors.lists_for(proceeding=disclosure.us, user=disclosure.world.partner)
    assert [(r.number, r.reference) for r in partner.withheld] == [(1, "NWA-3"), (2, "NWA-2")]
    paralegal = selectors.lists_for(proceeding=disclosure.us, user=disclosure.world.paralegal)
    assert [(r.number, r.reference) for r in paralegal.withheld] == [(1, "NWA-2")]
    client = selectors.lists_for(proceeding=disclosure.us, user=disclosure.world.client)
    assert [r.reference for r in client.withheld] == []
    assert [r.reference for r in client.disclosed] == ["NWA-1"]


@pytest.mark.parametrize("reason", ["privilege", Box.Reason.choices[0][0]])
def test_a_disclosed_document_with_privilege_redactions_is_on_the_log(disclosure, reason):
    report = ExhibitFactory(
        matter=disclosure.world.matter,
        prefix="NWA",
        number=5,
        title="Board report",
        privileged=True,
    )
    approve_redaction(report, reason=reason, pages=(4, 2), world=disclosure.world)
    services.entry_add(
        proceeding=disclosure.us,
        exhibit=report,
        kind=DisclosureEntry.Kind.DISCLOSED,
        actor=disclosure.world.partner,
        production_numbers="NWA000020–NWA000031",
    )
    log = selectors.lists_for(proceeding=disclosure.us, user=disclosure.world.partner).withheld
    row = next(r for r in log if r.reference == "NWA-5")
    assert row.withholding == "Produced with redactions (pp. 2, 4)"
    assert row.production_numbers == "NWA000020–NWA000031"
    assert row.needs_ground and row.entry_id is None
    # Once the ground is stated, the entry stands in its place: one row, not two.
    services.entry_add(
        proceeding=disclosure.us,
        exhibit=report,
        kind=DisclosureEntry.Kind.WITHHELD,
        actor=disclosure.world.partner,
        ground="attorney_client",
        withholding="redacted",
        description="Board report; passages recording legal advice redacted",
    )
    log = selectors.lists_for(proceeding=disclosure.us, user=disclosure.world.partner).withheld
    rows = [r for r in log if r.reference == "NWA-5"]
    assert len(rows) == 1
    assert rows[0].ground == "Attorney-client privilege"
    assert rows[0].withholding == "Produced with redactions (pp. 2, 4)"


def test_redactions_for_other_reasons_are_not_privilege(disclosure):
    approve_redaction(disclosure.letter, reason="personal_data", world=disclosure.world)
    log = selectors.lists_for(proceeding=disclosure.us, user=disclosure.world.partner).withheld
    assert "NWA-1" not in [r.reference for r in log]
