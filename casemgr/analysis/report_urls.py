"""The report's addresses, relative to "matters/": analysis_report:preview (GET, the PDF)
analysis_report:save (POST, save it as an exhibit) and analysis_report:pin (POST, pin one of
its figures or tables to an allegation)."""

from django.urls import path

from casemgr.analysis import report_views

app_name = "analysis_report"

urlpatterns = [
    path(
        "<int:matter_pk>/analyses/<int:pk>/report.pdf",
        report_views.ReportPreviewView.as_view(),
        name="preview",
    ),
    path(
        "<int:matter_pk>/analyses/<int:pk>/report/",
        report_views.ReportSaveView.as_view(),
        name="save",
    ),
    path(
        "<int:matter_pk>/analyses/<int:pk>/report/pin/",
        report_views.ReportPinView.as_view(),
        name="pin",
    ),
]
