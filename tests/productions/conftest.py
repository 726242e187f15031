import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from casemgr.evidence import storage
from casemgr.productions import loadfiles, services
from casemgr.productions.models import Production
from casemgr.redaction.models import Redaction
from tests.bundles.conftest import add_exhibit  # noqa: F401 (a fixture, used by name)


@pytest.fixture
def produce(world, django_capture_on_commit_callbacks):
    """Choose exhibits and run the build (eagerly, as the worker would)."""

    def run(*exhibits, prefix="NWA", padding=6, order="reference", user=None, title="Tranche"):
        production = Production(
            matter=world.matter,
            proceeding=world.proceeding,
            title=title,
            prefix=prefix,
            padding=padding,
            produced_to=world.defendant,
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.production_create(
                production=production,
                exhibits=list(exhibits),
                order=order,
                actor=user or world.paralegal,
            )
        production.refresh_from_db()
        return production

    return run


@pytest.fixture
def redact(world):
    """A redaction of `exhibit`'s first file whose redacted file is `content`, approved by a
    second member unless `status` says otherwise."""

    def make(exhibit, content: bytes, status=Redaction.Status.APPROVED) -> Redaction:
        exhibit_file = exhibit.files.get()
        sha256 = __import__("hashlib").sha256(content).hexdigest()
        key = storage.store_bytes(content, f"redactions/{sha256}.pdf")
        approved = status == Redaction.Status.APPROVED
        return Redaction.objects.create(
            file=exhibit_file,
            matter=exhibit.matter,
            source_sha256=exhibit_file.rendition_sha256,
            status=status,
            created_by=world.paralegal,
            storage_key=key,
            sha256=sha256,
            size=len(content),
            proposed_by=world.paralegal,
            reviewed_by=world.partner if approved else None,
        )

    return make


class Unpacked:
    """A production's zip, read back as a review platform would."""

    def __init__(self, production: Production, tmp_path: Path) -> None:
        with storage.default_storage.open(production.storage_key, "rb") as stored:
            data = stored.read()
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        self.names = self.archive.namelist()
        self.volume = self.names[0].split("/")[0]
        self.tmp_path = tmp_path

    def read(self, path: str) -> bytes:
        """`path` as the load files write it (backslashes, relative to the volume)."""
        return self.archive.read(f"{self.volume}/{path.replace(chr(92), '/')}")

    def dat(self) -> list[dict[str, str]]:
        return parse_dat(self.read(f"DATA\\{self.volume}.dat"))

    def opt(self) -> list[list[str]]:
        return parse_opt(self.read(f"DATA\\{self.volume}.opt"))

    def pdf_path(self, path: str) -> Path:
        target = self.tmp_path / path.replace("\\", "_")
        target.write_bytes(self.read(path))
        return target


def parse_dat(data: bytes) -> list[dict[str, str]]:
    """A Concordance DAT: UTF-8 (BOM allowed), CRLF rows, þ-quoted fields split by DC4."""
    text = data.decode("utf-8-sig")
    rows = []
    for line in text.split("\r\n"):
        if not line:
            continue
        fields = line.split(loadfiles.FIELD)
        assert all(f.startswith("\u00fe") and f.endswith("\u00fe") for f in fields), line
        rows.append([f[1:-1] for f in fields])
    header, *body = rows
    assert all(len(row) == len(header) for row in body)
    return [dict(zip(header, row, strict=True)) for row in body]


def parse_opt(data: bytes) -> list[list[str]]:
    lines = [line for line in data.decode("utf-8").split("\r\n") if line]
    rows = [line.split(",") for line in lines]
    assert all(len(row) == 7 for row in rows)
    return rows


def page_text(path: Path, page: int = 1) -> str:
    completed = subprocess.run(  # noqa: S603 (a fixed program, a test file)
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    return completed.stdout.decode()


@pytest.fixture
def unpack(tmp_path):
    return lambda production: Unpacked(production, tmp_path)
