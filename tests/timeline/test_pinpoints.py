"""Pinpoints as lawyers write them: read, normalised, refused with a reason. Pure."""

import pytest

from casemgr.timeline import pinpoints


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("12-14, 19", "12-14, 19"),
        ("12 – 14,19", "12-14, 19"),
        ("3", "3"),
        ("7-7", "7"),
        ("1, 2, 5-9,", "1, 2, 5-9"),
        ("", ""),
    ],
)
def test_pages_are_kept_in_one_form(written, kept):
    assert pinpoints.normalise_pages(written) == kept


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("14-12", "runs backwards: write 12-14"),
        ("p. 12", "is not a page"),
        ("0", "Pages run from 1"),
        ("1-2-3", "is not a page"),
        ("12a", "is not a page"),
    ],
)
def test_unreadable_pages_are_refused_with_a_reason(written, reason):
    with pytest.raises(pinpoints.PinpointError, match=reason):
        pinpoints.normalise_pages(written)


def test_first_and_last_pages():
    assert pinpoints.first_page("19, 12-14") == 19  # the first one cited, where a preview opens
    assert pinpoints.last_page("19, 12-14") == 19
    assert pinpoints.last_page("2-40, 7") == 40
    assert pinpoints.first_page("") is None


def test_a_range_previews_at_its_first_page_and_ends_at_its_last():
    assert pinpoints.first_page("12-14, 19") == 12
    assert pinpoints.first_page("12 – 14") == 12
    assert pinpoints.last_page("12-14") == 14
    assert pinpoints.last_page("") is None


@pytest.mark.parametrize(
    ("written", "kept"),
    [("4, 7(a)-9", "4, 7(a)-9"), ("12.3,16(C)", "12.3, 16(c)"), ("4 – 7", "4-7")],
)
def test_paragraphs_are_kept_in_one_form(written, kept):
    assert pinpoints.normalise_paragraphs(written) == kept


def test_unreadable_paragraphs_are_refused():
    with pytest.raises(pinpoints.PinpointError, match="is not a paragraph"):
        pinpoints.normalise_paragraphs("para 4")


@pytest.mark.parametrize(
    ("pages", "paragraphs", "cited"),
    [
        ("3", "", "p. 3"),
        ("12-14, 19", "", "pp. 12–14, 19"),
        ("", "4", "para 4"),
        ("2", "4-7", "p. 2; paras 4–7"),
        ("", "", ""),
    ],
)
def test_pinpoints_are_cited_as_in_a_court_document(pages, paragraphs, cited):
    assert pinpoints.describe(pages, paragraphs) == cited


def test_refusals_quote_what_was_written():
    with pytest.raises(pinpoints.PinpointError) as pages:
        pinpoints.normalise_pages("1 - 2 - 3")
    assert str(pages.value) == "“1-2-3” is not a page or a range of pages, e.g. 12-14."
    with pytest.raises(pinpoints.PinpointError) as paragraphs:
        pinpoints.normalise_paragraphs("4 - 5 - 6")
    assert str(paragraphs.value) == (
        "“4-5-6” is not a paragraph or a range of paragraphs, e.g. 4, 7(a)-9."
    )


def test_the_last_page_allowed():
    assert pinpoints.normalise_pages("99999") == "99999"
    with pytest.raises(pinpoints.PinpointError, match="Pages run from 1 to 99,999"):
        pinpoints.normalise_pages("99998-100000")


@pytest.mark.parametrize(
    ("pages", "paragraphs", "cited"),
    [
        ("12-14", "", "pp. 12–14"),
        ("3, 5", "", "pp. 3, 5"),
        ("", "4, 7", "paras 4, 7"),
        ("", "4-7", "paras 4–7"),
    ],
)
def test_one_range_or_a_list_is_several(pages, paragraphs, cited):
    assert pinpoints.describe(pages, paragraphs) == cited
