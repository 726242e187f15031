"""Near-identical prompt streams: accounts that send nearly the same prompts (no Django).

An account's stream is the set of distinct normalised prompts it sent (normalised in SQL by
templates.py, so "Solve 17 + 4" and "Solve 9 + 30" are one prompt), less the everyday ones:
a normalised prompt sent by more accounts than the cap on a shared value (links.py) says no
more about who is behind an account than a browser shared that widely does. An account with
fewer than `prompt_stream_min_prompts` distinctive prompts is left out: two accounts that each
sent the same one rare prompt have identical sets by accident.

DuckDB computes each remaining account's MinHash signature, the least value over its set of
each of NUM_PERM seeded hash functions, in one pass grouped by account; only the signatures
reach Python, where datasketch's LSH finds the pairs likely to be similar and each pair is
kept when its estimated Jaccard similarity (the share of equal signature values) reaches
`prompt_stream_similarity`. A group is every account reachable through kept pairs.
"""

from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash

from .templates import NUM_PERM, SEED, group_sketches

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
    signatures = con.execute(
        f"""
        WITH distinctive AS (
            SELECT norm_key FROM account_norms GROUP BY norm_key HAVING count(*) <= {int(cap)}
        ), streams AS (
            SELECT account, CAST(norm_key % {PRIME} AS BIGINT) AS item
            FROM account_norms SEMI JOIN distinctive USING (norm_key)
        ), long_enough AS (
            SELECT account FROM streams GROUP BY account
            HAVING count(*) >= {int(params.prompt_stream_min_prompts)}
        )
        SELECT account, [{least}]
        FROM streams SEMI JOIN long_enough USING (account) GROUP BY account ORDER BY account
        """
    ).fetchall()
    accounts = [account for account, _ in signatures]
    sketches = [
        LeanMinHash(seed=SEED, hashvalues=values, scheme="affine32") for _, values in signatures
    ]
    roots = group_sketches(sketches, params.prompt_stream_similarity, checked=True)
    con.execute("CREATE OR REPLACE TEMP TABLE prompt_streams (account VARCHAR, value VARCHAR)")
    if accounts:
        # An account alone in its group shares nothing; links keep values shared by two.
        con.execute(
            "INSERT INTO prompt_streams SELECT unnest(?), unnest(?)",
            [accounts, [accounts[r] for r in roots]],
        )
    return len(accounts)
