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
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reformledger.audit.selectors import newest_change_id
from reformledger.core.clock import business_today
from reformledger.ledger.selectors import reference_dates, working_year
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
    """The whole dashboard of `user` for `year` (default and fallback: the working year,
    as on the ledger and the ratings board), each figure counted to the reference date
    of its ledger year (today, or the end of a closed year). A fixed number of queries
    whatever the number of tasks."""
    dates = reference_dates(today)
    years = dashboard_years(user)
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        year = None
    shown = working_year(user, year=year if year in years else None, dates=dates)
    year = shown.year
    if year is not None and year not in years:
        years = sorted({*years, year}, reverse=True)
    # Imported here: the sections below build on this package's Breakdown.
    from reformledger.web.dashboard.assessment import assessment_section
    from reformledger.web.dashboard.evaluation import evaluation_section
    from reformledger.web.dashboard.pilots import pilots_section
    from reformledger.web.dashboard.supervision import supervision_section

    # Without a task to show, every selector answers empty without a query.
    scope = dashboard_scope(user, year, dates) if year else empty_scope(dates)
    status = task_status(scope)
    over = ratings_over_periods(scope)
    latest = over.periods[-1] if over.periods else None
    units = lead_units(scope)
    dash = Dashboard(
        years=years,
        year=year,
        shown=shown if year else None,
        grades=scope.grades.grades,
        status=status,
        by_area=ratings_by_area(scope, latest),
        by_unit=ratings_by_unit(scope, latest, units),
        over_periods=over,
        overdue=overdue_milestones(scope),
        staleness=staleness(scope, units),
        key_paths=key_task_paths(scope, over.periods, status.key),
        supervision=supervision_section(user, year, dates),
        pilots=pilots_section(user, year),
        evaluation=evaluation_section(user, year),
        assessment=assessment_section(user, year),
    )
    if year:
        _say_why_empty(dash, scope)
    return dash


def cached_dashboard(user, year: int | str | None = None) -> Dashboard:
    """`dashboard(user, year)`, kept in the default cache for RL_DASHBOARD_CACHE_SECONDS
    (0: not kept). Every change of the ledger goes through a service that writes an audit
    record in its transaction; the kept dashboard names the newest such record it counted
    (signing in, downloads and the like change nothing it counts). A read after a newer
    act computes it again, from any app server, once the kept one is older than
    RL_DASHBOARD_FRESH_SECONDS: an act shows within that many seconds (at once with 0).
    The key names the user, the year asked for, the ledger's today and the language
    (labels are words)."""
    seconds = settings.RL_DASHBOARD_CACHE_SECONDS
    if not seconds or not user.is_authenticated:
        return dashboard(user, year=year)
    key = ":".join(
        (
            "rl-dashboard",
            str(user.pk),
            str(year or ""),
            business_today().isoformat(),
            get_language() or "",
        )
    )
    newest = newest_change_id()
    kept = cache.get(key)
    if kept is not None:
        counted, computed_at, found = kept
        if counted == newest or time.time() - computed_at < settings.RL_DASHBOARD_FRESH_SECONDS:
            return found
    found = dashboard(user, year=year)
    cache.set(key, (newest, time.time(), found), seconds)
    return found


def _say_why_empty(dash: Dashboard, scope: Scope) -> None:
    """Give each empty chart the reason it is empty, said in place of an empty grid."""
    year = {"year": scope.year}
    periods = scope.year_periods()
    if not periods:
        unrated = _("No ratings yet in %(year)s: no reporting period of the year is set up.") % year
    else:
        first = periods[0]
        unrated = _(
            "No ratings yet in %(year)s: the first period, %(period)s, is rated once its "
            "reports fall due on %(date)s."
        ) % {**year, "period": first.label, "date": scope.due_of(first).isoformat()}
    for chart in (dash.by_area, dash.by_unit, dash.over_periods):
        chart.empty_reason = unrated
    dash.status.empty_reason = _("No task in %(year)s.") % year
    if not dash.status.key:
        dash.key_paths.empty_reason = _("No key task in %(year)s.") % year
    else:
        dash.key_paths.empty_reason = unrated
    dash.overdue.empty_reason = _("No milestone is overdue (as of %(date)s).") % {
        "date": scope.as_of.isoformat()
    }
    if not dash.status.open:
        dash.staleness.empty_reason = (
            _("No open task in %(year)s: no unit owes a progress report.") % year
        )
    else:
        dash.staleness.empty_reason = (
            _("No open task of %(year)s is under way yet: no unit owes a progress report.") % year
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
