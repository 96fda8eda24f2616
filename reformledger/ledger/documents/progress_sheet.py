"""Progress reports (进展报告) by Excel: a unit fills in one row per task for a period.

Two sheets: the reports, one row per task keyed by its code (what was done,
problems, next steps, percent complete), and the milestones of each task's
approved plan, where the unit writes the date each milestone was reached. The
template comes pre-filled with the unit's tasks, their milestones and whatever
draft it already wrote. An import is like the task list's: read as offices keep it
(title and note rows, subtotals skipped, dates as written), compared with the
reports already filed (`progress_check`: the same file twice writes nothing), then
written by `ledger.services.imports.progress_import` through `report_save` in one
transaction, refused whole on any error. A report already submitted or accepted is
not changed by a file.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reformledger.exchange import writing
from reformledger.exchange.dates import DateReading, read_deadline
from reformledger.exchange.errors import CellError, ImportRefused
from reformledger.exchange.parsing import (
    CellValueError,
    Column,
    Table,
    clean_code,
    clean_text,
    header_keys,
    parse_int,
    read_table,
)
from reformledger.exchange.rows import classify_row
from reformledger.exchange.xlsx_safety import check_xlsx, load_workbook
from reformledger.ledger import permissions
from reformledger.ledger.choices import PlanStatus, ReportStatus
from reformledger.ledger.models import Milestone, Period, ProgressReport, Task
from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import scopes_of, under_any

_CODE = ("任务编号", "项目编号", "编号")
REPORT_COLUMNS = [
    Column("task_code", gettext_lazy("Code"), _CODE, required=True, width=14),
    Column("title", gettext_lazy("Reform task"), ("改革任务", "任务名称"), width=36),
    Column(
        "done",
        gettext_lazy("Done in the period"),
        ("本期完成情况", "工作进展", "主要进展", "进展情况", "完成情况"),
        required=True,
        width=50,
    ),
    Column("problems", gettext_lazy("Problems"), ("存在问题", "困难问题", "问题"), width=30),
    Column("next_steps", gettext_lazy("Next steps"), ("下步计划", "下一步工作计划"), width=30),
    Column(
        "percent",
        gettext_lazy("Percent complete"),
        ("完成进度", "完成进度(%)", "完成比例", "进度(%)"),
        required=True,
        width=10,
    ),
]
REACHED_COLUMNS = [
    Column("task_code", gettext_lazy("Task code"), _CODE, required=True, width=14),
    Column(
        "order", gettext_lazy("Milestone no."), ("节点序号", "节点编号"), required=True, width=8
    ),
    Column("title", gettext_lazy("Milestone"), ("节点", "节点名称"), width=40),
    Column("planned_date", gettext_lazy("Planned date"), ("计划日期", "计划完成日期"), width=12),
    Column(
        "reached_on",
        gettext_lazy("Reached on"),
        ("完成日期", "实际完成日期", "达成日期"),
        required=True,
        width=12,
    ),
]
KINDS = {"reports": REPORT_COLUMNS, "reached": REACHED_COLUMNS}


def _approved_milestones(tasks: QuerySet[Task]) -> dict[int, list[Milestone]]:
    out: dict[int, list[Milestone]] = defaultdict(list)
    for m in (
        Milestone.objects.filter(
            plan__task__in=tasks.order_by().values("pk"), plan__status=PlanStatus.APPROVED
        )
        .select_related("plan")
        .order_by("plan__task_id", "order", "id")
    ):
        out[m.plan.task_id].append(m)
    return out


def report_tasks(user, period: Period) -> QuerySet[Task]:
    """The open tasks of the period's ledger that `user` may report on: all of the
    office's when on its staff, else those the user's unit leads (the "report" act)."""
    scopes = scopes_of(user)
    may_report = under_any("office", scopes.paths(*permissions.OFFICE)) | under_any(
        "lead_unit", scopes.paths(Role.UNIT_REPORTER)
    )
    return (
        permissions.visible_tasks(user)
        .filter(may_report, office=period.office, year=period.year)
        .open()
        .order_by("code")
    )


def may_import_reports(user) -> bool:
    return scopes_of(user).has(*permissions.OFFICE, Role.UNIT_REPORTER)


def write_report_sheet(tasks: QuerySet[Task], *, period: Period, title: str) -> bytes:
    """The report template of a period, pre-filled with the drafts already written."""
    wb = writing.new_workbook()
    ws = wb.create_sheet(str(_("Progress reports")))
    writing.set_widths(ws, [c.width for c in REPORT_COLUMNS])
    ws.merged_cells.add(f"A1:{chr(ord('A') + len(REPORT_COLUMNS) - 1)}1")
    ws.append([writing.cell(ws, title, style="title")])
    ws.append([writing.cell(ws, str(c.label), style="header") for c in REPORT_COLUMNS])
    rs = wb.create_sheet(str(_("Milestones reached")))
    writing.set_widths(rs, [c.width for c in REACHED_COLUMNS])
    rs.append([writing.cell(rs, str(c.label), style="header") for c in REACHED_COLUMNS])
    reports = {
        r.task_id: r
        for r in ProgressReport.objects.filter(
            period=period, task__in=tasks.order_by().values("pk")
        ).prefetch_related("reached")
    }
    milestones = _approved_milestones(tasks)
    for task in tasks:
        report = reports.get(task.pk)
        values = [
            task.code,
            task.title,
            report.done if report else "",
            report.problems if report else "",
            report.next_steps if report else "",
            report.percent if report else None,
        ]
        ws.append([writing.cell(ws, v, style="wrap") for v in values])
        reached = {r.milestone_id: r.reached_on for r in report.reached.all()} if report else {}
        for n, m in enumerate(milestones.get(task.pk, []), start=1):
            if m.reached_on and m.pk not in reached:
                continue  # reached in an earlier period; the number keeps its place
            row = [task.code, n, m.title, m.planned_date, reached.get(m.pk)]
            rs.append([writing.cell(rs, v, style="plain") for v in row])
    return writing.to_bytes(wb)


@dataclass
class _Row:
    table: Table
    row: int
    code: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProgressCheck:
    """A progress sheet read and compared with the reports filed: what the preview shows
    and what an import would write."""

    period: Period
    saves: list["_Save"] = field(default_factory=list)
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)
    skipped: list[tuple[str, int, str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    readings: list[tuple[str, int, DateReading]] = field(default_factory=list)


def _read(wb, progress, year: int, out: ProgressCheck) -> tuple[list[_Row], list[_Row]]:
    reports: list[_Row] = []
    reached: list[_Row] = []
    errors = out.errors
    parsers = {
        "reports": {
            "task_code": clean_code,
            "done": clean_text,
            "problems": clean_text,
            "next_steps": clean_text,
            "percent": parse_int,
        },
        "reached": {"task_code": clean_code, "order": parse_int},
    }
    for ws in wb.worksheets:
        found = read_table(ws, KINDS, progress=progress)
        if found is None:
            continue
        kind, table = found
        out.tables.append(table)
        keys = {k for text in table.header_cells.values() for k in header_keys(text)}
        missing = [c for c in KINDS[kind] if c.required and c.field not in table.columns]
        for col in missing:
            errors.append(
                CellError(
                    _("The column %(column)s is missing.") % {"column": str(col.label)},
                    sheet=table.sheet,
                )
            )
        if missing:
            continue
        for number, values in table.rows:
            row_kind = classify_row(values, header_keys=keys)
            if row_kind.kind != "data":
                if row_kind.kind != "blank":
                    out.skipped.append((table.sheet, number, row_kind.kind, row_kind.label))
                continue
            parsed: dict[str, Any] = {}
            for name, parse in parsers[kind].items():
                if name in table.columns:
                    try:
                        parsed[name] = parse(table.value(values, name))
                    except CellValueError as exc:
                        errors.append(CellError(str(exc), table.sheet, number, table.column(name)))
            if kind == "reached" and "reached_on" in table.columns:
                cell = table.value(values, "reached_on")
                if clean_text(cell):
                    try:
                        reading = read_deadline(cell, year=year)
                    except CellValueError as exc:
                        errors.append(
                            CellError(str(exc), table.sheet, number, table.column("reached_on"))
                        )
                    else:
                        parsed["reached_on"] = reading.date
                        out.readings.append((table.sheet, number, reading))
            row = _Row(table, number, parsed.get("task_code", ""), parsed)
            (reports if kind == "reports" else reached).append(row)
    if not reports and not reached and not errors:
        errors.append(
            CellError(_("No sheet has the progress report's headers; download the template."))
        )
    return reports, reached


def _err(row: _Row, message: str, name: str = "") -> CellError:
    return CellError(message, row.table.sheet, row.row, row.table.column(name) if name else "")


@dataclass
class _Save:
    row: _Row
    task: Task
    fields: dict[str, Any]
    reached: list[tuple[Milestone, dt.date]]


def progress_check(
    *,
    data: bytes,
    file_name: str,
    period: Period,
    by,
    progress: Callable[[int, int], None] | None = None,
) -> ProgressCheck:
    """Read a period's progress sheet and compare it with the reports filed, writing
    nothing; ImportRefused only when the file cannot be read or the period is closed."""
    check_xlsx(data, file_name)
    if period.is_frozen:
        raise ImportRefused(
            [CellError(_("The period %(period)s is closed.") % {"period": period.label})]
        )
    out = ProgressCheck(period)
    errors = out.errors
    wb = load_workbook(data)
    try:
        rows, reached_rows = _read(
            wb, (lambda n: progress(n, 0)) if progress else None, period.year, out
        )
    finally:
        wb.close()
    mine = report_tasks(by, period)
    tasks = {t.code: t for t in mine.select_related("office", "lead_unit")}
    existing = {
        r.task_id: r
        for r in ProgressReport.objects.filter(
            period=period, task__in=mine.order_by().values("pk")
        ).prefetch_related("reached")
    }
    milestones = _approved_milestones(mine)
    reached_by_code: dict[str, list[_Row]] = defaultdict(list)
    for r in reached_rows:
        if r.code and r.values.get("reached_on"):
            reached_by_code[r.code].append(r)
    saves: list[_Save] = []
    unchanged = 0
    seen: dict[str, _Row] = {}
    for row in rows:
        v = row.values
        if not row.code or not (v.get("done") or v.get("percent") is not None):
            continue  # a template row left blank: nothing reported on this task
        if row.code in seen:
            errors.append(
                _err(
                    row,
                    _("The code %(code)s is already on row %(row)s.")
                    % {"code": row.code, "row": seen[row.code].row},
                    "task_code",
                )
            )
            continue
        seen[row.code] = row
        task = tasks.get(row.code)
        if task is None:
            errors.append(
                _err(
                    row,
                    _("You may not report on %(code)s, or it is not an open task of this ledger.")
                    % {"code": row.code},
                    "task_code",
                )
            )
            continue
        if not v.get("done"):
            errors.append(_err(row, _("This cell is required."), "done"))
        if v.get("percent") is None:
            errors.append(_err(row, _("This cell is required."), "percent"))
            continue
        plan = milestones.get(task.pk, [])
        reached: list[tuple[Milestone, dt.date]] = []
        for r in reached_by_code.pop(row.code, []):
            n = r.values.get("order")
            if n is None or not 1 <= n <= len(plan):
                errors.append(
                    _err(
                        r,
                        _("Task %(code)s has no milestone %(n)s in its approved plan.")
                        % {"code": row.code, "n": n},
                        "order",
                    )
                )
                continue
            reached.append((plan[n - 1], r.values["reached_on"]))
        report = existing.get(task.pk)
        fields = {
            "done": v.get("done") or "",
            "problems": v.get("problems", report.problems if report else "") or "",
            "next_steps": v.get("next_steps", report.next_steps if report else "") or "",
            "percent": v["percent"],
        }
        if report is not None and _same(report, fields, reached):
            unchanged += 1
            continue
        if report is not None and report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            errors.append(
                _err(
                    row,
                    _("The report on %(code)s is already %(status)s; it is not changed by import.")
                    % {"code": row.code, "status": report.get_status_display()},
                )
            )
            continue
        saves.append(_Save(row, task, fields, reached))
    for code, leftover in reached_by_code.items():
        for r in leftover:
            errors.append(
                _err(
                    r,
                    _("Task %(code)s has no report row in this file.") % {"code": code},
                    "task_code",
                )
            )
    out.saves, out.unchanged = saves, unchanged
    return out


def _same(report: ProgressReport, fields: dict[str, Any], reached) -> bool:
    now = {(r.milestone_id, r.reached_on) for r in report.reached.all()}
    return all(getattr(report, k) == v for k, v in fields.items()) and now == {
        (m.pk, on) for m, on in reached
    }
