"""casemgr under load as a firm serves it: gunicorn with deploy/gunicorn.conf.py and
production settings on PostgreSQL, the demo matter loaded, and concurrent signed-in clients
on loopback reading the dashboard, the timeline and the exhibits list.

    .venv/bin/python benchmarks/load.py [--workers 3] [--clients 20] [--seconds 60]

Creates a PostgreSQL database of its own (casemgr_bench_load, on BENCH_POSTGRES_URL's server)
and drops it at the end; loads the demo matter and collects static files (not timed); starts
gunicorn with --workers processes; then --clients threads, each a keep-alive connection
signed in as the demo partner, request the three pages in turn for --seconds (after a 5 s
warm-up, not counted). The clients share the machine with the server, as a proxy on the same
host would; their own CPU is reported. Prints, per page and in all: requests, requests per
second, p50, p90 and p99 latency, and errors (any status but 200, or a failed connection).
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import scratch_database  # benchmarks/, beside this script

NAME = "casemgr_bench_load"
ROOT = Path(__file__).resolve().parents[1]
WARM_UP = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(folder: Path, secret: str) -> tuple[dict[str, str], str]:
    """The demo matter in the benchmark's database, static files collected; the pages to
    request and a session cookie of the demo partner."""
    os.environ["SECRET_KEY"] = secret  # the server's too: the session is signed with it
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    scratch_database.setup_django(NAME)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from casemgr.matters.models import Matter

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    matter = Matter.objects.get(reference="NWA-0042")
    client = Client()
    client.force_login(get_user_model().objects.get(username="partner"))
    pages = {
        "dashboard": reverse("dashboard"),
        "timeline": reverse("timeline:timeline", kwargs={"matter_pk": matter.pk}),
        "exhibits": reverse("evidence:exhibits", kwargs={"matter_pk": matter.pk}),
    }
    print(f"set-up: demo matter loaded in {time.perf_counter() - started:.0f} s")
    return pages, client.cookies["sessionid"].value


def serve(folder: Path, secret: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casemgr.settings",
        "DEBUG": "0",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://casemgr.example.com",
        "DATABASE_URL": f"{scratch_database.SERVER}/{NAME}",
        "REDIS_URL": "",
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = (folder / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "casemgr.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    until = time.monotonic() + 60
    while time.monotonic() < until:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn did not start: see {folder / 'gunicorn.log'}")


class Client(threading.Thread):
    """One signed-in browser: a keep-alive connection, the pages in turn, as fast as the
    server answers."""

    def __init__(self, port, pages, cookie, start_at, stop_at, offset):
        super().__init__(daemon=True)
        self.port, self.pages, self.cookie = port, list(pages.items()), cookie
        self.start_at, self.stop_at, self.offset = start_at, stop_at, offset
        self.timings: dict[str, list[float]] = {name: [] for name in pages}
        self.errors: dict[str, int] = dict.fromkeys(pages, 0)

    def run(self) -> None:
        headers = {
            "Cookie": f"sessionid={self.cookie}",
            # The proxy's word that the browser's request came over HTTPS.
            "X-Forwarded-Proto": "https",
        }
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        turn = self.offset
        while (now := time.monotonic()) < self.stop_at:
            name, path = self.pages[turn % len(self.pages)]
            turn += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            elapsed = time.perf_counter() - started
            if now >= self.start_at:
                self.timings[name].append(elapsed)
                if not ok:
                    self.errors[name] += 1
        connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    secret = secrets.token_urlsafe(50)
    scratch_database.recreate(NAME)
    server = None
    try:
        with tempfile.TemporaryDirectory(prefix="casemgr-load-") as tmp:
            folder = Path(tmp)
            pages, cookie = prepare(folder, secret)
            port = free_port()
            server = serve(folder, secret, port, args.workers)
            start_at = time.monotonic() + WARM_UP
            stop_at = start_at + args.seconds
            cpu_before = resource.getrusage(resource.RUSAGE_SELF)
            clients = [
                Client(port, pages, cookie, start_at, stop_at, n) for n in range(args.clients)
            ]
            for client in clients:
                client.start()
            for client in clients:
                client.join()
            cpu_after = resource.getrusage(resource.RUSAGE_SELF)
            client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
                cpu_after.ru_stime - cpu_before.ru_stime
            )
            report(args, pages, clients, client_cpu)
            server.terminate()
            server.wait(timeout=60)
            server = None
    finally:
        if server is not None:
            server.kill()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scratch_database.recreate(NAME, drop_only=True)


def report(args, pages, clients, client_cpu: float) -> None:
    print(
        f"\ngunicorn, {args.workers} workers, {args.clients} clients, {args.seconds:.0f} s "
        f"on {os.cpu_count()} cores (clients' own CPU: {client_cpu:.0f} s)\n"
    )
    print("| page | requests | requests/s | p50 | p90 | p99 | errors |")
    print("|---|---|---|---|---|---|---|")
    every: list[float] = []
    errors_in_all = 0
    for name in pages:
        timings = [t for c in clients for t in c.timings[name]]
        errors = sum(c.errors[name] for c in clients)
        every += timings
        errors_in_all += errors
        print(row(name, timings, errors, args.seconds))
    print(row("all", every, errors_in_all, args.seconds))
    if every:
        print(f"\nmean latency {statistics.mean(every) * 1000:.0f} ms")


def row(name: str, timings: list[float], errors: int, seconds: float) -> str:
    return (
        f"| {name} | {len(timings):,} | {len(timings) / seconds:.1f} | "
        f"{percentile(timings, 0.5) * 1000:.0f} ms | {percentile(timings, 0.9) * 1000:.0f} ms | "
        f"{percentile(timings, 0.99) * 1000:.0f} ms | {errors} |"
    )


if __name__ == "__main__":
    main()
