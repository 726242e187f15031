from __future__ import annotations

import logging

from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import modelformset_factory
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView, View

from casemgr.access import policy
from casemgr.access.audit import audit_record
from casemgr.access.mixins import MatterEditMixin, MatterMixin
from casemgr.access.models import AuditAction
from casemgr.core.views import RecordUpdateView
from casemgr.evidence import selectors, services, storage
from casemgr.evidence.forms import ExhibitFilterForm, ExhibitForm, ExhibitQuickForm
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.evidence.references import default_prefix

log = logging.getLogger(__name__)


class ExhibitListView(MatterMixin, TemplateView):
    template_name = "evidence/exhibits.html"

    def get_context_data(self, **kwargs):
        clearance = policy.clearance(self.request.user, self.matter)
        form = ExhibitFilterForm(self.request.GET or None, matter=self.matter, clearance=clearance)
        # Every valid filter applies; an invalid one is shown with its error rather than
        # dropped silently along with all the others.
        form.is_valid()
        values = getattr(form, "cleaned_data", {})
        filters = selectors.ExhibitFilters(
            **{k: v for k, v in values.items() if v not in ("", None)}
        )
        exhibits = selectors.exhibits_for(
            matter=self.matter, user=self.request.user, filters=filters
        )
        page = Paginator(exhibits, 50).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form, page=page, query=query.urlencode(), sort=filters.sort, **kwargs
        )


class ExhibitUploadView(MatterEditMixin, TemplateView):
    template_name = "evidence/upload.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(prefix=default_prefix(self.matter), **kwargs)


class _ExhibitMixin:
    def visible_exhibits(self):
        return Exhibit.objects.visible_to(self.request.user)

    def get_exhibit(self, pk):
        return self.get_in_matter_or_404(self.visible_exhibits().select_related("party"), pk=pk)

    def get_file(self, pk) -> ExhibitFile:
        return self.get_in_matter_or_404(
            ExhibitFile.objects.visible_to(self.request.user).select_related("exhibit"), pk=pk
        )


class ExhibitDetailView(_ExhibitMixin, MatterMixin, TemplateView):
    template_name = "evidence/exhibit.html"

    def get_context_data(self, **kwargs):
        exhibit = self.get_exhibit(self.kwargs["pk"])
        files = list(exhibit.files.select_related("uploaded_by", "source"))
        # A PDF with scripts, launch actions or embedded files is not opened automatically.
        previewable = [
            f for f in files if f.rendition == ExhibitFile.Rendition.READY and not f.flags
        ]
        preview, preview_page = _preview_at(previewable, self.request.GET)
        return super().get_context_data(
            exhibit=exhibit,
            files=files,
            preview=preview,
            preview_page=preview_page,
            history=selectors.exhibit_history(exhibit=exhibit),
            **kwargs,
        )


def _preview_at(previewable: list[ExhibitFile], query) -> tuple[ExhibitFile | None, int]:
    """The file to preview and its page: ?file=<id>&page=<n> (a search hit, a pinpoint) when
    the file is one of this exhibit's previewable ones, else the first such file at page 1.
    A page past the end is the viewer's to clamp: it knows the page count."""
    chosen = next((f for f in previewable if str(f.pk) == query.get("file")), None)
    page = query.get("page", "")
    number = int(page) if page.isdecimal() and len(page) < 7 else 1
    if chosen is None:
        return (previewable[0] if previewable else None), 1
    return chosen, max(number, 1)


class ExhibitUpdateView(_ExhibitMixin, RecordUpdateView):
    model = Exhibit
    form_class = ExhibitForm
    success_noun = "Exhibit"
    save_service = staticmethod(services.exhibit_save)

    def get_queryset(self):
        return self.visible_exhibits()

    def get_form_kwargs(self):
        clearance = policy.clearance(self.request.user, self.matter)
        return {**super().get_form_kwargs(), "clearance": clearance}

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()


class ExhibitBulkEditView(_ExhibitMixin, MatterEditMixin, TemplateView):
    """The details of many exhibits at once, typically the batch just uploaded
    (?ids=1,2,3). Saved all or none; what is wrong is shown on its row and field, and the
    summary names the row ("Row 3 (invoice.pdf), Number: …")."""

    template_name = "evidence/bulk_edit.html"

    def get_formset(self, data=None):
        ids = [int(i) for i in self.request.GET.get("ids", "").split(",") if i.isdigit()]
        clearance = policy.clearance(self.request.user, self.matter)
        formset_class = modelformset_factory(Exhibit, form=ExhibitQuickForm, extra=0)
        formset = formset_class(
            data,
            queryset=self.visible_exhibits()
            .filter(matter=self.matter, pk__in=ids)
            .prefetch_related("files"),
            form_kwargs={"matter": self.matter, "clearance": clearance},
        )
        for n, form in enumerate(formset.forms, 1):
            first_file = next(iter(form.instance.files.all()), None)
            form.row_label = f"Row {n}" + (f" ({first_file})" if first_file else "")
        return formset

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(formset=self.get_formset()))

    def post(self, request, *args, **kwargs):
        formset = self.get_formset(request.POST)
        if formset.is_valid():
            rows = {form.instance.pk: form for form in formset.forms}
            try:
                services.exhibits_save(
                    exhibits=[form.instance for form in formset.forms],
                    actor=request.user,
                    request=request,
                    label=lambda exhibit: rows[exhibit.pk].row_label.lower(),
                )
            except services.ExhibitsRefused as refused:
                for pk, error in refused.errors.items():
                    _show_on_form(rows[pk], error)
            else:
                messages.success(request, _saved_message([f.instance for f in formset.forms]))
                return HttpResponseRedirect(
                    reverse("evidence:exhibits", kwargs={"matter_pk": self.matter.pk})
                )
        return self.render_to_response(self.get_context_data(formset=formset))


def _saved_message(exhibits: list[Exhibit]) -> str:
    saved = f"{len(exhibits)} exhibit{pluralize(len(exhibits))} saved"
    new = sum(e.status == Exhibit.Status.NEW for e in exhibits)
    if not new:
        return f"{saved}."
    verb = "has" if new == 1 else "have"
    return f"{saved}; {new} still {verb} details to complete (a date and the producing party)."


def _show_on_form(form, error: ValidationError) -> None:
    """Each message on its field where the form has that field, else on the whole row."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class FileDownloadView(_ExhibitMixin, MatterMixin, View):
    """The original bytes, as an attachment, after membership, clearance and hash checks."""

    rendition = False

    def get(self, request, *args, **kwargs):
        exhibit_file = self.get_file(kwargs["pk"])
        if self.rendition and exhibit_file.rendition != ExhibitFile.Rendition.READY:
            return HttpResponse(
                "The preview is not ready yet.", status=409, content_type="text/plain"
            )
        if self.rendition and exhibit_file.flags:
            return HttpResponse(
                "This PDF contains active content, so it is not previewed; download it and "
                "open it in a safe viewer.",
                status=409,
                content_type="text/plain",
            )
        try:
            stream = services.exhibit_file_open_verified(
                exhibit_file=exhibit_file, request=request, rendition=self.rendition
            )
        except storage.TamperedFile:
            return integrity_failed(
                request, obj=exhibit_file, sha256=exhibit_file.sha256, what="This file"
            )
        if self.rendition:
            response = FileResponse(stream, content_type="application/pdf")
            response["Content-Disposition"] = "inline"
        else:
            response = FileResponse(
                stream,
                as_attachment=True,
                filename=exhibit_file.original_name,
                content_type=exhibit_file.mime,
            )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


def integrity_failed(request, *, obj, sha256: str, what: str) -> HttpResponse:
    """Stored bytes that no longer match their SHA-256 are not sent: the refusal is logged
    loudly and audited, and the reader told in words (`what`: "This file")."""
    log.critical("Integrity check failed for %s %s", obj._meta.label, obj.pk)
    audit_record(
        action=AuditAction.INTEGRITY_FAILED,
        request=request,
        matter=obj.matter,
        obj=obj,
        detail={"sha256": sha256},
    )
    return HttpResponse(
        f"{what} failed its integrity check: the stored bytes no longer match the SHA-256 "
        "recorded when it was stored. It has not been sent. The incident is logged; tell "
        "your administrator.",
        status=500,
        content_type="text/plain",
    )


@method_decorator(xframe_options_sameorigin, name="dispatch")
@method_decorator(csp_replace({"frame-ancestors": [SELF]}), name="dispatch")
class FilePreviewView(FileDownloadView):
    """The PDF rendition, inline, for the exhibit page's preview frame."""

    rendition = True


@method_decorator(require_POST, name="dispatch")
class FileRetryRenditionView(_ExhibitMixin, MatterEditMixin, View):
    def post(self, request, *args, **kwargs):
        exhibit_file = self.get_file(kwargs["pk"])
        if not exhibit_file.rendition_retryable:
            return HttpResponse(
                "Only a failed or stalled preview can be prepared again.", status=409
            )
        services.exhibit_file_retry_rendition(
            exhibit_file=exhibit_file, actor=request.user, request=request
        )
        messages.success(request, f"Preparing the preview of {exhibit_file} again.")
        return HttpResponseRedirect(exhibit_file.exhibit.get_absolute_url())


@method_decorator(require_POST, name="dispatch")
class FileRetryOcrView(_ExhibitMixin, MatterEditMixin, View):
    def post(self, request, *args, **kwargs):
        exhibit_file = self.get_file(kwargs["pk"])
        if not exhibit_file.ocr_retryable:
            return HttpResponse("Only failed or stalled OCR can be run again.", status=409)
        services.exhibit_file_queue_ocr(
            exhibit_file=exhibit_file, actor=request.user, request=request
        )
        messages.success(request, f"Reading the text of {exhibit_file} again.")
        return HttpResponseRedirect(exhibit_file.exhibit.get_absolute_url())


class FileStatusView(_ExhibitMixin, MatterMixin, View):
    """What the exhibit page polls while a file's preview is prepared or its text read."""

    def get(self, request, *args, **kwargs):
        exhibit_file = self.get_file(kwargs["pk"])
        return JsonResponse(
            {
                "rendition": exhibit_file.rendition,
                "ocr": exhibit_file.ocr,
                "ocr_display": exhibit_file.get_ocr_display(),
            }
        )
