"""One way of naming a zone and writing a time in it, wherever casemgr shows one."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import time_machine

from casemgr.core.zones import wall_time, zone_label

LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_zone_is_named_by_its_city_and_its_offset_at_that_moment():
    assert zone_label(LONDON, datetime(2027, 1, 9, 12, 0, tzinfo=UTC)) == "London (UTC+0)"
    assert zone_label(LONDON, datetime(2027, 7, 9, 12, 0, tzinfo=UTC)) == "London (UTC+1)"
    assert zone_label(ZoneInfo("America/Los_Angeles"), datetime(2027, 3, 9, tzinfo=UTC)) == (
        "Los Angeles (UTC−8)"
    )
    assert zone_label(ZoneInfo("Asia/Kolkata"), datetime(2027, 3, 9, tzinfo=UTC)) == (
        "Kolkata (UTC+5:30)"
    )


def test_a_day_takes_the_offset_of_its_working_hours():
    # 29 March 2026: the clocks go forward at 01:00, so the court's day is on summer time.
    assert zone_label(LONDON, date(2026, 3, 29)) == "London (UTC+1)"
    assert zone_label(LONDON, date(2026, 3, 28)) == "London (UTC+0)"


def test_a_zone_on_its_own_takes_todays_offset():
    with time_machine.travel(datetime(2026, 8, 1, 12, 0, tzinfo=UTC)):
        assert zone_label(LONDON) == "London (UTC+1)"


def test_a_time_is_written_as_the_zones_clock_shows_it():
    moment = datetime(2027, 3, 9, 1, 30, tzinfo=UTC)
    assert wall_time(moment, SHANGHAI) == "09:30 Shanghai (UTC+8)"
    assert wall_time(moment, SHANGHAI, "D j M Y, H:i") == "Tue 9 Mar 2027, 09:30 Shanghai (UTC+8)"
    assert wall_time(moment.astimezone(LONDON)) == "01:30 London (UTC+0)"
