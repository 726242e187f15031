"""`manage.py ocr_backfill [--matter REFERENCE] [--now]` brings files stored before page text
and OCR existed up to date: each ready rendition without page text has its pages' text
extracted, and each scan with a page without text that has not been read in its matter's
languages (ever, or since the matter's languages changed) has its text read by OCR. Files
already read, pending or being read are left alone, so running it twice does nothing more.

OCR is queued, one task per file, on the workers' usual queue; with --now it runs here, one
file after another (without Redis, queued tasks run here too).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import F

from casemgr.evidence import ocr
from casemgr.evidence.models import ExhibitFile
from casemgr.evidence.services import exhibit_file_pages_extract, exhibit_file_queue_ocr
from casemgr.evidence.tasks import ocr_exhibit_file
from casemgr.matters.commands import add_matter_option, matter_option


class Command(BaseCommand):
    help = (
        "Extract the page text of renditions stored without it, and read the text of scans "
        "not yet read (by OCR) in their matter's languages."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_matter_option(parser)
        parser.add_argument(
            "--now", action="store_true", help="Read the text here and now instead of queueing."
        )

    def handle(self, *args, matter: str | None = None, now: bool = False, **options) -> None:
        # Every matter's files (or one matter's): an operator's upgrade step.
        scope = matter_option(matter)
        files = ExhibitFile.objects.filter(rendition=ExhibitFile.Rendition.READY)
        if scope is not None:
            files = files.filter(matter=scope)
        files = files.select_related("exhibit", "matter").order_by("pk")

        extracted = 0
        for exhibit_file in files.filter(pages__isnull=True):
            pages = exhibit_file_pages_extract(exhibit_file=exhibit_file)
            self._say(exhibit_file, f"text of {pages} page(s) extracted")
            extracted += 1

        read = {"queued": 0, "done": 0, "failed": 0}
        candidates = (
            files.filter(kind__in=ocr.KINDS)
            .exclude(
                ocr__in=[
                    ExhibitFile.Ocr.NOT_NEEDED,
                    ExhibitFile.Ocr.PENDING,
                    ExhibitFile.Ocr.RUNNING,
                ]
            )
            .exclude(ocr_languages=F("matter__ocr_languages"))
        )
        for exhibit_file in candidates:
            texts = list(exhibit_file.pages.values_list("text", flat=True))
            if exhibit_file.ocr == ExhibitFile.Ocr.UNCHECKED and not ocr.needs_ocr(
                exhibit_file.kind, texts
            ):
                ExhibitFile.objects.filter(pk=exhibit_file.pk).update(
                    ocr=ExhibitFile.Ocr.NOT_NEEDED
                )
                continue
            if not exhibit_file_queue_ocr(exhibit_file=exhibit_file, queue=not now):
                continue
            if now:
                outcome = ocr_exhibit_file(exhibit_file.pk)
                read["done" if outcome == "done" else "failed"] += 1
                self._say(exhibit_file, f"text read: {outcome}")
            else:
                read["queued"] += 1
                self._say(exhibit_file, "OCR queued")

        summary = f"Page text extracted for {extracted} file(s); "
        if now:
            summary += f"text read by OCR for {read['done']}, failed for {read['failed']}."
        else:
            summary += f"OCR queued for {read['queued']} file(s)."
        self.stdout.write(summary)

    def _say(self, exhibit_file: ExhibitFile, what: str) -> None:
        self.stdout.write(f"{exhibit_file.exhibit.reference} {exhibit_file.original_name}: {what}")
