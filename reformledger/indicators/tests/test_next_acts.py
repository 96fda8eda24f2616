"""What waits for each person (待办): the owner unit's liaison sees the indicators with no
value for the latest period ended; office staff see the values to check."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reformledger.indicators import services
from reformledger.ledger.selectors.next_acts import next_acts

JULY_3 = dt.date(2016, 7, 3)
JULY_9 = dt.date(2016, 7, 9)


def _group(user, kind, today=JULY_3):
    return next_acts(user, today=today).of(kind)


def test_the_owner_unit_is_asked_for_the_value_of_the_period_just_ended(
    world, office_staff, huiyang_liaison, boluo_liaison, loans, zombies, periods
):
    group = _group(huiyang_liaison, "indicator_to_report")
    assert group.count == 1
    item = group.items[0]
    assert item.subject == "F-01 风险补偿资金支持企业户数"
    assert item.url == reverse("indicators:report", args=[loans.pk]) + f"?period={periods[6].pk}"
    assert "2016-06" in item.detail and not item.late
    assert _group(huiyang_liaison, "indicator_to_report", JULY_9).items[0].late
    assert _group(boluo_liaison, "indicator_to_report") is None
    # The ratio is never asked for; 市发展改革局 is asked for its two parts only.
    value = services.indicator_report(
        indicator=loans, period=periods[6], value=20, by=huiyang_liaison
    )
    assert _group(huiyang_liaison, "indicator_to_report") is None
    services.indicator_return(value=value, by=office_staff, reason="缺少佐证")
    assert _group(huiyang_liaison, "indicator_to_report").count == 1
    returned = _group(huiyang_liaison, "indicator_value_returned")
    assert returned.count == 1 and "缺少佐证" in returned.items[0].detail
    services.indicator_report(indicator=loans, period=periods[6], value=21, by=huiyang_liaison)
    assert _group(huiyang_liaison, "indicator_value_returned") is None


def test_office_staff_see_the_values_to_check(
    world, office_staff, director, huiyang_liaison, loans, periods
):
    assert _group(office_staff, "indicator_value_to_check") is None
    value = services.indicator_report(
        indicator=loans, period=periods[6], value=20, by=huiyang_liaison
    )
    group = _group(office_staff, "indicator_value_to_check")
    assert group.count == 1
    assert "2016-06：20 家" in group.items[0].detail  # period: value measure, in Chinese
    assert group.items[0].url.endswith(f"#value-{value.pk}")
    services.indicator_check(value=value, by=office_staff)
    assert _group(office_staff, "indicator_value_to_check") is None


def test_the_next_acts_cost_the_same_for_one_indicator_or_many(
    world, office_staff, huiyang_liaison, periods
):
    def made(n, start):
        for i in range(start, start + n):
            indicator = services.indicator_create(
                office=world.office,
                by=office_staff,
                code=f"N-{i}",
                name=f"指标{i}",
                measure="个",
                owner_unit=world.huiyang,
            )
            if i % 2:
                services.indicator_report(
                    indicator=indicator, period=periods[5], value=i, by=huiyang_liaison
                )

    def cost(user):
        with CaptureQueriesContext(connection) as ctx:
            next_acts(user, today=JULY_3)
        return len(ctx.captured_queries)

    made(2, 0)
    few = (cost(huiyang_liaison), cost(office_staff))
    made(25, 2)
    assert (cost(huiyang_liaison), cost(office_staff)) == few
    assert next_acts(huiyang_liaison, today=JULY_3).of("indicator_to_report").count == 27
