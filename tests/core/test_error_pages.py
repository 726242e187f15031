"""Not found and not allowed are answered with the product's own pages in every mode: with
DEBUG on (as `make run` serves the demo), Django's technical pages would show an outsider the
URL patterns and the exception."""

from __future__ import annotations

import pytest
from django.urls import reverse

DJANGO_TECHNICAL = ("URL patterns", "Django tried", "technical_404", "Request Method")


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def mode(request, settings):
    settings.DEBUG = request.param
    return request.param


def assert_product_page(response, status, heading):
    assert response.status_code == status
    body = response.content.decode()
    assert f"<h1>{heading}</h1>" in body
    assert "Back to your dashboard" in body
    for marker in DJANGO_TECHNICAL:
        assert marker not in body


def test_an_outsider_gets_the_products_404_for_another_matter(world, client, mode):
    client.force_login(world.outsider)
    response = client.get(world.matter.get_absolute_url())
    assert_product_page(response, 404, "Not found")
    assert world.matter.title not in response.content.decode()


def test_an_address_that_matches_no_route_gets_the_products_404(world, client, mode):
    client.force_login(world.partner)
    response = client.get("/matters/no-such-page/")
    assert_product_page(response, 404, "Not found")


def test_a_missing_slash_is_still_redirected(world, client, mode):
    client.force_login(world.partner)
    response = client.get(world.matter.get_absolute_url().rstrip("/"))
    assert response.status_code == 301
    assert response["Location"] == world.matter.get_absolute_url()


def test_a_reader_gets_the_products_403_when_they_may_not_change_a_record(world, client, mode):
    client.force_login(world.expert)
    response = client.get(reverse("matters:party_create", kwargs={"matter_pk": world.matter.pk}))
    assert_product_page(response, 403, "Not allowed")
    assert "Your role on this matter is read-only." in response.content.decode()


def test_the_api_keeps_answering_in_json(world, api, mode):
    response = api(world.outsider).get(f"/api/matters/{world.matter.pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
