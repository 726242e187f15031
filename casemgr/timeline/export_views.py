"""Downloads of the timeline's exports (exports.py): members of the matter only, everything
within the reader's clearance, each download written to the audit trail."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.generic import View

from casemgr.access.audit import audit_record
from casemgr.access.mixins import MatterMixin
from casemgr.access.models import AuditAction
from casemgr.core import layout
from casemgr.timeline import exports, selectors
from casemgr.timeline.api import TimelineQuerySerializer


def download(export: exports.Export) -> HttpResponse:
    """An export as an attachment, never sniffed as another type, never cached."""
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class _ExportView(MatterMixin, View):
    """One export of the matter as a download. Subclasses say what they make."""

    name: str  # for the audit trail: "chronology", "dramatis personae"...
    takes_filters = False
    advice = "Shorten the longest texts in it and try again."
    back = "timeline:timeline"  # where the user came from to ask for it

    def make(self, filters: selectors.TimelineFilters | None) -> exports.Export:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        filters, applied = None, {}
        if self.takes_filters:
            # The timeline's own filters, read as the API reads them, so that an export
            # holds what the filtered page shows.
            query = TimelineQuerySerializer(data=request.GET, context={"form": True})
            if not query.is_valid():
                problems = "; ".join(
                    f"{field}: {' '.join(str(m) for m in messages)}"
                    for field, messages in query.errors.items()
                )
                return HttpResponse(
                    f"The filters could not be read: {problems}",
                    status=400,
                    content_type="text/plain; charset=utf-8",
                )
            filters = selectors.TimelineFilters(**query.validated_data)
            applied = {name: str(value) for name, value in query.validated_data.items()}
        try:
            export = self.make(filters)
        except layout.LayoutFailed as error:
            return self.failed(error)
        audit_record(
            action=AuditAction.DOWNLOAD,
            request=request,
            matter=self.matter,
            obj=self.matter,
            detail={
                "export": self.name,
                "filename": export.filename,
                "filters": applied,
            },
        )
        return download(export)

    def failed(self, error: Exception):
        """A page that says why the export was not made: 503, since the request was sound
        and the same export may be made once the matter's text is shorter."""
        return render(
            self.request,
            "timeline/export_failed.html",
            {
                "matter": self.matter,
                "export": self.name.split(" (")[0],
                "reason": str(error),
                "advice": self.advice,
                "back": reverse(self.back, args=[self.matter.pk]),
            },
            status=503,
        )


class ChronologyPdfView(_ExportView):
    name = "chronology (PDF)"
    takes_filters = True
    advice = "Narrow it down with the timeline's filters (dates, a party, a claim) and try again."

    def make(self, filters):
        return exports.chronology_pdf(matter=self.matter, user=self.request.user, filters=filters)


class ChronologyCsvView(_ExportView):
    name = "chronology (CSV)"
    takes_filters = True

    def make(self, filters):
        return exports.chronology_csv(matter=self.matter, user=self.request.user, filters=filters)


class DramatisPersonaePdfView(_ExportView):
    name = "dramatis personae (PDF)"
    advice = "Shorten the longest notes on people and try again."
    back = "matters:parties"

    def make(self, filters):
        return exports.dramatis_personae_pdf(matter=self.matter, user=self.request.user)


class ListOfIssuesPdfView(_ExportView):
    name = "list of issues (PDF)"
    advice = "Shorten the longest allegations and response notes and try again."
    back = "pleadings:claims"

    def make(self, filters):
        return exports.list_of_issues_pdf(matter=self.matter, user=self.request.user)
