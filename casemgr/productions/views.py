from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.views import View
from django.views.generic import FormView, TemplateView

from casemgr.access.audit import audit_record
from casemgr.access.mixins import MatterEditMixin, MatterMixin
from casemgr.access.models import AuditAction
from casemgr.evidence import storage
from casemgr.evidence.models import Exhibit
from casemgr.productions import selectors, services
from casemgr.productions.forms import ProductionForm
from casemgr.productions.models import Production

log = logging.getLogger(__name__)


class ProductionListView(MatterMixin, TemplateView):
    template_name = "productions/productions.html"

    def get_context_data(self, **kwargs):
        productions = selectors.productions_for(matter=self.matter, user=self.request.user)
        return super().get_context_data(productions=productions, **kwargs)


class ProductionCreateView(MatterEditMixin, FormView):
    """Details and the exhibits to produce; saving queues the build."""

    template_name = "productions/production_form.html"
    form_class = ProductionForm

    def get_form_kwargs(self):
        exhibits = Exhibit.objects.visible_to(self.request.user).filter(matter=self.matter)
        return {
            **super().get_form_kwargs(),
            "matter": self.matter,
            "exhibits": exhibits,
            "instance": Production(matter=self.matter, created_by=self.request.user),
        }

    def get_initial(self):
        # The prefix used last, so a second tranche numbers on by default.
        last = selectors.productions_for(matter=self.matter, user=self.request.user).first()
        return {"prefix": last.prefix, "padding": last.padding} if last else {}

    def get_context_data(self, **kwargs):
        form = kwargs.get("form") or self.get_form()
        ticked = {str(pk) for pk in (form["exhibits"].value() or [])}
        return super().get_context_data(
            choices=selectors.exhibit_choices(matter=self.matter, user=self.request.user),
            ticked=ticked,
            next_numbers=services.next_numbers(matter=self.matter).values(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            production = services.production_create(
                production=form.instance,
                exhibits=list(form.cleaned_data["exhibits"]),
                order=form.cleaned_data["order"],
                actor=self.request.user,
                request=self.request,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        production.refresh_from_db()
        if production.status == Production.Status.FAILED:
            messages.error(self.request, f"The production could not be built: {production.error}")
        else:
            messages.success(self.request, f"Production “{production}” is being built.")
        return HttpResponseRedirect(production.get_absolute_url())


class _ProductionMixin:
    def get_production(self) -> Production:
        return self.get_in_matter_or_404(
            Production.objects.select_related("proceeding", "produced_to", "matter"),
            pk=self.kwargs["pk"],
        )


class ProductionDetailView(_ProductionMixin, MatterMixin, TemplateView):
    template_name = "productions/production.html"

    def get_context_data(self, **kwargs):
        production = self.get_production()
        left_out, left_out_hidden = selectors.left_out_for(production, self.request.user)
        return super().get_context_data(
            production=production,
            documents=selectors.produced_documents(production, self.request.user),
            left_out=left_out,
            left_out_hidden=left_out_hidden,
            stalled=services.is_stalled(production),
            **kwargs,
        )


class ProductionStatusView(_ProductionMixin, MatterMixin, View):
    """What the page polls while the set builds (static/js/bundle.js follows it)."""

    def get(self, request, *args, **kwargs):
        production = self.get_production()
        return JsonResponse(
            {
                "status": production.status,
                "status_display": production.get_status_display(),
                "percent": production.percent,
                "pages_done": production.pages_done,
                "pages_total": production.pages_total,
                "error": production.error,
                "finished": production.finished,
            }
        )


class ProductionRebuildView(_ProductionMixin, MatterEditMixin, View):
    def post(self, request, *args, **kwargs):
        production = self.get_production()
        try:
            services.production_rebuild(production=production, actor=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The production is being built again.")
        return HttpResponseRedirect(production.get_absolute_url())


class ProductionDownloadView(_ProductionMixin, MatterMixin, View):
    """The published zip, after clearance and hash checks; every download is audited."""

    def get(self, request, *args, **kwargs):
        production = self.get_production()
        if production.status != Production.Status.READY:
            raise Http404("This production has no file yet.")
        try:
            stream = services.production_open_verified(production=production, request=request)
        except storage.TamperedFile:
            log.critical("Integrity check failed for production %s", production.pk)
            audit_record(
                action=AuditAction.INTEGRITY_FAILED,
                request=request,
                matter=production.matter,
                obj=production,
                detail={"sha256": production.sha256},
            )
            return HttpResponse(
                "This production failed its integrity check: the stored file no longer matches "
                "the SHA-256 recorded when it was built. It has not been sent. Tell your "
                "administrator.",
                status=500,
                content_type="text/plain",
            )
        response = FileResponse(
            stream,
            as_attachment=True,
            filename=production.file_name,
            content_type="application/zip",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
