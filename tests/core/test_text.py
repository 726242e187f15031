from casemgr.core.text import breakable


def test_a_long_run_gets_a_break_point_every_ten_characters():
    run = "a" * 95 + "b" * 10
    made = breakable(f"see {run} here")
    assert made.replace("\u200b", "") == f"see {run} here"
    assert made.split(" ")[1].split("\u200b") == ["a" * 10] * 9 + ["a" * 5 + "b" * 5, "b" * 5]


def test_text_with_spaces_or_short_runs_is_left_alone():
    text = "The Defendant queried the API " + "x" * 99
    assert breakable(text) == text
