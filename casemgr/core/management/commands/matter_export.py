"""`manage.py matter_export REF OUT.zip`: one matter whole, to move it to another casemgr or
to an archive. See casemgr.core.portability."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction
from casemgr.core.portability.export import ExportError, matter_export
from casemgr.core.portability.graph import GraphError
from casemgr.matters.commands import matter_option


class Command(BaseCommand):
    help = (
        "Write one matter whole to a zip: every record, every stored file, the audit trail "
        "and a manifest of their SHA-256s. Restore it with matter_import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="The matter's reference, e.g. NWA-0042.")
        parser.add_argument("out", type=Path, help="The zip to write (replaced if it exists).")

    def handle(self, *args, reference: str, out: Path, verbosity: int = 1, **options) -> None:
        matter = matter_option(reference)
        try:
            summary = matter_export(matter=matter, path=out)
        except (ExportError, GraphError) as error:
            raise CommandError(f"{error} Nothing was exported.") from error
        # The whole matter left the system: that is a download, and goes in its trail.
        audit_record(
            action=AuditAction.DOWNLOAD,
            actor_label="manage.py matter_export",
            matter=matter,
            obj=matter,
            detail={"export": str(out), "manifest_sha256": summary.manifest_sha256},
        )
        if verbosity >= 1:
            rows = sum(summary.rows.values())
            size = filesizeformat(summary.blob_bytes).replace("\xa0", " ")
            self.stdout.write(
                f"Exported {matter.reference} to {out}: {rows:,} records, "
                f"{summary.audit_events:,} audit events, {summary.blobs:,} files ({size})."
            )
            self.stdout.write(f"SHA-256 of its manifest.json: {summary.manifest_sha256}")
