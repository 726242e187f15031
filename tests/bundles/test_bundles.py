"""Bundles through the app: defining them, building versions, serving, late documents,
audiences and downloads. The PDFs are real (WeasyPrint and pikepdf) and opened here."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pikepdf
import pypdf
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from casemgr.access.models import AuditAction, AuditEvent, Clearance
from casemgr.bundles import front_matter, services
from casemgr.bundles.models import Bundle, Entry, Version
from casemgr.evidence.models import ExhibitFile
from tests.evidence import files

pytestmark = pytest.mark.django_db


def _pdf(client, version: Version) -> pikepdf.Pdf:
    url = reverse(
        "bundles:version_download",
        kwargs={
            "matter_pk": version.bundle.matter_id,
            "pk": version.bundle_id,
            "number": version.number,
        },
    )
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == version.sha256
    return pikepdf.open(io.BytesIO(data))


def _text(document: pikepdf.Pdf) -> str:
    out = io.BytesIO()
    document.save(out)
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(out).pages)


def _labels(document: pikepdf.Pdf) -> list[str]:
    return [page.label for page in document.pages]


def _add(bundle, exhibit, section_letter="D", user=None):
    section = bundle.sections.get(letter=section_letter)
    return services.entry_add(
        bundle=bundle, section=section, exhibit=exhibit, actor=user or bundle.created_by
    )


def test_a_built_version_is_the_indexed_numbered_pdf_and_its_download_is_audited(
    world, client, add_exhibit, make_bundle, build
):
    bundle = make_bundle()
    claim_form = add_exhibit(
        files.pdf(pages=3, text="Particulars of Claim"), "poc.pdf", title="Particulars of Claim"
    )
    screenshot = add_exhibit(files.image("JPEG"), "usage.jpg", title="API usage dashboard")
    letter = add_exhibit(
        files.pdf(pages=2, text="Letter before action"), "lba.pdf", title="Letter before action"
    )
    _add(bundle, claim_form, "A")
    _add(bundle, letter, "D")
    _add(bundle, screenshot, "D")

    version = build(bundle)

    assert version.status == Version.Status.READY, version.error
    client.force_login(world.paralegal)
    document = _pdf(client, version)
    # Cover, index, two dividers (only sections with documents get one), 3 + 2 + 1 pages.
    index_pages = len(next(r["labels"] for r in version.layout["runs"] if r["kind"] == "index"))
    assert len(document.pages) == version.page_count == 1 + index_pages + 2 + 6
    assert _labels(document) == [str(n) for n in range(1, version.page_count + 1)]
    titles = [row["title"] for row in version.contents]
    assert titles == ["Particulars of Claim", "Letter before action", "API usage dashboard"]
    assert [row["tab"] for row in version.contents] == ["A1", "D1", "D2"]
    with document.open_outline() as outline:
        flat = [child.title for item in outline.root for child in item.children]
    assert any("Particulars of Claim" in title for title in flat)
    assert sum("Letter before action" in title for title in flat) == 1
    text = _text(document)
    assert "Letter before action page 2" in text  # the text layer survives
    assert version.file_name.endswith("- Bundle A - v1.pdf")
    download = AuditEvent.objects.get(action=AuditAction.DOWNLOAD, object_id=str(bundle.pk))
    assert download.detail["version"] == 1 and download.actor == world.paralegal
    stored = Path(settings.MEDIA_ROOT) / version.storage_key
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == version.sha256


def test_the_audience_decides_what_may_go_in(world, add_exhibit, make_bundle):
    privileged = add_exhibit(title="Counsel's advice on merits", privileged=True)
    aeo = add_exhibit(title="Model weights summary", designation=Clearance.AEO)
    for_all = make_bundle()
    with pytest.raises(ValidationError, match="privileged"):
        _add(for_all, privileged)
    with pytest.raises(ValidationError, match="confidentiality-ring"):
        _add(for_all, aeo)
    ring = make_bundle(audience=Bundle.Audience.RING, title="Ring bundle")
    _add(ring, aeo)
    with pytest.raises(ValidationError, match="privileged"):
        _add(ring, privileged)
    ours = make_bundle(audience=Bundle.Audience.OUR_SIDE, title="Internal bundle")
    _add(ours, privileged)
    with pytest.raises(ValidationError, match="confidentiality-ring"):
        _add(ours, aeo)


def test_a_document_the_audience_now_excludes_is_left_out_of_the_pdf_and_listed(
    world, client, add_exhibit, make_bundle, build
):
    ring = make_bundle(audience=Bundle.Audience.RING)
    aeo = add_exhibit(
        files.pdf(text="Distillation pipeline internals"),
        "internals.pdf",
        title="Distillation pipeline internals",
        designation=Clearance.AEO,
    )
    open_letter = add_exhibit(
        files.pdf(text="Open letter to the court"), "open.pdf", title="Open letter"
    )
    _add(ring, aeo)
    _add(ring, open_letter)
    ring_version = build(ring)
    assert ring_version.designation == Clearance.AEO
    client.force_login(world.partner)
    assert "Distillation pipeline internals" in _text(_pdf(client, ring_version))

    # Re-purposed for all parties: the AEO exhibit stays listed but never reaches the PDF.
    ring.audience = Bundle.Audience.ALL_PARTIES
    ring.save()
    version = build(ring)
    text = _text(_pdf(client, version))
    assert "Distillation pipeline internals" not in text
    assert "Open letter to the court" in text
    assert version.left_out == [
        {"exhibit": aeo.pk, "reference": aeo.reference, "reason": ring.refusal(aeo)},
    ]
    assert version.designation == Clearance.STANDARD  # the file holds nothing above that
    page = client.get(ring.get_absolute_url()).content.decode()
    assert f"Left out for this audience:</strong> {aeo.reference}" in page

    # A paralegal without AEO clearance downloads the file, but the page never names what
    # was left out of it (nor the AEO exhibit in the earlier ring version).
    client.force_login(world.paralegal)
    assert "Open letter to the court" in _text(_pdf(client, version))
    page = client.get(ring.get_absolute_url()).content.decode()
    assert aeo.reference not in page and "Distillation" not in page
    assert "Its documents are above your clearance" in page


def test_a_version_with_an_aeo_document_does_not_exist_for_a_member_without_aeo_clearance(
    world, client, add_exhibit, make_bundle, build
):
    # (A confidentiality-ring bundle does not exist for them at all: tests/bundles/test_ring.py.
    # Here the exhibit is made attorneys' eyes only after a bundle for all parties was built.)
    ring = make_bundle()
    weights = add_exhibit(title="Weights", designation=Clearance.CONFIDENTIAL)
    _add(ring, weights, user=world.partner)
    version = build(ring, user=world.partner)
    assert version.status == Version.Status.READY, version.error
    weights.designation = Clearance.AEO
    weights.save(update_fields=["designation"])
    client.force_login(world.expert)
    url = reverse(
        "bundles:version_download",
        kwargs={"matter_pk": world.matter.pk, "pk": ring.pk, "number": version.number},
    )
    assert client.get(url).status_code == 404
    denied = AuditEvent.objects.get(action=AuditAction.DENIED, actor=world.expert)
    assert denied.matter == world.matter and denied.detail["reason"] == "above clearance"
    page = client.get(ring.get_absolute_url()).content.decode()
    assert "Above your clearance" in page
    assert "Weights" not in page  # the entry itself is hidden: counted, never named
    assert "1 document in this bundle is above your clearance" in page


def test_outsiders_get_404_and_readers_cannot_build(world, client, add_exhibit, make_bundle):
    bundle = make_bundle()
    _add(bundle, add_exhibit(title="Letter"))
    client.force_login(world.outsider)
    assert client.get(bundle.get_absolute_url()).status_code == 404
    client.force_login(world.expert)
    assert client.get(bundle.get_absolute_url()).status_code == 200
    build_url = reverse("bundles:build", kwargs={"matter_pk": world.matter.pk, "pk": bundle.pk})
    assert client.post(build_url).status_code == 403
    assert not bundle.versions.exists()


def test_late_documents_go_at_the_end_and_served_pages_keep_their_numbers(
    world, client, add_exhibit, make_bundle, build
):
    bundle = make_bundle(dividers=False)
    first = add_exhibit(
        files.pdf(pages=3, text="Witness statement of A Quill"), "ws.pdf", title="WS Quill"
    )
    second = add_exhibit(files.pdf(pages=2, text="Order of 3 March"), "order.pdf", title="Order")
    _add(bundle, first, "C")
    _add(bundle, second, "B")
    served = build(bundle)
    services.version_serve(version=served, actor=world.paralegal)

    late = add_exhibit(
        files.pdf(pages=2, text="Late letter of 9 May"), "late.pdf", title="Late letter"
    )
    _add(bundle, late, "B")  # put in section B, but pages already cited must not move
    version = build(bundle)

    before = {row["key"]: (row["first"], row["last"]) for row in served.contents}
    after = {row["key"]: (row["first"], row["last"]) for row in version.contents}
    for key, pages in before.items():
        assert after[key] == pages
    late_row = next(row for row in version.contents if row["key"] not in before)
    assert late_row["late"] is True
    assert int(late_row["first"]) == served.page_count + 1
    client.force_login(world.paralegal)
    document = _pdf(client, version)
    assert _labels(document)[-2:] == [str(served.page_count + 1), str(served.page_count + 2)]
    changes = services.version_changes(version, served)
    assert [row["reference"] for row in changes["added"]] == [late.reference]
    assert changes["moved"] == []
    page = client.get(bundle.get_absolute_url()).content.decode()
    assert f"Added in v{version.number}" in page


def test_late_documents_in_place_take_lettered_numbers(
    world, client, add_exhibit, make_bundle, build
):
    bundle = make_bundle(dividers=False, late_mode=Bundle.LateMode.IN_PLACE)
    first = add_exhibit(files.pdf(pages=2, text="Defence"), "defence.pdf", title="Defence")
    last = add_exhibit(files.pdf(pages=2, text="Reply"), "reply.pdf", title="Reply")
    _add(bundle, first, "A")
    _add(bundle, last, "A")
    served = build(bundle)
    services.version_serve(version=served, actor=world.paralegal)
    defence_last = next(row["last"] for row in served.contents if row["title"] == "Defence")

    late = add_exhibit(files.pdf(pages=2, text="Amended Defence"), "amended.pdf", title="Amended")
    entry = _add(bundle, late, "A")
    section = bundle.sections.get(letter="A")
    ids = list(section.entries.order_by("position").values_list("pk", flat=True))
    ids.remove(entry.pk)
    ids.insert(1, entry.pk)  # between the Defence and the Reply
    services.bundle_arrange(
        bundle=bundle,
        order=[(s.pk, ids if s.pk == section.pk else []) for s in bundle.sections.all()],
        actor=world.paralegal,
    )
    version = build(bundle)

    late_row = next(row for row in version.contents if row["title"] == "Amended")
    assert (late_row["first"], late_row["last"]) == (f"{defence_last}A", f"{defence_last}B")
    client.force_login(world.paralegal)
    labels = _labels(_pdf(client, version))
    at = labels.index(f"{defence_last}A")
    assert labels[at - 1] == defence_last and labels[at + 1] == f"{defence_last}B"
    assert labels[at + 2] == str(int(defence_last) + 1)


def test_served_documents_cannot_be_removed_or_reordered(world, add_exhibit, make_bundle, build):
    bundle = make_bundle()
    one = _add(bundle, add_exhibit(title="One"), "D")
    two = _add(bundle, add_exhibit(title="Two"), "D")
    services.version_serve(version=build(bundle), actor=world.paralegal)
    with pytest.raises(ValidationError, match="already served"):
        services.entry_remove(entry=one, actor=world.paralegal)
    section = bundle.sections.get(letter="D")
    with pytest.raises(ValidationError, match="keep their sections and their order"):
        services.bundle_arrange(
            bundle=bundle,
            order=[(s.pk, [two.pk, one.pk] if s == section else []) for s in bundle.sections.all()],
            actor=world.paralegal,
        )
    assert Entry.objects.filter(pk=one.pk).exists()


def test_drag_and_drop_order_is_saved_and_a_stale_order_refused(
    world, client, add_exhibit, make_bundle
):
    bundle = make_bundle()
    one = _add(bundle, add_exhibit(title="One"), "D")
    two = _add(bundle, add_exhibit(title="Two"), "D")
    sections = list(bundle.sections.all())
    url = reverse("bundles:arrange", kwargs={"matter_pk": world.matter.pk, "pk": bundle.pk})
    client.force_login(world.paralegal)
    body = {"sections": [{"id": s.pk, "entries": []} for s in sections]}
    body["sections"][0]["entries"] = [two.pk, one.pk]  # both into section A, reversed
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 204
    assert list(bundle.sections.get(letter="A").entries.values_list("pk", flat=True)) == [
        two.pk,
        one.pk,
    ]
    body["sections"][0]["entries"] = [two.pk]  # one left out: the page was stale
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 409
    assert "reload the page" in response.json()["error"]


def test_a_tampered_exhibit_fails_the_build_and_nothing_is_published(
    world, add_exhibit, make_bundle, build
):
    bundle = make_bundle()
    exhibit = add_exhibit(title="Server logs")
    _add(bundle, exhibit)
    stored = exhibit.files.get()
    (Path(settings.MEDIA_ROOT) / stored.rendition_key).write_bytes(files.pdf(text="forged"))
    version = build(bundle)
    assert version.status == Version.Status.FAILED
    assert "integrity check" in version.error
    assert version.storage_key == ""
    assert AuditEvent.objects.filter(action=AuditAction.INTEGRITY_FAILED).exists()


def test_a_document_without_its_pdf_yet_fails_the_build_with_the_reason(
    world, add_exhibit, make_bundle, build
):
    bundle = make_bundle()
    exhibit = add_exhibit(title="Spreadsheet")
    _add(bundle, exhibit)
    ExhibitFile.objects.filter(exhibit=exhibit).update(rendition=ExhibitFile.Rendition.PENDING)
    version = build(bundle)
    assert version.status == Version.Status.FAILED
    assert exhibit.reference in version.error and "still being prepared" in version.error


def test_a_cover_and_index_past_their_time_budget_fail_the_build_with_the_reason(
    world, add_exhibit, make_bundle, build, monkeypatch
):
    monkeypatch.setattr(front_matter, "LAYOUT_SECONDS", 0.001)  # no layout is that quick
    bundle = make_bundle()
    _add(bundle, add_exhibit(title="Server logs"))
    version = build(bundle)
    assert version.status == Version.Status.FAILED
    assert "took longer than 0.001 seconds, so it was stopped" in version.error
    assert "second bundle" in version.error
    assert version.storage_key == ""


def test_a_build_refuses_to_claim_its_version_inside_someone_elses_transaction(
    world, add_exhibit, make_bundle
):
    # The claim must be committed before the work starts, or a second worker could take the
    # same version; nested in a caller's transaction it would not be.
    bundle = make_bundle()
    _add(bundle, add_exhibit(title="Server logs"))
    version = services.version_request(bundle=bundle, actor=world.paralegal)  # not yet built
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.version_build(version.pk)
    version.refresh_from_db()
    assert version.status == Version.Status.QUEUED
    assert services.version_build(version.pk) == "ready"


def test_a_build_that_runs_twice_publishes_one_file(world, add_exhibit, make_bundle, build):
    bundle = make_bundle()
    _add(bundle, add_exhibit(title="Letter"))
    version = build(bundle)
    assert services.version_build(version.pk) == "already finished"
    assert bundle.versions.count() == 1
    folder = Path(settings.MEDIA_ROOT) / "bundles" / str(bundle.pk)
    assert [p.name for p in folder.iterdir()] == [Path(version.storage_key).name]


def test_a_rebuild_is_a_new_version_and_the_old_one_stays_downloadable(
    world, client, add_exhibit, make_bundle, build
):
    bundle = make_bundle()
    _add(bundle, add_exhibit(title="Letter"))
    first = build(bundle)
    _add(bundle, add_exhibit(title="Reply letter"))
    second = build(bundle)
    assert (first.number, second.number) == (1, 2)
    client.force_login(world.client)
    assert len(_pdf(client, first).pages) < len(_pdf(client, second).pages)


def test_the_bundle_page_offers_exhibits_and_explains_refusals(
    world, client, add_exhibit, make_bundle
):
    bundle = make_bundle()
    add_exhibit(title="Counsel's advice", privileged=True)
    add_exhibit(title="Terms of service 2025")
    client.force_login(world.paralegal)
    page = client.get(bundle.get_absolute_url()).content.decode()
    assert "Terms of service 2025" in page
    assert "Cannot go in: privileged" in page
    assert "Not built yet" in page


def test_an_order_naming_another_bundles_section_is_refused(
    world, client, add_exhibit, make_bundle
):
    bundle = make_bundle()
    entry = _add(bundle, add_exhibit(title="One"), "D")
    elsewhere = make_bundle(title="Another bundle").sections.get(letter="A")
    url = reverse("bundles:arrange", kwargs={"matter_pk": world.matter.pk, "pk": bundle.pk})
    client.force_login(world.paralegal)
    body = {"sections": [{"id": elsewhere.pk, "entries": [entry.pk]}]}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 409
    entry.refresh_from_db()
    assert entry.section.bundle_id == bundle.pk


def test_the_arrange_endpoint_needs_the_csrf_token(world, add_exhibit, make_bundle):
    from django.test import Client

    bundle = make_bundle()
    one = _add(bundle, add_exhibit(title="One"), "D")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.paralegal)
    url = reverse("bundles:arrange", kwargs={"matter_pk": world.matter.pk, "pk": bundle.pk})
    body = {
        "sections": [
            {"id": s.pk, "entries": [one.pk] if s.letter == "A" else []}
            for s in bundle.sections.all()
        ]
    }
    assert client.post(url, body, content_type="application/json").status_code == 403
    one.refresh_from_db()
    assert one.section.letter == "D"


def test_after_serving_late_documents_the_list_can_still_be_arranged(
    world, client, add_exhibit, make_bundle, build
):
    bundle = make_bundle()
    served = _add(bundle, add_exhibit(title="Served one"), "D")
    services.version_serve(version=build(bundle), actor=world.paralegal)
    late_one = _add(bundle, add_exhibit(title="Late one"), "B")
    late_two = _add(bundle, add_exhibit(title="Late two"), "B")
    services.version_serve(version=build(bundle), actor=world.paralegal)
    url = reverse("bundles:arrange", kwargs={"matter_pk": world.matter.pk, "pk": bundle.pk})
    client.force_login(world.paralegal)
    order = {s.pk: list(s.entries.values_list("pk", flat=True)) for s in bundle.sections.all()}
    section_b = bundle.sections.get(letter="B")
    assert order[section_b.pk] == [late_one.pk, late_two.pk]
    order[section_b.pk] = [late_two.pk, late_one.pk]
    body = {"sections": [{"id": pk, "entries": entries} for pk, entries in order.items()]}

    assert client.post(url, body, content_type="application/json").status_code == 204

    assert list(section_b.entries.values_list("pk", flat=True)) == [late_two.pk, late_one.pk]
    assert list(bundle.sections.get(letter="D").entries.values_list("pk", flat=True)) == [served.pk]


def test_a_member_who_cannot_see_every_document_cannot_reorder_serve_or_split(
    world, client, add_exhibit, make_bundle, build
):
    ring = make_bundle(audience=Bundle.Audience.RING)
    hidden = _add(ring, add_exhibit(title="Weights", designation=Clearance.AEO), "D")
    seen = _add(ring, add_exhibit(title="Letter"), "D")
    version = build(ring, user=world.partner)
    client.force_login(world.paralegal)  # may edit, cleared to confidential only
    kwargs = {"matter_pk": world.matter.pk, "pk": ring.pk}
    client.post(
        reverse("bundles:entry_move", kwargs={**kwargs, "entry_pk": seen.pk}), {"move": "up"}
    )
    serve = reverse("bundles:version_serve", kwargs={**kwargs, "number": version.number})
    client.post(serve)
    d = ring.sections.get(letter="D")
    client.post(reverse("bundles:split", kwargs=kwargs), {"sections": [d.pk]})
    hidden.refresh_from_db(), seen.refresh_from_db(), version.refresh_from_db()
    assert (hidden.position, seen.position) == (1, 2)
    assert version.served_at is None
    assert Bundle.objects.filter(matter=world.matter).count() == 1


def test_a_served_document_that_may_no_longer_go_in_stops_the_build_with_the_reason(
    world, add_exhibit, make_bundle, build
):
    bundle = make_bundle()
    exhibit = add_exhibit(title="Letter")
    _add(bundle, exhibit)
    services.version_serve(version=build(bundle), actor=world.paralegal)
    exhibit.status = exhibit.Status.WITHDRAWN
    exhibit.save()
    version = build(bundle)
    assert version.status == Version.Status.FAILED
    assert f"{exhibit.reference} is in the served version but is now withdrawn" in version.error


def test_a_run_overtaken_by_another_publishes_nothing(world, add_exhibit, make_bundle):
    bundle = make_bundle()
    _add(bundle, add_exhibit(title="Letter"))
    version = services.version_request(bundle=bundle, actor=world.paralegal)  # not run yet
    first = services._claim(version.pk)  # a run whose worker then went quiet...
    assert services.version_build(version.pk) == "ready"  # ...and the redelivered run
    assert services._build(first) == "superseded"
    version.refresh_from_db()
    assert version.status == Version.Status.READY and version.attempts == 2
    folder = Path(settings.MEDIA_ROOT) / "bundles" / str(bundle.pk)
    assert [p.name for p in folder.iterdir()] == [Path(version.storage_key).name]
