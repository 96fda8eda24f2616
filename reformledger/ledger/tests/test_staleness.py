"""Staleness per unit: the numbers on a small world, the order, and the cost."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reformledger.ledger.choices import TaskStatus
from reformledger.ledger.models import Period, Task
from reformledger.ledger.selectors import staleness as selectors
from reformledger.notifications.models import Notification
from reformledger.notifications.tests.conftest import file_report, make_period
from reformledger.orgs.choices import Role, UnitKind
from tests.factories import MembershipFactory, UnitFactory

TODAY = dt.date(2016, 4, 10)
NOW = timezone.make_aware(dt.datetime(2016, 4, 10, 12, 0))


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def _notice(user, task, kind: str, sent: dt.date, *, read: bool = False, key: str = "") -> None:
    n = Notification.objects.create(
        recipient=user, kind=kind, key=key or f"{kind}:{task.pk}:{sent}", title="t", task=task
    )
    Notification.objects.filter(pk=n.pk).update(
        created_at=at(sent), read_at=at(sent) if read else None
    )


def _small_world(world, huiyang_liaison, boluo_liaison, director):
    """惠阳 reported in February, not in March; 博罗 reported in March; 发改局 never
    reported; 淡水街道's task is still in planning."""
    feb, march = make_period(world, 2), make_period(world, 3)  # March due 2016-04-05
    Task.objects.filter(pk=world.task_boluo.pk).update(status=TaskStatus.IN_PROGRESS)
    Task.objects.filter(pk=world.task_helped.pk).update(status=TaskStatus.IN_PROGRESS)
    Task.objects.filter(pk__in=[world.task_helped.pk, world.task_town.pk]).update(
        updated_at=at(dt.date(2016, 3, 1))
    )
    file_report(world.task_huiyang, feb, huiyang_liaison, on=dt.date(2016, 3, 4))
    file_report(world.task_boluo, march, boluo_liaison, on=dt.date(2016, 4, 6))
    t = world.task_huiyang
    _notice(huiyang_liaison, t, "report_due", dt.date(2016, 3, 20))  # ignored
    _notice(huiyang_liaison, t, "milestone_overdue", dt.date(2016, 3, 25))  # ignored
    _notice(huiyang_liaison, t, "report_late", dt.date(2016, 3, 21), read=True)  # read
    _notice(huiyang_liaison, t, "report_late", dt.date(2016, 4, 8), key="recent")  # too recent
    _notice(director, t, "closing_to_approve", dt.date(2016, 3, 1))  # the office's, not the unit's


def _by_code(rows):
    selectors.attach_units(rows)
    return {r.unit.code: r for r in rows}


def test_staleness_numbers_per_unit(world, office_staff, huiyang_liaison, boluo_liaison, director):
    _small_world(world, huiyang_liaison, boluo_liaison, director)
    rows = _by_code(selectors.staleness_by_unit(office_staff, today=TODAY, now=NOW))
    assert set(rows) == {"HZ-HY", "HZ-BL", "HZ-FGJ", "HZ-HY-01"}

    huiyang = rows["HZ-HY"]
    assert (huiyang.open_tasks, huiyang.missing_reports, huiyang.ignored_reminders) == (1, 1, 2)
    assert huiyang.days_silent == 37  # last report filed 2016-03-04
    assert not huiyang.never_reported

    boluo = rows["HZ-BL"]
    assert (boluo.open_tasks, boluo.missing_reports, boluo.ignored_reminders) == (1, 0, 0)
    assert boluo.days_silent == 4

    fgj = rows["HZ-FGJ"]  # never reported: silent since its task began on 1 January
    assert (fgj.missing_reports, fgj.days_silent, fgj.never_reported) == (1, 100, True)

    town = rows["HZ-HY-01"]  # in planning: open, owes no report yet
    assert (town.open_tasks, town.missing_reports) == (1, 0)


def test_task_started_after_the_lapsed_period_owes_no_report(world, office_staff):
    make_period(world, 3)
    Task.objects.filter(pk=world.task_huiyang.pk).update(start_date=dt.date(2016, 4, 1))
    rows = _by_code(selectors.staleness_by_unit(office_staff, today=TODAY, now=NOW))
    assert rows["HZ-HY"].missing_reports == 0


def test_closed_tasks_leave_the_staleness_list(world, office_staff):
    Task.objects.filter(lead_unit=world.boluo).update(status=TaskStatus.CLOSED)
    rows = _by_code(selectors.staleness_by_unit(office_staff, today=TODAY, now=NOW))
    assert "HZ-BL" not in rows


def test_worst_unit_comes_first(world, office_staff, huiyang_liaison, boluo_liaison, director):
    _small_world(world, huiyang_liaison, boluo_liaison, director)
    rows = selectors.staleness_by_unit(office_staff, today=TODAY, now=NOW)
    ordered = selectors.attach_units(selectors.sort_staleness(rows, "worst"))
    # 惠阳: one report missing and two ignored reminders; 发改局: one missing.
    assert [r.unit.code for r in ordered][:2] == ["HZ-HY", "HZ-FGJ"]
    by_silence = selectors.sort_staleness(rows, "-silent")
    assert [r.days_silent for r in by_silence] == sorted(
        (r.days_silent for r in rows), reverse=True
    )
    by_name = selectors.sort_staleness(rows, "unit")
    assert [r.unit.path for r in by_name] == sorted(r.unit.path for r in rows)


def test_unknown_sort_falls_back_to_worst_first(world, office_staff):
    rows = selectors.staleness_by_unit(office_staff, today=TODAY, now=NOW)
    assert selectors.sort_staleness(rows, "nonsense") == selectors.sort_staleness(rows, "worst")


def test_staleness_page_shows_the_units_worst_first(
    world, office_staff, huiyang_liaison, boluo_liaison, director, client_for
):
    _small_world(world, huiyang_liaison, boluo_liaison, director)
    response = client_for(office_staff).get(reverse("ledger:staleness"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('data-unit="HZ-HY"') < html.index('data-unit="HZ-BL"')


def _grow(world, n: int) -> None:
    """n more lead units, each with a liaison, two open tasks, a filed report and an
    unread old reminder."""
    march = Period.objects.get(office=world.office, year=2016, number=3)
    for i in range(n):
        unit = UnitFactory(parent=world.city, kind=UnitKind.DEPARTMENT)
        liaison = MembershipFactory(unit=unit, role=Role.UNIT_REPORTER).user
        for j in range(2):
            task = Task.objects.create(
                office=world.office,
                year=2016,
                code=f"S-{n}-{i:03d}-{j}",
                title=f"批量任务 {i}-{j}",
                area=world.economy,
                lead_unit=unit,
                deliverable_kind="policy",
                start_date=dt.date(2016, 1, 1),
                deadline=dt.date(2016, 12, 31),
                status=TaskStatus.IN_PROGRESS,
            )
            if j == 0:
                file_report(task, march, liaison, on=dt.date(2016, 4, 3))
            _notice(liaison, task, "report_due", dt.date(2016, 3, 1))


def _page_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("ledger:staleness"), params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_staleness_page_runs_the_same_queries_for_few_and_many_units(
    world, office_staff, client_for
):
    make_period(world, 3)
    client = client_for(office_staff)
    _grow(world, 3)
    few = (_page_queries(client), _page_queries(client, {"sort": "unit"}))
    _grow(world, 60)
    many = (_page_queries(client), _page_queries(client, {"sort": "unit"}))
    assert few == many
    # Each grown unit: two open tasks, one of them without its March report.
    rows = selectors.staleness_by_unit(office_staff, today=TODAY, now=NOW)
    grown = [r for r in rows if r.open_tasks == 2]
    assert len(grown) == 63
    assert {(r.missing_reports, r.ignored_reminders) for r in grown} == {(1, 2)}
