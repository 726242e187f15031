"""`manage.py renew_renditions` queues a new rendition of every file whose PDF an earlier
casemgr made in a format it no longer makes (renditions.CURRENT_SINCE): before format 2, a
laid-out file had the exhibit's reference and "page X of Y" in every footer; before format 3,
a photo could be a 42-inch page. Run it once after an upgrade, so that previews show what
bundles will.

Bundles do not wait for it: a build lays out a stale rendition again before it bundles it
(bundles.services). Each file is its own task, on the workers' usual queue; without Redis
they run here, one after another.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from casemgr.evidence.models import ExhibitFile
from casemgr.evidence.services import STALE_RENDITIONS
from casemgr.evidence.tasks import render_exhibit_file


class Command(BaseCommand):
    help = (
        "Queue a new PDF rendition of every file whose rendition an earlier casemgr made in a "
        "format it no longer makes (see renditions.CURRENT_SINCE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the stale renditions."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        # Every matter's files: an operator's upgrade step, not a member's request.
        stale = list(
            ExhibitFile.objects.filter(STALE_RENDITIONS).order_by("pk").values_list("pk", flat=True)
        )
        if dry_run:
            self.stdout.write(f"{len(stale)} stale rendition(s).")
            return
        for file_id in stale:
            render_exhibit_file.delay(file_id)
        self.stdout.write(f"{len(stale)} rendition(s) queued to be made again.")
