"""/api/v1/: one router for every app's viewsets; the schema and its browsable docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from reformledger.accounts.api import TokenViewSet
from reformledger.api.jobs import ImportJobViewSet
from reformledger.assessment import api as assessment
from reformledger.audit.api import AuditRecordViewSet
from reformledger.catalog import api as catalog
from reformledger.evaluation import api as evaluation
from reformledger.indicators import api as indicators
from reformledger.ledger.api.cycle import (
    ClosingViewSet,
    RatingViewSet,
    ReportViewSet,
    TaskCycleViewSet,
)
from reformledger.ledger.api.imports import ImportViewSet
from reformledger.ledger.api.reference import (
    PeriodViewSet,
    RatingScaleViewSet,
    ReformAreaViewSet,
    ReformSystemViewSet,
)
from reformledger.ledger.api.tasks import PlanViewSet
from reformledger.ledger.api.work_points import WorkPointsUploadViewSet
from reformledger.orgs.api import PersonViewSet, UnitViewSet
from reformledger.pilots.api.innovations import AdoptionViewSet, InnovationViewSet
from reformledger.pilots.api.investment import InvestmentReportViewSet
from reformledger.pilots.api.pilots import PilotViewSet, SubProjectViewSet
from reformledger.publications import api as publications
from reformledger.supervision import api as supervision

router = DefaultRouter()
router.include_root_view = False
# No `.json` suffix routes: the API speaks JSON (and `?format=` / Accept choose another
# renderer); the suffix variants doubled every route and reached custom actions, whose
# signatures take no `format`, as server errors.
router.include_format_suffixes = False
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("tasks", TaskCycleViewSet, basename="task")
router.register("plans", PlanViewSet, basename="plan")
router.register("reports", ReportViewSet, basename="report")
router.register("ratings", RatingViewSet, basename="rating")
router.register("closings", ClosingViewSet, basename="closing")
router.register("periods", PeriodViewSet, basename="period")
router.register("rating-scales", RatingScaleViewSet, basename="rating-scale")
router.register("reform-areas", ReformAreaViewSet, basename="reform-area")
router.register("reform-systems", ReformSystemViewSet, basename="reform-system")
router.register("import-jobs", ImportJobViewSet, basename="import-job")
router.register("tokens", TokenViewSet, basename="token")
router.register("audit-records", AuditRecordViewSet, basename="audit-record")
# Supervision (督查督办).
router.register("leader-links", supervision.LeaderLinkViewSet, basename="leader-link")
router.register(
    "supervision-meetings", supervision.SupervisionMeetingViewSet, basename="supervision-meeting"
)
router.register("reform-documents", supervision.ReformDocumentViewSet, basename="reform-document")
router.register(
    "leading-group-meetings",
    supervision.LeadingGroupMeetingViewSet,
    basename="leading-group-meeting",
)
router.register(
    "supervision-orders", supervision.SupervisionOrderViewSet, basename="supervision-order"
)
router.register("action-items", supervision.ActionItemViewSet, basename="action-item")
# Pilots (改革试点) and their sub-projects.
router.register("pilots", PilotViewSet, basename="pilot")
router.register("sub-projects", SubProjectViewSet, basename="sub-project")
# Indicators (指标).
router.register("indicators", indicators.IndicatorViewSet, basename="indicator")
router.register("indicator-targets", indicators.TargetViewSet, basename="indicator-target")
router.register("indicator-values", indicators.ValueViewSet, basename="indicator-value")
# Grassroots innovations (基层创新) and their spread (推广).
router.register("innovations", InnovationViewSet, basename="innovation")
router.register("adoptions", AdoptionViewSet, basename="adoption")
# Pilots (改革试点): sub-project investment.
router.register("investment-reports", InvestmentReportViewSet, basename="investment-report")
# Evaluations (改革评估) and annual cards (绿黄牌): each app registers its own resources.
evaluation.register(router)
assessment.register(router)
# Publications (编印): the evaluation report and the compendiums.
publications.register(router)
# Power and service lists (权责清单 / 服务清单), and their published part, open to all.
catalog.register(router)

# Uploads that start an import job (the job itself is /import-jobs/<id>/).
imports_task_list = ImportViewSet.as_view({"post": "task_list"})
imports_progress = ImportViewSet.as_view({"post": "progress"})
imports_work_points = WorkPointsUploadViewSet.as_view({"post": "create"})

urlpatterns = [
    path("v1/imports/task-list/", imports_task_list, name="import-task-list"),
    path("v1/imports/progress/", imports_progress, name="import-progress"),
    path("v1/imports/work-points/", imports_work_points, name="import-work-points"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script from ?script, so the page runs under the site's
    # Content Security Policy without an inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
]
