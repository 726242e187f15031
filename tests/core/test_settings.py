"""Production settings: refuse to start half-configured, pass Django's deployment checklist."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "casemgr.settings",
            "SITE_URL": "https://casemgr.example.com",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_check_deploy_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="casemgr.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="casemgr.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    "key",
    ["short", "a" * 60, "django-insecure-" + secrets.token_urlsafe(50)],
    # Named, not shown: a random key in a test's name differs between parallel workers.
    ids=["short", "one-character", "django-insecure"],
)
def test_production_refuses_a_key_that_is_not_random_enough(key):
    result = manage("check", DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="casemgr.example.com")
    assert result.returncode != 0
    assert "at least 50 random characters" in result.stderr


def test_production_needs_the_site_url_for_links():
    result = manage(
        "check",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="casemgr.example.com",
        SITE_URL="",
    )
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(secrets.token_urlsafe(64))
    result = manage(
        "check", DEBUG="0", SECRET_KEY_FILE=str(key_file), ALLOWED_HOSTS="casemgr.example.com"
    )
    assert result.returncode == 0, result.stderr


def test_demo_logins_are_refused_in_production():
    result = manage(
        "load_demo",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="casemgr.example.com",
        DATABASE_URL="sqlite:///:memory:",
    )
    assert result.returncode != 0
    assert "Refusing to load demo logins" in result.stderr
