"""Every list of the API and every paged list page costs the same number of queries
however many rows it shows (STYLE: "List pages and list endpoints assert a fixed query
count whatever the number of rows").

Two registries say how each list is held to that: `API_LISTS` for every route of the
API router with a list action, `PAGES` for every page whose view pages a list
(`Paginator` / `list_paging`). An entry either grows the list here (`Grow`: a function
that writes `n` more rows the office staff member sees) or names the test of its own
app that already asserts it (`Elsewhere`). A list added to the router, or a paged page
added to the site, without an entry fails `test_every_*_is_held_to_a_fixed_count`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from reformledger.accounts.models import ApiToken
from reformledger.api.urls import router
from reformledger.exchange.models import ImportJob
from reformledger.ledger.choices import ClosingStatus, ReportStatus, TaskStatus
from reformledger.ledger.models import (
    ClosingRequest,
    Period,
    Plan,
    ProgressReport,
    Rating,
    RatingGrade,
    RatingScale,
    ReformArea,
    ReformSystem,
    Task,
)
from reformledger.ledger.services.periods import periods_ensure
from reformledger.notifications.choices import NotificationKind
from reformledger.notifications.models import Notification
from reformledger.orgs.models import Person
from tests.factories import TaskFactory, UnitFactory

API = "/api/v1/"
YEAR = 2016
GRADES = [
    ("ahead", "A"),
    ("on_schedule", "B"),
    ("slightly_behind", "C"),
    ("seriously_behind", "D"),
    ("stalled", "E"),
]


@dataclass(frozen=True)
class Grow:
    """Grow the list here: `add(world, start, n)` writes `n` more rows (numbered from
    `start`) that the office staff member sees; `params` are the list's query string."""

    add: Callable
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Elsewhere:
    """The list's own app asserts its fixed count: `test` is "module::function"."""

    test: str


# --- writing rows in bulk (directly: the count of queries is measured, not the acts) --


def _tasks(world, start: int, n: int) -> list[Task]:
    return TaskFactory.create_batch(
        n,
        office=world.office,
        year=YEAR,
        area=world.economy,
        lead_unit=world.huiyang,
        status=TaskStatus.IN_PROGRESS,
        code=factory.Iterator([f"Q-{start + i:04d}" for i in range(n)]),
    )


def _periods(world) -> list[Period]:
    return periods_ensure(office=world.office, year=YEAR)


def _scale(world, year: int = YEAR) -> RatingScale:
    scale, made = RatingScale.objects.get_or_create(office=world.office, year=year)
    if made:
        RatingGrade.objects.bulk_create(
            RatingGrade(scale=scale, level=level, letter=letter, name=letter)
            for level, letter in GRADES
        )
    return scale


def add_units(world, start, n):
    for i in range(n):
        UnitFactory(parent=world.city, code=f"QU-{start + i:04d}", name=f"单位{start + i}")


def add_people(world, start, n):
    Person.objects.bulk_create(
        Person(name=f"人员{start + i}", unit=world.huiyang) for i in range(n)
    )


def add_plans(world, start, n):
    Plan.objects.bulk_create(
        Plan(task=task, revision=1, status="submitted", created_by=world.office_staff)
        for task in _tasks(world, start, n)
    )


def add_reports(world, start, n):
    period = _periods(world)[0]
    ProgressReport.objects.bulk_create(
        ProgressReport(
            task=task,
            period=period,
            status=ReportStatus.SUBMITTED,
            done="按计划推进",
            percent=50,
            author=world.office_staff,
            submitted_at=timezone.now(),
        )
        for task in _tasks(world, start, n)
    )


def add_ratings(world, start, n):
    period = _periods(world)[0]
    grade = _scale(world).grades.get(letter="B")
    Rating.objects.bulk_create(
        Rating(task=task, period=period, suggested=grade, computed_at=timezone.now())
        for task in _tasks(world, start, n)
    )


def add_periods(world, start, n):
    for year in range(2000 + start, 2000 + start + n):
        periods_ensure(office=world.office, year=year)


def add_rating_scales(world, start, n):
    for year in range(2000 + start, 2000 + start + n):
        _scale(world, year)


def add_reform_areas(world, start, n):
    ReformArea.objects.bulk_create(
        ReformArea(code=f"qa{start + i}", name=f"领域{start + i}") for i in range(n)
    )


def add_reform_systems(world, start, n):
    ReformSystem.objects.bulk_create(
        ReformSystem(code=f"qs{start + i}", name=f"体系{start + i}") for i in range(n)
    )


def add_import_jobs(world, start, n):
    ImportJob.objects.bulk_create(
        ImportJob(kind="task_list", created_by=world.office_staff, file_name=f"{start + i}.xlsx")
        for i in range(n)
    )


def add_tokens(world, start, n):
    ApiToken.objects.bulk_create(
        ApiToken(
            user=world.office_staff,
            name=f"t{start + i}",
            prefix="rl_",
            key_hash=f"{start + i:064d}",
        )
        for i in range(n)
    )


def add_closed(world, start, n):
    tasks = _tasks(world, start, n)
    ClosingRequest.objects.bulk_create(
        ClosingRequest(
            task=task,
            status=ClosingStatus.APPROVED,
            summary="已完成",
            document_no=f"惠改〔2016〕{start + i}号",
            document_date=dt.date(YEAR, 11, 30),
            requested_by=world.office_staff,
        )
        for i, task in enumerate(tasks)
    )
    Task.objects.filter(pk__in=[t.pk for t in tasks]).update(status=TaskStatus.CLOSED)


def add_notices(world, start, n):
    Notification.objects.bulk_create(
        Notification(
            recipient=world.office_staff,
            kind=NotificationKind.REPORT_DUE,
            key=f"q{start + i}",
            title=f"通知{start + i}",
        )
        for i in range(n)
    )


def add_led_tasks(world, start, n):
    """Tasks each led by a unit of its own: the staleness page has a row per unit."""
    for i in range(n):
        unit = UnitFactory(parent=world.city, code=f"QL-{start + i:04d}", kind="county")
        TaskFactory(
            office=world.office,
            year=YEAR,
            area=world.economy,
            lead_unit=unit,
            status=TaskStatus.IN_PROGRESS,
            code=f"L-{start + i:04d}",
        )


API_LISTS: dict[str, Grow | Elsewhere] = {
    "units": Grow(add_units),
    "people": Grow(add_people),
    "tasks": Elsewhere(
        "reformledger.api.tests.test_api_ledger_rows::"
        "test_the_task_list_with_ratings_and_progress_runs_the_same_queries_for_10_and_200_tasks"
    ),
    "plans": Grow(add_plans),
    "reports": Grow(add_reports),
    "ratings": Grow(add_ratings),
    "closings": Elsewhere(
        "reformledger.api.tests.test_api_acts::"
        "test_the_closings_list_runs_the_same_queries_for_3_and_30_rows"
    ),
    "periods": Grow(add_periods),
    "rating-scales": Grow(add_rating_scales),
    "reform-areas": Grow(add_reform_areas),
    "reform-systems": Grow(add_reform_systems),
    "import-jobs": Grow(add_import_jobs),
    "tokens": Grow(add_tokens),
    "audit-records": Elsewhere(
        "reformledger.audit.tests.test_api::test_the_list_runs_the_same_queries_for_few_and_many_records"
    ),
    **{
        name: Elsewhere(
            "reformledger.supervision.tests.test_api::"
            "test_every_list_runs_the_same_queries_for_few_and_many_rows"
        )
        for name in (
            "leader-links",
            "supervision-meetings",
            "reform-documents",
            "leading-group-meetings",
            "supervision-orders",
            "action-items",
        )
    },
    **{
        name: Elsewhere(
            "reformledger.pilots.tests.test_pilot_api::"
            "test_the_lists_run_the_same_queries_for_ten_and_a_thousand_rows"
        )
        for name in ("pilots", "sub-projects")
    },
    **{
        name: Elsewhere(
            "reformledger.indicators.tests.test_queries::"
            "test_a_list_costs_the_same_for_10_and_1000_indicators"
        )
        for name in ("indicators", "indicator-targets", "indicator-values")
    },
    **{
        name: Elsewhere(
            "reformledger.pilots.tests.test_innovation_api::"
            "test_the_lists_run_the_same_queries_for_10_and_1000_rows"
        )
        for name in ("innovations", "adoptions")
    },
    "investment-reports": Elsewhere(
        "reformledger.pilots.tests.test_investment_service::"
        "test_the_api_list_costs_the_same_queries_whatever_its_length"
    ),
    **{
        name: Elsewhere(
            "reformledger.evaluation.tests.test_api::test_lists_cost_the_same_whatever_the_rows"
        )
        for name in (
            "evaluations",
            "evaluation-criteria",
            "evaluation-scores",
            "self-assessments",
            "evaluation-findings",
            "evaluation-teams",
        )
    },
    **{
        name: Elsewhere(
            "reformledger.assessment.tests.test_assessment_api::"
            "test_lists_cost_the_same_whatever_the_rows"
        )
        for name in ("assessment-rule-sets", "assessment-cards", "assessment-appeals")
    },
    **{
        name: Elsewhere(
            "reformledger.publications.tests.test_publications::"
            "test_the_list_page_and_api_run_a_fixed_number_of_queries"
        )
        for name in ("publications", "publication-versions")
    },
    **{
        name: Elsewhere(
            "reformledger.catalog.tests.test_api::"
            "test_the_edition_and_part_lists_run_the_same_queries_for_3_and_30_rows"
        )
        for name in ("lists/editions", "lists/parts", "public/lists/editions")
    },
    **{
        name: Elsewhere(
            "reformledger.catalog.tests.test_api::"
            "test_the_item_lists_run_the_same_queries_for_3_and_30_rows"
        )
        for name in ("lists/items", "lists/item-types", "public/lists/items")
    },
}

PAGES: dict[str, Grow | Elsewhere] = {
    "web:unit_messengers": Elsewhere(
        "reformledger.web.tests.test_messengers::"
        "test_the_robots_page_runs_the_same_queries_for_3_and_30_robots"
    ),
    "accounts:users": Elsewhere(
        "reformledger.accounts.tests.test_security_admin::"
        "test_the_list_runs_the_same_queries_for_5_and_60_accounts"
    ),
    "ledger:ledger": Elsewhere(
        "reformledger.web.tests.test_queries::"
        "test_ledger_page_runs_the_same_queries_for_10_and_500_tasks"
    ),
    "ledger:reports": Grow(add_reports),
    "ledger:ratings": Grow(add_ratings),
    "ledger:closed": Grow(add_closed, {"year": YEAR}),
    "ledger:closings": Elsewhere(
        "reformledger.ledger.tests.test_closing_proof::"
        "test_the_closings_inbox_runs_the_same_queries_with_proof_for_3_and_30_requests"
    ),
    "ledger:staleness": Grow(add_led_tasks, {"year": YEAR}),
    "notifications:list": Grow(add_notices),
    "audit:trail": Elsewhere(
        "reformledger.audit.tests.test_pages::test_the_trail_runs_the_same_queries_for_10_and_200_records"
    ),
    **{
        name: Elsewhere(
            "reformledger.supervision.tests.test_pages::"
            "test_the_lists_run_a_fixed_number_of_queries_whatever_the_rows"
        )
        for name in (
            "supervision:links",
            "supervision:meetings",
            "supervision:documents",
            "supervision:group_meetings",
        )
    },
    "pilots:pilots": Elsewhere(
        "reformledger.pilots.tests.test_pilot_pages::"
        "test_the_registry_runs_the_same_queries_for_ten_and_a_thousand_pilots"
    ),
    "pilots:innovations": Elsewhere(
        "reformledger.pilots.tests.test_innovation_pages::"
        "test_the_list_runs_the_same_queries_for_10_and_1000_rows"
    ),
    "indicators:list": Elsewhere(
        "reformledger.indicators.tests.test_queries::"
        "test_a_list_costs_the_same_for_10_and_1000_indicators"
    ),
    "evaluation:list": Elsewhere(
        "reformledger.evaluation.tests.test_pages::"
        "test_list_filters_and_costs_the_same_for_many_rows"
    ),
    "assessment:cards": Elsewhere(
        "reformledger.assessment.tests.test_assessment_pages::"
        "test_the_card_list_filters_and_keeps_its_query_count"
    ),
    "assessment:appeals": Elsewhere(
        "reformledger.assessment.tests.test_assessment_pages::"
        "test_the_appeals_list_keeps_its_query_count"
    ),
    "publications:list": Elsewhere(
        "reformledger.publications.tests.test_publications::"
        "test_the_list_page_and_api_run_a_fixed_number_of_queries"
    ),
    **{
        name: Elsewhere(
            "reformledger.catalog.tests.test_pages::"
            "test_the_edition_page_runs_a_fixed_number_of_queries"
        )
        for name in ("catalog:list", "catalog:edition", "catalog:compare")
    },
    **{
        name: Elsewhere(
            "reformledger.catalog.tests.test_public::"
            "test_item_and_edition_pages_ask_a_fixed_number_of_queries"
        )
        for name in ("public:lists", "public:edition")
    },
}


# --- what the site has --------------------------------------------------------------


def api_lists() -> set[str]:
    """Every route of the API router whose viewset lists."""
    return {prefix for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")}


def _patterns(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(p for p in (namespace, pattern.namespace or "") if p)
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def paged_pages() -> set[str]:
    """Every page whose view pages a list (reads its rows through a paginator)."""
    found = set()
    for name, pattern in _patterns(get_resolver()):
        view = inspect.unwrap(pattern.callback)
        try:
            source = inspect.getsource(view)
        except (OSError, TypeError):
            continue
        if "list_paging(" in source or "Paginator(" in source:
            found.add(name)
    return found


def _test_exists(spec: str) -> bool:
    module_name, _, function = spec.partition("::")
    module = importlib.import_module(module_name)
    test = getattr(module, function, None)
    if test is None:
        return False
    # The test, or a helper of its module, counts the queries.
    source = inspect.getsource(module)
    return any(
        word in source for word in ("CaptureQueriesContext", "django_assert", "assertNumQueries")
    )


def test_every_api_list_is_held_to_a_fixed_count():
    assert api_lists() - set(API_LISTS) == set(), "a list endpoint without a query-count test"
    assert set(API_LISTS) - api_lists() == set(), "an entry for a list the router no longer has"
    missing = [s.test for s in API_LISTS.values() if isinstance(s, Elsewhere)]
    assert [spec for spec in missing if not _test_exists(spec)] == []


def test_every_paged_page_is_held_to_a_fixed_count():
    assert paged_pages() - set(PAGES) == set(), "a paged page without a query-count test"
    assert set(PAGES) - paged_pages() == set(), "an entry for a page the site no longer has"
    missing = [s.test for s in PAGES.values() if isinstance(s, Elsewhere)]
    assert [spec for spec in missing if not _test_exists(spec)] == []


# --- the lists grown here -----------------------------------------------------------


def _count(client, url: str, params: dict) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.content[:300])
    return len(ctx.captured_queries), response.content


def _same_for_few_and_many(world, client, url: str, spec: Grow, few=3, many=40) -> None:
    spec.add(world, 0, few)
    client.get(url, spec.params)  # warm: the session, the caches
    small, small_body = _count(client, url, spec.params)
    spec.add(world, few, many)
    large, large_body = _count(client, url, spec.params)
    assert len(large_body) > len(small_body), "the rows added are not on the list"
    assert large == small


@pytest.mark.parametrize("prefix", sorted(p for p, s in API_LISTS.items() if isinstance(s, Grow)))
def test_an_api_list_runs_the_same_queries_for_few_and_many_rows(
    world, director, client_for, settings, prefix
):
    spec = API_LISTS[prefix]
    client = client_for(world.office_staff)
    params = {"page_size": 500, **spec.params}
    _same_for_few_and_many(world, client, f"{API}{prefix}/", Grow(spec.add, params))


@pytest.mark.parametrize("name", sorted(n for n, s in PAGES.items() if isinstance(s, Grow)))
def test_a_paged_page_runs_the_same_queries_for_few_and_many_rows(
    world, director, client_for, settings, name
):
    settings.LEDGER_PAGE_SIZE = 500  # every row on one page, so the rows really render
    client = client_for(world.office_staff)
    _same_for_few_and_many(world, client, reverse(name), PAGES[name])
