"""A leader's glance: the office opens the dashboard and every chart draws, on a
desktop screen and on a phone."""

import datetime as dt
import random
import re

import pytest
from django.utils import timezone

from reformledger.ledger.choices import PlanStatus, RatingLevel, ReportStatus, TaskStatus
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
from reformledger.orgs.choices import UnitKind
from tests.browser.signin import sign_in
from tests.factories import ReformAreaFactory, UnitFactory

pytestmark = pytest.mark.browser

#: The policy the deployment is to send; the dashboard must draw under it.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'"
)
CHARTS = ["by-area", "status", "key-paths", "over-periods", "by-unit", "overdue", "staleness"]
GRADES = [
    (RatingLevel.AHEAD, "A", "完成或超前", "#1b7f3b"),
    (RatingLevel.ON_SCHEDULE, "B", "按计划推进", "#74b816"),
    (RatingLevel.SLIGHTLY_BEHIND, "C", "稍有滞后", "#f2b705"),
    (RatingLevel.SERIOUSLY_BEHIND, "D", "严重滞后", "#f76707"),
    (RatingLevel.STALLED, "E", "停滞", "#c92a2a"),
]
TITLES = ["行政审批制度改革", "国资国企改革", "社会信用体系建设", "河湖管理机制创新"]


def _this_years_ledger(world) -> tuple[int, int]:
    """A year of the city ledger up to last month: 40 tasks rated every month, with
    reports and milestones, written as plain rows. Returns (year, tasks)."""
    today = timezone.localdate()
    year = today.year if today.month > 3 else today.year - 1
    months = 12 if year < today.year else today.month - 1
    rng = random.Random(2016)  # reproducible fixture data
    areas = [world.economy, world.society] + [
        ReformAreaFactory(code=code, name=name)
        for code, name in [("ecology", "生态文明体制改革"), ("culture", "文化体制改革")]
    ]
    units = [world.huiyang, world.boluo, world.fgj, world.huiyang_town] + [
        UnitFactory(parent=world.city, kind=UnitKind.DEPARTMENT, name=name)
        for name in ("市财政局", "市自然资源局", "市生态环境局")
    ]
    for unit in units:
        unit.refresh_from_db()
    scale = RatingScale.objects.create(office=world.office, year=year)
    grades = [
        RatingGrade.objects.create(scale=scale, level=lv, letter=lt, name=nm, colour=c)
        for lv, lt, nm, c in GRADES
    ]
    periods = [
        Period.objects.create(
            office=world.office,
            year=year,
            number=m,
            start=dt.date(year, m, 1),
            end=(dt.date(year + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)),
            report_due=(dt.date(year + m // 12, m % 12 + 1, 5)),
        )
        for m in range(1, months + 1)
    ]
    statuses = [TaskStatus.IN_PROGRESS] * 6 + [TaskStatus.CLOSED] * 2 + [TaskStatus.BLOCKED]
    tasks = Task.objects.bulk_create(
        Task(
            office=world.office,
            year=year,
            code=f"{year}-{i + 1:03d}",
            title=f"{TITLES[i % len(TITLES)]}（{units[i % len(units)].name}）",
            area=areas[i % len(areas)],
            lead_unit=units[(i * 3) % len(units)],
            deliverable_kind="policy",
            start_date=dt.date(year, 1, 1),
            deadline=dt.date(year, 12, 31),
            is_key=i % 5 == 0,
            status=TaskStatus.CARRIED_OVER if i == 39 else rng.choice(statuses),
        )
        for i in range(40)
    )
    ratings, reports = [], []
    for task in tasks:
        level = rng.choice([0, 1, 1, 1, 2])
        silent_from = rng.choice([months + 1] * 4 + [months - 2, months - 4])
        for n, period in enumerate(periods, start=1):
            level = min(4, max(0, level + rng.choice([-1, 0, 0, 0, 1])))
            ratings.append(
                Rating(
                    task=task,
                    period=period,
                    suggested=grades[level],
                    computed_at=timezone.now(),
                )
            )
            if n < silent_from:
                reports.append(
                    ProgressReport(
                        task=task,
                        period=period,
                        status=ReportStatus.ACCEPTED,
                        done="按计划推进",
                        percent=min(100, n * 9),
                        author=world.office_staff,
                        submitted_at=timezone.make_aware(
                            dt.datetime.combine(period.report_due, dt.time(10))
                        )
                        - dt.timedelta(days=rng.randint(0, 4)),
                    )
                )
    Rating.objects.bulk_create(ratings)
    ProgressReport.objects.bulk_create(reports)
    plans = Plan.objects.bulk_create(Plan(task=t, status=PlanStatus.APPROVED) for t in tasks)
    Milestone.objects.bulk_create(
        Milestone(
            plan=plan,
            title=f"节点{k}",
            planned_date=dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(20, 330)),
            weight=50,
            is_key=k == 1,
            reached_on=dt.date(year, 1, 15) if rng.random() < 0.6 else None,
        )
        for plan in plans
        for k in (0, 1)
    )
    return year, len(tasks)


def _login(page, live_server, username: str) -> None:
    sign_in(page, live_server, username)  # with the TOTP code where the role needs one


def _with_strict_csp(page) -> list[str]:
    """Serve the dashboard with a strict Content Security Policy (no inline script or
    style); returns the list the browser's refusals are collected in."""

    def add_policy(route):
        response = route.fetch()
        route.fulfill(
            response=response,
            headers={**response.headers, "content-security-policy": STRICT_CSP},
        )

    page.route(re.compile(r"/dashboard/(\?.*)?$"), add_policy)
    refused: list[str] = []
    page.on(
        "console",
        lambda m: (
            refused.append(f"{m.text} ({m.location['url']})")
            if "Content Security Policy" in m.text
            else None
        ),
    )
    return refused


def _charts_drawn(page) -> None:
    """Wait until each chart has its canvas and has finished drawing (dashboard.js marks it)."""
    for chart in CHARTS:
        page.locator(f"[data-testid=chart-{chart}] canvas").first.wait_for()
        page.locator(f"[data-testid=chart-{chart}][data-drawn]").wait_for()


def test_office_opens_the_dashboard_and_every_chart_draws(
    transactional_db, live_server, world, office_staff, page, shot
):
    year, n = _this_years_ledger(world)
    errors, failed = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))  # a script that broke
    page.on(  # a script, style or page that did not load (the browser's favicon aside)
        "response",
        lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    refused = _with_strict_csp(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    _login(page, live_server, "office")
    page.goto(f"{live_server.url}/dashboard/")
    _charts_drawn(page)
    assert page.get_by_test_id("card-tasks").inner_text() == str(n)
    assert page.locator("#id_year").input_value() == str(year)  # the latest year by default
    # A grade badge in a table is coloured from the scale's data by dashboard.js.
    badge = page.locator("[data-testid=table-by-area] thead .badge").first
    assert badge.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(27, 127, 59)"
    page.get_by_test_id("details-by-area").locator("summary").click()
    assert page.get_by_test_id("table-by-area").is_visible()
    page.get_by_test_id("details-by-area").locator("summary").click()
    page.get_by_test_id("chart-over-periods").hover()  # a tooltip, drawn as rich text
    shot(page, "dashboard-1366")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _charts_drawn(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing spills sideways on a phone
    shot(page, "dashboard-390")

    page.select_option("#id_year", "2016")  # the year selector reloads the page
    page.wait_for_url("**year=2016")
    assert page.get_by_test_id("card-tasks").inner_text() == "4"
    assert errors == [] and failed == []
    assert refused == [], refused  # nothing the strict policy had to refuse
