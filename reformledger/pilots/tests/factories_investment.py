"""Test data of sub-project investment: pilots and sub-projects registered through the
pilots' services, the 2016 periods of the city office, and workbooks shaped as offices
keep them.

Its fixtures (`periods`, `water`, `boluo_pilot`) are in `fixtures_investment`, which
the investment tests load as a plugin:

    pytest_plugins = ["reformledger.pilots.tests.fixtures_investment"]
"""

import datetime as dt
from decimal import Decimal

from reformledger.exchange.testing import workbook
from reformledger.pilots import services as pilots
from reformledger.pilots.choices import PilotLevel
from reformledger.pilots.models import Pilot, SubProject

#: Sub-projects of the water-ecology pilot hosted by 博罗县 (the rest: 惠阳's town).
BOLUO_SUBS = ("SST-61", "SST-62", "SST-63", "SST-64")


def make_pilot(world, *, code: str, name: str, host_unit, start: bool = True, **fields) -> Pilot:
    """A pilot registered by the office through its services, approved and (with
    `start`) under way."""
    by = world.office_staff
    values = {
        "office": world.office,
        "code": code,
        "name": name,
        "level": PilotLevel.NATIONAL,
        "granting_body": "水利部",
        "host_unit": host_unit,
        "start": dt.date(2015, 9, 1),
        "end": dt.date(2017, 12, 31),
        "goals": "建成水生态文明城市，水环境质量明显改善。",
    } | fields
    pilot = pilots.pilot_register(by=by, **values)
    if start:
        pilot = pilots.pilot_approve(
            pilot=pilot, by=by, approval_no="水资源函〔2015〕12号", approved_on=dt.date(2015, 8, 1)
        )
        pilot = pilots.pilot_start(pilot=pilot, by=by)
    return Pilot.objects.get(pk=pilot.pk)


def make_sub(pilot: Pilot, code: str, name: str, host_unit, planned) -> SubProject:
    """A sub-project added by the office through its service."""
    return pilots.sub_project_create(
        pilot=pilot,
        by=pilot.created_by,
        code=code,
        name=name,
        host_unit=host_unit,
        planned_investment=Decimal(planned),
    )


def office_sheet(
    rows: list[list], *, title: str = "水生态文明城市建设试点子项目投资完成情况表"
) -> bytes:
    """A sheet as a host unit keeps it: a title row, a 填报单位 row, headers merged over
    two rows (投资情况（万元） over 计划投资 / 本期完成), `rows`, a 合计 row and a note."""
    head = [
        [title, None, None, None, None, None, None],
        ["填报单位：惠阳区发改局（盖章）", None, None, "填报时间：2016年7月5日", None, None, None],
        ["序号", "子项目编号", "项目名称", "责任单位", "投资情况（万元）", None, "备注"],
        [None, None, None, None, "计划总投资", "本期完成", None],
    ]
    foot = [
        ["合计", None, None, None, "3,200", "=SUM(F5:F9)", None],
        ["注：本表金额单位为万元。", None, None, None, None, None, None],
    ]
    return workbook(
        {"惠阳投资": head + rows + foot},
        merges={"惠阳投资": ["A1:G1", "E3:F3", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "G3:G4"]},
    )
