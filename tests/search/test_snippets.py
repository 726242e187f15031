"""A snippet shows a document's text as text: markup in a page is escaped, and only the
matched words are marked."""

import re

from django.urls import reverse

from tests.evidence import files


def test_markup_in_a_page_is_shown_escaped_with_only_the_match_marked(client, world, upload):
    text = (
        "Note <script>document.title='pwned'</script> costs < 5 & "
        "<img src=x onerror=alert(1)> manifest"
    )
    response = upload(files.pdf_of_pages([text]), "markup.pdf")
    assert response.status_code == 201

    client.force_login(world.paralegal)
    html = client.get(
        reverse("search:results", args=[world.matter.pk]), {"q": "manifest"}
    ).content.decode()
    snippet = re.search(r'<p class="hit__snippet">(.*?)</p>', html, re.S)[1]
    # PostgreSQL leaves a well-formed tag out of a snippet; whatever of it stays is text.
    assert "<script" not in snippet and "<img" not in snippet
    assert "costs &lt; 5 &amp; &lt;img src=x onerror=alert(1)&gt;" in snippet
    assert re.findall(r"<mark>(.*?)</mark>", snippet) == ["manifest"]
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0
