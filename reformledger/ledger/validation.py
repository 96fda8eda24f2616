"""Rules about a task's dates and a plan's milestones, shared by forms and services.

Both a form and a service call these, so a page shows the error on the field and
a call that skips the page is refused the same way.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class MilestoneRow:
    """A milestone as a plan is written: what is to be done by when. Not whether it is
    reached: only an accepted progress report says that (`report_accept`)."""

    title: str
    planned_date: dt.date
    weight: int
    is_key: bool = False
    responsible: str = ""
    expected_evidence: str = ""


def task_date_errors(start_date: dt.date | None, deadline: dt.date | None) -> dict[str, str]:
    if start_date and deadline and deadline < start_date:
        return {"deadline": _("The deadline cannot be before the start date.")}
    return {}


def milestone_errors(
    rows: list[MilestoneRow], *, start_date: dt.date, deadline: dt.date
) -> tuple[dict[int, dict[str, str]], list[str]]:
    """Errors per row index and field, and errors about the plan as a whole."""
    per_row: dict[int, dict[str, str]] = {}
    for i, row in enumerate(rows):
        errs: dict[str, str] = {}
        if row.planned_date > deadline:
            errs["planned_date"] = _(
                "The milestone's date %(date)s is after the task's deadline %(deadline)s."
            ) % {"date": row.planned_date.isoformat(), "deadline": deadline.isoformat()}
        elif row.planned_date < start_date:
            errs["planned_date"] = _(
                "The milestone's date %(date)s is before the task's start %(start)s."
            ) % {"date": row.planned_date.isoformat(), "start": start_date.isoformat()}
        if not 0 <= row.weight <= 100:
            errs["weight"] = _("A weight is between 0 and 100.")
        if errs:
            per_row[i] = errs
    general: list[str] = []
    if not rows:
        general.append(_("A plan needs at least one milestone."))
    else:
        total = sum(r.weight for r in rows)
        if total != 100:
            general.append(
                _("The milestone weights add up to %(total)s; they must add up to 100.")
                % {"total": total}
            )
    return per_row, general
