"""The archive's layout. A zip (ZIP64, so members may pass 4 GB) holding:

- manifest.json: the format and its version, the matter, and for every other member its
  SHA-256 and size; for every blob also its key.
- records.jsonl: one row a line, {"model", "pk", "fields"}, models in dependency order and
  each row after any row it points to, so that an import can write them as it reads them.
- audit.jsonl: the matter's audit trail, oldest first.
- people.json: every user the records or the trail name, by e-mail (ids mean nothing
  elsewhere).
- reference.json: the shared rows the records point to (courts), by natural key.
- blobs/<key>: each stored file, under the key it is stored under.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import re
import uuid
from typing import Any

FORMAT = "casemgr-matter"
VERSION = 1
MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
AUDIT = "audit.jsonl"
PEOPLE = "people.json"
REFERENCE = "reference.json"
MEMBERS = (RECORDS, AUDIT, PEOPLE, REFERENCE)
BLOBS = "blobs/"
CHUNK = 1024 * 1024

# A key becomes a path in the store: plain segments only, nothing that climbs out of it.
SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*$")
HASH_IN_KEY = re.compile(r"^(?:evidence|renditions)/([0-9a-f]{2})/([0-9a-f]{64})(?:\.pdf)?$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def blob_member(key: str) -> str:
    return BLOBS + key


def safe_key(key: str) -> bool:
    return bool(SAFE_KEY.match(key)) and ".." not in key.split("/")


def hash_in_key(key: str) -> str | None:
    """The SHA-256 a content-addressed key is named after, or None for other keys."""
    match = HASH_IN_KEY.match(key)
    if match is None or not match.group(2).startswith(match.group(1)):
        return None
    return match.group(2)


def _plain(value: Any) -> Any:
    # Full precision: DjangoJSONEncoder would cut times to milliseconds, and the copy must
    # carry the moment that was recorded.
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def dumps(value: Any) -> str:
    return json.dumps(value, default=_plain, ensure_ascii=False, sort_keys=True)


class HashingWriter:
    """Writes to a zip member and keeps its SHA-256 and size for the manifest."""

    def __init__(self, stream) -> None:
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.stream.write(data)

    def line(self, text: str) -> None:
        self.write(text.encode() + b"\n")

    @property
    def entry(self) -> dict:
        return {"sha256": self.digest.hexdigest(), "size": self.size}
