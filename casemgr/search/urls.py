from django.urls import path

from casemgr.search import views

app_name = "search"

urlpatterns = [
    path("<int:matter_pk>/search/", views.SearchView.as_view(), name="results"),
]
