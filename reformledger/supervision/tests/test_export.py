"""The supervision workbook: a sheet per part with its title row, what the user may see
and nothing more, dates as dates, formulas never run, every download audited, and a
bad parameter named."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.exchange.testing import open_xlsx
from reformledger.ledger.models import Task
from reformledger.supervision import services
from reformledger.supervision.documents import workbook as supervision_export
from reformledger.supervision.tests.test_api import bulk_supervision

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
URL = reverse("supervision:export_xlsx")
IN_A_WEEK = timezone.localdate() + dt.timedelta(days=7)


@pytest.fixture
def supervised(world, office_staff, director, huiyang_liaison):
    """The office's 2016 supervision: a link, a supervision meeting with an item for 博罗,
    two documents reviewed at meeting 1 with two collective reviews, orders to 惠阳 (one
    answered late) and to 博罗."""
    w, by = world, office_staff
    Task.objects.filter(pk=w.task_boluo.pk).update(is_key=True)
    w.task_boluo.refresh_from_db()
    services.leader_link_set(task=w.task_huiyang, leader=director, by=by)
    w.meeting = services.supervision_meeting_record(
        office=w.office,
        by=by,
        held_on=dt.date(2016, 5, 10),
        topic="审批改革推进专会",
        attendees="陈志远、林文秀",
        tasks=[w.task_boluo],
        actions=[services.ActionRow(w.boluo, "压缩审批时限", IN_A_WEEK, w.task_boluo)],
    )
    docs = [
        services.document_register(
            office=w.office, by=by, year=2016, title=title, drafting_unit=unit
        )
        for title, unit in (("绩效考核办法", w.huiyang), ("审批制度改革方案", w.boluo))
    ]
    w.group = services.leading_group_meeting_record(
        office=w.office,
        by=by,
        year=2016,
        held_on=dt.date(2016, 4, 20),
        attendees="周明德、陈志远",
        documents=docs,
    )
    for task, unit in ((w.task_huiyang, w.huiyang), (w.task_boluo, w.boluo)):
        services.collective_review_add(
            meeting=w.group,
            by=by,
            task=task,
            achievements=f"{task.code} 成绩",
            problems=f"{task.code} 问题",
            causes=f"{task.code} 原因",
            improvements=f"{task.code} 改进",
            actions=[services.ActionRow(unit, f"{task.code} 整改", IN_A_WEEK)],
        )
    w.order = services.order_issue(
        office=w.office,
        by=director,
        task=w.task_huiyang,
        basis="领导小组第1次会议要求",
        demand='=HYPERLINK("http://example.org")',  # must stay text
        deadline=IN_A_WEEK,
        year=2016,
    )
    w.order.__class__.objects.filter(pk=w.order.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    w.order.refresh_from_db()
    services.matter_receive(matter=w.order, by=huiyang_liaison)
    services.answer_submit(matter=w.order, by=huiyang_liaison, body="已报送")
    w.boluo_order = services.order_issue(
        office=w.office,
        by=director,
        task=w.task_boluo,
        basis="督查专会要求",
        demand="报送审批事项清单",
        deadline=IN_A_WEEK,
        level="orange",
        year=2016,
    )
    return w


def _english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def _download(client, query: str = "?year=2016"):
    response = client.get(URL + query)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    return open_xlsx(response.content)


def _rows(ws) -> list[list]:
    """The data rows (below the title and header rows)."""
    return [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]


def test_the_workbook_has_a_sheet_per_part_each_with_its_title_and_headers(
    supervised, office_staff, client_for
):
    wb = _download(_english(client_for(office_staff)))
    assert wb.sheetnames == [
        "Leader links",
        "Supervision meetings",
        "Leading group meetings",
        "Reform documents",
        "Supervision orders",
        "Action items",
    ]
    for ws in wb.worksheets:
        assert "惠州市" in ws["A1"].value and "2016" in ws["A1"].value
        assert ws["A2"].value  # the header row
    orders = wb["Supervision orders"]
    assert [c.value for c in orders[2]] == [
        "Number",
        "Level",
        "Responsible unit",
        "Task",
        "Basis",
        "Demand",
        "Issued on",
        "Deadline",
        "Status",
        "Escalations",
        "Answered late",
        "Accepted on",
    ]


def test_each_sheet_lists_the_years_rows_with_dates_as_dates(supervised, office_staff, client_for):
    w = supervised
    wb = _download(_english(client_for(office_staff)))

    (link,) = _rows(wb["Leader links"])
    assert link[1:5] == ["2016-001", "表格化捆绑式绩效考核改革", "惠阳区", "陈志远"]
    assert isinstance(link[5], dt.datetime) and link[6] is None

    (meeting,) = _rows(wb["Supervision meetings"])
    assert meeting[1] == dt.datetime(2016, 5, 10)
    assert meeting[2:5] == ["审批改革推进专会", "陈志远、林文秀", "2016-003"]
    assert meeting[6] == 1

    group = wb["Leading group meetings"]
    first, second = _rows(group)
    assert first[:2] == ["Meeting 1", dt.datetime(2016, 4, 20)]
    assert first[3] == "《绩效考核办法》\n《审批制度改革方案》"
    assert first[4:] == [
        "2016-001 表格化捆绑式绩效考核改革",
        "2016-001 成绩",
        "2016-001 问题",
        "2016-001 原因",
        "2016-001 改进",
        1,
    ]
    assert second[:4] == [None] * 4 and second[5] == "2016-003 成绩"
    assert {"A3:A4", "D3:D4"} <= {str(r) for r in group.merged_cells.ranges}

    docs = _rows(wb["Reform documents"])
    assert [(d[1], d[2], d[3], d[7]) for d in docs] == [
        ("绩效考核办法", "惠阳区", "Reviewed", "1"),
        ("审批制度改革方案", "博罗县", "Reviewed", "1"),
    ]

    orders = wb["Supervision orders"]
    first, second = _rows(orders)
    assert first[:4] == [
        "督办〔2016〕1号",
        "Blue reminder",
        "惠阳区",
        "2016-001 表格化捆绑式绩效考核改革",
    ]
    assert isinstance(first[7], dt.datetime)
    assert (first[8], first[9], first[10]) == ("Answered", 0, "Yes")
    assert (second[1], second[10]) == ("Orange warning", None)
    assert orders["B4"].fill.fgColor.rgb.endswith("FD7E14")  # the level's colour

    items = _rows(wb["Action items"])
    assert sorted(i[4] for i in items) == ["2016-001 整改", "2016-003 整改", "压缩审批时限"]
    assert {i[1] for i in items} >= {str(w.meeting)}


def test_text_that_looks_like_a_formula_stays_text(supervised, office_staff, client_for):
    wb = _download(client_for(office_staff))
    ws = wb.worksheets[4]
    cell = ws["F3"]
    assert cell.value == '=HYPERLINK("http://example.org")'
    assert cell.data_type == "s" and cell.quotePrefix


def test_a_unit_liaison_gets_only_its_orders_and_action_items(
    supervised, boluo_liaison, client_for
):
    wb = _download(client_for(boluo_liaison))
    links, meetings, groups, docs, orders, items = wb.worksheets
    assert "博罗县" in links["A1"].value
    assert _rows(links) == _rows(meetings) == _rows(groups) == []
    assert [r[0] for r in _rows(orders)] == ["督办〔2016〕2号"]
    assert {r[2] for r in _rows(items)} == {"博罗县"}
    assert [r[1] for r in _rows(docs)] == ["审批制度改革方案"]  # the document it drafts
    text = " ".join(str(v) for ws in wb.worksheets for row in _rows(ws) for v in row)
    assert "惠阳区" not in text and "2016-001" not in text


def test_the_download_is_audited_with_its_year_and_rows(supervised, office_staff, client_for):
    _download(client_for(office_staff))
    record = AuditRecord.objects.get(verb="export.ledger", changes__document__1="supervision")
    assert record.actor == office_staff
    assert record.changes["filters"][1] == {"year": 2016}
    assert record.changes["rows"][1] == 1 + 1 + 2 + 2 + 2 + 3


def test_without_a_year_the_latest_year_of_the_work_is_exported(
    supervised, office_staff, client_for
):
    wb = _download(client_for(office_staff), query="")
    assert "2016" in wb.worksheets[0]["A1"].value


@pytest.mark.parametrize("query", ["?year=abc", "?year=1999", "?year=2016&year=2017", "?year=-1"])
def test_a_bad_year_is_refused_with_the_parameter_named(
    supervised, office_staff, client_for, query
):
    client = _english(client_for(office_staff))
    before = AuditRecord.objects.filter(verb="export.ledger").count()
    response = client.get(URL + query)
    assert response.status_code == 400
    text = response.content.decode()
    assert "year" in text and ("2000" in text or "once" in text)
    assert AuditRecord.objects.filter(verb="export.ledger").count() == before


def test_someone_outside_supervision_gets_no_workbook(world, auditor, outsider, client_for):
    assert client_for(auditor).get(URL).status_code == 403
    assert client_for(outsider).get(URL).status_code == 403


def test_the_workbook_costs_the_same_queries_for_few_and_many_rows(world, office_staff):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            supervision_export.write_supervision(office_staff, year=2016)
        return len(ctx.captured_queries)

    bulk_supervision(world, office_staff, 3)
    few = queries()
    bulk_supervision(world, office_staff, 100, start=3)
    assert queries() == few
