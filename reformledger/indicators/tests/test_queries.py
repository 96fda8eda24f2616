"""The indicator list page, the API list and the export cost the same number of queries
for 10 indicators as for 1,000, with their targets, values and ratios."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reformledger.indicators.models import Indicator, IndicatorTarget, IndicatorValue


def _bulk(world, by, periods, start: int, count: int) -> None:
    """`count` indicators in threes: two reported parts with a target and values for
    two periods, and their ratio with a target (rows written directly: the services
    are tested elsewhere, and 1,000 definitions through them would take minutes)."""
    made = []
    for n in range(start, start + count, 3):
        top = Indicator(
            office=world.office,
            code=f"B{n:05d}",
            name=f"部分{n}",
            measure="户",
            owner_unit=world.huiyang,
            created_by=by,
            baseline=Decimal(0),
        )
        bottom = Indicator(
            office=world.office,
            code=f"B{n + 1:05d}",
            name=f"总数{n}",
            measure="户",
            owner_unit=world.fgj,
            created_by=by,
        )
        made += [top, bottom]
    Indicator.objects.bulk_create(made)
    ratios, targets, values = [], [], []
    for top, bottom in zip(made[::2], made[1::2], strict=True):
        ratios.append(
            Indicator(
                office=world.office,
                code=f"R{top.code}",
                name=f"比率{top.code}",
                measure="%",
                owner_unit=world.huiyang,
                created_by=by,
                kind="ratio",
                numerator=top,
                denominator=bottom,
                scale=100,
            )
        )
        for part, amount in ((top, 10), (bottom, 40)):
            targets.append(IndicatorTarget(indicator=part, year=2016, target=amount * 2))
            for month in (3, 6):
                values.append(
                    IndicatorValue(
                        indicator=part, period=periods[month], value=amount, reported_by=by
                    )
                )
    Indicator.objects.bulk_create(ratios)
    IndicatorTarget.objects.bulk_create(
        targets + [IndicatorTarget(indicator=r, year=2016, target=50) for r in ratios]
    )
    IndicatorValue.objects.bulk_create(values)


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (reverse("indicators:list"), {"year": "2016"}),
        (reverse("indicators:list"), {"year": "2016", "track": "behind", "ordering": "-latest"}),
        ("/api/v1/indicators/", {"year": "2016", "page_size": "500"}),
        ("/api/v1/indicators/", {"year": "2016", "track": "on_track"}),
        ("/api/v1/indicator-values/", {"page_size": "500"}),
        ("/api/v1/indicator-targets/", {"page_size": "500"}),
        (reverse("indicators:export_xlsx"), {"year": "2016"}),
    ],
)
@pytest.mark.parametrize("persona", ["office_staff", "huiyang_liaison"])
def test_a_list_costs_the_same_for_10_and_1000_indicators(
    request, world, office_staff, periods, client_for, persona, url, params
):
    client = client_for(request.getfixturevalue(persona))
    _bulk(world, office_staff, periods, 0, 9)
    client.get(url, params)  # warm: sessions, caches
    few = _queries(client, url, params)
    _bulk(world, office_staff, periods, 9, 990)
    assert Indicator.objects.count() == 999
    assert _queries(client, url, params) == few
