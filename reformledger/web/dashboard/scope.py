"""What every chart of the dashboard reads from: the user's tasks of one year as a
queryset, with the grades and periods of their offices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import (
    QuerySet,
)
from django.urls import reverse
from django.utils.translation import get_language

from reformledger.ledger.choices import (
    PeriodStatus,
    RatingLevel,
)
from reformledger.ledger.models import Period, RatingGrade, Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.ledger.selectors import ReferenceDates
from reformledger.ledger.selectors.summaries import Summarised, no_summaries, summarised

if TYPE_CHECKING:
    pass
from reformledger.web.dashboard.data import (
    DEFAULT_GRADES,
    Grade,
    PeriodKey,
    Series,
)

# --- what every chart reads from ----------------------------------------------------------


@dataclass
class GradeSet:
    """The grades the charts show, best to worst, and the level of every grade id that
    ratings of the tasks may carry (any scale of their offices)."""

    grades: list[Grade]
    level_of: dict[int, str]

    def ids_of(self, level: str) -> list[int]:
        return [pk for pk, lv in self.level_of.items() if lv == level]


@dataclass
class Scope:
    """The user's tasks of one year and the small reference rows their charts need —
    their offices' grades and periods, and the reference dates their figures are
    counted to — read once for the whole page."""

    tasks: QuerySet[Task]
    year: int
    dates: ReferenceDates  # each ledger's reference date (today, or a closed year's end)
    as_of: dt.date  # the year's: the day the page reads it on
    grades: GradeSet
    periods: dict[int, PeriodKey]  # every period of the tasks' offices, by id
    due: dict[int, dt.date]  # the date reports of each period are due, by id
    offices: dict[int, int]  # the office of each period, by id
    # The closed periods read from their summary rows (ledger/selectors/summaries.py).
    summaries: Summarised

    def period_ids(self, key: PeriodKey) -> list[int]:
        return [pk for pk, k in self.periods.items() if k == key]

    def year_periods(self) -> list[PeriodKey]:
        """The periods of the year, first to last."""
        keys = {k for k in self.periods.values() if k.year == self.year}
        return sorted(keys, key=lambda p: (p.start, p.end))

    def due_of(self, key: PeriodKey) -> dt.date:
        """The day the reports of `key` are due (the latest of its offices')."""
        return max(self.due[pk] for pk in self.period_ids(key))


def dashboard_years(user) -> list[int]:
    """The years in which `user` sees tasks, latest first."""
    years = visible_tasks(user).order_by().values_list("year", flat=True).distinct()
    return sorted(years, reverse=True)


def year_tasks(user, year: int) -> QuerySet[Task]:
    """The tasks of `year` that `user` sees, unordered: every chart starts from it."""
    return visible_tasks(user).filter(year=year).order_by()


def rating_grades(offices: list[int], year: int) -> GradeSet:
    """The grades of the offices' scales (one query). The charts show the letters and
    colours of the scale in force in `year` (else the latest before it); a level no
    scale defines gets the default letter and colour."""
    rows = (
        RatingGrade.objects.filter(scale__office_id__in=offices)
        .order_by("-scale__year", "scale_id")
        .values("pk", "level", "letter", "name", "name_en", "colour", "scale__year")
    )
    english = (get_language() or "").startswith("en")
    found: dict[str, Grade] = {}
    level_of: dict[int, str] = {}
    for row in rows:
        level_of[row["pk"]] = row["level"]
        if row["scale__year"] <= year and row["level"] not in found:
            name = row["name_en"] if english and row["name_en"] else row["name"]
            found[row["level"]] = Grade(row["level"], row["letter"], name, row["colour"])
    grades = []
    for level in RatingLevel:
        if level.value in found:
            grades.append(found[level.value])
        else:
            letter, colour = DEFAULT_GRADES[level]
            grades.append(Grade(level.value, letter, str(level.label), colour))
    return GradeSet(grades, level_of)


def dashboard_scope(user, year: int, dates: ReferenceDates) -> Scope:
    """Read what every chart needs besides its own aggregate: the tasks' offices, their
    grades and their periods, and which periods are read from summary rows (four small
    queries and one over the tasks outside the user's whole ledgers)."""
    tasks = year_tasks(user, year)
    paths = dict(tasks.values_list("office_id", "office__path").distinct())
    offices = list(paths)
    periods = Period.objects.filter(office_id__in=offices).values(
        "pk", "office_id", "year", "start", "end", "report_due", "status", "summary__period_id"
    )
    keys, due, office_of, summed = {}, {}, {}, []
    for p in periods:
        keys[p["pk"]] = PeriodKey(p["year"], p["start"], p["end"])
        due[p["pk"]] = p["report_due"]
        office_of[p["pk"]] = p["office_id"]
        if p["status"] == PeriodStatus.CLOSED and p["summary__period_id"] is not None:
            summed.append(p["pk"])
    as_of = dates.of_year(year, offices)
    grades = rating_grades(offices, year)
    summaries = summarised(user, tasks, year, paths, summed, set(keys) - set(summed))
    # The same tasks, said so that each chart's query finds them by an index.
    tasks = summaries.tasks(tasks)
    return Scope(tasks, year, dates, as_of, grades, keys, due, office_of, summaries)


def empty_scope(dates: ReferenceDates, year: int = 0) -> Scope:
    """A scope without tasks, for a user who sees none: every chart answers empty."""
    grades = rating_grades([], year)
    return Scope(
        Task.objects.none(), year, dates, dates.today, grades, {}, {}, {}, no_summaries(year)
    )


def _grade_series(grades: GradeSet, counts: dict[tuple, int], keys: list) -> list[Series]:
    return [
        Series(
            key=g.level,
            name=g.letter,
            title=f"{g.letter} {g.name}",
            colour=g.colour,
            values=[counts.get((k, g.level), 0) for k in keys],
            badge=True,
        )
        for g in grades.grades
    ]


def _ledger_link(year: int, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"year": year, **params}.items())
    return f"{reverse('ledger:ledger')}?{query}"
