from django.urls import path

from casemgr.timeline import export_urls, views

app_name = "timeline"

urlpatterns = [
    path("<int:matter_pk>/timeline/", views.TimelineView.as_view(), name="timeline"),
    path("<int:matter_pk>/timeline/gaps/", views.GapsView.as_view(), name="gaps"),
    path(
        "<int:matter_pk>/timeline/events/new/",
        views.EventCreateView.as_view(),
        name="event_create",
    ),
    path(
        "<int:matter_pk>/timeline/events/<int:pk>/",
        views.EventItemView.as_view(),
        name="event",
    ),
    path(
        "<int:matter_pk>/timeline/events/<int:pk>/edit/",
        views.EventUpdateView.as_view(),
        name="event_edit",
    ),
    path(
        "<int:matter_pk>/timeline/events/<int:pk>/evidence/new/",
        views.EvidenceLinkCreateView.as_view(),
        name="link_create",
    ),
    path(
        "<int:matter_pk>/timeline/evidence/<int:pk>/edit/",
        views.EvidenceLinkUpdateView.as_view(),
        name="link_edit",
    ),
    path(
        "<int:matter_pk>/timeline/evidence/<int:pk>/remove/",
        views.EvidenceLinkRemoveView.as_view(),
        name="link_remove",
    ),
    path(
        "<int:matter_pk>/allegations/<int:pk>/proof/evidence/new/",
        views.AllegationLinkCreateView.as_view(),
        name="allegation_link_create",
    ),
    path(
        "<int:matter_pk>/allegations/<int:pk>/proof/",
        views.AllegationProofView.as_view(),
        name="allegation_proof",
    ),
    path(
        "<int:matter_pk>/claims/<int:pk>/matrix/",
        views.ClaimMatrixView.as_view(),
        name="claim_matrix",
    ),
]

# The exports (PDF and CSV) live in their own module, under the same namespace.
urlpatterns += export_urls.urlpatterns
