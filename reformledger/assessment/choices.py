"""Choices of the annual assessment (年度考核, 绿黄牌), each with the colour the pages
show it in."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FactKind(models.TextChoices):
    """A kind of ledger fact a rule set scores: each occurrence in the year adds the
    rule's points to the unit that owns the fact (or the assessed unit above it)."""

    TASK_RATING = "task_rating", _("Year-end rating of a task led")
    CLOSING_ON_TIME = "closing_on_time", _("Task closed on time")
    CLOSING_LATE = "closing_late", _("Task closed after its deadline")
    ORDER_ON_TIME = "order_on_time", _("Supervision order answered on time")
    ORDER_RED = "order_red", _("Supervision order that reached red")
    ORDER_OVERDUE = "order_overdue", _("Supervision order unanswered past its deadline")
    ACTION_ON_TIME = "action_on_time", _("Collective-review action item answered on time")
    ACTION_OVERDUE = (
        "action_overdue",
        _("Collective-review action item unanswered past its deadline"),
    )
    FINDING = "finding", _("Evaluation finding")
    INNOVATION = "innovation", _("Innovation declared a replicable experience")
    PILOT = "pilot", _("Pilot accepted")


class TriggerKind(models.TextChoices):
    """What gives a yellow card outright, whatever the score."""

    KEY_TASK_GRADE = "key_task_grade", _("A key task led ends the year rated one of the letters")
    ORDER_OVERDUE = "order_overdue", _("A supervision order unanswered past its deadline")
    ORDER_RED = "order_red", _("A supervision order reached red")
    BELOW_THRESHOLD = "below_threshold", _("The score is below the threshold")


class ReasonKind(models.TextChoices):
    """What a line of a card is: the base score, a scored fact, or the threshold."""

    BASE = "base", _("Base score")
    TASK_RATING = FactKind.TASK_RATING.value, FactKind.TASK_RATING.label
    CLOSING_ON_TIME = FactKind.CLOSING_ON_TIME.value, FactKind.CLOSING_ON_TIME.label
    CLOSING_LATE = FactKind.CLOSING_LATE.value, FactKind.CLOSING_LATE.label
    ORDER_ON_TIME = FactKind.ORDER_ON_TIME.value, FactKind.ORDER_ON_TIME.label
    ORDER_RED = FactKind.ORDER_RED.value, FactKind.ORDER_RED.label
    ORDER_OVERDUE = FactKind.ORDER_OVERDUE.value, FactKind.ORDER_OVERDUE.label
    ACTION_ON_TIME = FactKind.ACTION_ON_TIME.value, FactKind.ACTION_ON_TIME.label
    ACTION_OVERDUE = FactKind.ACTION_OVERDUE.value, FactKind.ACTION_OVERDUE.label
    FINDING = FactKind.FINDING.value, FactKind.FINDING.label
    INNOVATION = FactKind.INNOVATION.value, FactKind.INNOVATION.label
    PILOT = FactKind.PILOT.value, FactKind.PILOT.label
    THRESHOLD = "threshold", _("Score below the threshold")
    APPEAL = "appeal", _("Changed on appeal")


class CardColour(models.TextChoices):
    """Green card (绿牌) or yellow card (黄牌)."""

    GREEN = "green", _("Green card")
    YELLOW = "yellow", _("Yellow card")

    @property
    def colour(self) -> str:
        return {"green": "#198754", "yellow": "#ffc107"}[self.value]


class CardStatus(models.TextChoices):
    """A year's cards: drafted by the office from the ledger → reviewed by the office →
    confirmed by an office leader → published to the units."""

    DRAFT = "draft", _("Draft")
    # A card reviewed (审核) by the office, not a document reviewed (审议) by a meeting.
    REVIEWED = "reviewed", pgettext_lazy("card status", "Reviewed")
    CONFIRMED = "confirmed", _("Confirmed")
    PUBLISHED = "published", _("Published")

    @property
    def colour(self) -> str:
        return {
            "draft": "#6c757d",
            "reviewed": "#0d6efd",
            "confirmed": "#6f42c1",
            "published": "#198754",
        }[self.value]


class AppealStatus(models.TextChoices):
    """An appeal (申诉): awaiting the office's decision, upheld (the card stands), or
    changed (a new version of the card replaces the appealed one)."""

    PENDING = "pending", _("Awaiting decision")
    UPHELD = "upheld", _("Card upheld")
    CHANGED = "changed", _("Card changed")

    @property
    def colour(self) -> str:
        return {"pending": "#fd7e14", "upheld": "#6c757d", "changed": "#0d6efd"}[self.value]


#: The kinds of unit assessed besides the departments that led a task of the year.
ASSESSED_AREA_KINDS = ("county", "zone")
