"""The REST API: one router for every app's viewsets, the token endpoint and the schema."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from casemgr.access.api import MembershipViewSet, ObtainAuditedToken
from casemgr.analysis.api import AnalysisViewSet
from casemgr.deadlines.api import DeadlinesComputeView, DeadlineViewSet, TriggerEventViewSet
from casemgr.evidence.api import ExhibitUploadView, ExhibitViewSet
from casemgr.matters.api import (
    CourtViewSet,
    HearingViewSet,
    JurisdictionViewSet,
    MatterViewSet,
    PartyViewSet,
    PersonViewSet,
    ProceedingViewSet,
)
from casemgr.pleadings.api import AllegationViewSet, ClaimViewSet
from casemgr.search.api import SearchView
from casemgr.timeline.api import EventViewSet, EvidenceLinkViewSet, TimelineView

router = DefaultRouter()
router.register("jurisdictions", JurisdictionViewSet)
router.register("courts", CourtViewSet)
router.register("matters", MatterViewSet)
router.register("memberships", MembershipViewSet, basename="membership")
router.register("parties", PartyViewSet)
router.register("people", PersonViewSet)
router.register("proceedings", ProceedingViewSet)
router.register("hearings", HearingViewSet)
router.register("claims", ClaimViewSet)
router.register("allegations", AllegationViewSet)
router.register("exhibits", ExhibitViewSet)
router.register("triggers", TriggerEventViewSet)
router.register("deadlines", DeadlineViewSet)
router.register("events", EventViewSet)
router.register("evidence-links", EvidenceLinkViewSet)
router.register("analyses", AnalysisViewSet)

urlpatterns = [
    path("auth/token/", ObtainAuditedToken.as_view(), name="api-token"),
    path(
        "matters/<int:matter_pk>/exhibits/upload/",
        ExhibitUploadView.as_view(),
        name="api-exhibit-upload",
    ),
    path("matters/<int:matter_pk>/timeline/", TimelineView.as_view(), name="api-timeline"),
    path("matters/<int:matter_pk>/search/", SearchView.as_view(), name="api-search"),
    path("deadlines/compute/", DeadlinesComputeView.as_view(), name="api-deadlines-compute"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        # Swagger UI sets some styles inline; scripts stay file-only even here.
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("", include(router.urls)),
]
