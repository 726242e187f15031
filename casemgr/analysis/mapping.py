"""Which column of a log exhibit plays which role (no Django).

Detection looks at the header first (names and their usual synonyms) and then at a sample of
values (a column of dotted quads is an IP address whatever it is called). An explicit mapping
from the user always wins over what was detected; the mapping saved with an analysis is the
one the user confirmed.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import sources

ROLES = (
    "timestamp",
    "account",
    "organisation",
    "ip",
    "user_agent",
    "model",
    "endpoint",
    "prompt",
    "prompt_hash",
    "input_tokens",
    "output_tokens",
    "status",
)
REQUIRED = ("timestamp", "account")

# Header names, lower-cased with separators removed, in order of preference.
SYNONYMS = {
    "timestamp": ("timestamp", "ts", "time", "datetime", "createdat", "requesttime", "date"),
    "account": ("account", "accountid", "apikey", "apikeyid", "key", "keyid", "user", "userid"),
    "organisation": ("organisation", "organization", "org", "orgid", "organizationid", "tenant"),
    "ip": ("ip", "ipaddress", "clientip", "sourceip", "remoteaddr", "remoteip"),
    "user_agent": ("useragent", "ua", "agent", "client"),
    "model": ("model", "modelid", "modelname", "engine"),
    "endpoint": ("endpoint", "path", "route", "url", "api"),
    "prompt": ("prompt", "prompttext", "input", "inputtext", "messages", "query"),
    "prompt_hash": ("prompthash", "prompthashsha256", "inputhash"),
    "input_tokens": ("inputtokens", "prompttokens", "tokensin", "ntokensin"),
    "output_tokens": ("outputtokens", "completiontokens", "tokensout", "ntokensout"),
    "status": ("status", "statuscode", "httpstatus", "code"),
}

_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)$", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d")


@dataclass
class Mapping:
    roles: dict[str, str]
    timezone: str = "UTC"
    timezone_note: str = ""
    columns: list[str] = field(default_factory=list)
    sample: list[dict[str, str | None]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _looks_like_ip(values: list[str]) -> bool:
    good = 0
    for value in values:
        try:
            ipaddress.ip_address(value.strip())
        except ValueError:
            continue
        good += 1
    return bool(values) and good >= 0.8 * len(values)


def _looks_like_time(values: list[str]) -> bool:
    return bool(values) and sum(bool(_ISO.match(v.strip())) for v in values) >= 0.8 * len(values)


def _zone_of(values: list[str], given: str | None) -> tuple[str, str]:
    with_offset = sum(bool(_OFFSET.search(v.strip())) for v in values)
    if given:
        note = "as given by the user"
        if with_offset:
            note += "; values that carry their own offset keep it"
        return given, note
    if values and with_offset == len(values):
        return "UTC", "every sampled value carries its own UTC offset"
    if with_offset:
        return "UTC", (
            f"{with_offset} of {len(values)} sampled values carry an offset; those without "
            "one are read as UTC — confirm or correct the zone"
        )
    return "UTC", "the values carry no offset; read as UTC — confirm or correct the zone"


def detect(
    path: Path,
    *,
    kind: str | None = None,
    override: dict[str, str] | None = None,
    timezone: str | None = None,
    sample_rows: int = 20,
    con=None,
) -> Mapping:
    """The roles of the file's columns, with a sample of rows to show beside them."""
    kind = kind or sources.kind_of(path)
    con = con or sources.connect()
    types = sources.columns(con, path, kind)
    names = list(types)
    select = ", ".join(
        f"{sources.text_of(n, t)} AS {sources.quote_ident(n)}" for n, t in types.items()
    )
    rows = con.execute(
        f"SELECT {select} FROM {sources.relation_sql(path, kind)} LIMIT {int(sample_rows)}"
    ).fetchall()
    sample = [dict(zip(names, row, strict=True)) for row in rows]
    values = {n: [r[n] for r in sample if r[n] not in (None, "")] for n in names}

    roles: dict[str, str] = {}
    squashed = {_squash(n): n for n in reversed(names)}
    for role, synonyms in SYNONYMS.items():
        for synonym in synonyms:
            name = squashed.get(synonym)
            if name is not None and name not in roles.values():
                roles[role] = name
                break
    for name in names:
        if name in roles.values():
            continue
        if "ip" not in roles and _looks_like_ip(values[name]):
            roles["ip"] = name
        elif "timestamp" not in roles and _looks_like_time(values[name]):
            roles["timestamp"] = name

    for role, name in (override or {}).items():
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        if name not in types:
            raise ValueError(f"no column {name!r} for {role}; columns are {', '.join(names)}")
        roles = {r: n for r, n in roles.items() if n != name}
        roles[role] = name

    zone, note = _zone_of(values.get(roles.get("timestamp", ""), []), timezone)
    return Mapping(
        roles=roles,
        timezone=zone,
        timezone_note=note,
        columns=names,
        sample=sample,
        missing=[r for r in REQUIRED if r not in roles],
    )
