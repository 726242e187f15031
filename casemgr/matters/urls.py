from django.urls import path

from casemgr.matters import views

app_name = "matters"

urlpatterns = [
    path("new/", views.MatterCreateView.as_view(), name="create"),
    path("<int:matter_pk>/", views.MatterOverviewView.as_view(), name="overview"),
    path("<int:matter_pk>/edit/", views.MatterUpdateView.as_view(), name="edit"),
    path("<int:matter_pk>/parties/", views.PartyListView.as_view(), name="parties"),
    path("<int:matter_pk>/parties/new/", views.PartyCreateView.as_view(), name="party_create"),
    path(
        "<int:matter_pk>/parties/<int:pk>/edit/", views.PartyUpdateView.as_view(), name="party_edit"
    ),
    path("<int:matter_pk>/people/new/", views.PersonCreateView.as_view(), name="person_create"),
    path(
        "<int:matter_pk>/people/<int:pk>/edit/",
        views.PersonUpdateView.as_view(),
        name="person_edit",
    ),
    path("<int:matter_pk>/proceedings/", views.ProceedingListView.as_view(), name="proceedings"),
    path(
        "<int:matter_pk>/proceedings/new/",
        views.ProceedingCreateView.as_view(),
        name="proceeding_create",
    ),
    path(
        "<int:matter_pk>/proceedings/<int:pk>/",
        views.ProceedingDetailView.as_view(),
        name="proceeding",
    ),
    path(
        "<int:matter_pk>/proceedings/<int:pk>/edit/",
        views.ProceedingUpdateView.as_view(),
        name="proceeding_edit",
    ),
    path(
        "<int:matter_pk>/proceedings/<int:proceeding_pk>/hearings/new/",
        views.HearingCreateView.as_view(),
        name="hearing_create",
    ),
    path(
        "<int:matter_pk>/hearings/<int:pk>/edit/",
        views.HearingUpdateView.as_view(),
        name="hearing_edit",
    ),
]
