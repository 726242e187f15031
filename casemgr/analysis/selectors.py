"""Reading analyses for the pages: scoped to the reader, and the rows under their figures.

Everything here starts from Analysis.objects.visible_to(user), so an analysis of an exhibit
above the reader's clearance is never found. What lies under the figures (an account's
requests, a pair's texts) is read again from the stored file or its rebuildable Parquet copy:
the results keep figures, not the log.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.safestring import mark_safe

from casemgr.evidence import storage

from . import checks, logs, mapping, outputs, requests, services, sources
from .models import Analysis

REQUESTS_PER_PAGE = 50


def analyses_for(*, matter, user):
    """The matter's analyses the user may see (by the source exhibit's designation)."""
    return (
        Analysis.objects.visible_to(user)
        .in_matter(matter)
        .select_related("source__exhibit", "created_by")
    )


def analyses_of_exhibit(*, exhibit, user):
    return analyses_for(matter=exhibit.matter, user=user).filter(source__exhibit=exhibit)


def file_preview(analysis: Analysis, *, rows: int = 10) -> mapping.Mapping:
    """The columns detected in the stored file (the saved mapping on top) and its first rows."""
    saved = analysis.mapping or {}
    source = analysis.source
    # The file's head only: the page shows ten rows, and the run reads (and hash-checks) it all.
    with checks.file_head(source) as path:
        try:
            return mapping.detect(
                path,
                kind=source.kind,
                override=saved.get("roles") or None,
                timezone=saved.get("timezone"),
                sample_rows=rows,
            )
        except ValueError:
            # A saved mapping naming a column the file lacks: show what the file holds.
            return mapping.detect(path, kind=source.kind, sample_rows=rows)


def log_parquet(analysis: Analysis, *, cache_dir: Path | None = None) -> Path:
    """The Parquet copy of a finished log analysis, rebuilt from the stored file (hash
    checked) when it has been deleted. It is keyed by the mapping the run used."""
    cache_dir = cache_dir or services.default_cache_dir()
    used = analysis.results.get("mapping") or analysis.mapping
    key_mapping = mapping.Mapping(roles=used["roles"], timezone=used.get("timezone", "UTC"))
    kind = analysis.source.kind
    parquet = cache_dir / f"{analysis.sha256}-{logs.cache_key(analysis.sha256, key_mapping, kind)}"
    parquet = parquet.with_suffix(".parquet")
    if parquet.exists() and logs.rejects_path(parquet).exists():
        return parquet
    source = analysis.source
    with storage.local_copy(source.storage_key, analysis.sha256, suffix="." + kind) as path:
        loaded = logs.load(
            path,
            sha256=analysis.sha256,
            mapping=key_mapping,
            cache_dir=cache_dir,
            con=sources.connect(temp_dir=cache_dir / "spill"),
            kind=kind,
        )
    return loaded.parquet


def account_requests(analysis: Analysis, account: str, page_number: int, **kwargs):
    """(rows, total) for one page of `account`'s requests."""
    parquet = log_parquet(analysis, **kwargs)
    offset = (max(page_number, 1) - 1) * REQUESTS_PER_PAGE
    return requests.page(parquet, account, offset, REQUESTS_PER_PAGE)


def account_figures(analysis: Analysis, names: list[str], **kwargs) -> dict[str, dict]:
    return requests.accounts(log_parquet(analysis, **kwargs), names)


def output_pair(analysis: Analysis, number: int) -> dict | None:
    """Pair `number` as the run numbered it (its line in the file), read from the stored
    file again, with the spans shared with our output marked; every text escaped."""
    source = analysis.source
    # The file's head only: the page shows ten rows, and the run reads (and hash-checks) it all.
    with checks.file_head(source) as path:
        pairs, _bad, _examples = outputs.read_pairs(path)
    pair = next((p for p in pairs if p["number"] == number), None)
    if pair is None:
        return None
    shown = outputs.side_by_side(pair)
    if pair["control"] is not None:
        spans = outputs.shared_spans(pair["ours"], pair["control"])
        shown["control"] = outputs.highlighted(pair["control"], [(b, n) for _a, b, n in spans])
        shown["control_spans"] = len(spans)
    # side_by_side and highlighted escape every text and add only <mark> around the spans.
    texts = ("prompt", "ours", "theirs", "control")
    return {k: mark_safe(v) if k in texts else v for k, v in shown.items()}  # noqa: S308
