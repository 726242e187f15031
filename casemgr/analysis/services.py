"""Creating and running analyses of exhibit files (the engine itself knows no Django)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import duckdb
from django.conf import settings
from django.utils import timezone

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction
from casemgr.evidence import storage
from casemgr.evidence.models import ExhibitFile

from . import logs, mapping, outputs
from .models import Analysis

READABLE = {Analysis.Kind.LOGS: ("csv", "jsonl"), Analysis.Kind.OUTPUTS: ("jsonl",)}
LIBRARIES = ("duckdb", "datasketch", "rapidfuzz", "scipy")


def default_cache_dir() -> Path:
    """Where the rebuildable Parquet copies go: beside the stored files, never among them."""
    return Path(settings.MEDIA_ROOT).parent / "analysis-cache"


def versions(kind: str) -> dict[str, str]:
    engine = logs.ENGINE_VERSION if kind == Analysis.Kind.LOGS else outputs.ENGINE_VERSION
    return {"engine": engine} | {name: version(name) for name in LIBRARIES}


def analysis_create(
    *, source: ExhibitFile, kind: str, created_by, mapping: dict | None = None
) -> Analysis:
    if source.kind not in READABLE[kind]:
        raise ValueError(
            f"A {Analysis.Kind(kind).label.lower()} is read from "
            f"{' or '.join(READABLE[kind])} files; this file is {source.kind}."
        )
    return Analysis.objects.create(
        matter_id=source.matter_id,
        source=source,
        kind=kind,
        sha256=source.sha256,
        mapping=mapping or {},
        created_by=created_by,
    )


def analysis_run(*, analysis: Analysis, cache_dir: Path | None = None) -> Analysis:
    """Run the engine over the stored bytes (hash checked on the way) and keep the results.
    Running it again gives the same figures: the engine is deterministic."""
    source = analysis.source
    suffix = "." + source.kind
    try:
        with storage.local_copy(source.storage_key, analysis.sha256, suffix=suffix) as path:
            if analysis.kind == Analysis.Kind.LOGS:
                roles = analysis.mapping.get("roles") or None
                detected = mapping.detect(
                    path,
                    kind=source.kind,
                    override=roles,
                    timezone=analysis.mapping.get("timezone"),
                )
                if detected.missing:
                    raise ValueError(f"No column for {', '.join(detected.missing)}.")
                saved = dict(analysis.parameters)
                if "markers" in saved:
                    saved["markers"] = tuple(saved["markers"])
                params = logs.Parameters(**saved)
                results = logs.analyse(
                    path,
                    sha256=analysis.sha256,
                    mapping=detected,
                    cache_dir=cache_dir or default_cache_dir(),
                    params=params,
                )
                analysis.mapping = results["mapping"]
                analysis.parameters = results["parameters"]
            else:
                results = outputs.compare(path)
    except storage.TamperedFile:
        audit_record(
            action=AuditAction.INTEGRITY_FAILED,
            matter=analysis.matter,
            obj=source,
            detail={"sha256": analysis.sha256, "analysis": analysis.pk},
        )
        analysis.status, analysis.results = Analysis.Status.FAILED, {}
        analysis.error = (
            "The stored file no longer matches its SHA-256, so it was not analysed. Tell your "
            "administrator; running it again will not help."
        )
    except (ValueError, duckdb.Error) as error:
        # A mapping that does not fit, a zone DuckDB does not know, a file it cannot parse:
        # the run ends failed with the reason, never left waiting as "new".
        analysis.status, analysis.error, analysis.results = Analysis.Status.FAILED, str(error), {}
    else:
        analysis.status, analysis.error, analysis.results = Analysis.Status.DONE, "", results
    analysis.versions = versions(analysis.kind)
    analysis.finished_at = timezone.now()
    analysis.save()
    return analysis
