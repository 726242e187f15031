"""The deadline engine: what a rule set makes of a trigger event. Pure Python, no Django.

The rules are data, in fixtures/rules/<code>.json; this module only interprets them.

A rule set file holds `code`, `name` and:
  counting  {"short_period_max": 5, "short_period_citation": "CPR 2.8(4)", "service_abroad":
            {"option": "country", "note": ...}}: periods of short_period_max days or fewer
            skip non-business days; service abroad replaces deemed service by the actual date.
  methods   [{code, label, short?, deemed?}]; deemed is {"second_day": true} (post: the second
            day after, else the next business day) or {"cutoff": "16:30"} (that day if a
            business day before the cut-off in the court's zone, else the next business day).
  events    [{code, label, methods?, requires?, date_option?}]; an event with `methods` needs
            one of them, one without takes none; `requires` lists options it cannot do
            without; `date_option` names a date option that replaces the trigger's date.
  options   [{code, label, type: bool|int|date|country, default?, min?, max?, max_error?,
            home?}]; a country equal to `home` means service within the jurisdiction.
  tables    {name: {label, rows: {key: {label, days}}}}, e.g. the PD 6B Table.
  rules     [{key, title, on: [event codes], direction?, due_time?, cases}]

The first case of a rule whose `when` holds gives its deadline (none holding: no deadline):
  {"when": [conditions], "citation": "...", "steps": [steps]}
Conditions, all of which must hold:
  {"event": [codes]}          the trigger's event is one of these
  {"method": [codes]}         the trigger's method is one of these
  {"option": c, "is": v}      option c, or its default, equals v
  {"option": c, "set": b}     option c was (b=true) or was not (false) given
Steps work on a date that starts as the trigger's date in the court's zone; a step may have
its own `when`, and `cites` (added to the deadline's citation when the step does something).
  {"op": "deemed_service", "business_days"?: n, "citation"}   n business days after the step
      (CPR 6.14) or, without n, the method's `deemed` entry (CPR 6.26); skipped for service
      abroad, which counts from the day of service.
  {"op": "add_days", "n" | "n_option" | "n_table"+"key_option", "plus"?, "label"?,
      "optional"?, "extends_period"?}   days after the date (clear days: the start day is not
      counted); `optional` skips an unset option, `extends_period` marks an extension of the
      period before, which is never a short period of its own
  {"op": "add_months", "n"}   calendar months; a missing day becomes the month's last day
  {"op": "clear_days_before", "n" | "n_option"}   the last day that leaves n clear days
      before the date (an event's date: neither end counts)
  {"op": "roll_forward", "over": "court_office" | "holidays", "citation"}   if the date is
      closed, the next open day; "holidays" ignores the court's own closure days
  {"op": "roll_back", "reason"}   if the date is not a business day, the one before
  {"op": "warn_if_closed", "note"}  only says so when the date is a closed day
  {"op": "note", "text"}

`direction` of a result is "by" (counted forward: act on or before due_date) or "before"
(counted back from a future event: due_date is the last day that still gives the notice the
rule requires). Both mean "on or before due_date"; only the way it was counted differs.
"""

from __future__ import annotations

import calendar as month_calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from casemgr.deadlines.calendars import CourtCalendar
from casemgr.deadlines.rulesets import (  # noqa: F401  (the engine's public names)
    RuleError,
    RuleSet,
    available_rule_sets,
    load_rule_set,
)

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class Trigger:
    event: str
    at: datetime  # aware, any zone; converted to the court's zone before use
    method: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ComputedDeadline:
    key: str
    title: str
    citation: str
    due_date: date
    due_time: time | None
    derivation: str
    direction: str = "by"


def compute(rule_set: RuleSet, trigger: Trigger, calendar: CourtCalendar) -> list[ComputedDeadline]:
    """The deadlines the trigger sets, sorted by due date, then title."""
    event = rule_set._event(trigger.event)
    method = _check_method(rule_set, event, (trigger.method or "").strip())
    given, options = _read_options(rule_set, trigger.options or {}, calendar)
    for required in event.get("requires", []):
        if required not in given:
            raise RuleError(
                f"{event['label']}: give the option {required!r} ({_label(rule_set, required)})."
            )
    if not isinstance(trigger.at, datetime) or trigger.at.utcoffset() is None:
        raise RuleError(
            f"The trigger's time must be a date and time with a zone, not {trigger.at!r}."
        )
    local = calendar.local_datetime(trigger.at)
    start = options.get(event.get("date_option", "")) or local.date()
    context = _Context(rule_set, calendar, event, method, given, options, local)

    results = []
    for rule in rule_set.data["rules"]:
        if event["code"] not in rule["on"]:
            continue
        case = next((c for c in rule["cases"] if context.holds(c.get("when", []))), None)
        if case is not None:
            results.append(_Run(context, start).deadline(rule, case))
    keys = [result.key for result in results]
    if len(keys) != len(set(keys)):
        raise RuleError(f"The {rule_set.name} gave one deadline twice: {sorted(keys)}.")
    return sorted(results, key=lambda result: (result.due_date, result.title))


@dataclass
class _Context:
    rule_set: RuleSet
    calendar: CourtCalendar
    event: Mapping[str, Any]
    method: Mapping[str, Any] | None
    given: set[str]
    options: dict[str, Any]
    local: datetime

    def holds(self, conditions: list[Mapping[str, Any]]) -> bool:
        return all(self._holds(condition) for condition in conditions)

    def _holds(self, condition: Mapping[str, Any]) -> bool:
        if "event" in condition:
            return self.event["code"] in condition["event"]
        if "method" in condition:
            return self.method is not None and self.method["code"] in condition["method"]
        if "set" in condition:
            return (condition["option"] in self.given) == condition["set"]
        return self.options.get(condition["option"]) == condition["is"]

    @property
    def abroad(self) -> str | None:
        """The country of service when the document was served out of the jurisdiction."""
        rule = self.rule_set.data.get("counting", {}).get("service_abroad")
        return self.options.get(rule["option"]) if rule else None

    @property
    def abroad_note(self) -> str:
        return self.rule_set.data["counting"]["service_abroad"]["note"]

    @property
    def country_name(self) -> str:
        for table in self.rule_set.data.get("tables", {}).values():
            if self.abroad in table["rows"]:
                return table["rows"][self.abroad]["label"]
        return self.abroad or ""


class _Run:
    """One rule's steps applied to one trigger, keeping the derivation as it goes."""

    def __init__(self, context: _Context, start: date):
        self.context = context
        self.calendar = context.calendar
        self.day = start
        self.phrases = [f"{context.event['label']} {_fmt(start)}"]
        self.cites: list[str] = []

    def deadline(self, rule: Mapping[str, Any], case: Mapping[str, Any]) -> ComputedDeadline:
        for step in case["steps"]:
            if self.context.holds(step.get("when", [])):
                getattr(self, f"_{step['op']}")(step)
        due_time = rule.get("due_time")
        return ComputedDeadline(
            key=rule["key"],
            title=rule["title"],
            citation="; ".join([case["citation"], *self.cites]),
            due_date=self.day,
            due_time=time.fromisoformat(due_time) if due_time else None,
            derivation="; ".join(self.phrases),
            direction=rule.get("direction", "by"),
        )

    def _say(self, step: Mapping[str, Any], phrase: str) -> None:
        self.phrases.append(phrase)
        if "cites" in step:
            self.cites.append(step["cites"])

    def _why(self, day: date, *, include_closures: bool = True) -> str | None:
        """Why the date is closed, as "a Saturday", "Good Friday", "a court closure day"."""
        reason = self.calendar.closure_reason(day, include_closures=include_closures)
        if reason is None:
            return None
        if reason in month_calendar.day_name:
            return f"a {reason}"
        return reason.replace("Court closed", "a court closure day")

    def _deemed_service(self, step: Mapping[str, Any]) -> None:
        if self.context.abroad:
            self._say(
                step, f"served abroad ({self.context.country_name}): {self.context.abroad_note}"
            )
            return
        served, cite = self.day, step["citation"]
        public = {"include_closures": False}  # CPR 6.2(b): a court closure is a business day
        if "business_days" in step:
            n = step["business_days"]
            self.day = self.calendar.add_business_days(served, n, **public)
            self._say(
                step, f"deemed served {_fmt(self.day)}, the {_nth(n)} business day after ({cite})"
            )
            return
        method = self.context.method
        short = method.get("short", method["label"].lower())
        if method["deemed"].get("second_day"):
            second = served + timedelta(days=2)
            self.day = self.calendar.next_business_day(second, **public)
            if self.day == second:
                said = f"deemed served {_fmt(self.day)}, the 2nd day after"
            else:
                said = f"the 2nd day after, {_fmt(second)}, is {self._why(second, **public)}, "
                said += f"so deemed served {_fmt(self.day)}"
            self._say(step, f"{short}: {said} ({cite})")
            return
        cutoff = time.fromisoformat(method["deemed"]["cutoff"])
        sent = self.context.local.time().replace(second=0, microsecond=0)
        closed = self._why(served, **public)
        if not closed and sent < cutoff:
            self._say(
                step,
                f"{short} {sent:%H:%M}, before {_clock(cutoff)}: deemed served that day ({cite})",
            )
            return
        self.day = self.calendar.add_business_days(served, 1, **public)
        when = f"on {closed}" if closed else f"{sent:%H:%M}, after {_clock(cutoff)}"
        self._say(step, f"{short} {when}: deemed served {_fmt(self.day)} ({cite})")

    def _days(self, step: Mapping[str, Any]) -> tuple[int, str]:
        if "n_table" in step:
            table = self.context.rule_set.data["tables"][step["n_table"]]
            key = self.context.options.get(step["key_option"])
            row = table["rows"].get(key)
            if row is None:
                raise RuleError(
                    f"The {table['label']} has no entry for {key!r}; the court must set the period."
                )
            plus = step.get("plus", 0)
            counted = f"{row['days']} + {plus}" if plus else str(row["days"])
            return row["days"] + plus, f"{table['label']}: {row['label']} {counted}"
        if "n_option" in step:
            return self.context.options.get(step["n_option"]) or 0, step.get("label", "")
        return step["n"], step.get("label", "")

    def _add_days(self, step: Mapping[str, Any]) -> None:
        n, label = self._days(step)
        if n == 0 and step.get("optional"):
            return
        label = label.format(method=(self.context.method or {}).get("short", ""))
        counting = self.context.rule_set.data.get("counting", {})
        skipped: list[date] = []
        # CPR 2.8(4): a period of 5 days or less skips weekends and holidays; an extension of a
        # longer period is not a short period of its own.
        if n <= counting.get("short_period_max", 0) and not step.get("extends_period"):
            day = self.day
            for _ in range(n):
                day += timedelta(days=1)
                while not self.calendar.is_business_day(day, include_closures=False):
                    skipped.append(day)
                    day += timedelta(days=1)
            self.day = day
        else:
            self.day += timedelta(days=n)
        said = f"+{n} days" + (f" ({label})" if label else "")
        self._say(step, f"{said}{self._not_counting(skipped)}: {_fmt(self.day)}")

    def _not_counting(self, skipped: list[date]) -> str:
        if not skipped:
            return ""
        names = [
            self.calendar.closure_reason(day, include_closures=False) for day in sorted(skipped)
        ]
        citation = self.context.rule_set.data["counting"]["short_period_citation"]
        return f", not counting {', '.join(dict.fromkeys(names))} ({citation})"

    def _add_months(self, step: Mapping[str, Any]) -> None:
        n = step["n"]
        month_index = self.day.month - 1 + n
        year, month = self.day.year + month_index // 12, month_index % 12 + 1
        last = month_calendar.monthrange(year, month)[1]
        wanted = self.day.day
        self.day = date(year, month, min(wanted, last))
        clamped = f" (that month has no day {wanted}: its last day)" if wanted > last else ""
        self._say(step, f"+{n} months{clamped}: {_fmt(self.day)}")

    def _clear_days_before(self, step: Mapping[str, Any]) -> None:
        n, _ = self._days(step)
        counting = self.context.rule_set.data.get("counting", {})
        short = n <= counting.get("short_period_max", 0)
        day, counted, skipped = self.day, 0, []
        while counted < n:
            day -= timedelta(days=1)
            if short and not self.calendar.is_business_day(day, include_closures=False):
                skipped.append(day)
            else:
                counted += 1
        self.day = day - timedelta(days=1)
        self._say(step, f"{n} clear days before{self._not_counting(skipped)}: {_fmt(self.day)}")

    def _roll_forward(self, step: Mapping[str, Any]) -> None:
        include_closures = step["over"] == "court_office"
        closed = self._why(self.day, include_closures=include_closures)
        if closed:
            was = _fmt(self.day)
            self.day = self.calendar.next_business_day(self.day, include_closures=include_closures)
            self._say(step, f"{was} is {closed}, so {_fmt(self.day)} ({step['citation']})")

    def _roll_back(self, step: Mapping[str, Any]) -> None:
        closed = self._why(self.day, include_closures=False)
        if closed:
            was = _fmt(self.day)
            self.day = self.calendar.previous_business_day(self.day, include_closures=False)
            self._say(step, f"{was} is {closed} and {step['reason']}: {_fmt(self.day)}")

    def _warn_if_closed(self, step: Mapping[str, Any]) -> None:
        closed = self._why(self.day)
        if closed:
            self._say(step, f"{_fmt(self.day)} is {closed}; {step['note']}")

    def _note(self, step: Mapping[str, Any]) -> None:
        self._say(step, step["text"])


def _fmt(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _nth(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _clock(at: time) -> str:
    """16:30 -> 4.30pm, as the rules write it."""
    return f"{(at.hour - 1) % 12 + 1}.{at.minute:02d}{'am' if at.hour < 12 else 'pm'}"


def _label(rule_set: RuleSet, option: str) -> str:
    return next((o.label for o in rule_set.options if o.code == option), option)


def _check_method(
    rule_set: RuleSet, event: Mapping[str, Any], method: str
) -> Mapping[str, Any] | None:
    allowed = event.get("methods", [])
    if not allowed:
        if method:
            raise RuleError(f"{event['label']} takes no service method (got {method!r}).")
        return None
    if method not in allowed:
        choices = ", ".join(f"{code} ({rule_set.method_label(code)})" for code in allowed)
        got = f"{method!r} is not a way of serving" if method else "Say how it was served"
        raise RuleError(f"{got} for {event['label']}; choose one of: {choices}.")
    return next(m for m in rule_set.data["methods"] if m["code"] == method)


def _read_options(
    rule_set: RuleSet, raw: Mapping[str, Any], calendar: CourtCalendar
) -> tuple[set[str], dict[str, Any]]:
    """The options given (blank values left out) and every option's value or default."""
    specs = {spec["code"]: spec for spec in rule_set.data["options"]}
    unknown = sorted(set(raw) - set(specs))
    if unknown:
        raise RuleError(f"Unknown option(s) for the {rule_set.name}: {', '.join(unknown)}.")
    given, values = set(), {code: spec.get("default") for code, spec in specs.items()}
    for code, value in raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        value = _option_value(specs[code], value, calendar)
        if value is not None:
            given.add(code)
            values[code] = value
    return given, values


def _option_value(spec: Mapping[str, Any], value: Any, calendar: CourtCalendar) -> Any:
    code, kind = spec["code"], spec["type"]
    text = value.strip().lower() if isinstance(value, str) else None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise RuleError(f"Option {code!r} is yes or no, not {value!r}.")
    if kind == "int":
        if isinstance(value, bool) or not (isinstance(value, int) or (text and text.isdigit())):
            raise RuleError(f"Option {code!r} is a whole number of days, not {value!r}.")
        number = int(value)
        if number < spec.get("min", 0):
            raise RuleError(f"Option {code!r} must be at least {spec.get('min', 0)}, not {number}.")
        if "max" in spec and number > spec["max"]:
            raise RuleError(spec.get("max_error", f"Option {code!r} is at most {spec['max']}."))
        return number
    if kind == "date":
        if isinstance(value, datetime):
            return value.date() if value.utcoffset() is None else calendar.local_date(value)
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise RuleError(f"Option {code!r} is a date (YYYY-MM-DD), not {value!r}.") from None
    # country: ISO 3166 alpha-2; the jurisdiction's own country means service at home.
    country = str(value).strip().upper()
    country = {"UK": "GB"}.get(country, country)
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise RuleError(
            f"Option {code!r} is a two-letter country code (CN, US, HK), not {value!r}."
        )
    return None if country == spec.get("home") else country
