"""The pilot registry as Excel, a pilot's one-page summary as Word, and the investment
sheet download: what each file holds, for whom, and its audit record."""

import datetime as dt
import io
from decimal import Decimal

import docx
import pytest
from django.urls import reverse
from docx.oxml.ns import qn

from reformledger.audit.models import AuditRecord
from reformledger.exchange.testing import open_xlsx
from reformledger.ledger import services as ledger
from reformledger.pilots import services as pilots
from reformledger.pilots.choices import AcceptanceResult, PilotLevel
from reformledger.pilots.documents.summary_docx import summary_docx
from reformledger.pilots.models import SubProject
from reformledger.pilots.services import investment_report
from reformledger.pilots.tests.factories_investment import make_pilot, make_sub

#: The fixtures of pilots and periods (water, boluo_pilot, periods).
pytest_plugins = ["reformledger.pilots.tests.fixtures_investment"]


@pytest.fixture
def culture(world, office_staff):
    """The culture card pilot (文化惠民卡), accepted first in its group and third in the
    eastern region, then concluded; hosted by 市发改局, with one sub-project of its own."""
    by = office_staff
    pilot = make_pilot(
        world, code="GJ-02", name="文化惠民卡试点", host_unit=world.fgj, granting_body="文化部"
    )
    make_sub(pilot, "WH-01", "文化惠民卡平台", world.fgj, 300)
    pilot = pilots.pilot_open_mid_term(pilot=pilot, by=by)
    pilots.pilot_review(
        pilot=pilot,
        by=by,
        reviewed_on=dt.date(2016, 6, 1),
        reviewer="第三方评估机构",
        findings="进展顺利，持卡人数超过预期。",
    )
    pilot = pilots.pilot_open_acceptance(pilot=pilot, by=by)
    pilots.pilot_record_acceptance(
        pilot=pilot,
        by=by,
        accepting_body="文化部、财政部",
        accepted_on=dt.date(2016, 11, 20),
        result=AcceptanceResult.PASSED,
        score=Decimal("95.5"),
        rank_text="同批次第一名，东部地区第三名",
        group_rank=1,
        region="东部地区",
        region_rank=3,
    )
    return pilots.pilot_conclude(
        pilot=pilot, by=by, experience="以卡为媒，整合公共文化资源，形成可复制推广经验。"
    )


@pytest.fixture
def reported(world, huiyang_liaison, boluo_liaison, water, periods):
    sub = SubProject.objects.get
    investment_report(
        sub_project=sub(code="SST-01"), period=periods[4], amount=1000, by=huiyang_liaison
    )
    investment_report(
        sub_project=sub(code="SST-02"), period=periods[5], amount=500, by=huiyang_liaison
    )
    investment_report(
        sub_project=sub(code="SST-61"), period=periods[5], amount=100, by=boluo_liaison
    )
    return water


def _rows(data: bytes) -> list[list]:
    ws = open_xlsx(data).worksheets[0]
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_registry_export_holds_every_pilot_with_its_figures(
    world, office_staff, client_for, reported, culture, boluo_pilot
):
    response = client_for(office_staff).get(reverse("pilots:export_registry"))

    assert response.status_code == 200
    rows = _rows(response.content)
    assert rows[0][0] == "惠州市改革试点台账"
    header = rows[1]
    assert header[:4] == ["序号", "级别", "编号", "试点名称"]
    by_code = {r[2]: dict(zip(header, r, strict=True)) for r in rows[2:]}
    assert list(by_code) == ["GJ-01", "GJ-02", "SJ-01"]  # national first, then municipal
    water_row = by_code["GJ-01"]
    assert water_row["子项目数"] == 64
    assert water_row["计划投资（万元）"] == 3200
    assert water_row["完成投资（万元）"] == 1600
    assert water_row["完成率"] == pytest.approx(0.5)
    assert water_row["牵头单位"] == "惠阳区"
    assert water_row["配合单位"] == "市发展改革局"
    culture_row = by_code["GJ-02"]
    assert culture_row["验收排名"] == "同批次第一名，东部地区第三名"
    assert culture_row["完成率"] == 0
    record = AuditRecord.objects.get(verb="export.created")
    assert record.changes["document"] == [None, "pilot_registry"]
    assert record.changes["rows"] == [None, 3]


def test_the_registry_export_holds_only_what_the_user_sees(
    world, boluo_liaison, client_for, reported, culture, boluo_pilot
):
    rows = _rows(client_for(boluo_liaison).get(reverse("pilots:export_registry")).content)

    # 博罗 hosts four of the water pilot's sub-projects and its own pilot; not the culture card.
    assert [r[2] for r in rows[2:]] == ["GJ-01", "SJ-01"]


def test_the_registry_export_filters_by_level(world, office_staff, client_for, water, boluo_pilot):
    response = client_for(office_staff).get(
        reverse("pilots:export_registry"), {"level": PilotLevel.MUNICIPAL}
    )

    assert [r[2] for r in _rows(response.content)[2:]] == ["SJ-01"]


def test_the_summary_holds_the_name_totals_and_acceptance_rank(
    world, office_staff, client_for, culture, periods
):
    culture.tasks.set([world.task_huiyang, world.task_helped])
    rating = ledger.rating_compute(task=world.task_huiyang, period=periods[5])

    response = client_for(office_staff).get(reverse("pilots:summary_docx", args=[culture.pk]))

    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "文化惠民卡试点" in text
    assert "同批次第一名，东部地区第三名" in text
    assert "进展顺利" in text
    assert "300.00" in cells and "0.00" in cells and "0.0%" in cells
    assert "2016-001" in cells and f"{rating.grade.letter}（2016-06）" in cells
    assert "未评价" in cells  # 2016-002 has no rating yet
    # Chinese text names its East Asian font (python-docx sets only the Latin one).
    title = document.paragraphs[0].runs[0]._element
    assert title.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
    record = AuditRecord.objects.get(verb="export.created")
    assert record.changes["document"] == [None, "pilot_summary"]


def test_the_summary_of_a_pilot_with_investment_shows_its_rate(world, reported):
    document = docx.Document(io.BytesIO(summary_docx(reported)))

    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert cells[-4:] == ["64", "3,200.00", "1,600.00", "50.0%"]
    assert "尚未验收" in "\n".join(p.text for p in document.paragraphs)


def test_a_unit_that_does_not_see_the_pilot_gets_no_summary(
    world, huiyang_liaison, client_for, boluo_pilot
):
    response = client_for(huiyang_liaison).get(
        reverse("pilots:summary_docx", args=[boluo_pilot.pk])
    )

    assert response.status_code == 404
    assert not AuditRecord.objects.filter(verb="export.created").exists()


def test_the_investment_sheet_download_is_recorded_and_scoped(
    world, boluo_liaison, fgj_liaison, client_for, water, periods
):
    url = reverse("pilots:investment_sheet", args=[water.pk])

    response = client_for(boluo_liaison).get(url, {"period": periods[5].pk})

    assert response.status_code == 200
    rows = _rows(response.content)
    assert [r[1] for r in rows[3:7]] == ["SST-61", "SST-62", "SST-63", "SST-64"]
    assert AuditRecord.objects.get(verb="export.created").changes["document"] == [
        None,
        "investment_sheet",
    ]
    # A helping unit reads the pilot but reports on none of its sub-projects.
    assert client_for(fgj_liaison).get(url).status_code == 403


def test_the_registry_costs_the_same_queries_whatever_the_number_of_pilots(
    world, reported, boluo_pilot
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reformledger.pilots.documents.registry_export import write_registry
    from reformledger.pilots.models import Pilot

    with CaptureQueriesContext(connection) as two:
        write_registry(Pilot.objects.all())
    for n in range(3):
        make_pilot(world, code=f"SJ-1{n}", name=f"县区品牌{n}", host_unit=world.boluo)
    with CaptureQueriesContext(connection) as five:
        _data, rows = write_registry(Pilot.objects.all())

    assert rows == 5
    assert len(five) == len(two)
