"""The ledger's models, one module per part of the cycle."""

from reformledger.ledger.models.closing import ClosingRequest
from reformledger.ledger.models.periods import CycleSettings, Period
from reformledger.ledger.models.plans import Milestone, Plan
from reformledger.ledger.models.programmes import ProgrammeDocument
from reformledger.ledger.models.ratings import Rating, RatingGrade, RatingScale
from reformledger.ledger.models.reports import Evidence, ProgressReport, ReachedMilestone
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
    "Plan",
    "ProgrammeDocument",
    "ProgressReport",
    "Rating",
    "RatingGrade",
    "RatingScale",
    "ReachedMilestone",
    "ReformArea",
    "ReformSystem",
    "Task",
    "TaskQuerySet",
    "WorkPoint",
    "WorkProgramme",
]
