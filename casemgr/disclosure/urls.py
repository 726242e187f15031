from django.urls import path, re_path

from casemgr.disclosure import views

app_name = "disclosure"

_BASE = "<int:matter_pk>/proceedings/<int:proceeding_pk>/disclosure/"

urlpatterns = [
    path(
        "<int:matter_pk>/disclosure/", views.DisclosureIndexView.as_view(), name="disclosure_index"
    ),
    path(_BASE, views.DisclosureView.as_view(), name="disclosure"),
    re_path(
        r"^(?P<matter_pk>[0-9]+)/proceedings/(?P<proceeding_pk>[0-9]+)/disclosure/"
        r"(?P<kind>disclosed|withheld)/add/$",
        views.EntryAddView.as_view(),
        name="listing_add",
    ),
    path(_BASE + "entries/<int:pk>/edit/", views.EntryEditView.as_view(), name="listing_edit"),
    path(
        _BASE + "entries/<int:pk>/remove/", views.EntryRemoveView.as_view(), name="listing_remove"
    ),
    re_path(
        r"^(?P<matter_pk>[0-9]+)/proceedings/(?P<proceeding_pk>[0-9]+)/disclosure/"
        r"export/(?P<which>disclosed|withheld)\.(?P<fmt>pdf|xlsx|csv)$",
        views.ExportView.as_view(),
        name="export",
    ),
]
