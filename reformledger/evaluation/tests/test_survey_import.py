"""The satisfaction survey (满意度调查) by Excel: a sheet as offices keep it (a title and a
note above a two-row merged header, 小计/合计 rows, full-width digits, rates written
"85%" or "85.0") imports all or nothing with every error named by sheet, row and
column; the same file twice changes nothing; the pages preview before they write."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import override

from reformledger.audit.models import AuditRecord
from reformledger.evaluation.models import SurveyResult
from reformledger.evaluation.services.survey import survey_sheet_import
from reformledger.exchange.errors import ImportRefused
from reformledger.exchange.models import ImportJob
from reformledger.exchange.testing import workbook


def messy(rate_b="８５％", satisfied_c="１７０") -> bytes:
    rows = [
        ["惠州市2016年商事制度改革群众满意度调查结果汇总表", None, None, None, None],
        ["填报单位：第三方评估组　　调查时间：2017年2月", None, None, None, None],
        ["序号", "调查项目", "调查结果", None, None],
        [None, None, "有效样本数", "满意人数", "满意率"],
        [1, "企业开办便利度", "２００", satisfied_c, rate_b],
        [2, "“先照后证”改革成效", 300, None, "85.0"],
        [3, "企业年报公示服务", 100, 92, None],
        ["小计", None, 600, 517, None],
        [4, "窗口服务态度", 50, 45, 0.9],
        ["合计", None, 650, 562, "86.5%"],
        ["注：满意率=满意人数/有效样本数。", None, None, None, None],
    ]
    return workbook(
        {"满意度调查": rows}, merges={"满意度调查": ["A1:E1", "A2:E2", "C3:E3", "A3:A4", "B3:B4"]}
    )


def state():
    return (
        sorted(SurveyResult.objects.values_list("item", "respondents", "satisfied", "rate")),
        AuditRecord.objects.count(),
    )


def test_a_messy_sheet_imports_and_twice_changes_nothing(ev, office_staff):
    result = survey_sheet_import(
        data=messy(), file_name="满意度.xlsx", evaluation=ev.special, by=office_staff
    )
    assert result == {"saved": 4, "unchanged": 0}
    rows = {r.item: r for r in SurveyResult.objects.all()}
    assert rows["企业开办便利度"].respondents == 200 and rows["企业开办便利度"].satisfied == 170
    assert rows["企业开办便利度"].rate == Decimal("85.00")
    assert rows["“先照后证”改革成效"].satisfied == 255
    assert rows["企业年报公示服务"].rate == Decimal("92.00")
    assert rows["窗口服务态度"].rate == Decimal("90.00")
    before = state()
    again = survey_sheet_import(
        data=messy(), file_name="满意度.xlsx", evaluation=ev.special, by=office_staff
    )
    assert again == {"saved": 0, "unchanged": 4}
    assert state() == before


def test_errors_are_named_by_sheet_row_and_column_and_nothing_is_written(ev, office_staff):
    before = state()
    with override("en"):
        with pytest.raises(ImportRefused) as exc:
            survey_sheet_import(
                data=messy(rate_b="很满意", satisfied_c="250"),
                file_name="满意度.xlsx",
                evaluation=ev.special,
                by=office_staff,
            )
        texts = [str(e) for e in exc.value.errors]
    assert any(t.startswith("Sheet 满意度调查, row 5, column 满意人数 (D)") for t in texts), texts
    assert any(t.startswith("Sheet 满意度调查, row 5, column 满意率 (E)") for t in texts), texts
    assert state() == before


def test_the_pages_preview_then_write_on_confirm(ev, office_staff, client_for):
    client = client_for(office_staff)
    upload = SimpleUploadedFile("满意度.xlsx", messy())
    response = client.post(
        reverse("evaluation:survey_import", args=[ev.special.pk]), {"file": upload}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get(kind="evaluation_survey")
    assert job.status == ImportJob.Status.REVIEW and job.preview["counts"]["save"] == 4
    assert not SurveyResult.objects.exists()
    page = client.get(reverse("exchange:job", args=[job.pk]))
    assert "企业开办便利度" in page.content.decode()
    client.post(reverse("exchange:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert SurveyResult.objects.count() == 4


def test_evaluator_may_not_import(ev, evaluator, client_for):
    url = reverse("evaluation:survey_import", args=[ev.special.pk])
    assert client_for(evaluator).get(url).status_code == 403
