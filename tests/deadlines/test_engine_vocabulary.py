"""The engine reads any rule file, not only the CPR and FRCP ones: small rule sets made here
use the parts of the vocabulary (engine.py's docstring) that the shipped files leave at their
defaults. Pure: no database.

Expected dates are read off a printed calendar: Fri 27 Nov 2026 is a Friday, and no English
bank holiday falls between it and Christmas.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from casemgr.deadlines.calendars import calendar_for
from casemgr.deadlines.engine import RuleError, RuleSet, Trigger, compute
from casemgr.deadlines.rulesets import read_rule_set

LONDON = ZoneInfo("Europe/London")
ENGLAND = calendar_for("GB-ENG", "Europe/London")
FRIDAY = datetime(2026, 11, 27, 9, 0, tzinfo=LONDON)
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=LONDON)


def rules(*rules, methods=(), options=(), **data) -> RuleSet:
    """A rule set of `rules` on one event, "filed", which takes `methods` if there are any."""
    event = {"code": "filed", "label": "Filed"}
    if methods:
        event["methods"] = [method["code"] for method in methods]
    return read_rule_set(
        {
            "code": "test",
            "name": "Test Rules",
            "events": [event],
            "methods": list(methods),
            "options": list(options),
            "rules": list(rules),
            **data,
        },
        "test",
    )


def rule(*steps, key="r") -> dict:
    return {
        "key": key,
        "title": key,
        "on": ["filed"],
        "cases": [{"citation": "R 1", "steps": steps}],
    }


def one(rule_set, at=FRIDAY, method="", calendar=ENGLAND, **options):
    (result,) = compute(rule_set, Trigger("filed", at, method, options), calendar)
    return result


# --- No "counting": every day counts ----------------------------------------------------------


def test_without_a_short_period_rule_a_one_day_period_counts_the_weekend():
    result = one(rules(rule({"op": "add_days", "n": 1})))
    assert result.due_date == date(2026, 11, 28)
    assert result.derivation == "Filed Fri 27 Nov 2026; +1 days: Sat 28 Nov 2026"


def test_without_a_short_period_rule_one_clear_day_may_be_a_sunday():
    # Filed Mon 30 Nov: Sun 29 is the clear day, so the day before it, Sat 28 Nov.
    result = one(rules(rule({"op": "clear_days_before", "n": 1})), at=MONDAY)
    assert result.due_date == date(2026, 11, 28)
    assert result.derivation == "Filed Mon 30 Nov 2026; 1 clear days before: Sat 28 Nov 2026"


# --- Deemed service ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "nth"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (101, "101st"),
        (111, "111th"),
        (121, "121st"),
    ],
)
def test_business_days_after_service_are_counted_in_words(n, nth):
    step = {"op": "deemed_service", "business_days": n, "citation": "R 6"}
    result = one(rules(rule(step)))
    assert f", the {nth} business day after (R 6)" in result.derivation


def test_business_days_after_service_skip_the_weekend_but_not_a_court_closure():
    closed = calendar_for("GB-ENG", "Europe/London", closures=[date(2026, 11, 30)])
    step = {"op": "deemed_service", "business_days": 1, "citation": "R 6"}
    result = one(rules(rule(step)), calendar=closed)
    assert result.due_date == date(2026, 11, 30)
    assert result.derivation == (
        "Filed Fri 27 Nov 2026; deemed served Mon 30 Nov 2026, the 1st business day after (R 6)"
    )


def cut_off(at: str, label: str = "Carrier Pigeon", **method) -> RuleSet:
    pigeon = {"code": "pigeon", "label": label, "deemed": {"cutoff": at}, **method}
    return rules(rule({"op": "deemed_service", "citation": "R 6"}), methods=[pigeon])


@pytest.mark.parametrize(
    ("at", "sent", "written"),
    [
        ("10:00", time(9, 59), "before 10.00am"),
        ("09:05", time(9, 0), "before 9.05am"),
        ("12:00", time(11, 30), "before 12.00pm"),
        ("13:15", time(13, 0), "before 1.15pm"),
    ],
)
def test_a_cut_off_reads_as_the_rules_write_it(at, sent, written):
    # A method without a short name is named by its label, in lower case.
    result = one(cut_off(at), FRIDAY.replace(hour=sent.hour, minute=sent.minute), "pigeon")
    assert result.due_date == date(2026, 11, 27)
    assert result.derivation == (
        f"Filed Fri 27 Nov 2026; carrier pigeon {sent:%H:%M}, {written}: deemed served that day"
        " (R 6)"
    )


def test_service_after_a_noon_cut_off_is_the_next_business_day():
    result = one(cut_off("12:00"), FRIDAY.replace(hour=12), "pigeon")
    assert result.due_date == date(2026, 11, 30)
    assert "carrier pigeon 12:00, after 12.00pm: deemed served Mon 30 Nov 2026 (R 6)" in (
        result.derivation
    )


# --- Labels and options -----------------------------------------------------------------------


def test_a_period_label_may_name_the_service_method():
    pigeon = {"code": "pigeon", "label": "Pigeon", "short": "pigeon post", "deemed": {}}
    step = {"op": "add_days", "n": 3, "label": "service by {method}"}
    result = one(rules(rule(step), methods=[pigeon]), method="pigeon")
    assert (
        result.derivation
        == "Filed Fri 27 Nov 2026; +3 days (service by pigeon post): Mon 30 Nov 2026"
    )


def test_a_whole_number_option_without_limits_is_at_least_0():
    period = {"code": "n", "label": "Days", "type": "int"}
    rule_set = rules(rule({"op": "add_days", "n_option": "n"}), options=[period])
    assert one(rule_set, n=0).due_date == date(2026, 11, 27)
    assert one(rule_set, n="10").due_date == date(2026, 12, 7)
    with pytest.raises(RuleError, match=r"^Option 'n' must be at least 0, not -1\.$"):
        one(rule_set, n=-1)


def test_a_maximum_without_its_own_message_says_the_maximum():
    period = {"code": "n", "label": "Days", "type": "int", "min": 1, "max": 10}
    rule_set = rules(rule({"op": "add_days", "n_option": "n"}), options=[period])
    assert one(rule_set, n=10).due_date == date(2026, 12, 7)
    with pytest.raises(RuleError, match=r"^Option 'n' is at most 10\.$"):
        one(rule_set, n=11)
    with pytest.raises(RuleError, match=r"^Option 'n' must be at least 1, not 0\.$"):
        one(rule_set, n=0)


def test_a_rule_set_that_gives_one_deadline_twice_is_refused():
    # Loading checks that rule keys are unique; the engine holds to it even for a rule set
    # that was not loaded from a file.
    checked = rules(rule({"op": "add_days", "n": 1}))
    twice = RuleSet(
        code="test",
        name="Test Rules",
        events=checked.events,
        methods=[],
        options=[],
        data={**checked.data, "rules": [rule({"op": "add_days", "n": n}) for n in (1, 2)]},
    )
    with pytest.raises(
        RuleError, match=r"^The Test Rules gave one deadline twice: \['r', 'r'\]\.$"
    ):
        one(twice)
