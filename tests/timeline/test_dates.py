"""Chronology dates: where each precision sorts and how it reads. Pure: no database."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from casemgr.timeline import dates


def key(day, precision=dates.DAY, at=None, end=None):
    return dates.sort_key(start=day, precision=precision, at=at, end=end)


def test_a_month_sorts_at_its_start_so_before_a_day_in_it():
    assert key(date(2026, 3, 1), dates.MONTH) < key(date(2026, 3, 3))


def test_a_month_given_by_any_day_in_it_sorts_at_its_first_day():
    assert key(date(2026, 3, 17), dates.MONTH) == key(date(2026, 3, 1), dates.MONTH)
    assert key(date(2026, 3, 17), dates.MONTH) < key(date(2026, 3, 2))


def test_a_year_sorts_at_1_january_before_its_months_and_days():
    year = key(date(2026, 7, 4), dates.YEAR)
    assert year < key(date(2026, 1, 1), dates.MONTH) < key(date(2026, 1, 1))
    assert key(date(2025, 12, 31)) < year


def test_an_approximate_date_sorts_as_its_date():
    about = key(date(2025, 10, 3), dates.APPROXIMATE)
    assert key(date(2025, 10, 2)) < about < key(date(2025, 10, 4))


def test_a_range_sorts_by_its_start_whatever_its_end():
    spell = key(date(2025, 10, 14), dates.RANGE, end=date(2026, 1, 27))
    assert key(date(2025, 10, 13)) < spell < key(date(2025, 11, 3))


def test_on_the_same_first_day_the_vaguer_comes_first():
    first = date(2026, 1, 1)
    order = [
        key(first, dates.YEAR),
        key(first, dates.MONTH),
        key(first, dates.RANGE, end=date(2026, 3, 1)),
        key(first, dates.RANGE, end=date(2026, 1, 5)),  # the longer range before the shorter
        key(first, dates.APPROXIMATE),
        key(first),
        key(first, at=datetime(2026, 1, 1, 9, 0, tzinfo=UTC)),
    ]
    assert order == sorted(order)
    assert len(set(order)) == len(order)


def test_on_the_same_day_untimed_before_timed_and_timed_by_their_instant():
    day = date(2025, 11, 18)
    shanghai = datetime(2025, 11, 18, 17, 12, tzinfo=ZoneInfo("Asia/Shanghai"))  # 09:12 UTC
    london = datetime(2025, 11, 18, 9, 30, tzinfo=ZoneInfo("Europe/London"))  # 09:30 UTC
    assert key(day) < key(day, at=shanghai) < key(day, at=london)


def test_keys_are_fixed_width_digits_so_any_collation_sorts_them_alike():
    keys = [
        key(dates.EARLIEST),
        key(dates.LATEST, at=datetime(2200, 12, 31, 23, 59, tzinfo=UTC)),
        key(date(2026, 1, 1), dates.RANGE, end=dates.LATEST),
    ]
    assert {len(k) for k in keys} == {30}
    assert all(k.isdigit() for k in keys)


@pytest.mark.parametrize(
    ("start", "precision", "end", "shown"),
    [
        (date(2026, 3, 3), dates.DAY, None, "3 March 2026"),
        (date(2026, 3, 1), dates.MONTH, None, "March 2026"),
        (date(2026, 1, 1), dates.YEAR, None, "2026"),
        (date(2025, 10, 3), dates.APPROXIMATE, None, "about 3 October 2025"),
        (date(2025, 11, 3), dates.RANGE, date(2025, 11, 5), "3–5 November 2025"),
        (date(2025, 10, 3), dates.RANGE, date(2025, 11, 20), "3 October – 20 November 2025"),
        (date(2025, 10, 14), dates.RANGE, date(2026, 1, 27), "14 October 2025 – 27 January 2026"),
    ],
)
def test_dates_read_as_a_chronology_prints_them(start, precision, end, shown):
    assert dates.describe(start, precision, end) == shown


@pytest.mark.parametrize(
    ("start", "precision", "end", "last"),
    [
        (date(2024, 2, 1), dates.MONTH, None, date(2024, 2, 29)),
        (date(2026, 1, 1), dates.YEAR, None, date(2026, 12, 31)),
        (date(2025, 10, 14), dates.RANGE, date(2026, 1, 27), date(2026, 1, 27)),
        (date(2025, 10, 3), dates.APPROXIMATE, None, date(2025, 10, 3)),
    ],
)
def test_the_last_day_a_period_covers(start, precision, end, last):
    assert dates.period_last(start, precision, end) == last


def test_an_end_only_counts_for_a_range():
    day, later = date(2026, 3, 3), date(2026, 3, 9)
    assert dates.period_last(day, dates.DAY, end=later) == day
    assert dates.period_last(day, dates.RANGE, end=later) == later
    assert key(day, end=later) == key(day)
    assert dates.describe(day, dates.DAY, end=later) == "3 March 2026"


def test_keys_are_stored_so_their_form_does_not_change():
    assert key(date(2026, 3, 3)) == "20260303" + "4" + "0" * 15 + "999999"
    assert key(date(2026, 3, 3), dates.RANGE, end=date(2026, 3, 9)) == (
        "20260303" + "2" + "0" * 15 + "999993"
    )
    at = datetime(2026, 3, 3, 9, 30, 15, tzinfo=ZoneInfo("Europe/London"))
    assert key(date(2026, 3, 3), at=at) == "20260303" + "4" + "1" + "20260303093015" + "999999"


def test_a_timed_key_does_not_depend_on_the_servers_zone(monkeypatch):
    import time

    at = datetime(2026, 3, 3, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo"))  # 00:30 UTC
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        assert key(date(2026, 3, 3), at=at)[9:24] == "120260303003000"
    finally:
        monkeypatch.undo()
        time.tzset()
