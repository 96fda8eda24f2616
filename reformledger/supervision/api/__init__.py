"""API of supervision (督查督办): leader links, supervision meetings, reform documents,
leading-group meetings with their review candidates and collective reviews,
supervision orders and action items, and the acts on them.

Every list starts from the same scoped selector as the pages, and every write calls
the same service, so the API and the pages cannot disagree: an object the user may
not see is a 404, an act the role does not allow a 403, a refused value a 400 naming
its field, an act on something already decided a 409. The API speaks JSON only, so
the evidence files of an answer are uploaded on the pages.
"""

from reformledger.api.schema import describe_tags
from reformledger.supervision.api.views import (
    ActionItemViewSet,
    LeaderLinkViewSet,
    LeadingGroupMeetingViewSet,
    ReformDocumentViewSet,
    SupervisionMeetingViewSet,
    SupervisionOrderViewSet,
)

_MATTER = """| act | who (others: 403; one not addressed to one's unit: 404) |
| --- | --- |
| read | the office's staff and leaders, city leaders; the addressed unit's liaison and head |
| sign for (`receive`, 签收), then `answer` | the addressed unit's liaison or head |
| accept, return the answer | office leaders (主任/副主任) |
"""
_RECORD = """| act | who (others: 403) |
| --- | --- |
| read | the office's staff and leaders, city leaders |
| record | office staff and leaders |
"""
describe_tags(
    {
        "leader-links": f"Leader links (挂钩联系) of key tasks.\n\n{_RECORD}",
        "supervision-meetings": f"Supervision meetings (督查推进专会).\n\n{_RECORD}",
        "reform-documents": "Reform documents (改革文件); the unit drafting one reads it too."
        f"\n\n{_RECORD}",
        "leading-group-meetings": "Leading-group meetings (领导小组会议) and their collective "
        f"reviews.\n\n{_RECORD}",
        "supervision-orders": "Supervision orders (督办单). Issuing one and escalating it by "
        f"hand: office leaders only.\n\n{_MATTER}",
        "action-items": f"Action items (督办事项) of meetings and reviews.\n\n{_MATTER}",
    }
)

__all__ = [
    "ActionItemViewSet",
    "LeaderLinkViewSet",
    "LeadingGroupMeetingViewSet",
    "ReformDocumentViewSet",
    "SupervisionMeetingViewSet",
    "SupervisionOrderViewSet",
]
