"""Downloads of the timeline's exports (exports.py): members of the matter only, everything
within the reader's clearance, each download written to the audit trail."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.generic import View

from casemgr.access.audit import audit_record
from casemgr.access.mixins import MatterMixin
from casemgr.access.models import AuditAction
from casemgr.timeline import exports, selectors
from casemgr.timeline.api import TimelineQuerySerializer


class _ExportView(MatterMixin, View):
    """One export of the matter as a download. Subclasses say what they make."""

    name: str  # for the audit trail: "chronology", "dramatis personae"...
    takes_filters = False

    def make(self, filters: selectors.TimelineFilters | None) -> exports.Export:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        filters, applied = None, {}
        if self.takes_filters:
            # The timeline's own filters, read as the API reads them, so that an export
            # holds what the filtered page shows.
            query = TimelineQuerySerializer(data=request.GET)
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
        export = self.make(filters)
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
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = content_disposition_header(True, export.filename)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class ChronologyPdfView(_ExportView):
    name = "chronology (PDF)"
    takes_filters = True

    def make(self, filters):
        return exports.chronology_pdf(matter=self.matter, user=self.request.user, filters=filters)


class ChronologyCsvView(_ExportView):
    name = "chronology (CSV)"
    takes_filters = True

    def make(self, filters):
        return exports.chronology_csv(matter=self.matter, user=self.request.user, filters=filters)


class DramatisPersonaePdfView(_ExportView):
    name = "dramatis personae (PDF)"

    def make(self, filters):
        return exports.dramatis_personae_pdf(matter=self.matter, user=self.request.user)


class ListOfIssuesPdfView(_ExportView):
    name = "list of issues (PDF)"

    def make(self, filters):
        return exports.list_of_issues_pdf(matter=self.matter, user=self.request.user)
