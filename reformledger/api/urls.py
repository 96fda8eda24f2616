"""/api/v1/: one router for every app's viewsets; the schema and its browsable docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from reformledger.accounts.api import TokenViewSet
from reformledger.ledger.api import PlanViewSet, TaskViewSet
from reformledger.orgs.api import PersonViewSet, UnitViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("tasks", TaskViewSet, basename="task")
router.register("plans", PlanViewSet, basename="plan")
router.register("tokens", TokenViewSet, basename="token")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
