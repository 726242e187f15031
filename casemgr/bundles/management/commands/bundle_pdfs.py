"""`manage.py bundle_pdfs --out OUT.pdf [--title T] [--dividers] FILE...` makes a bundle of
loose files, outside any matter, with the builder the app uses: one section, "A Documents",
one document per file, titled by its file name.

PDFs go in as they are; JPEG, PNG and TIFF images go in as the PDF renditions the app would
make of them (casemgr.evidence.renditions), written to a temporary folder removed at the end.
The bundle is written beside OUT.pdf under a temporary name, checked, and only then renamed,
so a build that fails leaves no OUT.pdf (and an earlier OUT.pdf as it was).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casemgr.bundles import builder
from casemgr.evidence.detection import Kind, detect
from casemgr.evidence.renditions import RenditionError, render

ACCEPTED = (Kind.PDF, Kind.JPEG, Kind.PNG, Kind.TIFF)


class Command(BaseCommand):
    help = (
        "Build a one-section court bundle (cover, index, page numbers, bookmarks) from PDF "
        "and image files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="PDF, JPEG, PNG or TIFF.")
        parser.add_argument("--out", required=True, help="The bundle to write, e.g. bundle.pdf.")
        parser.add_argument("--title", default="Bundle", help="Shown on the cover.")
        parser.add_argument(
            "--dividers", action="store_true", help="Put a divider page before the section."
        )

    def handle(self, *args, files: list[str], out: str, title: str, dividers: bool, **options):
        target = Path(out).resolve()
        if not target.parent.is_dir():
            raise CommandError(f"{out}: the folder {target.parent} does not exist.")
        paths = [Path(name) for name in files]
        kinds = [_kind(path) for path in paths]  # every file is checked before any work
        with tempfile.TemporaryDirectory(prefix="bundle-pdfs-") as work:
            documents = tuple(
                builder.Document(
                    key=f"file:{number}",
                    path=_pdf_of(path, kind, Path(work) / f"{number}.pdf"),
                    title=path.stem,
                )
                for number, (path, kind) in enumerate(zip(paths, kinds, strict=True), 1)
            )
            spec = builder.Spec(
                title=title,
                sections=(builder.Section(letter="A", title="Documents", documents=documents),),
                dividers=dividers,
            )
            handle, partial = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=".part"
            )
            os.close(handle)
            try:
                started = time.perf_counter()
                result = builder.build(spec, Path(partial))
                built = time.perf_counter()
                builder.check(Path(partial), result)
                checked = time.perf_counter()
                # mkstemp's file is private (0600); the bundle gets a new file's usual mode.
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(partial, 0o666 & ~umask)
                os.replace(partial, target)
            except builder.BundleError as error:
                raise CommandError(f"The bundle was not written: {error}") from error
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(partial)
        scanned = len(result.scanned)
        self.stdout.write(
            f"{target.name}: {result.page_count:,} pages, {len(documents):,} documents, "
            f"{_size(result.size)}, sha256 {result.sha256}, "
            f"built in {built - started:.2f} s (check {checked - built:.2f} s), "
            f"{scanned:,} scanned page{'' if scanned == 1 else 's'} (no text) flagged"
        )
        if options["verbosity"] > 1:
            for key, label in result.scanned:
                number = int(key.removeprefix("file:"))
                self.stdout.write(f"  scanned: page {label} ({paths[number - 1].name})")


def _kind(path: Path) -> Kind:
    if not path.is_file():
        raise CommandError(f"{path}: no such file.")
    detection = detect(
        path, path.name, max_pixels=settings.EVIDENCE_MAX_IMAGE_PIXELS, office_available=False
    )
    if not detection.accepted:
        raise CommandError(f"{path}: {detection.reason}")
    if detection.kind not in ACCEPTED:
        raise CommandError(
            f"{path}: only PDF, JPEG, PNG and TIFF files can be bundled with this command "
            f"(this one is {detection.mime})."
        )
    return detection.kind


def _pdf_of(path: Path, kind: Kind, rendition_path: Path) -> Path:
    """The PDF that stands for `path` in the bundle: a PDF itself, an image's rendition."""
    if kind is Kind.PDF:
        return path.resolve()
    try:
        rendition = render(path, kind, name=path.name)
    except RenditionError as error:
        raise CommandError(f"{path}: {error}") from error
    rendition_path.write_bytes(rendition.pdf)
    return rendition_path


def _size(size: int) -> str:
    return f"{size / 1024**2:,.1f} MiB" if size >= 1024**2 else f"{size / 1024:,.0f} KiB"
