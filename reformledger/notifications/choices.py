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
