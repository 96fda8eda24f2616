"""Choices of pilots (改革试点) and grassroots innovations (基层创新), each with the
colour the pages show it in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PilotLevel(models.TextChoices):
    """Who granted the pilot: the state, the province, or the city (a municipal pilot
    given to a county or zone, its brand 一县区一品牌)."""

    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")

    @property
    def colour(self) -> str:
        return {"national": "#dc3545", "provincial": "#fd7e14", "municipal": "#0d6efd"}[self.value]


class PilotStatus(models.TextChoices):
    """A pilot's life: applied (申报) → approved (批复) → under way (实施) → mid-term
    review (中期评估) → acceptance (验收) → concluded (总结推广); or ended early."""

    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    UNDER_WAY = "under_way", _("Under way")
    MID_TERM = "mid_term", _("Mid-term review")
    ACCEPTANCE = "acceptance", _("Acceptance")
    CONCLUDED = "concluded", _("Concluded")
    ENDED = "ended", _("Ended early")

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.value]


STATUS_COLOURS = {
    "applied": "#6c757d",
    "approved": "#0dcaf0",
    "under_way": "#0d6efd",
    "mid_term": "#6f42c1",
    "acceptance": "#fd7e14",
    "concluded": "#198754",
    "ended": "#343a40",
}

#: The order of a pilot's life; `ended` may follow any state but `concluded`.
STATUS_ORDER = ("applied", "approved", "under_way", "mid_term", "acceptance", "concluded")
#: States in which a pilot is still running (its sub-projects take reports).
RUNNING = ("approved", "under_way", "mid_term", "acceptance")


class AcceptanceResult(models.TextChoices):
    """The verdict of an acceptance (验收结论)."""

    PASSED = "passed", _("Passed")
    CONDITIONAL = "conditional", _("Passed with conditions")
    FAILED = "failed", _("Failed")

    @property
    def colour(self) -> str:
        return {"passed": "#198754", "conditional": "#fd7e14", "failed": "#dc3545"}[self.value]


class PilotFileKind(models.TextChoices):
    """What a file kept with a pilot is."""

    APPROVAL = "approval", _("Approval document")
    MID_TERM = "mid_term", _("Mid-term review")
    ACCEPTANCE = "acceptance", _("Acceptance document")
    SUMMARY = "summary", _("Experience summary")
    INVESTMENT = "investment", _("Investment evidence")
    OTHER = "other", _("Other")


class InnovationStatus(models.TextChoices):
    """A grassroots innovation's way: proposed → accepted (or returned to be revised,
    or declined) → declared a replicable experience (可复制推广经验)."""

    PROPOSED = "proposed", _("Proposed")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REPLICABLE = "replicable", _("Replicable experience")

    @property
    def colour(self) -> str:
        return {
            "proposed": "#0d6efd",
            "returned": "#fd7e14",
            "accepted": "#198754",
            "declined": "#6c757d",
            "replicable": "#6f42c1",
        }[self.value]
