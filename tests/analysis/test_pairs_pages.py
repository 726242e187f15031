"""Output pairs: the table of scores (sorted, 50 a page) and each pair side by side, its texts
read again from the stored file, shared runs marked, every text escaped."""

import lxml.html
import pytest

from casemgr.access.models import AuditAction, AuditEvent
from tests.analysis import pages


@pytest.fixture
def analysis(world, tmp_path, cache_dir):
    data = pages.pairs_jsonl(tmp_path, hostile=True, pairs=70)
    source = pages.stored(world, data, name="pairs.jsonl", kind="jsonl")
    done = pages.done(world, source, cache_dir, kind="outputs")
    assert done.status == "done", done.error
    return done


def _lines(html) -> list[int]:
    tree = lxml.html.fromstring(html)
    return [int(td.text_content()) for td in tree.xpath("//table[contains(@class,'pairs')]//td[1]")]


def test_the_pairs_table_is_sorted_and_paged(client, world, analysis):
    client.force_login(world.partner)
    html = client.get(pages.url(analysis)).content.decode()
    assert "71 pairs" in html and "Page 1 of 2" in html
    scores = {r["pair"]: r["theirs"]["ngram_jaccard"] for r in analysis.results["per_pair"]}
    shown = _lines(html)
    assert len(shown) == 50
    assert [scores[n] for n in shown] == sorted((scores[n] for n in shown), reverse=True)
    assert min(scores[n] for n in shown) >= max(
        scores[n] for n in set(scores) - set(shown)
    )  # the highest first, across pages
    by_line = _lines(client.get(pages.url(analysis) + "?sort=pair&page=2").content.decode())
    assert by_line == list(range(51, 72))
    assert len(lxml.html.fromstring(html).xpath("//figure/*[local-name()='svg']")) == 1
    text = lxml.html.fromstring(html).text_content()
    assert "Mann–Whitney U" in text and analysis.results["limits"] in text


def test_a_pair_side_by_side_with_shared_runs_marked_and_markup_shown_as_text(
    client, world, analysis
):
    client.force_login(world.expert)
    html = client.get(pages.url(analysis, "pair", pair=71)).content.decode()
    main = html.split("<main", 1)[1]
    assert "<script>" not in main and "<b>bold</b>" not in main
    tree = lxml.html.fromstring(html)
    ours, theirs, control = tree.xpath("//div[contains(@class,'output-text')]")[1:]
    assert ours.text_content().startswith(pages.HOSTILE)
    assert theirs.text_content().endswith(pages.HOSTILE)
    assert control.text_content() == "<b>bold</b> control"
    marked = [m.text_content() for m in theirs.xpath(".//mark")]
    assert any("word for word" in m for m in marked)
    assert tree.xpath("//div[contains(@class,'output-text')]")[0].text_content() == (
        f"{pages.HOSTILE} prompt"
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, actor=world.expert, detail__pair=71
    ).exists()


def test_pairs_read_by_their_line_in_the_file(client, world, analysis):
    client.force_login(world.partner)
    html = client.get(pages.url(analysis, "pair", pair=3)).content.decode()
    assert "Question 2: think step by step" in html  # the third line's prompt
    assert client.get(pages.url(analysis, "pair", pair=72)).status_code == 404
