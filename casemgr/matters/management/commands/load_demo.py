"""`manage.py load_demo`: load the demo matters and logins (see casemgr/matters/demo.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casemgr.analysis.demo import demo_analyses_load
from casemgr.bundles.demo import demo_bundles_load
from casemgr.deadlines.demo import demo_deadlines_load
from casemgr.disclosure.demo import demo_disclosure_load
from casemgr.evidence.demo import demo_exhibits_load
from casemgr.matters.demo import DemoDataError, demo_load
from casemgr.productions.demo import demo_productions_load
from casemgr.redaction.demo import demo_redactions_load
from casemgr.timeline.demo import demo_chronology_load


class Command(BaseCommand):
    help = (
        "Load the demo matters (fixtures/demo), the reference courts (fixtures/reference) "
        "and the demo logins. Safe to run again: it updates rather than duplicates, and "
        "resets the demo users' passwords."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for every demo login (default: settings.DEMO_PASSWORD).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off (the demo logins have a known password).",
        )

    def handle(self, *args, password=None, force=False, **options):
        if not settings.DEBUG and not force:
            # Demo accounts with a printed password must never appear in production by accident.
            raise CommandError("Refusing to load demo logins with DEBUG off; use --force.")
        if password is None:
            password = settings.DEMO_PASSWORD
        try:
            summary = demo_load(password=password)
        except DemoDataError as error:
            raise CommandError(str(error)) from error

        self.stdout.write(self.style.SUCCESS("Demo data loaded (rows written, new in brackets):"))
        for label, count in summary.loaded.items():
            self.stdout.write(f"  {label:<20} {count:>4}  ({summary.created[label]} new)")

        exhibits = demo_exhibits_load()
        self.stdout.write(f"  {'exhibits':<20} {exhibits:>4}  (generated and uploaded)")
        deadlines = demo_deadlines_load()
        self.stdout.write(f"  {'deadlines':<20} {deadlines:>4}  (dated from today)")
        try:
            chronology = demo_chronology_load()
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"  {'events':<20} {chronology.events:>4}  ({chronology.links} evidence links)"
        )
        analyses = demo_analyses_load()
        self.stdout.write(
            f"  {'analyses':<20} {analyses.analyses:>4}  (reports "
            f"{', '.join(analyses.reports) or 'none'}; {analyses.pins} pins)"
        )
        # Before the bundles and the production, so that they use the approved redaction.
        redactions = demo_redactions_load()
        self.stdout.write(f"  {'redactions':<20} {redactions:>4}  (applied and approved)")
        bundles = demo_bundles_load()
        self.stdout.write(f"  {'bundles':<20} {bundles:>4}  (first version queued)")
        productions = demo_productions_load()
        self.stdout.write(f"  {'productions':<20} {productions:>4}  (build queued)")
        disclosure = demo_disclosure_load()
        self.stdout.write(
            f"  {'disclosure entries':<20} {disclosure:>4}  (lists and a privilege log)"
        )

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {summary.password}):"))
        for login in summary.logins:
            on = "; ".join(
                f"{role} on {reference} ({clearance})"
                for reference, role, clearance in login.memberships
            )
            self.stdout.write(f"  {login.username:<10} {login.full_name:<24} {on}")
