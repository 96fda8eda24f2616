"""Progress reports (进展报告): who files them, lateness, acceptance marking milestones
reached, returns, frozen periods, and the pages that carry them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import selectors, services
from reformledger.ledger.choices import PeriodStatus, PlanStatus, ReportStatus
from reformledger.ledger.models import (
    Evidence,
    Milestone,
    Period,
    ProgressReport,
    ReachedMilestone,
    Task,
)
from reformledger.ledger.tests.test_evidence import EXE, pdf, upload
from tests.files import PNG


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def periods(world):
    """The city office's twelve 2016 periods (all open)."""
    return services.periods_ensure(office=world.office, year=2016)


@pytest.fixture
def june(periods):
    return next(p for p in periods if p.number == 6)


def milestones(task) -> list[Milestone]:
    return list(
        Milestone.objects.filter(plan__task=task, plan__status=PlanStatus.APPROVED).order_by(
            "order"
        )
    )


def draft(task, period, by, **fields):
    values = {"done": "完成考核方案起草", "percent": 40, **fields}
    return services.report_save(task=task, period=period, by=by, **values)


def counts():
    return (ProgressReport.objects.count(), AuditRecord.objects.count())


def refused_on(field: str, act) -> None:
    before = counts()
    with pytest.raises(ValidationError) as refused:
        act()
    assert field in refused.value.message_dict, refused.value.message_dict
    assert counts() == before


# --- who may file --------------------------------------------------------------


def test_the_lead_units_liaison_writes_a_draft_with_reached_milestones(
    world, june, huiyang_liaison
):
    first = milestones(world.task_huiyang)[0]
    report = draft(
        world.task_huiyang,
        june,
        huiyang_liaison,
        problems="部分乡镇进度慢",
        reached=[(first, dt.date(2016, 6, 28))],
    )

    row = ProgressReport.objects.get(task=world.task_huiyang, period=june)
    assert row.pk == report.pk
    assert row.status == ReportStatus.DRAFT
    assert row.author == huiyang_liaison
    assert row.percent == 40
    assert [(r.milestone, r.reached_on) for r in row.reached.all()] == [
        (first, dt.date(2016, 6, 28))
    ]
    record = AuditRecord.objects.get(verb="report.created")
    assert record.ctx_id == str(world.task_huiyang.pk)


def test_saving_again_updates_the_same_draft(world, june, huiyang_liaison):
    draft(world.task_huiyang, june, huiyang_liaison)
    draft(world.task_huiyang, june, huiyang_liaison, percent=55, done="全区推开")

    row = ProgressReport.objects.get(task=world.task_huiyang, period=june)
    assert (row.percent, row.done) == (55, "全区推开")
    assert AuditRecord.objects.get(verb="report.edited").changes["percent"] == [40, 55]


def test_a_helping_unit_cannot_file_its_lead_units_report(world, june, huiyang_liaison):
    # 惠阳 helps on 2016-002, which 发改局 leads.
    with pytest.raises(PermissionDenied):
        draft(world.task_helped, june, huiyang_liaison)
    assert not ProgressReport.objects.exists()


def test_a_helping_unit_gets_403_on_the_report_page(world, june, huiyang_liaison, client_for):
    url = reverse("ledger:report_file", args=[world.task_helped.pk])
    assert client_for(huiyang_liaison).get(url).status_code == 403


def test_another_units_report_page_is_a_404(world, june, boluo_liaison, client_for):
    url = reverse("ledger:report_file", args=[world.task_huiyang.pk])
    assert client_for(boluo_liaison).get(url).status_code == 404


# --- what a report must say ----------------------------------------------------


def test_a_report_for_a_frozen_period_is_refused(world, june, huiyang_liaison):
    Period.objects.filter(pk=june.pk).update(status=PeriodStatus.CLOSED)
    refused_on("period", lambda: draft(world.task_huiyang, june, huiyang_liaison))


def test_a_draft_of_a_period_frozen_since_cannot_be_submitted(world, june, huiyang_liaison):
    report = draft(world.task_huiyang, june, huiyang_liaison)
    Period.objects.filter(pk=june.pk).update(status=PeriodStatus.CLOSED)
    with pytest.raises(ValidationError) as refused:
        services.report_submit(report=report, by=huiyang_liaison)
    assert "period" in refused.value.message_dict
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


@pytest.mark.parametrize("percent", [-1, 101, None])
def test_percent_outside_0_100_is_refused_naming_percent(world, june, huiyang_liaison, percent):
    refused_on("percent", lambda: draft(world.task_huiyang, june, huiyang_liaison, percent=percent))


def test_an_empty_report_is_refused_naming_done(world, june, huiyang_liaison):
    refused_on("done", lambda: draft(world.task_huiyang, june, huiyang_liaison, done="  "))


def test_a_milestone_of_another_tasks_plan_is_refused_naming_reached(
    world, june, huiyang_liaison, office_staff
):
    other = Milestone.objects.create(
        plan=world.task_boluo.plans.create(status=PlanStatus.APPROVED, created_by=office_staff),
        title="别的任务节点",
        planned_date=dt.date(2016, 5, 1),
        weight=100,
    )
    refused_on(
        "reached",
        lambda: draft(
            world.task_huiyang, june, huiyang_liaison, reached=[(other, dt.date(2016, 5, 2))]
        ),
    )


def test_a_milestone_reached_in_the_future_is_refused_naming_reached(world, june, huiyang_liaison):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    first = milestones(world.task_huiyang)[0]
    refused_on(
        "reached",
        lambda: draft(world.task_huiyang, june, huiyang_liaison, reached=[(first, tomorrow)]),
    )


# --- submit, accept, return ----------------------------------------------------


def test_a_late_report_is_accepted_with_its_days_late(world, june, huiyang_liaison, office_staff):
    Period.objects.filter(pk=june.pk).update(report_due=timezone.localdate() - dt.timedelta(days=3))
    june.refresh_from_db()
    report = services.report_submit(
        report=draft(world.task_huiyang, june, huiyang_liaison), by=huiyang_liaison
    )
    assert report.days_late == 3

    services.report_accept(report=report, by=office_staff)

    row = ProgressReport.objects.get(pk=report.pk)
    assert row.status == ReportStatus.ACCEPTED
    assert row.days_late == 3
    assert row.decided_by == office_staff
    submitted = AuditRecord.objects.get(verb="report.submitted")
    assert submitted.changes["days_late"] == [None, 3]


def test_a_report_on_time_has_no_lateness(world, june, huiyang_liaison):
    Period.objects.filter(pk=june.pk).update(report_due=timezone.localdate())
    june.refresh_from_db()
    report = services.report_submit(
        report=draft(world.task_huiyang, june, huiyang_liaison), by=huiyang_liaison
    )
    assert report.days_late == 0 and not report.is_late


def test_accepting_marks_the_reported_milestones_reached(
    world, june, huiyang_liaison, office_staff
):
    first, second = milestones(world.task_huiyang)
    report = draft(
        world.task_huiyang, june, huiyang_liaison, reached=[(first, dt.date(2016, 6, 20))]
    )
    services.report_submit(report=report, by=huiyang_liaison)
    first.refresh_from_db()
    assert first.reached_on is None  # not before the office accepts

    services.report_accept(report=report, by=office_staff)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.reached_on == dt.date(2016, 6, 20)
    assert second.reached_on is None
    record = AuditRecord.objects.get(verb="report.accepted")
    assert record.changes["milestones"] == [None, ["出台考核方案 · 2016-06-20"]]


def test_accepting_twice_is_a_conflict_and_happens_once(
    world, june, huiyang_liaison, office_staff, director
):
    report = services.report_submit(
        report=draft(world.task_huiyang, june, huiyang_liaison), by=huiyang_liaison
    )
    stale = ProgressReport.objects.get(pk=report.pk)  # the second tab's copy
    services.report_accept(report=report, by=office_staff)

    with pytest.raises(ConflictError):
        services.report_accept(report=stale, by=director)
    assert AuditRecord.objects.filter(verb="report.accepted").count() == 1
    assert ProgressReport.objects.get(pk=report.pk).decided_by == office_staff


def test_a_liaison_cannot_accept_a_report(world, june, huiyang_liaison):
    report = services.report_submit(
        report=draft(world.task_huiyang, june, huiyang_liaison), by=huiyang_liaison
    )
    with pytest.raises(PermissionDenied):
        services.report_accept(report=report, by=huiyang_liaison)


def test_a_returned_report_is_corrected_and_resubmitted(world, june, huiyang_liaison, office_staff):
    report = services.report_submit(
        report=draft(world.task_huiyang, june, huiyang_liaison), by=huiyang_liaison
    )
    refused_on("reason", lambda: services.report_return(report=report, by=office_staff, reason=""))

    services.report_return(report=report, by=office_staff, reason="请补充佐证材料")
    returned = ProgressReport.objects.get(pk=report.pk)
    assert (returned.status, returned.return_reason) == (ReportStatus.RETURNED, "请补充佐证材料")

    draft(world.task_huiyang, june, huiyang_liaison, done="已补充材料", percent=45)
    services.report_submit(report=returned, by=huiyang_liaison)
    again = ProgressReport.objects.get(pk=report.pk)
    assert (again.status, again.percent) == (ReportStatus.SUBMITTED, 45)
    assert [r.verb for r in AuditRecord.objects.filter(verb__startswith="report.")] == [
        "report.created",
        "report.submitted",
        "report.returned",
        "report.edited",
        "report.submitted",
    ]


def test_a_submitted_report_is_not_changed_by_a_stale_save(world, june, huiyang_liaison):
    report = draft(world.task_huiyang, june, huiyang_liaison)
    services.report_submit(report=report, by=huiyang_liaison)
    with pytest.raises(ConflictError):
        draft(world.task_huiyang, june, huiyang_liaison, percent=90)
    assert ProgressReport.objects.get(pk=report.pk).percent == 40


# --- pages ---------------------------------------------------------------------


def test_the_liaison_files_a_report_with_evidence_on_the_page(
    world, june, huiyang_liaison, client_for
):
    first = milestones(world.task_huiyang)[0]
    client = client_for(huiyang_liaison)
    url = reverse("ledger:report_file", args=[world.task_huiyang.pk])
    assert client.get(url, {"period": june.pk}).status_code == 200

    response = client.post(
        url,
        {
            "period": june.pk,
            "done": "完成考核方案",
            "problems": "",
            "next_steps": "全区推开",
            "percent": 40,
            f"reached_{first.pk}": "2016-06-28",
            "files": [pdf("方案.pdf"), upload("照片.png", PNG)],
            "submit": "1",
        },
    )

    assert response.status_code == 302
    report = ProgressReport.objects.get(task=world.task_huiyang, period=june)
    assert report.status == ReportStatus.SUBMITTED
    assert sorted(e.original_name for e in report.evidence.all()) == ["方案.pdf", "照片.png"]
    assert ReachedMilestone.objects.get(report=report).reached_on == dt.date(2016, 6, 28)
    page = client.get(reverse("ledger:task_reports", args=[world.task_huiyang.pk]))
    assert "方案.pdf" in page.content.decode()


def test_a_forbidden_file_on_the_page_is_named_and_nothing_is_saved(
    world, june, huiyang_liaison, client_for, media
):
    response = client_for(huiyang_liaison).post(
        reverse("ledger:report_file", args=[world.task_huiyang.pk]),
        {"period": june.pk, "done": "完成", "percent": 10, "files": [upload("通知.pdf", EXE)]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_the_office_accepts_from_the_inbox(world, june, huiyang_liaison, office_staff, client_for):
    report = services.report_submit(
        report=draft(world.task_huiyang, june, huiyang_liaison), by=huiyang_liaison
    )
    client = client_for(office_staff)
    inbox = client.get(reverse("ledger:reports"))
    assert [r.pk for r in inbox.context["page"]] == [report.pk]
    assert inbox.context["page"][0].can_decide

    response = client.post(reverse("ledger:report_accept", args=[report.pk]))

    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED
    assert not client.get(reverse("ledger:reports")).context["page"].object_list


def test_a_liaison_posting_accept_gets_403(world, june, huiyang_liaison, client_for):
    report = services.report_submit(
        report=draft(world.task_huiyang, june, huiyang_liaison), by=huiyang_liaison
    )
    response = client_for(huiyang_liaison).post(reverse("ledger:report_accept", args=[report.pk]))
    assert response.status_code == 403
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_the_inbox_filters_by_unit(world, june, huiyang_liaison, boluo_liaison, office_staff):
    services.report_submit(
        report=draft(world.task_huiyang, june, huiyang_liaison), by=huiyang_liaison
    )
    rows = selectors.reports_inbox(office_staff, unit=world.boluo)
    assert list(rows) == []
    rows = selectors.reports_inbox(office_staff, unit=world.huiyang, period=june)
    assert [r.task for r in rows] == [world.task_huiyang]


def _submitted_reports(world, period, n: int) -> None:
    tasks = Task.objects.bulk_create(
        Task(
            office=world.office,
            year=2016,
            code=f"R-{i:04d}",
            title=f"报告任务 {i}",
            area=world.economy,
            lead_unit=world.huiyang if i % 2 else world.boluo,
            deliverable_kind="policy",
            start_date=dt.date(2016, 1, 1),
            deadline=dt.date(2016, 12, 31),
            status="in_progress",
        )
        for i in range(n)
    )
    author = world.office_staff
    reports = ProgressReport.objects.bulk_create(
        ProgressReport(
            task=t,
            period=period,
            status=ReportStatus.SUBMITTED,
            done="批量",
            percent=50,
            author=author,
            submitted_at=timezone.now(),
            days_late=i % 3,
        )
        for i, t in enumerate(tasks)
    )
    Evidence.objects.bulk_create(
        Evidence(
            task=r.task,
            report=r,
            file=f"evidence/{r.task_id}/x.pdf",
            original_name="x.pdf",
            size=10,
            content_type="application/pdf",
            sha256="0" * 64,
            uploaded_by=author,
        )
        for r in reports
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["office_staff", "huiyang_liaison"])
def test_the_inbox_runs_the_same_queries_for_5_and_120_reports(
    request, world, june, client_for, settings, persona
):
    settings.LEDGER_PAGE_SIZE = 500
    client = client_for(request.getfixturevalue(persona))
    _submitted_reports(world, june, 5)
    small = _queries(client, reverse("ledger:reports"))
    Evidence.objects.all().delete()
    ProgressReport.objects.all().delete()
    Task.objects.filter(code__startswith="R-").delete()
    _submitted_reports(world, june, 120)
    large = _queries(client, reverse("ledger:reports"))
    assert small == large


def test_the_task_reports_include_lists_status_lateness_and_files(
    world, june, huiyang_liaison, office_staff, rf
):
    Period.objects.filter(pk=june.pk).update(report_due=timezone.localdate() - dt.timedelta(2))
    june.refresh_from_db()
    report = draft(world.task_huiyang, june, huiyang_liaison)
    services.evidence_add(
        task=world.task_huiyang, by=huiyang_liaison, upload=pdf("进展.pdf"), report=report
    )
    services.report_submit(report=report, by=huiyang_liaison)
    request = rf.get("/")
    request.user = office_staff
    html = render_to_string(
        "ledger/reports/_task_reports.html",
        {
            "task": world.task_huiyang,
            "acts": {"accept_report": True, "report": True},
            "reports": selectors.reports_of(world.task_huiyang),
        },
        request=request,
    )
    assert 'data-status="submitted"' in html
    assert 'data-testid="days-late"' in html
    assert "进展.pdf" in html
    assert reverse("ledger:report_accept", args=[report.pk]) in html


def test_the_report_page_opens_on_the_first_period_without_a_submitted_report(
    world, periods, huiyang_liaison
):
    jan = periods[0]
    services.report_submit(
        report=draft(world.task_huiyang, jan, huiyang_liaison), by=huiyang_liaison
    )
    state = selectors.report_form_state(world.task_huiyang)
    assert state.period == periods[1]
    assert [m.title for m in state.milestones] == ["出台考核方案", "全区推开并总结"]
