"""The Huizhou 2016 demo: it loads, it holds the report's facts, and loading it twice
changes nothing."""

import datetime as dt
import hashlib
import re
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of, verify_chain
from reformledger.demo import cycle_data, data
from reformledger.demo.loader import load_demo
from reformledger.ledger.choices import (
    OPEN_STATUSES,
    ClosingStatus,
    PeriodStatus,
    PlanStatus,
    RatingStatus,
    ReportStatus,
    TaskStatus,
)
from reformledger.ledger.models import (
    ClosingRequest,
    Evidence,
    Milestone,
    Period,
    Plan,
    ProgressReport,
    Rating,
    ReachedMilestone,
    ReformSystem,
    Task,
)
from reformledger.ledger.permissions import visible_tasks
from reformledger.ledger.selectors.staleness import staleness_by_unit
from reformledger.notifications.models import Notification
from reformledger.orgs.models import Membership, Unit, UnitName

pytestmark = pytest.mark.django_db

CITY = {"office__code": data.CITY_OFFICE, "year": 2016}


def city_task(code: str) -> Task:
    return Task.objects.get(code=code, **CITY)


def row_counts() -> dict[str, int]:
    """Rows of every model the demo writes to, by model."""
    labels = ("accounts", "orgs", "ledger", "audit", "notifications", "supervision")
    return {
        model._meta.label: model.objects.count()
        for label in labels
        for model in apps.get_app_config(label).get_models()
    }


def test_demo_loads_a_2016_city_ledger_of_at_least_60_tasks(demo):
    tasks = Task.objects.filter(**CITY)
    assert tasks.count() >= 60
    assert 12 <= tasks.filter(is_key=True).count() <= 18
    assert not tasks.filter(is_key=True, responsible_leader__isnull=True).exists()
    assert {t.source for t in tasks} == {"deployed", "own", "grassroots"}
    assert tasks.filter(depends_on__isnull=False).exists()
    assert tasks.filter(helping_units__isnull=False).distinct().count() > 40
    assert not tasks.filter(work_point__isnull=True).exists()
    assert not tasks.exclude(start_date__year=2016).exists()
    assert max(t.deadline for t in tasks).isoformat() == "2016-12-31"


def test_the_five_systemic_reforms_are_named_as_in_the_report_and_have_tasks(demo):
    names = list(ReformSystem.objects.values_list("name", flat=True))
    assert names == [
        "市场化法治化营商环境体系改革",
        "基层治理全领域改革",
        "狠抓项目落地全流程改革",
        "提高效率狠抓工作落实全过程改革",
        "全面深化改革的体制机制改革",
    ]
    for system in ReformSystem.objects.all():
        assert system.tasks.filter(**CITY).count() >= 2, system.name


def test_the_five_action_plans_are_subtasks_of_the_supply_side_plan(demo):
    plan = city_task("2016-001")
    assert "供给侧结构性改革" in plan.title
    titles = [t.title for t in plan.subtasks.order_by("code")]
    assert len(titles) == 5
    for action in ("去产能", "去库存", "去杠杆", "降成本", "补短板"):
        assert any(action in title for title in titles), action


@pytest.mark.parametrize(
    "fragments",
    [
        ("336户", "74%"),
        ("66家企业", "3.5亿元"),
        ("64个", "30亿元"),
        ("减少行政审批事项15项", "增加公共服务事项38项"),
        ("国家改革试点18项", "省改革试点44项"),
        ("专项评估（17项）", "第三方评估", "3项"),
        ("会议3次", "12个重要改革文件"),
        ("小组第一", "东部地区）第三"),
        ("社会信用体系建设试点",),
        ("居住证制度",),
        ("商事制度改革",),
        ("基本公共服务均等化",),
        ("一门式一网式",),
        ("互联网+政务服务",),
    ],
)
def test_the_reports_figures_are_in_the_ledger(demo, fragments):
    tasks = Task.objects.filter(**CITY)
    for fragment in fragments:
        tasks = tasks.filter(description__contains=fragment)
    assert tasks.exists(), fragments


@pytest.mark.parametrize(
    ("brand", "county"),
    [
        ("表格化捆绑式绩效考核", "HZ-HY"),
        ("项目审批制度改革", "HZ-BL"),
        ("两图工作法", "HZ-DYW"),
        ("农村金融改革", "HZ-HD"),
        ("强村固组", "HZ-HC"),
        ("科技金融体制改革", "HZ-ZK"),
        ("城乡生活垃圾", "HZ-LM"),
    ],
)
def test_each_county_brand_is_led_by_its_county(demo, brand, county):
    task = Task.objects.get(title__contains=brand, **CITY)
    assert task.lead_unit.code == county
    assert task.source == "grassroots"


def test_plans_show_every_step_of_approval(demo):
    tasks = Task.objects.filter(**CITY)
    assert tasks.filter(plans__status=PlanStatus.APPROVED).count() >= 55
    pending = {p.task.code: p.status for p in Plan.objects.exclude(status="approved")}
    assert "draft" in pending.values()
    assert "submitted" in pending.values()
    assert "rejected" in pending.values()
    for plan in Plan.objects.filter(status=PlanStatus.APPROVED).prefetch_related("milestones"):
        milestones = list(plan.milestones.all())
        assert 3 <= len(milestones) <= 5, plan
        assert sum(m.weight for m in milestones) == 100, plan
        assert all(plan.task.start_date <= m.planned_date <= plan.task.deadline for m in milestones)
    # A plan never approved in 2016 leaves its task unstarted: carried into 2017.
    for plan in Plan.objects.filter(task__year=2016).exclude(status__in=["approved", "superseded"]):
        assert plan.task.status == TaskStatus.CARRIED_OVER
        assert not plan.milestones.filter(reached_on__isnull=False).exists()


def test_one_plan_was_revised_with_a_reason(demo):
    task = city_task(data.REVISION["task"])
    revisions = list(task.plans.order_by("revision").values_list("revision", "status", "reason"))
    assert revisions == [
        (1, PlanStatus.SUPERSEDED, ""),
        (2, PlanStatus.APPROVED, data.REVISION["reason"]),
    ]
    verbs = list(history_of(task).values_list("verb", flat=True))
    assert verbs.count("plan.approved") == 2
    assert "plan.revision_started" in verbs


def test_milestones_are_reached_through_accepted_reports(demo):
    milestones = Milestone.objects.filter(plan__status=PlanStatus.APPROVED, plan__task__year=2016)
    reached = milestones.filter(reached_on__isnull=False)
    assert reached.count() > 150
    for m in reached.select_related("plan"):
        # The revised plan copied its reached dates; every other one came from a report.
        if m.plan.revision > 1:
            continue
        assert ReachedMilestone.objects.filter(
            milestone=m, reached_on=m.reached_on, report__status=ReportStatus.ACCEPTED
        ).exists(), m
    # Unfinished work is left open on the tasks carried over.
    open_ = milestones.filter(reached_on__isnull=True)
    assert open_.exists()
    assert not open_.exclude(plan__task__status=TaskStatus.CARRIED_OVER).exists()


def test_a_renamed_unit_keeps_its_old_name(demo):
    unit = Unit.objects.get(code="HZ-ZWB")
    assert unit.name == "惠州市政务服务管理办公室"
    names = list(UnitName.objects.filter(unit=unit).values_list("name", "valid_until"))
    assert names[0][0] == "惠州市行政服务中心管理办公室"
    assert names[0][1].isoformat() == "2016-07-01"
    assert names[1] == ("惠州市政务服务管理办公室", None)


def test_the_unit_tree_is_whole(demo):
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    city = Unit.objects.get(code="HZ")
    county_office = Unit.objects.get(code=data.COUNTY_OFFICE)
    assert Unit.objects.get_parent(county_office).code == "HZ-HY"
    assert Unit.objects.filter(path__startswith=city.path).count() == len(data.UNITS)
    assert Unit.objects.filter(kind="county").count() == 5
    assert Unit.objects.filter(kind="zone").count() == 2


def test_loading_twice_writes_no_row_and_no_audit_record(demo):
    before = row_counts()
    last = AuditRecord.objects.order_by("-id").first()
    result = load_demo()
    assert not result.created
    assert row_counts() == before
    assert AuditRecord.objects.order_by("-id").first() == last


def test_every_change_of_the_demo_is_in_a_whole_audit_chain(demo):
    assert verify_chain() is None
    created = AuditRecord.objects.filter(verb__in=["task.created", "task.carried_in"]).count()
    assert created == Task.objects.count()
    for kind in ("unit.created", "user.created", "membership.granted", "area.created"):
        assert AuditRecord.objects.filter(verb=kind).exists(), kind
    # Each act of the year has its record, written by the service that did it.
    assert AuditRecord.objects.filter(verb="report.accepted").count() == (
        ProgressReport.objects.filter(status=ReportStatus.ACCEPTED).count()
    )
    assert AuditRecord.objects.filter(
        verb__in=["rating.confirmed", "rating.overridden"]
    ).count() == (Rating.objects.exclude(status=RatingStatus.SUGGESTED).count())
    assert AuditRecord.objects.filter(verb="closing.approved").count() == (
        ClosingRequest.objects.filter(status=ClosingStatus.APPROVED).count()
    )


def test_every_demo_login_holds_its_role_and_the_shared_password(demo):
    user_model = get_user_model()
    extra = {(username, (role, unit)) for username, role, unit, _title in data.EXTRA_ROLES}
    for username, full_name, _title, role, unit, _person_unit, staff in (
        *data.ACCOUNTS,
        *data.HEAD_ACCOUNTS,
    ):
        user = user_model.objects.get(username=username)
        assert user.check_password(data.DEMO_PASSWORD), username
        assert user.full_name == full_name
        assert user.person.name == full_name
        roles = set(Membership.objects.filter(user=user).values_list("role", "unit__code"))
        assert roles == {(role, unit)} | {r for name, r in extra if name == username}, username
        assert user.is_staff is staff
        assert not user.is_superuser
    assert user_model.objects.get(username="director").person.title == "主任"
    assert user_model.objects.get(username="deputy").person.title == "副主任"
    assert user_model.objects.filter(is_staff=True).get().username == "sysadmin"


def test_huiyang_liaison_sees_only_tasks_huiyang_leads_or_helps(demo):
    liaison = get_user_model().objects.get(username="huiyang")
    huiyang = Unit.objects.get(code="HZ-HY")
    seen = set(visible_tasks(liaison).values_list("pk", flat=True))
    related = set(
        Task.objects.filter(lead_unit__path__startswith=huiyang.path).values_list("pk", flat=True)
    ) | set(
        Task.objects.filter(helping_units__path__startswith=huiyang.path).values_list(
            "pk", flat=True
        )
    )
    assert seen == related
    assert city_task("2016-019").pk in seen  # its own brand
    assert city_task("2016-041").pk in seen  # helped by one of its towns
    assert city_task("2016-001").pk not in seen
    assert Task.objects.filter(office__code=data.COUNTY_OFFICE, year=2016).count() == 3


def test_county_office_keeps_its_own_ledger(demo):
    staff = get_user_model().objects.get(username="hy_office")
    seen = visible_tasks(staff)
    county = seen.filter(office__code=data.COUNTY_OFFICE, year=2016)
    assert set(county.values_list("code", flat=True)) == {"HY2016-01", "HY2016-02", "HY2016-03"}
    # The city's pilot given to 惠阳区 shows in the county office too.
    assert seen.filter(pk=city_task("2016-019").pk).exists()


# --- the year 2016: reports, ratings, closings, reminders, carry-over -------------------


def final_grades() -> Counter:
    """The rating in force of every task in every 2016 period, counted by letter."""
    ratings = Rating.objects.filter(period__year=2016).select_related("final", "suggested")
    return Counter(r.grade.letter for r in ratings)


def test_the_year_is_rated_every_month_mostly_b_some_a_and_c_few_d_and_e(demo):
    grades = final_grades()
    total = sum(grades.values())
    assert total > 600  # some 60 tasks in progress, rated monthly
    assert grades.most_common(1)[0][0] == "B"
    assert grades["B"] > total / 2
    assert grades["A"] >= total * 0.05
    assert grades["C"] >= total * 0.05
    assert 0 < grades["D"] <= total * 0.06
    assert 0 < grades["E"] <= total * 0.03
    # Every month of the city ledger has its own mix, and every rating is decided.
    for number in range(1, 13):
        assert Rating.objects.filter(period__office__code=data.CITY_OFFICE, period__number=number)
    assert not Rating.objects.filter(period__year=2016, status=RatingStatus.SUGGESTED).exists()


def test_a_few_suggestions_were_overridden_with_a_written_reason(demo):
    overridden = Rating.objects.filter(status=RatingStatus.OVERRIDDEN).select_related(
        "task", "period", "final", "suggested"
    )
    assert 2 <= overridden.count() <= 6
    for rating in overridden:
        assert rating.override_reason.strip()
        assert rating.final != rating.suggested
    assert {(r.task.code, r.period.number, r.final.letter) for r in overridden} == {
        (code, number, letter) for code, number, letter, _why in cycle_data.OVERRIDES
    }


def test_every_2016_period_is_closed_on_a_date_after_it_ended(demo):
    periods = Period.objects.filter(year=2016)
    assert periods.count() == 24  # the city's and 惠阳's monthly periods
    for period in periods:
        assert period.status == PeriodStatus.CLOSED, period
        assert period.closed_at.date() > period.report_due, period
        assert period.closed_at.year in (2016, 2017)


def test_reports_are_monthly_mostly_on_time_with_some_late_and_some_returned(demo):
    reports = ProgressReport.objects.filter(task__year=2016).select_related("period")
    total = reports.count()
    late = reports.filter(days_late__gt=0)
    assert total > 600
    assert 0.02 * total <= late.count() <= 0.12 * total
    assert not reports.exclude(status=ReportStatus.ACCEPTED).exists()
    for report in reports:
        submitted = timezone.localdate(report.submitted_at)
        assert submitted.year in (2016, 2017)
        assert report.days_late == max(0, (submitted - report.period.report_due).days) or (
            report.return_reason  # a corrected report keeps the lateness of its first filing
        )
    returned = reports.exclude(return_reason="")
    assert returned.count() == len(cycle_data.RETURNED)
    assert AuditRecord.objects.filter(verb="report.returned").count() == returned.count()
    # One unit added the missing file when it filed again.
    assert Evidence.objects.filter(report__in=returned).exists()


def test_tasks_that_skipped_reports_for_months_come_out_stalled(demo):
    stalled = Rating.objects.filter(suggested__letter="E").select_related("task", "period")
    assert stalled.exists()
    for rating in stalled:
        n = rating.period.number
        filed = ProgressReport.objects.filter(
            task=rating.task, period__number__in=[n - 2, n - 1, n]
        )
        assert not filed.exists(), rating
    # And the other way round: a task that skipped the reports of the two periods before
    # one and of that one too is suggested E in it, for want of its reports (when a
    # period is rated, its own report is not due yet; filed, it is the latest).
    skipped = [
        (code, n)
        for code, spec in cycle_data.CYCLE.items()
        for n in sorted(spec.get("skip", ()))
        if {n - 2, n - 1} <= spec["skip"]
    ]
    assert len(skipped) >= 8
    for code, n in skipped:
        rating = Rating.objects.select_related("suggested").get(
            task__code=code, task__year=2016, period__number=n
        )
        assert rating.suggested.letter == "E", (code, n)
        assert any("No progress report" in str(r.get("msg", r)) for r in rating.reasons), (
            code,
            n,
        )


def test_closed_tasks_are_in_the_closed_ledger_with_their_documents(demo):
    closed = Task.objects.filter(year=2016, status=TaskStatus.CLOSED)
    assert closed.count() >= 40  # most of the year's tasks are done
    approvals = ClosingRequest.objects.filter(status=ClosingStatus.APPROVED, task__in=closed)
    in_year = approvals.filter(decided_at__lt=timezone.make_aware(dt.datetime(2016, 12, 20)))
    assert 15 <= in_year.count() <= 25
    for closing in approvals.select_related("task", "signed_by", "decided_by"):
        assert re.fullmatch(r"\w+〔2016〕\d+号", closing.document_no), closing.document_no
        assert closing.document_date.year == 2016
        assert closing.signed_by and closing.decided_by
        assert timezone.localdate(closing.decided_at).year == 2016
        files = list(closing.evidence.all())
        assert files, closing
        for evidence in files:
            content = evidence.file.read()
            assert hashlib.sha256(content).hexdigest() == evidence.sha256
            if evidence.original_name.endswith(".pdf"):
                assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
            else:
                assert "演示" in content.decode("utf-8")
    office = get_user_model().objects.get(username="office")
    client = Client()
    client.force_login(office)
    page = client.get(reverse("ledger:closed"), {"year": 2016})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == closed.count()
    first = client.get(reverse("ledger:closed"), {"year": 2016, "q": "2016-037"})
    assert "2016-037" in first.content.decode()  # the first closed, in July


def test_one_closing_request_was_rejected_with_its_reason_and_then_approved(demo):
    code, _requested, _rejected, reason = cycle_data.REJECTED_CLOSING
    task = city_task(code)
    statuses = list(task.closings.order_by("requested_at").values_list("status", "reject_reason"))
    assert statuses == [(ClosingStatus.REJECTED, reason), (ClosingStatus.APPROVED, "")]
    assert task.status == TaskStatus.CLOSED


def test_a_closed_task_was_reopened_with_its_reason_and_carried_over(demo):
    code, _day, reason, _words = cycle_data.REOPENED
    task = city_task(code)
    reopened = history_of(task).filter(verb="task.reopened").get()
    assert reopened.reason == reason
    assert task.closings.filter(status=ClosingStatus.APPROVED).exists()
    assert task.status == TaskStatus.CARRIED_OVER


def test_unfinished_tasks_are_carried_into_2017_keeping_their_history(demo):
    carried = Task.objects.filter(year=2017, carried_from__isnull=False).select_related(
        "carried_from"
    )
    assert 3 <= carried.count() <= 15  # a handful, not the year's list
    for task in carried:
        old = task.carried_from
        assert old is not None and old.year == 2016, task
        assert old.status == TaskStatus.CARRIED_OVER
        assert task.status in OPEN_STATUSES  # planned again in 2017 (test_live_year.py)
        assert (task.office_id, task.code) == (old.office_id, old.code)
        assert timezone.localdate(task.created_at) == cycle_data.CARRY_OVER_ON
    in_progress = carried.filter(carried_from__reports__isnull=False).distinct()
    assert in_progress.count() >= 3  # worked on in 2016, not finished
    assert not Task.objects.filter(year=2016, status__in=OPEN_STATUSES).exists()


def test_reminders_were_sent_in_2016_and_some_were_ignored(demo):
    sent = Notification.objects.filter(task__year=2016)
    assert sent.count() > 50
    assert not sent.exclude(created_at__year=2016).exists()
    unread = sent.filter(read_at__isnull=True)
    assert unread.exists()
    assert sent.filter(read_at__isnull=False).count() > unread.count()
    # The staleness page counts them as ignored for the units still holding open tasks.
    rows = staleness_by_unit(get_user_model().objects.get(username="office"))
    ignored = {r.unit_id: r.ignored_reminders for r in rows if r.ignored_reminders}
    assert Unit.objects.get(code="HZ-HY-ZL").pk in ignored


def test_the_rows_of_the_year_carry_their_2016_dates_and_say_so(demo):
    for model, stamp in (
        (ProgressReport, "decided_at"),
        (Rating, "decided_at"),
        (ClosingRequest, "requested_at"),
        (Evidence, "uploaded_at"),
    ):
        years = {d.year for d in model.objects.values_list(stamp, flat=True) if d}
        assert years <= {2016, 2017}, model
    record = AuditRecord.objects.filter(verb="demo.dated").get()
    # 2017's acts are done on their own days (live.py): nothing of 2017 is dated after.
    reports = ProgressReport.objects.filter(task__year=2016)
    assert record.changes["reports"] == [None, reports.count()]
    assert record.changes["ratings"] == [None, Rating.objects.filter(period__year=2016).count()]
