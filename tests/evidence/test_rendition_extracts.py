"""Renditions of files too large to lay out whole: a bounded extract that says how much there
is, read as a stream in memory that does not grow with the file."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from email.message import EmailMessage
from pathlib import Path

import pypdf
import pytest

from casemgr.evidence import extracts, renditions
from casemgr.evidence.renditions import render

ROOT = Path(renditions.__file__).resolve().parents[2]
# More than the 16 MiB the renditions used to read, so a count of what was read is wrong.
LARGE_ROWS = 200_000


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def write_access_log(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("timestamp,account,api_key,model,prompt,input_tokens,status\n")
        for n in range(rows):
            handle.write(
                f"2025-11-03T10:{n // 60 % 60:02d}:{n % 60:02d}Z,nw-{n % 9973:04d},"
                f'sk-live-{n:016x},lm-7,"summarise clause {n}, quoting it",{n % 4000},200\n'
            )
    return path


def render_in_child(path: Path, kind: str, tmp_path: Path) -> dict:
    """Render in a process of its own and report its peak resident memory (VmHWM, which,
    unlike ru_maxrss, a child does not inherit from this test process), with the peak of
    the layout child it ran WeasyPrint in (core.layout): both are held at once."""
    out = tmp_path / "rendition.pdf"
    script = textwrap.dedent(
        f"""
        import json, pathlib
        from casemgr.core import layout
        from casemgr.evidence.renditions import render
        result = render(pathlib.Path({str(path)!r}), {kind!r}, name="access.csv")
        pathlib.Path({str(out)!r}).write_bytes(result.pdf)
        status = pathlib.Path("/proc/self/status").read_text()
        assert layout.last_peak_kib > 0, "the layout child reported no memory"
        peak_kib = int(status.split("VmHWM:")[1].split()[0]) + layout.last_peak_kib
        print(json.dumps({{"pages": result.page_count, "peak_mib": peak_kib / 1024}}))
        """
    )
    finished = subprocess.run(  # noqa: S603 - this interpreter, a script of the test's own
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return {**json.loads(finished.stdout), "pdf": out.read_bytes()}


def test_large_csv_is_an_extract_that_states_the_true_row_count(tmp_path):
    path = write_access_log(tmp_path / "access.csv", LARGE_ROWS)
    assert path.stat().st_size > 16 * 1024 * 1024

    result = render_in_child(path, "csv", tmp_path)

    text = pdf_text(result["pdf"])
    first_page = pypdf.PdfReader(io.BytesIO(result["pdf"])).pages[0].extract_text()
    assert "Extract: rows 1–500 of 200,000 are shown." in first_page
    assert "The original file is unchanged" in first_page
    assert "summarise clause 499," in text  # cells wrap: "quoting it" goes on the next line
    assert "summarise clause 500," not in text
    assert result["pages"] <= 30
    # Laid out as 5,000 rows this file took over 600 MiB; two renditions at once must fit
    # a worker comfortably.
    assert result["peak_mib"] < 300


def test_small_csv_is_shown_whole_without_an_extract_notice(tmp_path):
    path = write_access_log(tmp_path / "short.csv", 3)

    result = render(path, "csv", name="short.csv")

    text = pdf_text(result.pdf)
    assert "Extract" not in text
    assert "summarise clause 2," in text
    assert result.page_count == 1


def test_large_text_file_counts_every_line(tmp_path, monkeypatch):
    monkeypatch.setattr(renditions, "RENDER_CHAR_LIMIT", 5_000)
    path = tmp_path / "server.log"
    line = "2025-11-03T10:00:00Z GET /v2/messages 200 account=nw-0001 " + "x" * 40 + "\n"
    path.write_text(line * 200_000)
    assert path.stat().st_size > 16 * 1024 * 1024

    result = render(path, "text", name="server.log")

    text = pdf_text(result.pdf)
    assert "Extract: lines 1–50 of 200,000 are shown." in text


def test_text_without_line_breaks_is_cut_short_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(renditions, "RENDER_CHAR_LIMIT", 5_000)
    path = tmp_path / "blob.txt"
    path.write_text("QUJD " * 400_000)  # two million characters on one line

    result = render(path, "text")

    text = pdf_text(result.pdf)
    assert "(cut short here)" in text
    assert "the first line is too long to show whole" in text
    assert result.page_count <= 3


def test_large_jsonl_counts_every_record(tmp_path, monkeypatch):
    monkeypatch.setattr(renditions, "JSONL_RECORD_LIMIT", 3)
    path = tmp_path / "requests.jsonl"
    with path.open("w") as handle:
        for n in range(LARGE_ROWS):
            record = {"ts": "2025-11-03T10:00:00Z", "account": f"nw-{n:06d}", "pad": "y" * 60}
            handle.write(json.dumps(record) + "\n\n")  # blank lines are not records
    assert path.stat().st_size > 16 * 1024 * 1024

    result = render(path, "jsonl")

    text = pdf_text(result.pdf)
    assert "Extract: records 1–3 of 200,000 are shown." in text
    assert '"account": "nw-000002"' in text
    assert "line 5" in text  # line numbers are the file's, blank lines included
    assert "nw-000003" not in text


def test_csv_unreadable_after_the_extract_says_the_count_is_a_minimum(tmp_path, monkeypatch):
    monkeypatch.setattr(renditions, "CSV_ROW_LIMIT", 2)
    path = tmp_path / "broken.csv"
    too_long = "z" * 200_000  # over csv's field limit of 131,072 characters
    path.write_text("a,b\n" + "1,2\n" * 5 + f"3,{too_long}\n" + "4,5\n" * 10)

    result = render(path, "csv")

    text = pdf_text(result.pdf)
    assert "Extract: rows 1–2 of at least 5 are shown." in text
    assert "From line 7 on, the file could not be read as a table" in text


def test_email_lists_a_bounded_number_of_attachments_and_keeps_them_all(tmp_path, monkeypatch):
    monkeypatch.setattr(renditions, "EMAIL_ATTACHMENT_ROWS", 2)
    message = EmailMessage()
    message["Subject"] = "Per-account extracts"
    message.set_content("Three files attached.\n")
    for n in range(1, 4):
        message.add_attachment(b"a,b\n", maintype="text", subtype="csv", filename=f"a{n}.csv")
    path = tmp_path / "mail.eml"
    path.write_bytes(bytes(message))

    result = render(path, "email")

    text = pdf_text(result.pdf)
    assert "Extract: attachments 1–2 of 3 are listed." in text
    assert "a2.csv" in text
    assert "a3.csv" not in text.split("Attachments")[-1]
    assert [item.filename for item in result.attachments] == ["a1.csv", "a2.csv", "a3.csv"]


# Reading text files as a stream


def test_lines_are_bounded_and_line_breaks_read_as_newlines(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"one\r\ntwo\rthree\n" + b"x" * 50 + b"\nlast")

    with extracts.open_text(path) as stream:
        lines = list(extracts.lines(stream, limit=20))

    assert lines == [
        extracts.Line("one", cut=False),
        extracts.Line("two", cut=False),
        extracts.Line("three", cut=False),
        extracts.Line("x" * 20, cut=True),
        extracts.Line("last", cut=False),
    ]


def test_count_lines_counts_a_last_line_without_a_break(tmp_path):
    path = tmp_path / "count.txt"
    path.write_text("a\nb\nc")

    with extracts.open_text(path) as stream:
        assert extracts.count_lines(stream) == 3


@pytest.mark.parametrize(
    ("sample", "encoding"),
    [
        ("Café".encode("utf-16"), "utf-16"),
        ("Café".encode(), "utf-8-sig"),
        ("Café".encode()[:-1], "utf-8-sig"),  # a character cut off by the end of the sample
        ("Café – résumé".encode("cp1252"), "cp1252"),
        ("Café".encode() + b"\xff", "utf-8"),  # nearly UTF-8: one bad byte
    ],
)
def test_encoding_is_chosen_from_the_start_of_the_file(sample, encoding):
    assert extracts.encoding_of(sample) == encoding
