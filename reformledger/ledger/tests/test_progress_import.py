"""Progress reports by Excel: a unit fills in its period's sheet and imports it."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils.translation import override

from reformledger.audit.models import AuditRecord
from reformledger.exchange.errors import ImportRefused
from reformledger.exchange.models import ImportJob
from reformledger.exchange.testing import edit_xlsx, open_xlsx, workbook
from reformledger.ledger.choices import ReportStatus
from reformledger.ledger.documents.progress_sheet import report_tasks, write_report_sheet
from reformledger.ledger.models import Period, ProgressReport
from reformledger.ledger.services.imports import progress_import


@pytest.fixture
def june(world):
    return Period.objects.create(
        office=world.office,
        year=2016,
        number=6,
        start=dt.date(2016, 6, 1),
        end=dt.date(2016, 6, 30),
        report_due=dt.date(2016, 7, 5),
    )


def sheet_for(user, period) -> bytes:
    return write_report_sheet(report_tasks(user, period), period=period, title="进展报告")


def fill(wb):
    reports, reached = wb.worksheets[0], wb.worksheets[1]
    reports["C3"], reports["F3"] = "考核方案已出台", 45  # 2016-001
    reached["E2"] = "2016年6月28日"  # its first milestone


def test_a_liaisons_sheet_lists_the_tasks_it_reports_on(world, huiyang_liaison, june):
    wb = open_xlsx(sheet_for(huiyang_liaison, june))

    reports, reached = wb.worksheets[0], wb.worksheets[1]
    assert [reports.cell(r, 1).value for r in range(3, reports.max_row + 1)] == [
        "2016-001",
        "2016-004",
    ]  # not 2016-002, which 惠阳 only helps on
    assert [reached.cell(r, 3).value for r in range(2, reached.max_row + 1)] == [
        "出台考核方案",
        "全区推开并总结",
    ]


def test_a_filled_sheet_writes_the_report_and_again_changes_nothing(world, huiyang_liaison, june):
    data = edit_xlsx(sheet_for(huiyang_liaison, june), fill)

    counts = progress_import(data=data, file_name="r.xlsx", period=june, by=huiyang_liaison)

    assert counts == {"saved": 1, "unchanged": 0}
    report = ProgressReport.objects.get(task=world.task_huiyang, period=june)
    assert (report.done, report.percent, report.status) == (
        "考核方案已出台",
        45,
        ReportStatus.DRAFT,
    )
    assert [(r.milestone.title, r.reached_on) for r in report.reached.all()] == [
        ("出台考核方案", dt.date(2016, 6, 28))
    ]
    audit_count = AuditRecord.objects.count()
    again = progress_import(data=data, file_name="r.xlsx", period=june, by=huiyang_liaison)
    assert again == {"saved": 0, "unchanged": 1}
    assert AuditRecord.objects.count() == audit_count


def test_a_row_for_a_task_the_unit_only_helps_is_refused_and_nothing_written(
    world, huiyang_liaison, june
):
    header = ["任务编号", "本期完成情况", "完成进度(%)"]
    data = workbook({"进展": [header, ["2016-001", "已出台", 40], ["2016-002", "配合调研", 20]]})

    with override("en"), pytest.raises(ImportRefused) as caught:
        progress_import(data=data, file_name="r.xlsx", period=june, by=huiyang_liaison)

    assert [(e.sheet, e.row, e.column) for e in caught.value.errors] == [
        ("进展", 3, "任务编号 (A)")
    ]
    assert not ProgressReport.objects.exists()


def test_a_submitted_report_is_not_changed_by_a_file(world, huiyang_liaison, june):
    ProgressReport.objects.create(
        task=world.task_huiyang,
        period=june,
        status=ReportStatus.SUBMITTED,
        done="旧内容",
        percent=30,
        author=huiyang_liaison,
    )
    data = workbook(
        {"进展": [["任务编号", "本期完成情况", "完成进度"], ["2016-001", "新内容", 50]]}
    )

    with override("en"), pytest.raises(ImportRefused) as caught:
        progress_import(data=data, file_name="r.xlsx", period=june, by=huiyang_liaison)

    assert "already" in caught.value.errors[0].message
    assert ProgressReport.objects.get().done == "旧内容"


def test_the_page_imports_for_a_liaison_and_refuses_a_unit_head(
    world, huiyang_liaison, huiyang_head, june, client_for
):
    head = client_for(huiyang_head)
    assert head.get(reverse("ledger:reports_import")).status_code == 403
    client = client_for(huiyang_liaison)
    template = client.get(reverse("ledger:reports_template") + f"?period={june.pk}")
    upload = io.BytesIO(edit_xlsx(template.content, fill))
    upload.name = "reports.xlsx"

    response = client.post(reverse("ledger:reports_import"), {"period": june.pk, "file": upload})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.REVIEW
    assert job.preview["counts"]["save"] == 1 and job.preview["errors"] == []
    assert not ProgressReport.objects.filter(task=world.task_huiyang, period=june).exists()
    client.post(reverse("exchange:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.summary == {"saved": 1, "unchanged": 0}
    assert ProgressReport.objects.filter(task=world.task_huiyang, period=june).exists()
