"""Rule sets: the files in fixtures/rules/, loaded and checked. Pure Python, no Django.

engine.py documents the vocabulary of a rule file and interprets it; this module reads a
file, refuses one with a mistake in it when it is loaded (not when a case first meets the
mistake), and gives the engine and the forms its events, methods and options.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
DIRECTIONS = ("by", "before")
_OPS = {
    "deemed_service",
    "add_days",
    "add_months",
    "clear_days_before",
    "roll_forward",
    "roll_back",
    "warn_if_closed",
    "note",
}


class RuleError(ValueError):
    """Input the rules cannot work with, explained in plain English."""


@dataclass(frozen=True)
class OptionSpec:
    code: str
    label: str
    type: str
    default: Any = None


@dataclass(frozen=True, eq=False)
class RuleSet:
    code: str
    name: str
    events: list[tuple[str, str]]
    methods: list[tuple[str, str]]
    options: list[OptionSpec]
    data: Mapping[str, Any] = field(repr=False)

    def event_label(self, code: str) -> str:
        return dict(self.events).get(code, code)

    def method_label(self, code: str) -> str:
        return dict(self.methods).get(code, code)

    def methods_for(self, event: str) -> list[tuple[str, str]]:
        """The service methods an event takes ([] when it takes none)."""
        allowed = self._event(event).get("methods", [])
        return [(code, label) for code, label in self.methods if code in allowed]

    def _event(self, code: str) -> Mapping[str, Any]:
        for event in self.data["events"]:
            if event["code"] == code:
                return event
        known = ", ".join(c for c, _ in self.events)
        raise RuleError(f"{code!r} is not an event of the {self.name}; known events: {known}.")


def available_rule_sets() -> list[str]:
    return list(_rule_set_files())


@lru_cache(maxsize=1)
def _rule_set_files() -> tuple[str, ...]:
    # Read once: asked on every page that shows a trigger, and the files ship with the code.
    return tuple(sorted(path.stem for path in RULES_DIR.glob("*.json")))


@lru_cache(maxsize=8)
def load_rule_set(code: str) -> RuleSet:
    if code not in available_rule_sets():
        raise RuleError(f"casemgr has no rule set {code!r}; it has {available_rule_sets()}.")
    data = json.loads((RULES_DIR / f"{code}.json").read_text(encoding="utf-8"))
    return read_rule_set(data, f"fixtures/rules/{code}.json")


def read_rule_set(data: Mapping[str, Any], where: str) -> RuleSet:
    """A rule set from the contents of a rule file, checked; `where` names it in errors."""
    _check(data, where)
    return RuleSet(
        code=data["code"],
        name=data["name"],
        events=[(e["code"], e["label"]) for e in data["events"]],
        methods=[(m["code"], m["label"]) for m in data["methods"]],
        options=[
            OptionSpec(o["code"], o["label"], o["type"], o.get("default")) for o in data["options"]
        ],
        data=data,
    )


def _check(data: Mapping[str, Any], where: str) -> None:
    """Catch mistakes in a rule file when it is loaded rather than when a case meets them."""

    def fail(problem: str):
        raise RuleError(f"{where}: {problem}")

    events = {e["code"] for e in data["events"]}
    methods = {m["code"] for m in data["methods"]}
    options = {o["code"] for o in data["options"]}
    for event in data["events"]:
        for name, known in (("methods", methods), ("requires", options)):
            if set(event.get(name, [])) - known:
                fail(f"event {event['code']} names unknown {name} {event[name]}")
    seen = set()
    for rule in data["rules"]:
        if rule["key"] in seen:
            fail(f"rule key {rule['key']} is used twice")
        seen.add(rule["key"])
        if set(rule["on"]) - events:
            fail(f"rule {rule['key']} is on unknown events {rule['on']}")
        if rule.get("direction", "by") not in DIRECTIONS:
            fail(f"rule {rule['key']} has direction {rule['direction']!r}")
        for case in rule["cases"]:
            conditions = list(case.get("when", []))
            for step in case["steps"]:
                if step["op"] not in _OPS:
                    fail(f"rule {rule['key']} has an unknown step {step['op']!r}")
                conditions += step.get("when", [])
                for name in ("n_option", "key_option"):
                    if name in step and step[name] not in options:
                        fail(f"rule {rule['key']} counts by unknown option {step[name]!r}")
                if "n_table" in step and step["n_table"] not in data.get("tables", {}):
                    fail(f"rule {rule['key']} uses unknown table {step['n_table']!r}")
                if step["op"] == "deemed_service" and "business_days" not in step:
                    served = {
                        m
                        for e in data["events"]
                        if e["code"] in rule["on"]
                        for m in e.get("methods", [])
                    }
                    if any("deemed" not in m for m in data["methods"] if m["code"] in served):
                        fail(f"rule {rule['key']} needs `deemed` on every method of its events")
            for condition in conditions:
                if "option" in condition and condition["option"] not in options:
                    fail(f"rule {rule['key']} tests unknown option {condition['option']!r}")
                if set(condition.get("method", [])) - methods:
                    fail(f"rule {rule['key']} tests unknown methods {condition['method']}")
