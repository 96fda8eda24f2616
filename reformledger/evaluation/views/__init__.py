"""The evaluation pages (改革评估) under /evaluation/."""

from reformledger.evaluation.views import documents, pages, survey, teams, work

urlpatterns = [
    *teams.urlpatterns,
    *documents.urlpatterns,
    *pages.urlpatterns,
    *work.urlpatterns,
    *survey.urlpatterns,
]
