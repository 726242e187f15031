"""A bundle built after OCR has no page left needing it, but names the pages OCR found no
text on, in other words; pages of a scan OCR could not read still need it."""

import pytest
from django.urls import reverse

from casemgr.bundles import services
from casemgr.bundles.models import Version
from tests.evidence import scans

pytestmark = pytest.mark.django_db


def _bundle_page(client, world, bundle) -> str:
    client.force_login(world.paralegal)
    url = reverse("bundles:bundle", kwargs={"matter_pk": world.matter.pk, "pk": bundle.pk})
    return " ".join(client.get(url).content.decode().split())


def _add(bundle, exhibit):
    section = bundle.sections.get(letter="D")
    services.entry_add(bundle=bundle, section=section, exhibit=exhibit, actor=bundle.created_by)


def test_pages_read_by_ocr_need_none_and_a_page_without_text_is_named_as_such(
    world, client, add_exhibit, make_bundle, build
):
    bundle = make_bundle()
    _add(bundle, add_exhibit(scans.pdf([scans.ENGLISH, ""]), "scan.pdf", title="Scan"))

    version = build(bundle)

    assert version.status == Version.Status.READY, version.error
    assert version.needs_ocr == []
    [blank] = version.ocr_unread
    html = _bundle_page(client, world, bundle)
    assert f"p. {blank['page']}: OCR found no text (a photograph or unreadable scan)." in html
    assert "need OCR" not in html


def test_a_scan_ocr_could_not_read_still_needs_it(
    world, client, add_exhibit, make_bundle, build, settings
):
    settings.OCR_BINARY = "/nonexistent/ocrmypdf"
    bundle = make_bundle()
    _add(bundle, add_exhibit(scans.pdf([scans.ENGLISH]), "scan.pdf", title="Scan"))

    version = build(bundle)

    assert len(version.needs_ocr) == 1 and version.ocr_unread == []
    html = _bundle_page(client, world, bundle)
    assert "1 page without a text layer</strong> (scanned) need OCR" in html
