"""The deadline engine against the CPR and FRCP rule files.

Every expected date was worked out by hand from a printed calendar (python -m calendar) and
the rule's text; the comment beside each shows the count.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from casemgr.deadlines.calendars import calendar_for
from casemgr.deadlines.engine import (
    RuleError,
    Trigger,
    available_rule_sets,
    compute,
    load_rule_set,
)
from casemgr.deadlines.rulesets import RULES_DIR

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
ENGLAND = calendar_for("GB-ENG", "Europe/London")
HMCTS_CLOSED = calendar_for("GB-ENG", "Europe/London", closures=[date(2025, 12, 24)])
US_EAST = calendar_for("US", "America/New_York")


def london(*args):
    return datetime(*args, tzinfo=LONDON)


def new_york(*args):
    return datetime(*args, tzinfo=NEW_YORK)


def cpr(event, at, method="", calendar=ENGLAND, **options):
    results = compute(load_rule_set("cpr"), Trigger(event, at, method, options), calendar)
    return {result.key: result for result in results}


def frcp(event, at, method="", calendar=US_EAST, **options):
    results = compute(load_rule_set("frcp"), Trigger(event, at, method, options), calendar)
    return {result.key: result for result in results}


def due(results):
    return {key: result.due_date for key, result in results.items()}


ACK, DEFENCE = "cpr-10.3-acknowledgment", "cpr-15.4-defence"
WITH_PARTICULARS = {"particulars_with_claim_form": True}


# --- Rule sets ------------------------------------------------------------------------------


def test_rule_sets_load_from_fixtures():
    assert RULES_DIR.name == "rules" and RULES_DIR.parent.name == "fixtures"
    assert available_rule_sets() == ["cpr", "frcp"]
    rules = load_rule_set("cpr")
    assert rules is load_rule_set("cpr")
    assert rules.event_label("particulars_served") == "Particulars of claim served"
    assert ("email", "E-mail or other electronic method") in rules.methods
    assert ("email", "E-mail or other electronic method") in rules.methods_for("document_served")
    assert rules.methods_for("decision") == []
    assert {option.code for option in rules.options} >= {"acknowledged", "extension_days"}


def test_unknown_rule_set():
    with pytest.raises(RuleError, match="no rule set 'prc'"):
        load_rule_set("prc")


@pytest.mark.parametrize("code", ["cpr", "frcp"])
def test_every_case_carries_a_citation(code):
    for rule in load_rule_set(code).data["rules"]:
        assert rule["key"].startswith(("cpr-", "frcp-", "frap-"))
        for case in rule["cases"]:
            assert case["citation"].startswith(("CPR", "PD", "FRCP", "FRAP"))


def test_engine_has_no_django():
    for name in ("engine.py", "rulesets.py", "calendars.py"):
        source = (RULES_DIR.parents[1] / "casemgr" / "deadlines" / name).read_text()
        assert "import django" not in source and "from django" not in source


# --- CPR 6.26: particulars served separately --------------------------------------------------


def test_email_after_4_30pm_on_friday_is_served_monday():
    # Fri 27 Nov 2026 16:45: deemed Mon 30 Nov; +14 = Mon 14 Dec.
    results = cpr("particulars_served", london(2026, 11, 27, 16, 45), "email")
    assert due(results) == {ACK: date(2026, 12, 14), DEFENCE: date(2026, 12, 14)}
    ack = results[ACK]
    assert ack.citation == "CPR 10.3(1)(a)"
    assert ack.title == "Acknowledgment of service"
    assert ack.due_time is None and ack.direction == "by"
    assert "after 4.30pm: deemed served Mon 30 Nov 2026 (CPR 6.26)" in ack.derivation
    assert results[DEFENCE].citation == "CPR 15.4(1)(a)"


def test_the_derivation_reads_as_the_count_was_made():
    results = cpr("particulars_served", london(2026, 11, 27, 16, 45), "email")
    assert results[ACK].derivation == (
        "Particulars of claim served Fri 27 Nov 2026; e-mail 16:45, after 4.30pm: deemed served"
        " Mon 30 Nov 2026 (CPR 6.26); +14 days: Mon 14 Dec 2026"
    )
    posted = cpr("particulars_served", london(2026, 11, 25, 18, 0), "first_class_post")
    assert posted[ACK].derivation == (
        "Particulars of claim served Wed 25 Nov 2026; first class post: deemed served"
        " Fri 27 Nov 2026, the 2nd day after (CPR 6.26); +14 days: Fri 11 Dec 2026"
    )


def test_defence_after_acknowledgment_rolls_over_boxing_day_observed():
    # Deemed Mon 30 Nov 2026; +28 = Mon 28 Dec, the Boxing Day bank holiday: Tue 29 Dec.
    results = cpr("particulars_served", london(2026, 11, 27, 16, 45), "email", acknowledged=True)
    defence = results[DEFENCE]
    assert defence.due_date == date(2026, 12, 29)
    assert defence.citation == "CPR 15.4(1)(b)"
    assert "Mon 28 Dec 2026 is Boxing Day (observed), so Tue 29 Dec 2026 (CPR 2.8(5))" in (
        defence.derivation
    )
    assert results[ACK].due_date == date(2026, 12, 14)


def test_email_before_4_30pm_is_served_that_day():
    # Fri 27 Nov 2026 16:29: deemed that day; +14 = Fri 11 Dec.
    assert cpr("particulars_served", london(2026, 11, 27, 16, 29), "email")[ACK].due_date == date(
        2026, 12, 11
    )
    # 4.30pm itself is not "before 4.30pm".
    assert cpr("particulars_served", london(2026, 11, 27, 16, 30), "email")[ACK].due_date == date(
        2026, 12, 14
    )


def test_new_york_time_is_converted_to_london_for_the_cut_off():
    # 11:45 in New York on 27 Nov 2026 (UTC-5) is 16:45 in London (UTC+0): Mon 30 Nov.
    late = cpr("particulars_served", new_york(2026, 11, 27, 11, 45), "email")[ACK]
    assert late.due_date == date(2026, 12, 14)
    assert "e-mail 16:45, after 4.30pm" in late.derivation
    # 13 Mar 2026: New York is already on summer time (UTC-4), London not yet (UTC+0), so
    # 12:00 in New York is 16:00 in London: served Fri 13 Mar; +14 = Fri 27 Mar.
    early = cpr("particulars_served", new_york(2026, 3, 13, 12, 0), "email")[ACK]
    assert early.due_date == date(2026, 3, 27)
    assert "e-mail 16:00, before 4.30pm: deemed served that day" in early.derivation


def test_email_on_a_saturday_is_served_the_next_business_day():
    # Sat 28 Nov 2026 10:00: deemed Mon 30 Nov; +14 = Mon 14 Dec.
    results = cpr("particulars_served", london(2026, 11, 28, 10, 0), "email")
    assert results[ACK].due_date == date(2026, 12, 14)
    assert "e-mail on a Saturday: deemed served Mon 30 Nov 2026" in results[ACK].derivation


def test_first_class_post_is_served_the_second_day_after_posting():
    # Posted Wed 25 Nov 2026: deemed Fri 27 Nov; +14 = Fri 11 Dec.
    assert cpr("particulars_served", london(2026, 11, 25, 18, 0), "first_class_post")[
        ACK
    ].due_date == date(2026, 12, 11)
    # Posted Thu 26 Nov: the second day is Sat 28 Nov, so deemed Mon 30 Nov; +14 = Mon 14 Dec.
    results = cpr("particulars_served", london(2026, 11, 26, 10, 0), "document_exchange")
    assert results[ACK].due_date == date(2026, 12, 14)
    assert "Sat 28 Nov 2026, is a Saturday, so deemed served Mon 30 Nov 2026" in (
        results[ACK].derivation
    )


def test_personal_service_on_christmas_day_is_served_after_boxing_day():
    # Fri 25 Dec 2026: next business day Tue 29 Dec (28 Dec is Boxing Day observed);
    # +14 = Tue 12 Jan 2027.
    results = cpr("particulars_served", london(2026, 12, 25, 11, 0), "personal")
    assert results[ACK].due_date == date(2027, 1, 12)
    assert "personal service on Christmas Day: deemed served Tue 29 Dec 2026" in (
        results[ACK].derivation
    )


# --- CPR 6.14: the claim form ---------------------------------------------------------------


def test_claim_form_deemed_service_over_christmas():
    # Posted Wed 23 Dec 2026: business days Thu 24 (1), Tue 29 (2) -- 25 Christmas, 26-27
    # weekend, 28 Boxing Day observed. Deemed Tue 29 Dec; +14 = Tue 12 Jan 2027; +28 = Tue 26 Jan.
    results = cpr(
        "claim_form_served", london(2026, 12, 23, 10, 0), "first_class_post", **WITH_PARTICULARS
    )
    assert due(results) == {ACK: date(2027, 1, 12), DEFENCE: date(2027, 1, 12)}
    assert results[ACK].citation == "CPR 10.3(1)(b)"
    assert "deemed served Tue 29 Dec 2026, the 2nd business day after (CPR 6.14)" in (
        results[ACK].derivation
    )
    acknowledged = cpr(
        "claim_form_served",
        london(2026, 12, 23, 10, 0),
        "first_class_post",
        acknowledged=True,
        **WITH_PARTICULARS,
    )
    assert acknowledged[DEFENCE].due_date == date(2027, 1, 26)


def test_claim_form_deemed_service_over_new_year():
    # E-mailed Wed 30 Dec 2026 at 17:00 (the hour does not matter under 6.14): Thu 31 (1),
    # Mon 4 Jan 2027 (2) -- 1 Jan New Year's Day, 2-3 weekend. +14 = Mon 18 Jan; +28 = Mon 1 Feb.
    results = cpr(
        "claim_form_served",
        london(2026, 12, 30, 17, 0),
        "email",
        acknowledged=True,
        **WITH_PARTICULARS,
    )
    assert due(results) == {ACK: date(2027, 1, 18), DEFENCE: date(2027, 2, 1)}


def test_claim_form_with_particulars_to_follow():
    # Deemed Tue 29 Dec 2026 as above; particulars within 14 days: Tue 12 Jan 2027. No
    # acknowledgment or defence is due until the particulars are served. Particulars to follow
    # is the default, as a form leaves an unticked box out of the options.
    results = cpr("claim_form_served", london(2026, 12, 23, 10, 0), "personal")
    assert due(results) == {"cpr-7.4-particulars": date(2027, 1, 12)}
    explicit = cpr(
        "claim_form_served",
        london(2026, 12, 23, 10, 0),
        "personal",
        particulars_with_claim_form=False,
    )
    assert due(explicit) == due(results)
    assert results["cpr-7.4-particulars"].citation == "CPR 7.4(1)(b)"


def test_claim_form_must_be_served_within_four_months():
    # Issued Mon 14 Dec 2026: +4 months = Wed 14 Apr 2027.
    results = cpr("claim_form_issued", london(2026, 12, 14, 9, 0))
    served = results["cpr-7.5-serve-claim-form"]
    assert served.due_date == date(2027, 4, 14)
    assert served.citation == "CPR 7.5(1)" and served.due_time is None


def test_four_months_from_31_october_ends_on_28_february_and_is_not_moved():
    # No 31 February 2027: the last day of the month, Sun 28 Feb. Serving is not an act at the
    # court office, so CPR 2.8(5) does not carry it to Monday.
    served = cpr("claim_form_issued", london(2026, 10, 31, 9, 0))["cpr-7.5-serve-claim-form"]
    assert served.due_date == date(2027, 2, 28)
    assert "not moved" in served.derivation


# From the 15th of each month of 2026, read off a printed calendar: 4 months (CPR 7.5(1)) and,
# for service abroad, 6 months (CPR 7.5(2)). Every month from August on ends in 2027.
FOUR_MONTHS = {
    1: date(2026, 5, 15),
    2: date(2026, 6, 15),
    3: date(2026, 7, 15),
    4: date(2026, 8, 15),
    5: date(2026, 9, 15),
    6: date(2026, 10, 15),
    7: date(2026, 11, 15),
    8: date(2026, 12, 15),
    9: date(2027, 1, 15),
    10: date(2027, 2, 15),
    11: date(2027, 3, 15),
    12: date(2027, 4, 15),
}
SIX_MONTHS = {
    1: date(2026, 7, 15),
    2: date(2026, 8, 15),
    3: date(2026, 9, 15),
    4: date(2026, 10, 15),
    5: date(2026, 11, 15),
    6: date(2026, 12, 15),
    7: date(2027, 1, 15),
    8: date(2027, 2, 15),
    9: date(2027, 3, 15),
    10: date(2027, 4, 15),
    11: date(2027, 5, 15),
    12: date(2027, 6, 15),
}


@pytest.mark.parametrize("month", range(1, 13))
def test_months_are_counted_across_the_year_end(month):
    issued = london(2026, month, 15, 9, 0)
    home = cpr("claim_form_issued", issued)["cpr-7.5-serve-claim-form"]
    assert home.due_date == FOUR_MONTHS[month]
    abroad = cpr("claim_form_issued", issued, country="CN")["cpr-7.5-serve-claim-form"]
    assert abroad.due_date == SIX_MONTHS[month]
    assert f"+6 months: {abroad.due_date:%a} {abroad.due_date.day} {abroad.due_date:%b %Y}" in (
        abroad.derivation
    )


def test_four_months_from_31_october_2027_ends_on_29_february_in_a_leap_year():
    served = cpr("claim_form_issued", london(2027, 10, 31, 9, 0))["cpr-7.5-serve-claim-form"]
    assert served.due_date == date(2028, 2, 29)
    assert "+4 months (that month has no day 31: its last day): Tue 29 Feb 2028" in (
        served.derivation
    )


def test_six_months_from_31_january_ends_on_31_july():
    # July has a 31st: nothing is clamped.
    served = cpr("claim_form_issued", london(2026, 1, 31, 9, 0), country="CN")
    served = served["cpr-7.5-serve-claim-form"]
    assert served.due_date == date(2026, 7, 31)
    assert "+6 months: Fri 31 Jul 2026" in served.derivation
    assert "no day" not in served.derivation


def test_uk_is_service_within_the_jurisdiction():
    for written in ("UK", "uk", " gb "):
        served = cpr("claim_form_issued", london(2026, 1, 15, 9, 0), country=written)
        assert served["cpr-7.5-serve-claim-form"].due_date == date(2026, 5, 15), written


def test_claim_form_for_service_abroad_has_six_months():
    # Issued Thu 15 Jan 2026: +6 months = Wed 15 Jul 2026.
    served = cpr("claim_form_issued", london(2026, 1, 15, 9, 0), country="CN")
    assert served["cpr-7.5-serve-claim-form"].due_date == date(2026, 7, 15)
    assert served["cpr-7.5-serve-claim-form"].citation == "CPR 7.5(2)"
    # Service in England is not service abroad.
    at_home = cpr("claim_form_issued", london(2026, 1, 15, 9, 0), country="gb")
    assert at_home["cpr-7.5-serve-claim-form"].due_date == date(2026, 5, 15)


# --- HMCTS closure ----------------------------------------------------------------------------


def test_court_closure_carries_a_filing_deadline_past_christmas():
    # E-mailed Wed 10 Dec 2025 10:00: deemed that day; +14 = Wed 24 Dec 2025, the HMCTS
    # closure; 25 Christmas, 26 Boxing Day, 27-28 weekend: Mon 29 Dec 2025.
    closed = cpr("particulars_served", london(2025, 12, 10, 10, 0), "email", HMCTS_CLOSED)
    assert closed[ACK].due_date == date(2025, 12, 29)
    assert "Wed 24 Dec 2025 is a court closure day, so Mon 29 Dec 2025" in closed[ACK].derivation
    open_court = cpr("particulars_served", london(2025, 12, 10, 10, 0), "email")
    assert open_court[ACK].due_date == date(2025, 12, 24)


def test_court_closure_does_not_stop_deemed_service():
    # E-mailed Wed 24 Dec 2025 10:00 while the court office is closed: still a business day
    # under CPR 6.2(b), so served that day; +7 = Wed 31 Dec 2025.
    results = cpr("document_served", london(2025, 12, 24, 10, 0), "email", HMCTS_CLOSED, days=7)
    response = results["cpr-2.8-document-response"]
    assert response.due_date == date(2025, 12, 31)
    assert "deemed served that day (CPR 6.26); +7 days: Wed 31 Dec 2025" in response.derivation


def test_court_closure_is_a_business_day_for_each_way_of_deeming_service():
    # The HMCTS closure Wed 24 Dec 2025 is a business day under CPR 6.2(b).
    # CPR 6.14: claim form posted Tue 23 Dec: Wed 24 (1), Mon 29 (2); +14 = Mon 12 Jan 2026.
    claim = cpr(
        "claim_form_served",
        london(2025, 12, 23, 10, 0),
        "first_class_post",
        HMCTS_CLOSED,
        **WITH_PARTICULARS,
    )
    assert claim[ACK].due_date == date(2026, 1, 12)
    # CPR 6.26: posted Mon 22 Dec, the second day after is Wed 24: deemed served then;
    # +14 = Wed 7 Jan 2026.
    posted = cpr(
        "particulars_served", london(2025, 12, 22, 10, 0), "first_class_post", HMCTS_CLOSED
    )
    assert posted[ACK].due_date == date(2026, 1, 7)
    assert "deemed served Wed 24 Dec 2025, the 2nd day after" in posted[ACK].derivation
    # E-mailed Tue 23 Dec at 17:00, after 4.30pm: the next business day, Wed 24; +14 = Wed 7 Jan.
    late = cpr("particulars_served", london(2025, 12, 23, 17, 0), "email", HMCTS_CLOSED)
    assert late[ACK].due_date == date(2026, 1, 7)
    assert "deemed served Wed 24 Dec 2025 (CPR 6.26)" in late[ACK].derivation


# --- CPR 15.5 ---------------------------------------------------------------------------------


def test_agreed_extension_of_28_days():
    # Deemed Mon 30 Nov 2026; 28 + 28 = 56 days: Mon 25 Jan 2027.
    results = cpr(
        "particulars_served",
        london(2026, 11, 27, 16, 45),
        "email",
        acknowledged=True,
        extension_days=28,
    )
    assert results[DEFENCE].due_date == date(2027, 1, 25)
    assert results[DEFENCE].citation == "CPR 15.4(1)(b); CPR 15.5"
    assert "+28 days (agreed extension): Mon 25 Jan 2027" in results[DEFENCE].derivation


def test_a_short_extension_of_a_long_period_counts_every_day():
    # E-mailed Fri 27 Nov 2026 10:00: served that day; 14 + 3 = 17 days: Mon 14 Dec. (Counting
    # the 3 days as a short period of their own would skip the weekend: Wed 16 Dec.)
    results = cpr("particulars_served", london(2026, 11, 27, 10, 0), "email", extension_days=3)
    assert results[DEFENCE].due_date == date(2026, 12, 14)
    assert results[ACK].due_date == date(2026, 12, 11)


@pytest.mark.parametrize("days", [29, 56])
def test_agreed_extension_over_28_days_needs_the_court(days):
    with pytest.raises(RuleError, match="at most 28 days"):
        cpr("particulars_served", london(2026, 11, 27), "email", extension_days=days)


def test_negative_extension_is_refused():
    with pytest.raises(RuleError, match="at least 0"):
        cpr("particulars_served", london(2026, 11, 27), "email", extension_days=-1)


# --- CPR 2.8 short periods and orders ---------------------------------------------------------


def test_three_days_over_easter_skip_good_friday_the_weekend_and_easter_monday():
    # Order Thu 2 Apr 2026, 3 days: Fri 3 (Good Friday), Sat 4, Sun 5, Mon 6 (Easter Monday)
    # do not count: Tue 7 (1), Wed 8 (2), Thu 9 (3).
    order = cpr("order_made", london(2026, 4, 2, 12, 0), days=3)["cpr-2.8-order"]
    assert order.due_date == date(2026, 4, 9)
    assert "not counting Good Friday, Saturday, Sunday, Easter Monday (CPR 2.8(4))" in (
        order.derivation
    )


def test_five_days_skip_the_weekend_but_six_days_do_not():
    # Order Fri 27 Nov 2026. 5 days: Mon 30, Tue 1, Wed 2, Thu 3, Fri 4 Dec. 6 days: Thu 3 Dec.
    assert cpr("order_made", london(2026, 11, 27, 12, 0), days=5)["cpr-2.8-order"].due_date == (
        date(2026, 12, 4)
    )
    assert cpr("order_made", london(2026, 11, 27, 12, 0), days=6)["cpr-2.8-order"].due_date == (
        date(2026, 12, 3)
    )


def test_order_deadline_moves_past_a_closure_only_for_an_act_at_the_court_office():
    # Order Wed 10 Dec 2025, 14 days: Wed 24 Dec 2025, the HMCTS closure.
    filing = cpr(
        "order_made", london(2025, 12, 10), calendar=HMCTS_CLOSED, days=14, court_office=True
    )
    assert filing["cpr-2.8-order"].due_date == date(2025, 12, 29)
    serving = cpr("order_made", london(2025, 12, 10), calendar=HMCTS_CLOSED, days=14)
    assert serving["cpr-2.8-order"].due_date == date(2025, 12, 24)
    assert "not moved: CPR 2.8(5)" in serving["cpr-2.8-order"].derivation


def test_a_court_closure_day_counts_in_a_short_period():
    # CPR 2.8(4) leaves out weekends, bank holidays, Christmas Day and Good Friday, not the
    # days the court office is closed. Order Mon 22 Dec 2025, 2 days: Tue 23 (1), Wed 24 (2),
    # the HMCTS closure, still counts. (Leaving it out too would give Mon 29 Dec.)
    order = cpr("order_made", london(2025, 12, 22, 12, 0), calendar=HMCTS_CLOSED, days=2)
    assert order["cpr-2.8-order"].due_date == date(2025, 12, 24)
    assert "not counting" not in order["cpr-2.8-order"].derivation
    # Order Fri 19 Dec 2025, 3 days: the weekend does not count; Mon 22, Tue 23, Wed 24.
    order = cpr("order_made", london(2025, 12, 19, 12, 0), calendar=HMCTS_CLOSED, days=3)
    assert order["cpr-2.8-order"].due_date == date(2025, 12, 24)
    assert "+3 days (the order's period), not counting Saturday, Sunday (CPR 2.8(4))" in (
        order["cpr-2.8-order"].derivation
    )
    # Filed at the court office, the closed last day carries it over Christmas (CPR 2.8(5)).
    filing = cpr(
        "order_made",
        london(2025, 12, 22, 12, 0),
        calendar=HMCTS_CLOSED,
        days=2,
        court_office=True,
    )
    assert filing["cpr-2.8-order"].due_date == date(2025, 12, 29)


def test_order_needs_its_period():
    with pytest.raises(RuleError, match="give the option 'days'"):
        cpr("order_made", london(2026, 11, 27))


# --- CPR 23.7 application notice -------------------------------------------------------------


def test_three_clear_days_before_a_monday_hearing():
    # Hearing Mon 7 Dec 2026: clear days Fri 4, Thu 3, Wed 2 (the weekend does not count):
    # serve by Tue 1 Dec, 4.30pm for same-day deemed service.
    notice = cpr("hearing_listed", london(2026, 12, 7, 10, 30))["cpr-23.7-application-notice"]
    assert notice.due_date == date(2026, 12, 1)
    assert notice.due_time == time(16, 30)
    assert notice.direction == "before"
    assert notice.citation == "CPR 23.7(1)(b)"


def test_three_clear_days_before_a_hearing_after_easter():
    # Hearing Tue 7 Apr 2026: Mon 6 (Easter Monday), Sun 5, Sat 4, Fri 3 (Good Friday) do not
    # count; clear days Thu 2, Wed 1, Tue 31 Mar: serve by Mon 30 Mar.
    notice = cpr("hearing_listed", london(2026, 4, 7, 10, 30))["cpr-23.7-application-notice"]
    assert notice.due_date == date(2026, 3, 30)
    assert "Good Friday" in notice.derivation and "Easter Monday" in notice.derivation


def test_notice_due_on_a_sunday_moves_back_to_friday():
    # Hearing Thu 10 Dec 2026: clear days Wed 9, Tue 8, Mon 7; the day before is Sun 6, when
    # nothing is deemed served: Fri 4 Dec.
    notice = cpr("hearing_listed", london(2026, 12, 10, 10, 30))["cpr-23.7-application-notice"]
    assert notice.due_date == date(2026, 12, 4)
    assert "Sun 6 Dec 2026 is a Sunday" in notice.derivation


def test_five_clear_days_skip_the_weekend_but_six_do_not():
    # Hearing Mon 14 Dec 2026, 5 clear days (a short period): Fri 11, Thu 10, Wed 9, Tue 8,
    # Mon 7; the day before is Sun 6, so Fri 4 Dec.
    five = cpr("hearing_listed", london(2026, 12, 14, 10, 30), notice_clear_days=5)
    notice = five["cpr-23.7-application-notice"]
    assert notice.due_date == date(2026, 12, 4)
    assert "5 clear days before, not counting Saturday, Sunday (CPR 2.8(4))" in notice.derivation
    # 6 clear days count every day: Sun 13 back to Tue 8: serve by Mon 7 Dec.
    six = cpr("hearing_listed", london(2026, 12, 14, 10, 30), notice_clear_days=6)
    assert six["cpr-23.7-application-notice"].due_date == date(2026, 12, 7)
    assert "not counting" not in six["cpr-23.7-application-notice"].derivation


def test_a_court_closure_day_counts_as_a_clear_day():
    # Hearing Mon 29 Dec 2025: Sun 28, Sat 27, Boxing Day, Christmas Day do not count; the
    # HMCTS closure Wed 24 (1) does, then Tue 23 (2), Mon 22 (3); the day before is Sun 21,
    # so Fri 19 Dec. (Leaving the closure out too would give Thu 18 Dec.)
    notice = cpr("hearing_listed", london(2025, 12, 29, 10, 30), calendar=HMCTS_CLOSED)
    assert notice["cpr-23.7-application-notice"].due_date == date(2025, 12, 19)


def test_notice_rolls_back_onto_a_court_closure_day():
    # Hearing Fri 2 Jan 2026: New Year's Day does not count; Wed 31 (1), Tue 30 (2), Mon 29 (3);
    # the day before is Sun 28, and rolling back passes Sat 27, Boxing Day and Christmas Day
    # to Wed 24 Dec 2025: the court office is closed, but service is deemed that day (CPR
    # 6.2(b)).
    notice = cpr("hearing_listed", london(2026, 1, 2, 10, 30), calendar=HMCTS_CLOSED)
    notice = notice["cpr-23.7-application-notice"]
    assert notice.due_date == date(2025, 12, 24)
    assert "Sun 28 Dec 2025 is a Sunday and service is deemed only on a business day: " in (
        notice.derivation
    )


def test_notice_due_on_a_court_closure_day_stays_there():
    # Hearing Thu 1 Jan 2026, 7 clear days (every day counts): Wed 31 back to Thu 25; the day
    # before is Wed 24 Dec 2025, the HMCTS closure, when service is still deemed: it stays.
    notice = cpr(
        "hearing_listed", london(2026, 1, 1, 10, 30), calendar=HMCTS_CLOSED, notice_clear_days=7
    )
    notice = notice["cpr-23.7-application-notice"]
    assert notice.due_date == date(2025, 12, 24)
    assert "closure" not in notice.derivation
    # Hearing Wed 16 Dec 2026, 10 clear days (every day counts): Tue 15 back to Sun 6; the
    # day before is Sat 5 Dec: Fri 4 Dec.
    notice = cpr("hearing_listed", london(2026, 12, 16, 10, 30), notice_clear_days=10)
    notice = notice["cpr-23.7-application-notice"]
    assert notice.due_date == date(2026, 12, 4)
    assert "Sat 5 Dec 2026 is a Saturday and service is deemed only on a business day: " in (
        notice.derivation
    )


def test_notice_due_on_a_bank_holiday_monday_moves_back_before_easter():
    # Hearing Fri 10 Apr 2026: clear days Thu 9, Wed 8, Tue 7; the day before is Mon 6 Apr,
    # Easter Monday; back past the weekend and Good Friday: Thu 2 Apr.
    notice = cpr("hearing_listed", london(2026, 4, 10, 10, 30))["cpr-23.7-application-notice"]
    assert notice.due_date == date(2026, 4, 2)
    assert "Mon 6 Apr 2026 is Easter Monday and service is deemed only on a business day: " in (
        notice.derivation
    )
    assert "Thu 2 Apr 2026" in notice.derivation


def test_notice_period_set_by_another_rule_counts_every_day_when_over_five():
    # Hearing Thu 10 Dec 2026, 7 clear days: Wed 9 back to Thu 3: serve by Wed 2 Dec.
    notice = cpr("hearing_listed", london(2026, 12, 10, 10, 30), notice_clear_days=7)
    assert notice["cpr-23.7-application-notice"].due_date == date(2026, 12, 2)
    assert notice["cpr-23.7-application-notice"].citation == "CPR 23.7(1)"


def test_hearing_date_option_replaces_the_trigger_date():
    listed = cpr("hearing_listed", london(2026, 11, 2, 9, 0), hearing_date="2026-12-07")
    assert listed["cpr-23.7-application-notice"].due_date == date(2026, 12, 1)


@pytest.mark.parametrize(
    "hearing",
    [
        date(2026, 12, 7),
        datetime(2026, 12, 7, 10, 30),  # noqa: DTZ001 (a naive date and time: its date)
        new_york(2026, 12, 6, 23, 30),  # 04:30 on Mon 7 Dec in London
        london(2026, 12, 7, 0, 30),
    ],
)
def test_hearing_date_given_as_a_date_or_a_date_and_time(hearing):
    listed = cpr("hearing_listed", london(2026, 11, 2, 9, 0), hearing_date=hearing)
    assert listed["cpr-23.7-application-notice"].due_date == date(2026, 12, 1)
    assert listed["cpr-23.7-application-notice"].derivation.startswith("Hearing Mon 7 Dec 2026")


# --- Appeals and jurisdiction -----------------------------------------------------------------


def test_appellants_notice_21_days_rolls_over_christmas():
    # Decision Fri 4 Dec 2026: +21 = Fri 25 Dec; 26-27 weekend, 28 Boxing Day: Tue 29 Dec.
    notice = cpr("decision", london(2026, 12, 4, 15, 0))["cpr-52.12-appellants-notice"]
    assert notice.due_date == date(2026, 12, 29)
    assert notice.citation == "CPR 52.12(2)(b)"
    assert "Fri 25 Dec 2026 is Christmas Day, so Tue 29 Dec 2026" in notice.derivation


def test_appellants_notice_within_a_period_the_lower_court_directs():
    # Decision Fri 4 Dec 2026, 14 days directed: Fri 18 Dec.
    notice = cpr("decision", london(2026, 12, 4, 15, 0), days=14)["cpr-52.12-appellants-notice"]
    assert notice.due_date == date(2026, 12, 18)
    assert notice.citation == "CPR 52.12(2)(a)"


def test_jurisdiction_challenge_14_days_after_acknowledgment():
    # Acknowledgment filed Mon 14 Dec 2026: +14 = Mon 28 Dec (Boxing Day observed): Tue 29 Dec.
    challenge = cpr("acknowledgment_filed", london(2026, 12, 14, 12, 0))
    assert challenge["cpr-11-jurisdiction"].due_date == date(2026, 12, 29)
    assert challenge["cpr-11-jurisdiction"].citation == "CPR 11(4)(a)"


# --- PD 6B: service out of the jurisdiction ---------------------------------------------------


def test_particulars_served_in_china():
    # Served Mon 2 Mar 2026 (no deeming abroad): +24 = Thu 26 Mar; +24+14 = 38: Thu 9 Apr.
    plain = cpr("particulars_served", london(2026, 3, 2, 9, 0), "personal", country="CN")
    assert due(plain) == {ACK: date(2026, 3, 26), DEFENCE: date(2026, 3, 26)}
    assert plain[ACK].citation == "PD 6B para 6.3"
    assert plain[DEFENCE].citation == "PD 6B para 6.4(a)"
    assert "served abroad (China)" in plain[ACK].derivation
    acknowledged = cpr(
        "particulars_served", london(2026, 3, 2, 9, 0), "personal", country="CN", acknowledged=True
    )
    assert acknowledged[DEFENCE].due_date == date(2026, 4, 9)
    assert acknowledged[DEFENCE].citation == "PD 6B para 6.4(b)"


def test_particulars_served_in_the_usa():
    # Served Mon 2 Mar 2026: +22 = Tue 24 Mar; +36 = Tue 7 Apr.
    plain = cpr("particulars_served", london(2026, 3, 2, 9, 0), "personal", country="US")
    assert due(plain) == {ACK: date(2026, 3, 24), DEFENCE: date(2026, 3, 24)}
    acknowledged = cpr(
        "particulars_served", london(2026, 3, 2, 9, 0), "personal", country="us", acknowledged=True
    )
    assert acknowledged[DEFENCE].due_date == date(2026, 4, 7)


def test_particulars_served_in_hong_kong_roll_over_easter():
    # Served Tue 3 Mar 2026: +31 = Fri 3 Apr (Good Friday); Sat, Sun, Easter Monday: Tue 7 Apr.
    # Defence after acknowledgment: +45 = Fri 17 Apr.
    results = cpr(
        "particulars_served", london(2026, 3, 3, 9, 0), "personal", country="HK", acknowledged=True
    )
    assert due(results) == {ACK: date(2026, 4, 7), DEFENCE: date(2026, 4, 17)}
    assert "PD 6B Table: Hong Kong 31" in results[ACK].derivation
    assert "Good Friday" in results[ACK].derivation


def test_the_pd_6b_period_shows_its_sum():
    results = cpr(
        "particulars_served", london(2026, 3, 3, 9, 0), "personal", country="HK", acknowledged=True
    )
    assert "; +31 days (PD 6B Table: Hong Kong 31): Fri 3 Apr 2026;" in results[ACK].derivation
    assert "; +45 days (PD 6B Table: Hong Kong 31 + 14): Fri 17 Apr 2026;" in (
        results[DEFENCE].derivation
    )


def test_claim_form_with_particulars_served_in_china_is_not_deemed_served_later():
    # Served Mon 2 Mar 2026 in China: CPR 6.14 does not apply, +24 = Thu 26 Mar.
    results = cpr(
        "claim_form_served", london(2026, 3, 2, 9, 0), "personal", country="CN", **WITH_PARTICULARS
    )
    assert results[ACK].due_date == date(2026, 3, 26)


def test_country_missing_from_the_table():
    with pytest.raises(RuleError, match="PD 6B Table has no entry for 'FR'"):
        cpr("particulars_served", london(2026, 3, 2, 9, 0), "personal", country="FR")


def test_country_must_be_a_two_letter_code():
    with pytest.raises(RuleError, match="two-letter country code"):
        cpr("particulars_served", london(2026, 3, 2, 9, 0), "personal", country="China")


# --- Bad input --------------------------------------------------------------------------------


def test_unknown_event():
    with pytest.raises(RuleError, match="'claim_lodged' is not an event of the Civil Procedure"):
        cpr("claim_lodged", london(2026, 3, 2))


def test_method_not_allowed_for_the_event():
    with pytest.raises(RuleError, match="'carrier_pigeon' is not a way of serving"):
        cpr("particulars_served", london(2026, 3, 2), "carrier_pigeon")
    with pytest.raises(RuleError, match="Say how it was served"):
        cpr("particulars_served", london(2026, 3, 2))
    with pytest.raises(RuleError, match="takes no service method"):
        cpr("decision", london(2026, 3, 2), "email")


def test_method_errors_list_the_ways_of_serving():
    choices = (
        "; choose one of: personal (Personal service), first_class_post (First class post (or"
        " other next-business-day delivery)), document_exchange (Document exchange),"
        " left_at_address (Delivered to or left at the permitted address), fax (Fax), email"
        " (E-mail or other electronic method)."
    )
    with pytest.raises(RuleError) as wrong:
        cpr("particulars_served", london(2026, 3, 2), "carrier_pigeon")
    assert str(wrong.value) == (
        "'carrier_pigeon' is not a way of serving for Particulars of claim served" + choices
    )
    with pytest.raises(RuleError) as missing:
        cpr("particulars_served", london(2026, 3, 2))
    assert str(missing.value) == "Say how it was served for Particulars of claim served" + choices


def test_a_missing_option_is_named_by_its_label():
    with pytest.raises(RuleError) as error:
        cpr("order_made", london(2026, 11, 27))
    assert str(error.value) == (
        "Order made: give the option 'days' (Period in days set by the order or document (or,"
        " for an appeal, by the lower court))."
    )


def test_unknown_option():
    with pytest.raises(RuleError, match="Unknown option"):
        cpr("particulars_served", london(2026, 3, 2), "email", acknowledge=True)


def test_unknown_options_are_all_named():
    with pytest.raises(RuleError) as error:
        cpr("particulars_served", london(2026, 3, 2), "email", acknowledge=True, day=3)
    assert str(error.value) == "Unknown option(s) for the Civil Procedure Rules: acknowledge, day."


def test_blank_options_are_not_given():
    # A form sends empty fields; None and blanks leave the option at its default, and do not
    # stop the options after them being read.
    results = cpr(
        "particulars_served",
        london(2026, 11, 27, 16, 45),
        "email",
        extension_days="  ",
        country=None,
        acknowledged="true",
    )
    assert results[DEFENCE].due_date == date(2026, 12, 29)
    blank = cpr("particulars_served", london(2026, 11, 27, 16, 45), "email", acknowledged="")
    assert blank[DEFENCE].due_date == date(2026, 12, 14)


def test_an_extension_of_0_days_is_no_extension():
    results = cpr("particulars_served", london(2026, 11, 27, 16, 45), "email", extension_days=0)
    assert results[DEFENCE].due_date == date(2026, 12, 14)
    assert "extension" not in results[DEFENCE].derivation
    assert cpr("order_made", london(2026, 11, 27, 12, 0), days=1)["cpr-2.8-order"].due_date == (
        date(2026, 11, 30)
    )


def test_bad_option_values():
    with pytest.raises(RuleError, match="yes or no"):
        cpr("particulars_served", london(2026, 3, 2), "email", acknowledged="perhaps")
    with pytest.raises(RuleError, match="whole number"):
        cpr("order_made", london(2026, 3, 2), days="a fortnight")
    with pytest.raises(RuleError, match="YYYY-MM-DD"):
        cpr("hearing_listed", london(2026, 3, 2), hearing_date="next Tuesday")


def test_options_from_a_form_are_read_as_strings():
    results = cpr("order_made", london(2026, 4, 2, 12, 0), days="3", court_office="false")
    assert results["cpr-2.8-order"].due_date == date(2026, 4, 9)


@pytest.mark.parametrize("written", ["yes", "Yes", " TRUE ", "true", "1", "on", True])
def test_yes_given_as_text(written):
    # Deemed Mon 30 Nov 2026; acknowledged: +28 = Mon 28 Dec (Boxing Day observed): Tue 29 Dec.
    results = cpr("particulars_served", london(2026, 11, 27, 16, 45), "email", acknowledged=written)
    assert results[DEFENCE].due_date == date(2026, 12, 29)
    assert results[DEFENCE].citation == "CPR 15.4(1)(b)"


@pytest.mark.parametrize("written", ["no", "No", " FALSE ", "false", "0", "off", False])
def test_no_given_as_text(written):
    # Deemed Mon 30 Nov 2026; not acknowledged: +14 = Mon 14 Dec.
    results = cpr("particulars_served", london(2026, 11, 27, 16, 45), "email", acknowledged=written)
    assert results[DEFENCE].due_date == date(2026, 12, 14)
    assert results[DEFENCE].citation == "CPR 15.4(1)(a)"


def test_trigger_without_a_time_zone():
    naive = datetime(2026, 11, 27, 16, 45)  # noqa: DTZ001 (the point of the test)
    with pytest.raises(RuleError, match="with a zone"):
        cpr("particulars_served", naive, "email")


# --- FRCP -------------------------------------------------------------------------------------


def test_answer_21_days_rolls_over_juneteenth():
    # Served Fri 29 May 2026: +21 = Fri 19 Jun (Juneteenth): Sat, Sun: Mon 22 Jun.
    answer = frcp("complaint_served", new_york(2026, 5, 29, 10, 0), "personal")["frcp-12a-answer"]
    assert answer.due_date == date(2026, 6, 22)
    assert answer.citation == "FRCP 12(a)(1)(A)(i)"
    assert "Juneteenth National Independence Day, so Mon 22 Jun 2026 (FRCP 6(a)(1)(C))" in (
        answer.derivation
    )


def test_answer_21_days_rolls_over_thanksgiving():
    # Served Thu 5 Nov 2026: +21 = Thu 26 Nov (Thanksgiving): Fri 27 Nov.
    answer = frcp("complaint_served", new_york(2026, 11, 5, 10, 0), "dwelling")["frcp-12a-answer"]
    assert answer.due_date == date(2026, 11, 27)
    assert "Thanksgiving Day" in answer.derivation


def test_rule_6d_does_not_apply_to_service_of_the_summons():
    with pytest.raises(RuleError, match="'mail' is not a way of serving"):
        frcp("complaint_served", new_york(2026, 11, 5, 10, 0), "mail")


def test_waiver_60_days_or_90_abroad():
    # Sent Mon 2 Mar 2026: +60 = Fri 1 May; +90 = Sun 31 May: Mon 1 Jun.
    home = frcp("waiver_sent", new_york(2026, 3, 2, 10, 0))["frcp-12a-answer"]
    assert home.due_date == date(2026, 5, 1)
    assert home.citation == "FRCP 12(a)(1)(A)(ii)"
    abroad = frcp("waiver_sent", new_york(2026, 3, 2, 10, 0), waiver_abroad=True)
    assert abroad["frcp-12a-answer"].due_date == date(2026, 6, 1)


def test_counterclaim_answer_served_electronically_gets_no_extra_days():
    # Served Fri 29 May 2026: +21 = Fri 19 Jun (Juneteenth): Mon 22 Jun.
    answer = frcp("counterclaim_served", new_york(2026, 5, 29, 10, 0), "electronic")
    assert answer["frcp-12a-counterclaim-answer"].due_date == date(2026, 6, 22)
    assert answer["frcp-12a-counterclaim-answer"].citation == "FRCP 12(a)(1)(B)"


@pytest.mark.parametrize("method", ["mail", "clerk", "consented"])
def test_rule_6d_adds_three_days_after_the_period_would_otherwise_expire(method):
    method_short = {
        "mail": "mail",
        "clerk": "leaving with the clerk",
        "consented": "consented means",
    }
    # Served Fri 29 May 2026: 6(a) gives Mon 22 Jun (Juneteenth roll); 6(d) adds 3: Thu 25 Jun.
    # (Adding 24 days at once would wrongly give Mon 22 Jun.)
    answer = frcp("counterclaim_served", new_york(2026, 5, 29, 10, 0), method)
    answer = answer["frcp-12a-counterclaim-answer"]
    assert answer.due_date == date(2026, 6, 25)
    assert answer.citation == "FRCP 12(a)(1)(B); FRCP 6(d)"
    assert f"+3 days (service by {method_short[method]}): Thu 25 Jun 2026" in answer.derivation


def test_rule_6d_result_rolls_forward_again():
    # Served by mail Thu 5 Nov 2026: +21 = Thu 26 Nov (Thanksgiving): Fri 27 Nov; +3 = Mon 30 Nov.
    # Served by mail Wed 11 Nov 2026: +21 = Wed 2 Dec; +3 = Sat 5 Dec: Mon 7 Dec.
    first = frcp("counterclaim_served", new_york(2026, 11, 5, 10, 0), "mail")
    assert first["frcp-12a-counterclaim-answer"].due_date == date(2026, 11, 30)
    second = frcp("counterclaim_served", new_york(2026, 11, 11, 10, 0), "mail")
    assert second["frcp-12a-counterclaim-answer"].due_date == date(2026, 12, 7)


def test_initial_disclosures_14_days_after_the_26f_conference():
    # Conference Thu 12 Nov 2026: +14 = Thu 26 Nov (Thanksgiving): Fri 27 Nov.
    disclosures = frcp("rule_26f_conference", new_york(2026, 11, 12, 14, 0))
    assert disclosures["frcp-26a-initial-disclosures"].due_date == date(2026, 11, 27)
    assert disclosures["frcp-26a-initial-disclosures"].citation == "FRCP 26(a)(1)(C)"


def test_trigger_date_is_taken_in_the_courts_zone():
    # 02:00 UTC on Fri 5 Jun 2026 is Thu 4 Jun 19:00 in Los Angeles: +14 = Thu 18 Jun. (Taking
    # the UTC date would give Fri 19 Jun, Juneteenth, and so Mon 22 Jun.)
    california = calendar_for("US", "America/Los_Angeles")
    at = datetime(2026, 6, 5, 2, 0, tzinfo=ZoneInfo("UTC"))
    disclosures = frcp("rule_26f_conference", at, calendar=california)
    assert disclosures["frcp-26a-initial-disclosures"].due_date == date(2026, 6, 18)


def test_notice_of_appeal_30_days_rolls_over_christmas():
    # Entered Wed 25 Nov 2026: +30 = Fri 25 Dec (Christmas): Sat, Sun: Mon 28 Dec. Rule 59
    # motion: +28 = Wed 23 Dec.
    results = frcp("judgment_entered", new_york(2026, 11, 25, 10, 0))
    assert due(results) == {
        "frap-4a-notice-of-appeal": date(2026, 12, 28),
        "frcp-59-new-trial": date(2026, 12, 23),
    }
    assert results["frap-4a-notice-of-appeal"].citation == "FRAP 4(a)(1)(A)"
    assert list(results) == ["frcp-59-new-trial", "frap-4a-notice-of-appeal"]  # by due date


def test_notice_of_appeal_60_days_when_the_united_states_is_a_party():
    # Entered Wed 25 Nov 2026: +60 = Sun 24 Jan 2027: Mon 25 Jan.
    results = frcp("judgment_entered", new_york(2026, 11, 25, 10, 0), united_states_party=True)
    assert results["frap-4a-notice-of-appeal"].due_date == date(2027, 1, 25)
    assert results["frap-4a-notice-of-appeal"].citation == "FRAP 4(a)(1)(B)"


def test_clerks_office_closure_moves_filing_but_not_service():
    # Closure Wed 2 Dec 2026. Judgment entered Mon 2 Nov: +30 = Wed 2 Dec, filing: Thu 3 Dec.
    # Complaint served Wed 11 Nov: +21 = Wed 2 Dec, an answer is served, not filed: stays.
    closed = calendar_for("US", "America/New_York", closures=[date(2026, 12, 2)])
    appeal = frcp("judgment_entered", new_york(2026, 11, 2, 10, 0), calendar=closed)
    assert appeal["frap-4a-notice-of-appeal"].due_date == date(2026, 12, 3)
    answer = frcp("complaint_served", new_york(2026, 11, 11, 10, 0), "personal", calendar=closed)
    assert answer["frcp-12a-answer"].due_date == date(2026, 12, 2)


def test_a_period_served_not_filed_rolls_over_a_holiday_but_not_a_closure():
    # Served Thu 5 Nov 2026: +21 = Thu 26 Nov (Thanksgiving); the clerk's office is closed on
    # Fri 27 Nov, but an answer is served, not filed there: Fri 27 Nov.
    closed = calendar_for("US", "America/New_York", closures=[date(2026, 11, 27)])
    answer = frcp("complaint_served", new_york(2026, 11, 5, 10, 0), "personal", calendar=closed)
    assert answer["frcp-12a-answer"].due_date == date(2026, 11, 27)
    # Ending on the closure day itself, it stays there and nothing is said of the closure.
    closed = calendar_for("US", "America/New_York", closures=[date(2026, 12, 2)])
    answer = frcp("complaint_served", new_york(2026, 11, 11, 10, 0), "personal", calendar=closed)
    assert answer["frcp-12a-answer"].derivation == (
        "Summons and complaint served Wed 11 Nov 2026; +21 days: Wed 2 Dec 2026"
    )


def test_order_within_n_days():
    # Entered Mon 16 Nov 2026, 10 days: Thu 26 Nov (Thanksgiving): Fri 27 Nov.
    order = frcp("order_entered", new_york(2026, 11, 16, 10, 0), days=10)["frcp-6a-order"]
    assert order.due_date == date(2026, 11, 27)
    with pytest.raises(RuleError, match="give the option 'days'"):
        frcp("order_entered", new_york(2026, 11, 16, 10, 0))


def test_service_of_the_complaint_within_90_days_of_filing():
    # Filed Mon 2 Mar 2026: +90 = Sun 31 May: Mon 1 Jun.
    service = frcp("complaint_filed", new_york(2026, 3, 2, 10, 0))["frcp-4m-service"]
    assert service.due_date == date(2026, 6, 1)
    assert service.citation == "FRCP 4(m)"


# --- Every event sets a deadline ---------------------------------------------------------------


@pytest.mark.parametrize("code", ["cpr", "frcp"])
def test_every_event_sets_at_least_one_deadline(code):
    rules = load_rule_set(code)
    calendar = ENGLAND if code == "cpr" else US_EAST
    for event in rules.data["events"]:
        method = event.get("methods", [""])[0]
        options = {"days": 7} if "days" in event.get("requires", []) else {}
        at = datetime(2026, 11, 27, 12, 0, tzinfo=calendar.zone)
        assert compute(rules, Trigger(event["code"], at, method, options), calendar), event


# --- Every derivation is one short line -------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "event", "method", "options"),
    [
        ("cpr", "particulars_served", "email", {"country": "HK", "acknowledged": True}),
        (
            "cpr",
            "particulars_served",
            "first_class_post",
            {"acknowledged": True, "extension_days": 28},
        ),
        ("cpr", "claim_form_served", "fax", {}),
        ("cpr", "claim_form_served", "email", {**WITH_PARTICULARS, "extension_days": 28}),
        ("cpr", "claim_form_issued", "", {}),
        ("cpr", "hearing_listed", "", {"notice_clear_days": 5}),
        ("cpr", "document_served", "left_at_address", {"days": 2, "court_office": True}),
        ("frcp", "counterclaim_served", "mail", {}),
        ("frcp", "judgment_entered", "", {"united_states_party": True}),
    ],
)
def test_derivations_are_single_lines_that_fit_the_model(rules, event, method, options):
    calendar = ENGLAND if rules == "cpr" else US_EAST
    for day in range(1, 32):
        at = datetime(2026, 12, day, 16, 45, tzinfo=calendar.zone)
        for result in compute(load_rule_set(rules), Trigger(event, at, method, options), calendar):
            assert "\n" not in result.derivation
            assert len(result.derivation) <= 400, result.derivation
            assert result.derivation.startswith(load_rule_set(rules).event_label(event))
