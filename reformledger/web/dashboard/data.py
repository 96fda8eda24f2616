"""The dashboard's plain data: what each chart draws and each table lists, and the
limits that keep the page bounded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import (
    F,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from reformledger.ledger.choices import (
    RatingLevel,
)

if TYPE_CHECKING:
    from reformledger.ledger.selectors import WorkingYear
    from reformledger.web.dashboard.assessment import AssessmentSection
    from reformledger.web.dashboard.evaluation import EvaluationSection
    from reformledger.web.dashboard.pilots import PilotsSection
    from reformledger.web.dashboard.supervision import SupervisionSection


#: At most this many units are listed in a chart by unit (the first by the chart's order).
UNIT_LIMIT = 50
#: At most this many key tasks are drawn in the grid of key-task paths, worst first.
KEY_TASK_LIMIT = 60
#: A milestone overdue by more than this many days is serious (DOMAIN step 4, D).
SERIOUS_OVERDUE_DAYS = 30

#: Letters and colours used when an office has defined no rating scale.
DEFAULT_GRADES = {
    RatingLevel.AHEAD: ("A", "#1b7f3b"),
    RatingLevel.ON_SCHEDULE: ("B", "#74b816"),
    RatingLevel.SLIGHTLY_BEHIND: ("C", "#f2b705"),
    RatingLevel.SERIOUSLY_BEHIND: ("D", "#f76707"),
    RatingLevel.STALLED: ("E", "#c92a2a"),
}
#: A unit whose last report is older than this many days is stale; older than the
#: second, very stale (monthly reports fall due 5 days after the period ends).
STALE_DAYS, VERY_STALE_DAYS = 35, 65
RECENT_COLOUR, SOON_COLOUR, LATE_COLOUR, NEVER_COLOUR = "#2f9e44", "#f59f00", "#e03131", "#862e9c"

# The grade in force: the office leader's decision, else the engine's suggestion. Ratings
# are grouped by these ids, not by the grades' columns: a join per rating to the grade
# table would double what the biggest aggregate costs.
_GRADE = Coalesce(F("final_id"), F("suggested_id"))
_TASK_GRADE = Coalesce(F("ratings__final_id"), F("ratings__suggested_id"))


# --- plain data ------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    """One grade as the charts show it: its level, letter, name and colour."""

    level: str
    letter: str
    name: str
    colour: str


@dataclass(frozen=True)
class PeriodKey:
    """A rating period as the dashboard groups it: offices whose periods share dates
    are counted together (the city's 2016-03 and a county's 2016-03)."""

    year: int
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        # The same text as Period.label.
        if self.start.month == self.end.month:
            return f"{self.year}-{self.start.month:02d}"
        return f"{self.year}-{self.start.month:02d}/{self.end.month:02d}"


@dataclass
class Series:
    """One stacked series: a grade, a bucket. `stacked=False` shows only in the table."""

    key: str
    name: str
    colour: str
    values: list[int]
    title: str = ""
    stacked: bool = True
    badge: bool = False  # shown as a coloured badge in the table head (a grade)


@dataclass
class Breakdown:
    """Counts by category (an area, a unit, a period) and series (a grade, a bucket):
    a stacked bar chart and its table, one row per category."""

    kind: str  # how dashboard.js draws it: "bars" (vertical) or "hbars" (horizontal)
    categories: list[str]
    series: list[Series]
    links: list[str] = field(default_factory=list)
    of: int = 0  # categories before the UNIT_LIMIT cut (0 = no cut)
    period: PeriodKey | None = None  # the one period the counts were drawn from, if one
    periods: list[PeriodKey] = field(default_factory=list)  # the categories, when periods
    all_total: int | None = None  # the total before the UNIT_LIMIT cut, where it differs
    empty_reason: str = ""  # why there is nothing to draw, said instead of an empty grid

    @property
    def is_empty(self) -> bool:
        return not self.categories

    @property
    def rows(self) -> list[dict]:
        out = []
        for i, category in enumerate(self.categories):
            values = [s.values[i] for s in self.series]
            total = sum(s.values[i] for s in self.series if s.stacked)
            link = self.links[i] if self.links else ""
            out.append({"label": category, "values": values, "total": total, "link": link})
        return out

    @property
    def totals(self) -> dict:
        values = [sum(s.values) for s in self.series]
        total = sum(sum(s.values) for s in self.series if s.stacked)
        return {"values": values, "total": total}

    @property
    def chart(self) -> dict:
        return {
            "kind": self.kind,
            "categories": self.categories,
            "series": [
                {"name": s.name, "title": s.title or s.name, "colour": s.colour, "values": s.values}
                for s in self.series
                if s.stacked
            ],
        }


@dataclass
class StatusSummary:
    """Tasks by status (open, closed, carried over …), for all tasks and key tasks."""

    rows: list[dict]  # {"status", "label", "colour", "all", "key"} per status, life order
    total: int
    key: int
    open: int
    key_open: int
    closed: int
    key_closed: int
    carried_over: int
    empty_reason: str = ""

    @property
    def is_empty(self) -> bool:
        return self.total == 0

    @property
    def chart(self) -> dict:
        return {
            "kind": "donut",
            "total": self.total,
            "total_label": _("Tasks"),
            "items": [
                {"name": r["label"], "colour": r["colour"], "value": r["all"]}
                for r in self.rows
                if r["all"]
            ],
        }


@dataclass
class StaleUnit:
    unit_id: int
    name: str
    open_tasks: int
    last_report: dt.date | None
    days: int  # since the last report, or since its first task started if never
    missing: int  # reports missing for the latest period past its due date

    @property
    def never(self) -> bool:
        return self.last_report is None


@dataclass
class Staleness:
    """Per unit: days since its last submitted report, and reports missing for the
    latest period whose reports are past due. Most stale first."""

    rows: list[StaleUnit]
    period: PeriodKey | None  # the latest period past its due date
    due: dt.date | None
    missing: int  # all units together
    of: int = 0
    empty_reason: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def chart(self) -> dict:
        return {
            "kind": "stale",
            "categories": [r.name for r in self.rows],
            "days": [r.days for r in self.rows],
            "missing": [r.missing for r in self.rows],
            "never": [r.never for r in self.rows],
            "stale_days": STALE_DAYS,
            "very_stale_days": VERY_STALE_DAYS,
            "colours": {
                "recent": RECENT_COLOUR,
                "stale": SOON_COLOUR,
                "very_stale": LATE_COLOUR,
                "never": NEVER_COLOUR,
            },
            "labels": {
                "days": _("Days since the last report"),
                "missing": _("Reports missing"),
                "never": _("Never reported"),
            },
        }


@dataclass
class KeyTaskPath:
    pk: int
    code: str
    title: str
    unit: str
    cells: list[Grade | None]  # one per period of KeyTaskPaths.periods

    @property
    def rated(self) -> bool:
        """Rated in some period of the year (else its track says "not rated yet")."""
        return any(self.cells)


@dataclass
class KeyTaskPaths:
    """The rating path of each key task: key tasks × periods, worst latest rating first."""

    periods: list[PeriodKey]
    tasks: list[KeyTaskPath]
    grades: list[Grade]
    of: int  # key tasks in all (the grid shows at most KEY_TASK_LIMIT)
    empty_reason: str = ""

    @property
    def is_empty(self) -> bool:
        # Key tasks but no rated period: no grid to draw, the reason instead.
        return not self.tasks or not self.periods

    @property
    def chart(self) -> dict:
        index = {g.level: i for i, g in enumerate(self.grades)}
        cells = [
            [x, y, index[g.level]]
            for y, t in enumerate(self.tasks)
            for x, g in enumerate(t.cells)
            if g is not None
        ]
        return {
            "kind": "heatmap",
            "periods": [p.label for p in self.periods],
            "tasks": [t.code for t in self.tasks],
            "titles": [
                t.title if t.rated else f"{t.title} ({_('not rated yet')})" for t in self.tasks
            ],
            "grades": [
                {"letter": g.letter, "name": g.name, "colour": g.colour} for g in self.grades
            ],
            "cells": cells,
        }


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one user and one year."""

    years: list[int]
    year: int | None
    shown: WorkingYear | None  # the year and period shown, and the day it is read on
    grades: list[Grade]
    status: StatusSummary
    by_area: Breakdown
    by_unit: Breakdown
    over_periods: Breakdown
    overdue: Breakdown
    staleness: Staleness
    key_paths: KeyTaskPaths
    # The supervision section (web/dashboard/supervision.py); None when not shown.
    supervision: SupervisionSection | None = None
    # The pilots section (web/dashboard/pilots.py); None when not shown.
    pilots: PilotsSection | None = None
    # The evaluation and assessment sections (web/dashboard/evaluation.py, assessment.py).
    evaluation: EvaluationSection | None = None
    assessment: AssessmentSection | None = None

    @property
    def cards(self) -> dict[str, int]:
        return {
            "tasks": self.status.total,
            "open": self.status.open,
            "closed": self.status.closed,
            "key": self.status.key,
            "overdue_milestones": self.overdue.all_total or 0,
            "reports_late": self.staleness.missing,
        }
