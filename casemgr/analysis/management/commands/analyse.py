"""`manage.py analyse logs FILE` and `manage.py analyse outputs FILE`: the engine from a shell.

For scripting and benchmarks: the file is read where it lies (not ingested as an exhibit),
through the same engine the application uses, and the Parquet cache goes to --cache-dir.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casemgr.analysis import logs, mapping, outputs, services, sources


class Command(BaseCommand):
    help = "Analyse an API access log (CSV or JSON Lines) or a file of model-output pairs."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["logs", "outputs"])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mapping",
            help='JSON object from role to column, e.g. {"account": "key_id", "ip": "addr"}',
        )
        parser.add_argument("--timezone", help="zone of timestamps that carry no offset")
        parser.add_argument(
            "--cache-dir",
            type=Path,
            default=services.default_cache_dir(),
            help="where the rebuildable Parquet copy goes",
        )
        parser.add_argument("--json", action="store_true", help="print the results as JSON")

    def handle(self, *args, what, file, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            if what == "logs":
                result = self._logs(file, options)
            else:
                result = outputs.compare(file)
                result.pop("per_pair")
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        else:
            self.stdout.write(_summary(what, result))

    def _logs(self, file: Path, options) -> dict:
        override = None
        if options["mapping"]:
            try:
                override = json.loads(options["mapping"])
            except ValueError as error:
                raise CommandError(f"--mapping is not JSON: {error}") from error
            if not isinstance(override, dict):
                raise CommandError("--mapping must be a JSON object from role to column")
        detected = mapping.detect(file, override=override, timezone=options["timezone"])
        if detected.missing:
            raise CommandError(
                f"no column found for {', '.join(detected.missing)}; columns are "
                f"{', '.join(detected.columns)} — give them with --mapping"
            )
        timings: dict = {}
        result = logs.analyse(
            file,
            sha256=sources.sha256_of(file),
            mapping=detected,
            cache_dir=options["cache_dir"],
            timings=timings,
        )
        result["timings"] = timings
        return result


def _summary(what: str, result: dict) -> str:
    if what == "outputs":
        return (
            f"{result['pairs']} pairs ({result['bad_pairs']} unreadable); median similarity "
            f"{result['median_similarity']} against control {result['control_median_similarity']}"
            f"; p = {result['p_value']}"
        )
    lines = [
        f"{result['rows']} rows, {result['bad_rows']} unreadable "
        f"({', '.join(f'{k}: {v}' for k, v in result['bad_reasons'].items()) or 'none'})",
        f"{result['accounts']} accounts, {len(result['flagged_accounts'])} flagged: "
        + ", ".join(result["flagged_accounts"]),
        f"{len(result['clusters'])} clusters, {len(result['templates'])} templates listed",
    ]
    return "\n".join(lines)
