"""casemgr served as in production: gunicorn with deploy/gunicorn.conf.py, DEBUG off, HTTPS
enforced. The health endpoints answer a load balancer's plain-HTTP probe; pages redirect to
HTTPS unless a trusted proxy says the request came over it."""

import pytest
import requests

from tests.gunicorn_process import Gunicorn, production_env

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served(settings, tmp_path):
    with Gunicorn(production_env(settings, tmp_path), tmp_path) as web:
        yield web.base


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
