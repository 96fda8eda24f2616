"""Fixtures of the sub-project investment tests (a plugin of theirs, so that the helpers
of `factories_investment` can be imported by the tests without pytest seeing the
fixtures' module imported twice)."""

import pytest

from reformledger.ledger import services as ledger
from reformledger.pilots.choices import PilotLevel
from reformledger.pilots.tests.factories_investment import BOLUO_SUBS, make_pilot, make_sub


@pytest.fixture
def periods(world):
    """The city office's twelve 2016 periods, all open."""
    return ledger.periods_ensure(office=world.office, year=2016)


@pytest.fixture
def water(world):
    """The water-ecology pilot (水生态文明城市建设试点) hosted by 惠阳区, with 64 sub-projects
    of 50 (10,000 yuan) planned each: SST-01…SST-60 hosted by 淡水街道 (under 惠阳),
    SST-61…SST-64 by 博罗县."""
    pilot = make_pilot(
        world,
        code="GJ-01",
        name="水生态文明城市建设试点",
        host_unit=world.huiyang,
        helping_units=[world.fgj],
    )
    for n in range(1, 65):
        code = f"SST-{n:02d}"
        host = world.boluo if code in BOLUO_SUBS else world.huiyang_town
        make_sub(pilot, code, f"水生态治理子项目{n:02d}号", host, 50)
    return pilot


@pytest.fixture
def boluo_pilot(world):
    """博罗's own municipal pilot (项目审批制度改革), with two sub-projects of its own."""
    pilot = make_pilot(
        world,
        code="SJ-01",
        name="项目审批制度改革试点",
        host_unit=world.boluo,
        level=PilotLevel.MUNICIPAL,
        granting_body="惠州市委改革办",
    )
    make_sub(pilot, "BL-01", "审批平台建设", world.boluo, 120)
    make_sub(pilot, "BL-02", "并联审批改造", world.boluo, 80)
    return pilot
