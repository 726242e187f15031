"""The timeline's pages: the chronology and its filters, inline editing (htmx and plain
forms), an allegation's proof, the claim's matrix and the gaps — within each reader's
clearance, read-only for experts and clients, 404 for outsiders, and a fixed number of
queries however large the matter."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casemgr.access.models import AuditEvent
from casemgr.timeline.models import Event, EvidenceLink
from tests.timeline.growth import grow

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def timeline_url(world, **query):
    url = reverse("timeline:timeline", args=[world.matter.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- The chronology --------------------------------------------------------------------------


def test_the_chronology_in_order_with_dates_evidence_and_allegations(client, world, chronology):
    html = page(client, world.partner, timeline_url(world))
    terms = html.index("Terms of service v4.2 published")
    spike = html.index("Traffic spike from rotating accounts")
    letter = html.index("Letter before action sent")
    assert terms < spike < letter
    assert "September 2025" in html  # the month's heading and the entry's own date
    assert "3 November 2025" in html
    assert "09:00 London (UTC+0)" in html
    # The exhibit at its pinpoint, opening the preview at the first page cited.
    preview = reverse("evidence:file_preview", args=[world.matter.pk, chronology.log_file.pk])
    assert f'href="{preview}#page=12"' in html
    assert "pp. 12–14" in html
    # The allegation it bears on, linked to its proof.
    proof = reverse("timeline:allegation_proof", args=[world.matter.pk, world.allegation.pk])
    assert f'href="{proof}"' in html and "¶12" in html
    assert "Disputed" in html and "Agreed" in html
    # Hearings are procedural entries of their own.
    assert 'class="entry entry--hearing' in html


def test_filter_by_allegation_shows_only_its_events(client, world, chronology):
    html = page(client, world.partner, timeline_url(world, allegation=world.allegation.pk))
    assert "Traffic spike" in html
    assert "Terms of service" not in html and "Letter before action sent" not in html
    assert 'class="entry entry--hearing' not in html  # hearings bear on no allegation
    assert "See its proof" in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"status": "agreed"}, ["Terms of service", "Letter before action sent"], ["Traffic"]),
        ({"kind": "procedural"}, ["Letter before action sent"], ["Terms", "Traffic"]),
        ({"kind": "fact"}, ["Terms", "Traffic"], ["Letter before action sent"]),
        ({"document_type": "log"}, ["Traffic"], ["Terms", "Letter before action sent"]),
        ({"date_from": "2025-11-01", "date_to": "2025-12-31"}, ["Traffic"], ["Terms"]),
    ],
)
def test_filters_apply_through_the_page(client, world, chronology, query, shown, hidden):
    html = page(client, world.partner, timeline_url(world, **query))
    for title in shown:
        assert title in html
    for title in hidden:
        assert title not in html


def test_party_and_person_filters(client, world, chronology):
    html = page(client, world.partner, timeline_url(world, person=world.person.pk))
    assert "Traffic spike" in html and "Terms of service" not in html
    html = page(client, world.partner, timeline_url(world, party=world.claimant.pk))
    assert "Terms of service" in html and "Letter before action sent" in html
    assert "Traffic spike" not in html


def test_an_invalid_filter_is_explained_and_the_others_still_apply(client, world, chronology):
    html = page(client, world.partner, timeline_url(world, status="agreed", allegation="99999"))
    assert "This filter was not applied" in html
    assert "Terms of service" in html and "Traffic spike" not in html  # status still applies
    html = page(
        client, world.partner, timeline_url(world, date_from="2026-01-01", date_to="2025-01-01")
    )
    assert "The range ends before it starts." in html


def test_the_expert_never_sees_the_aeo_exhibit_on_the_page(client, world, chronology):
    html = page(client, world.expert, timeline_url(world))
    assert "Traffic spike" in html
    assert "MA-2" not in html and "API access log" not in html
    assert "MA-1" in html  # the letter, at standard, is there
    # Filtering by the hidden exhibit's type does not reveal that an event has one.
    html = page(client, world.expert, timeline_url(world, document_type="log"))
    assert "Traffic spike" not in html


def test_read_only_members_get_no_edit_controls(client, world, chronology):
    html = page(client, world.expert, timeline_url(world))
    assert "Add event" not in html and "Link evidence" not in html and ">Edit<" not in html
    html = page(client, world.associate, timeline_url(world))
    assert "Add event" in html and "Link evidence" in html


def test_outsiders_get_404_everywhere(client, world, chronology):
    client.force_login(world.outsider)
    m = world.matter.pk
    for url in [
        timeline_url(world),
        reverse("timeline:gaps", args=[m]),
        reverse("timeline:allegation_proof", args=[m, world.allegation.pk]),
        reverse("timeline:claim_matrix", args=[m, world.claim.pk]),
        reverse("timeline:event_edit", args=[m, chronology.spike.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("timeline:event_create", args=[m]), {}).status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(client, world, chronology):
    client.force_login(world.partner)
    url = timeline_url(world)
    counts = []
    for start, size in [(0, 5), (5, 55)]:
        grow(world, chronology, size, start)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert Event.objects.filter(matter=world.matter).count() == 63
    assert counts[0] == counts[1], counts
    print(f"timeline page: {counts[0]} queries at 8 and at 63 events")


@pytest.mark.parametrize("size", [5, 60])
def test_the_page_stays_within_its_query_budget(
    client, world, chronology, size, django_assert_max_num_queries
):
    grow(world, chronology, size)
    client.force_login(world.expert)
    with django_assert_max_num_queries(25):
        response = client.get(timeline_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert ">GR-3 <" not in html and "Grown exhibit 3<" not in html  # GR-3 is AEO
    assert ">GR-2 <" in html and "Grown exhibit 2<" in html  # GR-2 is confidential


# --- Adding and editing ----------------------------------------------------------------------


def event_data(**overrides):
    data = {
        "title": "Second spike from new accounts",
        "date": "2025-12-01",
        "precision": "month",
        "date_end": "",
        "time": "",
        "time_zone": "",
        "status": "disputed",
        "kind": "fact",
        "designation": "1",
        "description": "",
    }
    return {**data, **overrides}


def test_adding_an_event_without_javascript_redirects_back_with_the_filters(
    client, world, chronology
):
    client.force_login(world.associate)
    back = timeline_url(world, status="disputed")
    response = client.post(
        reverse("timeline:event_create", args=[world.matter.pk]),
        {**event_data(allegations=[world.allegation.pk]), "next": back},
    )
    event = Event.objects.get(title="Second spike from new accounts")
    assert response.status_code == 302
    assert response["Location"] == f"{back}#event-{event.pk}"
    assert event.date == date(2025, 12, 1) and event.date_display == "December 2025"
    assert list(event.allegations.all()) == [world.allegation]
    assert event.created_by == world.associate
    assert AuditEvent.objects.filter(object_repr__contains="Second spike").exists()


def test_adding_an_event_with_htmx_redraws_the_chronology_around_it(client, world, chronology):
    client.force_login(world.associate)
    url = reverse("timeline:event_create", args=[world.matter.pk])
    form = client.get(url, **HTMX)
    assert 'id="event-new"' in form.content.decode()
    response = client.post(url, event_data(), **HTMX)
    event = Event.objects.get(title="Second spike from new accounts")
    html = response.content.decode()
    assert response["HX-Retarget"] == "#chronology"
    assert f'data-focus="event-{event.pk}"' in html
    assert "Event “Second spike from new accounts” added." in html
    titles = [html.index(f">{t}") for t in ("Traffic spike", "Second spike", "Letter before")]
    assert titles == sorted(titles)


def test_an_invalid_event_comes_back_inline_with_its_errors(client, world, chronology):
    client.force_login(world.associate)
    url = reverse("timeline:event_create", args=[world.matter.pk])
    response = client.post(url, event_data(precision="range", date_end=""), **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Give the last day of the range." in html
    assert 'value="Second spike from new accounts"' in html
    assert not Event.objects.filter(title__startswith="Second spike").exists()


def test_editing_an_event_inline_returns_the_entry(client, world, chronology):
    client.force_login(world.associate)
    url = reverse("timeline:event_edit", args=[world.matter.pk, chronology.spike.pk])
    form = client.get(url, **HTMX).content.decode()
    assert 'id="event-' in form and "Save event" in form and "data-inline-form" in form
    response = client.post(
        url,
        event_data(
            title="Traffic spike (revised)",
            date="2025-11-03",
            precision="day",
            time="14:30",
            time_zone="Asia/Shanghai",
            people=[world.person.pk],
        ),
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Traffic spike (revised)" in html and "14:30 Shanghai (UTC+8)" in html
    assert "data-focus-here" in html
    chronology.spike.refresh_from_db()
    assert chronology.spike.time_zone == "Asia/Shanghai"
    # Links are kept; the entry shows them again.
    assert "pp. 12–14" in html


def test_linking_evidence_to_an_event_inline(client, world, chronology):
    client.force_login(world.associate)
    url = reverse("timeline:link_create", args=[world.matter.pk, chronology.terms.pk])
    form = client.get(url, **HTMX).content.decode()
    assert "Link exhibit" in form and "MA-1 · Letter" in form
    data = {
        "exhibit": chronology.letter.pk,
        "exhibit_file": chronology.letter_file.pk,
        "pages": "2 – 3",
        "paragraphs": "",
        "stance": "supports",
        "note": "Announces the change",
    }
    response = client.post(url, data, **HTMX)
    assert response.status_code == 200
    link = EvidenceLink.objects.get(event=chronology.terms)
    assert link.pages == "2-3" and link.created_by == world.associate
    preview = reverse("evidence:file_preview", args=[world.matter.pk, chronology.letter_file.pk])
    assert f"{preview}#page=2" in response.content.decode()


def test_a_pinpoint_beyond_the_file_is_refused_inline(client, world, chronology):
    client.force_login(world.associate)
    url = reverse("timeline:link_create", args=[world.matter.pk, chronology.terms.pk])
    response = client.post(
        url,
        {
            "exhibit": chronology.letter.pk,
            "exhibit_file": chronology.letter_file.pk,
            "pages": "9",
            "stance": "supports",
        },
        **HTMX,
    )
    assert response.status_code == 422
    assert "The file has 3 pages" in response.content.decode()
    assert not EvidenceLink.objects.filter(event=chronology.terms).exists()


def test_the_link_form_offers_only_exhibits_the_member_may_see(client, world, chronology):
    client.force_login(world.paralegal)  # confidential clearance: no AEO
    url = reverse("timeline:link_create", args=[world.matter.pk, chronology.terms.pk])
    html = client.get(url).content.decode()
    assert "MA-1" in html and "MA-2" not in html
    response = client.post(url, {"exhibit": chronology.log.pk, "stance": "supports"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not EvidenceLink.objects.filter(event=chronology.terms).exists()


@pytest.mark.parametrize("role", ["expert", "client"])
def test_read_only_members_are_refused_writes(client, world, chronology, role):
    client.force_login(world.user(role))
    m = world.matter.pk
    before = Event.objects.count(), EvidenceLink.objects.count()
    for url, data in [
        (reverse("timeline:event_create", args=[m]), event_data()),
        (reverse("timeline:event_edit", args=[m, chronology.terms.pk]), event_data()),
        (
            reverse("timeline:link_create", args=[m, chronology.terms.pk]),
            {"exhibit": chronology.letter.pk, "stance": "supports"},
        ),
    ]:
        assert client.post(url, data).status_code == 403, url
        assert client.post(url, data, **HTMX).status_code == 403, url
    assert (Event.objects.count(), EvidenceLink.objects.count()) == before


def test_cancelling_an_inline_form_brings_the_entry_back(client, world, chronology):
    client.force_login(world.associate)
    url = reverse("timeline:event", args=[world.matter.pk, chronology.spike.pk])
    html = client.get(url, **HTMX).content.decode()
    assert "Traffic spike" in html and "data-inline-form" not in html
    response = client.get(url)  # without htmx: the entry on the chronology
    assert response.status_code == 302 and response["Location"].endswith(
        f"#event-{chronology.spike.pk}"
    )


# --- Proof, matrix, gaps ---------------------------------------------------------------------


def test_an_allegations_proof(client, world, chronology):
    url = reverse("timeline:allegation_proof", args=[world.matter.pk, chronology.denied.pk])
    html = page(client, world.partner, url)
    assert "Paragraph 13" in html and "Denied" in html
    preview = reverse("evidence:file_preview", args=[world.matter.pk, chronology.log_file.pk])
    assert f"{preview}#page=2" in html  # supporting, at its page
    assert "p. 7" in html  # contradicting, on the exhibit (no file named)
    html = page(client, world.expert, url)
    assert "MA-2" not in html and "API access log" not in html
    assert "No supporting evidence" in html


def test_an_allegations_proof_lists_its_events(client, world, chronology):
    url = reverse("timeline:allegation_proof", args=[world.matter.pk, world.allegation.pk])
    html = page(client, world.partner, url)
    assert "Traffic spike" in html and "3 November 2025" in html
    assert "Terms of service" not in html


def test_the_claim_matrix(client, world, chronology):
    url = reverse("timeline:claim_matrix", args=[world.matter.pk, world.claim.pk])
    html = page(client, world.partner, url)
    assert "MA-1" in html and "MA-2" in html
    assert "matrix__cell--mixed" in html  # MA-2 supports ¶13 at p. 2, contradicts at p. 7
    assert "matrix__cell--supports" in html
    html = page(client, world.expert, url)
    assert "MA-2" not in html and "API access log" not in html


def test_the_gaps(client, world, chronology):
    url = reverse("timeline:gaps", args=[world.matter.pk])
    html = page(client, world.partner, url)
    assert "¶12" not in html  # supported by MA-1
    assert "¶13" not in html  # supported by MA-2
    assert "¶14" not in html  # admitted: needs no proof
    assert "Every disputed event has supporting evidence." in html
    # To the expert, what only the AEO log proves is a gap.
    html = page(client, world.expert, url)
    assert "¶13" in html and "Traffic spike" in html
