"""The dashboard's evaluation section (改革评估): the year's evaluations by kind and
state (comprehensive, special, third-party × draft … closed), and the average score of
each top-level criterion across the closed evaluations the user reads in full.

Every figure is counted or averaged from rows by `evaluation.selectors`, already scoped
to what the user may see (`visible_evaluations`, `readable_evaluations`): a
third-party evaluator's dashboard counts only its team's evaluations. Each read is a
fixed number of queries; each chart has its table with the same numbers. Shown only to
users who work evaluations (`sees_evaluations`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max
from django.utils.translation import gettext as _

from reformledger.evaluation import permissions
from reformledger.evaluation.choices import EvaluationKind, EvaluationStatus
from reformledger.evaluation.selectors import evaluation_counts, scores_by_criterion
from reformledger.web.dashboard.data import Breakdown, Series


@dataclass(frozen=True)
class CriterionScore:
    """A top-level criterion's average score (of 100) over the evaluations that have it."""

    name: str
    average: Decimal
    evaluations: int


@dataclass
class CriterionScores:
    """Average scores by criterion: a horizontal bar chart and its table."""

    rows: list[CriterionScore]
    empty_reason: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def chart(self) -> dict:
        return {
            "kind": "hbars",
            "categories": [r.name for r in self.rows],
            "series": [
                {
                    "name": _("Average score"),
                    "title": _("Average score (of 100)"),
                    "colour": "#0d6efd",
                    "values": [float(r.average) for r in self.rows],
                }
            ],
        }


@dataclass
class EvaluationSection:
    """What the dashboard shows of evaluations for one user and one year."""

    year: int
    total: int
    closed: int
    by_kind: Breakdown
    scores: CriterionScores

    @property
    def is_empty(self) -> bool:
        return self.total == 0


def evaluations_by_kind(user, year: int) -> tuple[Breakdown, int, int]:
    """The year's evaluations by kind (categories) and state (series), with the total
    and how many are closed (one query)."""
    counts = evaluation_counts(user, year)
    kinds = list(EvaluationKind)
    breakdown = Breakdown(
        kind="bars",
        categories=[str(k.label) for k in kinds],
        series=[
            Series(
                key=s.value,
                name=str(s.label),
                colour=s.colour,
                values=[counts.get((k.value, s.value), 0) for k in kinds],
                badge=True,
            )
            for s in EvaluationStatus
        ],
        empty_reason=_("No evaluation of %(year)s yet.") % {"year": year},
    )
    total = sum(counts.values())
    closed = sum(n for (_k, s), n in counts.items() if s == EvaluationStatus.CLOSED)
    if not total:
        breakdown.categories = []
    return breakdown, total, closed


def evaluation_section(user, year: int | None) -> EvaluationSection | None:
    """The section for `user` and `year`, or None for a user who works no evaluation
    (or without a year to show)."""
    if not year or not permissions.sees_evaluations(user):
        return None
    by_kind, total, closed = evaluations_by_kind(user, year)
    if not total:
        # A year is evaluated after it ends: while the year shown has no evaluation yet,
        # the section shows the latest year before it that has.
        earlier = (
            permissions.visible_evaluations(user)
            .filter(year__lt=year)
            .aggregate(latest=Max("year"))["latest"]
        )
        if earlier:
            year = earlier
            by_kind, total, closed = evaluations_by_kind(user, year)
    scores = CriterionScores(
        rows=[CriterionScore(n, avg, k) for n, avg, k in scores_by_criterion(user, year)],
        empty_reason=_("No evaluation of %(year)s is closed with scores yet.") % {"year": year},
    )
    return EvaluationSection(year=year, total=total, closed=closed, by_kind=by_kind, scores=scores)


__all__ = [
    "CriterionScore",
    "CriterionScores",
    "EvaluationSection",
    "evaluation_section",
    "evaluations_by_kind",
]
