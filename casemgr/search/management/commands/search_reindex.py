from django.core.management.base import BaseCommand
from django.db import connection, transaction

from casemgr.search import schema


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index: the functions, the page trigger and every GIN "
        "index made afresh, and each exhibit page's vector written again."
    )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Nothing to rebuild: on SQLite, search reads the text directly.")
            return
        with transaction.atomic():
            pages = schema.rebuild(connection)
        self.stdout.write(
            f"Search index rebuilt: {pages:,} page{'' if pages == 1 else 's'} and "
            f"{len(schema.RECORDS)} kinds of record."
        )
