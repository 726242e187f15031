from django.urls import path

from casemgr.bundles import views

app_name = "bundles"

BUNDLE = "<int:matter_pk>/bundles/<int:pk>/"
VERSION = BUNDLE + "versions/<int:number>/"

urlpatterns = [
    path("<int:matter_pk>/bundles/", views.BundleListView.as_view(), name="bundles"),
    path("<int:matter_pk>/bundles/new/", views.BundleCreateView.as_view(), name="bundle_create"),
    path(BUNDLE, views.BundleDetailView.as_view(), name="bundle"),
    path(BUNDLE + "edit/", views.BundleUpdateView.as_view(), name="bundle_edit"),
    path(BUNDLE + "entries/", views.EntryAddView.as_view(), name="entry_add"),
    path(
        BUNDLE + "entries/<int:entry_pk>/remove/",
        views.EntryRemoveView.as_view(),
        name="entry_remove",
    ),
    path(BUNDLE + "entries/<int:entry_pk>/move/", views.EntryMoveView.as_view(), name="entry_move"),
    path(BUNDLE + "arrange/", views.ArrangeView.as_view(), name="arrange"),
    path(BUNDLE + "sections/", views.SectionAddView.as_view(), name="section_add"),
    path(
        BUNDLE + "sections/<int:section_pk>/remove/",
        views.SectionRemoveView.as_view(),
        name="section_remove",
    ),
    path(BUNDLE + "build/", views.BuildView.as_view(), name="build"),
    path(BUNDLE + "split/", views.SplitView.as_view(), name="split"),
    path(VERSION + "status/", views.VersionStatusView.as_view(), name="version_status"),
    path(VERSION + "download/", views.VersionDownloadView.as_view(), name="version_download"),
    path(
        VERSION + "open/download/",
        views.OpenVersionDownloadView.as_view(),
        name="version_open_download",
    ),
    path(VERSION + "serve/", views.ServeView.as_view(), name="version_serve"),
]
