"""The dashboard: each chart's numbers on a small world, scoped to the user, at a fixed
number of queries whatever the size of the ledger.

Ratings, periods and reports are written as plain rows here (a small helper below),
not through the rating and report services: what is tested is what the dashboard
reads from them.
"""

import datetime as dt
from types import SimpleNamespace

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from reformledger.ledger.choices import PlanStatus, ReportStatus, TaskStatus
from reformledger.ledger.models import (
    Milestone,
    Period,
    Plan,
    ProgressReport,
    Rating,
    RatingGrade,
    RatingScale,
    Task,
)
from reformledger.web import dashboard
from tests.factories import MilestoneFactory, PlanFactory, TaskFactory

#: The day the dashboard is read on in these tests: mid-August 2016.
TODAY = dt.date(2016, 8, 15)
GRADES = [
    ("ahead", "A", "超前完成", "#006400"),
    ("on_schedule", "B", "按计划推进", "#32cd32"),
    ("slightly_behind", "C", "稍有滞后", "#ffd700"),
    ("seriously_behind", "D", "严重滞后", "#ff8c00"),
    ("stalled", "E", "停滞", "#b22222"),
]


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _period(office, number: int, start: dt.date, end: dt.date, due: dt.date) -> Period:
    return Period.objects.create(
        office=office, year=start.year, number=number, start=start, end=end, report_due=due
    )


def _rate(task, period, grade, final=None) -> Rating:
    return Rating.objects.create(
        task=task,
        period=period,
        suggested=grade,
        final=final,
        computed_at=_at(period.end),
        status="overridden" if final else "suggested",
    )


def _report(task, period, author, submitted: dt.date | None, status=ReportStatus.ACCEPTED):
    return ProgressReport.objects.create(
        task=task,
        period=period,
        status=status if submitted else ReportStatus.DRAFT,
        done="按计划推进",
        percent=50,
        author=author,
        submitted_at=_at(submitted) if submitted else None,
    )


@pytest.fixture
def rated(world):
    """The world's 2016 ledger with a scale, two monthly periods, ratings, reports and
    milestones, so that each chart has known numbers (see each test)."""
    w = world
    scale = RatingScale.objects.create(office=w.office, year=2016)
    g = SimpleNamespace(
        **{
            letter: RatingGrade.objects.create(
                scale=scale, level=level, letter=letter, name=name, colour=colour
            )
            for level, letter, name, colour in GRADES
        }
    )
    jan = _period(w.office, 1, dt.date(2016, 1, 1), dt.date(2016, 1, 31), dt.date(2016, 2, 5))
    feb = _period(w.office, 2, dt.date(2016, 2, 1), dt.date(2016, 2, 29), dt.date(2016, 3, 5))
    # January: 惠阳 B, 发改局 C, 博罗 B, 淡水 D.
    _rate(w.task_huiyang, jan, g.B)
    _rate(w.task_helped, jan, g.C)
    _rate(w.task_boluo, jan, g.B)
    _rate(w.task_town, jan, g.D)
    # February: 惠阳 suggested B but decided A (the decision counts), 发改局 C, 博罗 E;
    # 淡水 not rated.
    _rate(w.task_huiyang, feb, g.B, final=g.A)
    _rate(w.task_helped, feb, g.C)
    _rate(w.task_boluo, feb, g.E)

    Task.objects.filter(pk=w.task_boluo.pk).update(status=TaskStatus.CLOSED)
    Task.objects.filter(pk=w.task_town.pk).update(status=TaskStatus.BLOCKED)
    Task.objects.filter(pk__in=[w.task_huiyang.pk, w.task_helped.pk]).update(
        status=TaskStatus.IN_PROGRESS
    )

    # Milestones on 15 August: 惠阳's 30 June milestone is 46 days overdue (its 15
    # December one is not due); 发改局's is 14 days overdue; a reached one and one of
    # the closed 博罗 task do not count.
    helped_plan = PlanFactory(task=w.task_helped)
    MilestoneFactory(plan=helped_plan, planned_date=dt.date(2016, 8, 1), weight=50, is_key=True)
    MilestoneFactory(
        plan=helped_plan,
        planned_date=dt.date(2016, 7, 1),
        weight=50,
        reached_on=dt.date(2016, 7, 1),
    )
    MilestoneFactory(plan=PlanFactory(task=w.task_boluo), planned_date=dt.date(2016, 5, 1))

    # Reports: 惠阳 reported both months, 发改局 only January; 淡水 has a draft only.
    author = w.office_staff
    _report(w.task_huiyang, jan, author, dt.date(2016, 2, 3))
    _report(w.task_huiyang, feb, author, dt.date(2016, 3, 4))
    _report(w.task_helped, jan, author, dt.date(2016, 2, 3))
    _report(w.task_town, feb, author, None)
    w.grades, w.jan, w.feb = g, jan, feb
    return w


def _read(user, year=2016):
    with override("en"):
        return dashboard.dashboard(user, year=year, today=TODAY)


def _series(breakdown) -> dict[str, list[int]]:
    return {s.name: s.values for s in breakdown.series}


# --- each chart's numbers -------------------------------------------------------------


def test_ratings_by_area_count_the_latest_rated_period_and_the_decision_over_the_suggestion(
    rated, office_staff
):
    dash = _read(office_staff)
    by_area = dash.by_area
    assert by_area.period.label == "2016-02"
    assert by_area.categories == ["Economy"]  # 淡水's society task has no February rating
    assert _series(by_area) == {"A": [1], "B": [0], "C": [1], "D": [0], "E": [1]}
    assert [row["total"] for row in by_area.rows] == [3]


def test_grade_letters_and_colours_come_from_the_scale(rated, office_staff):
    dash = _read(office_staff)
    assert [(g.letter, g.colour) for g in dash.grades] == [(x[1], x[3]) for x in GRADES]
    chart = dash.by_area.chart
    assert [(s["name"], s["colour"]) for s in chart["series"]] == [(x[1], x[3]) for x in GRADES]


def test_a_renamed_grade_shows_its_own_letter(rated, office_staff):
    RatingGrade.objects.filter(letter="A").update(letter="优", colour="#123456")
    dash = _read(office_staff)
    assert _series(dash.by_area)["优"] == [1]
    assert dash.key_paths.tasks[0].cells[-1].letter == "优"


def test_ratings_by_unit_lists_units_by_their_number_of_tasks(rated, office_staff):
    by_unit = _read(office_staff).by_unit
    assert set(by_unit.categories) == {"惠阳区", "市发展改革局", "博罗县"}
    counts = dict(zip(by_unit.categories, (row["total"] for row in by_unit.rows), strict=True))
    assert counts == {"惠阳区": 1, "市发展改革局": 1, "博罗县": 1}
    values = _series(by_unit)
    assert values["A"][by_unit.categories.index("惠阳区")] == 1
    assert values["E"][by_unit.categories.index("博罗县")] == 1


def test_ratings_over_periods_count_each_period_by_grade(rated, office_staff):
    over = _read(office_staff).over_periods
    assert over.categories == ["2016-01", "2016-02"]
    assert _series(over) == {"A": [0, 1], "B": [2, 0], "C": [1, 1], "D": [1, 0], "E": [0, 1]}
    assert over.totals["total"] == 7


def test_status_counts_open_closed_and_key_tasks(rated, office_staff):
    dash = _read(office_staff)
    status = dash.status
    assert (status.total, status.open, status.closed, status.key) == (4, 3, 1, 1)
    by = {row["status"]: (row["all"], row["key"]) for row in status.rows}
    assert by["in_progress"] == (2, 1)
    assert by["blocked"] == (1, 0)
    assert by["closed"] == (1, 0)
    assert {i["value"] for i in status.chart["items"]} == {2, 1}


def test_carried_over_tasks_are_counted_apart(rated, office_staff):
    Task.objects.filter(pk=rated.task_town.pk).update(status=TaskStatus.CARRIED_OVER)
    status = _read(office_staff).status
    assert (status.open, status.closed, status.carried_over) == (2, 1, 1)


def test_overdue_milestones_count_unreached_milestones_of_open_tasks_by_unit(rated, office_staff):
    overdue = _read(office_staff).overdue
    rows = {row["label"]: row["values"] for row in overdue.rows}
    # columns: up to 30 days, more than 30 days, of which key
    assert rows == {"惠阳区": [0, 1, 0], "市发展改革局": [1, 0, 1]}
    assert overdue.all_total == 2


def test_a_milestone_of_a_plan_not_approved_is_not_overdue(rated, office_staff):
    Plan.objects.filter(task=rated.task_helped).update(status=PlanStatus.SUPERSEDED)
    rows = {row["label"] for row in _read(office_staff).overdue.rows}
    assert rows == {"惠阳区"}


def test_staleness_shows_days_since_the_last_report_and_reports_missing(rated, office_staff):
    stale = _read(office_staff).staleness
    assert stale.period.label == "2016-02"  # the latest period past its due date
    assert stale.due == dt.date(2016, 3, 5)
    rows = {r.name: (r.last_report, r.days, r.missing) for r in stale.rows}
    assert rows == {
        "淡水街道": (None, (TODAY - dt.date(2016, 1, 1)).days, 1),  # only a draft: never
        "市发展改革局": (dt.date(2016, 2, 3), (TODAY - dt.date(2016, 2, 3)).days, 1),
        "惠阳区": (dt.date(2016, 3, 4), (TODAY - dt.date(2016, 3, 4)).days, 0),
    }
    # Most stale first.
    assert [r.name for r in stale.rows] == ["淡水街道", "市发展改革局", "惠阳区"]
    assert stale.missing == 2  # 博罗's task is closed and owes no report


def test_a_period_not_yet_due_does_not_count_as_missing(rated, office_staff):
    _period(
        rated.office, 3, dt.date(2016, 8, 1), dt.date(2016, 8, 31), dt.date(2016, 9, 5)
    )  # due after TODAY
    assert _read(office_staff).staleness.period.label == "2016-02"


def test_key_task_paths_show_each_key_task_grade_per_period(rated, office_staff):
    paths = _read(office_staff).key_paths
    assert [p.label for p in paths.periods] == ["2016-01", "2016-02"]
    assert [t.code for t in paths.tasks] == ["2016-001"]
    assert [g.letter for g in paths.tasks[0].cells] == ["B", "A"]
    assert paths.chart["cells"] == [[0, 0, 1], [1, 0, 0]]  # x, y, grade index


def test_key_tasks_with_the_worst_latest_rating_come_first(rated, office_staff):
    Task.objects.filter(pk=rated.task_boluo.pk).update(is_key=True)  # latest: E
    paths = _read(office_staff).key_paths
    assert [t.code for t in paths.tasks] == ["2016-003", "2016-001"]


def test_cards_sum_up_the_year(rated, office_staff):
    assert _read(office_staff).cards == {
        "tasks": 4,
        "open": 3,
        "closed": 1,
        "key": 1,
        "overdue_milestones": 2,
        "reports_late": 2,
    }


# --- year and scope ----------------------------------------------------------------------


def test_county_liaison_dashboard_counts_only_its_visible_tasks(rated, huiyang_liaison):
    dash = _read(huiyang_liaison)
    assert dash.status.total == 3  # its own, the one it helps on, its town's; not 博罗's
    assert _series(dash.by_area) == {"A": [1], "B": [0], "C": [1], "D": [0], "E": [0]}
    assert "博罗县" not in dash.by_unit.categories
    assert _series(dash.over_periods)["B"] == [1, 0]  # 博罗's January B is not theirs
    assert dash.staleness.missing == 2


def test_an_account_without_tasks_gets_an_empty_dashboard(rated, auditor, client_for):
    dash = _read(auditor)
    assert dash.year is None and dash.status.total == 0 and dash.by_area.is_empty
    response = client_for(auditor).get(reverse("web:dashboard"))
    assert response.status_code == 200
    assert b'data-testid="dashboard-empty"' in response.content


def test_the_dashboard_opens_on_the_working_year_and_says_why_its_charts_are_empty(
    rated, office_staff, client_for
):
    # 2017 has a task (carried over, say) and no period yet. No period runs today (the
    # real today, years after), so the working year is the latest with tasks: 2017, as on
    # the ledger and the ratings board; its rating charts say why they are empty.
    TaskFactory(office=rated.office, lead_unit=rated.boluo, area=rated.economy, year=2017)
    client = client_for(office_staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    latest = client.get(reverse("web:dashboard"))
    assert latest.context["dash"].year == 2017
    assert latest.context["dash"].years == [2017, 2016]
    doc = lxml.html.fromstring(latest.content.decode())
    said = doc.xpath('//*[@data-testid="working-year"]')[0].text_content()
    assert said == "2017 · no reporting period set up yet"
    why = doc.xpath('//*[@data-testid="empty-by-area"]')[0].text_content()
    assert why == "No ratings yet in 2017: no reporting period of the year is set up."
    assert "No orders this year." in latest.content.decode()
    assert not doc.xpath('//*[@data-chart="data-by-area"]')  # no empty grid drawn
    chosen = client.get(reverse("web:dashboard"), {"year": 2016})
    assert chosen.context["dash"].status.total == 4
    nonsense = client.get(reverse("web:dashboard"), {"year": "1900x"})
    assert nonsense.context["dash"].year == 2017


def test_a_year_with_periods_but_no_rating_says_when_its_first_period_is_rated(
    world, office_staff, client_for
):
    _period(world.office, 1, dt.date(2016, 1, 1), dt.date(2016, 1, 31), dt.date(2016, 2, 5))
    Task.objects.filter(pk=world.task_huiyang.pk).update(is_key=True)
    client = client_for(office_staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    doc = lxml.html.fromstring(client.get(reverse("web:dashboard")).content.decode())
    assert doc.xpath('//*[@data-testid="empty-over-periods"]')[0].text_content() == (
        "No ratings yet in 2016: the first period, 2016-01, is rated once its reports fall "
        "due on 2016-02-05."
    )
    # The key-task track says it has no rating yet rather than drawing an empty grid.
    assert doc.xpath('//*[@data-testid="empty-key-paths"]')
    assert not doc.xpath('//*[@data-chart="data-key-paths"]')


def test_a_key_task_not_rated_yet_says_so_on_its_track(rated, office_staff, client_for):
    Task.objects.filter(pk=rated.task_town.pk).update(is_key=True)  # never rated in February
    Rating.objects.filter(task=rated.task_town).delete()
    client = client_for(office_staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("web:dashboard"), {"year": 2016})
    rows = {row[0]: row[3:] for row in _table(response, "table-key-paths")[1:]}
    assert rows["2016-004"] == ["not rated yet"]
    assert rows["2016-001"] == ["B", "A"]


def test_without_ratings_the_dashboard_opens_on_the_latest_year_with_tasks(
    world, office_staff, client_for
):
    TaskFactory(office=world.office, lead_unit=world.boluo, area=world.economy, year=2017)
    latest = client_for(office_staff).get(reverse("web:dashboard"))
    assert latest.context["dash"].year == 2017


# --- the page ------------------------------------------------------------------------------


def _table(response, testid: str) -> list[list[str]]:
    doc = lxml.html.fromstring(response.content.decode())
    (table,) = doc.xpath(f'//table[@data-testid="{testid}"]')
    return [
        [cell.text_content().strip() for cell in row.xpath("./th|./td")]
        for row in table.xpath(".//tr")
    ]


def test_dashboard_page_tables_show_the_chart_numbers(rated, office_staff, client_for):
    client = client_for(office_staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("web:dashboard"), {"year": 2016})
    assert response.status_code == 200
    assert _table(response, "table-by-area") == [
        ["Reform area", "A", "B", "C", "D", "E", "Total"],
        ["Economy", "1", "0", "1", "0", "1", "3"],
        ["Total", "1", "0", "1", "0", "1", "3"],
    ]
    assert _table(response, "table-over-periods")[1:3] == [
        ["2016-01", "0", "2", "1", "1", "0", "4"],
        ["2016-02", "1", "0", "1", "0", "1", "3"],
    ]
    key = _table(response, "table-key-paths")
    assert key[1][0] == "2016-001" and key[1][-2:] == ["B", "A"]
    status = {row[0]: row[1:] for row in _table(response, "table-status")}
    assert status["Closed"] == ["1", "0"] and status["Total"] == ["4", "1"]
    doc = lxml.html.fromstring(response.content.decode())
    assert doc.xpath('//*[@data-testid="card-tasks"]')[0].text_content() == "4"


def test_each_chart_carries_its_data_as_json_and_the_page_has_no_inline_script(
    rated, office_staff, client_for
):
    response = client_for(office_staff).get(reverse("web:dashboard"), {"year": 2016})
    doc = lxml.html.fromstring(response.content.decode())
    charts = doc.xpath("//*[@data-chart]")
    assert len(charts) == 7
    for chart in charts:
        (data,) = doc.xpath(f'//script[@id="{chart.get("data-chart")}"]')
        assert data.get("type") == "application/json"
    for script in doc.xpath("//script"):
        assert script.get("src") or script.get("type") == "application/json"
    assert not doc.xpath("//*[@style]")  # colours are applied by dashboard.js


def test_unit_names_in_chart_data_are_escaped(rated, office_staff, client_for):
    rated.fgj.name = "</script><script>alert(1)</script>"
    rated.fgj.save(update_fields=["name"])
    body = client_for(office_staff).get(reverse("web:dashboard"), {"year": 2016}).content
    assert b"<script>alert(1)" not in body


def test_leaders_land_on_the_dashboard_and_staff_on_the_ledger(
    world, director, city_leader, office_staff, huiyang_liaison, client_for
):
    home = reverse("web:home")
    assert client_for(director).get(home)["Location"] == reverse("web:dashboard")
    assert client_for(city_leader).get(home)["Location"] == reverse("web:dashboard")
    assert client_for(office_staff).get(home)["Location"] == reverse("ledger:ledger")
    assert client_for(huiyang_liaison).get(home)["Location"] == reverse("ledger:my_work")


def test_anonymous_visitor_is_sent_to_login_from_the_dashboard(world, client):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- cost ------------------------------------------------------------------------------------


def _bulk_ledger(w, n: int, first: int = 0) -> None:
    """`n` more tasks in the world's 2016 ledger, each rated in both periods, reporting,
    with an approved plan and an overdue milestone: rows written directly."""
    units = [w.huiyang, w.boluo, w.fgj, w.huiyang_town]
    tasks = Task.objects.bulk_create(
        Task(
            office=w.office,
            year=2016,
            code=f"V-{i:04d}",
            title=f"批量任务 {i}",
            area=w.economy if i % 3 else w.society,
            lead_unit=units[i % len(units)],
            deliverable_kind="policy",
            start_date=dt.date(2016, 1, 1),
            deadline=dt.date(2016, 12, 31),
            is_key=i % 7 == 0,
            status=TaskStatus.IN_PROGRESS,
        )
        for i in range(first, first + n)
    )
    grades = list(RatingGrade.objects.filter(scale__office=w.office).order_by("letter"))
    Rating.objects.bulk_create(
        Rating(task=t, period=p, suggested=grades[(i + j) % 5], computed_at=_at(p.end))
        for i, t in enumerate(tasks)
        for j, p in enumerate((w.jan, w.feb))
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(
            task=t,
            period=w.jan,
            status=ReportStatus.ACCEPTED,
            done="…",
            percent=10,
            author=w.office_staff,
            submitted_at=_at(dt.date(2016, 2, 1 + i % 4)),
        )
        for i, t in enumerate(tasks)
    )
    plans = Plan.objects.bulk_create(Plan(task=t, status=PlanStatus.APPROVED) for t in tasks)
    Milestone.objects.bulk_create(
        Milestone(plan=p, title="节点", planned_date=dt.date(2016, 3, 1), weight=100) for p in plans
    )


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("web:dashboard"), {"year": 2016})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["office_staff", "huiyang_liaison", "city_leader"])
def test_dashboard_runs_the_same_queries_for_few_and_many_tasks(
    request, rated, client_for, persona
):
    # The supervision section's orders, items and meetings grow with the ledger too.
    from reformledger.supervision.tests.test_api import bulk_supervision

    client = client_for(request.getfixturevalue(persona))
    _bulk_ledger(rated, 10)
    bulk_supervision(rated, rated.office_staff, 3)
    few = _queries(client)
    _bulk_ledger(rated, 400, first=10)
    bulk_supervision(rated, rated.office_staff, 120, start=3)
    many = _queries(client)
    assert few == many
    dash = client.get(reverse("web:dashboard"), {"year": 2016}).context["dash"]
    assert dash.status.total > 200
    assert dash.supervision.orders > 40
