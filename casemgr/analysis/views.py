"""The analysis pages: start one from an exhibit, confirm its mapping, follow it, read it.

Every analysis is fetched through get_in_matter_or_404 on Analysis.objects, which is scoped by
the source exhibit's designation: one above the reader's clearance is 404, as a hidden
exhibit is. Values from the log or the outputs are untrusted and reach the page escaped.
"""

from __future__ import annotations

import math

import duckdb
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from casemgr.access.audit import audit_record
from casemgr.access.mixins import MatterEditMixin, MatterMixin
from casemgr.access.models import AuditAction
from casemgr.evidence import storage
from casemgr.evidence.models import ExhibitFile

from . import forms, mapping, presenters, selectors, services
from .models import Analysis

TAMPERED = (
    "The stored file no longer matches its SHA-256, so it was not read. The incident is "
    "logged; tell your administrator."
)


def analysis_url(analysis: Analysis, name: str = "analysis") -> str:
    return reverse(f"analysis:{name}", kwargs={"matter_pk": analysis.matter_id, "pk": analysis.pk})


def _tampered(request, analysis: Analysis) -> HttpResponse:
    audit_record(
        action=AuditAction.INTEGRITY_FAILED,
        request=request,
        matter=analysis.matter,
        obj=analysis.source,
        detail={"sha256": analysis.sha256, "analysis": analysis.pk},
    )
    return HttpResponse(TAMPERED, status=500, content_type="text/plain")


class _AnalysisMixin:
    def get_analysis(self) -> Analysis:
        return self.get_in_matter_or_404(
            Analysis.objects.select_related("source__exhibit", "created_by", "matter"),
            pk=self.kwargs["pk"],
        )

    def get_finished(self, kind: str) -> Analysis:
        """A done analysis of `kind`: the drill-down pages read what lies under its figures."""
        analysis = self.get_analysis()
        if analysis.status != Analysis.Status.DONE or analysis.kind != kind:
            raise Http404("This analysis has no such results.")
        return analysis

    def audit_view(self, analysis: Analysis, **detail) -> None:
        """The log's own rows or the outputs' texts are the exhibit's content: seen, audited."""
        exhibit = analysis.source.exhibit
        audit_record(
            action=AuditAction.VIEW,
            request=self.request,
            matter=analysis.matter,
            obj=analysis.source,
            detail={
                "analysis": analysis.pk,
                "exhibit": exhibit.reference,
                "designation": exhibit.get_designation_display(),
                **detail,
            },
        )


class AnalysisListView(MatterMixin, TemplateView):
    template_name = "analysis/analyses.html"

    def get_context_data(self, **kwargs):
        analyses = selectors.analyses_for(matter=self.matter, user=self.request.user)
        return super().get_context_data(analyses=analyses, **kwargs)


class AnalysisCreateView(MatterEditMixin, View):
    """The exhibit page's "Analyse as API log" and "Compare model outputs": a new analysis of
    the file, then its mapping page."""

    def post(self, request, *args, **kwargs):
        exhibit_file = self.get_in_matter_or_404(
            ExhibitFile.objects.select_related("exhibit"), pk=request.POST.get("file")
        )
        kind = request.POST.get("kind")
        try:
            if kind not in Analysis.Kind.values:
                raise ValueError("Choose what to analyse the file as.")
            analysis = services.analysis_create(
                source=exhibit_file, kind=kind, created_by=request.user
            )
        except ValueError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(exhibit_file.exhibit.get_absolute_url() + "#analysis")
        return HttpResponseRedirect(analysis_url(analysis, "analysis_mapping"))


class AnalysisMappingView(_AnalysisMixin, MatterEditMixin, TemplateView):
    """Which column plays which role, shown beside the file's first rows; confirm and run."""

    template_name = "analysis/mapping.html"

    def get(self, request, *args, **kwargs):
        self.analysis = self.get_analysis()
        if self.analysis.kind == Analysis.Kind.OUTPUTS:
            return self.render_to_response(self.get_context_data())
        detected = self._preview(request)
        if not isinstance(detected, mapping.Mapping):
            return detected
        form = forms.MappingForm(
            initial=forms.initial(detected, self.analysis.parameters), columns=detected.columns
        )
        return self.render_to_response(self.get_context_data(form=form, detected=detected))

    def post(self, request, *args, **kwargs):
        self.analysis = self.get_analysis()
        if self.analysis.kind == Analysis.Kind.OUTPUTS:
            return self._start(request, confirmed=None, parameters=None, form=None, detected=None)
        detected = self._preview(request)
        if not isinstance(detected, mapping.Mapping):
            return detected
        form = forms.MappingForm(request.POST, columns=detected.columns)
        if form.is_valid():
            roles = form.roles()
            chosen = {"roles": roles, "timezone": form.cleaned_data["timezone"]}
            return self._start(
                request,
                confirmed=chosen,
                parameters=form.parameters(),
                form=form,
                detected=detected,
            )
        return self.render_to_response(self.get_context_data(form=form, detected=detected))

    def _preview(self, request):
        """The file's columns and first rows, or the page saying why they cannot be read."""
        try:
            return selectors.file_preview(self.analysis)
        except storage.TamperedFile:
            return _tampered(request, self.analysis)
        except (ValueError, duckdb.Error) as error:
            unreadable = (
                f"casemgr could not read {self.analysis.source.original_name} as "
                f"{self.analysis.source.kind.upper()}: {error}"
            )
            return self.render_to_response(self.get_context_data(unreadable=unreadable))

    def _start(self, request, *, confirmed, parameters, form, detected):
        try:
            services.analysis_start(
                analysis=self.analysis, actor=request.user, mapping=confirmed, parameters=parameters
            )
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return HttpResponseRedirect(analysis_url(self.analysis))
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form, detected=detected))
        messages.success(request, "The analysis is queued; this page follows its progress.")
        return HttpResponseRedirect(analysis_url(self.analysis))

    def get_context_data(self, **kwargs):
        detected = kwargs.get("detected")
        form = kwargs.get("form")
        rows = []
        if detected is not None and form is not None:
            # The role each column is given, to name it in the sample's header.
            role_of = {v: forms.ROLE_LABELS[r] for r, v in _form_roles(form).items()}
            header = [(c, role_of.get(c, "")) for c in detected.columns]
            rows = [[row.get(c) for c in detected.columns] for row in detected.sample]
            kwargs["header"] = header
        return super().get_context_data(analysis=self.analysis, rows=rows, **kwargs)


def _form_roles(form) -> dict[str, str]:
    data = form.data if form.is_bound else form.initial
    return {
        role: data.get(forms.role_field(role))
        for role in mapping.ROLES
        if data.get(forms.role_field(role))
    }


class AnalysisDetailView(_AnalysisMixin, MatterMixin, TemplateView):
    template_name = "analysis/analysis.html"

    def get_context_data(self, **kwargs):
        analysis = self.get_analysis()
        context = {"analysis": analysis, "stage": presenters.stage_words(analysis)}
        context["provenance"] = presenters.provenance(analysis)
        if analysis.status == Analysis.Status.DONE:
            if analysis.kind == Analysis.Kind.LOGS:
                context["logs"] = presenters.log_results(analysis)
            else:
                context["outputs"] = presenters.output_results(analysis, self.request.GET)
        if analysis.report_id and analysis.report_contents:
            context["pin_form"] = forms.ReportPinForm(analysis=analysis, matter=self.matter)
        return super().get_context_data(**context, **kwargs)


class AnalysisStatusView(_AnalysisMixin, MatterMixin, View):
    """What the analysis page polls while the run is queued or running."""

    def get(self, request, *args, **kwargs):
        analysis = self.get_analysis()
        return JsonResponse(
            {
                "status": analysis.status,
                "status_display": analysis.get_status_display(),
                "stage": analysis.stage,
                "stage_display": presenters.stage_words(analysis),
                "percent": round(analysis.progress * 100),
                "finished": analysis.finished,
                "stalled": services.is_stalled(analysis),
            }
        )


class AnalysisCancelView(_AnalysisMixin, MatterEditMixin, View):
    def post(self, request, *args, **kwargs):
        analysis = self.get_analysis()
        try:
            services.analysis_cancel(analysis=analysis, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if analysis.status == Analysis.Status.CANCELLED:
                messages.success(request, "The analysis is cancelled.")
            else:
                messages.success(request, "Cancelling: the run stops at its next step.")
        return HttpResponseRedirect(analysis_url(analysis))


class ClusterView(_AnalysisMixin, MatterMixin, TemplateView):
    """A cluster of linked accounts: what ties them, and each account's figures."""

    template_name = "analysis/cluster.html"

    def get(self, request, *args, **kwargs):
        analysis = self.get_finished(Analysis.Kind.LOGS)
        clusters = analysis.results.get("clusters", [])
        number = self.kwargs["cluster"]
        if not 1 <= number <= len(clusters):
            raise Http404("No such cluster.")
        cluster = clusters[number - 1]
        try:
            figures = selectors.account_figures(analysis, cluster["accounts"])
        except storage.TamperedFile:
            return _tampered(request, analysis)
        context = self.get_context_data(
            analysis=analysis,
            number=number,
            cluster=cluster,
            accounts=presenters.cluster_accounts(analysis, cluster, figures),
        )
        return self.render_to_response(context)


class AccountView(_AnalysisMixin, MatterMixin, TemplateView):
    """One account (?account=…): its figures, why it is flagged, and its requests, 50 a page."""

    template_name = "analysis/account.html"

    def get(self, request, *args, **kwargs):
        analysis = self.get_finished(Analysis.Kind.LOGS)
        account = request.GET.get("account", "")
        if not account:
            raise Http404("No account named.")
        try:
            number = max(int(request.GET.get("page", 1)), 1)
        except ValueError:
            number = 1
        try:
            figures = selectors.account_figures(analysis, [account]).get(account)
            rows, total = selectors.account_requests(analysis, account, number)
            pages = max(math.ceil(total / selectors.REQUESTS_PER_PAGE), 1)
            if number > pages:  # past the end: the last page
                number = pages
                rows, total = selectors.account_requests(analysis, account, number)
        except storage.TamperedFile:
            return _tampered(request, analysis)
        self.audit_view(analysis, account=account, page=number)
        context = self.get_context_data(
            analysis=analysis,
            account=account,
            figures=figures,
            about=presenters.account_about(analysis, account),
            rows=rows,
            total=total,
            page_number=number,
            pages=pages,
            first=(number - 1) * selectors.REQUESTS_PER_PAGE + 1,
            last=(number - 1) * selectors.REQUESTS_PER_PAGE + len(rows),
        )
        return self.render_to_response(context)


class PairView(_AnalysisMixin, MatterMixin, TemplateView):
    """One output pair side by side, its texts read again from the stored file."""

    template_name = "analysis/pair.html"

    def get(self, request, *args, **kwargs):
        analysis = self.get_finished(Analysis.Kind.OUTPUTS)
        number = self.kwargs["pair"]
        scores = next(
            (r for r in analysis.results.get("per_pair", []) if r["pair"] == number), None
        )
        if scores is None:
            raise Http404("No such pair.")
        try:
            shown = selectors.output_pair(analysis, number)
        except storage.TamperedFile:
            return _tampered(request, analysis)
        if shown is None:
            raise Http404("No such pair.")
        self.audit_view(analysis, pair=number)
        numbers = [r["pair"] for r in analysis.results["per_pair"]]
        at = numbers.index(number)
        context = self.get_context_data(
            analysis=analysis,
            number=number,
            scores=scores,
            shown=shown,
            previous=numbers[at - 1] if at > 0 else None,
            next=numbers[at + 1] if at + 1 < len(numbers) else None,
        )
        return self.render_to_response(context)
