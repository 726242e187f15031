"""The exhibit page previews the file and page a link asks for (?file=…&page=…), within the
exhibit; anything else falls back to its first file at page 1."""

from django.urls import reverse

from tests.evidence import files


def _preview(client, world, exhibit_id, **params) -> str:
    html = client.get(reverse("evidence:exhibit", args=[world.matter.pk, exhibit_id]), params)
    return html.content.decode()


def test_the_page_asked_for_is_where_the_viewer_opens(client, world, upload):
    first = upload(files.pdf(pages=1, text="First"), "first.pdf").json()
    client.force_login(world.paralegal)
    html = _preview(client, world, first["id"], file=first["files"][0]["id"], page="7")
    assert 'data-page="7"' in html
    assert "vendor/pdfjs/pdf.min.mjs" in html and 'type="module"' in html
    assert "Download / open PDF" in html


def test_a_file_of_another_exhibit_or_a_bad_page_falls_back(client, world, upload):
    mine = upload(files.pdf(text="Mine"), "mine.pdf").json()
    other = upload(files.pdf(text="Other"), "other.pdf").json()
    client.force_login(world.paralegal)
    html = _preview(client, world, mine["id"], file=other["files"][0]["id"], page="3")
    own = reverse("evidence:file_preview", args=[world.matter.pk, mine["files"][0]["id"]])
    assert f'data-src="{own}"' in html and 'data-page="1"' in html
    html = _preview(client, world, mine["id"], file=mine["files"][0]["id"], page="-2²")
    assert 'data-page="1"' in html
