"""Stream a large file through the upload endpoint; compare with `cp`; report web memory.

    .venv/bin/python benchmarks/upload.py [--size-mb 1024]

Starts its own server (manage.py runserver, SQLite in a temporary folder, renditions queued
to Redis and not run, so that only the upload path is measured), uploads one text file of
the given size with a token over a plain HTTP connection, and prints:
- the upload's throughput, and its ratio to `cp` of the same file on the same disk;
- the web process's peak resident memory (VmHWM) above its size before the upload.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CHUNK = 1024 * 1024


def make_file(path: Path, size: int) -> None:
    line = b"2025-11-03T10:00:00Z nw-0001 /v2/messages prompt_tokens=912 output_tokens=1840\n"
    block = line * (CHUNK // len(line))
    with path.open("wb") as out:
        written = 0
        while written < size:
            piece = block[: size - written]
            out.write(piece)
            written += len(piece)


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    size = args.size_mb * CHUNK
    work = Path(tempfile.mkdtemp(prefix="casemgr-bench-"))
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "FILE_UPLOAD_TEMP_DIR": str(work),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
        "EVIDENCE_MAX_UPLOAD_BYTES": str(4 * 1024**3),
    }
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*manage, "load_demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    token = subprocess.run(
        [*manage, "drf_create_token", "paralegal"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[2]
    matter = (
        subprocess.run(
            [
                *manage,
                "shell",
                "-c",
                "from casemgr.matters.models import Matter; "
                "print(Matter.objects.get(reference='NWA-0042').pk)",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    source = work / "log-export.txt"
    make_file(source, size)
    started = time.perf_counter()
    shutil.copyfile(source, work / "copy.txt")
    os.sync()
    cp_seconds = time.perf_counter() - started
    (work / "copy.txt").unlink()

    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{args.port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        idle_kb = status_kb(server.pid, "VmRSS")
        boundary = "----casemgrbench"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{source.name}"\r\nContent-Type: text/plain\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=3600)
        started = time.perf_counter()
        connection.putrequest("POST", f"/api/matters/{matter}/exhibits/upload/")
        connection.putheader("Authorization", f"Token {token}")
        connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        connection.putheader("Content-Length", str(len(head) + size + len(tail)))
        connection.endheaders()
        connection.send(head)
        with source.open("rb") as body:
            while chunk := body.read(CHUNK):
                connection.send(chunk)
        connection.send(tail)
        response = connection.getresponse()
        reply = json.loads(response.read())
        upload_seconds = time.perf_counter() - started
        peak_kb = status_kb(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)

    assert response.status == 201, reply
    mb = size / CHUNK
    print(f"file: {mb:.0f} MiB, answer {response.status}, sha256 {reply['sha256'][:16]}…")
    print(f"cp:     {cp_seconds:7.2f} s  {mb / cp_seconds:8.1f} MiB/s")
    print(f"upload: {upload_seconds:7.2f} s  {mb / upload_seconds:8.1f} MiB/s")
    print(f"upload throughput / cp throughput: {cp_seconds / upload_seconds:.2f}")
    print(
        f"web process: idle {idle_kb / 1024:.0f} MiB, peak {peak_kb / 1024:.0f} MiB, "
        f"peak above idle {(peak_kb - idle_kb) / 1024:.0f} MiB (goal: under 100 MiB)"
    )


if __name__ == "__main__":
    main()
