"""Model-output comparison: how close the other model's outputs are to ours (no Django).

The exhibit is JSON Lines, one pair per line: the prompt, our model's output, the other
model's output and, optionally, a control model's output for the same prompt. Each output is
compared with ours by three measures; the other model's scores are then set against the
control's, which says how close two independent models come on the same prompts.
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Callable
from difflib import SequenceMatcher
from pathlib import Path

from rapidfuzz.distance import Levenshtein
from scipy.stats import mannwhitneyu, wilcoxon

from . import sources

ENGINE_VERSION = "1"
NGRAM = 5
CHUNK = 100  # pairs scored between two progress reports
READ_SHARE = 0.05
FIELDS = {
    "prompt": ("prompt", "input", "question"),
    "ours": ("ours", "our_output", "claimant_output", "original", "teacher"),
    "theirs": ("theirs", "their_output", "other_output", "defendant_output", "suspect"),
    "control": ("control", "control_output", "baseline"),
}
LIMITS = (
    "The test says whether the other model's outputs are closer to ours than the control's "
    "are, more often than chance would make them; it does not say why. Shared training data, "
    "a common style of answer, or short and formulaic prompts also raise similarity, so the "
    "control should be a model trained independently on comparable data. The pairs are only "
    "as representative as the way the prompts were chosen; figures over a handful of pairs "
    "mean little. Mann–Whitney U treats the two sets of scores as independent samples; the "
    "Wilcoxon signed-rank test, which uses the pairing by prompt, is given beside it."
)


def _grams(text: str) -> set[str]:
    text = " ".join(text.split())
    if len(text) < NGRAM:
        return {text} if text else set()
    return {text[i : i + NGRAM] for i in range(len(text) - NGRAM + 1)}


def ngram_jaccard(a: str, b: str) -> float:
    ga, gb = _grams(a), _grams(b)
    if not ga and not gb:
        return 1.0
    return len(ga & gb) / len(ga | gb)


def shared_spans(a: str, b: str, min_chars: int = 20) -> list[tuple[int, int, int]]:
    """(start in a, start in b, length) of each run of at least min_chars shared characters."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return [(m.a, m.b, m.size) for m in matcher.get_matching_blocks() if m.size >= min_chars]


def longest_shared_span(a: str, b: str) -> int:
    """Length of the longest run of characters found in both, in time linear in their
    lengths (a suffix automaton of a, walked along b): outputs run to thousands of
    characters, where comparing every position with every other is too slow."""
    if not a or not b:
        return 0
    link, length, trans, last = [-1], [0], [{}], 0
    for ch in a:
        cur = len(length)
        length.append(length[last] + 1)
        link.append(0)
        trans.append({})
        p = last
        while p != -1 and ch not in trans[p]:
            trans[p][ch] = cur
            p = link[p]
        if p != -1:
            q = trans[p][ch]
            if length[p] + 1 == length[q]:
                link[cur] = q
            else:
                clone = len(length)
                length.append(length[p] + 1)
                link.append(link[q])
                trans.append(dict(trans[q]))
                while p != -1 and trans[p].get(ch) == q:
                    trans[p][ch] = clone
                    p = link[p]
                link[q] = link[cur] = clone
        last = cur
    state, run, best = 0, 0, 0
    for ch in b:
        while state and ch not in trans[state]:
            state = link[state]
            run = length[state]
        if ch in trans[state]:
            state = trans[state][ch]
            run += 1
        best = max(best, run)
    return best


def similarity(a: str, b: str) -> dict:
    return {
        "ngram_jaccard": round(ngram_jaccard(a, b), 6),
        "edit_similarity": round(Levenshtein.normalized_similarity(a, b), 6),
        "longest_shared_span": longest_shared_span(a, b),
    }


def highlighted(text: str, spans: list[tuple[int, int]]) -> str:
    """The text as HTML, escaped, with the given (start, length) spans in <mark>."""
    parts, at = [], 0
    for start, length in sorted(spans):
        if start < at:
            continue
        parts.append(html.escape(text[at:start]))
        parts.append("<mark>" + html.escape(text[start : start + length]) + "</mark>")
        at = start + length
    parts.append(html.escape(text[at:]))
    return "".join(parts)


def side_by_side(pair: dict, min_chars: int = 20) -> dict:
    """Our output and the other model's, escaped, with the spans they share marked."""
    spans = shared_spans(pair["ours"], pair["theirs"], min_chars)
    return {
        "prompt": html.escape(pair.get("prompt") or ""),
        "ours": highlighted(pair["ours"], [(a, n) for a, _b, n in spans]),
        "theirs": highlighted(pair["theirs"], [(b, n) for _a, b, n in spans]),
        "spans": len(spans),
    }


def read_pairs(path: Path, con=None) -> tuple[list[dict], int, list[dict]]:
    """(pairs, bad line count, examples of bad lines); a pair needs ours and theirs."""
    con = con or sources.connect()
    types = sources.columns(con, path, "jsonl")
    chosen = {}
    for role, names in FIELDS.items():
        chosen[role] = next((n for n in names if n in types), None)
    if not chosen["ours"] or not chosen["theirs"]:
        raise ValueError(f"no columns for our and their outputs among {', '.join(types)}")
    select = ", ".join(
        (sources.text_of(name, types[name]) if name else "NULL::VARCHAR") + f" AS {role}"
        for role, name in chosen.items()
    )
    rows = con.execute(f"SELECT {select} FROM {sources.relation_sql(path, 'jsonl')}").fetchall()
    pairs, bad = [], []
    for number, (prompt, ours, theirs, control) in enumerate(rows, start=1):
        if ours is None or theirs is None:
            bad.append({"pair": number, "reason": "no output from our model or theirs"})
            continue
        pairs.append(
            {"number": number, "prompt": prompt, "ours": ours, "theirs": theirs, "control": control}
        )
    return pairs, len(bad), bad[:5]


def compare(
    path: Path,
    *,
    measure: str = "ngram_jaccard",
    con=None,
    progress: Callable[[str, float], None] | None = None,
) -> dict:
    """`progress(stage, fraction)`, if given, is called as the file is read, before each
    chunk of CHUNK pairs is scored, before the test and with ("done", 1.0) at the end; it
    cancels the comparison by raising, and the exception comes out of compare."""
    report = progress or (lambda stage, fraction: None)
    report("read", 0.0)
    pairs, bad, bad_examples = read_pairs(path, con)
    scored = []
    for start in range(0, len(pairs), CHUNK):
        # Reading is quick and the test is quicker: scoring is most of the work.
        report("pairs", round(READ_SHARE + (1 - 2 * READ_SHARE) * start / len(pairs), 6))
        for pair in pairs[start : start + CHUNK]:
            row = {"pair": pair["number"], "theirs": similarity(pair["ours"], pair["theirs"])}
            if pair["control"] is not None:
                row["control"] = similarity(pair["ours"], pair["control"])
            scored.append(row)
    report("test", 1 - READ_SHARE)
    theirs = [r["theirs"][measure] for r in scored]
    control = [r["control"][measure] for r in scored if "control" in r]
    test = _test(theirs, control, [r for r in scored if "control" in r], measure)
    result = {
        "engine": f"casemgr.analysis.outputs {ENGINE_VERSION}",
        "method": (
            f"Each output is compared with ours by the Jaccard similarity of their character "
            f"{NGRAM}-grams (whitespace folded), by normalised edit similarity (1 − Levenshtein "
            "distance ÷ the longer length, rapidfuzz) and by the longest run of characters they "
            f"share. The summary and the test use {measure.replace('_', ' ')}."
        ),
        "measure": measure,
        "pairs": len(pairs),
        "bad_pairs": bad,
        "bad_examples": bad_examples,
        "median_similarity": _median(theirs),
        "control_median_similarity": _median(control),
        "medians": {
            m: {
                "theirs": _median([r["theirs"][m] for r in scored]),
                "control": _median([r["control"][m] for r in scored if "control" in r]),
            }
            for m in ("ngram_jaccard", "edit_similarity", "longest_shared_span")
        },
        **test,
        "per_pair": scored,
    }
    report("done", 1.0)
    return result


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 6) if values else None


def _test(theirs: list[float], control: list[float], paired: list[dict], measure: str) -> dict:
    if len(theirs) < 2 or len(control) < 2:
        return {
            "p_value": None,
            "test": "not run: fewer than two pairs with a control output",
            "limits": LIMITS,
        }
    u, p = mannwhitneyu(theirs, control, alternative="greater", method="auto")
    n1, n2 = len(theirs), len(control)
    differences = [r["theirs"][measure] - r["control"][measure] for r in paired]
    if any(differences):
        w_stat, w_p = wilcoxon(differences, alternative="greater", zero_method="wilcox")
        signed = {"statistic": float(w_stat), "p_value": float(w_p), "pairs": len(differences)}
    else:
        signed = {"statistic": None, "p_value": 1.0, "pairs": len(differences)}
    return {
        "test": (
            "Mann–Whitney U, one-sided: are the other model's scores larger than the "
            "control's? Effect size: the probability that a random pair of theirs scores "
            "above a random control pair (ties count half), and the rank-biserial "
            "correlation (2 × that − 1)."
        ),
        "u_statistic": float(u),
        "p_value": float(p),
        "probability_of_superiority": round(float(u) / (n1 * n2), 6),
        "rank_biserial": round(2 * float(u) / (n1 * n2) - 1, 6),
        "wilcoxon_signed_rank": signed,
        "limits": LIMITS,
    }
