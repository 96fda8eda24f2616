"""The ledger's models, one module per part of the cycle."""

from reformledger.ledger.models.closing import ClosingRequest
from reformledger.ledger.models.periods import CycleSettings, Period
from reformledger.ledger.models.plans import Milestone, Plan
from reformledger.ledger.models.programmes import ProgrammeDocument
from reformledger.ledger.models.ratings import Rating, RatingGrade, RatingScale
from reformledger.ledger.models.reports import Evidence, ProgressReport, ReachedMilestone
from reformledger.ledger.models.summaries import PeriodSummary, RatingTally, ReportTally
from reformledger.ledger.models.tasks import (
    ReformArea,
    ReformSystem,
    Task,
    TaskQuerySet,
    WorkPoint,
    WorkProgramme,
)

__all__ = [
    "ClosingRequest",
    "CycleSettings",
    "Evidence",
    "Milestone",
    "Period",
    "PeriodSummary",
    "Plan",
    "ProgrammeDocument",
    "ProgressReport",
    "Rating",
    "RatingGrade",
    "RatingScale",
    "RatingTally",
    "ReachedMilestone",
    "ReformArea",
    "ReformSystem",
    "ReportTally",
    "Task",
    "TaskQuerySet",
    "WorkPoint",
    "WorkProgramme",
]
