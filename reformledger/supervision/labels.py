"""Supervision's words for its history: its models, the keys of its records that are
no model field, its documents, and the business dates of its acts (`audit.labels`,
from `SupervisionConfig.ready`)."""

from django.utils.translation import gettext_lazy as _

from reformledger.audit import labels


def _matter(matter, verb: str):
    """An order's or action item's day of issue and of receipt (签收)."""
    if verb.endswith(".received"):
        return [(_("signed for on"), matter.received_at)]
    if verb == "order.issued":
        return [(_("issued on"), matter.issued_at)]
    if verb == "action_item.set":
        return [(_("set on"), matter.created_at)]
    return []


def _answer(answer, verb: str):
    if verb.endswith(".answered"):
        return [(_("answered on"), answer.answered_at)]
    if verb.endswith((".accepted", ".returned")):
        return [(_("decided on"), answer.decided_at)]
    return []


def register() -> None:
    from reformledger.supervision.models import (
        ActionItem,
        Answer,
        AnswerFile,
        CollectiveReview,
        LeaderLink,
        LeadingGroupMeeting,
        OrderDraft,
        ReformDocument,
        SupervisionMeeting,
        SupervisionOrder,
    )

    labels.register(
        models=[
            SupervisionOrder,
            OrderDraft,
            ActionItem,
            Answer,
            AnswerFile,
            LeaderLink,
            SupervisionMeeting,
            LeadingGroupMeeting,
            CollectiveReview,
            ReformDocument,
        ],
        keys={
            "files": _("files"),
            "receipt_due": _("to be signed for by"),
        },
        values={
            "document": {
                "supervision_order": _("the supervision order"),
                "leading_group_minutes": _("the minutes of the leading group meeting"),
                "supervision": _("the supervision workbook"),
            },
        },
        reasons={
            # The escalation's and the receipt reminder's reasons, as recorded where no
            # translation was active (a recorded reason stays in its language).
            "Not signed for within {n} working days.": _(
                "Not signed for within %(n)s working days."
            ),
            "Unanswered at its deadline {date}.": _("Unanswered at its deadline %(date)s."),
        },
        business_dates={SupervisionOrder: _matter, ActionItem: _matter, Answer: _answer},
    )
