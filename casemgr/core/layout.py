"""Laying out a document within a time budget.

WeasyPrint's layout cannot be interrupted from inside: a pathological document (a table of
tens of thousands of cells, text that never breaks) holds the process for as long as it
takes, which was twelve minutes for one export. So every layout runs in a child process that
is killed when its budget is spent, and the caller gets `LayoutTooLong` (a `LayoutFailed`,
as is a child that died) to tell the user why.

The children come from a fork server that has already imported WeasyPrint: starting one is
a fork of a small, single-threaded process (about 0.07 s), never a fork of a threaded web or
Celery process, and never a fresh interpreter. Nothing Django is imported here, so the
server stays small; what a child runs is a module-level function of plain arguments.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import billiard
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

T = TypeVar("T")

_context = billiard.get_context("forkserver")
_context.set_forkserver_preload(["weasyprint", "casemgr.core.layout"])


class RefusingURLFetcher(URLFetcher):
    """WeasyPrint's fetcher for everything casemgr lays out: every URL (http, file, data) is
    refused, so that no evidence and no user's text can make the server fetch anything."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), fail_on_errors=False)

    def fetch(self, url: str, headers: dict | None = None):
        raise ValueError(f"casemgr fetches nothing: {url}")


def write_pdf(document: str, stylesheet: str = "", *, seconds: float) -> bytes:
    """`document` (HTML built from escaped strings only) with `stylesheet`, as a PDF laid out
    within `seconds`."""
    return within(seconds, _write_pdf, document, stylesheet)


def _write_pdf(document: str, stylesheet: str) -> bytes:
    fetcher = RefusingURLFetcher()
    css = [CSS(string=stylesheet, base_url=None, url_fetcher=fetcher)] if stylesheet else []
    return HTML(string=document, base_url=None, url_fetcher=fetcher).write_pdf(stylesheets=css)


class LayoutFailed(Exception):
    """The layout did not finish: its child died without an answer (killed for memory, or
    crashed), or ran past its budget (LayoutTooLong). Callers catch this one."""


class LayoutTooLong(LayoutFailed):
    """The layout ran past its budget and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"Laying it out took longer than {seconds:g} seconds, so it was stopped.")


# The peak resident memory, in KiB, of the last layout child that answered in this process:
# for the benchmarks and the tests that bound a rendition's memory, since the layout's memory
# is not in the caller's own peak, nor in its children's (the child is the fork server's).
last_peak_kib = 0


def within(seconds: float, function: Callable[..., T], *args) -> T:
    """`function(*args)`, run in a child process that is killed after `seconds`. Its result
    and its exceptions come back as if it had run here."""
    receiving, sending = _context.Pipe(duplex=False)
    child = _context.Process(target=_run, args=(sending, function, args), daemon=True)
    child.start()
    sending.close()  # so that the child's death reads as the end of the pipe
    try:
        if not receiving.poll(seconds):
            raise LayoutTooLong(seconds)
        try:
            failed, value, peak_kib = receiving.recv()
        except EOFError:
            child.join(5)  # for its exit code
            raise LayoutFailed(
                f"The layout process stopped without an answer (exit code {child.exitcode})."
            ) from None
    finally:
        receiving.close()
        if child.exitcode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)
        child.join()
    global last_peak_kib
    last_peak_kib = peak_kib
    if failed:
        raise value
    return value


def _run(sending, function, args) -> None:
    try:
        outcome = (False, function(*args))
    except Exception as error:
        outcome = (True, error)
    try:
        sending.send((*outcome, _peak_kib()))
    except Exception as error:  # an exception that does not pickle still says what it was
        sending.send((True, LayoutFailed(f"{type(error).__name__}: {error}"), _peak_kib()))
    sending.close()


def _peak_kib() -> int:
    """This process's peak resident memory (Linux's VmHWM), 0 where it cannot be read."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0])
    except (OSError, IndexError, ValueError):
        return 0
