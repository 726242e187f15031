"""An analysis's report: a PDF that prints what was read and how, its figures and tables
numbered, the log's values as text; saved once as an exhibit at the source's designation,
with its provenance; previewed and saved only by those who may see the source."""

from __future__ import annotations

import csv
import io

import pypdf
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape

from casemgr.access.models import AuditAction, AuditEvent, Clearance
from casemgr.analysis import report, services
from casemgr.analysis.models import Analysis
from casemgr.evidence import storage
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.timeline.models import EvidenceLink
from tests.analysis import generate, pages

pytestmark = pytest.mark.django_db

HOSTILE_ACCOUNT = '<script>alert("ring-1")</script>'
HOSTILE_PROMPT = "<img src=x onerror=alert(2)> please"


def _store(world, data: bytes, *, name: str, kind: str, designation: int):
    return pages.stored(
        world,
        data,
        name=name,
        kind=kind,
        designation=designation,
        prefix="NWA",
        title="API access log export",
    )


def done_log_analysis(world, tmp_path, *, designation=Clearance.AEO) -> Analysis:
    """A finished analysis of a generated log whose first ring account is named as a script,
    and whose unreadable rows carry markup in their prompts."""
    truth, rows = generate.rows(5, customers=40)
    for row in rows:
        if row["api_key_id"] == "ring-1":
            row["api_key_id"] = HOSTILE_ACCOUNT
        if not row["api_key_id"]:
            row["prompt"] = HOSTILE_PROMPT
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=generate.HEADER)
    writer.writeheader()
    writer.writerows(rows)
    source = _store(
        world, out.getvalue().encode(), name="api-logs.csv", kind="csv", designation=designation
    )
    analysis = services.analysis_create(source=source, kind="logs", created_by=world.partner)
    services.analysis_run(analysis=analysis, cache_dir=tmp_path / "cache")
    assert analysis.status == Analysis.Status.DONE, analysis.error
    assert HOSTILE_ACCOUNT in analysis.results["flagged_accounts"]
    return analysis


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_log_report_prints_its_figures_the_hash_and_the_flagged_accounts(world, tmp_path):
    analysis = done_log_analysis(world, tmp_path)
    made = report.report_pdf(analysis=analysis)
    text = pdf_text(made.content)
    for label in ("Figure 1.", "Figure 2.", "Table 1.", "Table 5.", "Table 11."):
        assert label in text
    assert analysis.sha256 in text.replace("\n", "")  # in full, as read
    assert "NWA-" in text and "api-logs.csv" in text
    flat = " ".join(text.split())
    flagged_page = pypdf.PdfReader(io.BytesIO(made.content)).pages[made.pages["flagged"] - 1]
    listed = " ".join(flagged_page.extract_text().split())
    assert "Table 2. Flagged accounts and why" in listed
    for account in analysis.results["flagged_accounts"]:
        assert account in listed
    # Methods and versions are printed with the figures they explain.
    assert analysis.results["bursts"]["method"][:60] in flat
    assert f"duckdb {analysis.versions['duckdb']}" in flat
    # Every figure and table can be found by its page, and its caption stays with it.
    pages = pypdf.PdfReader(io.BytesIO(made.content)).pages
    for anchor, caption in (("figure-1", "Figure 1. Requests per day"), ("table-5", "Table 5.")):
        assert made.pages[anchor] > 2  # past the list of figures and tables
        assert caption in pages[made.pages[anchor] - 1].extract_text()
    assert made.pages["figure-1"] == made.pages["daily-volume"]
    assert made.pages["table-5"] == made.pages["clusters"]
    first = next(item for item in made.contents if item["label"] == "Figure 1")
    assert first["caption"].startswith("Requests per day")
    assert first["page"] == made.pages["figure-1"]
    assert (
        made.filename == f"{analysis.source.exhibit.reference} API access log analysis report.pdf"
    )


def test_log_values_are_printed_as_text_never_as_markup(world, tmp_path):
    analysis = done_log_analysis(world, tmp_path)
    flat = " ".join(pdf_text(report.report_pdf(analysis=analysis).content).split())
    # Escaped, the script tag is text on the page; read as markup it would vanish.
    assert HOSTILE_ACCOUNT in flat
    assert HOSTILE_PROMPT in flat


def test_the_output_report_prints_medians_the_test_and_its_limits(world, tmp_path):
    path = tmp_path / "pairs.jsonl"
    generate.write_pairs(path, 3, copying=True)
    source = _store(
        world, path.read_bytes(), name="pairs.jsonl", kind="jsonl", designation=Clearance.STANDARD
    )
    analysis = services.analysis_create(source=source, kind="outputs", created_by=world.partner)
    services.analysis_run(analysis=analysis, cache_dir=tmp_path / "cache")
    flat = " ".join(pdf_text(report.report_pdf(analysis=analysis).content).split())
    for phrase in ("Figure 1.", "Table 1. Median similarity", "Table 2. Test result", "p-value"):
        assert phrase in flat
    assert "Probability of superiority" in flat and "Limits." in flat
    assert "Table 3. The 20 pairs" in flat


def test_saved_as_an_exhibit_at_the_sources_designation_with_its_provenance(
    world, tmp_path, django_capture_on_commit_callbacks
):
    analysis = done_log_analysis(world, tmp_path, designation=Clearance.AEO)
    source = analysis.source.exhibit
    before = Exhibit.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        exhibit = services.analysis_save_report(analysis=analysis, actor=world.partner)
    assert Exhibit.objects.count() == before + 1
    assert exhibit.designation == Clearance.AEO  # never lower than the log it quotes
    assert exhibit.document_type == Exhibit.DocumentType.REPORT
    assert exhibit.matter == world.matter and exhibit.prefix == "NWA"
    assert exhibit.title == f"Analysis of API access log {source.reference} (api-logs.csv)"
    assert source.reference in exhibit.collected_how
    assert analysis.sha256 in exhibit.description and source.reference in exhibit.description
    analysis.refresh_from_db()
    assert analysis.report == exhibit
    stored = exhibit.files.get()
    assert stored.kind == "pdf" and stored.flags == []
    assert stored.rendition == ExhibitFile.Rendition.READY and stored.page_count > 5
    storage.verify(stored.storage_key, stored.sha256)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(exhibit.pk), detail__analysis=analysis.pk
    ).exists()
    # Its pages can be pinned as evidence like any exhibit's.
    page = report.pages_of(storage.default_storage.open(stored.storage_key).read())["clusters"]
    link = EvidenceLink(
        matter=world.matter,
        exhibit=exhibit,
        exhibit_file=stored,
        pages=str(page),
        allegation=world.allegation,
        created_by=world.partner,
    )
    link.full_clean()


def test_saving_twice_gives_the_same_exhibit(world, tmp_path):
    analysis = done_log_analysis(world, tmp_path, designation=Clearance.CONFIDENTIAL)
    first = services.analysis_save_report(analysis=analysis, actor=world.partner)
    count = Exhibit.objects.count()
    again = services.analysis_save_report(
        analysis=Analysis.objects.get(pk=analysis.pk), actor=world.associate
    )
    assert again == first and Exhibit.objects.count() == count
    assert first.designation == Clearance.CONFIDENTIAL


def test_an_unfinished_analysis_has_no_report_to_save(world, tmp_path, client):
    analysis = done_log_analysis(world, tmp_path)
    Analysis.objects.filter(pk=analysis.pk).update(status=Analysis.Status.QUEUED)
    analysis.refresh_from_db()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="finished"):
        services.analysis_save_report(analysis=analysis, actor=world.partner)
    assert analysis.report_id is None
    # Through the page: back on the analysis, which says why; no exhibit made.
    client.force_login(world.partner)
    response = client.post(_urls(analysis)[1], follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/analyses/{analysis.pk}/")
    assert "Only a finished analysis has a report to save." in response.content.decode()
    assert not Exhibit.objects.filter(title__startswith="Analysis of").exists()


def _urls(analysis):
    kwargs = {"matter_pk": analysis.matter_id, "pk": analysis.pk}
    return reverse("analysis_report:preview", kwargs=kwargs), reverse(
        "analysis_report:save", kwargs=kwargs
    )


def test_a_member_previews_and_saves_the_report(world, tmp_path, client):
    analysis = done_log_analysis(world, tmp_path)
    preview, save = _urls(analysis)
    client.force_login(world.partner)
    response = client.get(preview)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert "analysis report.pdf" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, detail__report="preview").exists()
    response = client.post(save)
    analysis.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == analysis.report.get_absolute_url()
    assert (
        client.post(save).status_code == 302
        and Exhibit.objects.filter(title__startswith="Analysis of").count() == 1
    )


def test_below_the_sources_designation_the_report_does_not_exist(world, tmp_path, client):
    analysis = done_log_analysis(world, tmp_path, designation=Clearance.AEO)
    exhibit = services.analysis_save_report(analysis=analysis, actor=world.partner)
    Analysis.objects.filter(pk=analysis.pk).update(report=None)  # as if not yet saved
    preview, save = _urls(analysis)
    for name in ("expert", "paralegal", "outsider"):
        client.force_login(world.user(name))
        denied = AuditEvent.objects.filter(action=AuditAction.DENIED).count()
        assert client.get(preview).status_code == 404
        assert client.post(save).status_code == 404
        assert AuditEvent.objects.filter(action=AuditAction.DENIED).count() == denied + 2
        assert not Exhibit.objects.visible_to(world.user(name)).filter(pk=exhibit.pk).exists()
        page = reverse("evidence:exhibit", kwargs={"matter_pk": world.matter.pk, "pk": exhibit.pk})
        assert client.get(page).status_code == 404
    assert Analysis.objects.get(pk=analysis.pk).report is None


def test_a_member_who_only_reads_may_preview_but_not_save(world, tmp_path, client):
    analysis = done_log_analysis(world, tmp_path, designation=Clearance.CONFIDENTIAL)
    preview, save = _urls(analysis)
    client.force_login(world.expert)
    assert client.get(preview).status_code == 200
    assert client.post(save).status_code == 403
    analysis.refresh_from_db()
    assert analysis.report is None


def test_the_snippet_offers_the_save_then_links_to_the_exhibit(world, tmp_path):
    analysis = done_log_analysis(world, tmp_path)
    request = RequestFactory().get("/")
    request.user = world.partner
    context = {"analysis": analysis, "matter": world.matter, "can_edit": True}
    before = render_to_string("analysis/_save_report.html", context, request=request)
    assert "Save report as exhibit" in before and "csrfmiddlewaretoken" in before
    assert _urls(analysis)[1] in before and _urls(analysis)[0] in before
    reader = render_to_string(
        "analysis/_save_report.html", {**context, "can_edit": False}, request=request
    )
    assert "Save report as exhibit" not in reader
    exhibit = services.analysis_save_report(analysis=analysis, actor=world.partner)
    after = render_to_string("analysis/_save_report.html", context, request=request)
    assert exhibit.get_absolute_url() in after and exhibit.reference in after
    assert "Save report as exhibit" not in after


def test_a_saved_reports_figure_is_pinned_to_an_allegation_at_its_page(world, tmp_path, client):
    analysis = done_log_analysis(world, tmp_path, designation=Clearance.CONFIDENTIAL)
    client.force_login(world.partner)
    page = reverse("analysis:analysis", kwargs={"matter_pk": world.matter.pk, "pk": analysis.pk})
    assert "Pin to the allegation" not in client.get(page).content.decode()  # nothing saved
    exhibit = services.analysis_save_report(analysis=analysis, actor=world.partner)
    analysis.refresh_from_db()
    figure = next(i for i in analysis.report_contents if i["label"] == "Figure 1")
    html = client.get(page).content.decode()
    assert escape(f"Figure 1. {figure['caption']} (page {figure['page']})") in html

    pin = reverse("analysis_report:pin", kwargs={"matter_pk": world.matter.pk, "pk": analysis.pk})
    data = {"label": "Figure 1", "allegation": world.allegation.pk}
    client.force_login(world.expert)  # reads only
    assert client.post(pin, data).status_code == 403
    client.force_login(world.partner)
    response = client.post(pin, data)
    proof = reverse(
        "timeline:allegation_proof",
        kwargs={"matter_pk": world.matter.pk, "pk": world.allegation.pk},
    )
    assert response.status_code == 302 and response["Location"] == proof
    link = EvidenceLink.objects.get(exhibit=exhibit)
    assert (link.allegation, link.pages, link.stance) == (
        world.allegation,
        str(figure["page"]),
        EvidenceLink.Stance.SUPPORTS,
    )
    assert link.note.startswith("Figure 1: Requests per day")
    client.post(pin, data)  # again: the same pin, not a second
    assert EvidenceLink.objects.filter(exhibit=exhibit).count() == 1
    # The proof page shows the report's page as evidence for the allegation.
    shown = client.get(proof).content.decode()
    assert exhibit.reference in shown
