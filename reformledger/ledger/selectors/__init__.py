"""Reads of the ledger, scoped to the user and joined for the page that shows them,
grouped by part of the cycle. Callers use `selectors.<name>(...)`."""

from reformledger.ledger.selectors.closing import *  # noqa: F403
from reformledger.ledger.selectors.ratings import *  # noqa: F403
from reformledger.ledger.selectors.reports import *  # noqa: F403
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

__all__ = [
    "MyWork",
    "PlanView",
    "ledger_rows",
    "ledger_totals",
    "my_work",
    "plans_of",
    "task_detail",
    "task_history",
    "unit_tasks",
]
