"""The assessment's test world: the shared 2016 city ledger with its twelve periods
closed, a year-end rating for each task and two supervision orders.

- 2016-001 (惠阳区, key task): rated D in December → a yellow card for 惠阳区;
- 2016-002 (市发展改革局): rated B; 2016-003 (博罗县): rated A;
- 2016-004 (淡水街道, a town of 惠阳区): rated C, counted for 惠阳区;
- 督办〔2016〕1号 to 博罗县: answered on time; 督办〔2016〕2号 to 市发展改革局:
  unanswered past its deadline → a yellow card for the department.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from reformledger.assessment import services
from reformledger.ledger.models import Period, Rating
from reformledger.ledger.services.periods import periods_ensure
from reformledger.ledger.services.ratings import scale_for
from reformledger.supervision.models import Answer, SupervisionOrder

YEAR = 2016


def _rate(task, period, grade):
    return Rating.objects.create(
        task=task,
        period=period,
        suggested=grade,
        final=grade,
        status="confirmed",
        computed_at=dt.datetime(YEAR, 12, 31, 12, tzinfo=dt.UTC),
    )


def _order(world, unit, task, number, *, by, deadline, status="open"):
    return SupervisionOrder.objects.create(
        office=world.office,
        unit=unit,
        task=task,
        year=YEAR,
        number=number,
        basis="进度滞后",
        demand=f"限期报送整改情况{number}",
        deadline=deadline,
        status=status,
        issued_by=by,
        issued_at=dt.datetime(YEAR, 9, 1, tzinfo=dt.UTC),
    )


@pytest.fixture
def year(world, director):
    """The 2016 ledger ready to be assessed, and its rule set (the defaults)."""
    y = SimpleNamespace(world=world)
    periods = periods_ensure(office=world.office, year=YEAR)
    Period.objects.filter(office=world.office, year=YEAR).update(status="closed")
    y.periods = list(Period.objects.filter(office=world.office, year=YEAR).order_by("number"))
    y.last = y.periods[-1]
    assert len(periods) == 12
    grades = {g.letter: g for g in scale_for(world.office, YEAR).grades.all()}
    y.grades = grades
    y.rating_huiyang = _rate(world.task_huiyang, y.last, grades["D"])
    _rate(world.task_helped, y.periods[5], grades["C"])  # an earlier rating, superseded
    y.rating_fgj = _rate(world.task_helped, y.last, grades["B"])
    y.rating_boluo = _rate(world.task_boluo, y.last, grades["A"])
    y.rating_town = _rate(world.task_town, y.last, grades["C"])
    y.order_boluo = _order(
        world,
        world.boluo,
        world.task_boluo,
        1,
        by=director,
        deadline=dt.date(YEAR, 10, 1),
        status="accepted",
    )
    Answer.objects.create(
        order=y.order_boluo,
        body="已整改",
        answered_by=director,
        answered_at=dt.datetime(YEAR, 9, 20, tzinfo=dt.UTC),
        late=False,
        decision="accepted",
    )
    y.order_fgj = _order(
        world, world.fgj, world.task_helped, 2, by=director, deadline=dt.date(YEAR, 11, 30)
    )
    y.rule_set = services.rule_set_start(office=world.office, year=YEAR, by=world.office_staff)
    return y


@pytest.fixture
def published(year, director):
    """The 2016 cards drafted, reviewed, confirmed and published."""
    w = year.world
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    services.cards_review(office=w.office, year=YEAR, by=w.office_staff)
    services.cards_confirm(office=w.office, year=YEAR, by=director)
    services.cards_publish(office=w.office, year=YEAR, by=w.office_staff)
    return year
