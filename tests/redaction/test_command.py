"""`manage.py redact`: redacts by term, pattern, preset and box, says what it did per page,
and refuses bad input in words, with a non-zero exit. No database."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.redaction import documents
from tests.redaction.documents import EMAIL, SECRET


@pytest.fixture(scope="module")
def letter(tmp_path_factory):
    return documents.letter(tmp_path_factory.mktemp("command") / "letter.pdf")


def test_it_redacts_terms_presets_and_boxes_and_says_where(letter, tmp_path):
    out = io.StringIO()
    target = tmp_path / "out.pdf"
    call_command(
        "redact",
        str(letter),
        str(target),
        "--term",
        SECRET,
        "--preset",
        "email",
        "--box",
        "2:72,60,300,80",
        "--reason",
        "personal_data",
        stdout=out,
    )
    said = out.getvalue()
    assert "page 1: 2 boxes" in said
    assert "page 2: 1 box\n" in said
    assert "page 3: 1 box\n" in said
    assert "Redacted 4 boxes (Personal data) on 3 of 3 pages" in said
    extracted = documents.text(target).lower()
    assert SECRET.lower() not in extracted
    assert EMAIL not in extracted
    assert "second page" not in documents.text(target, page=2).lower()  # under the box


def test_with_nothing_to_redact_it_writes_a_cleaned_copy_and_says_so(letter, tmp_path):
    out = io.StringIO()
    call_command("redact", str(letter), str(tmp_path / "out.pdf"), "--term", "absent", stdout=out)
    assert "Nothing to redact" in out.getvalue()
    assert documents.text(tmp_path / "out.pdf") == documents.text(letter)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--box", "2:72,60,300"], "is not a box: write PAGE:x0,y0,x1,y1"),
        (["--box", "two:1,2,3,4"], "is not a box"),
        (["--pattern", "(unclosed"], "not a valid regular expression"),
        (["--box", "9:1,1,5,5"], "on page 9, but the document has 3 pages"),
        (["--box", "1:1,1,900,5"], "runs off page 1"),
        (["--reason", "secret"], "invalid choice"),
        (["--language", "fra"], "invalid choice"),
    ],
)
def test_bad_input_is_refused_in_words(letter, tmp_path, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("redact", str(letter), str(tmp_path / "out.pdf"), *arguments)
    assert not (tmp_path / "out.pdf").exists()


def test_run_from_the_shell_a_bad_box_exits_non_zero_with_the_reason(letter, tmp_path):
    ran = subprocess.run(
        [sys.executable, "manage.py", "redact", str(letter), str(tmp_path / "o.pdf")]
        + ["--box", "1:1,2,3"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode != 0
    assert "is not a box" in ran.stderr
    missing = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "redact",
            str(tmp_path / "none.pdf"),
            str(tmp_path / "o.pdf"),
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 1
    assert "There is no file at" in missing.stderr
