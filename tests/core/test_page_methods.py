"""Pages take GET (and HEAD) and POST only: any other method is 405 before any work, on
every page of the URL configuration, so a new page cannot forget it."""

from __future__ import annotations

from django.urls import reverse

from tests.routes import page_routes, snapshot


def test_every_page_answers_put_patch_and_delete_with_405_and_changes_nothing(world, client, rows):
    client.force_login(world.partner)
    routes = page_routes()
    assert len(routes) > 60  # the sweep really walks the URL configuration
    before = snapshot()
    # What a form would have saved, had the method been taken for POST.
    body = "title=Changed&role=partner&clearance=3&audience=ring&name=Changed"
    taken = []
    for route in routes:
        url = route.url(rows)
        for method in ("put", "patch", "delete"):
            response = getattr(client, method)(
                url, body, content_type="application/x-www-form-urlencoded"
            )
            allowed = set(response.get("Allow", "").split(", "))
            if response.status_code != 405 or allowed != {"GET", "HEAD", "POST"}:
                taken.append((method.upper(), url, response.status_code, sorted(allowed)))
    assert taken == []
    assert snapshot() == before


def test_pages_still_take_get_and_post_and_the_api_keeps_its_methods(world, client, api):
    client.force_login(world.partner)
    assert client.get(world.matter.get_absolute_url()).status_code == 200
    assert client.head(world.matter.get_absolute_url()).status_code == 200
    members = reverse("access:members", kwargs={"matter_pk": world.matter.pk})
    assert client.post(members, {}).status_code == 200  # the form, with its errors
    response = api(world.partner).patch(
        f"/api/matters/{world.matter.pk}/", {"title": "Northwind v Jadeport (renamed)"}
    )
    assert response.status_code == 200, response.content
