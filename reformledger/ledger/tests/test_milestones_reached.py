"""A milestone is reached only through an accepted progress report (the report →
accept path the rating engine rests on), never through the plan: the plan's API, its
page and its service take no `reached_on`; writing or revising a plan keeps the dates
accepted reports set; and the plan's audit record holds every field it changes."""

import dataclasses
import datetime as dt

import pytest

from reformledger.audit.models import AuditRecord
from reformledger.ledger import services
from reformledger.ledger.choices import PlanStatus
from reformledger.ledger.models import Milestone, Period, Plan
from reformledger.ledger.validation import MilestoneRow

JSON = "application/json"
FUTURE = "2030-01-01"


@pytest.fixture
def june(world, office_staff) -> Period:
    services.periods_ensure(office=world.office, year=2016, by=office_staff)
    return Period.objects.get(office=world.office, year=2016, number=6)


def approved_milestones(task) -> list[Milestone]:
    return list(
        Milestone.objects.filter(plan__task=task, plan__status=PlanStatus.APPROVED).order_by(
            "order"
        )
    )


def accept_report_reaching(task, period, liaison, staff, milestone, on: dt.date) -> None:
    report = services.report_save(
        task=task, period=period, by=liaison, done="方案印发", percent=40, reached=[(milestone, on)]
    )
    services.report_submit(report=report, by=liaison)
    services.report_accept(report=report, by=staff)


def test_the_plan_api_does_not_mark_a_milestone_reached(world, office_staff, client_for):
    task = world.task_boluo  # no plan yet
    answer = client_for(office_staff).post(
        f"/api/v1/tasks/{task.pk}/plan/",
        {
            "summary": "先行先试",
            "milestones": [
                {
                    "title": "出台方案",
                    "planned_date": "2016-06-30",
                    "weight": 100,
                    "reached_on": FUTURE,
                }
            ],
        },
        content_type=JSON,
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["milestones"][0]["reached_on"] is None
    assert not Milestone.objects.filter(plan__task=task, reached_on__isnull=False).exists()


def test_the_plan_schema_says_reached_on_is_read_only(client_for, world):
    schema = client_for(world.office_staff).get("/api/schema/?format=json").json()
    milestone = schema["components"]["schemas"]["Milestone"]["properties"]["reached_on"]
    assert milestone.get("readOnly") is True


def test_a_revision_keeps_what_accepted_reports_reached_whatever_the_body_says(
    world, june, office_staff, huiyang_liaison, client_for
):
    task = world.task_huiyang
    first, _second = approved_milestones(task)
    accept_report_reaching(task, june, huiyang_liaison, office_staff, first, dt.date(2016, 6, 20))
    client = client_for(huiyang_liaison)
    revised = client.post(
        f"/api/v1/tasks/{task.pk}/plan/revise/", {"reason": "调整节点"}, content_type=JSON
    )
    assert revised.status_code == 201
    rows = [
        {"title": "出台考核方案", "planned_date": "2016-06-30", "weight": 40, "reached_on": FUTURE},
        {
            "title": "全区推开并总结",
            "planned_date": "2016-12-15",
            "weight": 60,
            "reached_on": FUTURE,
        },
    ]
    saved = client.post(
        f"/api/v1/tasks/{task.pk}/plan/", {"summary": "调整", "milestones": rows}, content_type=JSON
    )
    assert saved.status_code == 200, saved.content
    assert [m["reached_on"] for m in saved.json()["milestones"]] == ["2016-06-20", None]


def test_the_service_takes_no_reached_date_from_its_caller():
    fields = {f.name for f in dataclasses.fields(MilestoneRow)}
    assert "reached_on" not in fields
    with pytest.raises(TypeError):
        MilestoneRow(title="节点", planned_date=dt.date(2016, 6, 30), weight=100, reached_on=FUTURE)


def test_saving_a_plan_keeps_the_dates_reached_by_title(world, june, office_staff, huiyang_liaison):
    task = world.task_huiyang
    first, _second = approved_milestones(task)
    accept_report_reaching(task, june, huiyang_liaison, office_staff, first, dt.date(2016, 6, 20))
    services.plan_revise(task=task, by=huiyang_liaison, reason="增加节点")
    draft = services.plan_save(
        task=task,
        by=huiyang_liaison,
        summary="增加节点",
        milestones=[
            MilestoneRow(title="出台考核方案", planned_date=dt.date(2016, 6, 30), weight=40),
            MilestoneRow(title="新增试点", planned_date=dt.date(2016, 9, 30), weight=20),
            MilestoneRow(title="全区推开并总结", planned_date=dt.date(2016, 12, 15), weight=40),
        ],
    )
    reached = dict(draft.milestones.values_list("title", "reached_on"))
    assert reached == {
        "出台考核方案": dt.date(2016, 6, 20),
        "新增试点": None,
        "全区推开并总结": None,
    }


def test_a_report_accepted_while_a_revision_is_written_carries_into_it(
    world, june, office_staff, huiyang_liaison
):
    task = world.task_huiyang
    draft = services.plan_revise(task=task, by=huiyang_liaison, reason="调整")
    services.plan_submit(plan=draft, by=huiyang_liaison)
    first, _second = approved_milestones(task)
    accept_report_reaching(task, june, huiyang_liaison, office_staff, first, dt.date(2016, 6, 20))

    services.plan_approve(plan=draft, by=office_staff, note="同意")

    now = dict(approved_milestones(task)[0].plan.milestones.values_list("title", "reached_on"))
    assert now["出台考核方案"] == dt.date(2016, 6, 20)
    record = AuditRecord.objects.filter(verb="plan.approved").latest("pk")
    before, after = record.changes["milestones"]
    assert "✓ 2016-06-20" not in " ".join(before) and "✓ 2016-06-20" in " ".join(after)


def test_the_plan_page_does_not_mark_a_milestone_reached(world, office_staff, client_for):
    task = world.task_boluo
    data = {
        "summary": "先行先试",
        "m-TOTAL_FORMS": "1",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "1000",
        "m-0-title": "出台方案",
        "m-0-planned_date": "2016-06-30",
        "m-0-weight": "100",
        "m-0-reached_on": FUTURE,
        "save": "1",
    }
    answer = client_for(office_staff).post(f"/ledger/tasks/{task.pk}/plan/", data)
    assert answer.status_code == 302
    assert Plan.objects.get(task=task).milestones.get().reached_on is None


def test_every_field_a_plan_act_changes_is_in_its_audit_record(world, office_staff):
    task = world.task_boluo
    row = MilestoneRow(title="出台方案", planned_date=dt.date(2016, 6, 30), weight=100)
    services.plan_save(task=task, by=office_staff, summary="方案", milestones=[row])
    services.plan_save(
        task=task,
        by=office_staff,
        summary="方案",
        milestones=[dataclasses.replace(row, responsible="王科长", expected_evidence="印发文件")],
    )
    record = AuditRecord.objects.filter(verb="plan.edited").latest("pk")
    before, after = record.changes["milestones"]
    assert before == ["出台方案 · 2016-06-30 · 100%"]
    assert after == ["出台方案 · 2016-06-30 · 100% · 王科长 · 印发文件"]
