"""Renumbering exhibits, on the exhibit's page, on the bulk details page and through the API:
a clash is shown on the row and field it is in, and a reference held above the member's
clearance is refused in words that say nothing of what holds it."""

import lxml.html
import pytest

from casemgr.access import policy
from casemgr.access.models import AuditEvent, Clearance
from casemgr.evidence.models import Exhibit
from tests.evidence import files
from tests.evidence.pages import bulk_post, edit_post, field_element

HIDDEN_TITLE = "Model weights summary"
# What would tell the member that something they cannot see holds the reference.
GIVEAWAYS = [
    "already",
    "exist",
    "hidden",
    "clearance",
    "in use",
    "taken",
    "held",
    "another exhibit",
]


def test_two_rows_given_one_reference_are_marked_and_named(client, world, new_exhibits):
    ids = new_exhibits(3)
    client.force_login(world.paralegal)
    response = bulk_post(
        client,
        world.matter,
        ids,
        {1: {"number": 7}, 2: {"number": 7}},
    )
    assert response.status_code == 200
    html = response.content.decode()
    for row in (1, 2):
        number = field_element(html, f"form-{row}-number")
        assert number.get("aria-invalid") == "true", row
        assert "field--error" in number.getparent().get("class", "")
    assert field_element(html, "form-0-number").get("aria-invalid") is None
    assert "Row 2 (doc1.pdf)" in html and "Row 3 (doc2.pdf)" in html
    assert "NWA-7" in html
    assert sorted(e.reference for e in Exhibit.objects.all()) == ["NWA-1", "NWA-2", "NWA-3"]


def test_a_reference_another_exhibit_holds_is_marked_on_its_row(
    client, world, new_exhibits, upload
):
    held = upload(files.pdf(text="Held"), "held.pdf", prefix="MA").json()
    ids = new_exhibits(2)
    client.force_login(world.paralegal)
    response = bulk_post(client, world.matter, ids, {1: {"prefix": "MA", "number": 1}})
    assert response.status_code == 200
    html = response.content.decode()
    # The member changed the prefix and typed the number anew: both make the reference,
    # and the row's number is where it is marked.
    assert field_element(html, "form-1-number").get("aria-invalid") == "true"
    assert field_element(html, "form-0-number").get("aria-invalid") is None
    assert "Row 2 (doc1.pdf), Number: MA-1 cannot be used" in html
    assert Exhibit.objects.get(pk=held["id"]).reference == "MA-1"
    assert Exhibit.objects.get(pk=ids[1]).reference == "NWA-2"


def test_exhibits_may_exchange_references_in_one_save(client, world, new_exhibits):
    ids = new_exhibits(3)
    client.force_login(world.paralegal)
    # Put in date order: the third becomes NWA-1, the first NWA-3, the second stays.
    response = bulk_post(client, world.matter, ids, {0: {"number": 3}, 2: {"number": 1}})
    assert response.status_code == 302, response.content.decode()
    assert [Exhibit.objects.get(pk=pk).reference for pk in ids] == ["NWA-3", "NWA-2", "NWA-1"]
    change = AuditEvent.objects.filter(
        action="update", object_type="evidence.Exhibit", object_id=str(ids[0])
    ).get()
    assert change.detail["changes"]["number"] == {"from": 1, "to": 3}


# --- A reference held above the member's clearance -----------------------------------------


@pytest.fixture
def hidden(upload, world):
    """NWA-1, attorneys' eyes only, uploaded by the partner; the paralegal (confidential
    clearance) cannot see it. The paralegal's own exhibit is NWA-2."""
    aeo = upload(
        files.pdf(text=HIDDEN_TITLE),
        "weights.pdf",
        user=world.partner,
        designation=int(Clearance.AEO),
        prefix="NWA",
        title=HIDDEN_TITLE,
    ).json()
    own = upload(files.pdf(text="Own"), "own.pdf", user=world.paralegal, prefix="NWA").json()
    assert (aeo["reference"], own["reference"]) == ("NWA-1", "NWA-2")
    return aeo, own


def says_nothing_of_it(response) -> None:
    """Neither the hidden exhibit's title anywhere in the answer, nor, in what it says to the
    member (a page's text, the API's JSON), a word that something holds the reference."""
    content = response.content.decode()
    assert HIDDEN_TITLE not in content
    assert "weights" not in content
    if response["Content-Type"].startswith("text/html"):
        (main,) = lxml.html.fromstring(content).xpath("//main")
        content = main.text_content()
    said = content.lower()
    for word in GIVEAWAYS:
        assert word not in said, word


def refused_attempt_is_audited(world, aeo) -> None:
    event = AuditEvent.objects.get(action="denied", actor=world.paralegal)
    assert event.object_type == "evidence.Exhibit" and event.object_id == str(aeo["id"])
    assert event.detail["attempted"] == "NWA-1"
    # The member's own view of the matter's trail leaves it out: it names the hidden exhibit.
    visible = policy.audit_events_visible(matter=world.matter, user=world.paralegal)
    assert not visible.filter(pk=event.pk).exists()


def test_renumbering_onto_a_hidden_reference_on_the_exhibit_page(client, world, hidden):
    aeo, own = hidden
    client.force_login(world.paralegal)
    response = edit_post(client, own["id"], world.matter, {"number": 1})
    assert response.status_code == 200
    html = response.content.decode()
    assert "NWA-1 cannot be used: choose another reference." in html
    assert field_element(html, "number").get("aria-invalid") == "true"
    says_nothing_of_it(response)
    assert Exhibit.objects.get(pk=own["id"]).reference == "NWA-2"
    refused_attempt_is_audited(world, aeo)


def test_renumbering_onto_a_hidden_reference_on_the_bulk_page(client, world, hidden):
    aeo, own = hidden
    client.force_login(world.paralegal)
    response = bulk_post(client, world.matter, [own["id"]], {0: {"number": 1}})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Row 1 (own.pdf), Number: NWA-1 cannot be used: choose another reference." in html
    says_nothing_of_it(response)
    assert Exhibit.objects.get(pk=own["id"]).reference == "NWA-2"
    refused_attempt_is_audited(world, aeo)


def test_renumbering_onto_a_hidden_reference_through_the_api(api, world, hidden):
    aeo, own = hidden
    response = api(world.paralegal).patch(
        f"/api/exhibits/{own['id']}/", {"prefix": "nwa", "number": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"number": ["NWA-1 cannot be used: choose another reference."]}
    says_nothing_of_it(response)
    assert Exhibit.objects.get(pk=own["id"]).reference == "NWA-2"
    refused_attempt_is_audited(world, aeo)


def test_a_visible_clash_is_refused_in_the_same_words(api, client, world, hidden, upload):
    """Were a clash with a visible exhibit explained ("already used by NWA-3 …") and a hidden
    one not, the difference would tell. Both get the same answer, and only the hidden one
    goes to the audit trail as a refused access."""
    _aeo, own = hidden
    seen = upload(files.pdf(text="Seen"), "seen.pdf", prefix="NWA").json()
    assert seen["reference"] == "NWA-3"
    response = api(world.paralegal).patch(
        f"/api/exhibits/{own['id']}/", {"number": 3}, format="json"
    )
    assert response.json() == {"number": ["NWA-3 cannot be used: choose another reference."]}
    client.force_login(world.paralegal)
    page = edit_post(client, own["id"], world.matter, {"number": 3}).content.decode()
    assert "NWA-3 cannot be used: choose another reference." in page
    assert not AuditEvent.objects.filter(action="denied").exists()


def test_the_partner_who_sees_both_is_refused_alike(api, world, hidden):
    _aeo, own = hidden
    response = api(world.partner).patch(f"/api/exhibits/{own['id']}/", {"number": 1}, format="json")
    assert response.status_code == 400
    assert response.json() == {"number": ["NWA-1 cannot be used: choose another reference."]}
