"""Linked accounts: clusters of accounts tied by what they share, each link named (no Django).

The kinds of shared value: an IP prefix, a user agent, an organisation, a prompt template, a
creation window and a near-identical prompt stream (streams.py). A shared value is a link
only when few accounts share it (a browser's user agent used by thousands ties nobody). Two
accounts are joined when they share values of at least `min_link_kinds` different kinds;
clusters are the connected groups of such pairs, and each comes with every shared value
inside it, so an expert can say in the witness box why these accounts belong together.

A creation window and a prompt template corroborate: each adds its kind to two accounts that
already share a network, a client, an organisation or a prompt stream, but never joins two
accounts by itself (a template does when one kind is enough). Every day some unrelated
customers open accounts and many use the same everyday task, so pairing everyone created in
one window, or sending one template, would weigh hundreds of thousands of chance pairs in a
large log and tie ordinary customers by coincidence: the pairs are found through the other
kinds, and windows and templates are joined onto them in SQL.

Creation is a link only when the log says when each account (or API key) was created, in a
column mapped to `account_created`. Without one, creation is not guessed from the first
request seen: a log covers a stretch of time, so the first request in it says when the log
began to watch an account, not when the account was made, and an expert could not stand
behind "created close together" on that footing.
"""

from __future__ import annotations

import ipaddress

from . import streams
from .templates import NUM_PERM, SEED, groups, lsh_bands

# Kinds that add to what two accounts share but never pair them by themselves.
CORROBORATING = ("template", "created")


def ip_prefix(value: str) -> str | None:
    """The /24 of an IPv4 address or the /48 of an IPv6 address, as network text."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    bits = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))


def _prefixes(con) -> None:
    # IPv4 /24 is plain text work for SQL; IPv6 (with its "::" shorthand) is expanded by
    # Python's ipaddress, over the distinct addresses only.
    con.execute(
        r"""
        CREATE OR REPLACE TEMP TABLE ip_prefixes AS
        SELECT ip, regexp_extract(ip, '^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$', 1) || '.0/24'
               AS prefix
        FROM (SELECT DISTINCT ip FROM logs WHERE ip IS NOT NULL)
        """
    )
    other = [
        row[0]
        for row in con.execute(
            "SELECT ip FROM ip_prefixes WHERE prefix = '.0/24' ORDER BY ip"
        ).fetchall()
    ]
    con.execute("DELETE FROM ip_prefixes WHERE prefix = '.0/24'")
    pairs = [(ip, ip_prefix(ip)) for ip in other]
    pairs = [(ip, p) for ip, p in pairs if p]
    if pairs:
        con.execute(
            "INSERT INTO ip_prefixes SELECT unnest(?), unnest(?)",
            [[ip for ip, _ in pairs], [p for _, p in pairs]],
        )


def _created_windows(con, hours: float) -> tuple[int, int]:
    """Fill created_windows (account, value): the two creation windows of each account whose
    creation time the log gives; (accounts with one, rows whose creation time is unreadable).

    Windows of `hours` start every half window, so every creation time falls in two of them:
    two accounts created less than half a window apart always share one, and two that share
    one were created less than a whole window apart. Sorting or pairing every account with
    every other is never needed, and no chain of accounts a few hours apart each grows into
    one window, as it would if neighbours were joined one after the other."""
    half = float(hours) * 1800
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE created_windows AS
        SELECT account, 'created ' || strftime(to_timestamp(start), '%Y-%m-%d %H:%M') || ' to '
               || strftime(to_timestamp(start + {2 * half}), '%Y-%m-%d %H:%M') || ' UTC' AS value
        FROM (
            SELECT account, (floor(epoch(made) / {half}) - j) * {half} AS start
            FROM (SELECT account, min(created) AS made FROM logs WHERE created IS NOT NULL
                  GROUP BY account), range(2) r(j)
        )
        """
    )
    accounts = con.execute("SELECT count(DISTINCT account) FROM created_windows").fetchone()[0]
    unreadable = con.execute("SELECT count(created_raw) FROM logs").fetchone()[0]
    return int(accounts), int(unreadable)


def clusters(con, params, burst_accounts: list[str], template_ids: dict[int, str]) -> dict:
    _prefixes(con)
    with_created, created_unreadable = _created_windows(con, params.created_window_hours)
    accounts = con.execute("SELECT count(DISTINCT account) FROM account_hours").fetchone()[0]
    cap = max(params.max_accounts_per_link, int(params.max_link_share * accounts))
    compared = streams.find(con, params, cap)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE shared AS
        WITH pairs AS (
            SELECT DISTINCT l.account, 'ip_prefix' AS kind, p.prefix AS value
            FROM (SELECT DISTINCT account, ip FROM logs WHERE ip IS NOT NULL) l
            JOIN ip_prefixes p USING (ip)
            UNION ALL
            SELECT DISTINCT account, 'user_agent', user_agent FROM logs
            WHERE user_agent IS NOT NULL
            UNION ALL
            SELECT DISTINCT account, 'organisation', organisation FROM logs
            WHERE organisation IS NOT NULL
            UNION ALL
            SELECT DISTINCT account, 'template', template::VARCHAR
            FROM account_templates
            UNION ALL
            SELECT account, 'created', value FROM created_windows
            UNION ALL
            SELECT account, 'prompts', value FROM prompt_streams
        )
        SELECT * FROM pairs WHERE (kind, value) IN (
            SELECT (kind, value) FROM pairs GROUP BY kind, value
            HAVING count(*) BETWEEN 2 AND CASE WHEN kind = 'template'
                THEN {int(params.max_accounts_per_link)} ELSE {int(cap)} END
        )
        """
    )
    # Pairs are found through the network, client, organisation and prompt-stream values.
    # Templates and creation windows are far more numerous (every customer shares a few
    # templates with hundreds of others, and a window with a few dozen), so they only add
    # their kind to a pair already found, never pair accounts on their own (a template does
    # when one kind is enough to link): the join stays the size of the real candidates.
    template_only = (
        """
        UNION ALL
        SELECT a.account, b.account, 0 FROM shared a JOIN shared b
          ON a.kind = 'template' AND b.kind = 'template' AND a.value = b.value
         AND a.account < b.account
        """
        if params.min_link_kinds <= 1
        else ""
    )
    edges = con.execute(
        f"""
        WITH candidates AS (
            SELECT a.account AS a1, b.account AS a2, count(DISTINCT a.kind) AS kinds
            FROM shared a JOIN shared b
              ON a.kind = b.kind AND a.value = b.value AND a.account < b.account
            WHERE a.kind NOT IN {CORROBORATING} GROUP BY ALL
            {template_only}
        ), corroborated AS (
            SELECT c.a1, c.a2, count(DISTINCT s1.kind) AS kinds
            FROM (SELECT DISTINCT a1, a2 FROM candidates) c
            JOIN shared s1 ON s1.account = c.a1 AND s1.kind IN {CORROBORATING}
            JOIN shared s2 ON s2.account = c.a2 AND s2.kind = s1.kind AND s2.value = s1.value
            GROUP BY ALL
        )
        SELECT a1, a2 FROM (
            SELECT c.a1, c.a2, max(c.kinds) + coalesce(max(t.kinds), 0) AS n
            FROM candidates c LEFT JOIN corroborated t USING (a1, a2) GROUP BY c.a1, c.a2
        )
        WHERE n >= {int(params.min_link_kinds)}
        ORDER BY a1, a2
        """
    ).fetchall()
    linked = sorted({account for edge in edges for account in edge})
    # Each linked account's cluster, named by its least account (the same joining as
    # templates', so a cluster's name does not depend on the order of the pairs).
    cluster_of = dict(zip(linked, groups(linked, edges), strict=True))
    clusters_by_root: dict[str, list[str]] = {}
    for account, cluster in cluster_of.items():
        clusters_by_root.setdefault(cluster, []).append(account)
    bursting = set(burst_accounts)
    con.execute("CREATE OR REPLACE TEMP TABLE clustered (account VARCHAR, cluster VARCHAR)")
    if cluster_of:
        con.execute(
            "INSERT INTO clustered SELECT unnest(?), unnest(?)",
            [list(cluster_of), list(cluster_of.values())],
        )
    shared_in: dict[str, list[dict]] = {}
    for cluster, kind, value, sharing in con.execute(
        """
        SELECT c.cluster, s.kind, s.value, list(s.account ORDER BY s.account)
        FROM shared s JOIN clustered c USING (account)
        GROUP BY c.cluster, s.kind, s.value HAVING count(*) >= 2
        ORDER BY c.cluster, s.kind, s.value
        """
    ).fetchall():
        shown = _shown(kind, value, template_ids, params)
        shared_in.setdefault(cluster, []).append(
            {"kind": kind, "value": shown, "accounts": list(sharing)}
        )
    found = [
        {
            "accounts": members,
            "bursting_accounts": sorted(bursting.intersection(members)),
            "links": sorted(
                shared_in.get(members[0], []), key=lambda link: (link["kind"], link["value"])
            ),
        }
        for members in sorted(clusters_by_root.values(), key=lambda m: (-len(m), m))
    ]
    return {
        "method": " ".join(
            (
                "Accounts are linked by what they share: an IPv4 /24 or IPv6 /48 network, a "
                "user agent, an organisation, a prompt template, a creation window, or a "
                "near-identical prompt stream. A shared value counts only when at most "
                f"{cap} accounts share it (the larger of {params.max_accounts_per_link} and "
                f"{params.max_link_share:.1%} of the {accounts} accounts; for a template, "
                f"{params.max_accounts_per_link}): a value shared more widely, such as a "
                "common browser or an everyday task, ties nobody.",
                _created_method(params.created_window_hours, with_created, created_unreadable),
                _streams_method(params, compared, cap),
                "Two accounts are joined when they share values of at least "
                f"{params.min_link_kinds} different kinds, and a cluster is every account "
                "reachable through such joins. "
                + _corroborating_method(params.min_link_kinds)
                + " Each cluster lists every value shared by two or more of its accounts.",
            )
        ),
        "clusters": found,
        "max_accounts_per_link": cap,
        "created_accounts": with_created,
        "created_unreadable_rows": created_unreadable,
        "prompt_stream_accounts": compared,
    }


def _corroborating_method(min_kinds: int) -> str:
    if min_kinds <= 1:
        return (
            "A creation window never joins two accounts by itself: it adds a kind to two "
            "accounts that already share a network, a user agent, an organisation, a prompt "
            "template or a near-identical prompt stream, since in any large log some unrelated "
            "customers open their accounts on the same day."
        )
    return (
        "A creation window or a prompt template never joins two accounts by itself: each "
        "adds a kind to two accounts that already share a network, a user agent, an "
        "organisation or a near-identical prompt stream, since in any large log some "
        "unrelated customers open their accounts on the same day, and many send the same "
        "everyday task."
    )


def _created_method(hours: float, accounts: int, unreadable: int) -> str:
    if not accounts:
        # First seen in a log is when the log begins to watch, not when an account was made.
        return (
            "The log gives no account creation times, so creation is not a link; the first "
            "request an account makes in the log is not taken for its creation."
        )
    half = hours / 2
    text = (
        f"Creation windows: {hours:g} hours long, starting every {half:g} hours (UTC); each "
        f"of the {accounts} accounts whose creation time the log gives falls in two, so "
        f"accounts created less than {half:g} hours apart always share one and accounts "
        f"sharing one were created less than {hours:g} hours apart. Where an account's rows "
        "give different creation times, the earliest is used."
    )
    if unreadable:
        text += f" {unreadable} rows have a creation time that could not be read."
    return text


def _streams_method(params, compared: int, cap: int) -> str:
    bands, rows = lsh_bands(params.prompt_stream_similarity)
    return (
        "Prompt streams: each account's set of distinct normalised prompts (as for templates), "
        f"leaving out those sent by more than {cap} accounts; the "
        f"{compared} accounts with at least {params.prompt_stream_min_prompts} such prompts "
        "are compared by the Jaccard similarity of their sets (shared prompts ÷ prompts of "
        f"either), estimated with MinHash ({NUM_PERM} permutations, seed {SEED}); candidate "
        f"pairs by LSH ({bands} bands of {rows}), each candidate checked. Accounts whose "
        "estimated similarity is "
        f"{params.prompt_stream_similarity:g} or more, directly or through others, share one "
        "near-identical prompt stream."
    )


def _shown(kind: str, value: str, template_ids: dict[int, str], params) -> str:
    if kind == "prompts":
        # The stored value is the group's first account, which the link's accounts show.
        return streams.shown(params.prompt_stream_similarity)
    if kind != "template":
        return value
    # Templates below the listing threshold have no public id; name them as unlisted.
    return template_ids.get(int(value), f"unlisted template {int(value)}")


def flagged(burst: dict, linked: dict) -> dict[str, list[str]]:
    """Accounts with burst windows, and every account clustered with one; with the reasons."""
    reasons: dict[str, list[str]] = {a: ["burst"] for a in burst["accounts"]}
    for number, cluster in enumerate(linked["clusters"], start=1):
        if cluster["bursting_accounts"]:
            for account in cluster["accounts"]:
                reasons.setdefault(account, []).append(f"cluster {number}")
    return reasons
