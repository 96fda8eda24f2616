"""List pages cost the same number of queries however many rows they show."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reformledger.ledger.models import Task


def _add_tasks(world, n: int) -> None:
    # Volume rows are inserted directly: the count of queries the page runs is
    # what is measured here, not the services that write tasks.
    Task.objects.bulk_create(
        Task(
            office=world.office,
            year=2016,
            code=f"V-{i:04d}",
            title=f"批量任务 {i}",
            area=world.economy,
            lead_unit=world.huiyang if i % 2 else world.boluo,
            deliverable_kind="policy",
            start_date=dt.date(2016, 1, 1),
            deadline=dt.date(2016, 12, 31),
            is_key=i % 7 == 0,
        )
        for i in range(n)
    )


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["office_staff", "huiyang_liaison", "city_leader"])
def test_ledger_page_runs_the_same_queries_for_10_and_500_tasks(
    request, world, client_for, settings, persona
):
    settings.LEDGER_PAGE_SIZE = 1000  # every row on one page, so rows really render
    client = client_for(request.getfixturevalue(persona))
    url = reverse("ledger:ledger")
    _add_tasks(world, 10)
    small = _queries(client, url, {"year": 2016})
    Task.objects.filter(code__startswith="V-").delete()
    _add_tasks(world, 500)
    large = _queries(client, url, {"year": 2016})
    assert small == large


def test_unit_page_and_my_work_run_fixed_queries(world, huiyang_liaison, client_for):
    client = client_for(huiyang_liaison)
    unit_url = reverse("web:unit", args=[world.huiyang.pk])
    _add_tasks(world, 10)
    small = (_queries(client, unit_url), _queries(client, reverse("ledger:my_work")))
    Task.objects.filter(code__startswith="V-").delete()
    _add_tasks(world, 400)
    large = (_queries(client, unit_url), _queries(client, reverse("ledger:my_work")))
    assert small == large
