"""Evidence bytes in Django's storage (a local folder, or S3 via django-storages).

Keys come from the content's SHA-256, never from the user's file name, so nobody can choose
where bytes land and the same bytes are stored once. Stored bytes are never rewritten; every
time they are read for serving or processing, their hash is checked again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

CHUNK = 1024 * 1024
log = logging.getLogger(__name__)


class TamperedFile(Exception):
    """Stored bytes no longer match the hash they were stored under."""


def evidence_key(sha256: str) -> str:
    return f"evidence/{sha256[:2]}/{sha256}"


def rendition_key(sha256: str) -> str:
    return f"renditions/{sha256[:2]}/{sha256}.pdf"


def store_path(path: Path, sha256: str) -> str:
    """Store the (already hashed) file at `path` under its hash; return the key."""
    key = evidence_key(sha256)
    if default_storage.exists(key):
        try:
            verify(key, sha256)
            return key
        except TamperedFile:
            # What sits under this hash is not these bytes (an interrupted write, or worse):
            # replace it with the copy just received, which was hashed on arrival.
            log.critical("Stored bytes at %s did not match their hash; replaced", key)
            default_storage.delete(key)
    with path.open("rb") as source:
        return _save_whole(key, source)


def store_file(path: Path, key: str) -> str:
    """Publish a finished local file (a built bundle) under `key`, whole or not at all."""
    with path.open("rb") as source:
        return _save_whole(key, source)


def store_rendition(path: Path) -> tuple[str, str]:
    """Publish a PDF made from stored evidence (a rendition) under its SHA-256: key and hash."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    sha256 = digest.hexdigest()
    return store_file(path, rendition_key(sha256)), sha256


def store_stream(source, key: str) -> str:
    """Publish what `source` (a file object, already checked) reads under `key`."""
    return _save_whole(key, source)


def store_bytes(data: bytes, key: str) -> str:
    if default_storage.exists(key):
        return key
    return _save_whole(key, io.BytesIO(data))


def _save_whole(key: str, source) -> str:
    """Write so that the key never names a half-written file: on local disk, write beside it
    and rename into place (atomic); object stores publish a PUT only once it is complete."""
    try:
        final = Path(default_storage.path(key))
    except NotImplementedError:
        return default_storage.save(key, File(source, name=key))
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=final.parent, prefix=".partial-", delete=False) as part:
        try:
            shutil.copyfileobj(source, part, CHUNK)
            part.flush()
            os.fsync(part.fileno())
        except BaseException:
            Path(part.name).unlink(missing_ok=True)
            raise
    os.chmod(part.name, 0o640)
    os.replace(part.name, final)
    return key


def verify(key: str, sha256: str) -> None:
    """Read the stored bytes through and compare their hash; raise TamperedFile if they differ."""
    if stored_sha256(key) != sha256:
        raise TamperedFile(f"{key}: stored bytes do not match SHA-256 {sha256}")


def stored_sha256(key: str, on_read: Callable[[int], object] | None = None) -> str:
    """The SHA-256 of the bytes stored under `key`, read a chunk at a time (a file may be
    2 GB); `on_read` is told each chunk's size, for progress. FileNotFoundError (from either
    backend) if nothing is stored there."""
    digest = hashlib.sha256()
    with default_storage.open(key, "rb") as stored:
        while chunk := stored.read(CHUNK):
            digest.update(chunk)
            if on_read is not None:
                on_read(len(chunk))
    return digest.hexdigest()


@contextmanager
def local_copy(key: str, sha256: str, suffix: str = "") -> Iterator[Path]:
    """The stored bytes as a local temporary file, hash-checked on the way, for tools that
    need a path (PDF and image libraries). Deleted afterwards."""
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as target:
        path = Path(target.name)
        try:
            with default_storage.open(key, "rb") as stored:
                while chunk := stored.read(CHUNK):
                    digest.update(chunk)
                    target.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    try:
        if digest.hexdigest() != sha256:
            raise TamperedFile(f"{key}: stored bytes do not match SHA-256 {sha256}")
        yield path
    finally:
        path.unlink(missing_ok=True)


def copy_to_temp(data: bytes, suffix: str = "") -> Path:
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as target:
        target.write(data)
    return Path(target.name)
