"""Text made safe to lay out (pure; no Django)."""

import re

_LONG_RUN = re.compile(r"\S{100,}")


def breakable(text: str) -> str:
    """`text` with a zero-width space every ten characters of any run of 100 or more without
    a space. WeasyPrint's line breaking takes time growing with the square of an unbreakable
    run's length (10,000 characters in a table cell: about 4 s; 100,000: minutes), and a
    pasted hash, URL or hostile value can be one such run. The break opportunities keep lines
    nearly full and change nothing a reader sees."""
    return _LONG_RUN.sub(lambda run: "\u200b".join(re.findall(r".{1,10}", run[0], re.S)), text)
