"""The daily reminders: who is told what, once, and at what cost."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reformledger.audit.models import AuditRecord
from reformledger.ledger.choices import ClosingStatus, PlanStatus, ReportStatus, TaskStatus
from reformledger.ledger.models import Milestone, ReachedMilestone, Task
from reformledger.ledger.selectors import reminders as selectors
from reformledger.ledger.services import reminders as services
from reformledger.notifications.models import Notification
from reformledger.notifications.tests.conftest import file_report, make_period, request_closing
from reformledger.orgs.choices import Role, UnitKind
from tests.factories import MembershipFactory, MilestoneFactory, PlanFactory, UnitFactory


def send(day: dt.date) -> dict[str, int]:
    with translation.override("en"):
        return services.reminders_send(day)


def sent_to(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


# --- Progress reports ------------------------------------------------------------


def test_report_due_in_three_days_reminds_the_lead_units_liaison(
    world, huiyang_liaison, huiyang_head
):
    march = make_period(world, 3)  # due 2016-04-05
    counts = send(dt.date(2016, 4, 2))
    assert counts["report_due"] == 1
    [notice] = sent_to(huiyang_liaison, "report_due")
    assert notice.task == world.task_huiyang
    # It opens the report form of the period, as the liaison's next act does.
    assert notice.link == f"/ledger/tasks/{world.task_huiyang.pk}/report/?period={march.pk}"
    assert f"period={march.pk}" in notice.key
    assert "2016-001" in notice.title and "2016-04-05" in notice.title
    # The head is told only once the report is late.
    assert sent_to(huiyang_head, "report_due") == []


def test_report_due_later_than_three_days_waits(world, huiyang_liaison):
    make_period(world, 3)
    assert send(dt.date(2016, 4, 1))["report_due"] == 0


def test_filed_report_stops_its_reminder(world, huiyang_liaison):
    march = make_period(world, 3)
    file_report(world.task_huiyang, march, huiyang_liaison, on=dt.date(2016, 4, 1))
    assert send(dt.date(2016, 4, 3))["report_due"] == 0


def test_draft_report_does_not_count_as_filed(world, huiyang_liaison):
    march = make_period(world, 3)
    file_report(world.task_huiyang, march, huiyang_liaison, status=ReportStatus.DRAFT)
    assert send(dt.date(2016, 4, 3))["report_due"] == 1


def test_late_report_reminds_liaison_and_head(world, huiyang_liaison, huiyang_head):
    march = make_period(world, 3)
    counts = send(dt.date(2016, 4, 8))
    assert counts["report_late"] == 2
    [to_liaison] = sent_to(huiyang_liaison, "report_late")
    [to_head] = sent_to(huiyang_head, "report_late")
    # Each opens where its reader acts: the liaison the report form, the head (who
    # does not file reports) the task's reports.
    task = world.task_huiyang.pk
    assert to_liaison.link == f"/ledger/tasks/{task}/report/?period={march.pk}"
    assert to_head.link == f"/ledger/tasks/{task}/reports/"


def test_only_the_latest_lapsed_period_is_chased(world, huiyang_liaison):
    make_period(world, 2)
    march = make_period(world, 3)
    send(dt.date(2016, 4, 8))
    [notice] = sent_to(huiyang_liaison, "report_late")
    assert notice.key.endswith(f"period={march.pk}")


def test_closed_period_is_not_chased(world, huiyang_liaison):
    make_period(world, 3, status="closed")
    assert send(dt.date(2016, 4, 8))["report_late"] == 0


def test_tasks_still_in_planning_owe_no_report(world, boluo_liaison):
    make_period(world, 3)
    assert world.task_boluo.status == TaskStatus.PLANNING
    send(dt.date(2016, 4, 8))
    assert sent_to(boluo_liaison, "report_late") == []


def test_unit_without_liaison_falls_back_to_the_unit_above(world, huiyang_liaison):
    # 淡水街道 (a town of 惠阳) has no liaison of its own: 惠阳's liaison is told.
    Task.objects.filter(pk=world.task_town.pk).update(status=TaskStatus.IN_PROGRESS)
    make_period(world, 3)
    send(dt.date(2016, 4, 3))
    tasks = {n.task_id for n in sent_to(huiyang_liaison, "report_due")}
    assert tasks == {world.task_huiyang.pk, world.task_town.pk}


def test_unit_with_its_own_liaison_is_not_reported_above(world, huiyang_liaison):
    town_liaison = MembershipFactory(unit=world.huiyang_town, role=Role.UNIT_REPORTER).user
    Task.objects.filter(pk=world.task_town.pk).update(status=TaskStatus.IN_PROGRESS)
    make_period(world, 3)
    send(dt.date(2016, 4, 3))
    assert [n.task_id for n in sent_to(town_liaison, "report_due")] == [world.task_town.pk]
    assert world.task_town.pk not in {n.task_id for n in sent_to(huiyang_liaison, "report_due")}


# --- Milestones -------------------------------------------------------------------


def test_milestone_due_within_a_week_reminds_the_liaison(world, huiyang_liaison):
    counts = send(dt.date(2016, 6, 24))  # 出台考核方案 is planned for 2016-06-30
    assert counts["milestone_due"] == 1
    [notice] = sent_to(huiyang_liaison, "milestone_due")
    assert "出台考核方案" in notice.title
    assert notice.task == world.task_huiyang


def test_overdue_milestone_reminds_the_liaison(world, huiyang_liaison, huiyang_head):
    counts = send(dt.date(2016, 7, 5))
    assert counts["milestone_overdue"] == 1
    assert len(sent_to(huiyang_liaison, "milestone_overdue")) == 1
    assert sent_to(huiyang_head, "milestone_overdue") == []


def test_reached_milestone_sends_nothing(world, huiyang_liaison):
    Milestone.objects.filter(plan__task=world.task_huiyang).update(reached_on=dt.date(2016, 6, 1))
    counts = send(dt.date(2016, 7, 5))
    assert counts["milestone_overdue"] == counts["milestone_due"] == 0


def test_milestone_a_filed_report_says_was_reached_sends_nothing(world, huiyang_liaison):
    june = make_period(world, 6)
    report = file_report(world.task_huiyang, june, huiyang_liaison, on=dt.date(2016, 7, 2))
    first = Milestone.objects.filter(plan__task=world.task_huiyang).order_by("order").first()
    ReachedMilestone.objects.create(report=report, milestone=first, reached_on=dt.date(2016, 6, 28))
    assert send(dt.date(2016, 7, 5))["milestone_overdue"] == 0


def test_milestones_of_a_plan_not_approved_send_nothing(world, boluo_liaison):
    plan = PlanFactory(task=world.task_boluo, status=PlanStatus.DRAFT)
    MilestoneFactory(plan=plan, planned_date=dt.date(2016, 3, 1))
    send(dt.date(2016, 7, 5))
    assert sent_to(boluo_liaison, "milestone_overdue") == []


# --- Closing requests -------------------------------------------------------------


def test_closing_request_awaiting_signature_reminds_the_unit_head(
    world, huiyang_liaison, huiyang_head
):
    request_closing(world.task_huiyang, huiyang_liaison)
    counts = send(dt.date(2016, 12, 1))
    assert counts["closing_to_sign"] == 1
    assert len(sent_to(huiyang_head, "closing_to_sign")) == 1
    assert sent_to(huiyang_liaison, "closing_to_sign") == []


def test_signed_closing_request_reminds_the_office_leaders(
    world, director, office_staff, huiyang_liaison
):
    request_closing(world.task_huiyang, huiyang_liaison, status=ClosingStatus.SIGNED)
    counts = send(dt.date(2016, 12, 1))
    assert counts["closing_to_approve"] == 1
    assert len(sent_to(director, "closing_to_approve")) == 1
    assert sent_to(office_staff, "closing_to_approve") == []


def test_closing_request_pending_over_a_week_is_stale_for_the_office_staff(
    world, director, office_staff, huiyang_liaison
):
    request_closing(world.task_huiyang, huiyang_liaison, status=ClosingStatus.SIGNED, days_ago=8)
    counts = send(dt.date(2016, 12, 1))
    assert counts["closing_stale"] == 1
    [notice] = sent_to(office_staff, "closing_stale")
    assert "8" in notice.title
    assert sent_to(director, "closing_stale") == []


def test_fresh_closing_request_is_not_stale(world, office_staff, huiyang_liaison):
    request_closing(world.task_huiyang, huiyang_liaison, days_ago=6)
    assert send(dt.date(2016, 12, 1))["closing_stale"] == 0


def test_decided_closing_request_sends_nothing(world, director, huiyang_head, huiyang_liaison):
    request_closing(world.task_huiyang, huiyang_liaison, status=ClosingStatus.REJECTED)
    counts = send(dt.date(2016, 12, 1))
    assert counts["closing_to_sign"] == counts["closing_to_approve"] == 0


# --- Once only, and the run itself ------------------------------------------------


def test_second_run_on_the_same_day_sends_nothing_new(
    world, huiyang_liaison, huiyang_head, director, office_staff
):
    make_period(world, 6)
    request_closing(world.task_huiyang, huiyang_liaison, status=ClosingStatus.SIGNED, days_ago=9)
    day = dt.date(2016, 7, 8)
    first = send(day)
    assert sum(first.values()) >= 5
    total = Notification.objects.count()
    second = send(day)
    assert sum(second.values()) == 0
    assert Notification.objects.count() == total


def test_run_writes_one_audit_record_with_the_counts(world, huiyang_liaison, huiyang_head):
    make_period(world, 3)
    send(dt.date(2016, 4, 8))
    record = AuditRecord.objects.get(verb="reminders.sent")
    assert record.changes == {"report_late": [None, 2]}
    send(dt.date(2016, 4, 8))  # nothing new: no record
    assert AuditRecord.objects.filter(verb="reminders.sent").count() == 1


def test_liaison_without_email_still_gets_the_notice_in_the_app(world, huiyang_liaison, mailoutbox):
    huiyang_liaison.email = ""
    huiyang_liaison.save(update_fields=["email"])
    make_period(world, 3)
    send(dt.date(2016, 4, 3))
    [notice] = sent_to(huiyang_liaison, "report_due")
    assert notice.emailed_at is None
    assert mailoutbox == []


def test_reminders_are_emailed_once(world, huiyang_liaison, mailoutbox):
    make_period(world, 3)
    send(dt.date(2016, 4, 3))
    send(dt.date(2016, 4, 3))
    assert [m.to for m in mailoutbox] == [[huiyang_liaison.email]]
    assert Notification.objects.get(recipient=huiyang_liaison).emailed_at is not None


def test_inactive_membership_is_not_reminded(world, huiyang_liaison, huiyang_head):
    huiyang_liaison.memberships.update(is_active=False)
    make_period(world, 3)
    send(dt.date(2016, 4, 8))
    assert sent_to(huiyang_liaison, "report_late") == []
    assert len(sent_to(huiyang_head, "report_late")) == 1


def test_send_reminders_command_prints_counts_per_kind(world, huiyang_liaison):
    make_period(world, 3)
    out = io.StringIO()
    call_command("send_reminders", "--today", "2016-04-03", stdout=out)
    assert "report_due: 1" in out.getvalue()
    assert "total: 1" in out.getvalue()
    assert len(sent_to(huiyang_liaison, "report_due")) == 1


def test_send_reminders_command_refuses_a_bad_date(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "2016/04/03")


def test_send_reminders_command_can_hand_the_run_to_the_queue(world, huiyang_liaison):
    # The queue runs immediately in tests, so the queued run has happened on return.
    out = io.StringIO()
    make_period(world, 3)
    call_command("send_reminders", "--today", "2016-04-03", "--queue", stdout=out)
    assert "queued" in out.getvalue()
    assert len(sent_to(huiyang_liaison, "report_due")) == 1


# --- Cost: bulk reads, not a query per task ------------------------------------


def _grow(world, n: int) -> None:
    """n more lead units, each with a liaison and an in-progress task whose plan has
    an overdue milestone and a closing request awaiting signature."""
    for i in range(n):
        unit = UnitFactory(parent=world.city, kind=UnitKind.DEPARTMENT)
        MembershipFactory(unit=unit, role=Role.UNIT_REPORTER)
        MembershipFactory(unit=unit, role=Role.UNIT_HEAD)
        task = Task.objects.create(
            office=world.office,
            year=2016,
            code=f"V-{n}-{i:04d}",
            title=f"批量任务 {i}",
            area=world.economy,
            lead_unit=unit,
            deliverable_kind="policy",
            start_date=dt.date(2016, 1, 1),
            deadline=dt.date(2016, 12, 31),
            status=TaskStatus.IN_PROGRESS,
        )
        MilestoneFactory(plan=PlanFactory(task=task), planned_date=dt.date(2016, 3, 1))
        request_closing(task, world.office_staff)


def _reads(day: dt.date) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        due = selectors.reminders_due(day)
    return len(ctx.captured_queries), len(due)


def test_reminder_reads_cost_the_same_for_few_and_many_tasks(world, huiyang_liaison):
    make_period(world, 3)
    day = dt.date(2016, 4, 8)
    _grow(world, 3)
    few_queries, few_due = _reads(day)
    _grow(world, 60)
    many_queries, many_due = _reads(day)
    assert many_due > few_due + 3 * 60 - 1  # late report, overdue milestone, closing
    assert few_queries == many_queries
