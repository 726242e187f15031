from django.urls import path

from casemgr.analysis import views

app_name = "analysis"

ANALYSIS = "<int:matter_pk>/analyses/<int:pk>/"

urlpatterns = [
    path("<int:matter_pk>/analyses/", views.AnalysisListView.as_view(), name="analyses"),
    path("<int:matter_pk>/analyses/new/", views.AnalysisCreateView.as_view(), name="create"),
    path(ANALYSIS, views.AnalysisDetailView.as_view(), name="analysis"),
    path(ANALYSIS + "mapping/", views.AnalysisMappingView.as_view(), name="analysis_mapping"),
    path(ANALYSIS + "status/", views.AnalysisStatusView.as_view(), name="analysis_status"),
    path(ANALYSIS + "cancel/", views.AnalysisCancelView.as_view(), name="analysis_cancel"),
    path(ANALYSIS + "clusters/<int:cluster>/", views.ClusterView.as_view(), name="cluster"),
    path(ANALYSIS + "account/", views.AccountView.as_view(), name="account"),
    path(ANALYSIS + "pairs/<int:pair>/", views.PairView.as_view(), name="pair"),
]
