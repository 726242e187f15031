"""gunicorn's configuration for casemgr: `gunicorn -c deploy/gunicorn.conf.py casemgr.wsgi`.

Every value can be changed from the environment (the variables below), so one file serves
every machine.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Synchronous workers: casemgr's requests are short except uploads and downloads of evidence,
# and a worker held by one of them is one of several. Two per core and one more, the usual
# start; watch the p99 latency of /readyz and pages under load before changing it.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

# An upload of a 2 GiB exhibit is read by the worker as it arrives. Behind a proxy that
# buffers request bodies (nginx does by default) it arrives at disk speed; without one, a
# slow link holds the worker for the whole upload, so the timeout allows 2 GiB at about
# 4 MB/s. A worker that stops answering for longer is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 600))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 60))
keepalive = 5

# Replace each worker after some thousands of requests (jittered, so not all at once): a
# slow leak in a library never grows into an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = max_requests // 10

# The proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: the load balancer's
# addresses, comma-separated. Anything else could claim to be HTTPS, or any address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The heartbeat file of each worker in memory, not on a disk that may stall.
# gunicorn makes each file there with mkstemp, private to its user.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# No control socket: casemgr is managed by its service manager, and two gunicorns on one
# machine would fight over the one default path.
control_socket_disable = True
