"""casemgr's temporary files: in a folder of its own (TEMP_DIR), and swept.

Uploads being hashed, renditions, OCR runs and bundle builds all work in temporary files and
remove them when they finish; a process killed mid-work (an out-of-memory kill, a lost
machine) cannot. Every casemgr process therefore makes its temporary files under TEMP_DIR
(Python's tempfile and, through TMPDIR, the programs it runs), and whatever there is older
than any piece of work can last is swept: when a worker starts (so a restarted worker
clears what it left), every hour by beat, and by `manage.py sweep_temporary_files`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings

# Longer than the longest piece of work: an OCR run may take OCR_TIMEOUT (50 minutes), a
# 2 GB upload over a slow link some more; nothing lives a day.
STALE_AFTER = timedelta(hours=24)


def use(folder: Path) -> None:
    """Make `folder` where this process and the programs it starts put temporary files."""
    folder.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)


def sweep(now: float | None = None) -> list[Path]:
    """Remove what was left in TEMP_DIR, and half-written blobs (".partial-") under a local
    MEDIA_ROOT, untouched for STALE_AFTER; the paths removed."""
    cutoff = (now if now is not None else time.time()) - STALE_AFTER.total_seconds()
    removed = []
    temp = Path(settings.TEMP_DIR)
    if temp.is_dir():
        for entry in temp.iterdir():
            if _last_touched(entry) < cutoff:
                _remove(entry)
                removed.append(entry)
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        for partial in media.rglob(".partial-*"):
            if partial.is_file() and partial.stat().st_mtime < cutoff:
                partial.unlink(missing_ok=True)
                removed.append(partial)
    return removed


def _last_touched(entry: Path) -> float:
    """The newest modification under `entry`: a build folder is in use while anything in it
    is still being written."""
    try:
        newest = entry.lstat().st_mtime
        if entry.is_dir() and not entry.is_symlink():
            for path in entry.rglob("*"):
                newest = max(newest, path.lstat().st_mtime)
        return newest
    except FileNotFoundError:  # removed meanwhile by its own process
        return float("inf")


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)
