"""Choices of supervision (督查督办), each with the colour the pages show it in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderLevel(models.TextChoices):
    """How pressing a supervision order is; an unanswered order climbs one level
    at its deadline (蓝色提醒 → 橙色警示 → 红色督办)."""

    BLUE = "blue", _("Blue reminder")
    ORANGE = "orange", _("Orange warning")
    RED = "red", _("Red order")

    @property
    def colour(self) -> str:
        return LEVEL_COLOURS[self.value]

    @property
    def rank(self) -> int:
        return LEVEL_ORDER.index(self.value)

    @property
    def next(self) -> "OrderLevel | None":
        i = LEVEL_ORDER.index(self.value)
        return OrderLevel(LEVEL_ORDER[i + 1]) if i + 1 < len(LEVEL_ORDER) else None


LEVEL_ORDER = ("blue", "orange", "red")
LEVEL_COLOURS = {"blue": "#0d6efd", "orange": "#fd7e14", "red": "#dc3545"}


class MatterStatus(models.TextChoices):
    """Where an order or an action item stands: open until the unit answers, then the
    office accepts it (closed) or returns it to be answered again."""

    OPEN = "open", _("Awaiting answer")
    ANSWERED = "answered", _("Answered")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.value]


STATUS_COLOURS = {
    "open": "#0d6efd",
    "answered": "#fd7e14",
    "returned": "#dc3545",
    "accepted": "#198754",
}

#: Statuses in which the unit still owes an answer (the deadline runs).
AWAITING = (MatterStatus.OPEN, MatterStatus.RETURNED)
#: Statuses of a matter not yet closed.
UNSETTLED = (MatterStatus.OPEN, MatterStatus.ANSWERED, MatterStatus.RETURNED)


class AnswerDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class DraftStatus(models.TextChoices):
    """Where a draft order submitted for signature (提请签发) stands: with the office
    leader named to sign it, returned to the office with a reason, signed (the order is
    issued), or withdrawn by the office."""

    PENDING = "pending", _("Awaiting signature")
    RETURNED = "returned", _("Returned")
    ISSUED = "issued", _("Signed and issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @property
    def colour(self) -> str:
        return DRAFT_COLOURS[self.value]


DRAFT_COLOURS = {
    "pending": "#fd7e14",
    "returned": "#dc3545",
    "issued": "#198754",
    "withdrawn": "#adb5bd",
}


class DocumentStatus(models.TextChoices):
    """A reform document's way from draft to issued (起草 → 审议 → 印发)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    REVIEWED = "reviewed", _("Reviewed")
    ISSUED = "issued", _("Issued")

    @property
    def colour(self) -> str:
        return DOCUMENT_COLOURS[self.value]


DOCUMENT_COLOURS = {
    "draft": "#6c757d",
    "submitted": "#0d6efd",
    "reviewed": "#fd7e14",
    "issued": "#198754",
}
