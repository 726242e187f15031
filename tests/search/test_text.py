"""The pure parts of search: queries made ready for PostgreSQL, snippets made safe."""

import re

from casemgr.search import text


def test_chinese_runs_become_phrases_of_characters():
    assert text.prepared_query("模型蒸馏 API") == ' "模 型 蒸 馏"  API'
    assert text.prepared_query('"教师模型 outputs"') == '"教 师 模 型 outputs"'  # already quoted
    assert text.prepared_query("-蒸馏") == '- "蒸 馏" '


def test_snippet_is_escaped_and_marks_only_matches():
    marked = f"{text.START}x{text.STOP} <b>&"
    assert text.snippet_html(marked) == "<mark>x</mark> &lt;b&gt;&amp;"
    assert text.snippet_html(f"{text.START}unclosed") == "<mark>unclosed</mark>"
    assert text.snippet_html(f"a{text.STOP}b") == "ab"


def test_snippet_joins_chinese_characters_the_index_spaced():
    s, e = text.START, text.STOP
    assert (
        text.snippet_html(f"了 {s}模{e} {s}型{e} 蒸 馏 and more")
        == "了<mark>模型</mark>蒸馏 and more"
    )


def test_parsed_reads_the_websearch_language():
    terms = text.parsed('"model output" distillation -training OR logits')
    assert [[(t.text, t.negated) for t in alt] for alt in terms] == [
        [("model output", False), ("distillation", False), ("training", True)],
        [("logits", False)],
    ]
    assert text.parsed("-only") == []  # nothing to find


def test_term_patterns_match_stems_and_phrases():
    def matches(term, value):
        return bool(re.search(text.term_pattern(term), value, re.IGNORECASE))

    assert matches("distillation", "they distilled it")
    assert not matches("distillation", "undistilled")  # a word's start, not inside it
    assert matches("chain of thought", "chain-of-thought prompts")
    assert matches("模型", "大模型蒸馏")
    assert not matches("api", "rapid")
