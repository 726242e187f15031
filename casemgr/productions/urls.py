from django.urls import path

from casemgr.productions import views

app_name = "productions"

PRODUCTION = "<int:matter_pk>/productions/<int:pk>/"

urlpatterns = [
    path("<int:matter_pk>/productions/", views.ProductionListView.as_view(), name="productions"),
    path(
        "<int:matter_pk>/productions/new/",
        views.ProductionCreateView.as_view(),
        name="production_create",
    ),
    path(PRODUCTION, views.ProductionDetailView.as_view(), name="production"),
    path(PRODUCTION + "status/", views.ProductionStatusView.as_view(), name="production_status"),
    path(PRODUCTION + "download/", views.ProductionDownloadView.as_view(), name="download"),
    path(PRODUCTION + "rebuild/", views.ProductionRebuildView.as_view(), name="rebuild"),
]
