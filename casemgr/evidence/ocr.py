"""Reading the text of scanned pages (OCR) with OCRmyPDF and Tesseract. Pure: a PDF in, the
same PDF out with an invisible text layer on the pages that had none.

Only a rendition is ever read this way, never the stored original. The pages keep what they
show: no PDF/A conversion, no image optimisation, no deskewing or cleaning; OCRmyPDF only
adds a text layer behind each page it reads (--skip-text leaves pages with text alone).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from casemgr.core import processes

# The kinds whose rendition may be a scan: a PDF as uploaded, and images. Those laid out by
# casemgr (e-mails, text, tables, Office conversions) carry their text already.
KINDS = frozenset({"pdf", "jpeg", "png", "tiff"})

# Tesseract's language data, by its name, as a person reads it: a matter reads its scans in
# those it chooses (matters.Matter.OcrLanguages), each installed from its Debian package
# (tesseract-ocr-eng, tesseract-ocr-chi-sim).
LANGUAGES = {"eng": "English", "chi_sim": "Chinese"}

# OCRmyPDF's exit codes (ocrmypdf.ExitCode) that a paralegal can act on.
_MISSING_DEPENDENCY = 3
_BAD_INPUT = 2
_ENCRYPTED = 8


class OcrError(Exception):
    """Why the text of a file could not be read, in words a paralegal can act on."""


def languages_label(languages: str) -> str:
    """ "eng+chi_sim" as "English + Chinese"."""
    return " + ".join(LANGUAGES.get(code, code) for code in languages.split("+") if code)


def needs_ocr(kind: str, texts: Sequence[str]) -> bool:
    """Whether a rendition of `kind`, whose pages hold `texts`, has a page to read."""
    return kind in KINDS and any(not text.strip() for text in texts)


def unread_pages(texts: Sequence[str]) -> list[int]:
    """The numbers (1-based) of the pages with no text."""
    return [number for number, text in enumerate(texts, 1) if not text.strip()]


# Chinese and Japanese characters, their punctuation and full-width forms (not Korean's
# Hangul, which is written with spaces between words).
_CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])[ \\t\u3000]+(?=[{_CJK}])")


def join_cjk(text: str) -> str:
    """`text` with no spaces between Chinese (or Japanese) characters. Chinese puts no
    space between words, but Tesseract's text layer has one between many of the characters
    it reads ("被 告 通过"), so a phrase would not be found as written."""
    return _SPACE_BETWEEN_CJK.sub("", text)


def read_text(
    source: Path,
    target: Path,
    *,
    languages: str,
    jobs: int = 1,
    timeout: int = 45 * 60,
    binary: str = "ocrmypdf",
) -> None:
    """Write to `target` the PDF at `source` with a text layer on each page that has none,
    read in `languages` (Tesseract's codes joined by "+", e.g. "eng+chi_sim") by `jobs`
    processes. Raises OcrError with the reason."""
    program, tesseract = shutil.which(binary), shutil.which("tesseract")
    if program is None or tesseract is None:
        raise OcrError(
            "OCRmyPDF is not installed on the server, so the text of scanned pages cannot be "
            "read. Tell your administrator (Debian packages ocrmypdf and tesseract-ocr), "
            "then retry."
        )
    problem = languages_unavailable(languages, tesseract)
    if problem:
        raise OcrError(problem)
    command = [
        program,
        "--skip-text",  # a page that has text is left as it is
        "--output-type",
        "pdf",  # not PDF/A: the pages must stay exactly as they were
        "--optimize",
        "0",  # images untouched
        "--language",
        languages,
        "--jobs",
        str(jobs),
        "--quiet",
        str(source.resolve()),  # absolute, so a name starting with "-" is not an option
        str(target.resolve()),
    ]
    try:
        returncode, _, stderr = processes.run(command, timeout=timeout)
    except processes.TimedOut:
        raise OcrError(
            f"Reading the text took more than {timeout // 60} minutes and was stopped. "
            "Retry when the server is less busy, or upload the scan in smaller parts."
        ) from None
    if returncode != 0 or not target.exists():
        raise OcrError(_reason(returncode, stderr))


def languages_unavailable(languages: str, tesseract: str) -> str | None:
    """Why the Tesseract at `tesseract` cannot read `languages` ("eng+chi_sim"), or None
    when it has the data for each."""
    missing = [code for code in languages.split("+") if code not in _installed(tesseract)]
    if not missing:
        return None
    names = " and ".join(LANGUAGES.get(code, code) for code in missing)
    packages = ", ".join(f"tesseract-ocr-{code.replace('_', '-')}" for code in missing)
    return (
        f"The server has no OCR language data for {names}, so the text cannot be read in "
        f"it. Tell your administrator (Debian package {packages}), then retry; or choose "
        "other languages for the matter."
    )


def _installed(tesseract: str) -> set[str]:
    """The languages Tesseract has data for (`tesseract --list-langs`: a heading, then one
    code a line); none if it cannot say."""
    try:
        returncode, stdout, _ = processes.run([tesseract, "--list-langs"], timeout=30)
    except processes.TimedOut:
        return set()
    lines = stdout.splitlines()[1:] if returncode == 0 else []
    return {line.strip() for line in lines if line.strip()}


def _reason(code: int, stderr: str) -> str:
    detail = " ".join(stderr.split())[-300:]
    if code == _MISSING_DEPENDENCY:
        return (
            "The server is missing a program or the language data that reading the text "
            f"needs ({detail}). Tell your administrator, then retry."
        )
    if code == _ENCRYPTED:
        return (
            "The PDF is encrypted, so no text can be added to its pages. Ask for an "
            "unencrypted copy."
        )
    if code == _BAD_INPUT:
        return f"The PDF could not be read for OCR ({detail}). The preview is unaffected."
    return f"Reading the text failed ({detail or f'exit code {code}'}). Retrying may help."
