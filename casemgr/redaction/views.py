"""The redaction pages: draw and find boxes on a file's rendition, apply, review, and view the
redacted version. Every row is fetched through visible_to: another matter's redaction, or
one of a file above the reader's clearance, is 404 (audited)."""

from __future__ import annotations

import logging
from collections import Counter

from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import TemplateView

from casemgr.access.mixins import MatterEditMixin, MatterMixin
from casemgr.evidence import storage
from casemgr.evidence.models import ExhibitFile
from casemgr.evidence.views import integrity_failed
from casemgr.redaction import applying, engine, selectors, services
from casemgr.redaction.forms import BoxForm, FindForm, ReturnForm
from casemgr.redaction.models import Box, Redaction

log = logging.getLogger(__name__)


def _message(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You may not do that."


class _RedactionMixin:
    def get_redaction(self) -> Redaction:
        return self.get_in_matter_or_404(
            Redaction.objects.select_related(
                "file__exhibit", "matter", "proposed_by", "reviewed_by", "created_by"
            ),
            pk=self.kwargs["pk"],
        )


class RedactionStartView(MatterEditMixin, View):
    """Start redacting a file (or carry on with the redaction already open on it)."""

    def post(self, request, *args, **kwargs):
        exhibit_file = self.get_in_matter_or_404(
            ExhibitFile.objects.select_related("exhibit", "matter"), pk=kwargs["file_pk"]
        )
        try:
            redaction, new = services.redaction_start(
                exhibit_file=exhibit_file, actor=request.user, request=request
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _message(error))
            return HttpResponseRedirect(exhibit_file.exhibit.get_absolute_url())
        if not new:
            messages.info(request, "This file's redaction in progress is opened: carry on here.")
        return HttpResponseRedirect(redaction.get_absolute_url())


class RedactionDetailView(_RedactionMixin, MatterMixin, TemplateView):
    template_name = "redaction/redaction.html"

    def get_context_data(self, **kwargs):
        redaction = kwargs.pop("redaction", None) or self.get_redaction()
        user = self.request.user
        boxes = selectors.boxes_of(redaction)
        context = super().get_context_data(**kwargs)
        can_edit = context["can_edit"]
        proposed_by_me = redaction.proposed_by_id == user.pk
        page = self.request.GET.get("page", "")
        context.update(
            redaction=redaction,
            exhibit_file=redaction.file,
            exhibit=redaction.file.exhibit,
            boxes=boxes,
            boxes_data=[
                {
                    "id": b.pk,
                    "page": b.page,
                    "x0": b.x0,
                    "y0": b.y0,
                    "x1": b.x1,
                    "y1": b.y1,
                    "label": b.get_reason_display(),
                }
                for b in boxes
            ],
            reasons=Counter(b.get_reason_display() for b in boxes).most_common(),
            start_page=int(page) if page.isdecimal() and len(page) < 7 else 1,
            drawing=can_edit and redaction.editable and not redaction.stale,
            box_form=kwargs.get("box_form") or BoxForm(),
            find_form=kwargs.get("find_form") or FindForm(),
            return_form=ReturnForm(),
            stalled=applying.is_stalled(redaction),
            proposed_by_me=proposed_by_me,
            may_review=can_edit
            and redaction.status == Redaction.Status.PROPOSED
            and not redaction.stale,
            history=selectors.history_of_file(redaction=redaction, user=user),
        )
        return context

    def get(self, request, *args, **kwargs):
        redaction = self.get_redaction()
        return self.render_to_response(self.get_context_data(redaction=redaction))


class _RedactionActionView(_RedactionMixin, MatterEditMixin, View):
    """A POST that changes a redaction, then back to its page with what happened."""

    def post(self, request, *args, **kwargs):
        self.redaction = self.get_redaction()
        try:
            done = self.act(request)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _message(error))
        else:
            if isinstance(done, HttpResponse):
                return done
            if done:
                messages.success(request, done)
        return HttpResponseRedirect(self.redaction.get_absolute_url() + self.anchor(request))

    def anchor(self, request) -> str:
        return ""

    def act(self, request):
        raise NotImplementedError

    def refused(self, **forms) -> HttpResponse:
        """The redaction page again with the refused form, its errors and what was entered
        (a box drawn, a term typed), rather than losing it in a redirect."""
        view = RedactionDetailView(request=self.request, kwargs=self.kwargs, args=())
        view.matter = self.matter
        response = view.render_to_response(view.get_context_data(redaction=self.redaction, **forms))
        response.status_code = 400
        return response


class BoxAddView(_RedactionActionView):
    def act(self, request):
        form = BoxForm(request.POST)
        if not form.is_valid():
            return self.refused(box_form=form)
        data = form.cleaned_data
        box = engine.Box(
            page=data["page"],
            x0=data["x0"],
            y0=data["y0"],
            x1=data["x1"],
            y1=data["y1"],
            reason=engine.Reason(data["reason"]),
        )
        added = services.boxes_add(
            redaction=self.redaction, boxes=[box], actor=request.user, request=request
        )
        label = dict(Box.Reason.choices)[data["reason"]]
        return f"Box added on page {box.page} ({label})." if added else "That box is there already."

    def anchor(self, request) -> str:
        page = request.POST.get("page", "")
        return f"?page={page}#viewer" if page.isdecimal() and len(page) < 7 else "#viewer"


class BoxRemoveView(_RedactionActionView):
    def act(self, request):
        box = self.get_in_matter_or_404(
            Box.objects.filter(redaction=self.redaction), pk=self.kwargs["box_pk"]
        )
        services.box_remove(box=box, actor=request.user, request=request)
        return f"Box removed from page {box.page}."

    def anchor(self, request) -> str:
        return "#boxes"


class FindView(_RedactionActionView):
    def act(self, request):
        form = FindForm(request.POST)
        if not form.is_valid():
            return self.refused(find_form=form)
        terms, patterns, named = form.search()
        added = services.boxes_find(
            redaction=self.redaction,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            terms=terms,
            patterns=patterns,
            found_by=named,
            request=request,
        )
        if not added:
            raise ValidationError(f"Nothing new found for {named}: no box was added.")
        pages = sorted({box.page for box in added})
        shown = ", ".join(str(p) for p in pages[:20]) + ("…" if len(pages) > 20 else "")
        plural = "s" if len(added) != 1 else ""
        return f"{len(added)} box{'es' if plural else ''} added for {named}, on p. {shown}."

    def anchor(self, request) -> str:
        return "#boxes"


class ApplyView(_RedactionActionView):
    def act(self, request):
        applying.redaction_apply(redaction=self.redaction, actor=request.user, request=request)
        self.redaction.refresh_from_db()
        if self.redaction.status == Redaction.Status.PROPOSED:
            return "Redaction applied: a second member must now approve it."
        if self.redaction.status == Redaction.Status.FAILED:
            raise ValidationError(f"The redaction could not be applied: {self.redaction.error}")
        return "Applying the redaction; this page shows its progress."


class ApproveView(_RedactionActionView):
    def act(self, request):
        services.redaction_approve(redaction=self.redaction, actor=request.user, request=request)
        return (
            f"Redaction of {self.redaction.file} approved: it replaces any earlier approved "
            "redaction of the file."
        )


class ReturnView(_RedactionActionView):
    def act(self, request):
        form = ReturnForm(request.POST)
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        redaction = services.redaction_return(
            redaction=self.redaction,
            actor=request.user,
            note=form.cleaned_data["note"],
            request=request,
        )
        if redaction.reviewed_by_id:
            return "Redaction returned to draft with your note."
        return "Redaction withdrawn to draft: change its boxes and apply it again."


class DiscardView(_RedactionActionView):
    def act(self, request):
        services.redaction_discard(redaction=self.redaction, actor=request.user, request=request)
        return "Redaction discarded; it stays in the file's history and is never used."


class RedactionStatusView(_RedactionMixin, MatterMixin, View):
    """What the page polls while the redaction is applied (static/js/bundle.js follows it)."""

    def get(self, request, *args, **kwargs):
        redaction = self.get_redaction()
        return JsonResponse(
            {
                "status": redaction.status,
                "status_display": redaction.get_status_display(),
                "percent": redaction.percent,
                "pages_done": redaction.pages_done,
                "pages_total": redaction.pages_total,
                "error": redaction.error,
                "finished": redaction.finished,
            }
        )


class RedactedView(_RedactionMixin, MatterMixin, TemplateView):
    """The redacted version in the viewer."""

    template_name = "redaction/redacted.html"

    def get_context_data(self, **kwargs):
        redaction = self.get_redaction()
        if not redaction.storage_key:
            raise Http404("This redaction has no redacted file yet.")
        return super().get_context_data(
            redaction=redaction, exhibit_file=redaction.file, exhibit=redaction.file.exhibit
        )


class RedactedFileView(_RedactionMixin, MatterMixin, View):
    """The redacted PDF, inline for the viewer or as a download, after the clearance and
    hash checks; audited."""

    download = False

    def get(self, request, *args, **kwargs):
        redaction = self.get_redaction()
        if not redaction.storage_key:
            raise Http404("This redaction has no redacted file yet.")
        try:
            stream = services.redaction_open_verified(
                redaction=redaction, request=request, download=self.download
            )
        except storage.TamperedFile:
            return integrity_failed(
                request, obj=redaction, sha256=redaction.sha256, what="This redacted file"
            )
        stem = redaction.file.original_name.rsplit(".", 1)[0]
        name = f"{redaction.file.exhibit.reference} {stem} (redacted).pdf"
        response = FileResponse(
            stream,
            as_attachment=self.download,
            filename=name,
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


@method_decorator(xframe_options_sameorigin, name="dispatch")
@method_decorator(csp_replace({"frame-ancestors": [SELF]}), name="dispatch")
class RedactedInlineView(RedactedFileView):
    download = False


class RedactedDownloadView(RedactedFileView):
    download = True
