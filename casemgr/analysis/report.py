"""An analysis's report as a PDF: what was read, how, with what, and what came out.

The report is made from the Analysis row alone (its results, mapping, parameters, versions
and source), so the preview and the copy saved as an exhibit hold the same figures. Every
figure and table is numbered here, in the order printed ("Figure 1", "Table 3"), so that an
expert can cite them and the demo can pin the page each starts on.

Safety, as for the timeline's exports: the HTML is a Django template with autoescaping, so
every value from the log (accounts, prompts, user agents: all untrusted) is escaped; the only
markup let through unescaped is the charts' SVG, which matplotlib writes with text drawn as
paths (see charts.py) and which is refused here if it holds a script. WeasyPrint's URL
fetcher refuses every URL.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pypdf
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from casemgr.access.models import AuditEvent
from casemgr.core import layout

from . import charts
from .models import Analysis

# The report is laid out while the member waits (preview, save); a burst table of a few
# thousand rows takes seconds, and a report that takes longer than this is stopped.
LAYOUT_SECONDS = 90
EXAMPLE_CHARS = 300  # of one prompt or line shown in a table
_UNSAFE_IN_FILENAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass(frozen=True)
class Table:
    key: str  # what it shows, for a reader that looks for it ("clusters")
    number: int
    anchor: str
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()  # columns aligned right
    wide: frozenset[int] = frozenset()  # columns given more of the width (long text)
    note: str = ""


@dataclass(frozen=True)
class Figure:
    key: str
    number: int
    anchor: str
    caption: str
    svg: SafeString
    note: str = ""


@dataclass
class Section:
    title: str
    method: str = ""
    items: list[Table | Figure] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


class _Numbering:
    """Figures and tables numbered in the order they are added, each with its anchor."""

    def __init__(self) -> None:
        self.figures = 0
        self.tables = 0

    def table(
        self, key: str, caption: str, headers: list[str], rows: list[list], **kwargs
    ) -> Table:
        self.tables += 1
        cells = [[_cell(value) for value in row] for row in rows]
        n = self.tables
        return Table(key, n, f"table-{n}", caption, headers, cells, **kwargs)

    def figure(self, key: str, caption: str, svg: str, note: str = "") -> Figure:
        self.figures += 1
        n = self.figures
        return Figure(key, n, f"figure-{n}", caption, _safe_svg(svg), note)


@dataclass(frozen=True)
class Report:
    filename: str
    content: bytes
    # The page each figure and table begins on, by its anchor ("figure-1": 3) and by its
    # key ("clusters": 9).
    pages: dict[str, int]
    # Each figure and table in order: its label ("Figure 1"), caption, key and first page.
    contents: list[dict]


# What was analysed, as a title says it ("Analysis of API access log NWA-4").
KIND_PHRASE = {Analysis.Kind.LOGS: "API access log", Analysis.Kind.OUTPUTS: "model-output pairs"}


def title_of(analysis: Analysis) -> str:
    source = analysis.source
    return (
        f"Analysis of {KIND_PHRASE[analysis.kind]} {source.exhibit.reference} "
        f"({source.original_name})"
    )[:300]


def filename_of(analysis: Analysis) -> str:
    # Named by what it reports on, not by the analysis's id, so that the same demo or the same
    # run on another installation gives the same name.
    name = f"{analysis.source.exhibit.reference} {KIND_PHRASE[analysis.kind]} analysis report.pdf"
    return re.sub(r"\s+", " ", _UNSAFE_IN_FILENAMES.sub(" ", name)).strip()[:180]


def report_pdf(*, analysis: Analysis) -> Report:
    """The report of a done analysis. Raises layout.LayoutFailed if it cannot be laid out."""
    if analysis.status != Analysis.Status.DONE:
        raise ValueError("Only a finished analysis has a report.")
    numbering = _Numbering()
    if analysis.kind == Analysis.Kind.LOGS:
        sections = _log_sections(analysis.results, numbering)
    else:
        sections = _output_sections(analysis.results, numbering)
    context = {
        "analysis": analysis,
        "title": title_of(analysis),
        "source": analysis.source,
        "exhibit": analysis.source.exhibit,
        "matter": analysis.matter,
        "run_by": run_by(analysis),
        "started": _instant(analysis.started_at),
        "finished": _instant(analysis.finished_at),
        "created": _instant(analysis.created_at),
        "mapping": _mapping_rows(analysis),
        "parameters": _parameter_rows(analysis),
        "versions": sorted(analysis.versions.items()),
        "sections": sections,
    }
    html = render_to_string("analysis/report/report.html", context)
    css = render_to_string("analysis/report/report.css")
    content = layout.write_pdf(html, css, seconds=LAYOUT_SECONDS)
    pages = pages_of(content)
    contents = []
    for section in sections:
        for item in section.items:
            kind = "Figure" if isinstance(item, Figure) else "Table"
            contents.append(
                {
                    "label": f"{kind} {item.number}",
                    "caption": item.caption,
                    "key": item.key,
                    "page": pages[item.anchor],
                }
            )
    return Report(filename_of(analysis), content, pages, contents)


def pages_of(pdf: bytes) -> dict[str, int]:
    """The page (from 1) on which each figure and table of a report begins, by its anchor
    ("figure-1") and its key ("clusters"), read from the PDF's named destinations (WeasyPrint
    writes one for every element id): a saved report can be pinned by what it shows."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return {
        name: reader.get_destination_page_number(destination) + 1
        for name, destination in reader.named_destinations.items()
    }


def run_by(analysis: Analysis) -> str:
    """Who queued the run the results come from (the audit trail says), else who set it up."""
    queued = (
        AuditEvent.objects.filter(
            object_type="evidence.ExhibitFile",
            object_id=str(analysis.source_id),
            detail__analysis=analysis.pk,
            detail__run="queued",
        )
        .select_related("actor")
        .order_by("-pk")
        .first()
    )
    person = queued.actor if queued and queued.actor else analysis.created_by
    label = queued.actor_label if queued and not queued.actor else person.get_username()
    full = person.get_full_name() if person else ""
    return f"{full} ({label})" if full else label


_SVG_SIZE = re.compile(r'^<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"')
_EXTERNAL = re.compile(r"<script|<foreignobject|\bhref=\"(?!#)|\bon\w+=", re.IGNORECASE)
CHART_WIDTH_MM = 180  # the text width of an A4 page between report.css's margins


def _safe_svg(svg: str) -> SafeString:
    # matplotlib escapes text it writes into comments and draws the text itself as paths; a
    # chart that somehow carries a script, a handler or a link out is left out, not trusted.
    if _EXTERNAL.search(svg):
        return mark_safe("<p>(This chart could not be drawn safely and is left out.)</p>")  # noqa: S308

    # Scaled to the page's width, keeping its proportions (WeasyPrint sizes an inline SVG
    # by its width and height attributes).
    def scaled(match: re.Match) -> str:
        width, height = float(match.group(2)), float(match.group(3))
        mm = CHART_WIDTH_MM * height / width
        return f'<svg{match.group(1)} width="{CHART_WIDTH_MM}mm" height="{mm:.1f}mm"'

    return mark_safe(_SVG_SIZE.sub(scaled, svg.lstrip(), count=1))  # noqa: S308 - checked above


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value and abs(value) < 1e-3:
            return f"{value:.6g}"
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _share(value: float) -> str:
    return f"{value * 100:.2f} % ({value:.6f})"


def _instant(value: str | datetime | None, *, zone: bool = True) -> str:
    """An instant in UTC, to the minute: the engine counts in UTC hours and days. Without
    the zone where a table's heading names it."""
    if not value:
        return "–"
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    except ValueError:
        return str(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M" + (" UTC" if zone else ""))


def _cut(text: str | None, limit: int = EXAMPLE_CHARS) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _p(value) -> str:
    if value is None:
        return "–"
    return f"{value:.3g}" if value >= 1e-4 else f"{value:.3e}"


def _mapping_rows(analysis: Analysis) -> list[tuple[str, str]]:
    roles = analysis.mapping.get("roles") or {}
    rows = [(role.replace("_", " "), column) for role, column in sorted(roles.items())]
    if analysis.mapping.get("timezone"):
        rows.append(("time zone of values without an offset", analysis.mapping["timezone"]))
    return rows


def _parameter_rows(analysis: Analysis) -> list[tuple[str, str]]:
    parameters = dict(analysis.parameters)
    if analysis.kind == Analysis.Kind.OUTPUTS:
        parameters.setdefault("measure", analysis.results.get("measure", ""))
    return [(name.replace("_", " "), _cell(value)) for name, value in sorted(parameters.items())]


def _log_sections(results: dict, n: _Numbering) -> list[Section]:
    totals = results["totals"]
    flagged = set(results["flagged_accounts"])
    summary = Section("Summary", totals["method"])
    summary.items.append(
        n.table(
            "summary",
            "Summary of the log",
            ["Figure", "Value"],
            [
                ["Rows read", totals["rows"]],
                ["Rows that could not be read", totals["bad_rows"]],
                ["Readable requests", totals["requests"]],
                ["Tokens (input and output)", totals["tokens"]],
                ["Distinct accounts", totals["accounts"]],
                ["Distinct prompts", totals["distinct_prompts"]],
                ["Flagged accounts", totals["flagged_accounts"]],
                ["Requests from flagged accounts", _share(totals["flagged_request_share"])],
                ["Tokens from flagged accounts", _share(totals["flagged_token_share"])],
            ],
            numeric=frozenset({1}),
        )
    )
    flagged_section = Section(
        "Flagged accounts",
        "An account is flagged when it has at least one burst window, or is in a cluster of "
        "linked accounts with one that has (see the sections below for each).",
    )
    flagged_section.items.append(
        n.table(
            "flagged",
            "Flagged accounts and why",
            ["Account", "Reasons"],
            [[a, ", ".join(r)] for a, r in sorted(results["flag_reasons"].items())],
        )
    )
    volumes = results["volumes"]
    volume = Section("Volumes", volumes["method"])
    volume.items.append(
        n.figure(
            "daily-volume",
            "Requests per day (UTC); the flagged accounts' part among the top accounts is hatched",
            charts.daily_volume(results),
        )
    )
    volume.items.append(
        n.figure(
            "top-accounts-chart",
            f"The {len(volumes['top_accounts'])} accounts with most requests; flagged "
            "accounts hatched",
            charts.top_accounts(results),
        )
    )
    volume.items.append(
        n.table(
            "top-accounts",
            "Top accounts by requests",
            ["Account", "Flagged", "Requests", "Input tokens", "Output tokens", "Active hours"]
            + ["Active days", "First hour (UTC)", "Last hour (UTC)"],
            [
                [
                    a["account"],
                    a["account"] in flagged,
                    a["requests"],
                    a["input_tokens"],
                    a["output_tokens"],
                    a["active_hours"],
                    a["active_days"],
                    _instant(a["first_hour"], zone=False),
                    _instant(a["last_hour"], zone=False),
                ]
                for a in volumes["top_accounts"]
            ],
            numeric=frozenset({2, 3, 4, 5, 6}),
        )
    )
    bursts = results["bursts"]
    burst = Section("Bursts", bursts["method"])
    if bursts["windows"]:
        # The same in every window: the population's hours, not the account's.
        first = bursts["windows"][0]
        burst.text.append(
            f"Population baseline: median {_cell(first['population_median'])} and MAD "
            f"{_cell(first['population_mad'])} requests per account-hour."
        )
    burst.items.append(
        n.table(
            "bursts",
            "Burst windows",
            ["Account", "Start (UTC)", "End (UTC)", "Hours", "Requests", "Peak hour"]
            + ["Own median", "Own MAD"],
            [
                [
                    w["account"],
                    _instant(w["start"], zone=False),
                    _instant(w["end"], zone=False),
                    w["hours"],
                    w["requests"],
                    w["peak_hour_requests"],
                    w["account_median"],
                    w["account_mad"],
                ]
                for w in bursts["windows"]
            ],
            numeric=frozenset(range(3, 8)),
            note="" if bursts["windows"] else "No hour met the burst test.",
        )
    )
    clusters = Section("Linked accounts", results["clusters_method"])
    clusters.items.append(
        n.table(
            "clusters",
            "Clusters of linked accounts",
            ["Cluster", "Accounts", "Of which bursting", "Members"],
            [
                [f"Cluster {i}", len(c["accounts"]), len(c["bursting_accounts"]), c["accounts"]]
                for i, c in enumerate(results["clusters"], start=1)
            ],
            numeric=frozenset({1, 2}),
            wide=frozenset({3}),
            note="" if results["clusters"] else "No accounts were linked.",
        )
    )
    clusters.items.append(
        n.table(
            "cluster-links",
            "What links the accounts of each cluster",
            ["Cluster", "Kind", "Shared value", "Accounts sharing it"],
            [
                [
                    f"Cluster {i}",
                    link["kind"].replace("_", " "),
                    _cut(link["value"]),
                    link["accounts"],
                ]
                for i, c in enumerate(results["clusters"], start=1)
                for link in c["links"]
            ],
            wide=frozenset({2, 3}),
        )
    )
    templates = Section("Prompt templates", results["templates_method"])
    templates.items.append(
        n.table(
            "templates",
            "Prompt templates",
            ["Template", "Requests", "Share", "Variants", "With a marker", "Accounts"]
            + ["Example prompt"],
            [
                [
                    t["id"],
                    t["count"],
                    _share(t["share"]),
                    t["variants"],
                    t["reasoning_marker_requests"],
                    t["account_count"],
                    _cut(t["example"]),
                ]
                for t in results["templates"]
            ],
            numeric=frozenset({1, 3, 4, 5}),
            wide=frozenset({6}),
        )
    )
    markers = results["reasoning_markers"]
    templates.text.append(markers["method"])
    templates.items.append(
        n.table(
            "markers",
            "Reasoning-elicitation markers: requests per phrase",
            ["Phrase", "Requests"],
            [[phrase, markers["per_phrase"].get(phrase, 0)] for phrase in markers["phrases"]],
            numeric=frozenset({1}),
        )
    )
    templates.items.append(
        n.table(
            "marked-accounts",
            "Reasoning-elicitation markers: accounts with most marked requests",
            ["Account", "Flagged", "Marked requests"],
            [
                [a["account"], a["account"] in flagged, a["requests"]]
                for a in markers["per_account"]
            ],
            numeric=frozenset({2}),
        )
    )
    bad = Section(
        "Rows that could not be read",
        "Every row is counted: a row whose time cannot be read or that names no account is "
        "kept out of the figures above and counted here by reason, with examples as the log "
        "gives them.",
    )
    bad.items.append(
        n.table(
            "unreadable",
            "Unreadable rows by reason",
            ["Reason", "Rows"],
            [[reason, count] for reason, count in sorted(results["bad_reasons"].items())],
            numeric=frozenset({1}),
            note="" if results["bad_reasons"] else "Every row could be read.",
        )
    )
    if results["bad_examples"]:
        bad.items.append(
            n.table(
                "unreadable-examples",
                "Examples of unreadable rows",
                ["Reason", "Line or time", "Account", "IP address", "Text"],
                [
                    [
                        e["reason"],
                        e.get("line", e.get("timestamp")),
                        e.get("account"),
                        e.get("ip"),
                        _cut(e.get("prompt") or e.get("text")),
                    ]
                    for e in results["bad_examples"]
                ],
                wide=frozenset({4}),
            )
        )
    return [summary, flagged_section, volume, burst, clusters, templates, bad]


def _output_sections(results: dict, n: _Numbering) -> list[Section]:
    measure = results["measure"]
    summary = Section("Similarity", results["method"])
    summary.text.append(
        f"{results['pairs']:,} pairs read; {results['bad_pairs']:,} lines could not be read as a "
        "pair."
    )
    summary.items.append(
        n.table(
            "medians",
            "Median similarity to our model's output",
            ["Measure", "Other model", "Control model"],
            [
                [name.replace("_", " "), medians["theirs"], medians["control"]]
                for name, medians in results["medians"].items()
            ],
            numeric=frozenset({1, 2}),
        )
    )
    summary.items.append(
        n.figure(
            "similarity",
            f"Pairs by similarity to our output ({measure.replace('_', ' ')}): the other model "
            "(hatched) beside the control model",
            charts.similarity(results),
        )
    )
    test = Section("Test", results.get("test", ""))
    rows = [
        ["Mann–Whitney U statistic", results.get("u_statistic")],
        ["p-value (one-sided)", _p(results.get("p_value"))],
        ["Probability of superiority", results.get("probability_of_superiority")],
        ["Rank-biserial correlation", results.get("rank_biserial")],
    ]
    signed = results.get("wilcoxon_signed_rank")
    if signed:
        rows += [
            ["Wilcoxon signed-rank statistic", signed["statistic"]],
            ["Wilcoxon p-value (one-sided)", _p(signed["p_value"])],
            ["Pairs with a control output", signed["pairs"]],
        ]
    test.items.append(
        n.table(
            "test", "Test result and effect size", ["Figure", "Value"], rows, numeric=frozenset({1})
        )
    )
    test.text.append("Limits. " + results["limits"])
    top = sorted(results["per_pair"], key=lambda r: (-r["theirs"][measure], r["pair"]))[:20]
    pairs = Section("Closest pairs")
    pairs.items.append(
        n.table(
            "closest-pairs",
            f"The {len(top)} pairs in which the other model's output is closest to ours",
            ["Pair (line)", "Other: n-gram Jaccard", "Other: edit similarity"]
            + ["Other: longest shared span", "Control: n-gram Jaccard"],
            [
                [
                    r["pair"],
                    r["theirs"]["ngram_jaccard"],
                    r["theirs"]["edit_similarity"],
                    r["theirs"]["longest_shared_span"],
                    r["control"]["ngram_jaccard"] if "control" in r else None,
                ]
                for r in top
            ],
            numeric=frozenset({0, 1, 2, 3, 4}),
        )
    )
    sections = [summary, test, pairs]
    if results["bad_examples"]:
        bad = Section("Lines that could not be read")
        bad.items.append(
            n.table(
                "unreadable-examples",
                "Examples of unreadable lines",
                ["Line", "Reason"],
                [[e["pair"], e["reason"]] for e in results["bad_examples"]],
            )
        )
        sections.append(bad)
    return sections
