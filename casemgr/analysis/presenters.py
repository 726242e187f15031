"""An analysis's stored results arranged for its pages: words for stages and reasons, shares
as percentages, charts drawn once per run, the pairs table sorted and paginated."""

from __future__ import annotations

from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.safestring import mark_safe

from . import charts
from .forms import ROLE_LABELS
from .mapping import ROLES
from .models import Analysis
from .report import run_by

STAGES = {
    "": "Waiting for a worker",
    "load": "Reading the file",
    "volumes": "Counting requests per account",
    "bursts": "Looking for bursts",
    "templates": "Grouping prompts into templates",
    "clusters": "Linking accounts",
    "totals": "Adding up",
    "read": "Reading the pairs",
    "pairs": "Comparing output pairs",
    "test": "Testing the difference",
    "done": "Finishing",
}
PAIRS_PER_PAGE = 50
MEASURES = {
    "ngram_jaccard": "character 5-gram Jaccard",
    "edit_similarity": "edit similarity",
    "longest_shared_span": "longest shared run",
}
PAIR_SORTS = {
    "pair": "line",
    "theirs": "the other model's similarity",
    "control": "the control model's similarity",
    "span": "the longest shared run",
}
LINK_KINDS = {
    "ip_prefix": "Network",
    "user_agent": "User agent",
    "organisation": "Organisation",
    "template": "Prompt template",
}
PARAMETER_LABELS = {
    "burst_threshold": "Burst threshold (scaled MADs)",
    "burst_min_requests": "Fewest requests in a burst hour",
    "mad_floor": "Least MAD (requests)",
    "min_link_kinds": "Kinds of shared value that link accounts",
    "max_accounts_per_link": "Most accounts sharing a linking value",
    "max_link_share": "Most accounts sharing a linking value (share)",
    "template_similarity": "Template similarity",
    "template_min_requests": "Fewest requests in a listed template",
    "template_limit": "Templates listed",
    "max_distinct_prompts": "Distinct prompts grouped",
    "markers": "Reasoning-elicitation phrases",
    "top_accounts": "Top accounts listed",
}


def stage_words(analysis: Analysis) -> str:
    if analysis.status == Analysis.Status.QUEUED:
        return "Queued: waiting for a worker"
    if analysis.status != Analysis.Status.RUNNING:
        return analysis.get_status_display()
    return STAGES.get(analysis.stage, analysis.stage.replace("_", " ").capitalize())


def reason_words(reasons: list[str]) -> list[str]:
    """ "burst" and "cluster 2" as a reader would say them."""
    return [
        "burst windows of its own" if r == "burst" else f"in {r}, with a bursting account"
        for r in reasons
    ]


def provenance(analysis: Analysis) -> dict:
    used = analysis.results.get("mapping") or analysis.mapping or {}
    roles = used.get("roles", {})
    parameters = analysis.results.get("parameters") or analysis.parameters or {}
    return {
        "roles": [(ROLE_LABELS[r], roles[r]) for r in ROLES if r in roles],
        "timezone": used.get("timezone", ""),
        "parameters": [
            (PARAMETER_LABELS.get(k, k.replace("_", " ")), ", ".join(v) if k == "markers" else v)
            for k, v in parameters.items()
        ],
        "versions": sorted(analysis.versions.items()),
        "engine": analysis.results.get("engine", ""),
        "run_by": run_by(analysis),
    }


def _chart(analysis: Analysis, name: str, draw) -> str:
    # Drawing takes a moment and the same results always give the same SVG (charts.py).
    stamp = analysis.finished_at.timestamp() if analysis.finished_at else 0
    key = f"analysis-chart:{analysis.pk}:{stamp}:{name}"
    svg = cache.get(key)
    if svg is None:
        svg = draw(analysis.results)
        cache.set(key, svg, 24 * 3600)
    # The SVG carries no script and draws its text as paths (charts.py): log values never
    # reach it as markup.
    return mark_safe(svg)  # noqa: S308


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.1f}%"


def log_results(analysis: Analysis) -> dict:
    results = analysis.results
    totals = results["totals"]
    reasons = results.get("flag_reasons", {})
    flagged = set(results.get("flagged_accounts", []))
    clusters = [
        {
            "number": number,
            "accounts": cluster["accounts"],
            "bursting": cluster["bursting_accounts"],
            "flagged": bool(cluster["bursting_accounts"]),
            "links": [
                {**link, "kind_display": LINK_KINDS.get(link["kind"], link["kind"])}
                for link in cluster["links"]
            ],
        }
        for number, cluster in enumerate(results.get("clusters", []), start=1)
    ]
    markers = results.get("reasoning_markers", {})
    per_template = markers.get("per_template", {})
    return {
        "totals": totals,
        "request_share": _percent(totals.get("flagged_request_share")),
        "token_share": _percent(totals.get("flagged_token_share")),
        "bad_reasons": sorted(results.get("bad_reasons", {}).items()),
        "bad_examples": results.get("bad_examples", []),
        "flagged": [
            {"account": a, "reasons": reason_words(reasons.get(a, []))} for a in sorted(flagged)
        ],
        "volumes": results["volumes"],
        "top_accounts": [
            {**row, "flagged": row["account"] in flagged}
            for row in results["volumes"]["top_accounts"]
        ],
        "bursts": results["bursts"],
        "clusters": clusters,
        "clusters_method": results.get("clusters_method", ""),
        "templates": [
            {**t, "share_display": _percent(t["share"]), "markers": per_template.get(t["id"], 0)}
            for t in results.get("templates", [])
        ],
        "templates_method": results.get("templates_method", ""),
        "markers": markers,
        "marker_phrases": sorted(markers.get("per_phrase", {}).items(), key=lambda p: -p[1]),
        "daily_chart": _chart(analysis, "daily", charts.daily_volume),
        "top_chart": _chart(analysis, "top", charts.top_accounts),
    }


def _pair_key(sort: str, measure: str):
    def score(row, side):
        value = row.get(side, {}).get(measure)
        return -1.0 if value is None else value

    return {
        "pair": lambda r: r["pair"],
        "theirs": lambda r: (score(r, "theirs"), r["pair"]),
        "control": lambda r: (score(r, "control"), r["pair"]),
        "span": lambda r: (r["theirs"]["longest_shared_span"], r["pair"]),
    }[sort]


def output_results(analysis: Analysis, query) -> dict:
    results = analysis.results
    sort = query.get("sort", "-theirs")
    name = sort.lstrip("-")
    if name not in PAIR_SORTS:
        sort, name = "-theirs", "theirs"
    rows = sorted(
        results.get("per_pair", []),
        key=_pair_key(name, results["measure"]),
        reverse=sort.startswith("-"),
    )
    page = Paginator(rows, PAIRS_PER_PAGE).get_page(query.get("page"))
    return {
        "results": results,
        "measure_display": MEASURES.get(results["measure"], results["measure"]),
        "has_control": any("control" in r for r in results.get("per_pair", [])),
        "page": page,
        "sort": sort,
        "sort_label": PAIR_SORTS[name] + (", highest first" if sort.startswith("-") else ""),
        "sorts": {n: ("-" + n if sort == n else n) for n in PAIR_SORTS},
        "aria_sort": {
            name: "descending" if sort.startswith("-") else "ascending",
        },
        "similarity_chart": _chart(analysis, "similarity", charts.similarity),
    }


def cluster_accounts(analysis: Analysis, cluster: dict, figures: dict[str, dict]) -> list[dict]:
    reasons = analysis.results.get("flag_reasons", {})
    bursting = set(cluster["bursting_accounts"])
    return [
        {
            "account": account,
            "figures": figures.get(account),
            "bursting": account in bursting,
            "reasons": reason_words(reasons.get(account, [])),
            "links": [
                LINK_KINDS.get(link["kind"], link["kind"]) + ": " + link["value"]
                for link in cluster["links"]
                if account in link["accounts"]
            ],
        }
        for account in cluster["accounts"]
    ]


def account_about(analysis: Analysis, account: str) -> dict:
    results = analysis.results
    clusters = [
        number
        for number, cluster in enumerate(results.get("clusters", []), start=1)
        if account in cluster["accounts"]
    ]
    return {
        "reasons": reason_words(results.get("flag_reasons", {}).get(account, [])),
        "windows": [w for w in results["bursts"]["windows"] if w["account"] == account],
        "clusters": clusters,
    }
