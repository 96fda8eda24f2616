"""Reads of the ledger, scoped to the user and joined for the page that shows them,
grouped by part of the cycle. Callers use `selectors.<name>(...)`."""

from reformledger.ledger.selectors.closing import *  # noqa: F403
from reformledger.ledger.selectors.grades import *  # noqa: F403
from reformledger.ledger.selectors.next_acts import NextActs, next_acts, next_acts_count
from reformledger.ledger.selectors.periods import *  # noqa: F403
from reformledger.ledger.selectors.progress import *  # noqa: F403
from reformledger.ledger.selectors.ratings import *  # noqa: F403
from reformledger.ledger.selectors.reports import *  # noqa: F403
from reformledger.ledger.selectors.staleness import Reporting, reporting
from reformledger.ledger.selectors.tasks import (
    MyWork,
    PlanView,
    ledger_rows,
    ledger_totals,
    my_work,
    plans_of,
    task_detail,
    task_history,
    unit_tasks,
)
from reformledger.ledger.selectors.years import (
    ReferenceDates,
    WorkingYear,
    reference_date,
    reference_dates,
    task_ledger,
    working_year,
)

__all__ = [
    "MyWork",
    "NextActs",
    "PlanView",
    "ReferenceDates",
    "Reporting",
    "WorkingYear",
    "ledger_rows",
    "ledger_totals",
    "my_work",
    "next_acts",
    "next_acts_count",
    "plans_of",
    "reference_date",
    "reference_dates",
    "reporting",
    "task_detail",
    "task_history",
    "task_ledger",
    "unit_tasks",
    "working_year",
]
