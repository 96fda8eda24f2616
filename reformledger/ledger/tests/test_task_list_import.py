"""Importing the annual task list: matched on task codes, only changed fields written,
all-or-nothing, every error named by sheet, row and column."""

import datetime as dt

import pytest
from django.utils.translation import gettext as _
from django.utils.translation import override

from reformledger.audit.models import AuditRecord
from reformledger.exchange.errors import ImportRefused
from reformledger.exchange.testing import edit_xlsx, workbook
from reformledger.ledger import services as ledger
from reformledger.ledger.choices import PlanStatus
from reformledger.ledger.documents import task_list
from reformledger.ledger.models import Milestone, Plan, Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.ledger.services import imports as services
from reformledger.ledger.tests.conftest import ledger_state
from reformledger.ledger.validation import MilestoneRow

YEAR = 2016


def export(office, user, year=YEAR) -> bytes:
    tasks = visible_tasks(user).filter(office=office, year=year)
    return task_list.write_task_list(tasks, office=office, year=year)


def run_import(data: bytes, office, user, year=YEAR, name="task-list.xlsx"):
    return services.task_list_import(data=data, file_name=name, office=office, year=year, by=user)


def refused(data: bytes, office, user, year=YEAR, name="task-list.xlsx") -> list:
    with override("en"), pytest.raises(ImportRefused) as caught:
        run_import(data, office, user, year, name)
    return caught.value.errors


def task_row(ws, code: str) -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, 1).value == code:
            return row
    raise AssertionError(f"{code} not on {ws.title}")


def header_col(ws, text_options: set[str], header_row: int) -> int:
    for col in range(1, ws.max_column + 1):
        if ws.cell(header_row, col).value in text_options:
            return col
    raise AssertionError(f"no column {text_options}")


TITLE, DEADLINE, HELPING = (
    {"Reform task", "改革任务"},
    {"Deadline", "完成时限"},
    {
        "Helping units",
        "配合单位",
    },
)


@pytest.fixture
def draft_plan(world, office_staff):
    """2016-002 gets a draft plan (not yet submitted)."""
    return ledger.plan_save(
        task=world.task_helped,
        by=office_staff,
        summary="分步推进",
        milestones=[
            MilestoneRow(title="调研", planned_date=dt.date(YEAR, 3, 31), weight=30),
            MilestoneRow(
                title="出台方案", planned_date=dt.date(YEAR, 9, 30), weight=70, responsible="王五"
            ),
        ],
    )


def test_exported_task_list_imports_back_without_changing_anything(world, office_staff, draft_plan):
    data = export(world.office, office_staff)
    before = ledger_state()

    counts = run_import(data, world.office, office_staff)

    assert {k: counts[k] for k in ("created", "updated", "plans", "unchanged")} == {
        "created": 0,
        "updated": 0,
        "plans": 0,
        "unchanged": 4,
    }
    assert ledger_state() == before  # same rows, and no audit record added


def test_three_edited_cells_change_exactly_those_three_fields_each_audited(
    world, office_staff, draft_plan
):
    def edit(wb):
        ws = wb.worksheets[0]
        header = 2
        ws.cell(
            task_row(ws, "2016-002"), header_col(ws, TITLE, header)
        ).value = "投融资体制改革（深化）"
        ws.cell(task_row(ws, "2016-003"), header_col(ws, DEADLINE, header)).value = "2016年11月30日"
        ws.cell(task_row(ws, "2016-004"), header_col(ws, HELPING, header)).value = "HZ-FGJ"

    data = edit_xlsx(export(world.office, office_staff), edit)
    before = ledger_state()
    last_audit = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()

    counts = run_import(data, world.office, office_staff)

    assert counts["updated"] == 3 and counts["created"] == 0 and counts["plans"] == 0
    after = {t.code: t for t in Task.objects.filter(office=world.office)}
    assert after["2016-002"].title == "投融资体制改革（深化）"
    assert after["2016-003"].deadline == dt.date(YEAR, 11, 30)
    assert [u.code for u in after["2016-004"].helping_units.all()] == ["HZ-FGJ"]
    assert after["2016-001"].version == world.task_huiyang.version  # untouched
    updates = AuditRecord.objects.filter(id__gt=last_audit, verb="task.updated")
    assert sorted((r.obj_repr.split()[0], list(r.changes)) for r in updates) == [
        ("2016-002", ["title"]),
        ("2016-003", ["deadline"]),
        ("2016-004", ["helping_units"]),
    ]
    deadline = next(r for r in updates if "deadline" in r.changes)
    assert deadline.changes["deadline"] == ["2016-12-31", "2016-11-30"]
    assert ledger_state()["tasks"] == before["tasks"]
    # The import itself is on record once.
    assert AuditRecord.objects.filter(id__gt=last_audit, verb="import.task_list").count() == 1

    # The same file again: nothing left to change, nothing written.
    again = ledger_state()
    assert run_import(data, world.office, office_staff)["updated"] == 0
    assert ledger_state() == again


def test_new_codes_are_created_with_their_plans(world, office_staff):
    data = workbook(
        {
            "任务": [
                ["惠州市2016年改革项目清单"],
                [
                    "任务编号",
                    "改革任务",
                    "改革领域",
                    "牵头单位",
                    "配合单位",
                    "重点项目",
                    "成果形式",
                    "开始日期",
                    "完成时限",
                ],
                [
                    "2016-010",
                    "商事制度改革",
                    "经济体制改革",
                    "惠阳区",
                    "博罗县、HZ-FGJ",
                    "是",
                    "工作机制",
                    "2016-02-01",
                    "2016-10-31",
                ],
            ],
            "节点": [
                ["任务编号", "节点序号", "节点名称", "计划日期", "权重", "关键节点"],
                ["2016-010", 1, "方案出台", "2016-05-31", 40, "否"],
                ["2016-010", 2, "全面推开", "2016-10-15", 60, "是"],
            ],
        }
    )

    counts = run_import(data, world.office, office_staff)

    assert counts["created"] == 1 and counts["plans"] == 1
    task = Task.objects.get(office=world.office, year=YEAR, code="2016-010")
    assert task.lead_unit == world.huiyang and task.is_key
    assert task.deliverable_kind == "mechanism"
    assert {u.code for u in task.helping_units.all()} == {"HZ-BL", "HZ-FGJ"}
    plan = task.plans.get()
    assert plan.status == PlanStatus.DRAFT
    # No 责任人 or 佐证材料 column, and no plan before: those are blank.
    assert [
        (m.title, m.weight, m.is_key, m.responsible, m.expected_evidence)
        for m in plan.milestones.order_by("order")
    ] == [("方案出台", 40, False, "", ""), ("全面推开", 60, True, "", "")]
    assert AuditRecord.objects.filter(verb="task.created", obj_id=str(task.pk)).exists()
    assert AuditRecord.objects.filter(verb="plan.created", ctx_id=str(task.pk)).exists()


def test_a_row_left_without_a_code_gets_the_first_free_one_even_after_coded_rows(
    world, office_staff
):
    """A file with a code column where a clerk left one code blank (no 序号 either), in
    a year whose ledger is empty: that row is given the year's first number, whatever
    rows with codes come before it."""
    header = ["任务编号", "改革任务", "牵头单位"]
    data = workbook(
        {"任务": [header, ["2017-007", "商事制度改革", "惠阳区"], ["", "放管服改革", "博罗县"]]}
    )

    counts = run_import(data, world.office, office_staff, year=2017)

    assert counts["created"] == 2
    codes = dict(Task.objects.filter(year=2017).values_list("title", "code"))
    assert codes == {"商事制度改革": "2017-007", "放管服改革": "2017-001"}


def test_a_changed_draft_plan_is_saved_again(world, office_staff, draft_plan):
    def edit(wb):
        ms = wb.worksheets[1]
        row = next(r for r in range(2, ms.max_row + 1) if ms.cell(r, 3).value == "调研")
        ms.cell(row, 3).value = "深入调研"

    counts = run_import(
        edit_xlsx(export(world.office, office_staff), edit), world.office, office_staff
    )

    assert counts["plans"] == 1 and counts["updated"] == 0
    plan = Plan.objects.get(pk=draft_plan.pk)
    assert [m.title for m in plan.milestones.order_by("order")] == ["深入调研", "出台方案"]
    # Columns not edited keep their values (the responsible person of milestone 2).
    assert plan.milestones.get(order=1).responsible == "王五"
    assert AuditRecord.objects.filter(verb="plan.edited", obj_id=str(plan.pk)).count() == 1


@pytest.fixture
def keyed_plan(world, office_staff):
    """2016-003 gets a draft plan whose second milestone is key, with a responsible
    person and the evidence expected."""
    return ledger.plan_save(
        task=world.task_boluo,
        by=office_staff,
        summary="",
        milestones=[
            MilestoneRow(title="摸底", planned_date=dt.date(YEAR, 4, 30), weight=40),
            MilestoneRow(
                title="出台办法",
                planned_date=dt.date(YEAR, 10, 31),
                weight=60,
                is_key=True,
                responsible="赵六",
                expected_evidence="印发文件",
            ),
        ],
    )


def _milestone_of(ws, title: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == title)


def test_a_milestones_sheet_without_the_optional_columns_keeps_their_values(
    world, office_staff, keyed_plan
):
    """No 关键节点, 责任人 or 佐证材料 column at all: the plan is rewritten with the
    values the ledger holds for them, not with blanks."""

    def edit(wb):
        ms = wb.worksheets[1]
        ms.cell(_milestone_of(ms, "摸底"), 3).value = "全面摸底"
        ms.delete_cols(6, 3)

    counts = run_import(
        edit_xlsx(export(world.office, office_staff), edit), world.office, office_staff
    )

    assert counts["plans"] == 1
    plan = Plan.objects.get(pk=keyed_plan.pk)
    assert [
        (m.title, m.is_key, m.responsible, m.expected_evidence)
        for m in plan.milestones.order_by("order")
    ] == [("全面摸底", False, "", ""), ("出台办法", True, "赵六", "印发文件")]


def test_blank_optional_cells_clear_those_values_of_the_milestone(world, office_staff, keyed_plan):
    """The columns are there and the clerk emptied the cells: not key, no one
    responsible, no evidence named (a blank is the clerk's answer, not "keep")."""

    def edit(wb):
        ms = wb.worksheets[1]
        row = _milestone_of(ms, "出台办法")
        for col in (6, 7, 8):
            ms.cell(row, col).value = None

    counts = run_import(
        edit_xlsx(export(world.office, office_staff), edit), world.office, office_staff
    )

    assert counts["plans"] == 1
    second = Plan.objects.get(pk=keyed_plan.pk).milestones.get(title="出台办法")
    assert (second.is_key, second.responsible, second.expected_evidence) == (False, "", "")


def test_an_approved_plan_whose_milestones_differ_is_an_error_naming_the_row(world, office_staff):
    def edit(wb):
        ms = wb.worksheets[1]
        row = next(r for r in range(2, ms.max_row + 1) if ms.cell(r, 3).value == "出台考核方案")
        ms.cell(row, 5).value = 50
        ms.cell(row + 1, 5).value = 50

    before = ledger_state()
    errors = refused(
        edit_xlsx(export(world.office, office_staff), edit), world.office, office_staff
    )

    assert len(errors) == 1
    assert errors[0].sheet == str(_("Milestones")) and errors[0].row == 2
    assert "approved" in errors[0].message and "revise it in the system" in errors[0].message
    assert ledger_state() == before


def test_an_error_anywhere_writes_nothing_at_all(world, office_staff):
    def edit(wb):
        ws = wb.worksheets[0]
        header = 2
        ws.cell(task_row(ws, "2016-002"), header_col(ws, TITLE, header)).value = "改了标题"
        # The deadline before the start: refused by the service, after 2016-002 was changed.
        ws.cell(task_row(ws, "2016-004"), header_col(ws, DEADLINE, header)).value = "2015-12-01"

    before = ledger_state()
    errors = refused(
        edit_xlsx(export(world.office, office_staff), edit), world.office, office_staff
    )

    deadline = str(_("Deadline"))  # the export's header, in the language it was written in
    assert [(e.sheet, e.row, e.column) for e in errors] == [
        (str(_("Task list")), 6, f"{deadline} (K)")
    ]
    assert "before the start date" in errors[0].message
    assert ledger_state() == before
    assert Task.objects.get(code="2016-002").title == "投融资体制改革"


def test_a_real_government_sheet_with_its_quirks_imports(world, office_staff):
    """Title row, headers merged over two rows, Chinese headers with spaces and
    full-width brackets, every date style, full-width digits, stray spaces, blank rows."""
    rows = [
        ["惠州市2016年全面深化改革项目清单（台账）"],
        [],
        [
            "序号",
            "任务 编号",
            "改革任务",
            "改革领域",
            "责任单位",
            None,
            "是否重点项目",
            "成果形式",
            "时间安排",
            None,
            "备注",
        ],
        [
            None,
            None,
            None,
            None,
            "牵头单位",
            "配合单位",
            None,
            None,
            "开始日期",
            "完成时限（年月日）",
            None,
        ],
        [
            1,
            "２０１６-０２１",
            "  户籍制度改革 ",
            "society",
            " 惠阳区 ",
            "博罗县，市发展改革局",
            "是",
            "政策文件",
            "2016年1月5日",
            "2016年6月30日",
            "x",
        ],
        [],
        [
            2,
            "2016-022",
            "医疗卫生体制改革",
            "社会体制改革",
            "HZ-BL",
            None,
            "否",
            "平台",
            "2016/2/1",
            "2016.9.30",
            None,
        ],
        [
            3,
            "2016-023",
            "教育体制改革",
            "经济体制改革",
            "博罗县",
            "",
            "否",
            "报告",
            dt.datetime(2016, 3, 1),
            42735,
            None,
        ],
        [
            4,
            "2016-024",
            "文化体制改革",
            "经济体制改革",
            "博罗县",
            "",
            "否",
            "报告",
            "2016-03-01",
            "２０１６年１２月３１日",
            None,
        ],
        [None, "   ", None],
    ]
    data = workbook(
        {"清单": rows},
        merges={
            "清单": [
                "A1:K1",
                "A3:A4",
                "B3:B4",
                "C3:C4",
                "D3:D4",
                "E3:F3",
                "G3:G4",
                "H3:H4",
                "I3:J3",
                "K3:K4",
            ]
        },
    )

    counts = run_import(data, world.office, office_staff)

    assert counts["created"] == 4
    tasks = {t.code: t for t in Task.objects.filter(code__startswith="2016-02")}
    assert set(tasks) == {"2016-021", "2016-022", "2016-023", "2016-024"}
    first = tasks["2016-021"]
    assert first.title == "户籍制度改革" and first.lead_unit == world.huiyang and first.is_key
    assert first.area == world.society
    assert {u.code for u in first.helping_units.all()} == {"HZ-BL", "HZ-FGJ"}
    assert (first.start_date, first.deadline) == (dt.date(2016, 1, 5), dt.date(2016, 6, 30))
    assert (tasks["2016-022"].start_date, tasks["2016-022"].deadline) == (
        dt.date(2016, 2, 1),
        dt.date(2016, 9, 30),
    )
    assert (tasks["2016-023"].start_date, tasks["2016-023"].deadline) == (
        dt.date(2016, 3, 1),
        dt.date(2016, 12, 31),
    )
    assert tasks["2016-024"].deadline == dt.date(2016, 12, 31)
    assert tasks["2016-022"].deliverable_kind == "platform"


# --- the corpus of bad files: each refused with its place named, nothing written -------


def _tasks_sheet(*rows, header=None):
    header = header or [
        "任务编号",
        "改革任务",
        "改革领域",
        "牵头单位",
        "成果形式",
        "开始日期",
        "完成时限",
    ]
    return workbook({"任务": [header, *rows]})


def test_missing_columns_are_named(world, office_staff):
    # A task needs its title and its lead unit; other columns take defaults.
    data = workbook(
        {"任务": [["任务编号", "改革任务", "改革领域"], ["2016-030", "某改革", "经济体制改革"]]}
    )
    before = ledger_state()

    errors = refused(data, world.office, office_staff)

    assert {e.sheet for e in errors} == {"任务"}
    assert [e.message for e in errors] == ["The column Lead unit is missing."]
    assert ledger_state() == before


def test_bad_dates_are_named_by_row_and_column(world, office_staff):
    data = _tasks_sheet(
        ["2016-031", "甲改革", "经济体制改革", "惠阳区", "政策文件", "2016-01-01", "2016年13月1日"],
        ["2016-032", "乙改革", "经济体制改革", "惠阳区", "政策文件", "明年", "2016-12-31"],
    )
    before = ledger_state()

    errors = refused(data, world.office, office_staff)

    assert [(e.sheet, e.row, e.column) for e in errors] == [
        ("任务", 2, "完成时限 (G)"),
        ("任务", 3, "开始日期 (F)"),
    ]
    assert "2016年13月1日" in errors[0].message and "明年" in errors[1].message
    assert ledger_state() == before


def test_unknown_units_are_named(world, office_staff):
    data = _tasks_sheet(
        ["2016-033", "丙改革", "经济体制改革", "火星区", "政策文件", "2016-01-01", "2016-12-31"],
        header=["任务编号", "改革任务", "改革领域", "牵头单位", "成果形式", "开始日期", "完成时限"],
    )
    before = ledger_state()

    errors = refused(data, world.office, office_staff)

    assert [(e.sheet, e.row, e.column) for e in errors] == [("任务", 2, "牵头单位 (D)")]
    assert "火星区" in errors[0].message
    assert ledger_state() == before


def test_duplicate_codes_are_named(world, office_staff):
    row = ["2016-034", "丁改革", "经济体制改革", "惠阳区", "政策文件", "2016-01-01", "2016-12-31"]
    data = _tasks_sheet(row, row)
    before = ledger_state()

    errors = refused(data, world.office, office_staff)

    assert [(e.sheet, e.row, e.column) for e in errors] == [("任务", 3, "任务编号 (A)")]
    assert "row 2" in errors[0].message
    assert ledger_state() == before


def test_milestones_of_an_unknown_task_and_repeated_numbers_are_named(world, office_staff):
    data = workbook(
        {
            "节点": [
                ["任务编号", "节点序号", "节点名称", "计划日期", "权重"],
                ["2099-001", 1, "某节点", "2016-06-30", 100],
                ["2016-003", 1, "甲", "2016-06-30", 50],
                ["2016-003", 1, "乙", "2016-09-30", 50],
            ]
        }
    )
    before = ledger_state()

    errors = refused(data, world.office, office_staff)

    assert [(e.sheet, e.row) for e in errors] == [("节点", 2), ("节点", 4)]
    assert ledger_state() == before


def test_weights_not_adding_up_are_named_on_the_plan_rows(world, office_staff):
    data = workbook(
        {
            "节点": [
                ["任务编号", "节点序号", "节点名称", "计划日期", "权重"],
                ["2016-003", 1, "甲", "2016-06-30", 50],
                ["2016-003", 2, "乙", "2016-09-30", 40],
            ]
        }
    )
    before = ledger_state()

    errors = refused(data, world.office, office_staff)

    assert [(e.sheet, e.row) for e in errors] == [("节点", 2)]
    assert "add up to 90" in errors[0].message
    assert ledger_state() == before
    assert not Milestone.objects.filter(plan__task=world.task_boluo).exists()


def test_the_demo_ledger_round_trips(db):
    from django.contrib.auth import get_user_model

    from reformledger.demo.loader import load_demo
    from reformledger.orgs.models import Unit

    load_demo()
    user = get_user_model().objects.get(username="office")
    office = Unit.objects.get(code="HZ-GGB")
    data = export(office, user)
    before = ledger_state()

    counts = run_import(data, office, user)

    assert counts["created"] == counts["updated"] == counts["plans"] == 0
    assert counts["unchanged"] == Task.objects.filter(office=office, year=YEAR).count() > 20
    assert ledger_state() == before


def test_units_sharing_a_name_are_written_with_their_codes_and_read_back(world, office_staff):
    from reformledger.orgs import services as orgs

    twin = orgs.unit_create(
        by=None, code="HZ-BL-FGJ", name="市发展改革局", kind="department", parent=world.boluo
    )
    ledger.task_update(task=world.task_boluo, by=office_staff, helping_units=[world.fgj, twin])
    data = export(world.office, office_staff)
    before = ledger_state()

    counts = run_import(data, world.office, office_staff)

    assert counts["updated"] == 0
    assert ledger_state() == before
