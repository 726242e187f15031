"""The `--matter REF` option that management commands share, to act on one matter only."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from casemgr.matters.models import Matter


def add_matter_option(parser: CommandParser) -> None:
    parser.add_argument("--matter", help="Only this matter (its reference, e.g. NWA-0042).")


def matter_option(reference: str | None) -> Matter | None:
    """The matter --matter names, None without the option; CommandError if there is none."""
    if reference is None:
        return None
    matter = Matter.objects.filter(reference=reference).first()
    if matter is None:
        raise CommandError(f"No matter has the reference {reference!r}.")
    return matter
