"""Prompt templates: near-duplicate prompts grouped, and reasoning-elicitation markers (no Django).

Prompts are first normalised in SQL (quoted strings, multi-word names and numbers replaced
by placeholders, case and spacing folded), so that "Solve 17 + 4" and "Solve 9 + 30" are
already one prompt. Only the distinct normalised prompts reach Python, where datasketch
computes the MinHash of each one's word 3-grams (fixed seed); back in SQL, locality-sensitive
hashing (`similar_pairs`) finds the candidate pairs and keeps those whose estimated Jaccard
similarity reaches the threshold, and a template is every normalised prompt reachable through
kept pairs. Every count is then made by SQL again, per raw prompt.

LSH puts two signatures in one bucket when they agree on every row of a band; its bands are
chosen so that a pair at the threshold is rarely missed (a miss weighs nine times a needless
candidate, since every candidate is checked). Balanced the other way, as datasketch's default
is, a pair at the threshold is a candidate one time in three, and a prompt whose one distinct
word happens to take the least hash in every band is cut off from near-copies of itself.
"""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

DEFAULT_MARKERS = (
    "think step by step",
    "step-by-step",
    "show your reasoning",
    "explain your reasoning",
    "chain of thought",
    "show your work",
    "reason carefully",
)
NUM_PERM = 64
SEED = 1
SHINGLE = 3
ACCOUNTS_LISTED = 200  # a template's accounts beyond these are counted, not listed
BUCKET_PAIRED = 1000  # an LSH bucket with more rows pairs each with its first only

NORMALISE_SQL = r"""
trim(regexp_replace(lower(
  regexp_replace(regexp_replace(regexp_replace(prompt,
    '"[^"]*"|“[^”]*”|`[^`]*`', ' <str> ', 'g'),
    '\b[A-Z][a-z]+(\s+[A-Z][a-z]+)+\b', ' <name> ', 'g'),
    '[-+]?\d+([.,:/]\d+)*', ' <num> ', 'g')
), '\s+', ' ', 'g'))
"""


def _shingles(text: str) -> list[bytes]:
    words = text.split()
    if len(words) < SHINGLE:
        return [text.encode()]
    return [" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)]


def group_near_duplicates(con, norms: list[str], threshold: float) -> list[int]:
    """For each normalised prompt (in the order given), the index of its group's first member."""
    hashes = MinHash.bulk([_shingles(n) for n in norms], num_perm=NUM_PERM, seed=SEED)
    values = np.vstack([h.hashvalues for h in hashes]).astype(np.int64)
    con.register(
        "norm_hashes",
        {
            "id": np.repeat(np.arange(len(norms), dtype=np.int64), NUM_PERM),
            "k": np.tile(np.arange(NUM_PERM, dtype=np.int64), len(norms)),
            "v": values.ravel(),
        },
    )
    try:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE norm_signatures AS
            SELECT id, list(v ORDER BY k) AS sig FROM norm_hashes GROUP BY id
            """
        )
    finally:
        con.unregister("norm_hashes")
    pairs = similar_pairs(con, "norm_signatures", threshold)
    return groups(range(len(norms)), pairs)


def lsh_bands(threshold: float, fn_weight: float = 0.9) -> tuple[int, int]:
    """(bands, rows per band), bands × rows ≤ NUM_PERM, with the least weighted error: the
    area under the chance of being a candidate below the threshold (false positives) and
    above it the chance of not being one (false negatives, weighing `fn_weight`)."""
    s = np.linspace(0.0, 1.0, 2001)
    below, above = s <= threshold, s >= threshold
    best: tuple[float, int, int] | None = None
    for b in range(1, NUM_PERM + 1):
        for r in range(1, NUM_PERM // b + 1):
            p = 1 - (1 - s**r) ** b
            error = (1 - fn_weight) * np.trapezoid(p[below], s[below]) + fn_weight * (
                np.trapezoid(1 - p[above], s[above])
            )
            if best is None or error < best[0]:
                best = (float(error), b, r)
    return best[1], best[2]


def similar_pairs(con, table: str, threshold: float) -> list[tuple]:
    """The pairs (a, b), a < b, of rows of `table` (id, sig: NUM_PERM hash values) whose
    estimated Jaccard similarity, the share of equal hash values, is at least `threshold`.

    Candidates are the pairs in one LSH bucket: equal on every row of a band. A bucket of more
    than BUCKET_PAIRED rows (thousands of identical signatures) pairs each with its first row
    only, so that the candidates stay linear in the rows; the group is the same."""
    bands, rows = lsh_bands(threshold)
    return con.execute(
        f"""
        WITH keyed AS (
            SELECT id, band, hash(sig[band * {rows} + 1 : (band + 1) * {rows}]) AS key
            FROM {table}, range({bands}) t(band)
        ), sized AS (
            SELECT *, count(*) OVER w AS n, min(id) OVER w AS first FROM keyed
            WINDOW w AS (PARTITION BY band, key)
        ), candidates AS (
            SELECT a.id AS a, b.id AS b FROM sized a JOIN sized b
              ON a.band = b.band AND a.key = b.key AND a.id < b.id
            WHERE a.n BETWEEN 2 AND {BUCKET_PAIRED}
            UNION
            SELECT first, id FROM sized WHERE n > {BUCKET_PAIRED} AND id <> first
        )
        SELECT c.a, c.b FROM candidates c
        JOIN {table} s1 ON s1.id = c.a JOIN {table} s2 ON s2.id = c.b
        WHERE len(list_filter(range(1, {NUM_PERM} + 1), lambda k: s1.sig[k] = s2.sig[k]))
              >= {float(threshold)} * {NUM_PERM}
        ORDER BY c.a, c.b
        """
    ).fetchall()


def groups(ids, pairs) -> list:
    """For each id (in the order given), the least id reachable from it through `pairs`."""
    parent = {i: i for i in ids}

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [root(i) for i in parent]


def find(con, params) -> dict:
    markers = [m.lower() for m in params.markers]
    marker_cols = (
        ", ".join(f"contains(lower(prompt), ?) AS m{i}" for i in range(len(markers)))
        or "NULL AS m_none"
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE prompt_info AS
        SELECT prompt, n, {NORMALISE_SQL} AS norm, {marker_cols}
        FROM (SELECT prompt, count(*) AS n FROM logs WHERE prompt IS NOT NULL GROUP BY prompt)
        """,
        markers,
    )
    norms = con.execute(
        "SELECT norm, sum(n) AS n FROM prompt_info GROUP BY norm ORDER BY n DESC, norm"
    ).fetchall()
    grouped = [norm for norm, _ in norms[: params.max_distinct_prompts]]
    roots = group_near_duplicates(con, grouped, params.template_similarity) if grouped else []
    con.execute("CREATE OR REPLACE TEMP TABLE norm_template (norm VARCHAR, template BIGINT)")
    if grouped:
        con.execute("INSERT INTO norm_template SELECT unnest(?), unnest(?)", [grouped, roots])
    # Normalised prompts beyond the cap are each their own template, numbered after the
    # grouped ones (numbered over the distinct leftovers only, not over every prompt).
    con.execute(
        f"""
        INSERT INTO norm_template
        SELECT norm, {len(grouped)} + row_number() OVER (ORDER BY norm)
        FROM (SELECT DISTINCT norm FROM prompt_info) ANTI JOIN norm_template USING (norm)
        """
    )
    any_marker = " OR ".join(f"m{i}" for i in range(len(markers))) or "false"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE prompt_template AS
        SELECT p.*, t.template, ({any_marker}) AS marked, hash(p.norm) AS norm_key
        FROM prompt_info p JOIN norm_template t USING (norm)
        """
    )
    # Per account and normalised prompt (by a 64-bit hash of its text, smaller to keep than
    # the text): prompt streams compare accounts by these, and the per-template figures add
    # them up without another pass over the log.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE account_norms AS
        SELECT l.account, p.norm_key, p.template, count(*) AS requests,
               count(*) FILTER (WHERE p.marked) AS marker_requests,
               sum(coalesce(l.input_tokens, 0) + coalesce(l.output_tokens, 0)) AS tokens
        FROM logs l JOIN prompt_template p USING (prompt) GROUP BY ALL
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE account_templates AS
        SELECT account, template, sum(requests) AS requests,
               sum(marker_requests) AS marker_requests, sum(tokens) AS tokens
        FROM account_norms GROUP BY ALL
        """
    )
    total = con.execute("SELECT count(*) FROM logs").fetchone()[0] or 1
    rows = con.execute(
        f"""
        WITH per AS (
            SELECT template, sum(n) AS requests, count(*) AS variants,
                   sum(n) FILTER (WHERE marked) AS marker_requests,
                   first(prompt ORDER BY n DESC, length(prompt), prompt) AS example,
                   first(norm ORDER BY n DESC, length(norm), norm) AS normalised
            FROM prompt_template GROUP BY template
        ), who AS (
            SELECT template, list(account ORDER BY account)[1:{ACCOUNTS_LISTED}] AS accounts,
                   count(*) AS account_count, sum(tokens) AS tokens
            FROM account_templates GROUP BY template
        )
        SELECT per.*, who.accounts, who.account_count, who.tokens FROM per JOIN who USING (template)
        WHERE requests >= {int(params.template_min_requests)}
        ORDER BY requests DESC, normalised LIMIT {int(params.template_limit)}
        """
    ).fetchall()
    found = [
        {
            "id": f"T{rank}",
            "count": int(n),
            "share": round(n / total, 6),
            "variants": int(v),
            "reasoning_marker_requests": int(m or 0),
            "example": ex,
            "normalised": norm,
            "accounts": list(accounts),
            "account_count": int(account_count),
            "tokens": int(tokens or 0),
        }
        for rank, (_t, n, v, m, ex, norm, accounts, account_count, tokens) in enumerate(
            rows, start=1
        )
    ]
    ids = {int(t): f"T{rank}" for rank, (t, *_rest) in enumerate(rows, start=1)}
    bands, band_rows = lsh_bands(params.template_similarity)
    return {
        "method": (
            "Each prompt is normalised (text in quotes, names of two or more capitalised "
            "words and numbers replaced by placeholders; case and spacing folded). Distinct "
            f"normalised prompts whose word 3-grams have an estimated Jaccard similarity of "
            f"{params.template_similarity:g} or more (MinHash, {NUM_PERM} permutations, seed "
            f"{SEED}; candidate pairs by LSH with {bands} bands of {band_rows}, each candidate "
            "checked) are joined, and a template is every normalised prompt reachable "
            "through such joins. A template is listed when it carries at least "
            f"{params.template_min_requests} requests; share is of all readable requests."
        ),
        "templates": found,
        "ids": ids,
        "markers": markers_found(con, markers, ids),
    }


def markers_found(con, markers: list[str], ids: dict[int, str]) -> dict:
    if not markers:
        return {"phrases": [], "per_phrase": {}, "per_account": [], "method": "No phrase list."}
    per_phrase = con.execute(
        "SELECT "
        + ", ".join(f"coalesce(sum(n) FILTER (WHERE m{i}), 0)" for i in range(len(markers)))
        + " FROM prompt_template"
    ).fetchone()
    per_account = con.execute(
        """
        SELECT account, sum(marker_requests) AS requests FROM account_templates
        GROUP BY account HAVING requests > 0 ORDER BY requests DESC, account LIMIT 50
        """
    ).fetchall()
    per_template = con.execute(
        "SELECT template, sum(n) FROM prompt_template WHERE marked GROUP BY template "
        "ORDER BY template"
    ).fetchall()
    return {
        "method": (
            "A request carries a reasoning-elicitation marker when its prompt contains one of "
            "the listed phrases (case ignored). Counted per phrase, per account and per "
            "listed template."
        ),
        "phrases": markers,
        "per_phrase": {m: int(c) for m, c in zip(markers, per_phrase, strict=True)},
        "per_account": [{"account": a, "requests": int(n)} for a, n in per_account],
        "per_template": {ids[int(t)]: int(n) for t, n in per_template if int(t) in ids},
    }
