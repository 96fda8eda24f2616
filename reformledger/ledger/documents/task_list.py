"""The annual task list (项目清单) with plans and milestones, as a workbook.

Two sheets: the tasks, one row per task keyed by its code, and the milestones,
one row per milestone keyed by task code and milestone number. The same layout is
the blank template, the export, and what the import reads; the import also
accepts the official ledger (`ledger_export`) and sheets laid out by hand, as long
as their headers name the columns (see `parsing`).

`read_task_list` turns a workbook into checked rows and `plan_changes` compares
them with the ledger, so the import (`services.task_list_import`) knows exactly
which fields of which tasks change before it writes anything.
"""

from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reformledger.exchange import writing
from reformledger.exchange.docx_layout import place_of
from reformledger.exchange.parsing import (
    Column,
)
from reformledger.exchange.writing import yes_no
from reformledger.ledger.choices import PlanStatus
from reformledger.ledger.models import Milestone, Plan, Task
from reformledger.orgs.models import Unit

TASK_COLUMNS = [
    Column("no", gettext_lazy("No."), ("序号", "顺序号"), width=6),
    Column(
        "code",
        gettext_lazy("Code"),
        ("任务编号", "项目编号", "编号", "任务代码", "代码", "事项编号"),
        width=14,
    ),
    Column(
        "title",
        gettext_lazy("Reform task"),
        (
            "改革任务",
            "任务名称",
            "项目名称",
            "改革项目",
            "改革任务名称",
            "改革事项",
            "工作任务",
            "重点任务",
            "任务内容",
            "工作内容",
            "名称",
            "title",
        ),
        required=True,
        width=40,
    ),
    Column("area", gettext_lazy("Reform area"), ("改革领域", "领域", "所属领域"), width=14),
    Column(
        "lead_unit",
        gettext_lazy("Lead unit"),
        ("牵头单位", "牵头部门", "责任单位", "主责单位", "牵头责任单位", "牵头单位（部门）"),
        required=True,
        width=18,
    ),
    Column(
        "helping_units",
        gettext_lazy("Helping units"),
        ("配合单位", "配合部门", "参与单位", "协办单位", "协同单位"),
        width=24,
    ),
    Column(
        "responsible_leader",
        gettext_lazy("Responsible leader"),
        ("责任领导", "分管领导", "牵头领导", "联系领导", "挂钩领导", "市领导"),
        width=12,
    ),
    Column(
        "is_key",
        gettext_lazy("Key task"),
        ("重点项目", "重点改革项目", "是否重点", "是否重点项目", "是否重点任务"),
        width=8,
    ),
    Column("source", gettext_lazy("Source"), ("任务来源", "来源"), width=12),
    Column("deliverable_kind", gettext_lazy("Deliverable"), ("成果形式", "预期成果形式"), width=12),
    Column(
        "start_date", gettext_lazy("Start date"), ("开始日期", "开始时间", "启动时间"), width=12
    ),
    Column(
        "deadline",
        gettext_lazy("Deadline"),
        (
            "完成时限",
            "完成时间",
            "截止日期",
            "完成期限",
            "时间节点",
            "时限要求",
            "完成时限要求",
            "办结时限",
        ),
        width=12,
    ),
    Column(
        "system", gettext_lazy("Reform system"), ("体系化改革", "改革体系", "所属体系"), width=16
    ),
    Column("parent", gettext_lazy("Parent task"), ("上级任务", "上级任务编号"), width=12),
    Column(
        "description",
        gettext_lazy("Description"),
        ("任务说明", "任务描述", "主要内容", "改革内容", "具体内容", "工作措施"),
        width=40,
    ),
    Column(
        "plan_summary",
        gettext_lazy("Plan approach"),
        ("施工方案", "工作思路", "实施路径"),
        width=30,
    ),
    # The version of the task the row was exported at (a hidden column): a row whose
    # task changed since is a conflict the import names, never a silent overwrite.
    Column("version", gettext_lazy("Version (do not edit)"), ("版本", "版本号"), width=6),
    # Read and offered a home of their own in the preview, never written into a task.
    Column(
        "progress_text",
        gettext_lazy("Progress so far"),
        (
            "进展情况",
            "工作进展",
            "进展",
            "推进情况",
            "完成情况",
            "工作进展情况",
            "进展情况及下步打算",
        ),
        width=30,
    ),
    Column("ledger", gettext_lazy("Ledger"), ("所属台账", "台账", "所属改革办"), width=14),
    # Written on export, never imported: they change through their own acts.
    Column("status", gettext_lazy("Status"), ("状态", "进展状态"), width=10),
    Column("rating", gettext_lazy("Rating"), ("评价", "评价等级", "评级", "等级"), width=8),
]
TASK_EXPORT_ONLY = {"no", "status", "rating", "progress_text", "ledger"}

MILESTONE_COLUMNS = [
    Column(
        "task_code", gettext_lazy("Task code"), ("任务编号", "项目编号"), required=True, width=14
    ),
    Column("order", gettext_lazy("Milestone no."), ("节点序号", "节点编号"), width=8),
    Column(
        "title",
        gettext_lazy("Milestone"),
        ("节点", "节点名称", "节点内容", "工作节点"),
        required=True,
        width=40,
    ),
    Column(
        "planned_date",
        gettext_lazy("Planned date"),
        ("计划日期", "计划完成日期", "计划完成时间"),
        required=True,
        width=12,
    ),
    Column(
        "weight", gettext_lazy("Weight (%)"), ("权重", "权重(%)", "weight"), required=True, width=8
    ),
    Column("is_key", gettext_lazy("Key milestone"), ("关键节点", "是否关键节点"), width=8),
    Column("responsible", gettext_lazy("Responsible person"), ("责任人",), width=12),
    Column(
        "expected_evidence",
        gettext_lazy("Expected evidence"),
        ("佐证材料", "预期佐证材料"),
        width=30,
    ),
    Column("reached_on", gettext_lazy("Reached on"), ("完成日期", "实际完成日期"), width=12),
]
MILESTONE_EXPORT_ONLY = {"reached_on"}

KINDS = {"tasks": TASK_COLUMNS, "milestones": MILESTONE_COLUMNS}


# --- writing ----------------------------------------------------------------------


def list_title(office: Unit, year: int) -> str:
    place = place_of(office)
    return _("%(place)s %(year)s annual reform task list") % {"place": place, "year": year}


_IN_FORCE = [PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.REJECTED, PlanStatus.APPROVED]


def _current_plans(tasks: QuerySet[Task]) -> dict[int, tuple[int, str]]:
    """Each task's plan in force for the list, as (plan id, summary): the revision being
    written, else the approved one (the one an import is compared with)."""
    current: dict[int, tuple[int, str, str]] = {}
    for task_id, plan_id, status, summary in Plan.objects.filter(
        task__in=tasks.order_by().values("pk"), status__in=_IN_FORCE
    ).values_list("task_id", "id", "status", "summary"):
        if task_id not in current or status != PlanStatus.APPROVED:
            current[task_id] = (plan_id, summary, status)
    return {task_id: (plan_id, summary) for task_id, (plan_id, summary, _s) in current.items()}


def _milestone_rows(tasks: QuerySet[Task], plan_ids: set[int]):
    """Milestone rows of the plans in force, by task code and number, streamed."""
    rows = (
        Milestone.objects.filter(
            plan__task__in=tasks.order_by().values("pk"), plan__status__in=_IN_FORCE
        )
        .order_by("plan__task__code", "plan__task_id", "order", "id")
        .values_list(
            "plan_id",
            "plan__task__code",
            "title",
            "planned_date",
            "weight",
            "is_key",
            "responsible",
            "expected_evidence",
        )
    )
    number, last_plan = 0, None
    yes, no = yes_no(True), yes_no(False)
    for plan_id, code, *values in rows.iterator(chunk_size=5000):
        if plan_id not in plan_ids:
            continue
        number = number + 1 if plan_id == last_plan else 1
        last_plan = plan_id
        title, planned, weight, is_key, responsible, evidence = values
        yield [code, number, title, planned, weight, yes if is_key else no, responsible, evidence]


def shared_unit_names() -> set[str]:
    """Names more than one unit bears (e.g. two 财政局 in different places): written with
    the unit's code, "财政局（HZ-CZJ）", so that the file reads back unambiguously."""
    return set(
        Unit.objects.order_by()
        .values("name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )


def unit_text(name: str, code: str, shared: set[str]) -> str:
    return f"{name}（{code}）" if name in shared else name


def helping_names(tasks: QuerySet[Task], shared: set[str]) -> dict[int, list[str]]:
    """The names of each task's helping units, in one query (no IN list of ids)."""
    through = Task.helping_units.through
    names: dict[int, list[str]] = defaultdict(list)
    for task_id, name, code in (
        through.objects.filter(task__in=tasks.order_by().values("pk"))
        .order_by("task_id", "unit__path")
        .values_list("task_id", "unit__name", "unit__code")
    ):
        names[task_id].append(unit_text(name, code, shared))
    return names


def write_task_list(
    tasks: QuerySet[Task] | None, *, office: Unit, year: int, template: bool = False
) -> bytes:
    """The task list workbook: tasks, milestones and a sheet of instructions."""
    wb = writing.new_workbook()
    title = list_title(office, year)
    task_cols = [c for c in TASK_COLUMNS if c.field not in TASK_EXPORT_ONLY]
    ms_cols = [c for c in MILESTONE_COLUMNS if c.field not in MILESTONE_EXPORT_ONLY]
    ws = wb.create_sheet(str(_("Task list")))
    writing.set_widths(ws, [c.width for c in task_cols])
    ws.column_dimensions[_letter(len(task_cols))].hidden = True  # the version column
    ws.merged_cells.add(f"A1:{_letter(len(task_cols))}1")
    ws.append([writing.cell(ws, title, style="title")])
    ws.append([writing.cell(ws, str(c.label), style="header") for c in task_cols])
    ws.freeze_panes = "C3"
    ms = wb.create_sheet(str(_("Milestones")))
    writing.set_widths(ms, [c.width for c in ms_cols])
    ms.append([writing.cell(ms, str(c.label), style="header") for c in ms_cols])
    ms.freeze_panes = "A2"
    if tasks is not None and not template:
        tasks = tasks.select_related(
            "area", "system", "lead_unit", "responsible_leader", "parent"
        ).order_by("code")
        plans = _current_plans(tasks)
        shared = shared_unit_names()
        helping = helping_names(tasks, shared)
        widths = [c.width for c in task_cols]
        for row, task in enumerate(tasks.iterator(chunk_size=2000), start=3):
            plan = plans.get(task.pk)
            values = _task_values(task, helping.get(task.pk, []), plan, shared)
            writing.fit_row(ws, row, values, widths)
            ws.append([writing.cell(ws, v, style="wrap") for v in values])
        plan_ids = {plan_id for plan_id, _summary in plans.values()}
        for values in _milestone_rows(tasks, plan_ids):
            ms.append(writing.plain_row(ms, values))
    notes = wb.create_sheet(str(_("Instructions")))
    notes.column_dimensions["A"].width = 110
    for line in instructions():
        notes.append([writing.cell(notes, line)])
    return writing.to_bytes(wb)


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _task_values(
    task: Task, helping: list[str], plan: tuple[int, str] | None, shared: set[str]
) -> list[Any]:
    return [
        task.code,
        task.title,
        task.area.name,
        unit_text(task.lead_unit.name, task.lead_unit.code, shared),
        "、".join(helping),
        task.responsible_leader.name if task.responsible_leader else "",
        yes_no(task.is_key),
        task.get_source_display(),
        task.get_deliverable_kind_display(),
        task.start_date,
        task.deadline,
        task.system.name if task.system else "",
        task.parent.code if task.parent else "",
        task.description,
        plan[1] if plan else "",
        task.version,
    ]


def instructions() -> list[str]:
    return [
        str(_("How to fill in the task list")),
        str(_("One row per task on the Task list sheet; the code identifies the task.")),
        str(
            _(
                "Units: the unit's code or its exact name; several helping units are "
                "separated by 、 or commas."
            )
        ),
        str(_("Reform area and reform system: the code or the name.")),
        str(
            _(
                "Dates: 2016年6月30日, 2016/6/30, 2016-06-30 or an Excel date; a month "
                "(2016年10月, 2016.10) or 年底前, 上半年, 三季度末 mean the period's last day."
            )
        ),
        str(_("Key task and key milestone: 是 or 否.")),
        str(
            _(
                "Milestones: one row per milestone on the Milestones sheet, keyed by task "
                "code and milestone number; the weights of a task add up to 100."
            )
        ),
        str(
            _(
                "Importing the same file again changes nothing. A file with any error is "
                "refused whole, and every error is listed by sheet, row and column."
            )
        ),
        str(_("An approved plan is not changed by import: start a revision of it in the system.")),
    ]
