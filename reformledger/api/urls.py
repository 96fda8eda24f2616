"""/api/v1/: one router for every app's viewsets; the schema and its browsable docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from reformledger.accounts.api import TokenViewSet
from reformledger.ledger.api import PlanViewSet
from reformledger.ledger.api_cycle import (
    ClosingViewSet,
    RatingViewSet,
    ReportViewSet,
    TaskCycleViewSet,
)
from reformledger.orgs.api import PersonViewSet, UnitViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("tasks", TaskCycleViewSet, basename="task")
router.register("plans", PlanViewSet, basename="plan")
router.register("reports", ReportViewSet, basename="report")
router.register("ratings", RatingViewSet, basename="rating")
router.register("closings", ClosingViewSet, basename="closing")
router.register("tokens", TokenViewSet, basename="token")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
