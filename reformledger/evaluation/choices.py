"""Choices of evaluations (改革评估), each with the colour the pages show it in."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EvaluationKind(models.TextChoices):
    """Comprehensive evaluation of every reform area (全面评估), special evaluation of
    a key task (专项评估), or third-party evaluation by an outside team (第三方评估)."""

    COMPREHENSIVE = "comprehensive", _("Comprehensive")
    SPECIAL = "special", _("Special")
    THIRD_PARTY = "third_party", _("Third-party")

    @property
    def colour(self) -> str:
        return {"comprehensive": "#0d6efd", "special": "#6f42c1", "third_party": "#fd7e14"}[
            self.value
        ]


class EvaluationStatus(models.TextChoices):
    """An evaluation's way: draft (起草) → self-assessment (自评) → scoring (评分) →
    review by the office (审核) → closed (办结). The office may send a review back to
    scoring with a reason."""

    DRAFT = "draft", _("Draft")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    SCORING = "scoring", _("Scoring")
    REVIEW = "review", _("Under review")
    # An evaluation closed by the office (办结), not a task closed off the ledger (销账).
    CLOSED = "closed", pgettext_lazy("evaluation status", "Closed")

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.value]


STATUS_COLOURS = {
    "draft": "#6c757d",
    "self_assessment": "#0dcaf0",
    "scoring": "#0d6efd",
    "review": "#fd7e14",
    "closed": "#198754",
}

#: The order of an evaluation's life.
STATUS_ORDER = ("draft", "self_assessment", "scoring", "review", "closed")
#: States in which the criteria may still be adjusted (scoring has not started).
CRITERIA_EDITABLE = ("draft", "self_assessment")


class TeamKind(models.TextChoices):
    """An evaluation team of the office's own (内部评估组) or an outside organisation
    (第三方评估机构)."""

    INTERNAL = "internal", _("Internal")
    THIRD_PARTY = "third_party", _("Third-party")

    @property
    def colour(self) -> str:
        return {"internal": "#0d6efd", "third_party": "#fd7e14"}[self.value]


class SelfAssessmentStatus(models.TextChoices):
    """A self-assessment (自评) is drafted by the unit's liaison, then submitted."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")

    @property
    def colour(self) -> str:
        return {"draft": "#6c757d", "submitted": "#198754"}[self.value]


class EvaluationFileKind(models.TextChoices):
    """What a file kept with an evaluation is evidence of."""

    SELF_ASSESSMENT = "self_assessment", _("Self-assessment evidence")
    SCORE = "score", _("Scoring evidence")
    FINDING = "finding", _("Finding evidence")
    SURVEY = "survey", _("Survey sheet")
    OTHER = "other", _("Other")
