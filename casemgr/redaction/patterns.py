"""The patterns a person can choose instead of writing a regular expression: what this
dispute's documents leak most (e-mail addresses, API keys, telephone numbers, IP addresses).
Pure: no Django. Each is a Python regular expression for `engine.find(patterns=...)`.

A preset proposes; a person reviews each box before a redaction is approved, so the patterns
lean towards finding too much (a SHA-256 hash is also a long hex string) rather than too
little.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Preset(NamedTuple):
    label: str  # as offered in the viewer and the command's help
    regex: str


_BASE64_CHAR = r"[A-Za-z0-9+/_-]"

PRESETS: dict[str, Preset] = {
    "email": Preset(
        "E-mail addresses",
        r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+",
    ),
    "api_key": Preset(
        "API keys and tokens",
        "|".join(
            [
                r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}",  # OpenAI- and Anthropic-style keys
                r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",  # AWS access key ids
                r"\bgh[pousr]_[A-Za-z0-9]{30,}\b",  # GitHub tokens
                r"\bAIza[0-9A-Za-z_-]{35}\b",  # Google API keys
                r"\bxox[abprs]-[A-Za-z0-9-]{10,}",  # Slack tokens
                r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",  # JWTs
                r"\b[0-9A-Fa-f]{32,}\b",  # long hex: secrets, signing keys (and hashes)
                # long base64 with both letters and digits, so that no long word matches
                rf"(?<!{_BASE64_CHAR})(?=(?:{_BASE64_CHAR})*\d)(?=(?:{_BASE64_CHAR})*[A-Za-z])"
                rf"{_BASE64_CHAR}{{40,}}={{0,2}}",
            ]
        ),
    ),
    "phone": Preset(
        "Telephone numbers",
        # International (+44 20 7946 0000, +1 (415) 555-0100) or a national number with its
        # leading 0 (020 7946 0000); at least 9 digits, so that dates and amounts stay.
        r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(0\)[ .-]?)?|0)(?:\(?\d{2,5}\)?[ .-]?)"
        r"\d{3,4}[ .-]?\d{3,4}\b",
    ),
    "ip_address": Preset(
        "IP addresses",
        r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b",
    ),
}


def choices() -> list[tuple[str, str]]:
    """(name, label) of each preset, for a form's choices and the command's help."""
    return [(name, preset.label) for name, preset in PRESETS.items()]


def compiled(name: str) -> re.Pattern[str]:
    return re.compile(PRESETS[name].regex)
