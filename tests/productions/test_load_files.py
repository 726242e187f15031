"""The zip's load files parse back as a review platform reads them and agree with the PDFs."""

import hashlib

import pikepdf
import pytest

from casemgr.productions import loadfiles
from tests.evidence import files

pytestmark = pytest.mark.django_db


def test_dat_and_opt_parse_back_and_agree_with_the_pdfs(world, add_exhibit, produce, unpack):
    licence = add_exhibit(files.pdf(pages=3, text="Licence"), "licence.pdf", title="Licence")
    licence.author, licence.custodian = "Iris Marlowe", "Legal department"
    licence.recipients = "Jadeport Commerce (UK) Ltd"
    licence.save()
    letter = add_exhibit(
        files.pdf(pages=2, text="Letter"), "letter.pdf", title="Letter þ with¶odd\ncharacters"
    )

    production = produce(licence, letter)
    zipped = unpack(production)
    rows = zipped.dat()
    lines = zipped.opt()

    assert [(r["BEGBATES"], r["ENDBATES"], r["PAGECOUNT"]) for r in rows] == [
        ("NWA000001", "NWA000003", "3"),
        ("NWA000004", "NWA000005", "2"),
    ]
    assert list(rows[0]) == list(loadfiles.DAT_FIELDS)
    assert rows[0]["TITLE"] == "Licence"
    assert (rows[0]["AUTHOR"], rows[0]["CUSTODIAN"]) == ("Iris Marlowe", "Legal department")
    assert rows[0]["RECIPIENTS"] == "Jadeport Commerce (UK) Ltd"
    assert rows[0]["PRODPARTY"] == "Northwind Intelligence Ltd"
    assert rows[1]["TITLE"] == "Letter   with¶odd characters"
    assert {r["REDACTED"] for r in rows} == {"N"}
    for row in rows:
        native = zipped.read(row["NATIVEPATH"])
        assert hashlib.sha256(native).hexdigest() == row["SHA256"]
        pdf = zipped.pdf_path(row["NATIVEPATH"])
        assert len(pikepdf.open(pdf).pages) == int(row["PAGECOUNT"])
        assert zipped.read(row["TEXTPATH"]).decode().count("\f") == int(row["PAGECOUNT"]) - 1

    assert [line[0] for line in lines] == [f"NWA{n:06d}" for n in range(1, 6)]
    assert {line[1] for line in lines} == {zipped.volume} == {"NWA000001-NWA000005"}
    assert [(line[3], line[6]) for line in lines] == [
        ("Y", "3"),
        ("", ""),
        ("", ""),
        ("Y", "2"),
        ("", ""),
    ]
    for line in lines:
        assert len(pikepdf.open(zipped.pdf_path(line[2])).pages) == 1
    # Each document's first page in the OPT is its BEGBATES in the DAT.
    assert [line[0] for line in lines if line[3] == "Y"] == [r["BEGBATES"] for r in rows]


def test_text_is_each_pages_text(world, add_exhibit, produce, unpack):
    exhibit = add_exhibit(files.pdf(pages=2, text="Minutes"), "minutes.pdf")
    zipped = unpack(produce(exhibit))
    text = zipped.read("TEXT\\NWA000001.txt").decode()
    assert [page.strip() for page in text.split("\f")] == ["Minutes page 1", "Minutes page 2"]
