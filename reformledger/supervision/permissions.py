"""Who sees which supervision records and who may do which act: one rule for pages,
API and services.

- The office's staff and leaders (and city leaders, read-only) see everything of the
  offices under their unit: links, meetings, documents, orders, action items.
- A unit's liaison and head see only the orders and action items addressed to their
  unit (or a unit below it), sign for them (签收) and answer them; the office never
  signs for a unit.
- Only office leaders issue orders, escalate them by hand, and accept or return
  answers; office staff record meetings, reviews, documents and links, and draft an
  order for a leader to sign (提请签发): the leader it names signs and issues it, or
  returns it.
- A linked leader's page lists every task linked to them.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any
from reformledger.supervision.models import (
    ActionItem,
    LeaderLink,
    LeadingGroupMeeting,
    OrderDraft,
    ReformDocument,
    SupervisionMeeting,
    SupervisionOrder,
)

OFFICE = (Role.OFFICE_ADMIN, Role.OFFICE_LEADER)
READERS = (*OFFICE, Role.CITY_LEADER)
UNIT = (Role.UNIT_REPORTER, Role.UNIT_HEAD)

#: act -> who may do it; see docs/permissions.md.
ACTS = {
    "record": "office staff and leaders (meetings, reviews, documents, links, action items)",
    "issue_order": "office leaders",
    "escalate": "office leaders",
    "decide": "office leaders (accept or return an answer)",
    "receive": "the responsible unit's liaison or head (签收, before answering)",
    "answer": "the responsible unit's liaison or head",
    "draft_order": "office staff and leaders (提请签发: a draft for an office leader to sign)",
    "sign_draft": "the office leader a draft names (sign and issue it, or return it)",
    "revise_draft": "office staff and leaders (correct a returned draft, or withdraw one)",
}

#: Acts on a draft order itself.
DRAFT_ACTS = ("sign_draft", "revise_draft")

#: Acts of the addressed unit's own people on its orders and action items.
UNIT_ACTS = ("receive", "answer")


def _office_q(user, lookup: str = "office"):
    return under_any(lookup, scopes_of(user).paths(*READERS))


def visible_orders(user) -> QuerySet[SupervisionOrder]:
    """Orders of the user's offices, and orders addressed to the user's unit."""
    q = _office_q(user) | under_any("unit", scopes_of(user).paths(*UNIT))
    return SupervisionOrder.objects.filter(q)


def visible_action_items(user) -> QuerySet[ActionItem]:
    """Action items of the user's offices, and those addressed to the user's unit."""
    q = _office_q(user) | under_any("unit", scopes_of(user).paths(*UNIT))
    return ActionItem.objects.filter(q)


def visible_order_drafts(user) -> QuerySet[OrderDraft]:
    """Draft orders of the user's offices (staff and leaders; not the units, which see an
    order once it is issued)."""
    return OrderDraft.objects.filter(under_any("office", scopes_of(user).paths(*OFFICE)))


def visible_supervision_meetings(user) -> QuerySet[SupervisionMeeting]:
    return SupervisionMeeting.objects.filter(_office_q(user))


def visible_leading_group_meetings(user) -> QuerySet[LeadingGroupMeeting]:
    return LeadingGroupMeeting.objects.filter(_office_q(user))


def visible_documents(user) -> QuerySet[ReformDocument]:
    """The registry of the user's offices, and the documents their unit drafts."""
    q = _office_q(user) | under_any("drafting_unit", scopes_of(user).paths(*UNIT))
    return ReformDocument.objects.filter(q)


def visible_links(user) -> QuerySet[LeaderLink]:
    """Links of the user's offices, and every link to the user themself."""
    from django.db.models import Q

    return LeaderLink.objects.filter(_office_q(user, "task__office") | Q(leader_id=user.pk))


def sees_supervision(user) -> bool:
    """Whether the user works supervision at all (menus and the section's pages)."""
    return scopes_of(user).has(*READERS, *UNIT)


def runs_supervision(user) -> bool:
    """Whether the user records supervision work in some office."""
    return scopes_of(user).has(*OFFICE)


def can_office(user, act: str, office: Unit) -> bool:
    """Whether `user` may do `act` in `office`'s supervision work."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")
    scopes = scopes_of(user)
    if act in ("record", "draft_order"):
        return scopes.covers(office.path, *OFFICE)
    if act in ("issue_order", "escalate", "decide"):
        return scopes.covers(office.path, Role.OFFICE_LEADER)
    return False


def can(user, act: str, obj: Model) -> bool:
    """Whether `user` may do `act` on an order, action item, meeting or document."""
    if act in UNIT_ACTS:
        return scopes_of(user).covers(obj.unit.path, *UNIT)
    if act in DRAFT_ACTS:
        return isinstance(obj, OrderDraft) and _may_on_draft(user, act, obj)
    return can_office(user, act, obj.office)


def _may_on_draft(user, act: str, draft: OrderDraft) -> bool:
    scopes = scopes_of(user)
    if act == "sign_draft":
        # The leader the draft names, while still a leader of its office.
        return draft.signer_id == user.pk and scopes.covers(draft.office.path, Role.OFFICE_LEADER)
    return scopes.covers(draft.office.path, *OFFICE)


def is_office_leader(user, office: Unit) -> bool:
    """A director or deputy of `office`: who may be linked to its key tasks."""
    return scopes_of(user).covers(office.path, Role.OFFICE_LEADER)


def require(user, act: str, obj: Model) -> None:
    if not can(user, act, obj):
        raise PermissionDenied(f"{act} not allowed on {obj._meta.model_name} {obj.pk}")


def require_office(user, act: str, office: Unit) -> None:
    if not can_office(user, act, office):
        raise PermissionDenied(f"{act} not allowed in office {office.pk}")
