"""Linked accounts: clusters of accounts tied by what they share, each link named (no Django).

A shared value is a link only when few accounts share it (a browser's user agent used by
thousands ties nobody). Two accounts are joined when they share values of at least
`min_link_kinds` different kinds; clusters are the connected groups of such pairs, and each
comes with every shared value inside it, so an expert can say in the witness box why these
accounts belong together.
"""

from __future__ import annotations

import ipaddress


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


def clusters(con, params, burst_accounts: list[str], template_ids: dict[int, str]) -> dict:
    _prefixes(con)
    accounts = con.execute("SELECT count(DISTINCT account) FROM account_hours").fetchone()[0]
    cap = max(params.max_accounts_per_link, int(params.max_link_share * accounts))
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
        )
        SELECT * FROM pairs WHERE (kind, value) IN (
            SELECT (kind, value) FROM pairs GROUP BY kind, value
            HAVING count(*) BETWEEN 2 AND CASE WHEN kind = 'template'
                THEN {int(params.max_accounts_per_link)} ELSE {int(cap)} END
        )
        """
    )
    # Pairs are found through the network, client and organisation values first. Templates
    # are far more numerous (every customer shares a few with hundreds of others), so they
    # only add their kind to a pair already found, never pair accounts on their own (unless
    # one kind is enough to link): the join stays the size of the real candidates.
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
            WHERE a.kind <> 'template' GROUP BY ALL
            {template_only}
        ), with_template AS (
            SELECT DISTINCT c.a1, c.a2 FROM candidates c
            JOIN shared s1 ON s1.account = c.a1 AND s1.kind = 'template'
            JOIN shared s2 ON s2.account = c.a2 AND s2.kind = 'template' AND s2.value = s1.value
        )
        SELECT a1, a2 FROM (
            SELECT c.a1, c.a2, max(c.kinds) + max(CASE WHEN t.a1 IS NULL THEN 0 ELSE 1 END) AS n
            FROM candidates c LEFT JOIN with_template t USING (a1, a2) GROUP BY c.a1, c.a2
        )
        WHERE n >= {int(params.min_link_kinds)}
        ORDER BY a1, a2
        """
    ).fetchall()
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for account in sorted(parent):
        groups.setdefault(root(account), []).append(account)
    bursting = set(burst_accounts)
    cluster_of = {account: root(account) for account in parent}
    con.execute("CREATE OR REPLACE TEMP TABLE clustered (account VARCHAR, cluster VARCHAR)")
    if cluster_of:
        con.execute(
            "INSERT INTO clustered SELECT unnest(?), unnest(?)",
            [list(cluster_of), list(cluster_of.values())],
        )
    shared_in: dict[str, list[dict]] = {}
    for cluster, kind, value, accounts in con.execute(
        """
        SELECT c.cluster, s.kind, s.value, list(s.account ORDER BY s.account)
        FROM shared s JOIN clustered c USING (account)
        GROUP BY c.cluster, s.kind, s.value HAVING count(*) >= 2
        ORDER BY c.cluster, s.kind, s.value
        """
    ).fetchall():
        shown = _shown(kind, value, template_ids)
        shared_in.setdefault(cluster, []).append(
            {"kind": kind, "value": shown, "accounts": list(accounts)}
        )
    found = [
        {
            "accounts": members,
            "bursting_accounts": sorted(bursting.intersection(members)),
            "links": sorted(
                shared_in.get(members[0], []), key=lambda link: (link["kind"], link["value"])
            ),
        }
        for members in sorted(groups.values(), key=lambda m: (-len(m), m))
    ]
    return {
        "method": (
            "Accounts are linked by what they share: an IPv4 /24 or IPv6 /48 network, a user "
            "agent, an organisation, or a prompt template. A shared value counts only when at "
            f"most {cap} accounts share it (the larger of {params.max_accounts_per_link} and "
            f"{params.max_link_share:.1%} of the {accounts} accounts; for a template, "
            f"{params.max_accounts_per_link}): a value shared more widely, such as a common "
            "browser or an everyday task, ties nobody. Two accounts are joined "
            f"when they share values of at least {params.min_link_kinds} different kinds, and "
            "a cluster is every account reachable through such joins. Each cluster lists "
            "every value shared by two or more of its accounts."
        ),
        "clusters": found,
        "max_accounts_per_link": cap,
    }


def _shown(kind: str, value: str, template_ids: dict[int, str]) -> str:
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
