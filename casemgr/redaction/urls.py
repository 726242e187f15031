from django.urls import path

from casemgr.redaction import views

app_name = "redaction"

REDACTION = "<int:matter_pk>/redactions/<int:pk>/"

urlpatterns = [
    path(
        "<int:matter_pk>/files/<int:file_pk>/redact/",
        views.RedactionStartView.as_view(),
        name="start",
    ),
    path(REDACTION, views.RedactionDetailView.as_view(), name="redaction"),
    path(REDACTION + "boxes/", views.BoxAddView.as_view(), name="box_add"),
    path(
        REDACTION + "boxes/<int:box_pk>/remove/", views.BoxRemoveView.as_view(), name="box_remove"
    ),
    path(REDACTION + "find/", views.FindView.as_view(), name="find"),
    path(REDACTION + "apply/", views.ApplyView.as_view(), name="apply"),
    path(REDACTION + "approve/", views.ApproveView.as_view(), name="approve"),
    path(REDACTION + "return/", views.ReturnView.as_view(), name="return"),
    path(REDACTION + "discard/", views.DiscardView.as_view(), name="discard"),
    path(REDACTION + "status/", views.RedactionStatusView.as_view(), name="status"),
    path(REDACTION + "redacted/", views.RedactedView.as_view(), name="redacted"),
    path(REDACTION + "redacted.pdf", views.RedactedInlineView.as_view(), name="redacted_pdf"),
    path(REDACTION + "download/", views.RedactedDownloadView.as_view(), name="download"),
]
