"""A real Celery worker in a process group of its own, for the tests whose point is the
worker: killed with SIGKILL (as an OOM kill or a lost machine would) and started again."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).parent / "celery"
PR_SET_CHILD_SUBREAPER = 36


def database_url() -> str:
    """The test database, where a transactional test's rows are committed."""
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker_env(*, visibility_timeout: int = 6) -> dict[str, str]:
    """The worker's environment: this test's database, Redis and stored files."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casemgr.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SITE_URL": "http://testserver",
        # A task whose worker died goes to the next worker after this long, not an hour.
        "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
    }


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[2]) == pgid:
            members.append(int(entry.name))
    return members


class Worker:
    """`celery worker --beat` in a session of its own, killed and started again at will.

    While it lives, this process is a child subreaper (Linux), so that the worker's children,
    orphaned by the kill, are handed to us and reaped rather than left as zombies (the
    machine's init may not reap them)."""

    def __init__(
        self,
        *,
        env: dict[str, str],
        folder: Path,
        queues: str = "mail",
        beat: bool = True,
        loglevel: str = "WARNING",
    ) -> None:
        self.env, self.folder, self.queues, self.beat = env, folder, queues, beat
        self.loglevel = loglevel
        self.log = (folder / "worker.log").open("a+b")  # appends, wherever we last read
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)

    def start(self) -> None:
        self.starts += 1
        # A schedule file of its own each time: one killed mid-write must not stop beat.
        schedule = self.folder / f"beat-{self.starts}"
        self.log.write(f"--- start {self.starts}\n".encode())
        self.log.flush()
        beat = ["--beat", "--schedule", str(schedule)] if self.beat else []
        self.process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "casemgr",
                "worker",
                *beat,
                "-Q",
                self.queues,
                "--concurrency",
                "2",
                "-l",
                self.loglevel,
                # Alone on its broker: nothing to synchronise with, so start at once.
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process is None:
            return
        pgid = self.process.pid
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.process = None
        until = time.monotonic() + 10
        while (members := _group_members(pgid)) and time.monotonic() < until:
            for pid in members:
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            time.sleep(0.01)

    def wait_until(self, condition, *, seconds: float, every: float = 0.002) -> bool:
        """Poll `condition` until it holds (True) or `seconds` pass (False); fail at once if
        the worker exits by itself meanwhile."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            if condition():
                return True
            self.check_alive()
            time.sleep(every)
        return False

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            pytest.fail(f"the worker exited by itself, with {self.process.returncode}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-20_000:]

    def close(self) -> None:
        self.kill()
        self.log.close()
        self._libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        """Closed at the end of the block; what it wrote is kept in `final_output` (to explain
        a failed assertion after the block) and printed if the block failed."""
        self.final_output = self.output()
        if kind is not None:
            print(self.final_output)
        self.close()
