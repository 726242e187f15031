from django.urls import path

from casemgr.evidence import views

app_name = "evidence"

urlpatterns = [
    path("<int:matter_pk>/exhibits/", views.ExhibitListView.as_view(), name="exhibits"),
    path("<int:matter_pk>/exhibits/upload/", views.ExhibitUploadView.as_view(), name="upload"),
    path(
        "<int:matter_pk>/exhibits/details/", views.ExhibitBulkEditView.as_view(), name="bulk_edit"
    ),
    path("<int:matter_pk>/exhibits/<int:pk>/", views.ExhibitDetailView.as_view(), name="exhibit"),
    path(
        "<int:matter_pk>/exhibits/<int:pk>/edit/",
        views.ExhibitUpdateView.as_view(),
        name="exhibit_edit",
    ),
    path(
        "<int:matter_pk>/files/<int:pk>/download/",
        views.FileDownloadView.as_view(),
        name="file_download",
    ),
    path(
        "<int:matter_pk>/files/<int:pk>/preview.pdf",
        views.FilePreviewView.as_view(),
        name="file_preview",
    ),
    path(
        "<int:matter_pk>/files/<int:pk>/retry/",
        views.FileRetryRenditionView.as_view(),
        name="file_retry",
    ),
    path(
        "<int:matter_pk>/files/<int:pk>/retry-ocr/",
        views.FileRetryOcrView.as_view(),
        name="file_retry_ocr",
    ),
    path(
        "<int:matter_pk>/files/<int:pk>/status/",
        views.FileStatusView.as_view(),
        name="file_status",
    ),
]
