"""Demo analyses for NWA-0042: a generated six-week API access log and a file of model-output
pairs, analysed, with the log's report saved as an exhibit and its pages pinned to the
allegations about harvested outputs.

The data is generated, seeded, and fictional throughout: company and person names are the
demo's own, IP addresses are in the documentation ranges (203.0.113.0/24, 198.51.100.0/24,
192.0.2.0/24, 2001:db8::/32). The log (about 200,000 requests, 13 October – 23 November 2025)
holds ordinary customers with daily and weekly rhythms, a few small teams that share an office
network (linked, never bursting), and the ring: the 37 accounts of NWA-3's attachment
(nw-0000 … nw-0036), opened 14–23 October, on two /24s and one /48 with one client's user
agent family and one pattern of organisation names, sending templated reasoning-eliciting
prompts in bursts from 3 to 21 November. It is its own exhibit (NWA-6), beside NWA-4: NWA-4 is
the short extract exhibited with the first witness statement, and the full export is a
different document with its own hash.

Loading is idempotent: exhibits are found by reference, analyses by their source file, the
reports through their analysis, and the pins by their exhibit, file, pages and allegation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.contrib.auth import get_user_model

from casemgr.access.models import Clearance
from casemgr.evidence import storage
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.evidence.services import IncomingFile, exhibit_file_ingest
from casemgr.evidence.tasks import render_exhibit_file
from casemgr.matters.models import Matter
from casemgr.pleadings.models import Allegation
from casemgr.timeline import pinpoints
from casemgr.timeline.models import EvidenceLink
from casemgr.timeline.services import evidence_link_save

from . import report, services
from .models import Analysis

SEED = 42
START = datetime(2025, 10, 13, tzinfo=UTC)  # a Monday
DAYS = 42
RING = [f"nw-{n:04d}" for n in range(37)]  # as listed in NWA-3's attachment
RING_BURSTS = (date(2025, 11, 3), date(2025, 11, 21))
CUSTOMERS = 640
CUSTOMER_REQUESTS = 124_000
# Three integration customers batch round the clock: far above the others every hour, never
# above their own steady rate (so never a burst), and at the top of the volume chart.
STEADY = ("Example Freight Ltd", "Example Insurance plc", "Example Retail Group")
STEADY_PER_HOUR = 7
HEADER = [
    "timestamp",
    "account_id",
    "organisation",
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
COMMON_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)",
    "python-requests/2.32.3",
    "northwind-python/1.8.0",
    "northwind-node/2.3.1",
    "curl/8.5.0",
]
EVERYDAY = [
    "Summarise this meeting note about the {topic} in {n} bullet points",
    "Translate the following paragraph about the {topic} into French",
    "Write a polite email to {name} declining the {topic} invitation",
    "Draft a product description for a {topic} of {n} litres",
    "Fix the bug in this Python function that parses the {topic} file",
    "Give me {n} ideas for a {topic} for a small team",
    "Explain what a {topic} is in simple words",
    "Rewrite this {topic} announcement in a friendlier tone",
    "Classify this customer review of the {topic} as positive, neutral or negative",
    "Extract the dates and amounts from this {topic} invoice as JSON",
    "Suggest a title for a blog post about the {topic}",
    "What should I check before signing a {topic} contract",
    "Write SQL that counts orders per {topic} per month",
    "Reply to this support ticket about a delayed {topic}",
    "List the pros and cons of moving our {topic} to the cloud",
    "Explain step by step how to set up a {topic} for beginners",
    "Proofread this paragraph about our {topic} for grammar",
    "Turn these notes on the {topic} into a short agenda",
]
TOPICS = (
    "quarterly budget,garden shed,kettle,marketing plan,warehouse move,school trip,bike "
    "repair,payroll run,holiday rota,office party,recipe book,data migration,sales report,"
    "customer survey,team offsite,tax return,delivery van,loyalty scheme,product launch,"
    "website redesign,charity run,board meeting,supplier audit,training course,photo album"
).split(",")
NAMES = ["Ada Quill", "Bram Osei", "Cleo Varga", "Dov Arkwright", "Esme Tarrant", "Femi Lund"]
# The ring's templates: each elicits the model's reasoning. Each account uses two of them, so
# no template is shared by more accounts than a link may have (see links.py).
RING_TEMPLATES = [
    "Think step by step and show your reasoning: a merchant buys {a} units at {b} yuan each "
    "and sells them at {c} yuan. What is the profit? State each step before the answer.",
    "Solve the following problem. Explain your reasoning at every step, then give the final "
    "answer on its own line: {name} has {a} parcels and ships {b} a day for {c} days.",
    "Let's think step by step. Is {a} divisible by {c}? Show your work and check the result "
    "by multiplying back.",
    "Show your reasoning in full (chain of thought) before answering: a customer asks to "
    "return order {a} after {b} days under a {c}-day policy. What should the agent reply?",
]
RING_AGENTS = ["lantern-harvest/1.4.2 (python 3.11)", "lantern-harvest/1.5.0 (python 3.11)"]
RING_NETWORKS = ["203.0.113.{}", "198.51.100.{}", "2001:db8:4a50:{:x}::17"]


@dataclass(frozen=True)
class RingAccount:
    account: str
    organisation: str
    agent: str
    ips: tuple[str, ...]
    templates: tuple[int, int]
    created: date


def ring_accounts() -> list[RingAccount]:
    """The ring, laid out so that it is one cluster: neighbours share a network and a client,
    or a client and an organisation, and the groups overlap at their edges."""
    accounts = []
    for n, account in enumerate(RING):
        network = 0 if n < 13 else 1 if n < 25 else 2
        octet = 20 + n
        ip = RING_NETWORKS[network].format(octet)
        accounts.append(
            RingAccount(
                account=account,
                organisation=f"Lantern Evaluation {n // 7 + 1:02d}",
                agent=RING_AGENTS[0 if n < 18 else 1],
                ips=(ip,),
                templates=(n % 4, (n + 1) % 4),
                created=date(2025, 10, 14 + n % 10),  # as NWA-3's attachment has them
            )
        )
    return accounts


def _weights_by_hour(rng: np.random.Generator, offset: int) -> np.ndarray:
    """A customer's week in UTC hours: busy in its office hours, quiet at night and at the
    weekend, repeated over the whole period."""
    local = (np.arange(7 * 24) + offset) % (7 * 24)
    hour, weekday = local % 24, local // 24
    week = np.where((hour >= 8) & (hour < 19), 1.0, 0.08)
    week *= np.where(weekday >= 5, 0.25, 1.0)
    week *= rng.uniform(0.7, 1.3, size=week.shape)
    weights = np.tile(week, DAYS // 7)
    return weights / weights.sum()


def _customer_columns(rng: np.random.Generator) -> dict:
    """Ordinary customers: each an account of its own organisation on its own /48 (five small
    teams of four share an organisation and a network), a common client and a time zone;
    their activity has a long tail but no customer ever floods an hour."""
    offsets = rng.choice([-8, -5, 0, 1, 2, 8, 9], size=CUSTOMERS)
    activity = np.minimum(rng.lognormal(0.0, 1.0, size=CUSTOMERS), 9.0)
    counts = rng.multinomial(CUSTOMER_REQUESTS, activity / activity.sum())
    hours = np.concatenate(
        [
            rng.choice(DAYS * 24, size=count, p=_weights_by_hour(rng, int(offset)))
            for count, offset in zip(counts, offsets, strict=True)
        ]
    )
    who = np.repeat(np.arange(CUSTOMERS), counts)
    total = len(who)
    team = [c // 4 if c < 20 else None for c in range(CUSTOMERS)]
    accounts = [f"cu-{c:05d}" for c in range(CUSTOMERS)]
    organisations = [
        f"Fictional Team {t + 1} Ltd" if t is not None else f"Customer {c:04d}"
        for c, t in enumerate(team)
    ]
    networks = [0x1000 + (t if t is not None else 100 + c) for c, t in enumerate(team)]
    created_days = rng.integers(30, 900, size=CUSTOMERS)
    created = [(START.date() - timedelta(days=int(d))).isoformat() for d in created_days]
    topic_base = rng.integers(0, len(TOPICS), size=CUSTOMERS)
    topics = (topic_base[who] + rng.integers(0, 6, size=total)) % len(TOPICS)
    prompts = [
        EVERYDAY[t].format(topic=TOPICS[p], n=n, name=NAMES[m])
        for t, p, n, m in zip(
            rng.integers(0, len(EVERYDAY), size=total).tolist(),
            topics.tolist(),
            rng.integers(2, 21, size=total).tolist(),
            rng.integers(0, len(NAMES), size=total).tolist(),
            strict=True,
        )
    ]
    hosts = rng.integers(1, 255, size=total).tolist()
    # One customer in nine sits behind a shared public proxy: a /24 that ties nobody.
    ips = [
        f"192.0.2.{h}" if c % 9 == 0 else f"2001:db8:{networks[c]:x}::{h % 40 + 1:x}"
        for c, h in zip(who.tolist(), hosts, strict=True)
    ]
    whos = who.tolist()
    return {
        "code": who,
        "seconds": hours * 3600 + rng.integers(0, 3600, size=total),
        "account": [accounts[c] for c in whos],
        "organisation": [organisations[c] for c in whos],
        "ip": ips,
        "agent": [COMMON_AGENTS[c % len(COMMON_AGENTS)] for c in whos],
        "prompt": prompts,
        "completion": rng.integers(40, 701, size=total),
        "status": np.where(rng.random(total) > 0.004, "200", "500"),
        "created": [created[c] for c in whos],
    }


def _steady_columns(rng: np.random.Generator) -> dict:
    per_hour = np.minimum(rng.poisson(STEADY_PER_HOUR, size=(len(STEADY), DAYS * 24)), 20)
    who = np.repeat(np.arange(len(STEADY)), per_hour.sum(axis=1))
    hours = np.concatenate([np.repeat(np.arange(DAYS * 24), row) for row in per_hour])
    total = len(who)
    whos = who.tolist()
    prompts = [
        EVERYDAY[t].format(topic=TOPICS[p], n=n, name=NAMES[0])
        for t, p, n in zip(
            rng.choice([8, 9, 13], size=total).tolist(),  # classify, extract, SQL
            rng.integers(0, len(TOPICS), size=total).tolist(),
            rng.integers(2, 21, size=total).tolist(),
            strict=True,
        )
    ]
    return {
        "code": 10_000 + who,
        "seconds": hours * 3600 + rng.integers(0, 3600, size=total),
        "account": [f"cu-9{w:04d}" for w in whos],
        "organisation": [STEADY[w] for w in whos],
        "ip": [f"2001:db8:{0x2000 + w:x}::10" for w in whos],
        "agent": ["northwind-python/1.8.0"] * total,
        "prompt": prompts,
        "completion": rng.integers(40, 400, size=total),
        "status": np.where(rng.random(total) > 0.002, "200", "500"),
        "created": ["2024-02-01"] * total,
    }


def _ring_columns(rng: np.random.Generator) -> dict:
    """The ring: a quiet trickle from each account's opening (half of it the templates), then
    bursts on the working days of 3–21 November in Beijing's office hours, in turn."""
    ring = ring_accounts()
    burst_days = [
        (day - START.date()).days
        for day in (
            RING_BURSTS[0] + timedelta(days=d)
            for d in range((RING_BURSTS[1] - RING_BURSTS[0]).days + 1)
        )
        if day.weekday() < 5
    ]
    who, seconds, marked = [], [], []
    for n, account in enumerate(ring):
        opened = (account.created - START.date()).days
        per_day = rng.integers(0, 5, size=DAYS - opened)
        days = np.repeat(np.arange(opened, DAYS), per_day)
        quiet = days * 86400 + rng.integers(0, 86400, size=len(days))
        parts = [quiet]
        marks = [rng.random(len(days)) < 0.5]
        for k, day in enumerate(burst_days):
            if (n + k) % 3:
                continue  # each account bursts on every third working day, in turn
            first = 1 + (n * 5 + k) % 7  # 09:00–16:00 in Beijing
            for hour in range(first, first + int(rng.integers(2, 4))):
                size = int(rng.integers(70, 141))
                parts.append((day * 24 + hour) * 3600 + rng.integers(0, 3600, size=size))
                marks.append(np.ones(size, dtype=bool))
        block = np.concatenate(parts)
        who.append(np.full(len(block), n))
        seconds.append(block)
        marked.append(np.concatenate(marks))
    who_all, total = np.concatenate(who), sum(len(b) for b in seconds)
    marked_all = np.concatenate(marked).tolist()
    choice = rng.integers(0, 2, size=total).tolist()
    a, b, c = (
        rng.integers(low, high, size=total).tolist()
        for low, high in ((12, 10000), (2, 401), (3, 61))
    )
    names = rng.integers(0, len(NAMES), size=total).tolist()
    everyday = rng.integers(0, len(EVERYDAY), size=total).tolist()
    topics = rng.integers(0, len(TOPICS), size=total).tolist()
    whos = who_all.tolist()
    prompts = [
        RING_TEMPLATES[ring[w].templates[ch]].format(a=x, b=y, c=z, name=NAMES[m])
        if mk
        else EVERYDAY[e].format(topic=TOPICS[t], n=y % 19 + 2, name=NAMES[m])
        for w, mk, ch, x, y, z, m, e, t in zip(
            whos, marked_all, choice, a, b, c, names, everyday, topics, strict=True
        )
    ]
    return {
        "code": 20_000 + who_all,
        "seconds": np.concatenate(seconds),
        "account": [ring[w].account for w in whos],
        "organisation": [ring[w].organisation for w in whos],
        "ip": [ring[w].ips[0] for w in whos],
        "agent": [ring[w].agent for w in whos],
        "prompt": prompts,
        "completion": rng.integers(600, 1801, size=total),
        "status": np.where(rng.random(total) > 0.02, "200", "429"),
        "created": [ring[w].created.isoformat() for w in whos],
    }


def _quoted(value: str) -> str:
    """A CSV field as the csv module writes it (quoted only when it must be)."""
    if "," in value or '"' in value or "\n" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def access_log_csv(seed: int = SEED) -> bytes:
    """The log as CSV, in time order, with a few rows the export garbled: rows whose time was
    cut off, rows with no account. Written line by line from the columns (the csv module
    takes seconds over 200,000 rows); what needs quoting is the free text."""
    rng = np.random.default_rng(seed)
    blocks = [_customer_columns(rng), _steady_columns(rng), _ring_columns(rng)]
    columns = {
        name: np.concatenate([np.asarray(block[name], dtype=object) for block in blocks])
        for name in blocks[0]
    }
    # By time, then by account (by its number, which follows the names' order).
    seconds = columns["seconds"].astype(np.int64)
    order = np.lexsort((columns["code"].astype(np.int64), seconds))
    moments = np.datetime64(START.replace(tzinfo=None), "s") + seconds[order]
    stamps = [f"{stamp}Z" for stamp in np.datetime_as_string(moments, unit="s").tolist()]
    accounts = columns["account"][order].tolist()
    for n in range(9):
        stamps[n * 20_011] = "2025-11-0"
    for n in range(4):
        accounts[6 + n * 40_009] = ""
    lines = [",".join(HEADER)]
    lines += [
        f"{stamp},{account},{_quoted(organisation)},{ip},{_quoted(agent)},northwind-3,"
        f"/v2/messages,{_quoted(prompt)},{len(prompt) // 4},{completion},{status},{created}"
        for stamp, account, organisation, ip, agent, prompt, completion, status, created in zip(
            stamps,
            accounts,
            *(
                columns[name][order].tolist()
                for name in (
                    "organisation",
                    "ip",
                    "agent",
                    "prompt",
                    "completion",
                    "status",
                    "created",
                )
            ),
            strict=True,
        )
    ]
    return ("\n".join(lines) + "\n").encode()


STEPS = [
    "First, find the cost: {a} units at {b} each is {ab}.",
    "Next, find the revenue: {a} units at {c} each is {ac}.",
    "Then subtract the cost from the revenue: {ac} minus {ab} is {profit}.",
    "So the profit is {profit}.",
    "Check: {ab} plus {profit} gives back {ac}, as expected.",
]
CONTROL_STEPS = [
    "Revenue is {c} × {a} = {ac}; cost is {b} × {a} = {ab}.",
    "The difference, {ac} − {ab}, comes to {profit}.",
    "Answer: {profit} profit on the batch.",
]
SWAPS = {
    "First,": "To start,",
    "Next,": "After that,",
    "Then": "Now",
    "So": "Therefore",
    "find": "work out",
    "gives back": "returns",
    "as expected": "which matches",
}


def output_pairs_jsonl(seed: int = SEED, pairs: int = 240) -> bytes:
    """Prompts from the ring's first template, with our model's answer, the other model's
    (close to ours: the same steps, lightly reworded) and a control model's (its own)."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(pairs):
        a, b = int(rng.integers(12, 10000)), int(rng.integers(2, 401))
        c = b + int(rng.integers(1, 91))
        values = {"a": a, "b": b, "c": c, "ab": a * b, "ac": a * c, "profit": a * (c - b)}
        prompt = RING_TEMPLATES[0].format(a=a, b=b, c=c)
        ours = " ".join(step.format(**values) for step in STEPS)
        theirs = ours
        for old, new in SWAPS.items():
            if rng.random() < 0.5:
                theirs = theirs.replace(old, new)
        control = " ".join(step.format(**values) for step in CONTROL_STEPS)
        record = {"prompt": prompt, "ours": ours, "theirs": theirs, "control": control}
        lines.append(json.dumps(record, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode()


# --- Loading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoExhibit:
    number: int
    title: str
    designation: int
    filename: str
    make: Callable[[], bytes]
    kind: str  # of analysis
    collected_how: str


@dataclass(frozen=True)
class DemoPin:
    exhibit: int  # the number of the demo exhibit whose report is pinned
    shows: tuple[str, ...]  # keys of the report's figures and tables (report.py)
    allegation: str
    note: str


EXHIBITS = (
    DemoExhibit(
        6,
        "API access log, full export, 13 October – 23 November 2025",
        Clearance.AEO,
        "northwind-api-access-log-2025-10-13-to-2025-11-23.csv",
        access_log_csv,
        "logs",
        "Export of the API gateway's request log by Northwind's platform team",
    ),
    DemoExhibit(
        7,
        "Model-output pairs: Northwind and Lantern-7B answers to the harvested templates",
        Clearance.CONFIDENTIAL,
        "output-pairs-northwind-lantern-control.jsonl",
        output_pairs_jsonl,
        "outputs",
        "Prompts replayed by Northwind's evaluation team to both models and a control model",
    ),
)
PLEADING = "IL-2026-000123"
PINS = (
    DemoPin(
        6,
        ("daily-volume", "summary"),
        "16",
        "Report Figure 1 and Table 1: the 37 linked accounts' share of requests and tokens.",
    ),
    DemoPin(
        6,
        ("templates", "markers"),
        "16(a)",
        "Report tables of prompt templates and reasoning-elicitation markers.",
    ),
    DemoPin(
        6,
        ("clusters", "cluster-links"),
        "12",
        "Report tables of linked accounts: one cluster of 37, with what links them.",
    ),
    DemoPin(
        7,
        ("similarity", "test"),
        "18",
        "Report Figure 1 and the test: Lantern-7B's outputs far closer to ours than the control's.",
    ),
)


@dataclass(frozen=True)
class DemoAnalyses:
    exhibits: int  # generated and uploaded by this load
    analyses: int  # done
    reports: tuple[str, ...]  # the reports' exhibit references
    pins: int


def demo_analyses_load(
    *, matter_reference: str = "NWA-0042", user: str = "partner"
) -> DemoAnalyses:
    """Generate and ingest the demo's log and output pairs, analyse them, save each report as
    an exhibit and pin the reports' pages to the allegations they bear on. Runs the analyses
    here, in this process (with a broker configured the worker may not be running yet; the
    queued task then finds the analysis done and leaves it)."""
    matter = Matter.objects.filter(reference=matter_reference).first()
    if matter is None:
        return DemoAnalyses(0, 0, (), 0)
    actor = get_user_model().objects.get(username=user)
    # Both sources first, so that they keep their numbers and the reports follow them.
    sources = [(spec, *_source(matter, actor, spec)) for spec in EXHIBITS]
    reports, done = {}, 0
    for spec, source, _new in sources:
        analysis = _analysed(source, actor, spec.kind)
        if analysis.status != Analysis.Status.DONE:
            continue
        done += 1
        reports[spec.number] = services.analysis_save_report(analysis=analysis, actor=actor)
    _render_pending(matter)
    pins = sum(
        _pin(matter, actor, reports[pin.exhibit], pin) for pin in PINS if pin.exhibit in reports
    )
    return DemoAnalyses(
        sum(new for _s, _f, new in sources),
        done,
        tuple(r.reference for r in reports.values()),
        pins,
    )


def _source(matter, actor, spec: DemoExhibit):
    exhibit = Exhibit.objects.filter(matter=matter, prefix="NWA", number=spec.number).first()
    if exhibit is not None:
        return ExhibitFile.objects.get(exhibit=exhibit, original_name=spec.filename), False
    with IncomingFile.from_bytes(spec.make(), spec.filename) as incoming:
        result = exhibit_file_ingest(
            matter=matter,
            uploaded_by=actor,
            incoming=incoming,
            metadata={
                "prefix": "NWA",
                "number": spec.number,
                "title": spec.title,
                "document_type": "log",
                "designation": spec.designation,
                "document_date": date(2025, 12, 1),
                "collected_how": spec.collected_how,
            },
        )
    if result.status != "stored":
        raise ValueError(f"Demo exhibit NWA-{spec.number} was not stored: {result.reason}")
    return result.file, True


def _analysed(source, actor, kind: str):
    analysis = Analysis.objects.filter(source=source, kind=kind).order_by("pk").first()
    if analysis is None:
        analysis = services.analysis_create(source=source, kind=kind, created_by=actor)
    if analysis.status != Analysis.Status.DONE:
        services.analysis_start(analysis=analysis, actor=actor)
        # Where tasks run as they are queued, the run has already finished, and this finds
        # it so.
        services.analysis_execute(analysis.pk)
        analysis.refresh_from_db()
    return analysis


def _render_pending(matter) -> None:
    """The renditions the pins need (their page counts), made here, in this process."""
    pending = ExhibitFile.objects.filter(matter=matter, rendition=ExhibitFile.Rendition.PENDING)
    for file_id in pending.values_list("pk", flat=True):
        render_exhibit_file(file_id)


def _pin(matter, actor, report_exhibit, pin: DemoPin) -> int:
    file = report_exhibit.files.get()
    with storage.default_storage.open(file.storage_key, "rb") as stream:
        found = report.pages_of(stream.read())
    numbers = sorted({found[key] for key in pin.shows})
    pages = pinpoints.normalise_pages(", ".join(str(n) for n in numbers))
    allegation = Allegation.objects.get(
        claim__proceeding__matter=matter,
        claim__proceeding__case_number=PLEADING,
        paragraph=pin.allegation,
    )
    key = {
        "matter": matter,
        "exhibit": report_exhibit,
        "exhibit_file": file,
        "pages": pages,
        "allegation": allegation,
    }
    if not EvidenceLink.objects.filter(**key).exists():
        link = EvidenceLink(stance=EvidenceLink.Stance.SUPPORTS, note=pin.note, **key)
        evidence_link_save(link=link, actor=actor)
    return 1
