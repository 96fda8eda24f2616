"""The dashboard (领导驾驶舱): what a leader reads at a glance about the tasks a user sees.

One selector per chart. Each takes a `Scope` — the user's tasks of one year as a
queryset (never as rows), with the few reference rows every chart needs (the tasks'
offices' grades and periods) — and returns plain data: what its chart draws
(`.chart`, handed to the page with `json_script`) and what its table lists
(`.rows`); the table under each chart shows the same numbers. Each selector runs
one or two aggregate queries (`values()` + `annotate(Count)`), so the page costs a
fixed number of queries whatever the size of the ledger: no selector loads a row
per task or per rating, and the key-task grid is bounded by `KEY_TASK_LIMIT`.

A rating's grade is the decision if there is one, else the suggestion
(`Rating.grade`); ratings are counted by the grade's *level* (what it means to the
engine) and shown with the letter and colour of the office's `RatingGrade` rows, so
an office that renames or recolours its grades changes no code here. Periods of
different offices that share their dates (the city's 2016-03 and a county's) count
as one; "the latest rated period" is the latest such period with any rating.
"""

import datetime as dt

from django.utils import timezone

from reformledger.ledger.models import Rating
from reformledger.ledger.permissions import visible_tasks
from reformledger.web.dashboard.charts import (
    LeadUnit,
    key_task_paths,
    lead_units,
    overdue_milestones,
    ratings_by_area,
    ratings_by_unit,
    ratings_over_periods,
    staleness,
    task_status,
)
from reformledger.web.dashboard.data import (
    DEFAULT_GRADES,
    KEY_TASK_LIMIT,
    SERIOUS_OVERDUE_DAYS,
    UNIT_LIMIT,
    Breakdown,
    Dashboard,
    Grade,
    KeyTaskPath,
    KeyTaskPaths,
    PeriodKey,
    Series,
    Staleness,
    StaleUnit,
    StatusSummary,
)
from reformledger.web.dashboard.scope import (
    GradeSet,
    Scope,
    dashboard_scope,
    dashboard_years,
    empty_scope,
    rating_grades,
    year_tasks,
)


def dashboard(user, year: int | str | None = None, today: dt.date | None = None) -> Dashboard:
    """The whole dashboard of `user` for `year` (default and fallback: the latest year
    with ratings it sees, else the latest year with tasks — a year just carried over
    into has tasks but nothing to chart yet). A fixed number of queries whatever the
    number of tasks."""
    today = today or timezone.localdate()
    years = dashboard_years(user)
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        year = None
    if year not in years:
        rated = (
            Rating.objects.filter(task__in=visible_tasks(user))
            .order_by("-task__year")
            .values_list("task__year", flat=True)
            .first()
        )
        year = rated if rated in years else (years[0] if years else None)
    # Imported here: the supervision section builds on this package's Breakdown.
    from reformledger.web.dashboard.supervision import supervision_section

    # Without a task to show, every selector answers empty without a query.
    scope = dashboard_scope(user, year, today) if year else empty_scope(today)
    status = task_status(scope)
    over = ratings_over_periods(scope)
    latest = over.periods[-1] if over.periods else None
    units = lead_units(scope)
    return Dashboard(
        years=years,
        year=year,
        grades=scope.grades.grades,
        status=status,
        by_area=ratings_by_area(scope, latest),
        by_unit=ratings_by_unit(scope, latest, units),
        over_periods=over,
        overdue=overdue_milestones(scope),
        staleness=staleness(scope, units),
        key_paths=key_task_paths(scope, over.periods, status.key),
        supervision=supervision_section(user, year, today),
    )


__all__ = [
    "DEFAULT_GRADES",
    "KEY_TASK_LIMIT",
    "SERIOUS_OVERDUE_DAYS",
    "UNIT_LIMIT",
    "Breakdown",
    "Dashboard",
    "Grade",
    "GradeSet",
    "KeyTaskPath",
    "KeyTaskPaths",
    "LeadUnit",
    "PeriodKey",
    "Scope",
    "Series",
    "StaleUnit",
    "Staleness",
    "StatusSummary",
    "dashboard",
    "dashboard_scope",
    "dashboard_years",
    "empty_scope",
    "key_task_paths",
    "lead_units",
    "overdue_milestones",
    "rating_grades",
    "ratings_by_area",
    "ratings_by_unit",
    "ratings_over_periods",
    "staleness",
    "task_status",
    "year_tasks",
]
