"""The ledger's acts: creating and changing tasks, and the life of a plan."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import services
from reformledger.ledger.choices import PlanStatus, TaskStatus
from reformledger.ledger.models import Milestone, Plan, Task
from reformledger.ledger.validation import MilestoneRow
from reformledger.orgs import services as orgs
from reformledger.orgs.models import Unit

JAN_1, DEC_31 = dt.date(2016, 1, 1), dt.date(2016, 12, 31)
TWO_STEPS = [
    MilestoneRow(title="制定方案", planned_date=dt.date(2016, 5, 31), weight=30),
    MilestoneRow(title="全面实施", planned_date=dt.date(2016, 11, 30), weight=70),
]


def new_task(world, by, **overrides):
    fields = {
        "code": "2016-010",
        "title": "商事制度改革",
        "area": world.economy,
        "lead_unit": world.fgj,
        "deliverable_kind": "policy",
        "start_date": JAN_1,
        "deadline": DEC_31,
        **overrides,
    }
    return services.task_create(by=by, office=world.office, year=2016, **fields)


def row_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Task, Plan, Milestone, AuditRecord)}


def assert_refused(field: str, act) -> ValidationError:
    """`act()` is refused with an error on `field`, and no row of the ledger or the
    audit trail is written."""
    before = row_counts()
    with pytest.raises(ValidationError) as refused:
        act()
    assert field in refused.value.message_dict, refused.value.message_dict
    assert row_counts() == before
    return refused.value


def submitted_plan(task, by, milestones=TWO_STEPS):
    plan = services.plan_save(task=task, by=by, summary="分步推进", milestones=milestones)
    return services.plan_submit(plan=plan, by=by)


# --- tasks -------------------------------------------------------------------


def test_task_create_writes_the_task_and_an_audit_record_of_its_fields(world, office_staff):
    task = new_task(world, office_staff, helping_units=[world.boluo], is_key=True)

    row = Task.objects.get(office=world.office, year=2016, code="2016-010")
    assert row.pk == task.pk
    assert row.lead_unit == world.fgj
    assert list(row.helping_units.all()) == [world.boluo]
    assert row.status == TaskStatus.PLANNING
    assert row.version == 1

    record = AuditRecord.objects.get(verb="task.created", obj_id=str(task.pk))
    assert record.actor == office_staff
    assert record.changes["code"] == [None, "2016-010"]
    assert record.changes["title"] == [None, "商事制度改革"]
    assert record.changes["lead_unit"] == [None, "市发展改革局"]
    assert record.changes["helping_units"] == [None, ["博罗县"]]
    assert record.changes["deadline"] == [None, "2016-12-31"]
    assert record.changes["is_key"] == [None, True]


def test_task_update_records_before_and_after_and_bumps_the_version(world, office_staff):
    task = world.task_boluo

    updated = services.task_update(
        task=task,
        by=office_staff,
        version=1,
        title="投资项目审批制度改革",
        deadline=dt.date(2016, 11, 30),
        reason="市政府常务会议调整",
    )

    row = Task.objects.get(pk=task.pk)
    assert updated.version == row.version == 2
    assert row.title == "投资项目审批制度改革"
    record = history_of(task).filter(verb="task.updated").get()
    assert record.changes == {
        "title": ["项目审批制度改革", "投资项目审批制度改革"],
        "deadline": ["2016-12-31", "2016-11-30"],
    }
    assert record.reason == "市政府常务会议调整"
    assert record.actor == office_staff


def test_task_update_with_a_stale_version_is_a_conflict_and_changes_nothing(
    world, office_staff, director
):
    task = world.task_boluo
    read_version = task.version
    services.task_update(task=task, by=director, version=read_version, title="主任改的标题")
    records = AuditRecord.objects.count()

    with pytest.raises(ConflictError):
        services.task_update(task=task, by=office_staff, version=read_version, title="科员改的标题")

    row = Task.objects.get(pk=task.pk)
    assert row.title == "主任改的标题"
    assert row.version == read_version + 1
    assert AuditRecord.objects.count() == records


def test_task_update_that_changes_nothing_keeps_the_version_and_writes_no_record(
    world, office_staff
):
    task = world.task_boluo
    records = AuditRecord.objects.count()

    result = services.task_update(task=task, by=office_staff, version=1, title=task.title)

    assert result.version == 1
    assert Task.objects.get(pk=task.pk).version == 1
    assert AuditRecord.objects.count() == records


def test_task_without_a_lead_unit_is_refused_on_the_lead_unit(world, office_staff):
    assert_refused("lead_unit", lambda: new_task(world, office_staff, lead_unit=None))


def test_task_led_by_a_unit_not_in_the_tree_is_refused(world, office_staff):
    ghost = Unit(pk=999_999, code="HZ-XX", name="不存在的单位", kind="county")
    assert_refused("lead_unit", lambda: new_task(world, office_staff, lead_unit=ghost))


def test_task_led_by_a_merged_unit_is_refused(world, office_staff):
    orgs.unit_merge(by=None, unit=world.boluo, into=world.huiyang, reason="区划调整")
    boluo = Unit.objects.get(pk=world.boluo.pk)

    error = assert_refused("lead_unit", lambda: new_task(world, office_staff, lead_unit=boluo))
    assert "博罗县" in error.message_dict["lead_unit"][0]


def test_task_code_used_in_the_same_office_and_year_is_refused(world, office_staff):
    error = assert_refused("code", lambda: new_task(world, office_staff, code="2016-001"))
    assert "2016-001" in error.message_dict["code"][0]


def test_the_same_code_in_another_year_is_accepted(world, office_staff):
    task = services.task_create(
        by=office_staff,
        office=world.office,
        year=2017,
        code="2016-001",
        title="下一年的同号任务",
        area=world.economy,
        lead_unit=world.huiyang,
        deliverable_kind="policy",
        start_date=dt.date(2017, 1, 1),
        deadline=dt.date(2017, 12, 31),
    )
    assert Task.objects.filter(code="2016-001").count() == 2
    assert task.year == 2017


def test_task_with_a_deadline_before_its_start_is_refused_on_the_deadline(world, office_staff):
    assert_refused(
        "deadline",
        lambda: new_task(world, office_staff, start_date=JAN_1, deadline=dt.date(2015, 12, 1)),
    )


def test_task_update_to_a_deadline_before_the_start_changes_nothing(world, office_staff):
    task = world.task_boluo
    assert_refused(
        "deadline",
        lambda: services.task_update(task=task, by=office_staff, deadline=dt.date(2015, 6, 1)),
    )
    assert Task.objects.get(pk=task.pk).deadline == DEC_31


def test_lead_unit_cannot_also_help(world, office_staff):
    assert_refused(
        "helping_units",
        lambda: new_task(world, office_staff, helping_units=[world.fgj, world.boluo]),
    )


# --- dependencies ------------------------------------------------------------


def test_a_dependency_cycle_is_refused(world, office_staff):
    a, b, c = world.task_huiyang, world.task_helped, world.task_boluo
    services.task_update(task=a, by=office_staff, depends_on=[b])
    services.task_update(task=b, by=office_staff, depends_on=[c])

    error = assert_refused(
        "depends_on", lambda: services.task_update(task=c, by=office_staff, depends_on=[a])
    )
    assert "2016-001" in error.message_dict["depends_on"][0]
    assert list(Task.objects.get(pk=c.pk).depends_on.all()) == []


def test_a_task_cannot_depend_on_itself(world, office_staff):
    task = world.task_boluo
    assert_refused(
        "depends_on", lambda: services.task_update(task=task, by=office_staff, depends_on=[task])
    )


def test_dependencies_are_recorded_in_the_task_history(world, office_staff):
    services.task_update(task=world.task_boluo, by=office_staff, depends_on=[world.task_helped])

    record = history_of(world.task_boluo).filter(verb="task.updated").get()
    assert record.changes == {"depends_on": [[], ["2016-002 投融资体制改革"]]}


# --- plans -------------------------------------------------------------------


def test_milestone_after_the_task_deadline_is_refused_on_that_milestone(world, office_staff):
    rows = [
        MilestoneRow(title="起步", planned_date=dt.date(2016, 3, 1), weight=50),
        MilestoneRow(title="超期节点", planned_date=dt.date(2017, 1, 15), weight=50),
    ]
    error = assert_refused(
        "milestones.1.planned_date",
        lambda: services.plan_save(
            task=world.task_boluo, by=office_staff, summary="", milestones=rows
        ),
    )
    assert "2017-01-15" in error.message_dict["milestones.1.planned_date"][0]


def test_milestone_weights_not_adding_to_100_are_refused(world, office_staff):
    rows = [
        MilestoneRow(title="起步", planned_date=dt.date(2016, 3, 1), weight=50),
        MilestoneRow(title="收尾", planned_date=dt.date(2016, 9, 1), weight=40),
    ]
    error = assert_refused(
        "milestones",
        lambda: services.plan_save(
            task=world.task_boluo, by=office_staff, summary="", milestones=rows
        ),
    )
    assert "90" in error.message_dict["milestones"][0]


def test_plan_goes_from_draft_to_submitted_to_approved_and_starts_the_task(
    world, boluo_liaison, director
):
    task = world.task_boluo

    plan = services.plan_save(task=task, by=boluo_liaison, summary="分步推进", milestones=TWO_STEPS)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    assert plan.revision == 1

    services.plan_submit(plan=plan, by=boluo_liaison)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED

    services.plan_approve(plan=plan, by=director, note="同意实施")
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.status == PlanStatus.APPROVED
    assert plan.decided_by == director
    assert plan.decision_note == "同意实施"
    assert [(m.title, m.weight) for m in plan.milestones.all()] == [
        ("制定方案", 30),
        ("全面实施", 70),
    ]
    task = Task.objects.get(pk=task.pk)
    assert task.status == TaskStatus.IN_PROGRESS
    assert list(history_of(task).values_list("verb", flat=True)) == [
        "task.created",
        "plan.created",
        "plan.submitted",
        "plan.approved",
    ]


def test_a_returned_plan_can_be_edited_and_submitted_again(world, boluo_liaison, office_staff):
    plan = submitted_plan(world.task_boluo, boluo_liaison)
    services.plan_reject(plan=plan, by=office_staff, note="节点过粗")
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.REJECTED

    again = services.plan_save(
        task=world.task_boluo, by=boluo_liaison, summary="细化节点", milestones=TWO_STEPS
    )
    services.plan_submit(plan=again, by=boluo_liaison)

    assert again.pk == plan.pk
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_a_plan_cannot_be_returned_without_a_reason(world, boluo_liaison, office_staff):
    plan = submitted_plan(world.task_boluo, boluo_liaison)
    assert_refused("note", lambda: services.plan_reject(plan=plan, by=office_staff, note=" "))
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_a_submitted_plan_cannot_be_edited(world, boluo_liaison):
    submitted_plan(world.task_boluo, boluo_liaison)
    assert_refused(
        "plan",
        lambda: services.plan_save(
            task=world.task_boluo, by=boluo_liaison, summary="偷改", milestones=TWO_STEPS
        ),
    )


def test_an_approved_plan_cannot_be_saved_again(world, office_staff):
    task = world.task_huiyang
    approved = task.plans.get(status=PlanStatus.APPROVED)

    assert_refused(
        "plan",
        lambda: services.plan_save(task=task, by=office_staff, summary="改", milestones=TWO_STEPS),
    )
    assert [m.weight for m in approved.milestones.all()] == [40, 60]


def test_a_revision_without_a_reason_is_refused(world, office_staff):
    assert_refused(
        "reason", lambda: services.plan_revise(task=world.task_huiyang, by=office_staff, reason="")
    )


def test_an_approved_revision_supersedes_the_first_which_stays_readable(
    world, huiyang_liaison, director
):
    task = world.task_huiyang
    first = task.plans.get(status=PlanStatus.APPROVED)

    draft = services.plan_revise(task=task, by=huiyang_liaison, reason="省里调整了时间表")
    assert (draft.revision, draft.status, draft.reason) == (2, PlanStatus.DRAFT, "省里调整了时间表")
    assert [m.weight for m in draft.milestones.all()] == [40, 60]
    assert Plan.objects.get(pk=first.pk).status == PlanStatus.APPROVED  # until approved

    services.plan_save(task=task, by=huiyang_liaison, summary="调整后", milestones=TWO_STEPS)
    services.plan_submit(plan=draft, by=huiyang_liaison)
    services.plan_approve(plan=draft, by=director)

    first = Plan.objects.get(pk=first.pk)
    assert first.status == PlanStatus.SUPERSEDED
    assert [(m.title, m.weight) for m in first.milestones.all()] == [
        ("出台考核方案", 40),
        ("全区推开并总结", 60),
    ]
    current = task.plans.get(status=PlanStatus.APPROVED)
    assert current.revision == 2
    assert [m.weight for m in current.milestones.all()] == [30, 70]
    approved = history_of(task).filter(verb="plan.approved").last()
    assert approved.changes == {"superseded": [None, 1]}


def test_a_second_revision_cannot_start_while_one_is_in_progress(world, office_staff):
    services.plan_revise(task=world.task_huiyang, by=office_staff, reason="第一次调整")
    assert_refused(
        "reason",
        lambda: services.plan_revise(task=world.task_huiyang, by=office_staff, reason="又一次"),
    )


def test_approving_the_same_plan_twice_is_a_conflict_with_one_record(
    world, boluo_liaison, director, office_staff
):
    plan = submitted_plan(world.task_boluo, boluo_liaison)
    services.plan_approve(plan=plan, by=director)

    with pytest.raises(ConflictError):
        services.plan_approve(plan=plan, by=office_staff)

    assert AuditRecord.objects.filter(verb="plan.approved", obj_id=str(plan.pk)).count() == 1
    assert Plan.objects.get(pk=plan.pk).decided_by == director
