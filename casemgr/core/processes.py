"""Running an outside program (LibreOffice, OCRmyPDF) on evidence, bounded in time."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence


class TimedOut(Exception):
    """The program ran past its time and was killed, with every process it started."""


def run(
    command: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None
) -> tuple[int, str, str]:
    """Run `command` (a fixed argument list: never a shell) and return its exit code, what it
    wrote to stdout, and the end of what it wrote to stderr. Such programs fork helpers
    (Tesseract, Ghostscript, a LibreOffice instance): a session of its own lets a timeout
    kill them all. `env` adds to (or overrides) this process's environment. Raises
    TimedOut."""
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, **env} if env else None,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise TimedOut(command[0]) from None
    return (
        process.returncode,
        stdout.decode("utf-8", errors="replace"),
        stderr.decode("utf-8", errors="replace").strip()[-2000:],
    )
