"""Court calendars: public holidays, court closures, PRC make-up working days, time zones.

Every expected date here was read off a printed calendar, not computed by the code under test.
"""

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

import pytest

from casemgr.deadlines.calendars import CourtCalendar, calendar_for

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def england():
    return CourtCalendar("GB-ENG", LONDON)


def test_bank_holidays_good_friday_and_christmas_are_named(england):
    assert england.closure_reason(date(2026, 4, 3)) == "Good Friday"
    assert england.closure_reason(date(2026, 4, 6)) == "Easter Monday"
    assert england.closure_reason(date(2026, 12, 25)) == "Christmas Day"
    # Boxing Day 2026 is a Saturday; the bank holiday moves to Monday 28 December.
    assert england.closure_reason(date(2026, 12, 28)) == "Boxing Day (observed)"
    assert england.closure_reason(date(2027, 1, 1)) == "New Year's Day"


def test_weekends_are_named_by_their_day(england):
    assert england.closure_reason(date(2026, 11, 28)) == "Saturday"
    assert england.closure_reason(date(2026, 11, 29)) == "Sunday"
    assert england.closure_reason(date(2026, 11, 30)) is None
    assert england.is_business_day(date(2026, 11, 30))


def test_christmas_eve_is_an_ordinary_day_unless_the_court_closes(england):
    assert england.is_business_day(date(2025, 12, 24))
    closed = CourtCalendar("GB-ENG", LONDON, closures=[date(2025, 12, 24)])
    assert closed.closure_reason(date(2025, 12, 24)) == "Court closed"
    assert not closed.is_business_day(date(2025, 12, 24))
    # A closure of the court office is still a business day for deemed service (CPR 6.2(b)).
    assert closed.is_business_day(date(2025, 12, 24), include_closures=False)


def test_closure_reasons_can_be_given(england):
    closed = CourtCalendar("GB-ENG", LONDON, closures={date(2025, 12, 24): "HMCTS closure"})
    assert closed.closure_reason(date(2025, 12, 24)) == "Court closed (HMCTS closure)"


def test_next_business_day_over_christmas_and_boxing_day(england):
    assert england.next_business_day(date(2026, 12, 25)) == date(2026, 12, 29)
    assert england.next_business_day(date(2026, 12, 29)) == date(2026, 12, 29)
    closed = CourtCalendar("GB-ENG", LONDON, closures=[date(2026, 12, 29)])
    assert closed.next_business_day(date(2026, 12, 25)) == date(2026, 12, 30)


def test_add_business_days_forwards_and_backwards(england):
    assert england.add_business_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert england.add_business_days(date(2026, 12, 29), -1) == date(2026, 12, 24)
    assert england.add_business_days(date(2026, 4, 2), 1) == date(2026, 4, 7)  # over Easter
    assert england.add_business_days(date(2026, 12, 30), 2) == date(2027, 1, 4)
    assert england.add_business_days(date(2026, 11, 28), 0) == date(2026, 11, 28)


def test_previous_business_day(england):
    assert england.previous_business_day(date(2026, 4, 6)) == date(2026, 4, 2)


def test_years_are_expanded_on_demand_from_the_cached_calendar(england):
    # Easter Sunday 2031 is 13 April, so Good Friday is 11 April.
    assert england.closure_reason(date(2031, 4, 11)) == "Good Friday"
    assert 2031 in england._holidays.years
    assert calendar_for("GB-ENG", "Europe/London")._holidays is england._holidays


def test_us_federal_holidays_include_juneteenth_thanksgiving_and_observed_days():
    us = calendar_for("US", "America/New_York")
    assert us.closure_reason(date(2026, 6, 19)) == "Juneteenth National Independence Day"
    assert us.closure_reason(date(2026, 11, 26)) == "Thanksgiving Day"
    assert us.is_business_day(date(2026, 11, 27))
    # 4 July 2026 is a Saturday; the federal holiday is observed on Friday 3 July.
    assert us.closure_reason(date(2026, 7, 3)) == "Independence Day (observed)"
    assert us.next_business_day(date(2026, 6, 19)) == date(2026, 6, 22)


def test_prc_make_up_working_days_are_business_days():
    china = calendar_for("CN", "Asia/Shanghai")
    # 2025: National Day and Mid-Autumn ran 1-8 October; Sunday 28 September and Saturday
    # 11 October were working days in exchange.
    assert china.is_business_day(date(2025, 9, 28))
    assert china.is_business_day(date(2025, 10, 11))
    assert china.closure_reason(date(2025, 10, 1)) == "National Day"
    assert china.closure_reason(date(2025, 10, 4)) == "Saturday"
    assert not china.is_business_day(date(2025, 10, 8))
    assert china.closure_reason(date(2025, 10, 12)) == "Sunday"
    # Spring Festival 2025: Saturday 8 February was a working day.
    assert china.is_business_day(date(2025, 2, 8))


def test_prc_business_day_arithmetic_skips_golden_week_and_counts_a_working_saturday():
    china = calendar_for("CN", "Asia/Shanghai")
    assert china.next_business_day(date(2025, 10, 4)) == date(2025, 10, 9)
    assert china.add_business_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert china.add_business_days(date(2025, 9, 30), 3) == date(2025, 10, 11)
    assert china.add_business_days(date(2025, 9, 26), 1) == date(2025, 9, 28)


def test_local_date_converts_to_the_courts_zone(england):
    late_in_new_york = datetime(2026, 11, 27, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert england.local_date(late_in_new_york) == date(2026, 11, 28)
    with pytest.raises(ValueError, match="no time zone"):
        england.local_date(datetime(2026, 11, 27, 23, 30))  # noqa: DTZ001 (the point of the test)


def test_calendar_for_rejects_unknown_codes_and_zones():
    assert calendar_for("US", "America/Los_Angeles").zone == ZoneInfo("America/Los_Angeles")
    with pytest.raises(ValueError, match="Unknown holiday calendar"):
        calendar_for("FR", "Europe/Paris")
    with pytest.raises(ValueError, match="Unknown time zone"):
        calendar_for("GB-ENG", "Europe/Atlantis")


HMCTS = CourtCalendar("GB-ENG", LONDON, closures=[date(2025, 12, 24)])


def test_a_calendar_names_its_holidays_and_itself(england):
    assert england.holiday_name(date(2026, 12, 25)) == "Christmas Day"
    assert england.holiday_name(date(2026, 11, 30)) is None
    assert repr(england) == "CourtCalendar('GB-ENG', 'Europe/London')"


def test_a_closure_without_a_reason_is_just_closed():
    closed = CourtCalendar("GB-ENG", LONDON, closures={date(2025, 12, 24): None})
    assert closed.closure_reason(date(2025, 12, 24)) == "Court closed"
    blank = CourtCalendar("GB-ENG", LONDON, closures={date(2025, 12, 24): ""})
    assert blank.closure_reason(date(2025, 12, 24)) == "Court closed"


def test_moving_to_a_business_day_counts_closures_unless_told_not_to():
    # Wed 24 Dec 2025 is closed; 25, 26 are holidays and 27, 28 the weekend.
    assert HMCTS.next_business_day(date(2025, 12, 24)) == date(2025, 12, 29)
    assert HMCTS.next_business_day(date(2025, 12, 24), include_closures=False) == date(2025, 12, 24)
    assert HMCTS.previous_business_day(date(2025, 12, 28)) == date(2025, 12, 23)
    assert HMCTS.previous_business_day(date(2025, 12, 28), include_closures=False) == date(
        2025, 12, 24
    )
    assert HMCTS.add_business_days(date(2025, 12, 23), 1) == date(2025, 12, 29)
    assert HMCTS.add_business_days(date(2025, 12, 23), 1, include_closures=False) == date(
        2025, 12, 24
    )
    assert HMCTS.add_business_days(date(2025, 12, 29), -1) == date(2025, 12, 23)
    assert HMCTS.add_business_days(date(2025, 12, 29), -1, include_closures=False) == date(
        2025, 12, 24
    )


def test_previous_business_day_from_a_saturday_is_the_friday(england):
    assert england.previous_business_day(date(2026, 11, 28)) == date(2026, 11, 27)
    assert england.previous_business_day(date(2026, 11, 27)) == date(2026, 11, 27)


def test_a_zone_that_gives_no_offset_is_no_zone(england):
    class Floating(tzinfo):
        def utcoffset(self, dt):
            return None

    with pytest.raises(ValueError, match="no time zone"):
        england.local_date(datetime(2026, 11, 27, 12, 0, tzinfo=Floating()))
