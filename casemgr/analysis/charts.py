"""Charts of an analysis's results as SVG text, drawn on the server with matplotlib (no Django).

The same results give the same bytes (fixed id salt, no date), so a chart in the report can be
compared with the one on the page. The SVG carries no <style> element and no script: it is
inlined in pages under a strict Content-Security-Policy and printed by WeasyPrint, and text
is drawn as paths so it reads the same without the fonts. Colours are few and dark enough to
survive a black-and-white printer; flagged accounts are told apart by hatching as well.
"""

from __future__ import annotations

import io
import re
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402

INK = "#1f2937"
PLAIN = "#9ca3af"
FLAGGED = "#b91c1c"
CONTROL = "#2563eb"
_STYLE = re.compile(r"<style[^>]*>.*?</style>\s*", re.DOTALL)
_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')


def _presentation(match: re.Match) -> str:
    """`style="fill: #b91c1c; stroke-width: 0.8"` as `fill="#b91c1c" stroke-width="0.8"`.
    A style attribute is inline style, which `style-src 'self'` refuses (the chart would
    lose its colours and line widths on the page); the same properties as SVG presentation
    attributes are not styles, and matplotlib uses only properties that have one."""
    declarations = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    return " ".join(f'{name.strip()}="{value.strip()}"' for name, value in declarations)


def _svg(figure) -> str:
    out = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "casemgr", "svg.fonttype": "path"}):
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    # The XML prologue and DOCTYPE would be text inside an inlined <svg>; the <style>
    # element only sets line joins, and a strict CSP refuses it, as it refuses style
    # attributes.
    svg = _STYLE.sub("", _PROLOGUE.sub("", out.getvalue()))
    return _STYLE_ATTRIBUTE.sub(_presentation, svg)


def _figure(height: float = 3.0):
    figure, axes = plt.subplots(figsize=(8.0, height), dpi=72)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(colors=INK, labelsize=8)
    return figure, axes


def daily_volume(results: dict) -> str:
    """Requests per day over the whole period, with the flagged accounts' part in red."""
    days = results["volumes"]["per_day"]
    flagged = set(results.get("flagged_accounts", []))
    by_day = {d["day"]: 0 for d in days}
    for account in results["volumes"]["top_accounts"]:
        if account["account"] in flagged:
            for point in account["per_day"]:
                by_day[point["day"]] = by_day.get(point["day"], 0) + point["requests"]
    x = [date.fromisoformat(d["day"]) for d in days]
    figure, axes = _figure()
    axes.bar(x, [d["requests"] for d in days], width=0.9, color=PLAIN, label="All accounts")
    if flagged:
        axes.bar(
            x,
            [by_day.get(d["day"], 0) for d in days],
            width=0.9,
            color=FLAGGED,
            hatch="///",
            label="Flagged accounts among the top accounts",
        )
    axes.set_ylabel("Requests per day (UTC)", color=INK, fontsize=8)
    # Above the bars, never over them: the busiest days reach the top of the axes.
    axes.legend(frameon=False, fontsize=8, loc="lower left", bbox_to_anchor=(0, 1), ncols=2)
    figure.autofmt_xdate()
    figure.tight_layout()
    return _svg(figure)


def top_accounts(results: dict) -> str:
    """The top accounts by requests, flagged ones in red and hatched."""
    rows = list(reversed(results["volumes"]["top_accounts"]))
    flagged = set(results.get("flagged_accounts", []))
    figure, axes = _figure(height=max(2.0, 0.22 * len(rows) + 0.8))
    bars = axes.barh(
        [r["account"] for r in rows],
        [r["requests"] for r in rows],
        color=[FLAGGED if r["account"] in flagged else PLAIN for r in rows],
    )
    for bar, row in zip(bars, rows, strict=True):
        if row["account"] in flagged:
            bar.set_hatch("///")
    axes.set_xlabel("Requests over the whole period", color=INK, fontsize=8)
    figure.tight_layout()
    return _svg(figure)


def similarity(results: dict) -> str:
    """How similar the other model's outputs are to ours, beside the control model's."""
    measure = results["measure"]
    theirs = [r["theirs"][measure] for r in results["per_pair"]]
    control = [r["control"][measure] for r in results["per_pair"] if "control" in r]
    figure, axes = _figure()
    top = max([1.0, *theirs, *control])
    bins = [top * i / 20 for i in range(21)]
    axes.hist(theirs, bins=bins, color=FLAGGED, alpha=0.75, hatch="///", label="Other model")
    if control:
        axes.hist(control, bins=bins, color=CONTROL, alpha=0.6, label="Control model")
    axes.set_xlabel(f"Similarity to our output ({measure.replace('_', ' ')})", fontsize=8)
    axes.set_ylabel("Pairs", color=INK, fontsize=8)
    axes.legend(frameon=False, fontsize=8)
    figure.tight_layout()
    return _svg(figure)
