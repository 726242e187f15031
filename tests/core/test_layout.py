"""Layouts in a child process with a time budget (casemgr/core/layout.py). The functions the
children run are this module's, so that the child can import them."""

import os
import time

import billiard
import pikepdf
import pytest

from casemgr.core import layout


def _sleep_forever() -> None:
    time.sleep(3600)


def _die() -> None:
    os._exit(9)


def _refuse(reason: str) -> None:
    raise ValueError(reason)


def test_a_layout_comes_back_as_a_pdf(tmp_path):
    pdf = layout.write_pdf("<h1>Chronology</h1><p>One entry.</p>", "h1 { color: red }", seconds=60)

    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    with pikepdf.open(path) as document:
        assert len(document.pages) == 1


def test_past_its_budget_the_child_is_killed_and_the_caller_told():
    started = time.monotonic()

    with pytest.raises(layout.LayoutTooLong, match="longer than 0.5 seconds"):
        layout.within(0.5, _sleep_forever)

    assert time.monotonic() - started < 30  # not the hour the child asked for
    assert billiard.active_children() == []


def test_an_error_in_the_child_reaches_the_caller_as_itself():
    with pytest.raises(ValueError, match="no such font"):
        layout.within(60, _refuse, "no such font")


def test_a_child_that_dies_is_a_failure_not_a_hang():
    with pytest.raises(layout.LayoutFailed, match="stopped without an answer"):
        layout.within(60, _die)


def test_no_url_is_fetched_for_a_layout():
    # An image pointing at a file on the server: the fetcher refuses it, the layout goes on.
    pdf = layout.write_pdf('<p>Before</p><img src="file:///etc/passwd"><p>After</p>', seconds=60)

    assert b"root:" not in pdf
