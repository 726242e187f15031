"""The pure parts of search: queries made ready for PostgreSQL, snippets made safe."""

import re

from casemgr.search import text


def test_words_the_index_splits_become_phrases():
    z = text.SEPARATOR
    assert text.prepared_query("模型蒸馏 API") == f'"{z}模{z}{z}型{z}{z}蒸{z}{z}馏{z}" API'
    assert text.prepared_query('"教师 outputs"') == f'"{z}教{z}{z}师{z} outputs"'  # quoted
    assert text.prepared_query("-蒸") == f'-"{z}蒸{z}"'
    assert text.prepared_query("ops@jadeport.example OR x") == (
        f'"ops@{z}jadeport.{z}example" OR x'
    )
    assert text.prepared_query("end. Next 3.5") == f'end. Next "3.{z}5"'


def test_snippet_is_escaped_and_marks_only_matches():
    marked = f"{text.START}x{text.STOP} <b>&"
    assert text.snippet_html(marked) == "<mark>x</mark> &lt;b&gt;&amp;"
    assert text.snippet_html(f"{text.START}unclosed") == "<mark>unclosed</mark>"
    assert text.snippet_html(f"a{text.STOP}b") == "ab"


def test_snippet_drops_the_separators_the_index_added():
    s, e, z = text.START, text.STOP, text.SEPARATOR
    separated = f"了{z}{s}{z}模{z}{e}{s}{z}型{z}{e} ops@{z}{s}jadeport{e}.{z}example"
    assert text.snippet_html(separated) == "了<mark>模型</mark> ops@<mark>jadeport</mark>.example"


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
