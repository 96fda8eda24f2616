"""Imports and exports as acts.

An import is all-or-nothing: the file is checked (`xlsx_safety`), read and compared
with the ledger before anything is written; the changes are then made through the
ledger's own services (`task_create`, `task_update` with the version read,
`plan_save`) in one transaction, and any error — found while reading or refused
by a service — rolls every change back. Each change keeps the audit record its
service writes; an import that changed something adds one record of its own.
Importing the same file twice changes nothing, and writes nothing, the second time.

Every export writes an audit record ("export.ledger") with its filters and rows.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from reformledger.audit import services as audit
from reformledger.audit.models import Outcome
from reformledger.core.exceptions import ConflictError
from reformledger.exchange.errors import CellError, ImportRefused
from reformledger.exchange.models import ImportJob
from reformledger.exchange.task_list import (
    MILESTONE_COLUMNS,
    MilestoneIn,
    TaskIn,
    read_task_list,
    rows_estimate,
)
from reformledger.exchange.task_list_changes import ChangeSet, PlanChange, plan_changes
from reformledger.exchange.xlsx_safety import check_xlsx, load_workbook
from reformledger.ledger import permissions
from reformledger.ledger import services as ledger
from reformledger.ledger.models import Task
from reformledger.orgs.models import Unit

logger = logging.getLogger(__name__)

#: At most this many errors are kept and shown; the count says how many there were.
MAX_ERRORS = 500

Progress = Callable[[int, int], None]


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


# --- exports ------------------------------------------------------------------------


def export_record(*, by, document: str, filters: dict[str, Any], rows: int, fmt: str) -> None:
    """The audit record of an export: who took which rows out, with which filters."""
    audit.record(
        actor=by,
        verb="export.ledger",
        changes={
            "document": [None, document],
            "filters": [None, filters],
            "rows": [None, rows],
            "format": [None, fmt],
        },
    )


# --- import jobs --------------------------------------------------------------------


def import_job_create(
    *,
    by,
    kind: str,
    file_name: str,
    data: bytes,
    language: str,
    office=None,
    year=None,
    period=None,
) -> ImportJob:
    """Record an upload to be imported; `jobs.dispatch` runs it."""
    return ImportJob.objects.create(
        kind=kind,
        created_by=by,
        office=office,
        year=year,
        period=period,
        file_name=file_name[:255],
        file_size=len(data),
        payload=data,
        language=language,
    )


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued import: read, check and apply, updating the job's progress as it
    reads; the file is cleared when it ends. A job already taken is not run twice."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.READING
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by", "office", "period").get(pk=job_id)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5 or done == 0:
            last[0] = now
            ImportJob.objects.filter(pk=job.pk).update(progress=done, total=max(total, done))

    def applying() -> None:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.APPLYING)

    status, errors, summary = ImportJob.Status.FAILED, [], {}
    outcome = Outcome.FAILURE
    with override(job.language):
        try:
            summary = _run(job, bytes(job.payload or b""), progress, applying)
            status = ImportJob.Status.SUCCEEDED
        except ImportRefused as exc:
            summary = {"errors": len(exc.errors)}
            errors = [e.as_dict() for e in exc.errors[:MAX_ERRORS]]
        except PermissionDenied:
            outcome = Outcome.DENIED
            errors = [CellError(_("You may not import into this ledger.")).as_dict()]
        except Exception:
            logger.exception("import job %s failed", job.pk)
            errors = [
                CellError(
                    _("The import stopped on an unexpected error; nothing was changed.")
                ).as_dict()
            ]
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        errors=errors,
        summary=summary,
        payload=None,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    if status == ImportJob.Status.FAILED:
        # A refused file changed nothing, so no act recorded it: the attempt is.
        audit.record(
            actor=job.created_by,
            verb="import.refused",
            obj=job,
            outcome=outcome,
            changes={"kind": job.kind, "file": job.file_name, "errors": len(errors)},
        )
    return job


def _run(job: ImportJob, data: bytes, progress: Progress, applying) -> dict[str, int]:
    if job.kind == ImportJob.Kind.TASK_LIST:
        return task_list_import(
            data=data,
            file_name=job.file_name,
            office=job.office,
            year=job.year,
            by=job.created_by,
            progress=progress,
            applying=applying,
        )
    from reformledger.exchange.progress_import import progress_import

    return progress_import(
        data=data,
        file_name=job.file_name,
        period=job.period,
        by=job.created_by,
        progress=progress,
        applying=applying,
    )
