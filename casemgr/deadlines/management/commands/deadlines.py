"""`manage.py deadlines compute ...` checks a rule without saving; `manage.py deadlines sweep`
sends the reminders that are due (what Celery beat does every few minutes)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casemgr.deadlines import engine
from casemgr.deadlines.services import RULE_SET_HOMES, deadlines_check


class Command(BaseCommand):
    help = "Compute deadlines from a trigger event, or send the reminders that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        compute = actions.add_parser(
            "compute",
            help="Print the deadlines a trigger produces (nothing is saved).",
            description="Print the deadlines a trigger produces (nothing is saved). Example: "
            "deadlines compute --rules cpr --event particulars_served "
            "--at 2026-11-27T16:45:00+00:00 --method email --json",
        )
        compute.add_argument("--rules", required=True, choices=sorted(RULE_SET_HOMES))
        compute.add_argument("--event", required=True)
        compute.add_argument(
            "--at",
            required=True,
            help="ISO date-time; without a UTC offset it is read in the court's time zone.",
        )
        compute.add_argument("--method", default="", help="Service method, e.g. email, mail.")
        compute.add_argument("--time-zone", help="The court's time zone, if not the default.")
        compute.add_argument("--particulars-with-claim-form", action="store_true")
        compute.add_argument("--acknowledged", action="store_true")
        compute.add_argument("--notice-clear-days", type=int)
        compute.add_argument("--country", help="Served out of the jurisdiction: ISO code, e.g. CN.")
        compute.add_argument("--days", type=int, help="An order's “within N days”.")
        compute.add_argument("--extension-days", type=int, help="CPR 15.5 agreed extension.")
        compute.add_argument("--waiver-abroad", action="store_true")
        compute.add_argument("--json", action="store_true", help="Print JSON.")
        actions.add_parser("sweep", help="Send the reminders that are due now.")

    def handle(self, *args, action: str, **options) -> None:
        if action == "sweep":
            from casemgr.deadlines.reminders import reminders_send_due

            sent = reminders_send_due()
            if sent or options["verbosity"] > 1:  # quiet when idle: make run sweeps every 2 min
                self.stdout.write(f"{sent} reminder e-mail(s) sent.")
            return
        zone = options["time_zone"] or RULE_SET_HOMES[options["rules"]][1]
        try:
            at = datetime.fromisoformat(options["at"])
            if at.tzinfo is None:
                at = at.replace(tzinfo=ZoneInfo(zone))
        except (ValueError, KeyError) as error:  # a bad date, or a zone that does not exist
            raise CommandError(str(error)) from error
        trigger_options = {
            name: options[name]
            for name in (
                "particulars_with_claim_form",
                "acknowledged",
                "notice_clear_days",
                "country",
                "days",
                "extension_days",
                "waiver_abroad",
            )
            if options[name] not in (None, False)
        }
        try:
            results = deadlines_check(
                rules=options["rules"],
                trigger=engine.Trigger(
                    event=options["event"], at=at, method=options["method"], options=trigger_options
                ),
                time_zone=zone,
            )
        except ValueError as error:  # engine.RuleError, or a time zone the calendar refuses
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "key": r.key,
                            "title": r.title,
                            "citation": r.citation,
                            "due_date": r.due_date.isoformat(),
                            "due_time": r.due_time.isoformat() if r.due_time else None,
                            "derivation": r.derivation,
                        }
                        for r in results
                    ],
                    indent=2,
                    ensure_ascii=False,
                )
            )
            return
        for r in results:
            self.stdout.write(f"{r.due_date:%a %d %b %Y}  {r.title}  [{r.citation}]")
            self.stdout.write(f"    {r.derivation}")
