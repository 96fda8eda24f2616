"""Indicators of the test world: the zombie enterprises shut down (reported by 市发展改革局),
all zombie enterprises, their closure rate (a ratio), and 惠阳区's own indicator; the
office's monthly periods of 2016."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from reformledger.indicators import services
from reformledger.ledger.services.periods import periods_ensure


@pytest.fixture
def periods(world):
    """The office's twelve monthly periods of 2016, by month (1…12)."""
    return {p.number: p for p in periods_ensure(office=world.office, year=2016)}


@pytest.fixture
def zombies(world, office_staff, periods):
    """Closed (市发展改革局 reports), total, and closure rate = closed / total × 100."""
    z = SimpleNamespace()
    z.closed = services.indicator_create(
        office=world.office,
        by=office_staff,
        code="Z-01",
        name="国有僵尸企业出清户数",
        measure="户",
        owner_unit=world.fgj,
        baseline=Decimal(0),
        baseline_year=2015,
        source="市国资委",
        tasks=[world.task_helped],
    )
    z.total = services.indicator_create(
        office=world.office,
        by=office_staff,
        code="Z-02",
        name="国有僵尸企业总户数",
        measure="户",
        owner_unit=world.fgj,
    )
    z.rate = services.indicator_create(
        office=world.office,
        by=office_staff,
        code="Z-03",
        name="国有僵尸企业出清率",
        measure="%",
        owner_unit=world.fgj,
        kind="ratio",
        numerator=z.closed,
        denominator=z.total,
        scale=100,
        decimals=1,
        baseline=Decimal(0),
    )
    return z


@pytest.fixture
def loans(world, office_staff):
    """惠阳区's indicator: firms financed through the risk compensation fund."""
    return services.indicator_create(
        office=world.office,
        by=office_staff,
        code="F-01",
        name="风险补偿资金支持企业户数",
        measure="家",
        owner_unit=world.huiyang,
        baseline=Decimal(0),
        tasks=[world.task_huiyang],
    )
