from django.urls import path

from casemgr.pleadings import views

app_name = "pleadings"

urlpatterns = [
    path("<int:matter_pk>/claims/", views.ClaimListView.as_view(), name="claims"),
    path("<int:matter_pk>/claims/new/", views.ClaimCreateView.as_view(), name="claim_create"),
    path("<int:matter_pk>/claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim"),
    path(
        "<int:matter_pk>/claims/<int:pk>/edit/", views.ClaimUpdateView.as_view(), name="claim_edit"
    ),
    path(
        "<int:matter_pk>/claims/<int:claim_pk>/allegations/new/",
        views.AllegationCreateView.as_view(),
        name="allegation_create",
    ),
    path(
        "<int:matter_pk>/allegations/<int:pk>/edit/",
        views.AllegationUpdateView.as_view(),
        name="allegation_edit",
    ),
]
