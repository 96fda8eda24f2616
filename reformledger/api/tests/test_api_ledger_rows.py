"""Task rows as another system reads them: each carries its latest rating and its
planned and reported progress, the list filters by rating as the ledger page does,
and an empty filter value is an error, never every row."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reformledger.ledger import services
from reformledger.ledger.choices import PlanStatus, ReportStatus, TaskStatus
from reformledger.ledger.models import Milestone, Plan, ProgressReport, Rating, Task
from reformledger.ledger.tests.test_rating_filter import rated_world
from tests.factories import MilestoneFactory, PlanFactory, TaskFactory

TASKS = "/api/v1/tasks/"


def _rows(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {row["code"]: row for row in response.json()["results"]}


def _accepted(task, period, percent: int, author) -> ProgressReport:
    return ProgressReport.objects.create(
        task=task,
        period=period,
        status=ReportStatus.ACCEPTED,
        done="推进中",
        percent=percent,
        author=author,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
    )


def test_each_row_carries_its_latest_rating_as_the_ledger_page_shows_it(
    world, director, client_for
):
    rated = rated_world(world, director)
    client = client_for(director)
    rows = _rows(client.get(TASKS, {"year": 2016}))
    d = Rating.objects.get(task=world.task_huiyang, period=rated.june)
    assert rows["2016-001"]["latest_rating"] == {
        "id": d.pk,
        "letter": "D",
        "level": "seriously_behind",
        "period": rated.june.pk,
        "period_label": "2016-06",
        "status": "suggested",
    }
    assert rows["2016-002"]["latest_rating"]["letter"] == "E"
    assert rows["2016-002"]["latest_rating"]["status"] == "overridden"
    assert rows["2016-003"]["latest_rating"]["status"] == "confirmed"
    assert rows["2016-004"]["latest_rating"] is None
    assert rows["2016-010"]["latest_rating"] is None  # rated in May only, as on the page
    page = client.get(reverse("ledger:ledger"), {"year": 2016}).context["page"]
    shown = {t.code: t.rating.grade.letter if t.rating else None for t in page}
    assert {c: (r["latest_rating"] or {}).get("letter") for c, r in rows.items()} == shown
    # The detail says the same.
    detail = client.get(f"{TASKS}{world.task_huiyang.pk}/")
    assert detail.json()["latest_rating"] == rows["2016-001"]["latest_rating"]


def test_as_of_a_closed_period_rows_carry_the_ratings_of_then(world, director, client_for):
    rated = rated_world(world, director)
    services.period_close(period=rated.may, by=director)
    client = client_for(director)
    rows = _rows(client.get(TASKS, {"as_of": rated.may.pk}))
    assert rows["2016-010"]["latest_rating"]["period_label"] == "2016-05"
    assert rows["2016-001"]["latest_rating"] is None
    # An open period, or one the user does not see, is no snapshot: nothing matches.
    for period in (rated.june.pk, 999999):
        assert _rows(client.get(TASKS, {"as_of": period})) == {}
    assert client.get(TASKS, {"as_of": "may"}).status_code == 400


def test_progress_is_planned_by_today_as_the_rating_engine_counts_it_against_the_last_report(
    world, office_staff, director, client_for
):
    today = timezone.localdate()
    task = TaskFactory(
        office=world.office,
        year=today.year,
        code="NOW-001",
        area=world.economy,
        lead_unit=world.boluo,
        status=TaskStatus.IN_PROGRESS,
        start_date=dt.date(today.year, 1, 1),
        deadline=dt.date(today.year, 12, 31),
    )
    plan = PlanFactory(task=task, status=PlanStatus.APPROVED)
    MilestoneFactory(plan=plan, planned_date=today - dt.timedelta(days=1), weight=30)
    MilestoneFactory(plan=plan, planned_date=today, weight=20)
    MilestoneFactory(plan=plan, planned_date=today + dt.timedelta(days=1), weight=50)
    # A superseded revision does not count.
    old = PlanFactory(task=task, revision=0, status=PlanStatus.SUPERSEDED)
    MilestoneFactory(plan=old, planned_date=today - dt.timedelta(days=9), weight=100)
    periods = services.periods_ensure(office=world.office, year=today.year)
    current = next(p for p in periods if p.start <= today <= p.end)
    _accepted(task, periods[0], 35, office_staff)
    if current != periods[0]:  # a later report not yet accepted does not count
        ProgressReport.objects.create(
            task=task,
            period=current,
            status=ReportStatus.SUBMITTED,
            percent=80,
            done="推进中",
            author=office_staff,
        )
    client = client_for(director)
    row = client.get(f"{TASKS}{task.pk}/").json()
    assert row["progress"] == {
        "on": today.isoformat(),
        "planned_percent": 50,
        "reported_percent": 35,
        "reported_period": periods[0].pk,
    }
    services.ratings_compute_period(period=current, by=director)
    assert Rating.objects.get(task=task, period=current).facts["planned"] == 50
    others = _rows(client.get(TASKS, {"year": 2016}))
    assert others["2016-001"]["progress"]["planned_percent"] == 100  # 2016 is long past
    assert others["2016-003"]["progress"] == {
        "on": today.isoformat(),
        "planned_percent": None,  # no approved plan
        "reported_percent": None,
        "reported_period": None,
    }


@pytest.mark.parametrize(
    "rating",
    [["D", "E"], "D,E", ["seriously_behind", "stalled"], "none", ["B", "none"], "C", "A"],
)
def test_the_api_filters_by_rating_as_the_ledger_page_does(world, director, client_for, rating):
    rated_world(world, director)
    client = client_for(director)
    api = _rows(client.get(TASKS, {"year": 2016, "rating": rating}))
    page = client.get(reverse("ledger:ledger"), {"year": 2016, "rating": rating})
    assert set(api) == {t.code for t in page.context["page"]}
    letters = {(row["latest_rating"] or {}).get("letter") for row in api.values()}
    wanted = {"seriously_behind": "D", "stalled": "E", "none": None}
    parts = rating.split(",") if isinstance(rating, str) else rating
    assert letters <= {wanted.get(p, p) for p in parts}


def test_the_rating_filter_of_the_api_picks_exactly_the_rated_tasks(world, director, client_for):
    rated_world(world, director)
    client = client_for(director)
    assert set(_rows(client.get(TASKS, {"rating": "D,E"}))) == {"2016-001", "2016-002"}
    assert set(_rows(client.get(f"{TASKS}?rating=D&rating=E"))) == {"2016-001", "2016-002"}
    assert set(_rows(client.get(TASKS, {"rating": "none"}))) == {"2016-004"}
    assert set(_rows(client.get(TASKS, {"rating": "B"}))) == {"2016-011"}


@pytest.mark.parametrize("name", ["status", "area", "year", "rating", "q", "as_of", "is_key"])
def test_an_empty_filter_value_is_a_400_naming_the_parameter(world, office_staff, client_for, name):
    response = client_for(office_staff).get(f"{TASKS}?{name}=")
    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_a_malformed_rating_is_a_400_naming_it(world, office_staff, client_for):
    client = client_for(office_staff)
    for bad in ("D,,E", "D,", "toolong", "D E"):
        response = client.get(TASKS, {"rating": bad})
        assert response.status_code == 400 and list(response.json()) == ["rating"], bad
    # A well-formed letter no scale has matches nothing.
    assert _rows(client.get(TASKS, {"rating": "Z"})) == {}


def test_empty_values_are_refused_on_every_list(world, office_staff, client_for):
    client = client_for(office_staff)
    for url, name in [
        ("/api/v1/reports/", "status"),
        ("/api/v1/ratings/", "period"),
        ("/api/v1/periods/", "current"),
        ("/api/v1/units/", "kind"),
        ("/api/v1/supervision-orders/", "status"),
    ]:
        response = client.get(f"{url}?{name}=")
        assert response.status_code == 400 and name in response.json(), url
    # Ordering is no filter: empty, it is the default order (its schema: an empty list).
    assert client.get(f"{TASKS}?ordering=").status_code == 200


def _add_tasks(world, n: int, grades, periods, author) -> None:
    tasks = Task.objects.bulk_create(
        Task(
            office=world.office,
            year=2016,
            code=f"Q-{i:04d}",
            title=f"批量任务 {i}",
            area=world.economy,
            lead_unit=world.boluo,
            deliverable_kind="policy",
            start_date=dt.date(2016, 1, 1),
            deadline=dt.date(2016, 12, 31),
            status=TaskStatus.IN_PROGRESS,
        )
        for i in range(n)
    )
    plans = Plan.objects.bulk_create(Plan(task=t, status=PlanStatus.APPROVED) for t in tasks)
    Milestone.objects.bulk_create(
        Milestone(plan=p, title=f"节点{k}", planned_date=dt.date(2016, 3 * k, 1), weight=25)
        for p in plans
        for k in (1, 2, 3, 4)
    )
    Rating.objects.bulk_create(
        Rating(
            task=t, period=periods[5], suggested=grades["DEB"[i % 3]], computed_at=timezone.now()
        )
        for i, t in enumerate(tasks)
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(
            task=t,
            period=p,
            status=ReportStatus.ACCEPTED,
            percent=10 * p.number,
            done="x",
            author=author,
        )
        for t in tasks
        for p in periods[:6]
    )


def test_the_task_list_with_ratings_and_progress_runs_the_same_queries_for_10_and_200_tasks(
    world, director, office_staff, client_for
):
    rated = rated_world(world, director)
    periods = services.periods_ensure(office=world.office, year=2016)
    client = client_for(director)
    cases = [{"page_size": 500}, {"page_size": 500, "rating": "D,E,none"}, {"year": 2016}]

    def counts() -> list[int]:
        result = []
        for params in cases:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(TASKS, params).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    _add_tasks(world, 10, rated.grade, periods, office_staff)
    small = counts()
    for model in (ProgressReport, Rating):
        model.objects.filter(task__code__startswith="Q-").delete()
    Task.objects.filter(code__startswith="Q-").delete()
    _add_tasks(world, 200, rated.grade, periods, office_staff)
    assert counts() == small
    rows = _rows(client.get(TASKS, {"page_size": 500, "rating": "E"}))
    assert rows["Q-0001"]["progress"]["reported_percent"] == 60
    assert rows["Q-0001"]["progress"]["planned_percent"] == 100
