"""API of supervision (督查督办): leader links, supervision meetings, reform documents,
leading-group meetings with their review candidates and collective reviews,
supervision orders and action items, and the acts on them.

Every list starts from the same scoped selector as the pages, and every write calls
the same service, so the API and the pages cannot disagree: an object the user may
not see is a 404, an act the role does not allow a 403, a refused value a 400 naming
its field, an act on something already decided a 409. The API speaks JSON only, so
the evidence files of an answer are uploaded on the pages.
"""

from reformledger.supervision.api.views import (
    ActionItemViewSet,
    LeaderLinkViewSet,
    LeadingGroupMeetingViewSet,
    ReformDocumentViewSet,
    SupervisionMeetingViewSet,
    SupervisionOrderViewSet,
)

__all__ = [
    "ActionItemViewSet",
    "LeaderLinkViewSet",
    "LeadingGroupMeetingViewSet",
    "ReformDocumentViewSet",
    "SupervisionMeetingViewSet",
    "SupervisionOrderViewSet",
]
