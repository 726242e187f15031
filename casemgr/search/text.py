"""Query and snippet text for search (pure; no Django).

PostgreSQL's parser splits words at spaces and punctuation, and Chinese has neither between
words: a sentence would be one "word" and no search for a word in it would match. Han and
kana characters are therefore indexed one by one, and a run of them in a query becomes a
phrase of single characters, which matches exactly where the characters stand together, i.e.
where the word is. The parser also reads an e-mail address or a host name as one word, so
that "jadeport" would not find ops@jadeport.example; such words are indexed in their parts
too. Both are done by putting a zero-width space (U+200B), which the parser reads as a
separator, around each Chinese character and after each "@" or "." inside a word, in the
text indexed (casemgr_search_text in schema.py, the same rule in SQL) and in the query
(`prepared_query`); a snippet takes them out again, and nobody sees them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache

import snowballstemmer

# Han (with extension A and the compatibility block) and kana: the scripts written without
# spaces between words. Kept in step with casemgr_search_text in schema.py.
CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SEPARATOR = "\u200b"
_CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
_CJK_CHAR = re.compile(f"[{CJK_CLASS}]")
_JOINER = re.compile(r"(?<=[^\W_])[@.](?=[^\W_])")
# Markers ts_headline puts around a matched word: control characters, which stored text never
# holds (renditions._clean turns them into U+FFFD), so the snippet can be escaped whole and
# only these become <mark>.
START, STOP = "\x02", "\x03"


def separated(value: str) -> str:
    """`value` with separators where the index puts them (see the module's docstring)."""
    value = _CJK_CHAR.sub(lambda m: f"{SEPARATOR}{m[0]}{SEPARATOR}", value)
    return _JOINER.sub(lambda m: m[0] + SEPARATOR, value)


def prepared_query(query: str) -> str:
    """`query`, as typed, made ready for websearch_to_tsquery: separated like the indexed
    text, and a word that becomes several (模型蒸馏, ops@jadeport.example) quoted as a phrase
    unless it already is, so that it matches its parts side by side."""
    out: list[str] = []
    quoted = False
    for part in re.split(r'(")', query):
        if part == '"':
            quoted = not quoted
            out.append(part)
        elif quoted:
            out.append(separated(part))
        else:
            out.append(re.sub(r"[^\s\"]+", _quoted_if_split, part))
    return "".join(out)


def _quoted_if_split(match: re.Match) -> str:
    word = match[0]
    sign, core = ("-", word[1:]) if word.startswith("-") and len(word) > 1 else ("", word)
    split = separated(core)
    return word if split == core else f'{sign}"{split}"'


def snippet_html(headline: str) -> str:
    """A ts_headline fragment as safe HTML: everything escaped (document text is untrusted),
    the matched words in <mark>, and the separators the index added taken out again."""
    parts = re.split(f"([{START}{STOP}])", headline.replace(SEPARATOR, ""))
    out: list[str] = []
    open_mark = False
    for part in parts:
        if part == START:
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif part == STOP:
            if open_mark:
                out.append("</mark>")
                open_mark = False
        else:
            out.append(html.escape(part, quote=True))
    if open_mark:
        out.append("</mark>")
    return "".join(out).replace("</mark><mark>", "")


# The simple route (SQLite, the zero-setup demo): the same query language, read here.


@dataclass(frozen=True)
class Term:
    text: str  # a word or a phrase, matched as a case-insensitive substring
    negated: bool = False


def parsed(query: str) -> list[list[Term]]:
    """`query` in websearch_to_tsquery's language, as alternatives (OR) of terms that must
    all match, a negated term that must not: `"model output" distillation -training OR
    logits` is [[model output, distillation, -training], [logits]]."""
    alternatives: list[list[Term]] = [[]]
    for match in re.finditer(r'(-?)"([^"]*)"?|(\S+)', query):
        negated, phrase, word = match[1] == "-", match[2], match[3]
        if word is not None:
            if word == "OR":
                if alternatives[-1]:
                    alternatives.append([])
                continue
            negated = word.startswith("-") and len(word) > 1
            word = word[1:] if negated else word
            phrase = word
        phrase = " ".join(re.sub(r"[^\w\s'-]", " ", phrase).split())
        if phrase:
            alternatives[-1].append(Term(phrase, negated))
    return [terms for terms in alternatives if any(not t.negated for t in terms)]


def term_pattern(term: str, *, start: str = r"(?:^|\W)") -> str:
    """A regular expression (Python's, which is also SQLite's REGEXP in Django) for a term of
    the simple route that matches roughly as PostgreSQL's english configuration does: each
    word by its stem at the start of a word ("distillation" finds "distilled"), the words of a
    phrase in order with only spaces or punctuation between ("chain of thought" finds
    "chain-of-thought"), and Chinese characters exactly where they stand together. `start`,
    what goes before a word, is written so that PostgreSQL's regular expressions read it as
    Python's do (neither has the other's word boundary)."""
    words = []
    for word in re.findall(r"\w+", term):
        if _CJK_RUN.fullmatch(word):
            words.append(re.escape(word))
        else:
            words.append(re.escape(_stemmer().stemWord(word.lower())) + r"\w*")
    pattern = r"\W+".join(words)
    return pattern if _CJK_RUN.match(term) else start + pattern


@cache
def _stemmer():
    return snowballstemmer.stemmer("english")


def simple_snippet(text: str, patterns: list[str], width: int = 160) -> str:
    """The stretch of `text` around the first term found, as safe HTML with the terms in
    <mark>: the simple route's ts_headline."""
    found = [m for m in (re.search(p, text, re.IGNORECASE) for p in patterns if p) if m]
    if not found:
        return html.escape(" ".join(text[:width].split()))
    start = max(0, min(m.start() for m in found) - width // 3)
    window = text[start : start + width]
    pattern = re.compile("|".join(f"(?:{p})" for p in patterns if p), re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{START}{m[0]}{STOP}", window)
    prefix = "… " if start else ""
    suffix = " …" if start + width < len(text) else ""
    return prefix + snippet_html(" ".join(marked.split())) + suffix
