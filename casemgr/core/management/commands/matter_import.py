"""`manage.py matter_import ARCHIVE.zip`: restore a matter written by matter_export, after
checking all of it; nothing is written unless all of it is sound. See
casemgr.core.portability.importer."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casemgr.core.portability.graph import GraphError
from casemgr.core.portability.importer import ArchiveError, matter_import


class Command(BaseCommand):
    help = (
        "Restore a matter from a matter_export zip: every hash checked, people matched by "
        "e-mail, new ids; refused whole if anything is damaged or missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The zip matter_export wrote.")
        parser.add_argument("--database", default="default", help="The database to import into.")
        missing = "Add people with no account here as inactive accounts (no password)."
        parser.add_argument("--create-missing-users", action="store_true", help=missing)

    def handle(
        self,
        *args,
        archive: Path,
        create_missing_users: bool = False,
        database: str = "default",
        verbosity: int = 1,
        **options,
    ) -> None:
        try:
            summary = matter_import(
                path=archive, using=database, create_missing_users=create_missing_users
            )
        except (ArchiveError, GraphError) as error:
            raise CommandError(f"Refused {archive}: {error}") from error
        if verbosity >= 1:
            rows = sum(summary.rows.values())
            self.stdout.write(
                f"Imported {summary.matter.reference}: {rows:,} records, "
                f"{summary.audit_events:,} audit events, {summary.blobs_stored:,} files stored "
                f"({summary.blobs_present:,} already here)."
            )
            if summary.users_created:
                self.stdout.write("Added as inactive accounts: " + ", ".join(summary.users_created))
