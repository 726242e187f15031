"""casemgr served by gunicorn as in production (deploy/gunicorn.conf.py, DEBUG off, HTTPS
enforced), on loopback, for the tests that talk to it over HTTP."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.worker_process import database_url

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(settings, folder: Path, *, workers: int = 2) -> dict[str, str]:
    """The web processes' environment: this test's database and Redis, a port of their own."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casemgr.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://casemgr.example.com",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "STATIC_ROOT": str(folder / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": str(workers),
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }


class Gunicorn:
    """The master and its workers, started with the static files collected (as a deployment
    does before it starts the web processes) and answering once the block begins. At its
    end the master is stopped and its log must hold no traceback."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.base = f"http://{env['GUNICORN_BIND']}"
        self.log = (folder / "gunicorn.log").open("w+")
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "casemgr.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        until = time.monotonic() + 30
        while time.monotonic() < until:
            try:
                requests.get(f"{self.base}/healthz", timeout=1)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert self.process.poll() is None, self.output()
                time.sleep(0.1)
        return self

    def workers(self) -> set[int]:
        """The master's children: its workers, as they are now."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return {int(child) for child in children.split()}

    def kill_worker(self) -> int:
        """SIGKILL one worker, as an OOM kill would; the master should replace it."""
        victim = min(self.workers())
        os.kill(victim, signal.SIGKILL)
        return victim

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def __exit__(self, kind, error, traceback) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        output = self.output()
        self.log.close()
        if kind is None:
            assert "Traceback" not in output, output
