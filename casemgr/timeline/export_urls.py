"""The exports' addresses, added to the timeline's own (urls.py) under its namespace, so they
are reversed as timeline:export_chronology_pdf and so on. Relative to "matters/"."""

from django.urls import path

from casemgr.timeline import export_views

urlpatterns = [
    path(
        "<int:matter_pk>/timeline/export/chronology.pdf",
        export_views.ChronologyPdfView.as_view(),
        name="export_chronology_pdf",
    ),
    path(
        "<int:matter_pk>/timeline/export/chronology.csv",
        export_views.ChronologyCsvView.as_view(),
        name="export_chronology_csv",
    ),
    path(
        "<int:matter_pk>/timeline/export/dramatis-personae.pdf",
        export_views.DramatisPersonaePdfView.as_view(),
        name="export_dramatis_personae_pdf",
    ),
    path(
        "<int:matter_pk>/timeline/export/list-of-issues.pdf",
        export_views.ListOfIssuesPdfView.as_view(),
        name="export_list_of_issues_pdf",
    ),
]
