"""An analysis's report: previewed as a PDF, and saved as an exhibit of the matter.

Both go through the analysis as the member may see it: an analysis of an exhibit above the
member's clearance does not exist for them (404, audited), whether they read or write.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.generic import View

from casemgr.access import policy
from casemgr.access.audit import audit_record
from casemgr.access.mixins import MatterMixin
from casemgr.access.models import AuditAction
from casemgr.core import layout

from . import forms, report, services
from .models import Analysis
from .views import analysis_url


class _ReportView(MatterMixin, View):
    def get_analysis(self) -> Analysis:
        return self.get_in_matter_or_404(
            Analysis.objects.select_related("source__exhibit", "matter", "created_by"),
            pk=self.kwargs["pk"],
        )

    def get_analysis_to_change(self) -> Analysis:
        """The analysis, for a member who edits; a read-only member's attempt is audited."""
        analysis = self.get_analysis()
        if not policy.can_edit(self.request.user, self.matter):
            policy.audit_forbidden(
                self.request, matter=self.matter, obj=analysis, reason="read-only member"
            )
            raise PermissionDenied("Your role on this matter is read-only.")
        return analysis


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


class ReportPreviewView(_ReportView):
    """The report as a PDF, inline, to read before saving it."""

    def get(self, request, *args, **kwargs):
        analysis = self.get_analysis()
        if analysis.status != Analysis.Status.DONE:
            return _plain("The analysis has not finished, so there is no report yet.", 409)
        try:
            made = report.report_pdf(analysis=analysis)
        except layout.LayoutFailed as error:
            return _plain(f"The report could not be laid out: {error}", 503)
        # The report quotes the source: reading it is reading a confidential document.
        audit_record(
            action=AuditAction.VIEW,
            request=request,
            matter=self.matter,
            obj=analysis.source,
            detail={
                "analysis": analysis.pk,
                "report": "preview",
                "exhibit": analysis.source.exhibit.reference,
                "designation": analysis.source.exhibit.get_designation_display(),
            },
        )
        response = HttpResponse(made.content, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(False, made.filename)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class ReportSaveView(_ReportView):
    """Save the report as an exhibit (or find the one saved before) and go to it."""

    def post(self, request, *args, **kwargs):
        analysis = self.get_analysis_to_change()
        try:
            exhibit = services.analysis_save_report(
                analysis=analysis, actor=request.user, request=request
            )
        except ValidationError as error:
            # Back on the analysis page, which says why (a browser shows no plain text well).
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(analysis_url(analysis))
        except layout.LayoutFailed as error:
            messages.error(request, f"The report could not be laid out: {error}")
            return HttpResponseRedirect(analysis_url(analysis))
        messages.success(request, f"The report is exhibit {exhibit.reference}.")
        return HttpResponseRedirect(exhibit.get_absolute_url())


class ReportPinView(_ReportView):
    """Pin a figure or table of the saved report to an allegation, and show its proof."""

    def post(self, request, *args, **kwargs):
        analysis = self.get_analysis_to_change()
        form = forms.ReportPinForm(request.POST, analysis=analysis, matter=self.matter)
        if not form.is_valid() or analysis.report_id is None:
            messages.error(
                request, "Choose a figure or table of the saved report and an allegation."
            )
            return HttpResponseRedirect(analysis_url(analysis))
        allegation = form.cleaned_data["allegation"]
        link = services.analysis_report_pin(
            analysis=analysis,
            label=form.cleaned_data["label"],
            allegation=allegation,
            actor=request.user,
            request=request,
        )
        messages.success(
            request,
            f"{form.cleaned_data['label']} (page {link.pages} of {analysis.report.reference}) "
            f"is pinned to {allegation}.",
        )
        return HttpResponseRedirect(
            reverse("timeline:allegation_proof", args=[self.matter.pk, allegation.pk])
        )
