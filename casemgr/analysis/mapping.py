"""Which column of a log exhibit plays which role (no Django).

Detection looks at the header first (names and their usual synonyms) and then at a sample of
values (a column of dotted quads is an IP address whatever it is called; a column of dates,
or failing that of Unix epoch seconds or milliseconds, is the request time). An explicit mapping
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
    "account_created",
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
    # Never bare "created" or "createdat": in most exports that is the request's own time.
    "account_created": (
        "accountcreated",
        "accountcreatedat",
        "accountcreatedtime",
        "accountcreationtime",
        "accountcreationdate",
        "createdataccount",
        "keycreated",
        "keycreatedat",
        "keycreationtime",
        "apikeycreated",
        "apikeycreatedat",
        "createdatkey",
        "signupat",
        "signuptime",
        "signupdate",
        "registeredat",
    ),
}

_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)$", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
_EPOCH = re.compile(f"^(?:{sources.EPOCH_SECONDS}|{sources.EPOCH_MILLISECONDS})$")
# A column of ten-digit numbers may be an id: by its values alone, a column is taken for
# epoch times only when they fall in this century (2001-09-09 to 2100-01-01 in seconds).
_EPOCH_SPAN = (1e9, 4.1e9)


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


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip())
    except ValueError:
        return False
    return True


def _is_epoch(value: str) -> bool:
    return bool(_EPOCH.match(value.strip()))


def _epoch_seconds(value: str) -> float:
    number = float(value)
    return number / 1000 if number >= 1e11 else number


def _mostly(values: list[str], test) -> bool:
    return bool(values) and sum(bool(test(v)) for v in values) >= 0.8 * len(values)


def _looks_like_ip(values: list[str]) -> bool:
    return _mostly(values, _is_ip)


def _looks_like_iso(values: list[str]) -> bool:
    return _mostly(values, lambda v: _ISO.match(v.strip()))


def _looks_like_epoch(values: list[str]) -> bool:
    low, high = _EPOCH_SPAN
    return _mostly(values, lambda v: _is_epoch(v) and low <= _epoch_seconds(v) < high)


def _zone_of(values: list[str], given: str | None) -> tuple[str, str]:
    # An epoch value is a count of seconds from 1970-01-01 UTC: it carries its zone as surely
    # as a value with an offset does.
    with_offset = sum(bool(_OFFSET.search(v.strip())) or _is_epoch(v) for v in values)
    if given:
        note = "as given by the user"
        if with_offset:
            note += "; values that carry their own offset (or are epoch times, UTC) keep it"
        return given, note
    if values and all(_is_epoch(v) for v in values):
        return "UTC", "every sampled value is a Unix epoch time, which is UTC by definition"
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
    override: dict[str, str | None] | None = None,
    timezone: str | None = None,
    sample_rows: int = 20,
    con=None,
) -> Mapping:
    """The roles of the file's columns, with a sample of rows to show beside them. In the
    override, a role given None has no column, whatever detection would have found."""
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
    # Dates written as dates are a surer sign of the request time than numbers that could be
    # epoch times, so a column of them is preferred wherever it stands.
    by_values = (("ip", _looks_like_ip), ("timestamp", _looks_like_iso))
    for role, looks_like in by_values + (("timestamp", _looks_like_epoch),):
        for name in names:
            if role not in roles and name not in roles.values() and looks_like(values[name]):
                roles[role] = name

    for role, name in (override or {}).items():
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        if name is None:
            roles.pop(role, None)
            continue
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
