"""Choices of the ledger, each with the colour the pages show it in."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TaskSource(models.TextChoices):
    DEPLOYED = "deployed", _("Deployed from above")
    OWN = "own", _("Own initiative")
    GRASSROOTS = "grassroots", _("Grassroots innovation")


class DeliverableKind(models.TextChoices):
    POLICY = "policy", _("Policy document")
    MECHANISM = "mechanism", _("Mechanism")
    PILOT = "pilot", _("Pilot")
    PLATFORM = "platform", _("Platform")
    REPORT = "report", _("Report")


class TaskStatus(models.TextChoices):
    """A task's place in its life: planning → in progress → closed (or carried over)."""

    PLANNING = "planning", _("Planning")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    CLOSED = "closed", _("Closed")
    CARRIED_OVER = "carried_over", _("Carried over")
    CANCELLED = "cancelled", _("Cancelled")

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.value]


STATUS_COLOURS = {
    "planning": "#6c757d",
    "in_progress": "#0d6efd",
    "blocked": "#dc3545",
    "closed": "#198754",
    "carried_over": "#6f42c1",
    "cancelled": "#adb5bd",
}

#: Statuses of tasks still on the open ledger.
OPEN_STATUSES = (TaskStatus.PLANNING, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Returned")
    SUPERSEDED = "superseded", _("Superseded")

    @property
    def colour(self) -> str:
        return PLAN_COLOURS[self.value]


PLAN_COLOURS = {
    "draft": "#6c757d",
    "submitted": "#fd7e14",
    "approved": "#198754",
    "rejected": "#dc3545",
    "superseded": "#adb5bd",
}


class PeriodStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("period", "Open")
    CLOSED = "closed", _("Closed (frozen)")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")

    @property
    def colour(self) -> str:
        return REPORT_COLOURS[self.value]


REPORT_COLOURS = {
    "draft": "#6c757d",
    "submitted": "#fd7e14",
    "accepted": "#198754",
    "returned": "#dc3545",
}


class RatingLevel(models.TextChoices):
    """What a grade means to the engine; a scale maps each level to its own letter.

    Ordered from best to worst: the engine's suggestion is the worst level whose
    rule applies, so an office that renames or recolours its grades changes no code.
    """

    AHEAD = "ahead", _("Done or ahead")
    ON_SCHEDULE = "on_schedule", _("On schedule")
    SLIGHTLY_BEHIND = "slightly_behind", _("Slightly behind")
    SERIOUSLY_BEHIND = "seriously_behind", _("Seriously behind")
    STALLED = "stalled", _("Stalled")


#: Worse levels have higher severity.
LEVEL_SEVERITY = {level: i for i, level in enumerate(RatingLevel.values)}


class RatingStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    OVERRIDDEN = "overridden", _("Overridden")


class NotRatedReason(models.TextChoices):
    """Why a task of a period's ledger gets no rating in it: computing says so for each."""

    NO_PLAN = "no_plan", _("No approved plan yet")
    PLANNING = "planning", _("Still in planning")
    NOT_STARTED = "not_started", _("Not yet started by the rating date")
    CLOSED = "closed", _("Closed before the period")
    CANCELLED = "cancelled", _("Cancelled")
    CARRIED_OVER = "carried_over", _("Carried over into the next year")
    #: Ratable, but no suggestion was computed since (the board says so; computing
    #: never does).
    NOT_COMPUTED = "not_computed", _("Ratable: suggestions not computed since")


class ClosingStatus(models.TextChoices):
    """A closing request (销账申请): requested → signed by the head → approved or rejected."""

    REQUESTED = "requested", _("Awaiting the unit head")
    SIGNED = "signed", _("Awaiting the office")
    APPROVED = "approved", _("Approved (closed)")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @property
    def colour(self) -> str:
        return CLOSING_COLOURS[self.value]


CLOSING_COLOURS = {
    "requested": "#fd7e14",
    "signed": "#0d6efd",
    "approved": "#198754",
    "rejected": "#dc3545",
    "withdrawn": "#adb5bd",
}
