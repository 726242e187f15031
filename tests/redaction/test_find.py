"""find() puts a box where a reader sees each match: by term in any case, by pattern (the
presets for e-mail addresses and API keys), a phrase that wraps gives a box per line, and
the boxes are in the page's coordinates as shown (crop box and rotation applied). No
database."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import ImageOps
from weasyprint import HTML

from casemgr.redaction import patterns
from casemgr.redaction.engine import Reason, RedactionError, find
from tests.redaction import documents
from tests.redaction.documents import API_KEY, AWS_KEY, EMAIL, PHRASE, SECRET


def _word_boxes(path: Path, page: int) -> list[tuple[str, tuple[float, ...]]]:
    """Each word pdftotext sees on `page`, with its box (points from the top-left)."""
    html = subprocess.run(
        [shutil.which("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    )
    return [(w[4], tuple(float(v) for v in w[:4])) for w in found]


def _covers(box, rect, slack: float = 1.5) -> bool:
    x0, y0, x1, y1 = rect
    return (
        box.x0 <= x0 + slack
        and box.y0 <= y0 + slack
        and box.x1 >= x1 - slack
        and box.y1 >= y1 - slack
    )


@pytest.fixture(scope="module")
def letter(tmp_path_factory):
    return documents.letter(tmp_path_factory.mktemp("find") / "letter.pdf")


def test_a_term_is_found_in_any_case_where_a_reader_sees_it(letter):
    boxes = find(letter, terms=[SECRET.lower()], reason=Reason.PERSONAL_DATA)
    assert [b.page for b in boxes] == [1, 3]  # "Quuxberry" and "QUUXBERRY"
    assert {b.reason for b in boxes} == {Reason.PERSONAL_DATA}
    (word,) = [r for w, r in _word_boxes(letter, 1) if w == SECRET]
    box = boxes[0]
    assert _covers(box, word)
    # no wider than the word and a little padding
    assert box.x1 - box.x0 < word[2] - word[0] + 4


def test_a_phrase_that_wraps_gets_a_box_on_each_line(letter):
    boxes = find(letter, terms=[PHRASE.upper()])
    assert len(boxes) == 2
    first, second = boxes
    assert second.y0 >= first.y1 - 1  # the next line down
    words = dict(_word_boxes(letter, 1))
    assert _covers(first, words["bramblewick"])
    assert _covers(second, words["tollgate"])
    assert second.x1 < words["crossing"][0]  # not the rest of the line


def test_the_presets_find_e_mail_addresses_and_api_keys(letter):
    words = dict(_word_boxes(letter, 1))
    (email,) = find(letter, patterns=[patterns.PRESETS["email"].regex])
    assert _covers(email, words[EMAIL])
    keys = find(letter, patterns=[patterns.PRESETS["api_key"].regex])
    assert len(keys) == 2
    assert _covers(keys[0], words[API_KEY + ";"], slack=8)  # the ";" stays outside
    assert _covers(keys[1], words[AWS_KEY + "."], slack=8)
    assert keys[0].x1 < words[API_KEY + ";"][2]


def test_a_key_broken_after_a_hyphen_at_the_end_of_a_line_is_found_whole(tmp_path):
    path = tmp_path / "narrow.pdf"
    HTML(
        string=f"<p style='width: 150pt; font-size: 12pt'>The key is {API_KEY} today.</p>"
    ).write_pdf(path)
    assert "\n" in documents.text(path).strip()  # it does wrap
    boxes = find(path, patterns=[patterns.PRESETS["api_key"].regex])
    assert len(boxes) >= 2
    assert len({round(b.y0) for b in boxes}) == len(boxes)  # one box a line


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("ops.lead@jadeport.example", "email"),
        ("sk-ant-api03-Ab12Cd34Ef56Gh78Ij90", "api_key"),
        ("AKIAIOSFODNN7EXAMPLE", "api_key"),
        ("ghp_" + "a1B2" * 9, "api_key"),
        ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "api_key"),
        ("dGhpcyBpcyBhIHNlY3JldCB0b2tlbiB2YWx1ZSAxMjM0NTY3ODk", "api_key"),
        ("+44 20 7946 0000", "phone"),
        ("020 7946 0000", "phone"),
        ("192.168.10.254", "ip_address"),
    ],
)
def test_each_preset_matches_what_it_names(value, name):
    assert patterns.compiled(name).search(f"see {value} here")[0] == value


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("the claimant's representatives", "api_key"),  # long words are not tokens
        ("Internationalisationsprogrammverantwortlicher", "api_key"),
        ("12 March 2026", "phone"),
        ("£1,250,000", "phone"),
        ("1.2.3", "ip_address"),
    ],
)
def test_the_presets_leave_ordinary_text_alone(value, name):
    assert patterns.compiled(name).search(value) is None


def test_every_preset_has_a_label_for_the_viewer():
    assert ("email", "E-mail addresses") in patterns.choices()
    assert all(label for _, label in patterns.choices())


def test_a_bad_pattern_is_refused_in_words(letter):
    with pytest.raises(RedactionError, match="not a valid regular expression"):
        find(letter, patterns=["(unclosed"])
    assert find(letter, terms=["   "]) == []
    assert find(letter, patterns=["x*"]) == find(letter, patterns=["x+"])  # no empty boxes


def _page_with_a_word(path: Path, rotate: int) -> Path:
    """One page, MediaBox 600 × 800 with a crop box from (50, 100) to (550, 750), turned by
    `rotate`, and one word in Helvetica at (120, 600) in the page's own space."""
    pdf = pikepdf.new()
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 600, 800],
        CropBox=[50, 100, 550, 750],
        Rotate=rotate,
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(b"BT /F1 24 Tf 120 600 Td (Wolfram) Tj ET"),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_boxes_are_where_the_page_is_seen_whatever_its_crop_box_and_rotation(tmp_path, rotate):
    path = _page_with_a_word(tmp_path / f"turned-{rotate}.pdf", rotate)
    (box,) = find(path, terms=["wolfram"])
    image = documents.render(path, 1)  # a pixel per point, as shown
    assert abs(image.width - (650 if rotate % 180 else 500)) <= 1
    ink = ImageOps.invert(image.convert("L")).point(lambda v: 255 if v > 60 else 0).getbbox()
    assert ink is not None
    assert _covers(box, ink)
    # and not much more than the word
    assert (box.x1 - box.x0) * (box.y1 - box.y0) < 3 * (ink[2] - ink[0]) * (ink[3] - ink[1])
