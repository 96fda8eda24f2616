"""Kinds of notice, each with the colour the pages show it in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a notice is about. The reminder kinds are sent by `reminders_send`."""

    REPORT_DUE = "report_due", _("Progress report due")
    REPORT_LATE = "report_late", _("Progress report late")
    MILESTONE_DUE = "milestone_due", _("Milestone due")
    MILESTONE_OVERDUE = "milestone_overdue", _("Milestone overdue")
    CLOSING_TO_SIGN = "closing_to_sign", _("Closing request to sign")
    CLOSING_TO_APPROVE = "closing_to_approve", _("Closing request to approve")
    CLOSING_STALE = "closing_stale", _("Closing request pending too long")
    ORDER_ESCALATED = "order_escalated", _("Supervision order escalated")
    REPORT_RETURNED = "report_returned", _("Progress report returned")
    NOTICE = "notice", _("Notice")

    @property
    def colour(self) -> str:
        return KIND_COLOURS[self.value]


KIND_COLOURS = {
    "report_due": "#0d6efd",
    "report_late": "#dc3545",
    "milestone_due": "#0d6efd",
    "milestone_overdue": "#dc3545",
    "closing_to_sign": "#fd7e14",
    "closing_to_approve": "#fd7e14",
    "closing_stale": "#dc3545",
    "order_escalated": "#dc3545",
    "report_returned": "#fd7e14",
    "notice": "#6c757d",
}

#: Reminders addressed to a lead unit's own people (liaisons, head) about its tasks:
#: the ones the staleness page counts as ignored when left unread.
UNIT_KINDS = (
    NotificationKind.REPORT_DUE,
    NotificationKind.REPORT_LATE,
    NotificationKind.MILESTONE_DUE,
    NotificationKind.MILESTONE_OVERDUE,
    NotificationKind.CLOSING_TO_SIGN,
)

#: The reminders of the daily run (`ledger.services.reminders.reminders_send`).
REMINDER_KINDS = (
    NotificationKind.REPORT_DUE,
    NotificationKind.REPORT_LATE,
    NotificationKind.MILESTONE_DUE,
    NotificationKind.MILESTONE_OVERDUE,
    NotificationKind.CLOSING_TO_SIGN,
    NotificationKind.CLOSING_TO_APPROVE,
    NotificationKind.CLOSING_STALE,
)


# --- Messenger robots (WeCom, DingTalk) ----------------------------------------------


class MessengerPlatform(models.TextChoices):
    """The group chat a robot posts into."""

    WECOM = "wecom", _("WeCom (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk (钉钉)")


class MessengerTopic(models.TextChoices):
    """What a unit's robot is told of: groups of notice kinds (`TOPIC_OF_KIND`)."""

    REMINDERS = "reminders", _("Reminders (reports, milestones, closing requests)")
    ORDERS = "orders", _("Escalated supervision orders")
    RETURNED = "returned", _("Returned progress reports")
    OTHER = "other", _("Other notices")


TOPIC_OF_KIND = {
    **{kind.value: MessengerTopic.REMINDERS for kind in REMINDER_KINDS},
    NotificationKind.ORDER_ESCALATED.value: MessengerTopic.ORDERS,
    NotificationKind.REPORT_RETURNED.value: MessengerTopic.RETURNED,
    NotificationKind.NOTICE.value: MessengerTopic.OTHER,
}


class DeliveryStatus(models.TextChoices):
    """Where one message to one robot stands."""

    PENDING = "pending", _("waiting")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")

    @property
    def colour(self) -> str:
        return {"pending": "#fd7e14", "sent": "#198754", "failed": "#dc3545"}[self.value]
