"""Near-identical prompt streams: accounts that send nearly the same prompts (no Django).

An account's stream is the set of distinct normalised prompts it sent (normalised in SQL by
templates.py, so "Solve 17 + 4" and "Solve 9 + 30" are one prompt), less the everyday ones:
a normalised prompt sent by more accounts than the cap on a shared value (links.py) says no
more about who is behind an account than a browser shared that widely does. An account with
fewer than `prompt_stream_min_prompts` distinctive prompts is left out: two accounts that each
sent the same one rare prompt have identical sets by accident.

DuckDB computes each remaining account's MinHash signature, the least value over its set of
each of NUM_PERM seeded hash functions, in one pass grouped by account; LSH, in SQL too
(templates.similar_pairs: bands hashed and grouped), finds the pairs likely to be similar and
keeps each pair whose estimated Jaccard similarity (the share of equal signature values)
reaches `prompt_stream_similarity`. Only the kept pairs reach Python, and a group is every
account reachable through them.
"""

from __future__ import annotations

import numpy as np

from .templates import NUM_PERM, SEED, groups, similar_pairs

# The NUM_PERM hash functions (a·x + b) mod PRIME over each prompt's 64-bit hash folded
# below PRIME, as datasketch draws them: a product stays below 2**62, inside DuckDB's BIGINT.
PRIME = (1 << 31) - 1
_draw = np.random.RandomState(SEED)
_PERMUTATIONS = (
    [int(a) for a in _draw.randint(1, PRIME, NUM_PERM, dtype=np.int64)],
    [int(b) for b in _draw.randint(0, PRIME, NUM_PERM, dtype=np.int64)],
)


def shown(threshold: float) -> str:
    """A prompt-stream link in words (its accounts are listed beside it)."""
    return f"near-identical prompt streams (estimated Jaccard ≥ {threshold:g})"


def find(con, params, cap: int) -> int:
    """Fill the table prompt_streams (account, value: the group's first account); the number
    of accounts with enough distinctive prompts to be compared."""
    least = ", ".join(
        f"min(({a} * item + {b}) % {PRIME})" for a, b in zip(*_PERMUTATIONS, strict=True)
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE stream_signatures AS
        WITH distinctive AS (
            SELECT norm_key FROM account_norms GROUP BY norm_key HAVING count(*) <= {int(cap)}
        ), streams AS (
            SELECT account, CAST(norm_key % {PRIME} AS BIGINT) AS item
            FROM account_norms SEMI JOIN distinctive USING (norm_key)
        ), long_enough AS (
            SELECT account FROM streams GROUP BY account
            HAVING count(*) >= {int(params.prompt_stream_min_prompts)}
        )
        SELECT account AS id, [{least}] AS sig
        FROM streams SEMI JOIN long_enough USING (account) GROUP BY account
        """
    )
    compared = con.execute("SELECT count(*) FROM stream_signatures").fetchone()[0]
    pairs = similar_pairs(con, "stream_signatures", params.prompt_stream_similarity)
    accounts = sorted({account for pair in pairs for account in pair})
    con.execute("CREATE OR REPLACE TEMP TABLE prompt_streams (account VARCHAR, value VARCHAR)")
    if accounts:
        # Only accounts paired with another: one alone in its group shares nothing.
        con.execute(
            "INSERT INTO prompt_streams SELECT unnest(?), unnest(?)",
            [accounts, groups(accounts, pairs)],
        )
    return int(compared)
