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
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError
from reformledger.exchange.errors import CellError, ImportRefused
from reformledger.exchange.jobs import (
    JobKind,
    Progress,
    ReviewAgain,
    columns_remember,
    remembered_columns,
)
from reformledger.exchange.models import ImportJob
from reformledger.exchange.parsing import header_key
from reformledger.exchange.xlsx_safety import check_xlsx, load_workbook
from reformledger.ledger import permissions
from reformledger.ledger import services as ledger
from reformledger.ledger.documents.progress_sheet import (
    REPORT_COLUMNS,
    ProgressCheck,
    progress_check,
)
from reformledger.ledger.documents.task_list import MILESTONE_COLUMNS
from reformledger.ledger.documents.task_list_changes import (
    ChangeSet,
    NewPerson,
    PlanChange,
    compare_task_list,
    office_host,
)
from reformledger.ledger.documents.task_list_preview import preview_of, progress_preview_of
from reformledger.ledger.documents.task_list_reading import (
    Decisions,
    MilestoneIn,
    TaskIn,
    TaskListFile,
    UnreadableSheet,
    open_task_list,
    rows_estimate,
)
from reformledger.ledger.models import Period, Task
from reformledger.ledger.selectors.imports import open_period_today
from reformledger.orgs import services as orgs
from reformledger.orgs.models import Person, Unit

#: The kinds of import job the ledger runs (keys kept by the jobs already recorded).
TASK_LIST_JOB = "task_list"
PROGRESS_JOB = "progress"


def columns_scope(office: Unit) -> str:
    """Whose column choices a task list remembers: the office's."""
    return f"office:{office.pk}"


@dataclass
class TaskListCheck:
    """A task list read and compared with the ledger: what the preview shows and what
    an import would write."""

    parsed: TaskListFile
    changes: ChangeSet
    year: int
    chosen_year: int
    file_year: int | None
    decisions: Decisions

    @property
    def errors(self) -> list[CellError]:
        return self.changes.errors

    def preview(self, office: Unit) -> dict[str, Any]:
        return preview_of(self, office=office)


def task_list_check(
    *,
    data: bytes,
    file_name: str,
    office: Unit,
    year: int,
    by,
    decisions: dict | None = None,
    progress: Progress | None = None,
) -> TaskListCheck:
    """Read a task list and compare it with `office`'s ledger, writing nothing.

    `year` is the year the clerk chose; a file that speaks of another year (by its
    codes, its title, its dates) is an error until the clerk settles the year
    (`decisions["year"]`). Raises ImportRefused only when the file cannot be read.
    """
    if not permissions.can_create_task(by, office):
        raise PermissionDenied("import_task_list")
    answers = Decisions.of(decisions)
    check_xlsx(data, file_name)
    wb = load_workbook(data)
    effective = answers.year or year
    try:
        total = rows_estimate(wb)
        if progress is not None:
            progress(0, total)
        try:
            parsed, sheets = open_task_list(
                wb,
                decisions=answers,
                remembered=remembered_columns(kind=TASK_LIST_JOB, scope=columns_scope(office)),
                progress=(lambda n: progress(n, total)) if progress is not None else None,
            )
        except ImportRefused:
            raise
        except Exception as exc:  # a malformed sheet part openpyxl only meets while reading
            raise _unreadable(type(exc).__name__) from exc
        try:
            # Read and compared a chunk of rows at a time: the file is never held whole.
            changes = compare_task_list(
                parsed, sheets, office=office, year=effective, decisions=answers
            )
        except UnreadableSheet as exc:
            raise _unreadable(str(exc)) from exc.__cause__
    finally:
        wb.close()
    file_year = parsed.file_year()
    if file_year is not None and file_year != effective and answers.year is None:
        changes.errors.insert(
            0,
            CellError(
                _(
                    "The file speaks of %(file)s (its codes, title or dates), but it is being "
                    "imported into the %(chosen)s ledger: choose the year."
                )
                % {"file": file_year, "chosen": effective}
            ),
        )
    return TaskListCheck(parsed, changes, effective, year, file_year, answers)


def _unreadable(reason: str) -> ImportRefused:
    """A malformed sheet part openpyxl only meets while reading."""
    return ImportRefused(
        [CellError(_("The workbook could not be read (%(reason)s).") % {"reason": reason})]
    )


def task_list_import(
    *,
    data: bytes,
    file_name: str,
    office: Unit,
    year: int,
    by,
    decisions: dict | None = None,
    progress: Progress | None = None,
    applying: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Import the annual task list with plans and milestones into `office`'s ledger.

    Returns the counts written ({"created", "updated", "plans", "unchanged", …});
    raises ImportRefused with every error (and writes nothing) when anything is wrong.
    """
    check = task_list_check(
        data=data,
        file_name=file_name,
        office=office,
        year=year,
        by=by,
        decisions=decisions,
        progress=progress,
    )
    if check.errors:
        raise ImportRefused(check.errors)
    if applying is not None:
        applying()
    return _apply(check, office=office, by=by, file_name=file_name)


@transaction.atomic
def _apply(check: TaskListCheck, *, office: Unit, by, file_name: str) -> dict[str, int]:
    changes, year = check.changes, check.year
    errors: list[CellError] = []
    aliases = names_remember(changes, by=by, file_name=file_name)
    people_create_new(changes, office=office, by=by)
    created = tasks_create_from_changes(changes, office=office, year=year, by=by, errors=errors)
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
    drafts = _progress_drafts(check, office=office, year=year, by=by, errors=errors)
    if errors:
        raise ImportRefused(errors)  # rolls back every change made above
    columns = columns_remember(
        kind=TASK_LIST_JOB, scope=columns_scope(office), choices=_column_choices(check), by=by
    )
    counts = {
        "created": len(created),
        "updated": updated,
        "plans": plans,
        "unchanged": changes.unchanged,
        "skipped": len(check.parsed.skipped),
        "other_ledger": len(changes.other_ledger),
        "aliases": aliases,
        "drafts": drafts,
        "year": year,
    }
    if created or updated or plans or aliases or drafts:
        audit.record(
            actor=by,
            verb="import.task_list",
            obj=office,
            changes={name: [None, n] for name, n in counts.items()}
            | {"columns_remembered": [None, columns]},
            reason=file_name,
        )
    return counts


def names_remember(changes: ChangeSet, *, by, file_name: str) -> int:
    """The clerk's picks for unknown unit names become aliases of those units."""
    n = 0
    for text, unit in changes.aliases():
        orgs.unit_alias_add(by=by, unit=unit, alias=text, source=file_name)
        n += 1
    return n


def people_create_new(changes: ChangeSet, *, office: Unit, by) -> None:
    """Leaders the clerk added in the preview, recorded in the office's host unit; the
    rows naming them get the new person."""
    made: dict[NewPerson, Person] = {}
    host = office_host(office) or office
    for item in [*changes.creates, *changes.updates]:
        fields = item.fields if hasattr(item, "fields") else item.changes
        new = fields.get("responsible_leader")
        if isinstance(new, NewPerson):
            if new not in made:
                made[new] = orgs.person_create(by=by, name=new.name, title=new.title, unit=host)
            fields["responsible_leader"] = made[new]


def _column_choices(check: TaskListCheck) -> dict[str, str]:
    """The columns the clerk assigned by hand, by their header text, to remember."""
    choices: dict[str, str] = {}
    for table in check.parsed.tables:
        for index, name in check.decisions.columns.get(table.sheet, {}).items():
            text = table.header_cells.get(index, "")
            if text:
                choices[header_key(text)] = name
    return choices


def _progress_drafts(check: TaskListCheck, *, office: Unit, year: int, by, errors) -> int:
    """With the clerk's consent, each row's 进展情况 becomes a draft progress report of
    the open period containing the import (never over a report already written)."""
    if not check.decisions.offers.get("progress_drafts"):
        return 0
    period = open_period_today(office, year)
    if period is None:
        return 0
    n = 0
    codes = check.changes.progress_texts
    tasks = Task.objects.filter(office=office, year=year, code__in=list(codes))
    written = set(period.reports.filter(task__in=tasks).values_list("task_id", flat=True))
    for task in tasks:
        if task.pk in written or not permissions.can(by, "report", task):
            continue
        last = task.reports.filter(status="accepted").order_by("-period__start").first()
        try:
            ledger.report_save(
                task=task,
                period=period,
                by=by,
                done=codes[task.code],
                percent=last.percent if last is not None else 0,
            )
        except (ValidationError, ConflictError) as exc:
            errors.append(CellError(f"{task.code}: {exc}"))
        else:
            n += 1
    return n


def tasks_create_from_changes(changes: ChangeSet, *, office, year, by, errors) -> dict[str, Task]:
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


def _job_check(job: ImportJob, data: bytes, progress: Progress | None) -> TaskListCheck:
    office = Unit.objects.get(pk=job.params["office"])
    return task_list_check(
        data=data,
        file_name=job.file_name,
        office=office,
        year=int(job.params["year"]),
        by=job.created_by,
        decisions=job.decisions,
        progress=progress,
    )


def _check_task_list(job: ImportJob, data: bytes, progress: Progress) -> dict:
    check = _job_check(job, data, progress)
    return check.preview(Unit.objects.get(pk=job.params["office"]))


def _apply_task_list(job: ImportJob, data: bytes, progress: Progress, applying) -> dict[str, int]:
    office = Unit.objects.get(pk=job.params["office"])
    check = _job_check(job, data, progress)
    if check.errors:
        raise ReviewAgain(check.preview(office))
    applying()
    try:
        return _apply(check, office=office, by=job.created_by, file_name=job.file_name)
    except ImportRefused as exc:  # refused by a service: back to the clerk, with why
        check.changes.errors = exc.errors
        raise ReviewAgain(check.preview(office)) from exc


# --- progress reports ----------------------------------------------------------------


def progress_import(
    *,
    data: bytes,
    file_name: str,
    period: Period,
    by,
    progress: Progress | None = None,
    applying: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Import a period's progress reports; all or nothing, as the task list import."""
    check = progress_check(data=data, file_name=file_name, period=period, by=by, progress=progress)
    if check.errors:
        raise ImportRefused(check.errors)
    if applying is not None:
        applying()
    return _apply_reports(check, by=by, file_name=file_name)


def _row_error(row, message: str, name: str = "") -> CellError:
    return CellError(message, row.table.sheet, row.row, row.table.column(name) if name else "")


@transaction.atomic
def _apply_reports(check: ProgressCheck, *, by, file_name: str) -> dict[str, int]:
    saves, unchanged, period = check.saves, check.unchanged, check.period
    errors: list[CellError] = []
    for save in saves:
        try:
            ledger.report_save(
                task=save.task, period=period, by=by, reached=save.reached, **save.fields
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = name if name in {c.field for c in REPORT_COLUMNS} else ""
                errors += [_row_error(save.row, m, column) for m in messages]
        except (ConflictError, PermissionDenied) as exc:
            errors.append(_row_error(save.row, str(exc)))
    if errors:
        raise ImportRefused(errors)
    counts = {"saved": len(saves), "unchanged": unchanged}
    if saves:
        audit.record(
            actor=by,
            verb="import.progress_reports",
            obj=period,
            changes={name: [None, n] for name, n in counts.items()},
            reason=file_name,
        )
    return counts


def _job_period(job: ImportJob) -> Period:
    return Period.objects.select_related("office").get(pk=job.params["period"])


def _check_progress(job: ImportJob, data: bytes, progress: Progress) -> dict:
    check = progress_check(
        data=data,
        file_name=job.file_name,
        period=_job_period(job),
        by=job.created_by,
        progress=progress,
    )
    return progress_preview_of(check)


def _apply_progress(job: ImportJob, data: bytes, progress: Progress, applying) -> dict[str, int]:
    check = progress_check(
        data=data,
        file_name=job.file_name,
        period=_job_period(job),
        by=job.created_by,
        progress=progress,
    )
    if check.errors:
        raise ReviewAgain(progress_preview_of(check))
    applying()
    try:
        return _apply_reports(check, by=job.created_by, file_name=job.file_name)
    except ImportRefused as exc:
        check.errors = exc.errors
        raise ReviewAgain(progress_preview_of(check)) from exc


def job_kinds() -> list[JobKind]:
    """The ledger's imports, registered with the job machinery in LedgerConfig.ready."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from reformledger.ledger.services import work_points

    return [
        work_points.job_kind(),
        JobKind(
            key=TASK_LIST_JOB,
            label=gettext_lazy("Task list with plans"),
            check=_check_task_list,
            apply=_apply_task_list,
            refused=audit.import_refused,
            preview_template="ledger/import/_task_list_preview.html",
            result_template="ledger/_task_list_result.html",
            again_url=lambda job: reverse("ledger:task_list_import"),
        ),
        JobKind(
            key=PROGRESS_JOB,
            label=gettext_lazy("Progress reports"),
            check=_check_progress,
            apply=_apply_progress,
            refused=audit.import_refused,
            preview_template="ledger/import/_progress_preview.html",
            result_template="ledger/_reports_result.html",
            again_url=lambda job: reverse("ledger:reports_import"),
        ),
    ]
