"""marking.stamp_labels: the bundle stamper used for numbers given outside a bundle (a
production's). Each page carries its own label where a reader sees it, the page's own text
is still there, and a label the stamper cannot draw is refused. No database."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from casemgr.bundles import marking
from tests.evidence import files

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)"
)


def page_text(path: Path, page: int) -> str:
    completed = subprocess.run(  # noqa: S603 (a fixed program, a test file)
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    return completed.stdout.decode()


def test_each_page_carries_its_own_label_and_keeps_its_text(tmp_path):
    pdf = pikepdf.open(io.BytesIO(files.pdf(pages=3, text="Licence terms")))
    marking.stamp_labels(pdf, ["NWA000007", "NWA000008", "NWA000009"])
    out = tmp_path / "stamped.pdf"
    pdf.save(out)

    for number, label in enumerate(["NWA000007", "NWA000008", "NWA000009"], 1):
        text = page_text(out, number)
        assert label in text
        assert f"Licence terms page {number}" in text
        others = {"NWA000007", "NWA000008", "NWA000009"} - {label}
        assert not any(other in text for other in others)


def test_a_label_per_page_and_only_what_the_stamper_can_draw():
    pdf = pikepdf.open(io.BytesIO(files.pdf(pages=2)))
    with pytest.raises(ValueError, match="1 labels for 2 pages"):
        marking.stamp_labels(pdf, ["NWA000001"])
    with pytest.raises(ValueError, match="capital letters"):
        marking.stamp_labels(pdf, ["nwa000001", "nwa000002"])
    with pytest.raises(ValueError, match="capital letters"):
        marking.stamp_labels(pdf, ["NWA(1)", "NWA(2)"])
