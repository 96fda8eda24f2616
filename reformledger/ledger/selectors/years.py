"""The working year, and the day each ledger year is read on.

Every page opens on the same year, the *working year*: the year whose reporting
period contains today (in the ledgers the user works or reads), else the latest year
with tasks the user may see; and it says which year and which period it shows.

"Overdue", "days overdue" and "days without a progress report" are counted to the
*reference date* of a ledger year (one office's ledger of one year): today while the
year is live, the end of its last period once every period of it is closed. A closed
year so reads as of its end: a 2016 action item left open is overdue by the days it
was late on 31 December 2016, not by the days since. "Today" is the ledger's business
date (`core.clock.business_today`: `RL_BUSINESS_DATE` when set, else the real date); the
clock of security (sessions, lock-outs, token expiry, the audit trail's time) is the
real one and is not read here.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Case, DateField, DateTimeField, Max, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.core.clock import business_today
from reformledger.ledger.choices import OPEN_STATUSES, PeriodStatus
from reformledger.ledger.models import Period, Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.ledger.selectors.ratings import visible_periods

__all__ = [
    "LedgerOf",
    "ReferenceDates",
    "WorkingYear",
    "reference_date",
    "reference_dates",
    "task_ledger",
    "working_year",
]

#: The rows of some offices' ledgers of one year, as a filter: `ledger(offices, year)`.
LedgerOf = Callable[[list[int], int], Q]


def task_ledger(prefix: str = "") -> LedgerOf:
    """The ledger of a task (or of the task at `prefix`, e.g. "plan__task__"): its
    office and its year. Periods match it too (they have an office and a year)."""

    def ledger(offices: list[int], year: int) -> Q:
        return Q(**{f"{prefix}office_id__in": offices, f"{prefix}year": year})

    return ledger


def end_of_day(day: dt.date) -> dt.datetime:
    """The moment `day` ends: the next midnight, local time."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


#: A task's own ledger (the default of the filters below).
TASK_LEDGER = task_ledger()


@dataclass(frozen=True)
class ReferenceDates:
    """The reference date of every ledger year: today, except for the closed years,
    which are read on the end of their last period (`ends`)."""

    today: dt.date
    ends: dict[tuple[int, int], dt.date] = field(default_factory=dict)
    # (office, year) -> (id, end) of the latest period whose reports fell due before the
    # ledger's reference date: the period a report is missing for.
    last_due: dict[tuple[int, int], tuple[int, dt.date]] = field(default_factory=dict)

    def of(self, office_id: int, year: int) -> dt.date:
        """The day the ledger of `office_id` for `year` is read on."""
        return self.ends.get((office_id, year), self.today)

    def is_closed(self, office_id: int, year: int) -> bool:
        """Every period of the ledger is closed: it reads as of its end."""
        return (office_id, year) in self.ends

    def of_year(self, year: int, offices: Iterable[int]) -> dt.date:
        """The day a page over several ledgers of one year (the dashboard, the staleness
        page) reads them on: the latest end once every one of them is closed, else today."""
        ends = [self.ends.get((office, year)) for office in set(offices)]
        if not ends or None in ends:
            return self.today
        return max(ends)

    def _per_ledger(self, ledger: LedgerOf, value: Callable, output_field) -> Case | Value:
        """An expression giving each row `value(its ledger's reference date)`."""
        closed: dict[tuple[int, dt.date], list[int]] = defaultdict(list)
        for (office, year), end in self.ends.items():
            closed[year, end].append(office)
        default = Value(value(self.today), output_field=output_field)
        if not closed:
            return default
        return Case(
            *(
                When(ledger(sorted(offices), year), then=Value(value(end)))
                for (year, end), offices in sorted(closed.items())
            ),
            default=default,
            output_field=output_field,
        )

    def on(self, ledger: LedgerOf = TASK_LEDGER, *, days: int = 0) -> Case | Value:
        """The reference date of each row's ledger as an expression (`days` before it),
        for filters and aggregates: `Q(deadline__lt=dates.on())`."""
        shift = dt.timedelta(days=days)
        return self._per_ledger(ledger, lambda day: day - shift, DateField())

    def end_of(self, ledger: LedgerOf = TASK_LEDGER) -> Case | Value:
        """The moment each row's ledger's reference date ends (the next midnight, local
        time) as an expression: `Q(submitted_at__lt=dates.end_of())` is "submitted by the
        reference date", without casting every timestamp to a date."""
        return self._per_ledger(ledger, end_of_day, DateTimeField())

    def before(self, name: str, ledger: LedgerOf = TASK_LEDGER, *, days: int = 0) -> Q:
        """Rows whose date `name` falls before their ledger's reference date."""
        return Q(**{f"{name}__lt": self.on(ledger, days=days)})

    # --- what is overdue, in one place ----------------------------------------------

    def overdue_tasks(self, prefix: str = "") -> Q:
        """Tasks on the open ledger past their deadline (as of their ledger's date)."""
        return Q(**{f"{prefix}status__in": OPEN_STATUSES}) & self.before(
            f"{prefix}deadline", task_ledger(prefix)
        )

    def task_is_overdue(self, task: Task) -> bool:
        return task.is_overdue_on(self.of(task.office_id, task.year))

    def overdue_milestones(self) -> Q:
        """Milestones (of any plan: callers say which) not reached by their planned date."""
        return Q(reached_on__isnull=True) & self.before("planned_date", task_ledger("plan__task__"))


def reference_dates(today: dt.date | None = None) -> ReferenceDates:
    """The reference date of every ledger year, and its period last due by then (one
    query over the periods, a dozen rows a ledger year): the one rule behind every
    "overdue", "days overdue", "reports missing" and "days without a report" a page
    shows."""
    today = today or business_today()
    periods: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for office, year, pk, end, due, status in Period.objects.order_by().values_list(
        "office_id", "year", "pk", "end", "report_due", "status"
    ):
        periods[office, year].append((pk, end, due, status))
    ends, last_due = {}, {}
    for ledger, of_ledger in periods.items():
        if all(status == PeriodStatus.CLOSED for *_rest, status in of_ledger):
            # Never after today: a period closes only once it has ended.
            ends[ledger] = min(max(end for _pk, end, _due, _s in of_ledger), today)
        as_of = ends.get(ledger, today)
        due = [(due, pk, end) for pk, end, due, _s in of_ledger if due < as_of]
        if due:
            _due, pk, end = max(due)
            last_due[ledger] = (pk, end)
    return ReferenceDates(today, ends, last_due)


def reference_date(office_id: int, year: int, today: dt.date | None = None) -> dt.date:
    """The reference date of one ledger year: today while it is live, the end of its
    last period once every period of it is closed."""
    return reference_dates(today).of(office_id, year)


# --- the working year ----------------------------------------------------------------


@dataclass(frozen=True)
class WorkingYear:
    """The year a page shows, the period it shows it as of, and the day it is read on."""

    year: int | None
    period: Period | None  # the period shown; None when the year has none set up
    closed: bool  # every period of the year is closed: it reads as of its end
    as_of: dt.date  # the reference date of the year
    first_period: Period | None = None  # the year's first period (when it is rated)

    @property
    def label(self) -> str:
        """E.g. "2017 · period 3 (2017-03)", "showing 2016, as of period 2016-12 (closed)"."""
        if self.year is None:
            return ""
        period = self.period
        if period is None:
            return _("%(year)s · no reporting period set up yet") % {"year": self.year}
        if period.is_frozen:
            return _("showing %(year)s, as of period %(period)s (closed)") % {
                "year": self.year,
                "period": period.label,
            }
        return _("%(year)s · period %(number)s (%(period)s)") % {
            "year": self.year,
            "number": period.number,
            "period": period.label,
        }


def _order(period: Period) -> tuple:
    # Periods of several offices that share their dates: the office highest in the
    # tree (the city's, not a county's) stands for them, as the rating board did.
    return (period.start, -len(period.office.path))


def _period_shown(periods: list[Period], today: dt.date, closed: bool) -> Period | None:
    """The period a page shows a year as of: its last one once the year is closed, else
    the one running today, else the latest begun, else the first."""
    if not periods:
        return None
    periods = sorted(periods, key=_order)
    if closed:
        last = max(p.end for p in periods)
        return [p for p in periods if p.end == last][-1]
    for candidates in (
        [p for p in periods if p.start <= today <= p.end],
        [p for p in periods if p.start <= today],
    ):
        if candidates:
            return candidates[-1]
    return periods[0]


def working_year(
    user,
    *,
    year: int | None = None,
    period: Period | None = None,
    today: dt.date | None = None,
    dates: ReferenceDates | None = None,
    periods: list[Period] | None = None,
) -> WorkingYear:
    """The year a page opens on for `user` (`year` and `period` when the page asks for
    one): the year whose reporting period contains today, in the ledgers the user works
    or reads, else the latest year with tasks the user may see. At most three queries:
    the reference dates and the periods (`visible_periods(user)`) unless given, and the
    latest year with tasks when no period runs today."""
    dates = dates or reference_dates(today)
    today = today or dates.today
    periods = list(visible_periods(user)) if periods is None else periods
    if period is not None:
        year = period.year
    if year is None:
        running = [p.year for p in periods if p.start <= today <= p.end]
        if running:
            year = max(running)
        else:
            year = visible_tasks(user).order_by().aggregate(latest=Max("year"))["latest"]
    if year is None:
        return WorkingYear(None, None, False, dates.today)
    of_year = [p for p in periods if p.year == year]
    offices = {p.office_id for p in of_year}
    closed = bool(of_year) and all(dates.is_closed(office, year) for office in offices)
    first = min(of_year, key=lambda p: (p.start, len(p.office.path))) if of_year else None
    return WorkingYear(
        year=year,
        period=period or _period_shown(of_year, today, closed),
        closed=closed,
        as_of=dates.of_year(year, offices),
        first_period=first,
    )
