"""`manage.py evidence_verify [--matter REF] [--resume] [--state PATH] [--limit N]
[--progress SECONDS]` reads every stored blob the database names (exhibit files' originals
and renditions, built bundles) and checks it against its recorded SHA-256: the proof that the
evidence store is intact. See casemgr.evidence.integrity.

Missing and altered blobs are listed and exit with status 1 (each is also an "integrity"
event in the audit trail); a sound store ends with a one-line summary. Progress goes to
stderr; --verbosity 0 leaves only the findings.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction
from casemgr.bundles.integrity import BundleVersions
from casemgr.evidence.integrity import Blob, ExhibitFiles, Finding, StateError, Verification
from casemgr.matters.commands import add_matter_option, matter_option
from casemgr.productions.integrity import ProductionSets

# The order blobs are checked in; a resumed run relies on it staying the same.
SOURCES = (ExhibitFiles(), BundleVersions(), ProductionSets())
PROGRESS_EVERY = 1000  # blobs, whatever the time


class Command(BaseCommand):
    help = (
        "Read every stored blob (exhibit files, renditions, built bundles and productions) "
        "and check its SHA-256; list the missing and altered ones and exit 1 if there are any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_matter_option(parser)
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Continue the interrupted run recorded in the state file (or start one).",
        )
        parser.add_argument(
            "--state",
            type=Path,
            help="Where a run keeps its place (default: VAR_DIR/evidence_verify.json).",
        )
        parser.add_argument(
            "--limit", type=int, help="Stop after this many blobs; --resume continues."
        )
        parser.add_argument(
            "--progress",
            type=float,
            default=5.0,
            metavar="SECONDS",
            help="Report progress this often (default 5; 0: after every blob).",
        )

    def handle(
        self,
        *args,
        matter: str | None = None,
        resume: bool = False,
        state: Path | None = None,
        limit: int | None = None,
        progress: float = 5.0,
        verbosity: int = 1,
        **options,
    ) -> None:
        scope = matter_option(matter)
        state_path = state or Path(settings.VAR_DIR) / "evidence_verify.json"
        run = Verification(
            sources=SOURCES,
            state_path=state_path,
            matter=scope,
            # A 2 GB file takes a while: report while it is read, not only after it.
            on_read=(lambda size: self._progress()) if progress > 0 else None,
        )
        self.run, self.every, self.talk = run, progress, verbosity >= 1
        self.reported = time.monotonic()

        try:
            resumed = resume and run.resume()
        except StateError as error:
            raise CommandError(str(error)) from error
        if resume and not resumed:
            self._say(f"No interrupted run in {state_path}; checking from the start.")
        elif not resume and state_path.exists():
            self._say(f"Starting afresh: the interrupted run in {state_path} is forgotten.")
        self._say(
            f"Checking {run.total:,} blob(s) of {scope.reference if scope else 'every matter'}"
            + (f", {run.done:,} already checked." if resumed else ".")
        )

        checked, stopped = 0, False
        try:
            for blob in run.remaining():
                if limit is not None and checked >= limit:
                    stopped = True
                    break
                finding = run.check(blob)
                if finding is not None:
                    self._audit(blob, finding)
                checked += 1
                self._progress(force=progress == 0 or run.done % PROGRESS_EVERY == 0)
        except StateError as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            run.save()
            raise CommandError(
                f"Interrupted after {run.done:,} of {run.total:,} blob(s); continue with "
                f"--resume (state in {state_path}).",
                returncode=130,
            ) from None
        except BaseException:
            run.save()  # a storage error: --resume tries the same blob again
            raise
        if stopped:
            run.save()
            self._say(
                f"Stopped after {checked:,} blob(s): {run.done:,} of {run.total:,} checked "
                f"({_size(run.bytes_checked)}); continue with --resume."
            )
        else:
            run.finish()
        self._report(stopped)

    def _report(self, stopped: bool) -> None:
        run = self.run
        for finding in run.findings:
            self.stdout.write(_finding_line(finding))
        if run.findings:
            missing = sum(finding.missing for finding in run.findings)
            raise CommandError(
                f"{len(run.findings):,} of {run.done:,} blob(s) checked are missing or altered "
                f"({missing:,} missing, {len(run.findings) - missing:,} altered)."
            )
        if not stopped and self.talk:
            blobs = "blob" if run.done == 1 else "blobs"
            self.stdout.write(
                f"Checked {run.done:,} {blobs} ({_size(run.bytes_checked)}): all intact."
            )

    def _progress(self, force: bool = False) -> None:
        if not self.talk or (not force and time.monotonic() - self.reported < self.every):
            return
        run = self.run
        self.stderr.write(
            f"{run.done:,} / {run.total:,} blobs, {_size(run.bytes_checked)}, {_size(run.rate)}/s"
        )
        self.reported = time.monotonic()

    def _say(self, line: str) -> None:
        if self.talk:
            self.stderr.write(line)

    def _audit(self, blob: Blob, finding: Finding) -> None:
        audit_record(
            action=AuditAction.INTEGRITY_FAILED,
            actor_label="manage.py evidence_verify",
            matter=blob.matter,
            obj=blob.record,
            detail={
                "key": finding.key,
                "part": finding.part,
                "sha256": finding.expected,
                "found": finding.found or "missing",
            },
        )


def _finding_line(finding: Finding) -> str:
    found = "nothing is stored there" if finding.missing else f"found {finding.found}"
    return (
        f"{'MISSING' if finding.missing else 'ALTERED'} {finding.key}: {finding.model} "
        f"{finding.pk} ({finding.part}), {finding.matter} {finding.what}; expected SHA-256 "
        f"{finding.expected}, {found}"
    )


def _size(size: float) -> str:
    return filesizeformat(size).replace("\xa0", " ")
