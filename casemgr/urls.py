from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from casemgr.core import health
from casemgr.matters.views import DashboardView

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            extra_context={"lockout_limit": settings.AXES_FAILURE_LIMIT},
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("matters/", include("casemgr.matters.urls")),
    path("matters/", include("casemgr.pleadings.urls")),
    path("matters/", include("casemgr.access.urls")),
    path("matters/", include("casemgr.evidence.urls")),
    path("matters/", include("casemgr.timeline.urls")),
    path("matters/", include("casemgr.bundles.urls")),
    path("matters/", include("casemgr.productions.urls")),
    path("matters/", include("casemgr.redaction.urls")),
    path("matters/", include("casemgr.analysis.urls")),
    path("matters/", include("casemgr.analysis.report_urls")),
    path("matters/", include("casemgr.search.urls")),
    path("matters/", include("casemgr.disclosure.urls")),
    path("", include("casemgr.deadlines.urls")),
    path("api/", include("casemgr.api_urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.ReadyView.as_view(), name="readyz"),
]
