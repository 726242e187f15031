"""`manage.py redact IN.pdf OUT.pdf [--term TEXT]... [--pattern REGEX]... [--preset NAME]...
[--box PAGE:x0,y0,x1,y1]... [--reason REASON] [--language eng|chi_sim|eng+chi_sim]` redacts
any PDF with the engine the app uses (casemgr.redaction.engine), for scripting and checks.

Terms (any case) and patterns (Python regular expressions) are looked for in the PDF's text
layer and each match is boxed; --box adds a box by hand, in points from the top-left corner
of the page as shown. Every box gets --reason, printed inside it. The command says how many
boxes went on each page. IN.pdf is never changed; OUT.pdf is written in full before it takes
its name. With nothing to redact, OUT.pdf is still a copy without metadata, annotations,
attachments or scripts.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casemgr.redaction import patterns
from casemgr.redaction.engine import REASON_LABELS, Box, Reason, RedactionError, find, redact

LANGUAGES = ("eng", "chi_sim", "eng+chi_sim")
_NUMBER = r"\s*(-?\d+(?:\.\d+)?)\s*"
_BOX = re.compile(rf"\s*(\d+)\s*:{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}")


def box(value: str) -> tuple[int, float, float, float, float]:
    """--box PAGE:x0,y0,x1,y1 as numbers; argparse reports a ValueError's message."""
    match = _BOX.fullmatch(value)
    if not match:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a box: write PAGE:x0,y0,x1,y1, e.g. 2:72,100,300,120 (points "
            "from the top-left corner of the page)."
        )
    page, *corners = match.groups()
    return (int(page), *(float(c) for c in corners))


def regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a valid regular expression ({error})."
        ) from None
    return value


class Command(BaseCommand):
    help = (
        "Redact a PDF: black out every match of --term and --pattern and each --box, with the "
        "reason in the box; remove metadata, annotations, attachments and scripts."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="IN.pdf", type=Path)
        parser.add_argument("target", metavar="OUT.pdf", type=Path)
        parser.add_argument(
            "--term", action="append", default=[], help="Text to black out, in any case."
        )
        parser.add_argument(
            "--pattern",
            action="append",
            default=[],
            type=regex,
            help="A regular expression (Python's) whose matches are blacked out.",
        )
        parser.add_argument(
            "--preset",
            action="append",
            default=[],
            choices=list(patterns.PRESETS),
            help="A ready-made pattern: "
            + "; ".join(f"{name}: {label}" for name, label in patterns.choices()),
        )
        parser.add_argument(
            "--box",
            action="append",
            default=[],
            type=box,
            help="PAGE:x0,y0,x1,y1 in points from the top-left corner of the page as shown.",
        )
        parser.add_argument(
            "--reason",
            default=Reason.PRIVILEGE.value,
            choices=[reason.value for reason in Reason],
            help="Printed in every box (default: privilege).",
        )
        parser.add_argument(
            "--language",
            default="eng",
            choices=LANGUAGES,
            help="What the OCR that restores a redacted page's text reads (default: eng).",
        )

    def handle(self, *args, **options) -> None:
        source, target = options["source"], options["target"]
        reason = Reason(options["reason"])
        expressions = options["pattern"] + [patterns.PRESETS[n].regex for n in options["preset"]]
        try:
            boxes = find(source, terms=options["term"], patterns=expressions, reason=reason)
            boxes += [Box(*numbers, reason=reason) for numbers in options["box"]]
            result = redact(source, target, boxes, languages=options["language"])
        except RedactionError as error:
            raise CommandError(str(error)) from None
        per_page = Counter(b.page for b in boxes)
        label = REASON_LABELS[reason]
        if not boxes:
            self.stdout.write(
                f"Nothing to redact in {source.name}; {target} is a copy of its "
                f"{result.page_count} pages without metadata, annotations, attachments or "
                "scripts."
            )
            return
        for page in sorted(per_page):
            count = per_page[page]
            self.stdout.write(f"page {page}: {count} box{'es' if count > 1 else ''}")
        pages = len(result.redacted_pages)
        self.stdout.write(
            f"Redacted {len(boxes)} box{'es' if len(boxes) > 1 else ''} ({label}) on "
            f"{pages} of {result.page_count} pages; written to {target}."
        )
