"""Exhibit references ("NWA-4"): the prefix a matter's exhibits take unless told otherwise."""

from __future__ import annotations

import re

from casemgr.matters.models import Matter

# When a matter's reference gives nothing usable (no letters, or too long to be a prefix).
FALLBACK_PREFIX = "EX"
PREFIX_LENGTH = 10  # Exhibit.prefix's max_length
_WORD = re.compile(r"[A-Za-z0-9]+")
_LETTER = re.compile(r"[A-Za-z]")


def default_prefix(matter: Matter) -> str:
    """The matter's own letters: "NWA" for matter NWA-0042, as the demo's exhibits and a
    firm's own numbering have it: the reference's first run of letters and digits that has a
    letter in it, if it fits a prefix; otherwise "EX"."""
    words = [w.upper() for w in _WORD.findall(matter.reference or "") if _LETTER.search(w)]
    if not words or len(words[0]) > PREFIX_LENGTH:
        return FALLBACK_PREFIX
    return words[0]
