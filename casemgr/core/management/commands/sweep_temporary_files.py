"""`manage.py sweep_temporary_files`: remove what killed processes left in TEMP_DIR (and
half-written blobs in a local MEDIA_ROOT) once it is a day old. Workers sweep when they
start and beat hourly; a web machine runs this when its service starts."""

from django.core.management.base import BaseCommand

from casemgr.core import temporary


class Command(BaseCommand):
    help = "Remove temporary files left by killed processes (untouched for a day)."

    def handle(self, *args, **options):
        removed = temporary.sweep()
        self.stdout.write(f"Removed {len(removed)} temporary files and folders left behind.")
