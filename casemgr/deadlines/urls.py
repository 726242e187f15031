from django.urls import path

from casemgr.deadlines import views

app_name = "deadlines"

urlpatterns = [
    path("deadlines/", views.MyDeadlinesView.as_view(), name="mine"),
    path("account/reminders/", views.PreferencesView.as_view(), name="preferences"),
    path("account/reminders/feed/", views.FeedTokenView.as_view(), name="feed_token"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path(
        "matters/<int:matter_pk>/deadlines/", views.MatterDeadlinesView.as_view(), name="deadlines"
    ),
    path(
        "matters/<int:matter_pk>/deadlines/new/",
        views.DeadlineCreateView.as_view(),
        name="deadline_create",
    ),
    path(
        "matters/<int:matter_pk>/deadlines/<int:pk>/",
        views.DeadlineDetailView.as_view(),
        name="deadline",
    ),
    path(
        "matters/<int:matter_pk>/deadlines/<int:pk>/edit/",
        views.DeadlineUpdateView.as_view(),
        name="deadline_edit",
    ),
    path(
        "matters/<int:matter_pk>/deadlines/<int:pk>/status/",
        views.DeadlineStatusView.as_view(),
        name="deadline_status",
    ),
    path(
        "matters/<int:matter_pk>/deadlines/<int:pk>/extend/",
        views.DeadlineExtendView.as_view(),
        name="deadline_extend",
    ),
    path(
        "matters/<int:matter_pk>/proceedings/<int:proceeding_pk>/triggers/new/",
        views.TriggerCreateView.as_view(),
        name="trigger_create",
    ),
    path(
        "matters/<int:matter_pk>/proceedings/<int:proceeding_pk>/triggers/<int:pk>/edit/",
        views.TriggerUpdateView.as_view(),
        name="trigger_edit",
    ),
]
