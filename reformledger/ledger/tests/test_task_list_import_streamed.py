"""A task list of a few hundred tasks, read and compared a chunk of rows at a time:
exactly the edited tasks are updated, an error on the last row refuses the whole
file, and a file whose milestone rows are scattered still reads back unchanged."""

import pytest
from django.contrib.auth import get_user_model
from django.utils.translation import override

from reformledger.exchange.errors import ImportRefused
from reformledger.exchange.testing import edit_xlsx
from reformledger.ledger.documents import task_list, task_list_changes
from reformledger.ledger.models import Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.ledger.services import imports as services
from reformledger.ledger.tests.conftest import ledger_state
from reformledger.orgs.models import Unit

YEAR = 2030
TASKS = 300


@pytest.fixture
def big(db, monkeypatch):
    """A generated ledger of 300 tasks with their plans, compared 64 rows at a time
    (so the file spans several chunks of tasks and of milestones)."""
    from reformledger.demo.generator import generate

    generate(tasks=TASKS, units=30, year=YEAR)
    monkeypatch.setattr(task_list_changes, "CHUNK", 64)
    user = get_user_model().objects.get(username="gen_office")
    office = Unit.objects.get(kind="office", code__startswith="GEN")
    tasks = visible_tasks(user).filter(office=office, year=YEAR).order_by("code")
    data = task_list.write_task_list(tasks, office=office, year=YEAR)
    return office, user, data


def _import(data, office, user):
    return services.task_list_import(
        data=data, file_name="big.xlsx", office=office, year=YEAR, by=user
    )


def _title_column(ws) -> int:
    return next(c for c in range(1, ws.max_column + 1) if ws.cell(2, c).value in {"改革任务"})


def test_one_percent_edited_updates_exactly_those_tasks(big):
    office, user, data = big
    edited: dict[str, str] = {}

    def edit(wb):
        ws = wb.worksheets[0]
        col = _title_column(ws)
        for row in range(3, ws.max_row + 1, 100):
            ws.cell(row, col).value = f"{ws.cell(row, col).value}（修订）"
            edited[ws.cell(row, 1).value] = ws.cell(row, col).value

    changed = edit_xlsx(data, edit)
    versions = dict(Task.objects.filter(office=office).values_list("code", "version"))

    with override("zh-hans"):
        counts = _import(changed, office, user)

    assert len(edited) == 3 and counts["updated"] == 3 and counts["created"] == 0
    assert counts["unchanged"] == Task.objects.filter(office=office, year=YEAR).count() - 3
    after = dict(Task.objects.filter(office=office).values_list("code", "title"))
    assert {code: after[code] for code in edited} == edited
    moved = {
        code
        for code, version in Task.objects.filter(office=office).values_list("code", "version")
        if version != versions[code]
    }
    assert moved == set(edited)


def test_an_error_on_the_last_row_refuses_the_whole_file(big):
    office, user, data = big
    where = {}

    def edit(wb):
        ws = wb.worksheets[0]
        col = _title_column(ws)
        ws.cell(3, col).value = "第一行改了标题"  # a good change, early in the file
        ms = wb.worksheets[1]
        last = ms.max_row
        ms.cell(last, 4).value = "不是日期的日期"  # 计划日期 of the very last milestone
        where.update(sheet=ms.title, row=last)

    before = ledger_state()
    with override("zh-hans"), pytest.raises(ImportRefused) as caught:
        _import(edit_xlsx(data, edit), office, user)

    errors = caught.value.errors
    assert [(e.sheet, e.row) for e in errors] == [(where["sheet"], where["row"])]
    assert errors[0].column.endswith("(D)")
    assert ledger_state() == before  # nothing written, not even the first row's change


def test_milestone_rows_out_of_order_still_read_back_unchanged(big):
    office, user, data = big

    def edit(wb):
        ms = wb.worksheets[1]
        # Swap a milestone row of the second task with one of the two-hundredth: each
        # task's rows are no longer one after the other.
        a, b = 8, ms.max_row - 5
        for col in range(1, ms.max_column + 1):
            ms.cell(a, col).value, ms.cell(b, col).value = (
                ms.cell(b, col).value,
                ms.cell(a, col).value,
            )

    before = ledger_state()
    with override("zh-hans"):
        counts = _import(edit_xlsx(data, edit), office, user)

    assert counts["updated"] == counts["created"] == counts["plans"] == 0
    assert ledger_state() == before


def test_the_preview_of_an_unchanged_file_counts_every_row(big):
    office, user, data = big
    with override("en"):
        check = services.task_list_check(
            data=data, file_name="big.xlsx", office=office, year=YEAR, by=user
        )
        preview = check.preview(office)

    assert preview["counts"]["unchanged"] == TASKS
    assert preview["counts"]["update"] == preview["counts"]["errors"] == 0
    assert preview["changes"] == [] and preview["errors"] == []
    assert preview["dates"] and all(len(d["rows"]) <= 20 for d in preview["dates"])
    lead = next(u for u in preview["units"] if u["column"] == "lead_unit")
    assert lead["count"] >= len(lead["rows"]) and len(lead["rows"]) <= 20
