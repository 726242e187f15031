"""The production pages as members use them, and as others cannot."""

import pytest
from django.urls import reverse

from casemgr.access.models import AuditAction, AuditEvent, Clearance
from casemgr.evidence import storage
from casemgr.productions.models import Production
from tests.evidence import files

pytestmark = pytest.mark.django_db


def url(name, production, **more):
    return reverse(
        f"productions:{name}", kwargs={"matter_pk": production.matter_id, "pk": production.pk}
    )


def test_a_paralegal_makes_a_production_from_the_form(
    world, add_exhibit, client, django_capture_on_commit_callbacks
):
    first = add_exhibit(files.pdf(pages=2, text="first"), "first.pdf")
    second = add_exhibit(files.pdf(pages=1, text="second"), "second.pdf")
    privileged = add_exhibit(files.pdf(text="advice"), "advice.pdf", privileged=True)
    client.force_login(world.paralegal)
    new = reverse("productions:production_create", kwargs={"matter_pk": world.matter.pk})

    form = client.get(new).content.decode()
    assert "No production numbers given in this matter yet" in form
    assert f'value="{privileged.pk}" id="exhibit-{privileged.pk}" disabled' in form
    assert "Not produced: privileged" in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            new,
            {
                "title": "First tranche",
                "proceeding": world.proceeding.pk,
                "produced_to": world.defendant.pk,
                "prefix": "nwa",
                "padding": 6,
                "order": "reference",
                "exhibits": [first.pk, second.pk],
            },
        )
    production = Production.objects.get()
    assert response.status_code == 302
    assert response["Location"] == production.get_absolute_url()
    page = client.get(production.get_absolute_url()).content.decode()
    assert "NWA000001–NWA000002" in page and "NWA000003" in page
    assert "Download the zip" in page
    assert "NWA000004" in client.get(new).content.decode()  # the next number, shown
    listing = client.get(reverse("productions:productions", kwargs={"matter_pk": world.matter.pk}))
    assert "First tranche" in listing.content.decode()


def test_a_refused_exhibit_posted_anyway_keeps_the_form_and_says_why(world, add_exhibit, client):
    privileged = add_exhibit(files.pdf(text="advice"), "advice.pdf", privileged=True)
    client.force_login(world.partner)
    response = client.post(
        reverse("productions:production_create", kwargs={"matter_pk": world.matter.pk}),
        {
            "title": "Sneaky",
            "proceeding": world.proceeding.pk,
            "produced_to": world.defendant.pk,
            "prefix": "NWA",
            "padding": 6,
            "order": "reference",
            "exhibits": [privileged.pk],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{privileged.reference}: privileged" in page
    assert 'value="Sneaky"' in page
    assert not Production.objects.exists()


def test_download_is_audited_and_hash_checked(world, add_exhibit, produce, client):
    production = produce(add_exhibit(files.pdf(text="one"), "one.pdf"))
    client.force_login(world.paralegal)

    response = client.get(url("download", production))

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'filename="{production.file_name}"')
    assert b"".join(response.streaming_content)[:2] == b"PK"
    event = AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).get()
    assert (event.actor, event.object_id) == (world.paralegal, str(production.pk))

    path = storage.default_storage.path(production.storage_key)
    with open(path, "ab") as stored:
        stored.write(b"tampered")
    response = client.get(url("download", production))
    assert response.status_code == 500
    assert b"integrity check" in response.content
    assert AuditEvent.objects.filter(action=AuditAction.INTEGRITY_FAILED).exists()


@pytest.mark.parametrize("name", ["production", "production_status", "download"])
def test_an_outsider_and_a_member_below_its_clearance_get_404(
    world, add_exhibit, produce, client, name
):
    confidential = add_exhibit(
        files.pdf(text="pricing"), "pricing.pdf", designation=Clearance.CONFIDENTIAL
    )
    production = produce(confidential)
    assert production.designation == Clearance.CONFIDENTIAL

    for user in (world.outsider, world.client):
        client.force_login(user)
        assert client.get(url(name, production)).status_code == 404
    client.force_login(world.client)
    listing = client.get(reverse("productions:productions", kwargs={"matter_pk": world.matter.pk}))
    assert production.title not in listing.content.decode()
    client.force_login(world.paralegal)
    assert client.get(url(name, production)).status_code == 200


def test_a_failed_build_can_be_built_again_with_the_same_numbers(
    world, add_exhibit, produce, client, django_capture_on_commit_callbacks, monkeypatch
):
    from casemgr.productions import assembly

    exhibit = add_exhibit(files.pdf(pages=2, text="one"), "one.pdf")
    real_build = assembly.build

    def broken(*args, **kwargs):
        raise assembly.ProductionError("the disk is full")

    monkeypatch.setattr(assembly, "build", broken)
    production = produce(exhibit)
    assert production.status == Production.Status.FAILED
    assert production.error == "the disk is full"
    assert (production.first_label, production.last_label) == ("NWA000001", "NWA000002")

    monkeypatch.setattr(assembly, "build", real_build)
    client.force_login(world.paralegal)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("rebuild", production))
    production.refresh_from_db()
    assert production.status == Production.Status.READY
    assert (production.first_label, production.last_label) == ("NWA000001", "NWA000002")
    assert production.documents.count() == 1
