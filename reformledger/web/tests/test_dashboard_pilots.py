"""The dashboard's pilots section: pilots by level and state, investment against plan,
the county brands, innovations and their spread, indicators off track — each chart
with its table, the same numbers as the rows, at a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reformledger.indicators import services as indicators
from reformledger.indicators.models import Indicator, IndicatorTarget, IndicatorValue
from reformledger.ledger import services as ledger
from reformledger.pilots.models import (
    Adoption,
    Innovation,
    InvestmentReport,
    Pilot,
    SubProject,
)
from reformledger.web.dashboard.pilots import pilots_section

pytestmark = pytest.mark.django_db

YEAR = 2016


def _periods(w) -> list:
    return ledger.periods_ensure(office=w.office, year=YEAR, by=w.office_staff)


def _bulk(w, n: int, first: int = 0) -> None:
    """`n` pilots of each level (hosted in turn by 惠阳区, 博罗县 and the 发展改革局),
    each with two sub-projects reporting in two periods; `n` innovations, a third of
    them replicable and adopted; `n` indicators with a target and a value, every other
    one behind its path."""
    by = w.office_staff
    periods = _periods(w)[:2]
    hosts = [w.huiyang, w.boluo, w.fgj]
    pilots = Pilot.objects.bulk_create(
        Pilot(
            office=w.office,
            code=f"{level[0].upper()}{i:04d}",
            name=f"试点{level}{i}",
            level=level,
            status=("under_way", "mid_term", "approved")[i % 3],
            granting_body="国家发展改革委",
            host_unit=hosts[i % 3],
            start=dt.date(YEAR, 1, 1),
            end=dt.date(YEAR + 1, 12, 31),
            goals="目标",
            brand=f"品牌{i}" if level == "municipal" else "",
            created_by=by,
        )
        for level in ("national", "provincial", "municipal")
        for i in range(first, first + n)
    )
    Pilot.tasks.through.objects.bulk_create(
        Pilot.tasks.through(pilot_id=p.pk, task_id=w.task_huiyang.pk) for p in pilots
    )
    subs = SubProject.objects.bulk_create(
        SubProject(
            pilot=p, code=f"S{k}", name=f"子项目{k}", host_unit=p.host_unit, planned_investment=100
        )
        for p in pilots
        for k in range(2)
    )
    InvestmentReport.objects.bulk_create(
        InvestmentReport(sub_project=s, period=period, amount=30, reported_by=by)
        for s in subs
        for period in periods
    )
    units = [w.huiyang, w.boluo, w.huiyang_town]
    innovations = Innovation.objects.bulk_create(
        Innovation(
            office=w.office,
            year=YEAR,
            unit=units[i % 3],
            title=f"创新{i}",
            problem="问题",
            actions="做法",
            results="成效",
            status="replicable" if i % 3 == 0 else "proposed",
            experience="经验" if i % 3 == 0 else "",
            proposed_by=by,
        )
        for i in range(first, first + n)
    )
    Adoption.objects.bulk_create(
        Adoption(
            innovation=inn,
            unit=w.fgj,
            adopted_on=dt.date(YEAR, 6, 1),
            result="推广",
            recorded_by=by,
        )
        for inn in innovations
        if inn.status == "replicable"
    )
    rows = Indicator.objects.bulk_create(
        Indicator(
            office=w.office,
            code=f"I{i:04d}",
            name=f"指标{i}",
            measure="家",
            owner_unit=w.huiyang,
            created_by=by,
        )
        for i in range(first, first + n)
    )
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(indicator=i, year=YEAR, target=100) for i in rows
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=i, period=periods[1], value=100 if k % 2 else 1, reported_by=by)
        for k, i in enumerate(rows)
    )


def _queries(user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        pilots_section(user, YEAR)
    return len(ctx.captured_queries)


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("web:dashboard"), {"year": YEAR})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["office_staff", "huiyang_liaison", "city_leader"])
def test_the_section_runs_the_same_queries_for_10_and_many_rows(
    request, world, client_for, persona
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    _bulk(world, 10)
    few, few_page = _queries(user), _page_queries(client)
    _bulk(world, 90, first=10)
    many, many_page = _queries(user), _page_queries(client)
    assert few == many
    assert few_page == many_page
    section = pilots_section(user, YEAR)
    assert section.totals["count"] > 100
    assert len(section.spread) > 5 and section.indicators


def test_the_charts_and_their_tables_show_the_same_numbers_as_the_rows(world, office_staff):
    _bulk(world, 10)
    section = pilots_section(office_staff, YEAR)
    assert section.office == world.office
    # Pilots by level and state: one row per level, one column per state.
    rows = {r["label"]: r for r in section.by_level.rows}
    assert {label: r["total"] for label, r in rows.items()} == {
        "国家级": 10,
        "省级": 10,
        "市级": 10,
    }
    states = {s.key: s.values for s in section.by_level.series}
    assert states["under_way"] == [4, 4, 4] and states["approved"] == [3, 3, 3]
    assert section.by_level.chart["categories"] == ["国家级", "省级", "市级"]
    # Investment against plan: summed from the sub-projects and their reports.
    assert len(section.investment.rows) == 30
    row = section.investment.rows[0]
    assert (row.sub_projects, row.planned, row.completed) == (2, Decimal(200), Decimal(120))
    assert row.rate == Decimal("60.0")
    assert section.investment.totals["completed"] == Decimal(3600)
    assert section.totals["completed"] == Decimal(3600)
    series = section.investment.chart["series"]
    assert section.investment.chart["grouped"] and series[1]["values"][0] == 120.0
    # The county brands: each county with its municipal pilot.
    assert {b.unit.code for b in section.brands} == {"HZ-HY", "HZ-BL"}
    # Innovations by status and their spread.
    counts = {r["status"]: r["n"] for r in section.statuses.rows}
    assert counts["replicable"] == 4 and counts["proposed"] == 6
    assert section.replicable == 4 and len(section.spread) == 4
    assert all(s.adopters == ["市发展改革局"] for s in section.spread)
    # Indicators: those behind their path first.
    assert section.off_track == 5
    assert [r.behind for r in section.indicators] == [True] * 5 + [False] * 5


def test_the_page_shows_each_chart_with_its_table(world, office_staff, client_for):
    _bulk(world, 3)
    indicators.indicator_create(
        office=world.office,
        by=office_staff,
        code="Z-1",
        name="无数值指标",
        measure="个",
        owner_unit=world.boluo,
    )
    page = client_for(office_staff).get(reverse("web:dashboard"), {"year": YEAR})
    doc = lxml.html.fromstring(page.content)
    section = doc.xpath('//*[@data-testid="pilots"]')[0]
    for chart in ("pilots-by-level", "investment", "innovations"):
        assert section.xpath(f'.//*[@data-testid="chart-{chart}"]'), chart
        assert section.xpath(f'.//*[@data-testid="table-{chart}"]'), chart
    for table in ("table-brands", "table-spread", "table-indicators"):
        assert section.xpath(f'.//*[@data-testid="{table}"]'), table
    assert section.xpath('.//*[@data-testid="pil-national"]')[0].text_content() == "3"
    assert section.xpath('.//*[@data-testid="pil-off-track"]')[0].text_content().strip() == "2"
    # An indicator without a value says so, instead of a number.
    row = section.xpath('.//*[@data-testid="indicator-Z-1"]')[0]
    assert row.xpath('.//*[@data-testid="indicator-latest"]')[0].text_content().strip() == "—"


def test_a_county_liaison_sees_only_the_pilots_it_hosts_or_helps(world, huiyang_liaison):
    _bulk(world, 6)
    section = pilots_section(huiyang_liaison, YEAR)
    hosted = Pilot.objects.filter(host_unit=world.huiyang).count()
    assert section.totals["count"] == hosted == 6
    assert {b.unit.code for b in section.brands} == {"HZ-HY"}
    # Its indicators (it owns them all here) and every replicable experience.
    assert len(section.indicators) == 6 and len(section.spread) == 2


@pytest.mark.parametrize("persona", ["evaluator", "outsider", "auditor"])
def test_the_section_is_not_shown_to_those_who_work_neither_pilots_nor_indicators(
    request, world, client_for, persona
):
    _bulk(world, 3)
    user = request.getfixturevalue(persona)
    assert pilots_section(user, YEAR) is None
    page = client_for(user).get(reverse("web:dashboard"), {"year": YEAR})
    assert b'data-testid="pilots"' not in page.content


def test_without_rows_each_part_says_why_it_is_empty(world, office_staff, client_for):
    indicators.indicator_create(
        office=world.office,
        by=office_staff,
        code="Z-1",
        name="指标",
        measure="个",
        owner_unit=world.boluo,
    )
    page = client_for(office_staff).get(reverse("web:dashboard"), {"year": YEAR})
    doc = lxml.html.fromstring(page.content)
    for empty in ("empty-pilots-by-level", "empty-investment", "empty-brands", "empty-spread"):
        assert doc.xpath(f'//*[@data-testid="{empty}"]'), empty
