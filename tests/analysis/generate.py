"""Generated API access logs with a planted distillation ring (seeded, fictional names).

Ordinary customers: a few requests in scattered hours, common user agents, everyday prompts,
accounts created a few days apart over a year (so neighbours may share a creation window,
which alone ties nobody; the two customers of one organisation are months apart). A steady
heavy customer: far above the population every hour, but never above itself. An innocent
team: three accounts of one fictional company sharing an office network and a tool, created
weeks apart — linked, but not bursting. The ring: six accounts created within ten hours of
one another, on one /24 (two also on one IPv6 /48) with one rare client, sending one
reasoning-eliciting template over the same few subjects (near-identical prompt streams) in
bursts; the sixth never bursts and is caught only through its links.

Times are ISO 8601 with milliseconds, or the same instants as Unix epoch seconds (with a
fraction) or milliseconds (`times`).
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

HEADER = [
    "request_time",
    "api_key_id",
    "org_id",
    "client_ip",
    "user_agent",
    "model",
    "endpoint",
    "prompt",
    "prompt_tokens",
    "completion_tokens",
    "status",
    "account_created",
]
START = datetime(2026, 3, 2, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COMMON_AGENTS = ["Mozilla/5.0 (X11; Linux)", "python-requests/2.32", "openai-node/4.2"]
EVERYDAY = [
    "Summarise this meeting note in {n} bullet points",
    "Translate the following paragraph into French please",
    "Write a polite email declining the invitation from {name}",
    "What is the capital of country number {n} on this list",
    "Draft a product description for a blue kettle of {n} litres",
    "Fix the bug in this Python function that adds {n}",
    "Give me {n} ideas for a birthday party for a child",
    "Explain what a mortgage is in simple words",
]
NAMES = ["Ada Quill", "Bram Osei", "Cleo Varga", "Dov Arkwright"]
RING_TEMPLATE = (
    "Think step by step and show your reasoning: what is {a} * {b}? Then explain how "
    "{name} would check the answer of {c} for the {subject}."
)
# The last word changes one word 3-gram of the template (still one template), and makes a
# distinct normalised prompt: the ring's streams are sets of these, nearly the same set each.
RING_SUBJECTS = (
    "river bridge harvest engine ledger garden harbour forest "
    "market tunnel orchard quarry canal mill railway lighthouse"
).split()
RING_AGENT = "distil-client/0.3"


@dataclass
class Truth:
    ring: list[str]
    ring_v4_prefix: str = "203.0.113.0/24"
    ring_v6_prefix: str = "2001:db8:abcd::/48"
    ring_v6_accounts: list[str] = field(default_factory=list)
    ring_agent: str = RING_AGENT
    team: list[str] = field(default_factory=list)
    heavy: str = ""
    customers: list[str] = field(default_factory=list)
    bad_timestamp: int = 0
    no_account: int = 0
    rows: int = 0


def _everyday(rng: random.Random) -> str:
    return rng.choice(EVERYDAY).format(n=rng.randint(2, 99), name=rng.choice(NAMES))


def _ring_prompt(rng: random.Random) -> str:
    return RING_TEMPLATE.format(
        a=rng.randint(10, 999),
        b=rng.randint(10, 999),
        c=rng.randint(1, 9),
        name=rng.choice(NAMES),
        subject=rng.choice(RING_SUBJECTS),
    )


def _written(when: datetime, times: str) -> str:
    if times == "iso":
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    millis = (when - EPOCH) // timedelta(milliseconds=1)
    if times == "milliseconds":
        return str(millis)
    if times == "seconds":
        return f"{millis // 1000}.{millis % 1000:03d}"
    raise ValueError(times)


def rows(seed: int, *, customers: int = 120, days: int = 14, times: str = "iso"):
    """(Truth, list of row dicts) for one seed."""
    rng = random.Random(seed)
    hours = days * 24
    out: list[dict] = []
    truth = Truth(ring=[f"ring-{i}" for i in range(1, 7)])
    created: dict[str, datetime] = {}

    def add(account, org, ip, agent, hour, prompt, model="frontier-1"):
        when = START + timedelta(hours=hour, milliseconds=rng.randint(0, 3_599_999))
        out.append(
            {
                "request_time": _written(when, times),
                "api_key_id": account,
                "org_id": org,
                "client_ip": ip,
                "user_agent": agent,
                "model": model,
                "endpoint": "/v1/chat",
                "prompt": prompt,
                "prompt_tokens": str(len(prompt.split()) * 2),
                "completion_tokens": str(rng.randint(50, 900)),
                "status": "200",
                "account_created": _written(created[account], times),
            }
        )

    def made(account, days_before, within_hours):
        jitter = timedelta(milliseconds=rng.randint(0, within_hours * 3_600_000))
        created[account] = START - timedelta(days=days_before) + jitter

    for c in range(1, customers + 1):
        account = f"cust-{c:04d}"
        truth.customers.append(account)
        made(account, 3 * c, 48)
        org = f"Example Customer {c % 80:02d}"
        ips = [f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"]
        agent = rng.choice(COMMON_AGENTS)
        for hour in rng.sample(range(hours), rng.randint(15, 50)):
            for _ in range(rng.randint(1, 6)):
                add(account, org, rng.choice(ips), agent, hour, _everyday(rng))

    truth.heavy = "cust-heavy"
    made(truth.heavy, 500, 24)
    for hour in range(hours):
        for _ in range(rng.randint(28, 36)):
            add(
                truth.heavy,
                "Example Heavy Ltd",
                "192.0.2.10",
                "heavy-batch/2.0",
                hour,
                _everyday(rng),
            )

    truth.team = ["team-1", "team-2", "team-3"]
    for n, account in enumerate(truth.team):
        made(account, 200 + 30 * n, 24)
        for hour in rng.sample(range(hours), 30):
            for _ in range(rng.randint(1, 5)):
                ip = f"198.51.100.{rng.randint(1, 254)}"
                add(account, "Fictional Bakery Ltd", ip, "bakery-tool/1.0", hour, _everyday(rng))

    truth.ring_v6_accounts = ["ring-5", "ring-6"]
    for i, account in enumerate(truth.ring, start=1):
        made(account, 9, 10)
        org = f"Shell Org {i}"
        v4 = f"203.0.113.{10 + i}"
        v6 = f"2001:db8:abcd:{i:x}::{rng.randint(1, 9999):x}"
        ips = [v4, v6] if account in truth.ring_v6_accounts else [v4]
        quiet = rng.sample(range(hours), 40)
        for hour in quiet:
            for _ in range(rng.randint(1, 3)):
                prompt = _ring_prompt(rng) if rng.random() < 0.5 else _everyday(rng)
                add(account, org, rng.choice(ips), RING_AGENT, hour, prompt)
        if account == "ring-6":
            continue  # never bursts: flagged only through its cluster
        busy = [h for h in range(hours) if h not in quiet]
        for hour in rng.sample(busy, 4):
            for _ in range(rng.randint(80, 120)):
                add(account, org, rng.choice(ips), RING_AGENT, hour, _ring_prompt(rng))

    rng.shuffle(out)
    bad = []
    for n in range(7):
        row = dict(out[n])
        row["request_time"] = f"not a time {n}"
        bad.append(row)
    for n in range(4):
        row = dict(out[10 + n])
        row["api_key_id"] = ""
        bad.append(row)
    truth.bad_timestamp, truth.no_account = 7, 4
    out = out + bad
    truth.rows = len(out)
    return truth, out


def write_csv(path: Path, seed: int, **kwargs) -> Truth:
    truth, out = rows(seed, **kwargs)
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(out)
    return truth


def write_jsonl(path: Path, seed: int, **kwargs) -> Truth:
    truth, out = rows(seed, **kwargs)
    with open(path, "w", encoding="utf-8") as stream:
        for row in out:
            record = dict(row)
            record["prompt_tokens"] = int(record["prompt_tokens"])
            if kwargs.get("times") == "milliseconds" and record["request_time"].isdigit():
                record["request_time"] = int(record["request_time"])  # a JSON number
            stream.write(json.dumps(record) + "\n")
    return truth


WORDS = (
    "the model answer first consider each step then we add carry result check value "
    "because therefore so next multiply divide total sum equals number digit final "
    "proof assume given since hence clearly note case both either simple method"
).split()


def _sentence(rng: random.Random, words: int = 40) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _paraphrase(rng: random.Random, text: str, change: float) -> str:
    words = text.split()
    return " ".join(rng.choice(WORDS) if rng.random() < change else w for w in words)


def write_pairs(path: Path, seed: int, *, copying: bool, pairs: int = 60) -> None:
    """Pairs of outputs: a copying other model stays close to ours, a fair one does not."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as stream:
        for n in range(pairs):
            ours = _sentence(rng)
            theirs = _paraphrase(rng, ours, 0.15) if copying else _sentence(rng)
            record = {
                "prompt": f"Question {n}: think step by step",
                "ours": ours,
                "theirs": theirs,
                "control": _sentence(rng),
            }
            stream.write(json.dumps(record) + "\n")
