"""Comparing model outputs: a copying model stands out from the control, a fair one does not."""

import json
from difflib import SequenceMatcher
from random import Random

import pytest

from casemgr.analysis import outputs
from tests.analysis import generate


@pytest.mark.parametrize("seed", [2, 13, 40])
def test_copying_model_scores_above_control(tmp_path, seed):
    path = tmp_path / "pairs.jsonl"
    generate.write_pairs(path, seed, copying=True)
    result = outputs.compare(path)
    assert result["pairs"] == 60
    assert result["median_similarity"] > 2 * result["control_median_similarity"]
    assert result["p_value"] < 1e-6
    assert result["rank_biserial"] > 0.9
    assert result["wilcoxon_signed_rank"]["p_value"] < 1e-6
    assert "does not say why" in result["limits"]


@pytest.mark.parametrize("seed", [2, 13, 40])
def test_fair_model_does_not(tmp_path, seed):
    path = tmp_path / "pairs.jsonl"
    generate.write_pairs(path, seed, copying=False)
    result = outputs.compare(path)
    assert result["p_value"] > 0.01
    assert abs(result["rank_biserial"]) < 0.35


def test_same_pairs_same_figures(tmp_path):
    path = tmp_path / "pairs.jsonl"
    generate.write_pairs(path, 4, copying=True)
    assert outputs.compare(path) == outputs.compare(path)


def test_measures():
    assert outputs.ngram_jaccard("abcdefgh", "abcdefgh") == 1.0
    assert outputs.ngram_jaccard("abcdefgh", "zyxwvuts") == 0.0
    scores = outputs.similarity("the cat sat on the mat", "the cat sat on a hat")
    assert scores["longest_shared_span"] == len("the cat sat on ")
    assert 0 < scores["edit_similarity"] < 1


def test_pairs_without_outputs_are_counted(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text(
        json.dumps({"prompt": "p", "ours": "a b c", "theirs": "a b c"})
        + "\n"
        + json.dumps({"prompt": "q", "ours": "only ours"})
        + "\n"
    )
    result = outputs.compare(path)
    assert (result["pairs"], result["bad_pairs"]) == (1, 1)
    assert result["bad_examples"] == [{"pair": 2, "reason": "no output from our model or theirs"}]
    assert result["p_value"] is None and "not run" in result["test"]


def test_side_by_side_escapes_untrusted_output():
    shared = "<script>alert('x')</script> and a long shared sentence"
    view = outputs.side_by_side(
        {"prompt": "<b>p</b>", "ours": "Ours: " + shared, "theirs": shared + " (theirs)"}
    )
    assert "<script>" not in view["ours"] + view["theirs"] + view["prompt"]
    assert view["spans"] == 1
    assert view["theirs"].startswith("<mark>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;")
    assert view["ours"].startswith("Ours: <mark>")


def test_longest_shared_span_agrees_with_a_plain_search():
    rng = Random(5)
    for _ in range(300):
        a = "".join(rng.choice("abc ") for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice("abc ") for _ in range(rng.randint(0, 40)))
        plain = SequenceMatcher(None, a, b, autojunk=False).find_longest_match().size
        assert outputs.longest_shared_span(a, b) == plain, (a, b)


def test_progress_is_reported_per_chunk_of_pairs(tmp_path):
    path = tmp_path / "pairs.jsonl"
    generate.write_pairs(path, 3, copying=True, pairs=250)
    calls = []
    result = outputs.compare(path, progress=lambda stage, fraction: calls.append((stage, fraction)))
    assert result["pairs"] == 250
    assert [stage for stage, _ in calls] == ["read", "pairs", "pairs", "pairs", "test", "done"]
    fractions = [fraction for _, fraction in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(set(fractions))


def test_a_progress_callback_that_raises_stops_the_comparison(tmp_path):
    path = tmp_path / "pairs.jsonl"
    generate.write_pairs(path, 3, copying=True, pairs=250)
    seen = []

    def progress(stage, fraction):
        seen.append(stage)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        outputs.compare(path, progress=progress)
    assert seen == ["read", "pairs", "pairs"]
