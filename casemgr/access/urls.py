from django.urls import path

from casemgr.access import views

app_name = "access"

urlpatterns = [
    path("<int:matter_pk>/members/", views.MembersView.as_view(), name="members"),
    path(
        "<int:matter_pk>/members/<int:pk>/remove/",
        views.MemberRemoveView.as_view(),
        name="member_remove",
    ),
]
