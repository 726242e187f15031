"""`make run HOST=… PORT=…` (.ci/serve): links in e-mails and the calendar feed point where
the app is actually served.

.ci/serve runs as `make run` runs it, in a folder whose .venv/bin/python stands in for the
real one: asked to run the server, it prints the SITE_URL the real settings read from the
environment .ci/serve gives the server (the worker and the reminder sweep get the same)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

STAND_IN = f"""#!/bin/sh
if [ "$1" = manage.py ] && [ "$2" = runserver ]; then
  cd {ROOT} && exec {sys.executable} -c "
import django, os
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'casemgr.settings')
django.setup()
from django.conf import settings
print('SITE_URL=' + settings.SITE_URL)"
fi
if [ "$1" = -c ]; then cd {ROOT} && exec {sys.executable} "$@"; fi
"""


def serve(tmp_path, *args: str, **env: str) -> str:
    stand_in = tmp_path / ".venv" / "bin" / "python"
    stand_in.parent.mkdir(parents=True)
    stand_in.write_text(STAND_IN)
    stand_in.chmod(0o755)
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SITE_URL", "REDIS_URL", "DATABASE_URL", "SECRET_KEY"}
    }
    output = tmp_path / "output"
    with output.open("w") as out:
        # Into a file, not a pipe: the reminder loop's `sleep` outlives the script briefly
        # and would hold a pipe open. A short period, so that it is gone a second later.
        result = subprocess.run(
            [str(ROOT / ".ci" / "serve"), *args],
            cwd=tmp_path,
            env={**base, "DEBUG": "1", "REMINDER_SWEEP_SECONDS": "1", **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=60,
            check=False,
        )
    printed = output.read_text()
    assert result.returncode == 0, printed
    [line] = [line for line in printed.splitlines() if line.startswith("SITE_URL=")]
    return line.removeprefix("SITE_URL=")


@pytest.mark.parametrize(
    ("host", "port", "site_url"),
    [
        ("127.0.0.1", "8000", "http://127.0.0.1:8000"),
        ("127.0.0.1", "8123", "http://127.0.0.1:8123"),
        ("localhost", "9000", "http://localhost:9000"),
        # Listening everywhere: the links name this machine as its own browser reaches it.
        ("0.0.0.0", "8123", "http://127.0.0.1:8123"),  # noqa: S104
    ],
)
def test_links_follow_the_host_and_port_make_run_serves_on(tmp_path, host, port, site_url):
    assert serve(tmp_path, host, port) == site_url


def test_a_site_url_given_is_kept(tmp_path):
    assert (
        serve(tmp_path, "127.0.0.1", "8123", SITE_URL="https://casemgr.example.com")
        == "https://casemgr.example.com"
    )
