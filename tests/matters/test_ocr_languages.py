"""A matter chooses the languages its scans are read in (OCR): English unless told."""

import pytest
from django.urls import reverse

from casemgr.matters.models import Matter

pytestmark = pytest.mark.django_db


def _details(matter: Matter, **changes) -> dict:
    return {
        "reference": matter.reference,
        "title": matter.title,
        "status": matter.status,
        "opened_on": matter.opened_on.isoformat(),
        "description": matter.description,
        "ocr_languages": matter.ocr_languages,
        **changes,
    }


def test_a_matter_reads_english_until_its_partner_chooses_chinese_too(client, world):
    assert world.matter.ocr_languages == "eng"
    client.force_login(world.partner)
    url = reverse("matters:edit", args=[world.matter.pk])
    assert "English and Simplified Chinese" in client.get(url).content.decode()

    response = client.post(url, _details(world.matter, ocr_languages="eng+chi_sim"))

    assert response.status_code == 302
    world.matter.refresh_from_db()
    assert world.matter.ocr_languages == "eng+chi_sim"


def test_a_language_casemgr_cannot_read_is_refused(client, world):
    client.force_login(world.partner)
    url = reverse("matters:edit", args=[world.matter.pk])

    response = client.post(url, _details(world.matter, ocr_languages="fra"))

    assert response.status_code == 200
    assert "fra is not one of the available choices" in response.content.decode()
    world.matter.refresh_from_db()
    assert world.matter.ocr_languages == "eng"
