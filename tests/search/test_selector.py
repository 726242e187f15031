"""search_for on PostgreSQL: what a lawyer typing into the search box gets back, and never
more than their clearance allows. Page text comes from real uploads and renditions."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from casemgr.access.models import Clearance
from casemgr.evidence.models import Exhibit, ExhibitPage
from casemgr.evidence.selectors import ExhibitFilters, exhibits_for
from casemgr.evidence.services import exhibit_save
from casemgr.search import selectors
from casemgr.search.selectors import SearchFilters, search_for
from tests.evidence import files
from tests.evidence.conftest import upload  # noqa: F401 - the fixture
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scan(upload, world):  # noqa: F811 - the fixture imported above
    """`scan(*page_texts, user=..., **fields)`: upload a PDF with those pages; its exhibit."""

    def make(*texts, name="doc.pdf", user=None, **fields):
        response = upload(files.pdf_of_pages(list(texts)), name, user=user, **fields)
        assert response.status_code == 201, response.content
        return Exhibit.objects.get(pk=response.json()["id"])

    return make


def hits(world, query, user=None, **filters):
    results = search_for(
        matter=world.matter,
        user=user or world.partner,
        query=query,
        filters=SearchFilters(**filters),
    )
    return {group.kind: group for group in results.groups}


def pages_found(world, query, user=None):
    group = hits(world, query, user).get("page")
    return [(hit.title.split(" — ")[0], hit.page) for hit in group.hits] if group else []


def test_a_word_lands_on_its_page(scan, world):
    exhibit = scan(
        "Letter about licence fees.",
        "The teacher logits were harvested through the API.",
        "Schedule of payments.",
    )

    assert pages_found(world, "harvested") == [(f"{exhibit.reference}, p. 2", 2)]
    assert pages_found(world, "harvesting") == [(f"{exhibit.reference}, p. 2", 2)]  # stemmed
    (hit,) = hits(world, "harvested")["page"].hits
    assert hit.url.endswith(f"?file={exhibit.files.get().pk}&page=2#preview")
    assert "<mark>harvested</mark>" in hit.snippet


def test_phrases_or_and_exclusions(scan, world):
    scan("Teacher logits were harvested.", "Logits of the teacher were refused, not harvested.")

    assert [p for _, p in pages_found(world, '"teacher logits"')] == [1]
    assert pages_found(world, '"logits teacher"') == []
    assert sorted(p for _, p in pages_found(world, "zebra OR teacher")) == [1, 2]
    assert [p for _, p in pages_found(world, "harvested -refused")] == [1]
    assert pages_found(world, "zebra") == []


def test_the_expert_never_sees_an_aeo_exhibit_its_count_or_snippet(scan, world):
    scan(
        "Distillation runbook for the cluster.",
        user=world.partner,
        prefix="AEO",
        designation=int(Clearance.AEO),
    )
    EventFactory(matter=world.matter, title="Distillation run observed", designation=Clearance.AEO)

    partner = hits(world, "distillation")
    assert partner["page"].total == 1 and partner["event"].total == 1
    assert hits(world, "distillation", user=world.expert) == {}  # no group, no count
    results = search_for(matter=world.matter, user=world.expert, query="runbook")
    assert results.total == 0 and results.groups == []
    # An outsider, a member of another matter only, gets nothing from this one.
    assert hits(world, "distillation", user=world.outsider) == {}


def test_snippets_escape_document_text(scan, world):
    scan(
        "<script>alert(1)</script> costs < 5 & rising for distillation <img src=x onerror=alert(1)>"
    )

    (hit,) = hits(world, "distillation")["page"].hits
    assert "<script" not in hit.snippet and "<img" not in hit.snippet
    assert "&lt;img src=x onerror=alert" in hit.snippet
    assert "costs &lt; 5 &amp; rising" in hit.snippet
    assert "<mark>distillation</mark>" in hit.snippet


def test_the_index_follows_every_edit_at_once(scan, world):
    exhibit = scan("Nothing relevant.")
    event = EventFactory(matter=world.matter, title="Board meeting")

    exhibit.title = "Jadeport scraping memo"
    exhibit_save(instance=exhibit, actor=world.partner)
    event.description = "The board approved the scraping programme."
    event.save()
    ExhibitPage.objects.filter(file__exhibit=exhibit).update(text="Now it mentions scraping.")

    found = hits(world, "scraping")
    assert [h.id for h in found["exhibit"].hits] == [exhibit.pk]
    assert [h.id for h in found["event"].hits] == [event.pk]
    assert [h.page for h in found["page"].hits] == [1]
    assert "exhibit" not in hits(world, "Nothing")


def test_a_title_ranks_above_a_description(scan, world):
    described = scan("x", name="a.pdf")
    titled = scan("y", name="b.pdf")
    described.description = "Mentions the wrapper service once."
    exhibit_save(instance=described, actor=world.partner)
    titled.title = "Wrapper service contract"
    exhibit_save(instance=titled, actor=world.partner)

    assert [h.id for h in hits(world, "wrapper")["exhibit"].hits] == [titled.pk, described.pk]


def test_chinese_is_found_by_a_word_inside_a_sentence(upload, world):  # noqa: F811
    text = "被告通过接口进行了模型蒸馏，并收集了教师模型的输出。\n"
    assert upload(text.encode(), "note-zh.txt").status_code == 201

    (hit,) = hits(world, "模型蒸馏")["page"].hits
    assert "<mark>模型蒸馏</mark>" in hit.snippet
    assert hit.page == 1
    assert len(hits(world, '"教师模型"')["page"].hits) == 1
    assert hits(world, "蒸馏模型") == {}  # the same characters, not side by side


def test_filters_narrow_each_kind(scan, world):
    letter = scan("Licence terms breached.", name="letter.pdf")
    letter.document_type = Exhibit.DocumentType.LETTER
    exhibit_save(instance=letter, actor=world.partner)
    scan("Licence terms summary.", name="report.pdf")
    EventFactory(matter=world.matter, title="Licence terms agreed")

    found = hits(world, "licence", document_type="letter")
    assert set(found) == {"page"}  # an exhibit type rules out events
    assert [h.id for h in found["page"].hits] == [letter.files.get().pk]
    assert set(hits(world, "licence", kinds=("event",))) == {"event"}


def test_a_common_word_is_counted_to_a_limit(scan, world, monkeypatch):
    monkeypatch.setattr(selectors, "RANK_LIMIT", 2)
    scan("claim one", "claim two", "claim three")

    group = hits(world, "claim")["page"]
    assert group.more and group.total_label == "2+"


QUERIES = ["harvested", '"teacher logits"', "zebra OR teacher", "teacher -harvested", "PX-1"]


def test_the_simple_route_gives_the_same_hits(scan, world):
    scan("Teacher logits were harvested.", "Logits of the teacher, not harvested.", prefix="PX")
    EventFactory(matter=world.matter, title="Teacher model released")

    for query in QUERIES:
        routes = [
            search_for(matter=world.matter, user=world.partner, query=query, route=route)
            for route in ("fts", "simple")
        ]
        fts, simple = ({(g.kind, h.id, h.page) for g in r.groups for h in g.hits} for r in routes)
        assert fts == simple, query
        assert fts, query


def test_search_reindex_rebuilds_the_page_vectors(scan, world):
    scan("Reindexed evidence.")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE evidence_exhibitpage SET search_vector = NULL")
    assert pages_found(world, "reindexed") == []

    call_command("search_reindex", stdout=io.StringIO())

    assert [p for _, p in pages_found(world, "reindexed")] == [1]


def test_the_exhibit_list_finds_page_text_by_its_words(scan, world):
    exhibit = scan("Cover note.", "The logits were harvested in bulk.")

    listed = exhibits_for(
        matter=world.matter, user=world.partner, filters=ExhibitFilters(q="harvesting")
    )

    assert [e.pk for e in listed] == [exhibit.pk]  # the word in another form, on page 2


def test_a_name_inside_an_e_mail_address_is_found(scan, world):
    scan("From: ops@jadeport.example To: counsel@northwind.example")

    (hit,) = hits(world, "jadeport")["page"].hits
    assert "ops@<mark>jadeport</mark>.example" in hit.snippet
    assert len(hits(world, "ops@jadeport.example")["page"].hits) == 1
