"""A PostgreSQL database of a benchmark's own, and Django set up on it.

The database is created on the server of BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432) and dropped by the benchmark when it is done, so a run
never touches the development or test databases.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def recreate(name: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not drop_only:
            admin.execute(f"CREATE DATABASE {name}")


def setup_django(name: str) -> None:
    """Django on the database `name`, with the development defaults (DEBUG on for its secret
    key and storage; a benchmark turns it off to measure) and nothing sent or queued."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "casemgr.settings",
            "DEBUG": "1",
            "DATABASE_URL": f"{SERVER}/{name}",
            "EMAIL_URL": "consolemail://",
            "REDIS_URL": "",
            "SITE_URL": "http://127.0.0.1:8000",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
