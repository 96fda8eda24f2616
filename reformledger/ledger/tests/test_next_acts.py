"""Each person's next acts (待办): every kind of the ledger's appears on the landing page
of the role that does it when it falls due, with the navigation's count, and leaves
once the act is done — each step through the services; a fixed number of queries
whatever the number of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reformledger.ledger import selectors
from reformledger.ledger import services as ledger
from reformledger.ledger.choices import PlanStatus, ReportStatus, TaskStatus
from reformledger.ledger.models import (
    Milestone,
    Plan,
    ProgressReport,
    Rating,
    RatingGrade,
    Task,
)
from reformledger.ledger.tests.test_evidence import pdf
from reformledger.ledger.validation import MilestoneRow
from reformledger.notifications.tests.conftest import make_period
from tests.next_acts import landing

MILESTONES = [MilestoneRow(title="出台实施方案", planned_date=dt.date(2016, 9, 30), weight=100)]


def write_plan(task, by, *, submit=True):
    return ledger.plan_write(
        task=task, by=by, summary="先试点后推广", milestones=MILESTONES, submit=submit
    )


def file_report(task, period, by):
    return ledger.report_file(
        task=task, period=period, by=by, done="按计划推进", percent=30, submit=True
    )


def request_closing(task, by):
    return ledger.closing_request(
        task=task,
        by=by,
        summary="出台考核办法并全区推开",
        document_no="惠阳府〔2016〕88号",
        document_date=dt.date(2016, 11, 20),
        files=[pdf("考核办法.pdf")],
    )


def gone(before, after, kind: str, n: int = 1) -> None:
    """`kind` left the landing page, and the navigation counts `n` fewer acts."""
    assert kind not in after.kinds
    assert after.nav_count == before.nav_count - n == after.total


# --- a unit liaison (联络员) lands on My work ---------------------------------------


def test_a_task_without_a_plan_waits_for_its_liaison_until_the_plan_is_submitted(
    world, huiyang_liaison, client_for
):
    client = client_for(huiyang_liaison)
    before = landing(client)
    assert before.path == reverse("ledger:my_work")
    # 2016-004 is led by a town under 惠阳区; 2016-001 has its approved plan.
    assert "2016-004" in before.rows("plan_missing")
    assert "2016-001" not in before.rows("plan_missing")
    assert before.links["plan_missing"] == [reverse("ledger:plan_edit", args=[world.task_town.pk])]
    assert before.nav_count == before.total >= 1

    write_plan(world.task_town, huiyang_liaison, submit=False)
    assert "a draft is saved" in landing(client).rows("plan_missing")
    write_plan(world.task_town, huiyang_liaison)
    gone(before, landing(client), "plan_missing")


def test_a_returned_plan_waits_for_the_liaison_until_it_is_submitted_again(
    world, huiyang_liaison, office_staff, client_for
):
    plan = write_plan(world.task_town, huiyang_liaison)
    client = client_for(huiyang_liaison)
    quiet = landing(client)
    ledger.plan_reject(plan=plan, by=office_staff, note="节点时间需细化到月")
    before = landing(client)
    assert before.nav_count == quiet.nav_count + 1
    assert "2016-004" in before.rows("plan_returned")
    assert "节点时间需细化到月" in before.rows("plan_returned")
    assert "plan_missing" not in before.kinds

    write_plan(world.task_town, huiyang_liaison)
    gone(before, landing(client), "plan_returned")


def test_a_report_due_waits_for_the_liaison_until_it_is_filed(world, huiyang_liaison, client_for):
    client = client_for(huiyang_liaison)
    quiet = landing(client)
    march = make_period(world, 3)  # ended, due 2016-04-05: late by now
    before = landing(client)
    assert before.nav_count == quiet.nav_count + 1
    assert "2016-001" in before.rows("report_due")
    assert "2016-03" in before.rows("report_due")
    # Still in planning, 2016-004 owes its plan first, not a report.
    assert "2016-004" not in before.rows("report_due")
    url = reverse("ledger:report_file", args=[world.task_huiyang.pk]) + f"?period={march.pk}"
    assert before.links["report_due"] == [url]

    file_report(world.task_huiyang, march, huiyang_liaison)
    gone(before, landing(client), "report_due")


def test_a_returned_report_waits_for_the_liaison_until_it_is_filed_again(
    world, huiyang_liaison, office_staff, client_for
):
    march = make_period(world, 3)
    report = file_report(world.task_huiyang, march, huiyang_liaison)
    client = client_for(huiyang_liaison)
    quiet = landing(client)
    ledger.report_return(report=report, by=office_staff, reason="请补充佐证材料")
    before = landing(client)
    assert before.nav_count == quiet.nav_count + 1
    assert "2016-001" in before.rows("report_returned")
    assert "请补充佐证材料" in before.rows("report_returned")
    assert "report_due" not in before.kinds  # returned: to correct, not due twice

    file_report(world.task_huiyang, march, huiyang_liaison)
    gone(before, landing(client), "report_returned")


def accept_reaching(task, period, liaison, staff, milestone, on, percent):
    """The liaison reports `milestone` reached on `on`; the office accepts the report."""
    report = ledger.report_file(
        task=task,
        period=period,
        by=liaison,
        done=f"{milestone.title}已完成",
        percent=percent,
        reached=[(milestone, on)],
        submit=True,
    )
    return ledger.report_accept(report=report, by=staff)


def test_a_task_whose_milestones_are_all_reached_waits_for_its_liaison_until_closing_is_requested(
    world, huiyang_liaison, office_staff, client_for
):
    task = world.task_huiyang  # two milestones in its approved plan
    first, last = Milestone.objects.filter(
        plan__task=task, plan__status=PlanStatus.APPROVED
    ).order_by("order")
    client = client_for(huiyang_liaison)
    accept_reaching(
        task, make_period(world, 6), huiyang_liaison, office_staff, first, dt.date(2016, 6, 28), 40
    )
    # One milestone still to reach: not ready to close.
    before = landing(client)
    assert "ready_to_close" not in before.kinds

    december = make_period(world, 12)  # its report is filed at once
    accept_reaching(task, december, huiyang_liaison, office_staff, last, dt.date(2016, 12, 10), 100)
    ready = landing(client)
    assert ready.nav_count == before.nav_count + 1 == ready.total
    assert "2016-001" in ready.rows("ready_to_close")
    assert "milestones reached 2/2, last report 100%" in ready.rows("ready_to_close")
    # 2016-004 has no approved plan, let alone milestones reached.
    assert "2016-004" not in ready.rows("ready_to_close")
    assert ready.links["ready_to_close"] == [reverse("ledger:task", args=[task.pk]) + "#closing"]

    request_closing(task, huiyang_liaison)
    gone(ready, landing(client), "ready_to_close")


# --- a unit head (一把手) lands on My work ---------------------------------------


def test_a_closing_request_waits_for_the_head_until_it_is_signed(
    world, huiyang_liaison, huiyang_head, client_for
):
    client = client_for(huiyang_head)
    quiet = landing(client)
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    before = landing(client)
    assert before.path == reverse("ledger:my_work")
    assert before.nav_count == quiet.nav_count + 1
    assert "2016-001" in before.rows("closing_to_sign")
    assert before.links["closing_to_sign"] == [
        reverse("ledger:task_closing", args=[world.task_huiyang.pk])
    ]

    ledger.closing_sign(closing=closing, by=huiyang_head)
    gone(before, landing(client), "closing_to_sign")


# --- office staff (改革办科员) land on the ledger ------------------------------------


def test_a_submitted_plan_waits_for_the_office_until_it_is_approved(
    world, huiyang_liaison, office_staff, client_for
):
    client = client_for(office_staff)
    quiet = landing(client)
    plan = write_plan(world.task_town, huiyang_liaison)
    before = landing(client)
    assert before.path == reverse("ledger:ledger")
    assert before.nav_count == quiet.nav_count + 1
    assert "2016-004" in before.rows("plan_to_approve")
    assert before.links["plan_to_approve"] == [
        reverse("ledger:task", args=[world.task_town.pk]) + "#plan"
    ]

    ledger.plan_approve(plan=plan, by=office_staff, note="同意")
    gone(before, landing(client), "plan_to_approve")


def test_a_submitted_report_waits_for_the_office_until_it_is_accepted(
    world, huiyang_liaison, office_staff, client_for
):
    march = make_period(world, 3)
    client = client_for(office_staff)
    quiet = landing(client)
    report = file_report(world.task_huiyang, march, huiyang_liaison)
    before = landing(client)
    assert before.nav_count == quiet.nav_count + 1
    assert "2016-001" in before.rows("report_to_accept")

    ledger.report_accept(report=report, by=office_staff)
    gone(before, landing(client), "report_to_accept")


def test_tasks_that_cannot_be_rated_say_why_until_they_can(world, office_staff, client_for):
    make_period(world, 3)
    client = client_for(office_staff)
    plan = write_plan(world.task_boluo, office_staff, submit=False)
    before = landing(client)
    rows = before.rows("not_ratable")
    # The three tasks still in planning, each with where its plan stands.
    for code in ("2016-002", "2016-003", "2016-004"):
        assert code in rows
    assert "2016-001" not in rows
    assert "the plan is a draft, not submitted" in rows
    assert "no plan written yet" in rows

    ledger.plan_submit(plan=plan, by=office_staff)
    assert "the plan awaits the office's approval" in landing(client).rows("not_ratable")
    ledger.plan_approve(plan=plan, by=office_staff, note="同意")
    after = landing(client)
    assert "2016-003" not in after.rows("not_ratable")
    assert after.nav_count == before.nav_count - 1 == after.total


def test_a_year_without_periods_asks_the_office_to_set_them_up(world, office_staff, client_for):
    client = client_for(office_staff)
    before = landing(client)
    assert "市委改革办, 2016" in before.rows("periods_missing")

    ledger.periods_ensure(office=world.office, year=2016, by=office_staff)
    after = landing(client)
    assert "periods_missing" not in after.kinds
    assert after.nav_count == after.total


# --- an office leader (主任) lands on the dashboard --------------------------------


def test_suggested_ratings_wait_for_a_leader_until_they_are_confirmed(
    world, office_staff, director, client_for
):
    march = make_period(world, 3)
    client = client_for(director)
    quiet = landing(client)
    ledger.ratings_compute_period(period=march, by=office_staff)
    before = landing(client)
    assert before.path == reverse("web:dashboard")
    assert before.nav_count == quiet.nav_count + 1
    assert "2016-03" in before.rows("rating_to_confirm")
    assert before.links["rating_to_confirm"] == [
        reverse("ledger:ratings") + f"?period={march.pk}&state=suggested"
    ]

    rating = Rating.objects.get(task=world.task_huiyang, period=march)
    ledger.rating_confirm(rating=rating, by=director)
    gone(before, landing(client), "rating_to_confirm")


def test_a_signed_closing_waits_for_a_leader_until_it_is_approved(
    world, huiyang_liaison, huiyang_head, director, client_for
):
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    client = client_for(director)
    quiet = landing(client)
    ledger.closing_sign(closing=closing, by=huiyang_head)
    before = landing(client)
    assert before.nav_count == quiet.nav_count + 1
    assert "2016-001" in before.rows("closing_to_approve")

    ledger.closing_approve(closing=closing, by=director, note="成果已见文件，节点随后补报")
    gone(before, landing(client), "closing_to_approve")


# --- a city leader (领导小组成员) lands on the dashboard ------------------------------


def test_the_periods_d_and_e_tasks_wait_for_a_city_leader_until_they_are_better(
    world, office_staff, director, city_leader, client_for
):
    august = make_period(world, 8)
    # 2016-001's first milestone (2016-06-30) is two months overdue on 2016-08-31: D.
    ledger.ratings_compute_period(period=august, by=office_staff)
    client = client_for(city_leader)
    before = landing(client)
    assert before.path == reverse("web:dashboard")
    rating = Rating.objects.get(task=world.task_huiyang, period=august)
    assert rating.grade.letter in ("D", "E")
    assert "2016-001" in before.rows("rated_worst")
    assert f"{rating.grade.letter} {rating.grade.name} in 2016-08" in before.rows("rated_worst")

    better = RatingGrade.objects.get(scale__office=world.office, scale__year=2016, letter="C")
    ledger.rating_override(
        rating=rating, by=director, grade=better, reason="方案已报批，实际进度略有滞后"
    )
    gone(before, landing(client), "rated_worst")


# --- a fixed number of queries whatever the number of rows ------------------------


def _grow(world, n: int, march, author) -> None:
    """`n` more of every ledger kind for 惠阳区's liaison and the office: tasks without a
    plan, with a returned plan, with a plan to approve, owing a report, with a report
    returned and one to accept, and ready to close (every milestone reached). Rows are
    written directly: what is measured here is the reads."""
    kinds = ("none", "rejected", "submitted", "owing", "returned", "filed", "ready")
    tasks = Task.objects.bulk_create(
        Task(
            office=world.office,
            year=2016,
            code=f"V-{kind}-{Task.objects.count()}-{i:03d}",
            title=f"批量任务 {i}",
            area=world.economy,
            lead_unit=world.huiyang,
            deliverable_kind="policy",
            start_date=dt.date(2016, 1, 1),
            deadline=dt.date(2016, 12, 31),
            status=TaskStatus.PLANNING
            if kind in ("none", "rejected", "submitted")
            else TaskStatus.IN_PROGRESS,
        )
        for kind in kinds
        for i in range(n)
    )
    by_kind = {kind: tasks[i * n : (i + 1) * n] for i, kind in enumerate(kinds)}
    Plan.objects.bulk_create(
        [
            Plan(task=t, status=PlanStatus.REJECTED, decision_note="补充")
            for t in by_kind["rejected"]
        ]
        + [Plan(task=t, status=PlanStatus.SUBMITTED) for t in by_kind["submitted"]]
    )
    in_force = Plan.objects.bulk_create(
        Plan(task=t, status=PlanStatus.APPROVED) for t in by_kind["ready"]
    )
    Milestone.objects.bulk_create(
        Milestone(
            plan=plan,
            title="出台方案",
            planned_date=dt.date(2016, 3, 31),
            weight=100,
            reached_on=dt.date(2016, 3, 20),
        )
        for plan in in_force
    )
    ProgressReport.objects.bulk_create(
        [
            ProgressReport(
                task=t,
                period=march,
                status={
                    "returned": ReportStatus.RETURNED,
                    "filed": ReportStatus.SUBMITTED,
                    "ready": ReportStatus.ACCEPTED,
                }[kind],
                done="推进",
                percent=20,
                author=author,
                return_reason="补充" if kind == "returned" else "",
            )
            for kind in ("returned", "filed", "ready")
            for t in by_kind[kind]
        ]
    )


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["huiyang_liaison", "office_staff"])
def test_next_acts_cost_the_same_queries_for_few_and_many_rows(request, world, client_for, persona):
    user = request.getfixturevalue(persona)
    march = make_period(world, 3)
    _grow(world, 1, march, user)
    client = client_for(user)
    few = landing(client)
    few_page = _queries(lambda: landing(client))
    few_reads = _queries(lambda: selectors.next_acts(user))
    _grow(world, 40, march, user)
    many = landing(client)
    assert many.total > few.total + 100
    liaison_kinds = {"plan_missing", "plan_returned", "report_due", "ready_to_close"}
    assert persona != "huiyang_liaison" or liaison_kinds <= set(few.kinds)
    assert _queries(lambda: landing(client)) == few_page
    assert _queries(lambda: selectors.next_acts(user)) == few_reads
    # The navigation's count is one query (the user's roles are read once per request);
    # office staff's tasks that cannot be rated are judged on the working year's period,
    # read in three more.
    selectors.next_acts_count(user)
    expected = {"huiyang_liaison": 1, "office_staff": 4}[persona]
    assert _queries(lambda: selectors.next_acts_count(user)) == expected
    assert selectors.next_acts_count(user) == many.total == many.nav_count
