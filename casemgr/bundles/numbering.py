"""Where each divider and document goes in a bundle, and the numbers its pages bear.

A first version is numbered 1, 2, 3... from the cover. Once a version has been served, its
pages are cited by those numbers, so a later version keeps them: the served layout says which
labels each run had, and only runs added since get new ones, either at the end numbered on
from the last served page (LateMode.END) or in place, lettered after the page before them:
45A, 45B... (LateMode.IN_PLACE).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from casemgr.bundles import builder

LATE_DIVIDER = "divider:late"
LATE_TITLE = "Late documents"
_LABEL = re.compile(r"(\d+)([A-Z]*)")


@dataclass
class Item:
    """A divider or document placed in the bundle, after the cover and the index."""

    key: str
    kind: str  # "divider" | "document"
    section: str  # letter; "" for the late documents' divider
    title: str
    reference: str = ""
    date: str = ""
    path: Path | None = None  # a document's PDF
    pages: int = 1
    tab: str = ""  # a document's tab in the index, e.g. "A1"
    late: bool = False  # added after the first served version
    added: int = 0  # the version that added it
    late_section: bool = False  # at the end, under "Late documents"
    served: tuple[str, ...] | None = None  # its labels in the served version
    labels: tuple[str, ...] = field(default=())

    @property
    def entry_title(self) -> str:
        """The title shown in the index and bookmarks."""
        return f"{self.title} (added in version {self.added})" if self.late else self.title


@dataclass(frozen=True)
class Heading:
    """A group of index rows and bookmarks: a section, or the late documents."""

    title: str  # in the index, "Section A — Statements of case"
    bookmark: str  # "A Statements of case"
    divider: int | None  # position in the items of its divider
    entries: tuple[int, ...]  # positions in the items of its documents, in file order


def arrange(spec: builder.Spec, counts: dict[str, int]) -> list[Item]:
    """The dividers and documents of `spec` in file order. `counts` gives each document's
    page count by key."""
    served = _served_runs(spec.served)
    items = _items_in_spec_order(spec, counts, served)
    if served is None:
        return items
    keys = {item.key: item for item in items}
    placed = []
    for run in served:
        item = keys.get(run["key"])
        if item is None:
            if run["kind"] == "document":
                raise builder.BundleError(
                    f'"{run["title"]}" was in the version that was served, and a served '
                    "document cannot be removed from the bundle. Put it back, or start a new "
                    "bundle."
                )
            item = Item(key=run["key"], kind="divider", section=run["section"], title=run["title"])
        _keep_served(item, run)
        placed.append(item)
    served_keys = {run["key"] for run in served}
    new = [item for item in items if item.key not in served_keys]
    for item in new:
        item.late, item.added = True, spec.version
    if spec.late_mode == builder.LateMode.IN_PLACE:
        return _in_place(items, placed, new)
    return placed + _at_end(spec, placed, new)


def number(items: list[Item], index_pages: int, served: dict | None) -> tuple[str, ...]:
    """Set the labels of `items` for an index of `index_pages` pages; return the index's
    labels, which may include blank pages holding served numbers."""
    if served is None:
        labels = _counting(2)
        index = tuple(next(labels) for _ in range(index_pages))
        for item in items:
            item.labels = tuple(next(labels) for _ in range(item.pages))
        return index

    used: dict[int, set[str]] = defaultdict(set)  # suffixes taken, by numeric base
    highest = 1  # the last served page's number, whatever letters follow it
    for run in served["runs"]:
        for label in run["labels"]:
            base, suffix = _split(label)
            used[base].add(suffix)
            highest = max(highest, base)
    index = tuple(next(run for run in served["runs"] if run["kind"] == "index")["labels"])
    if index_pages > len(index):
        index += tuple(_lettered(index[-1], index_pages - len(index), used))

    last_served = max((n for n, item in enumerate(items) if item.served is not None), default=-1)
    previous = index[-1]
    for position, item in enumerate(items):
        if item.served is not None:
            item.labels = item.served
        elif position < last_served:  # between served pages: 45A, 45B...
            item.labels = tuple(_lettered(previous, item.pages, used))
        else:  # after the last served page: numbered on
            item.labels = tuple(str(highest + 1 + n) for n in range(item.pages))
            highest += item.pages
        if item.labels:
            previous = item.labels[-1]
    return index


def headings(spec: builder.Spec, items: list[Item]) -> list[Heading]:
    """The index's groups, in the order of the spec's sections, late documents last."""
    position = {item.key: n for n, item in enumerate(items)}
    groups = []
    for section in spec.sections:
        entries = tuple(
            n
            for n, item in enumerate(items)
            if item.kind == "document" and item.section == section.letter and not item.late_section
        )
        divider = position.get(f"divider:{section.letter}")
        groups.append(
            Heading(
                title=f"Section {section.letter} — {section.title}",
                bookmark=f"{section.letter} {section.title}",
                divider=divider,
                entries=entries,
            )
        )
    late = tuple(n for n, item in enumerate(items) if item.kind == "document" and item.late_section)
    if late:
        groups.append(Heading(LATE_TITLE, LATE_TITLE, position.get(LATE_DIVIDER), late))
    return groups


def layout(
    spec: builder.Spec, items: list[Item], runs: Iterable[builder.Run], *, index_pages: int
) -> dict:
    """What a later version needs to keep this version's numbers (JSON-able)."""
    item = {item.key: item for item in items}
    return {
        "version": spec.version,
        "index_pages": index_pages,
        "runs": [
            {
                "key": run.key,
                "kind": run.kind,
                "section": run.section,
                "title": run.title,
                "tab": run.tab,
                "labels": list(run.labels),
                "late": run.late,
                "late_section": item[run.key].late_section if run.key in item else False,
                "added": item[run.key].added if run.key in item else 0,
            }
            for run in runs
        ],
    }


def page_range(labels: tuple[str, ...]) -> str:
    """ "12–19", "45A–45C", or "12" for a single page."""
    return labels[0] if len(labels) == 1 else f"{labels[0]}–{labels[-1]}"


# The order of the file


def _items_in_spec_order(
    spec: builder.Spec, counts: dict[str, int], served: list[dict] | None
) -> list[Item]:
    served_keys = {run["key"] for run in served or ()}
    items: list[Item] = []
    seen: set[str] = set()
    for section in spec.sections:
        divider = f"divider:{section.letter}"
        # A served divider stays even if dividers have been turned off: its number was cited.
        if spec.dividers or divider in served_keys:
            items.append(
                Item(divider, "divider", section.letter, section.title, added=spec.version)
            )
        for position, document in enumerate(section.documents, 1):
            if (
                document.key in seen
                or document.key in ("cover", "index")
                or (document.key.startswith("divider:"))
            ):
                raise builder.BundleError(
                    f'"{document.title}" has the key "{document.key}", which is not unique in '
                    "the bundle."
                )
            seen.add(document.key)
            items.append(
                Item(
                    key=document.key,
                    kind="document",
                    section=section.letter,
                    title=document.title,
                    reference=document.reference,
                    date=document.date,
                    path=Path(document.path),
                    pages=counts[document.key],
                    tab=f"{section.letter}{position}",
                    added=spec.version,
                )
            )
    return items


def _keep_served(item: Item, run: dict) -> None:
    if len(run["labels"]) != item.pages:
        raise builder.BundleError(
            f'"{item.title}" had {len(run["labels"])} pages in the version that was served and '
            f"has {item.pages} now. Pages that were served keep their numbers, so a served "
            "document cannot change; add the new version as a separate document."
        )
    item.served = tuple(run["labels"])
    item.tab = run.get("tab") or item.tab
    item.late = bool(run.get("late"))
    item.added = int(run.get("added") or 0)
    item.late_section = bool(run.get("late_section"))


def _at_end(spec: builder.Spec, placed: list[Item], new: list[Item]) -> list[Item]:
    """LateMode.END: new documents after every served page, under "Late documents", each
    with the next free tab of its own section; new dividers of sections are left out (their
    documents are not in the section any more), one "Late documents" divider is added."""
    documents = [item for item in new if item.kind == "document"]
    tabs = {item.tab for item in placed if item.tab}
    for item in documents:
        item.late_section = True
        item.tab = _next_numbered_tab(item.section, tabs)
        tabs.add(item.tab)
    served_keys = {item.key for item in placed}
    if documents and spec.dividers and LATE_DIVIDER not in served_keys:
        divider = Item(LATE_DIVIDER, "divider", "", LATE_TITLE, late=True, added=spec.version)
        divider.late_section = True
        return [divider, *documents]
    return documents


def _in_place(items: list[Item], placed: list[Item], new: list[Item]) -> list[Item]:
    """LateMode.IN_PLACE: each new divider or document right after the served one before it
    in the spec (served documents stay in their served order), tabbed after the document
    before it in its section: A2A, A2B..."""
    new_keys = {item.key for item in new}
    after: dict[str, list[Item]] = defaultdict(list)
    anchor = "index"
    tabs = {item.tab for item in placed if item.tab}
    previous_tab: dict[str, str] = {}
    for item in items:
        if item.key not in new_keys:
            if not item.late_section:  # those stay at the end, where they were served
                anchor = item.key
        else:
            after[anchor].append(item)
            if item.kind == "document":
                item.tab = _next_lettered_tab(
                    previous_tab.get(item.section, item.section + "0"), tabs
                )
                tabs.add(item.tab)
        if item.kind == "document":
            previous_tab[item.section] = item.tab
    order = list(after["index"])
    for item in placed:
        order.append(item)
        order.extend(after[item.key])
    return order


def _next_numbered_tab(letter: str, taken: set[str]) -> str:
    numbers = [int(m[1]) for tab in taken if (m := re.fullmatch(re.escape(letter) + r"(\d+)", tab))]
    return f"{letter}{max(numbers, default=0) + 1}"


def _next_lettered_tab(before: str, taken: set[str]) -> str:
    return next(before + s for s in _suffixes() if before + s not in taken)


# Labels


def _counting(start: int) -> Iterator[str]:
    n = start
    while True:
        yield str(n)
        n += 1


def _split(label: str) -> tuple[int, str]:
    match = _LABEL.fullmatch(label)
    if match is None:
        raise builder.BundleError(f'The served layout has a page number "{label}" it cannot use.')
    return int(match[1]), match[2]


def _lettered(after: str, count: int, used: dict[int, set[str]]) -> Iterator[str]:
    """`count` labels on the numeric base of the label `after`, with the next suffixes not
    yet used for that base: after "45", 45A, 45B...; after "45B" with 45C taken, 45D..."""
    base = _split(after)[0]
    suffixes = (s for s in _suffixes() if s not in used[base])
    for _ in range(count):
        suffix = next(suffixes)
        used[base].add(suffix)
        yield f"{base}{suffix}"


def _suffixes() -> Iterator[str]:
    """A, B, ..., Z, AA, AB, ..., AZ, BA, ... (bijective base 26, like spreadsheet columns)."""
    n = 1
    while True:
        letters, rest = "", n
        while rest:
            rest, digit = divmod(rest - 1, 26)
            letters = chr(ord("A") + digit) + letters
        yield letters
        n += 1


def _served_runs(served: dict | None) -> list[dict] | None:
    """The served layout's dividers and documents, checked enough to be used safely."""
    if served is None:
        return None
    try:
        runs = served["runs"]
        index = next(run for run in runs if run["kind"] == "index")
        for run in runs:
            for label in run["labels"]:
                _split(label)
            str(run["key"]), str(run["title"]), str(run["section"])
    except (KeyError, TypeError, StopIteration):
        raise builder.BundleError(
            "The layout of the served version is not one this builder wrote."
        ) from None
    if not index["labels"]:
        raise builder.BundleError("The layout of the served version has an empty index.")
    return [run for run in runs if run["kind"] in ("divider", "document")]
