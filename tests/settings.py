"""Settings for the test suite: the real ones, with the test stack's services.

`make test` sets DATABASE_URL and REDIS_URL to the local PostgreSQL and Redis (see the
Makefile); the defaults below are the same services, so a plain `pytest` works too.
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/casemgr")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

# Run in parallel (pytest -n 2), each worker process takes a Redis database of its own, one
# below the last (15, 14, …): the queues a test empties and the cache are then its own.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    base, _, db = os.environ["REDIS_URL"].rpartition("/")
    os.environ["REDIS_URL"] = f"{base}/{int(db or 0) - int(worker.removeprefix('gw'))}"

from casemgr.settings import *  # noqa: E402, F403

# Hashing passwords slowly is a defence in production and only a cost in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# Tasks run where they are queued, so a test sees their effect; the tests whose point is
# the worker (tests/core/test_worker.py) switch this off and run a real worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405  (live-server threads must not hold connections past a test)

# Evidence stored by the tests goes to a folder of their own, removed with the machine's /tmp.
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="casemgr-test-media-")
STORAGES["default"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
}

# A second casemgr's database on the same server, for moving a matter from one installation
# to another (tests/core/test_portability.py); created only for the tests that ask for it.
DATABASES["elsewhere"] = {  # noqa: F405
    **DATABASES["default"],  # noqa: F405
    "TEST": {"NAME": f"test_{DATABASES['default']['NAME']}_elsewhere"},  # noqa: F405
}
