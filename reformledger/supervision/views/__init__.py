"""Supervision pages, one module per part; each module lists its own urlpatterns."""

from reformledger.supervision.views import (
    documents,
    drafts,
    export,
    group,
    leaders,
    meetings,
    orders,
)

urlpatterns = [
    *orders.urlpatterns,
    *drafts.urlpatterns,
    *leaders.urlpatterns,
    *meetings.urlpatterns,
    *documents.urlpatterns,
    *group.urlpatterns,
    *export.urlpatterns,
]
