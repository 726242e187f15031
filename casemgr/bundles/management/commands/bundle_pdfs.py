"""`manage.py bundle_pdfs [--out OUT.pdf] [--title T] [--claim-number N] [--case-name NAME]
[--court C] [--letter L] [--dividers] [--max-mb MB] [--split] FILE...` makes a bundle of loose
files, outside any matter, with the builder the app uses: one section, "A Documents", one
document per file, titled by its file name. The claim number, short case name, court and
bundle letter go on the cover and, without --out (or with --out naming a folder), into the
file's name as the guidance asks: "IL-2026-000123 Northwind v Jadeport - Bundle A - v1.pdf".

A PDF protected by an owner password only (it opens for anyone; the password restricts
printing or changes) goes in as the builder takes it, and the bundle carries no protection;
the app's upload refuses such files, this command accepts them. A PDF that needs a password
to open is refused.

PDFs go in as they are; JPEG, PNG and TIFF images go in as the PDF renditions the app would
make of them (casemgr.evidence.renditions), written to a temporary folder removed at the end.
The bundle is written beside OUT.pdf under a temporary name, checked, and only then renamed,
so a build that fails leaves no OUT.pdf (and an earlier OUT.pdf as it was).

A bundle larger than --max-mb (BUNDLE_SIZE_WARNING_MB unless given; MB of 2^20 bytes, as
the setting) is written, and a warning says so on stderr: court filing systems and e-mail
refuse larger files. With --split it is written instead as bundles OUT-A.pdf, OUT-B.pdf...,
each a bundle of its own (cover, index, numbers from 1, its title followed by "(bundle A)"),
the files in the order given. The rule: each file counts at its size less what resampling
its images to 300 dpi is expected to save (`images.projected_size`), and a bundle takes
files in order while they and its cover, index and stamps (measured on the builds so far)
stay under the limit. A bundle built past the limit all the same is built again with a file
fewer. A file larger than the limit on its own is a bundle of its own, and the warning names
it. When everything fits, --split writes OUT.pdf alone. Nothing is renamed into place until
every bundle has been built and checked.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casemgr.bundles import builder, images
from casemgr.evidence.detection import PDF_RESTRICTED, Kind, detect
from casemgr.evidence.renditions import RenditionError, render

ACCEPTED = (Kind.PDF, Kind.JPEG, Kind.PNG, Kind.TIFF)


class Command(BaseCommand):
    help = (
        "Build a one-section court bundle (cover, index, page numbers, bookmarks) from PDF "
        "and image files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="PDF, JPEG, PNG or TIFF.")
        parser.add_argument(
            "--out",
            default="",
            help="The bundle to write, e.g. bundle.pdf; a folder, or nothing, to name it from "
            "the claim number, case name and letter in that folder (default: here).",
        )
        parser.add_argument("--title", default="Bundle", help="Shown on the cover.")
        parser.add_argument("--claim-number", default="", help="e.g. IL-2026-000123.")
        parser.add_argument(
            "--case-name", default="", help='The short case name, e.g. "Northwind v Jadeport".'
        )
        parser.add_argument(
            "--court", default="", help='As the court styles itself, e.g. "High Court of Justice".'
        )
        parser.add_argument(
            "--letter", default="", help="The bundle's letter, e.g. A (with --split, the first)."
        )
        parser.add_argument(
            "--dividers", action="store_true", help="Put a divider page before the section."
        )
        parser.add_argument(
            "--max-mb",
            type=float,
            default=None,
            help="The largest bundle to write without a warning, in MB "
            "(default: BUNDLE_SIZE_WARNING_MB).",
        )
        parser.add_argument(
            "--split",
            action="store_true",
            help="Write several bundles, OUT-A.pdf, OUT-B.pdf..., each under the limit.",
        )

    def handle(
        self,
        *args,
        files: list[str],
        out: str,
        title: str,
        claim_number: str,
        case_name: str,
        court: str,
        letter: str,
        dividers: bool,
        max_mb: float | None,
        split: bool,
        **options,
    ):
        letter = letter.strip().upper()
        if letter and letter not in builder.LETTERS:
            raise CommandError(f"--letter: {letter!r} is not a bundle letter (A to Z, AA to ZZ).")
        cover = _Cover(claim_number.strip(), case_name.strip(), court.strip(), letter)
        named = not out or Path(out).is_dir()
        target = (
            (Path(out or ".") / cover.file_name(letter)).resolve() if named else Path(out).resolve()
        )
        if not target.parent.is_dir():
            raise CommandError(f"{out}: the folder {target.parent} does not exist.")
        max_mb = settings.BUNDLE_SIZE_WARNING_MB if max_mb is None else max_mb
        if max_mb <= 0:
            raise CommandError("--max-mb must be more than 0.")
        limit = int(max_mb * 1024**2)
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
            bundles = _Bundles(target, title, dividers, cover, named=named)
            try:
                if split:
                    bundles.split(documents, limit)
                else:
                    bundles.build(documents, target)
                bundles.publish()
            except builder.BundleError as error:
                raise CommandError(f"The bundle was not written: {error}") from error
            finally:
                bundles.discard()

        for built in bundles.built:
            self._summary(built, paths, verbosity=options["verbosity"])
        if len(bundles.built) > 1:
            names = ", ".join(built.target.name for built in bundles.built)
            self.stdout.write(f"{len(bundles.built)} bundles, in the order given: {names}")
        for built in bundles.built:
            if built.result.size > limit:
                self.stderr.write(_too_large(built, max_mb, split=split))

    def _summary(self, built: _Built, paths: list[Path], *, verbosity: int) -> None:
        result = built.result
        scanned = len(result.scanned)
        resampled = result.resampled
        documents = len(built.documents)
        self.stdout.write(
            f"{built.target.name}: {result.page_count:,} pages, {documents:,} "
            f"document{'' if documents == 1 else 's'}, {_size(result.size)}, "
            f"sha256 {result.sha256}, "
            f"built in {built.seconds:.2f} s (check {built.check_seconds:.2f} s), "
            f"{scanned:,} scanned page{'' if scanned == 1 else 's'} (no text) flagged, "
            f"{resampled:,} image{'' if resampled == 1 else 's'} resampled to 300 dpi"
        )
        if verbosity > 1:
            for key, label in result.scanned:
                number = int(key.removeprefix("file:"))
                self.stdout.write(f"  scanned: page {label} ({paths[number - 1].name})")


@dataclass
class _Built:
    target: Path  # where it goes once every bundle is built and checked
    partial: Path  # where it is until then
    documents: tuple[builder.Document, ...]
    result: builder.Result
    seconds: float
    check_seconds: float


@dataclass(frozen=True)
class _Cover:
    """What the cover and the file's name say of the case."""

    claim_number: str
    case_name: str
    court: str
    letter: str  # of the bundle, or of the first of a split

    def file_name(self, letter: str) -> str:
        return builder.file_name(self.claim_number, self.case_name, letter)


class _Bundles:
    """The bundles of one run, built and checked beside their targets under temporary
    names, and renamed into place together."""

    def __init__(
        self, target: Path, title: str, dividers: bool, cover: _Cover, *, named: bool
    ) -> None:
        self.target = target
        self.title = title
        self.dividers = dividers
        self.cover = cover
        self.named = named  # the file's name is made from the cover's details
        self.built: list[_Built] = []
        self.partials: list[Path] = []

    def part_letter(self, number: int) -> str:
        """The letter of the `number`th bundle of a split (from 0): on from --letter."""
        first = builder.LETTERS.index(self.cover.letter) if self.cover.letter else 0
        return builder.LETTERS[first + number]

    def part_target(self, letter: str) -> Path:
        if self.named:
            return self.target.with_name(self.cover.file_name(letter))
        return self.target.with_name(f"{self.target.stem}-{letter}{self.target.suffix}")

    def build(
        self, documents: tuple[builder.Document, ...], target: Path, letter: str = ""
    ) -> _Built:
        spec = builder.Spec(
            title=f"{self.title} (bundle {letter})" if letter else self.title,
            claim_number=self.cover.claim_number,
            case_name=self.cover.case_name,
            court=self.cover.court,
            letter=letter or self.cover.letter,
            sections=(builder.Section(letter="A", title="Documents", documents=documents),),
            dividers=self.dividers,
        )
        handle, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
        os.close(handle)
        partial = Path(name)
        self.partials.append(partial)
        started = time.perf_counter()
        result = builder.build(spec, partial)
        built = time.perf_counter()
        builder.check(partial, result)
        checked = time.perf_counter()
        made = _Built(target, partial, documents, result, built - started, checked - built)
        self.built.append(made)
        return made

    def split(self, documents: tuple[builder.Document, ...], limit: int) -> None:
        """Build `documents` as one bundle if it comes out under `limit` bytes, or else as
        bundles A, B... each under it (see the module's docstring for the rule)."""
        sizes = [_projected_size(document.path) for document in documents]
        overhead = 0  # the cover, index and stamps: learnt from the builds
        if sum(sizes) <= limit:
            whole = self.build(documents, self.target)
            if whole.result.size <= limit:
                return
            overhead = whole.result.size - sum(sizes)
            self.drop(whole)
        start = 0
        while start < len(documents):
            count = _fitting(sizes[start:], limit - overhead)
            letter = self.part_letter(len(self.built))
            target = self.part_target(letter)
            while True:
                part = documents[start : start + count]
                made = self.build(part, target, letter)
                if made.result.size <= limit or count == 1:
                    break
                overhead = max(overhead, made.result.size - sum(sizes[start : start + count]))
                self.drop(made)
                count = min(count - 1, _fitting(sizes[start:], limit - overhead))
            start += count

    def drop(self, made: _Built) -> None:
        self.built.remove(made)
        made.partial.unlink()
        self.partials.remove(made.partial)

    def publish(self) -> None:
        # mkstemp's files are private (0600); a bundle gets a new file's usual mode.
        umask = os.umask(0)
        os.umask(umask)
        for made in self.built:
            os.chmod(made.partial, 0o666 & ~umask)
        for made in self.built:
            os.replace(made.partial, made.target)
            self.partials.remove(made.partial)

    def discard(self) -> None:
        for partial in self.partials:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)


def _projected_size(path: Path) -> int:
    try:
        return images.projected_size(path)
    except (pikepdf.PikepdfError, OSError):
        return path.stat().st_size  # the build says what is wrong with it


def _fitting(sizes: list[int], budget: int) -> int:
    """How many of the files, in order, fit in `budget` bytes: at least one."""
    total = 0
    for count, size in enumerate(sizes):
        total += size
        if total > budget:
            return max(count, 1)
    return len(sizes)


def _too_large(built: _Built, max_mb: float, *, split: bool) -> str:
    said = (
        f"Warning: {built.target.name} is {_size(built.result.size)}, over the limit of "
        f"{max_mb:g} MB. Court filing systems and e-mail refuse larger files."
    )
    if split:
        (document,) = built.documents
        return (
            f"{said} Its one document, “{document.title}”, is larger than that on its own: "
            "ask for a smaller copy of it (scanned at 300 dpi or less, or in parts)."
        )
    stem, suffix = built.target.stem, built.target.suffix
    return (
        f"{said} Run the command again with --split to write it as several bundles, "
        f"{stem}-A{suffix}, {stem}-B{suffix} and so on, each under the limit "
        "(--max-mb sets it; BUNDLE_SIZE_WARNING_MB is the default)."
    )


def _kind(path: Path) -> Kind:
    if not path.is_file():
        raise CommandError(f"{path}: no such file.")
    detection = detect(
        path, path.name, max_pixels=settings.EVIDENCE_MAX_IMAGE_PIXELS, office_available=False
    )
    if detection.reason == PDF_RESTRICTED:
        # Opens without a password: the builder copies its pages as any other's, and the
        # bundle it writes carries no protection. The upload refuses it (see detection).
        return Kind.PDF
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
