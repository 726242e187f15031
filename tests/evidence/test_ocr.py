"""Scans read by OCR: their rendition gains an invisible text layer, found at the right page;
the original never changes, and pages that carry text are left alone."""

import hashlib
import io
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.urls import reverse

from casemgr.evidence import ocr
from casemgr.evidence.models import ExhibitFile, ExhibitPage
from casemgr.evidence.tasks import ocr_exhibit_file
from tests.evidence import files, scans

pytestmark = pytest.mark.django_db


def _stored(key: str) -> bytes:
    return (Path(settings.MEDIA_ROOT) / key).read_bytes()


def _pages(exhibit_file: ExhibitFile) -> dict[int, str]:
    return dict(ExhibitPage.objects.filter(file=exhibit_file).values_list("number", "text"))


def _boxes(data: bytes) -> list[tuple]:
    with pikepdf.open(io.BytesIO(data)) as document:
        return [(tuple(p.mediabox), int(p.obj.get("/Rotate", 0))) for p in document.pages]


def test_a_scanned_pdf_gains_text_at_the_right_page_and_the_original_never_changes(
    upload, world, client
):
    scan = scans.pdf(["Exhibit cover", scans.ENGLISH, ""], rotate={3: 90})

    body = upload(scan, "scan.pdf").json()

    exhibit_file = ExhibitFile.objects.get(pk=body["files"][0]["id"])
    assert exhibit_file.ocr == ExhibitFile.Ocr.DONE, exhibit_file.ocr_error
    assert exhibit_file.ocr_languages == "eng"
    pages = _pages(exhibit_file)
    assert sorted(pages) == [1, 2, 3]
    assert scans.ENGLISH in " ".join(pages[2].split())
    assert scans.ENGLISH not in pages[1] and "cover" in pages[1].lower()
    assert exhibit_file.ocr_unread == [3]  # the blank page
    # The original is as uploaded; the rendition is a new PDF, named by its own hash, whose
    # pages are the same size and turned the same way.
    assert exhibit_file.sha256 == hashlib.sha256(scan).hexdigest()
    assert _stored(exhibit_file.storage_key) == scan
    rendition = _stored(exhibit_file.rendition_key)
    assert exhibit_file.rendition_sha256 != exhibit_file.sha256
    assert hashlib.sha256(rendition).hexdigest() == exhibit_file.rendition_sha256
    assert _boxes(rendition) == _boxes(scan)
    client.force_login(world.paralegal)
    page = client.get(reverse("evidence:exhibit", args=[world.matter.pk, body["id"]]))
    assert "Text read by OCR (English)" in page.content.decode()
    assert "OCR found no text on p. 3" in page.content.decode()


def test_chinese_is_read_in_the_matters_languages_and_stored_as_written(upload, world, client):
    world.matter.ocr_languages = "eng+chi_sim"
    world.matter.save(update_fields=["ocr_languages"])

    body = upload(scans.png(scans.CHINESE, font=scans.CJK_FONT), "statement.png").json()

    exhibit_file = ExhibitFile.objects.get(pk=body["files"][0]["id"])
    assert exhibit_file.ocr == ExhibitFile.Ocr.DONE, exhibit_file.ocr_error
    assert exhibit_file.ocr_languages == "eng+chi_sim"
    # Tesseract puts spaces between many of the characters; the page text has none.
    assert "提取了模型的行为" in _pages(exhibit_file)[1]
    client.force_login(world.paralegal)
    page = client.get(reverse("evidence:exhibit", args=[world.matter.pk, body["id"]]))
    assert "Text read by OCR (English + Chinese)" in page.content.decode()


def test_a_pdf_with_text_is_not_read_and_its_rendition_is_itself(upload):
    content = files.pdf(pages=2, text="Letter before action")

    body = upload(content, "letter.pdf").json()

    exhibit_file = ExhibitFile.objects.get(pk=body["files"][0]["id"])
    assert exhibit_file.ocr == ExhibitFile.Ocr.NOT_NEEDED
    assert exhibit_file.rendition_sha256 == exhibit_file.sha256
    assert "Letter before action page 2" in _pages(exhibit_file)[2]


def test_a_laid_out_file_needs_no_ocr(upload):
    body = upload(files.csv_log(), "log.csv").json()

    assert ExhibitFile.objects.get(pk=body["files"][0]["id"]).ocr == ExhibitFile.Ocr.NOT_NEEDED


def test_in_a_mixed_pdf_only_the_scanned_page_is_read_and_the_text_page_left_alone(upload):
    typed = pikepdf.open(io.BytesIO(files.pdf(pages=1, text="Typed witness statement")))
    typed.pages.extend(pikepdf.open(io.BytesIO(scans.pdf([scans.ENGLISH]))).pages)
    out = io.BytesIO()
    typed.save(out)

    body = upload(out.getvalue(), "mixed.pdf").json()

    exhibit_file = ExhibitFile.objects.get(pk=body["files"][0]["id"])
    pages = _pages(exhibit_file)
    assert pages[1].strip() == "Typed witness statement page 1"
    assert scans.ENGLISH in " ".join(pages[2].split())
    with pikepdf.open(io.BytesIO(_stored(exhibit_file.rendition_key))) as rendition:
        first = rendition.pages[0]
        assert first.Contents.read_bytes() == typed.pages[0].Contents.read_bytes()


def test_reading_twice_reads_once(upload):
    body = upload(scans.pdf([scans.ENGLISH]), "scan.pdf").json()
    exhibit_file = ExhibitFile.objects.get(pk=body["files"][0]["id"])

    assert ocr_exhibit_file(exhibit_file.pk) == "not pending"

    again = ExhibitFile.objects.get(pk=exhibit_file.pk)
    assert again.rendition_sha256 == exhibit_file.rendition_sha256
    assert again.ocr == ExhibitFile.Ocr.DONE


def test_spaces_between_chinese_characters_go_and_others_stay():
    assert ocr.join_cjk("被 告 通过 应 用\t程序 接口 。") == "被告通过应用程序接口。"
    assert ocr.join_cjk("被告 API 接口 and the model") == "被告 API 接口 and the model"
    assert ocr.join_cjk("第一行\n第二行") == "第一行\n第二行"  # lines stay lines
