"""Where each document goes in a bundle and the page numbers it bears, version after version.
Pure: numbering works on page counts, so no PDF is made or read (tests/bundles/test_builder.py
checks the same numbers on real files)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from casemgr.bundles import numbering
from casemgr.bundles.builder import BundleError, Document, LateMode, Run, Section, Spec
from tests.bundles.specs import with_document


def doc(key: str, title: str = "", **fields) -> Document:
    return Document(key, Path(f"/nowhere/{key}.pdf"), title or key.title(), **fields)


def spec(*sections: Section, **changes) -> Spec:
    return Spec(title="Trial bundle", sections=sections, **changes)


def numbered(bundle: Spec, pages: dict[str, int], index_pages: int = 1):
    """The items and index labels of `bundle`, as the builder would number them."""
    items = numbering.arrange(bundle, pages)
    index = numbering.number(items, index_pages, bundle.served)
    return items, index


def serve(bundle: Spec, pages: dict[str, int], index_pages: int = 1) -> dict:
    """The layout a served version leaves for the next, as the builder writes it."""
    items, index = numbered(bundle, pages, index_pages)
    runs = [
        Run("cover", "cover", "", bundle.title, "", 0, ("1",), late=False),
        Run("index", "index", "", "Index", "", 1, index, late=False),
    ]
    runs += [
        Run(item.key, item.kind, item.section, item.title, "", 0, item.labels, item.late, item.tab)
        for item in items
    ]
    return numbering.layout(bundle, items, runs, index_pages=index_pages)


def by_key(items) -> dict[str, numbering.Item]:
    return {item.key: item for item in items}


# A served first version: cover 1, index 2, A1 3-4, A2 5-6, B1 7-8; section C is empty.
V1 = spec(
    Section("A", "Statements of case", (doc("claim"), doc("defence"))),
    Section("B", "Correspondence", (doc("letter"),)),
    Section("C", "Expert evidence", ()),
)
PAGES = {"claim": 2, "defence": 2, "letter": 2, "late": 1, "later": 3}


# The first version


def test_a_first_version_is_numbered_from_the_cover():
    items, index = numbered(V1, PAGES)
    assert index == ("2",)
    assert [(item.tab, item.labels) for item in items] == [
        ("A1", ("3", "4")),
        ("A2", ("5", "6")),
        ("B1", ("7", "8")),
    ]
    assert not any(item.late for item in items)
    assert all(item.added == 1 for item in items)
    assert numbered(V1, PAGES, index_pages=2)[1] == ("2", "3")
    assert numbered(V1, PAGES, index_pages=2)[0][0].labels == ("4", "5")


def test_dividers_take_a_page_of_their_own():
    items, _ = numbered(dataclasses.replace(V1, dividers=True), PAGES)
    assert [(item.key, item.labels) for item in items] == [
        ("divider:A", ("3",)),
        ("claim", ("4", "5")),
        ("defence", ("6", "7")),
        ("divider:B", ("8",)),
        ("letter", ("9", "10")),
        ("divider:C", ("11",)),
    ]
    assert items[0].kind == "divider" and items[0].title == "Statements of case"
    assert items[0].section == "A" and items[0].added == 1 and not items[0].late


def test_a_document_keeps_its_reference_date_and_file():
    bundle = spec(
        Section("A", "Exhibits", (doc("ma1", "Letter", reference="MA-1", date="3 March"),))
    )
    (item,) = numbered(bundle, {"ma1": 1})[0]
    assert (item.reference, item.date, item.path) == ("MA-1", "3 March", Path("/nowhere/ma1.pdf"))
    assert isinstance(item.path, Path)


def test_headings_group_the_index_by_section():
    bundle = dataclasses.replace(V1, dividers=True)
    items, _ = numbered(bundle, PAGES)
    groups = numbering.headings(bundle, items)
    assert [(g.title, g.bookmark, g.divider, g.entries) for g in groups] == [
        ("Section A — Statements of case", "A Statements of case", 0, (1, 2)),
        ("Section B — Correspondence", "B Correspondence", 3, (4,)),
        ("Section C — Expert evidence", "C Expert evidence", 5, ()),
    ]
    without = numbering.headings(V1, numbered(V1, PAGES)[0])
    assert [g.divider for g in without] == [None, None, None]


@pytest.mark.parametrize("key", ["cover", "index", "divider:A", "claim"])
def test_a_document_key_must_be_unique_in_the_bundle(key):
    bundle = with_document(V1, "B", 1, doc(key, "Again"))
    with pytest.raises(BundleError) as error:
        numbering.arrange(bundle, {**PAGES, key: 1})
    assert str(error.value) == f'"Again" has the key "{key}", which is not unique in the bundle.'


def test_page_ranges_as_the_index_prints_them():
    assert numbering.page_range(("12",)) == "12"
    assert numbering.page_range(("12", "13", "19")) == "12–19"
    assert numbering.page_range(("45A", "45B", "45C")) == "45A–45C"


# Later versions: a late document at the end


def test_a_late_document_is_numbered_on_from_the_last_served_page():
    served = serve(V1, PAGES)
    v2 = with_document(V1, "A", 1, doc("late", "Letter of 2 May"), version=2, served=served)
    items, index = numbered(v2, PAGES)
    assert index == ("2",)
    assert [item.key for item in items] == ["claim", "defence", "letter", "late"]
    late = by_key(items)["late"]
    assert (late.tab, late.labels) == ("A3", ("9",))
    assert late.late and late.late_section and late.added == 2
    assert late.entry_title == "Letter of 2 May (added in version 2)"
    assert not by_key(items)["claim"].late and by_key(items)["claim"].entry_title == "Claim"
    groups = numbering.headings(v2, items)
    assert groups[-1] == numbering.Heading("Late documents", "Late documents", None, (3,))
    assert groups[0].entries == (0, 1)


def test_the_first_late_document_of_an_empty_section_is_its_tab_1():
    served = serve(V1, PAGES)
    v2 = with_document(V1, "C", 0, doc("late"), version=2, served=served)
    late = by_key(numbered(v2, PAGES)[0])["late"]
    assert (late.tab, late.labels) == ("C1", ("9",))
    # The next one in that section, in the version after, is C2.
    v3 = with_document(v2, "C", 1, doc("later"), version=3, served=serve(v2, PAGES))
    items = by_key(numbered(v3, PAGES)[0])
    assert (items["late"].tab, items["late"].labels, items["late"].added) == ("C1", ("9",), 2)
    assert (items["later"].tab, items["later"].labels) == ("C2", ("10", "11", "12"))
    assert items["late"].late_section and items["later"].added == 3
    assert items["late"].late and not items["claim"].late and items["claim"].added == 1


def test_two_late_documents_of_one_section_take_the_next_tabs():
    v2 = with_document(V1, "A", 2, doc("late"), version=2, served=serve(V1, PAGES))
    v2 = with_document(v2, "A", 3, doc("later"))
    items = by_key(numbered(v2, PAGES)[0])
    assert (items["late"].tab, items["late"].labels) == ("A3", ("9",))
    assert (items["later"].tab, items["later"].labels) == ("A4", ("10", "11", "12"))


def test_a_served_layout_from_before_versions_were_recorded_counts_as_version_0():
    served = serve(V1, PAGES)
    for run in served["runs"]:
        del run["added"], run["late"]
    items = numbered(dataclasses.replace(V1, version=2, served=served), PAGES)[0]
    assert [(item.added, item.late) for item in items] == [(0, False)] * 3


def test_the_first_documents_after_a_served_version_with_none_follow_the_index():
    empty = spec(Section("A", "Statements of case", ()))
    v2 = with_document(empty, "A", 0, doc("late"), version=2, served=serve(empty, PAGES))
    (late,) = numbered(v2, PAGES)[0]
    assert (late.tab, late.labels) == ("A1", ("3",))


def test_late_documents_get_one_late_divider_when_there_are_dividers():
    bundle = dataclasses.replace(V1, dividers=True)
    v2 = with_document(bundle, "B", 1, doc("late"), version=2, served=serve(bundle, PAGES))
    items, _ = numbered(v2, PAGES)
    assert [item.key for item in items][-2:] == ["divider:late", "late"]
    divider = items[-2]
    assert (divider.title, divider.labels, divider.late_section) == (
        "Late documents",
        ("12",),
        True,
    )
    assert (divider.kind, divider.section, divider.late, divider.added) == ("divider", "", True, 2)
    assert divider.entry_title == "Late documents (added in version 2)"
    assert (items[-1].tab, items[-1].labels) == ("B2", ("13",))
    groups = numbering.headings(v2, items)
    assert groups[-1] == numbering.Heading("Late documents", "Late documents", 6, (7,))
    # Served in its turn, the late divider is not added again.
    v3 = with_document(v2, "A", 0, doc("later"), version=3, served=serve(v2, PAGES))
    keys = [item.key for item in numbered(v3, PAGES)[0]]
    assert keys.count("divider:late") == 1 and keys[-1] == "later"


def test_a_served_divider_stays_when_dividers_are_turned_off():
    bundle = dataclasses.replace(V1, dividers=True)
    v2 = dataclasses.replace(bundle, dividers=False, version=2, served=serve(bundle, PAGES))
    items, _ = numbered(v2, PAGES)
    assert [(item.key, item.labels) for item in items][:2] == [
        ("divider:A", ("3",)),
        ("claim", ("4", "5")),
    ]
    # It bears the section's title as it is now.
    renamed = Section("A", "Pleadings", V1.sections[0].documents)
    v2 = dataclasses.replace(v2, sections=(renamed, *V1.sections[1:]))
    assert numbered(v2, PAGES)[0][0].title == "Pleadings"


# Later versions: late documents in place


def in_place(bundle: Spec, letter: str, position: int, document: Document, served: dict):
    return with_document(
        bundle,
        letter,
        position,
        document,
        version=bundle.version + 1,
        served=served,
        late_mode=LateMode.IN_PLACE,
    )


def test_a_document_put_in_place_is_lettered_after_the_page_before():
    v2 = in_place(V1, "A", 1, doc("late"), serve(V1, PAGES))
    items, _ = numbered(v2, {**PAGES, "late": 2})
    assert [(item.key, item.tab, item.labels) for item in items] == [
        ("claim", "A1", ("3", "4")),
        ("late", "A1A", ("4A", "4B")),
        ("defence", "A2", ("5", "6")),
        ("letter", "B1", ("7", "8")),
    ]
    assert not items[1].late_section
    # Another after the same page in the version after takes the next letters free.
    v3 = in_place(v2, "A", 1, doc("later"), serve(v2, {**PAGES, "late": 2}))
    items, _ = numbered(v3, {**PAGES, "late": 2})
    assert [(item.key, item.tab, item.labels) for item in items][:3] == [
        ("claim", "A1", ("3", "4")),
        ("later", "A1B", ("4C", "4D", "4E")),
        ("late", "A1A", ("4A", "4B")),
    ]


def test_two_documents_put_in_place_after_one_page_take_the_next_page_letters():
    v2 = in_place(V1, "A", 1, doc("late"), serve(V1, PAGES))
    v2 = with_document(v2, "A", 2, doc("later"))
    items, _ = numbered(v2, PAGES)
    assert [(item.key, item.labels) for item in items][1:3] == [
        ("late", ("4A",)),
        ("later", ("4B", "4C", "4D")),
    ]
    assert items[1].tab == "A1A" and items[2].tab not in ("A1", "A1A", "A2")


def test_a_document_put_in_place_in_an_empty_section_is_tabbed_before_its_first():
    v2 = in_place(V1, "C", 0, doc("late"), serve(V1, PAGES))
    items, _ = numbered(v2, PAGES)
    assert [(item.key, item.tab, item.labels) for item in items][-1] == ("late", "C0A", ("9",))
    v2 = in_place(V1, "A", 0, doc("late"), serve(V1, PAGES))
    items, _ = numbered(v2, PAGES)
    assert [(item.key, item.tab, item.labels) for item in items][0] == ("late", "A0A", ("2A",))


def test_lettered_pages_go_on_from_z_to_aa():
    v2 = in_place(V1, "A", 1, doc("late"), serve(V1, PAGES))
    late = by_key(numbered(v2, {**PAGES, "late": 28})[0])["late"]
    assert late.labels[:2] == ("4A", "4B")
    assert late.labels[24:] == ("4Y", "4Z", "4AA", "4AB")


def test_a_document_added_after_the_last_served_page_in_place_is_numbered_on():
    v2 = in_place(V1, "B", 1, doc("late"), serve(V1, PAGES))
    late = by_key(numbered(v2, PAGES)[0])["late"]
    assert (late.tab, late.labels) == ("B1A", ("9",))


# Later versions: the index


def test_a_served_index_that_grows_takes_lettered_pages():
    served = serve(V1, PAGES)
    v2 = with_document(V1, "A", 1, doc("late"), version=2, served=served)
    items, index = numbered(v2, PAGES, index_pages=3)
    assert index == ("2", "2A", "2B")
    assert [item.labels for item in items] == [("3", "4"), ("5", "6"), ("7", "8"), ("9",)]
    # A served index of two pages grows on from its last: 3A, not 2A.
    served = serve(V1, PAGES, index_pages=2)
    v2 = with_document(V1, "A", 1, doc("late"), version=2, served=served)
    items, index = numbered(v2, PAGES, index_pages=3)
    assert index == ("2", "3", "3A")
    assert [item.labels for item in items][-1] == ("10",)


def test_a_served_index_that_stays_the_same_or_shrinks_keeps_its_numbers():
    served = serve(V1, PAGES, index_pages=2)
    v2 = dataclasses.replace(V1, version=2, served=served)
    assert numbered(v2, PAGES, index_pages=2)[1] == ("2", "3")
    assert numbered(v2, PAGES, index_pages=1)[1] == ("2", "3")


def test_the_layout_keeps_what_the_next_version_needs():
    served = serve(V1, PAGES)
    assert served["version"] == 1 and served["index_pages"] == 1
    assert served["runs"][:2] == [
        {
            "key": "cover",
            "kind": "cover",
            "section": "",
            "title": "Trial bundle",
            "tab": "",
            "labels": ["1"],
            "late": False,
            "late_section": False,
            "added": 0,
        },
        {
            "key": "index",
            "kind": "index",
            "section": "",
            "title": "Index",
            "tab": "",
            "labels": ["2"],
            "late": False,
            "late_section": False,
            "added": 0,
        },
    ]
    assert served["runs"][2]["labels"] == ["3", "4"] and served["runs"][2]["added"] == 1


# Later versions: what a served version forbids


def test_a_served_document_cannot_be_removed():
    served = serve(V1, PAGES)
    without = dataclasses.replace(V1, sections=V1.sections[:1], version=2, served=served)
    with pytest.raises(BundleError) as error:
        numbering.arrange(without, PAGES)
    assert str(error.value) == (
        '"Letter" was in the version that was served, and a served document cannot be removed'
        " from the bundle. Put it back, or start a new bundle."
    )


def test_a_served_document_cannot_change_its_page_count():
    v2 = dataclasses.replace(V1, version=2, served=serve(V1, PAGES))
    with pytest.raises(BundleError) as error:
        numbering.arrange(v2, {**PAGES, "letter": 3})
    assert str(error.value) == (
        '"Letter" had 2 pages in the version that was served and has 3 now. Pages that were'
        " served keep their numbers, so a served document cannot change; add the new version"
        " as a separate document."
    )


def test_a_served_divider_removed_from_the_spec_is_kept():
    bundle = dataclasses.replace(V1, dividers=True)
    served = serve(bundle, PAGES)
    v2 = dataclasses.replace(bundle, sections=bundle.sections[:2], version=2, served=served)
    items, _ = numbered(v2, PAGES)
    assert (items[-1].key, items[-1].kind, items[-1].labels) == ("divider:C", "divider", ("11",))
    assert (items[-1].section, items[-1].title) == ("C", "Expert evidence")


WRONG = "The layout of the served version is not one this builder wrote."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda layout: layout.pop("runs"), WRONG),
        (lambda layout: layout["runs"].pop(1), WRONG),
        (lambda layout: layout["runs"][2].pop("key"), WRONG),
        (lambda layout: layout["runs"][2].pop("title"), WRONG),
        (lambda layout: layout["runs"][2].pop("section"), WRONG),
        (
            lambda layout: layout["runs"][1].update(labels=[]),
            "The layout of the served version has an empty index.",
        ),
        (
            lambda layout: layout["runs"][2].update(labels=["3", "4x"]),
            'The served layout has a page number "4x" it cannot use.',
        ),
    ],
)
def test_a_served_layout_that_cannot_be_used_is_refused(change, message):
    served = serve(V1, PAGES)
    change(served)
    with pytest.raises(BundleError) as error:
        numbering.arrange(dataclasses.replace(V1, version=2, served=served), PAGES)
    assert str(error.value) == message
