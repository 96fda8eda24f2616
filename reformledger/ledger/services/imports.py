"""Imports of the ledger's workbooks as acts (the task list, progress reports).

An import is all-or-nothing: the file is checked (`xlsx_safety`), read and compared
with the ledger before anything is written; the changes are then made through the
ledger's own services (`task_create`, `task_update` with the version read,
`plan_save`) in one transaction, and any error — found while reading or refused
by a service — rolls every change back. Each change keeps the audit record its
service writes; an import that changed something adds one record of its own.
Importing the same file twice changes nothing, and writes nothing, the second time.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError
from reformledger.exchange.errors import CellError, ImportRefused
from reformledger.exchange.jobs import JobKind, Progress
from reformledger.exchange.models import ImportJob
from reformledger.exchange.xlsx_safety import check_xlsx, load_workbook
from reformledger.ledger import permissions
from reformledger.ledger import services as ledger
from reformledger.ledger.documents.progress_sheet import progress_import
from reformledger.ledger.documents.task_list import (
    MILESTONE_COLUMNS,
    MilestoneIn,
    TaskIn,
    read_task_list,
    rows_estimate,
)
from reformledger.ledger.documents.task_list_changes import ChangeSet, PlanChange, plan_changes
from reformledger.ledger.models import Period, Task
from reformledger.orgs.models import Unit

#: The kinds of import job the ledger runs (keys kept by the jobs already recorded).
TASK_LIST_JOB = "task_list"
PROGRESS_JOB = "progress"


def task_list_import(
    *,
    data: bytes,
    file_name: str,
    office: Unit,
    year: int,
    by,
    progress: Progress | None = None,
    applying: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Import the annual task list with plans and milestones into `office`'s ledger.

    Returns the counts written ({"created", "updated", "plans", "unchanged"}); raises
    ImportRefused with every error (and writes nothing) when anything is wrong.
    """
    if not permissions.can_create_task(by, office):
        raise PermissionDenied("import_task_list")
    check_xlsx(data, file_name)
    wb = load_workbook(data)
    try:
        total = rows_estimate(wb)
        if progress is not None:
            progress(0, total)
        parsed = read_task_list(
            wb, progress=(lambda n: progress(n, total)) if progress is not None else None
        )
    except ImportRefused:
        raise
    except Exception as exc:  # a malformed sheet part openpyxl only meets while reading
        raise ImportRefused(
            [
                CellError(
                    _("The workbook could not be read (%(reason)s).")
                    % {"reason": type(exc).__name__}
                )
            ]
        ) from exc
    finally:
        wb.close()
    changes = plan_changes(parsed, office=office, year=year)
    if changes.errors:
        raise ImportRefused(changes.errors)
    if applying is not None:
        applying()
    return _apply(changes, office=office, year=year, by=by, file_name=file_name)


@transaction.atomic
def _apply(changes: ChangeSet, *, office: Unit, year: int, by, file_name: str) -> dict[str, int]:
    errors: list[CellError] = []
    created = _create_tasks(changes, office=office, year=year, by=by, errors=errors)
    updated = 0
    for change in changes.updates:
        try:
            ledger.task_update(task=change.task, by=by, version=change.version, **change.changes)
        except ValidationError as exc:
            errors += _task_errors(exc, change.row)
        except ConflictError as exc:
            errors.append(CellError(str(exc), change.row.table.sheet, change.row.row))
        else:
            updated += 1
    plans = 0
    if not errors:
        for plan in changes.plans:
            task = created.get(plan.code) or Task.objects.get(
                office=office, year=year, code=plan.code
            )
            try:
                ledger.plan_save(task=task, by=by, summary=plan.summary, milestones=plan.milestones)
            except ValidationError as exc:
                errors += _plan_errors(exc, plan)
            else:
                plans += 1
    if errors:
        raise ImportRefused(errors)  # rolls back every change made above
    counts = {
        "created": len(created),
        "updated": updated,
        "plans": plans,
        "unchanged": changes.unchanged,
    }
    if created or updated or plans:
        audit.record(
            actor=by,
            verb="import.task_list",
            obj=office,
            changes={name: [None, n] for name, n in counts.items()} | {"year": [None, year]},
            reason=file_name,
        )
    return counts


def _create_tasks(changes: ChangeSet, *, office, year, by, errors) -> dict[str, Task]:
    """New tasks, each parent before its sub-tasks."""
    created: dict[str, Task] = {}
    failed: set[str] = set()
    pending = list(changes.creates)
    while pending:
        ready = [
            c
            for c in pending
            if not c.parent_code or c.parent_code in created or c.parent_code in failed
        ]
        if not ready:
            for c in pending:
                errors.append(
                    CellError(
                        _("The parent tasks of %(code)s form a circle.") % {"code": c.row.code},
                        c.row.table.sheet,
                        c.row.row,
                        c.row.table.column("parent"),
                    )
                )
            break
        for c in ready:
            if c.parent_code in failed:
                failed.add(c.row.code)  # its parent's error is reported already
                continue
            fields = dict(c.fields)
            if c.parent_code:
                fields["parent"] = created[c.parent_code]
            try:
                task = ledger.task_create(
                    by=by, office=office, year=year, helping_units=c.helping, **fields
                )
            except ValidationError as exc:
                errors += _task_errors(exc, c.row)
                failed.add(c.row.code)
            else:
                created[c.row.code] = task
        pending = [c for c in pending if c not in ready]
    return created


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"": [str(m) for m in exc.messages]}


def _task_errors(exc: ValidationError, row: TaskIn) -> list[CellError]:
    return [
        CellError(message, row.table.sheet, row.row, row.table.column(name))
        for name, messages in _messages(exc).items()
        for message in messages
    ]


def _plan_errors(exc: ValidationError, plan: PlanChange) -> list[CellError]:
    out = []
    fields = {c.field for c in MILESTONE_COLUMNS}
    for key, messages in _messages(exc).items():
        parts = key.split(".")
        row: MilestoneIn | None = None
        column = ""
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(plan.milestone_rows):
            row = plan.milestone_rows[int(parts[1])]
            column = row.table.column(parts[2]) if parts[2] in fields else ""
        elif plan.milestone_rows:
            row = plan.milestone_rows[0]
        for message in messages:
            text = _("Plan of %(code)s: %(message)s") % {"code": plan.code, "message": message}
            if row is not None:
                out.append(CellError(text, row.table.sheet, row.row, column))
            elif plan.task_row is not None:
                out.append(CellError(text, plan.task_row.table.sheet, plan.task_row.row))
            else:
                out.append(CellError(text))
    return out


# --- as import jobs -----------------------------------------------------------------


def task_list_job_params(*, office: Unit, year: int) -> dict[str, Any]:
    """What a task-list job needs (`exchange.jobs.import_job_create(params=…)`)."""
    return {"params": {"office": office.pk, "year": year}, "scope": f"{office.label} · {year}"}


def progress_job_params(*, period: Period) -> dict[str, Any]:
    """What a progress-report job needs."""
    return {
        "params": {"period": period.pk},
        "scope": f"{period.label} · {period.office.label}",
    }


def _run_task_list(job: ImportJob, data: bytes, progress: Progress, applying) -> dict[str, int]:
    return task_list_import(
        data=data,
        file_name=job.file_name,
        office=Unit.objects.get(pk=job.params["office"]),
        year=int(job.params["year"]),
        by=job.created_by,
        progress=progress,
        applying=applying,
    )


def _run_progress(job: ImportJob, data: bytes, progress: Progress, applying) -> dict[str, int]:
    return progress_import(
        data=data,
        file_name=job.file_name,
        period=Period.objects.select_related("office").get(pk=job.params["period"]),
        by=job.created_by,
        progress=progress,
        applying=applying,
    )


def import_refused(job: ImportJob, errors: int, outcome: str) -> None:
    """The audit record of a refused import: the file changed nothing, so no act
    recorded it; the attempt is recorded instead."""
    audit.record(
        actor=job.created_by,
        verb="import.refused",
        obj=job,
        outcome=outcome,
        changes={"kind": job.kind, "file": job.file_name, "errors": errors},
    )


def job_kinds() -> list[JobKind]:
    """The ledger's imports, registered with the job machinery in LedgerConfig.ready."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    return [
        JobKind(
            key=TASK_LIST_JOB,
            label=gettext_lazy("Task list with plans"),
            run=_run_task_list,
            refused=import_refused,
            result_template="ledger/_task_list_result.html",
            again_url=lambda job: reverse("ledger:task_list_import"),
        ),
        JobKind(
            key=PROGRESS_JOB,
            label=gettext_lazy("Progress reports"),
            run=_run_progress,
            refused=import_refused,
            result_template="ledger/_reports_result.html",
            again_url=lambda job: reverse("ledger:reports_import"),
        ),
    ]
