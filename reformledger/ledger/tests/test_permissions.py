"""Who sees which task and who may do what: the role × act matrix of docs/permissions.md,
walked for every persona, and the services refusing what it forbids."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from reformledger.audit.models import AuditRecord
from reformledger.ledger import services
from reformledger.ledger.choices import PlanStatus, TaskStatus
from reformledger.ledger.models import Plan, Task
from reformledger.ledger.permissions import ACTS, acts_on, can, require, visible_tasks
from reformledger.ledger.validation import MilestoneRow

ALL = {"2016-001", "2016-002", "2016-003", "2016-004"}

#: persona -> codes of the world's tasks it sees.
VISIBLE = {
    "office_staff": ALL,
    "director": ALL,
    "city_leader": ALL,
    # 001 its own, 002 it helps on, 004 led by its town; not 博罗's 003.
    "huiyang_liaison": {"2016-001", "2016-002", "2016-004"},
    "huiyang_head": {"2016-001", "2016-002", "2016-004"},
    "fgj_liaison": {"2016-002"},
    "boluo_liaison": {"2016-003"},
    "evaluator": set(),
    "sysadmin": set(),
    "auditor": set(),
    "outsider": set(),
}
PERSONAS = sorted(VISIBLE)

PLAN_ACTS = {"view", "edit_plan", "submit_plan", "revise_plan"}
LIAISON_ACTS = PLAN_ACTS | {"report", "request_closing"}
LEADER_ONLY = {"decide_rating", "approve_closing", "reopen"}
HEAD_ONLY = {"sign_closing"}
#: persona -> acts it may do on task_huiyang (2016-001, led by 惠阳区).
MATRIX = {
    "office_staff": set(ACTS) - LEADER_ONLY - HEAD_ONLY,
    "director": set(ACTS) - HEAD_ONLY,
    "huiyang_liaison": LIAISON_ACTS,
    "huiyang_head": {"view", "sign_closing"},
    "city_leader": {"view"},
    "fgj_liaison": set(),
    "boluo_liaison": set(),
    "evaluator": set(),
    "sysadmin": set(),
    "auditor": set(),
    "outsider": set(),
}

ROWS = [MilestoneRow(title="完成", planned_date=dt.date(2016, 10, 31), weight=100)]


#: The rows of "Acts on a task" in docs/permissions.md, by act of ACTS.
DOC_ROWS = {
    "view": "view",
    "edit": "edit",
    "change_status": "change status",
    "edit_plan": "edit plan",
    "submit_plan": "submit plan",
    "revise_plan": "revise plan",
    "approve_plan": "approve or return plan",
    "report": "file a progress report",
    "accept_report": "accept or return a report",
    "suggest_rating": "compute suggested ratings",
    "decide_rating": "confirm or override a rating",
    "request_closing": "request closing",
    "sign_closing": "sign a closing request",
    "approve_closing": "approve or reject closing",
    "reopen": "reopen a closed task",
}
#: Its columns, each played by a persona on a task of the world (惠阳's liaison is a
#: helping unit's liaison on 2016-002).
DOC_COLUMNS = {
    "office staff": ("office_staff", "task_huiyang"),
    "office leader": ("director", "task_huiyang"),
    "liaison of the lead unit": ("huiyang_liaison", "task_huiyang"),
    "liaison of a helping unit": ("huiyang_liaison", "task_helped"),
    "unit head": ("huiyang_head", "task_huiyang"),
    "city leader": ("city_leader", "task_huiyang"),
    "others": ("boluo_liaison", "task_huiyang"),
}


def doc_acts_table() -> dict[str, dict[str, str]]:
    """The table "Acts on a task" of docs/permissions.md: {row: {column: cell}}."""
    text = (Path(__file__).resolve().parents[3] / "docs" / "permissions.md").read_text()
    section = text.split("## Acts on a task", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    table = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        table[cells[0]] = dict(zip(header[1:], cells[1:], strict=True))
    return table


def test_the_matrix_is_the_table_of_docs_permissions(request, world):
    """Every act of the rule has its row in docs/permissions.md, and each persona may
    do exactly what its column says (✓) on a task of the world."""
    table = doc_acts_table()
    assert set(DOC_ROWS) == set(ACTS)
    for act, words in DOC_ROWS.items():
        row = next((cells for name, cells in table.items() if name.startswith(words)), None)
        assert row is not None, f"no row for {act} in docs/permissions.md"
        assert set(row) == set(DOC_COLUMNS)
        for column, (persona, task_name) in DOC_COLUMNS.items():
            user = request.getfixturevalue(persona)
            allowed = row[column].startswith("✓")
            assert can(user, act, getattr(world, task_name)) is allowed, (act, column)
            if task_name == "task_huiyang":
                assert (act in MATRIX[persona]) is allowed, (act, column)
    assert set(MATRIX) == set(VISIBLE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_exactly_its_tasks(persona, request):
    user = request.getfixturevalue(persona)
    seen = set(visible_tasks(user).values_list("code", flat=True))
    assert seen == VISIBLE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_can_view_agrees_with_visible_tasks(persona, request, world):
    user = request.getfixturevalue(persona)
    visible = set(visible_tasks(user).values_list("pk", flat=True))
    for task in Task.objects.all():
        assert can(user, "view", task) == (task.pk in visible), task.code


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("act", sorted(ACTS))
def test_role_act_matrix_on_a_county_task(persona, act, request, world):
    user = request.getfixturevalue(persona)
    assert can(user, act, world.task_huiyang) == (act in MATRIX[persona])


def offered(user, task) -> set[str]:
    acts = acts_on(user, task)
    assert set(acts) == set(ACTS) | {"withdraw"}
    return {act for act, yes in acts.items() if yes}


def test_the_pages_offer_the_matrix_on_an_open_task_and_on_a_closed_one_only_reopening(
    world, director, office_staff, huiyang_liaison, outsider
):
    task = world.task_huiyang
    assert offered(director, task) == MATRIX["director"]
    assert offered(office_staff, task) == MATRIX["office_staff"]
    # The lead unit's liaison also takes back what the unit filed (撤回).
    assert offered(huiyang_liaison, task) == MATRIX["huiyang_liaison"] | {"withdraw"}
    assert offered(outsider, task) == set()

    task.status = TaskStatus.CLOSED
    assert offered(director, task) == {"view", "reopen"}
    assert offered(office_staff, task) == {"view"}
    assert offered(huiyang_liaison, task) == {"view"}
    assert offered(outsider, task) == set()


def test_an_unknown_act_is_an_error_not_a_silent_no(world, office_staff):
    with pytest.raises(ValueError, match="unknown act 'delete_everything'"):
        can(office_staff, "delete_everything", world.task_huiyang)


def test_a_refusal_names_the_act_and_the_task(world, huiyang_liaison):
    """What the logs and the refusal's audit record read when a service says no."""
    task = world.task_huiyang
    with pytest.raises(PermissionDenied, match=f"^edit not allowed on task {task.pk}$"):
        require(huiyang_liaison, "edit", task)
    require(huiyang_liaison, "edit_plan", task)  # its unit leads the task: no refusal


def test_an_inactive_account_sees_nothing(world, director):
    director.is_active = False
    director.save(update_fields=["is_active"])
    assert not visible_tasks(director).exists()


# --- services refuse what the matrix forbids ---------------------------------


def refused(act) -> None:
    """`act()` raises PermissionDenied and writes nothing."""
    before = (Task.objects.count(), Plan.objects.count(), AuditRecord.objects.count())
    with pytest.raises(PermissionDenied):
        act()
    assert (Task.objects.count(), Plan.objects.count(), AuditRecord.objects.count()) == before


def test_liaison_cannot_approve_plan(world, huiyang_liaison):
    task = world.task_town
    plan = services.plan_save(task=task, by=huiyang_liaison, summary="", milestones=ROWS)
    services.plan_submit(plan=plan, by=huiyang_liaison)

    refused(lambda: services.plan_approve(plan=plan, by=huiyang_liaison))
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    assert Task.objects.get(pk=task.pk).status == TaskStatus.PLANNING


def test_liaison_cannot_return_plan(world, huiyang_liaison):
    plan = services.plan_save(task=world.task_town, by=huiyang_liaison, summary="", milestones=ROWS)
    services.plan_submit(plan=plan, by=huiyang_liaison)
    refused(lambda: services.plan_reject(plan=plan, by=huiyang_liaison, note="不行"))


def test_helping_unit_liaison_cannot_edit_plan(world, huiyang_liaison):
    refused(
        lambda: services.plan_save(
            task=world.task_helped, by=huiyang_liaison, summary="", milestones=ROWS
        )
    )


def test_liaison_cannot_edit_another_countys_plan(world, boluo_liaison):
    refused(
        lambda: services.plan_save(
            task=world.task_huiyang, by=boluo_liaison, summary="", milestones=ROWS
        )
    )


def test_liaison_cannot_edit_the_task_itself(world, huiyang_liaison):
    refused(lambda: services.task_update(task=world.task_huiyang, by=huiyang_liaison, title="改"))
    assert Task.objects.get(pk=world.task_huiyang.pk).title == "表格化捆绑式绩效考核改革"


def test_liaison_cannot_block_its_task(world, huiyang_liaison):
    refused(
        lambda: services.task_set_status(
            task=world.task_huiyang, by=huiyang_liaison, status="blocked", reason="缺资金"
        )
    )


def test_unit_head_cannot_submit_plan(world, huiyang_liaison, huiyang_head):
    plan = services.plan_save(task=world.task_town, by=huiyang_liaison, summary="", milestones=ROWS)
    refused(lambda: services.plan_submit(plan=plan, by=huiyang_head))
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_unit_head_cannot_revise_plan(world, huiyang_head):
    refused(lambda: services.plan_revise(task=world.task_huiyang, by=huiyang_head, reason="调整"))


def test_city_leader_cannot_approve_plan(world, huiyang_liaison, city_leader):
    plan = services.plan_save(task=world.task_town, by=huiyang_liaison, summary="", milestones=ROWS)
    services.plan_submit(plan=plan, by=huiyang_liaison)
    refused(lambda: services.plan_approve(plan=plan, by=city_leader))


@pytest.mark.parametrize(
    "persona",
    [
        "huiyang_liaison",
        "huiyang_head",
        "city_leader",
        "evaluator",
        "sysadmin",
        "auditor",
        "outsider",
    ],
)
def test_only_the_office_creates_tasks(persona, request, world):
    user = request.getfixturevalue(persona)
    refused(
        lambda: services.task_create(
            by=user,
            office=world.office,
            year=2016,
            code="2016-099",
            title="越权新增",
            area=world.economy,
            lead_unit=world.huiyang,
            deliverable_kind="policy",
            start_date=dt.date(2016, 1, 1),
            deadline=dt.date(2016, 12, 31),
        )
    )


def test_director_may_create_tasks_in_the_office_ledger(world, director):
    task = services.task_create(
        by=director,
        office=world.office,
        year=2016,
        code="2016-099",
        title="主任新增",
        area=world.society,
        lead_unit=world.boluo,
        deliverable_kind="report",
        start_date=dt.date(2016, 1, 1),
        deadline=dt.date(2016, 12, 31),
    )
    assert Task.objects.get(pk=task.pk).office == world.office


def test_sysadmin_makes_no_ledger_decisions(world, sysadmin, huiyang_liaison):
    plan = services.plan_save(task=world.task_town, by=huiyang_liaison, summary="", milestones=ROWS)
    services.plan_submit(plan=plan, by=huiyang_liaison)
    refused(lambda: services.plan_approve(plan=plan, by=sysadmin))
    refused(lambda: services.task_update(task=world.task_town, by=sysadmin, title="改"))
