"""Receiving uploaded evidence: hashed and counted as it streams in, refused early when too big.

Django's parser hands each chunk of the request body to the upload handlers. This one writes
the chunk to a temporary file on disk (never holding the file in memory), feeds it to
SHA-256 and counts it, so that when the upload completes its hash is already known and the
bytes can be stored under a key derived from that hash.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler


class UploadTooLarge(Exception):
    pass


class HashingUploadHandler(TemporaryFileUploadHandler):
    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.max_bytes = settings.EVIDENCE_MAX_UPLOAD_BYTES
        self.too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Refuse before reading a byte when the client says how much is coming.
        if content_length and content_length > self.max_bytes + 64 * 1024:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        return None

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.hasher = hashlib.sha256()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        self.hasher.update(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int):
        uploaded = super().file_complete(file_size)
        uploaded.sha256 = self.hasher.hexdigest()
        return uploaded


def declared_too_large(request) -> bool:
    """Whether the request announces more bytes than an upload may have (checked before any
    of the body is read, so the client can be told at once)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # no usable length: the handler counts the bytes as they come
    return length > settings.EVIDENCE_MAX_UPLOAD_BYTES + 64 * 1024


def install_hashing_handler(request) -> HashingUploadHandler:
    """Make `request` parse its upload with a HashingUploadHandler. Must run before anything
    reads request.POST or request.FILES (including the CSRF check)."""
    handler = HashingUploadHandler(request)
    request.upload_handlers = [handler]
    return handler


_UNSAFE = re.compile(r"[^\w .()\[\]+,@&'-]+")


def clean_filename(name: str) -> str:
    """The user's file name as safe metadata: no path, no control characters, bounded.
    It is only ever shown, never used to build a path or a storage key."""
    name = unicodedata.normalize("NFC", name or "")
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[-200:] or "unnamed"
