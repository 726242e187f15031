"""A built version past BUNDLE_SIZE_WARNING_MB is flagged on the bundle page, beside that
version, with the split offered; images resampled into it are counted. Through the app: real
exhibits, a real build, the page as the test client gets it."""

from __future__ import annotations

import io

import img2pdf
import pytest
from django.urls import reverse
from PIL import Image

from casemgr.bundles import services
from casemgr.bundles.models import Version
from tests.evidence import files

pytestmark = pytest.mark.django_db

# 5 KiB: more than the two small exhibits (the page's projection before a build), less than
# the bundle built from them with its cover and index.
TINY_MB = 0.005


def page(client, bundle) -> str:
    response = client.get(
        reverse("bundles:bundle", kwargs={"matter_pk": bundle.matter_id, "pk": bundle.pk})
    )
    assert response.status_code == 200
    return response.content.decode()


def version_row(html: str, number: int) -> str:
    """The version's row and the note rows under it, up to the next version's row."""
    start = html.index(f'id="version-{number}"')
    end = html.find('<tr id="version-', start + 1)
    return html[start : end if end != -1 else html.index("</tbody>", start)]


@pytest.fixture
def built(world, add_exhibit, make_bundle, build, settings):
    settings.BUNDLE_SIZE_WARNING_MB = TINY_MB
    bundle = make_bundle()
    for name in ("Letter before action", "Reply"):
        exhibit = add_exhibit(files.pdf(pages=1, text=name), f"{name}.pdf", title=name)
        services.entry_add(
            bundle=bundle,
            section=bundle.sections.get(letter="D"),
            exhibit=exhibit,
            actor=world.paralegal,
        )
    version = build(bundle)
    assert version.status == Version.Status.READY, version.error
    return bundle, version


def test_a_version_past_the_limit_is_flagged_beside_it_with_the_split_offered(world, client, built):
    bundle, version = built
    limit = TINY_MB * 1024 * 1024
    assert version.size > limit
    client.force_login(world.paralegal)

    html = page(client, bundle)

    assert not services.projected(bundle, list(bundle.entries.all()))["too_large"]
    row = version_row(html, version.number)
    assert f"v{version.number} is" in row
    assert "court filing systems and e-mail refuse larger files" in row
    split = reverse("bundles:split", kwargs={"matter_pk": bundle.matter_id, "pk": bundle.pk})
    assert f'action="{split}"' in row
    assert html.count(f'action="{split}"') == 1


def test_no_flag_under_the_limit(world, client, built, settings):
    bundle, version = built
    settings.BUNDLE_SIZE_WARNING_MB = 500
    client.force_login(world.paralegal)

    row = version_row(page(client, bundle), version.number)

    assert "refuse larger files" not in row
    assert "bundles/split" not in row


def test_a_reader_who_cannot_edit_sees_the_flag_without_the_split(world, client, built):
    bundle, version = built
    client.force_login(world.expert)

    html = page(client, bundle)

    assert "refuse larger files" in version_row(html, version.number)
    assert "Split into a new bundle" not in html


def test_images_resampled_into_a_version_are_counted_on_its_page(
    world, client, add_exhibit, make_bundle, build
):
    picture = io.BytesIO()
    Image.new("L", (2480, 3496), 255).save(picture, format="JPEG", dpi=(600, 600))  # A6
    scan = add_exhibit(img2pdf.convert(picture.getvalue()), "scan.pdf", title="Site plan")
    bundle = make_bundle()
    services.entry_add(
        bundle=bundle, section=bundle.sections.get(letter="D"), exhibit=scan, actor=world.paralegal
    )

    version = build(bundle)

    assert version.resampled == 1
    client.force_login(world.paralegal)
    row = version_row(page(client, bundle), version.number)
    assert "1 image drawn finer than 300 dpi was resampled to 300 dpi" in row
