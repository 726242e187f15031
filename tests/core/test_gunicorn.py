"""casemgr served as in production: gunicorn with deploy/gunicorn.conf.py, DEBUG off, HTTPS
enforced. The health endpoints answer a load balancer's plain-HTTP probe; pages redirect to
HTTPS unless a trusted proxy says the request came over it."""

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.worker_process import database_url

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(settings, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casemgr.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://casemgr.example.com",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    # As a deployment does before it starts the web processes.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "casemgr.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    until = time.monotonic() + 30
    while time.monotonic() < until:
        try:
            requests.get(f"{base}/healthz", timeout=1)
            break
        except (requests.ConnectionError, requests.Timeout):
            assert process.poll() is None, log.seek(0) or log.read()
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=30)
    log.seek(0)
    output = log.read()
    assert "Traceback" not in output, output


def test_the_probes_answer_over_plain_http_and_pages_go_to_https(served):
    health = requests.get(f"{served}/healthz", timeout=5, allow_redirects=False)
    assert health.status_code == 200 and health.json() == {"status": "ok"}

    ready = requests.get(f"{served}/readyz", timeout=10, allow_redirects=False)
    assert ready.headers["Content-Type"] == "application/json"
    checks = ready.json()["checks"]
    assert {k: checks[k] for k in ("database", "migrations", "object_store", "redis")} == {
        "database": "ok",
        "migrations": "ok",
        "object_store": "ok",
        "redis": "ok",
    }

    page = requests.get(f"{served}/accounts/login/", timeout=5, allow_redirects=False)
    assert page.status_code == 301
    assert page.headers["Location"].startswith("https://")

    # Through the trusted proxy, which says the request came over HTTPS, the page is served.
    proxied = requests.get(
        f"{served}/accounts/login/",
        timeout=5,
        allow_redirects=False,
        headers={"X-Forwarded-Proto": "https"},
    )
    assert proxied.status_code == 200
    assert "Strict-Transport-Security" in proxied.headers
