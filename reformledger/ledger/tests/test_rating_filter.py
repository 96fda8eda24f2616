"""The ledger filtered by the latest rating: "the D and E tasks" in one click, the
grades the page shows agreeing with the ones asked for, kept in paging, sorting and
the exports, as of a closed period, and across offices whose letters differ."""

import csv
import datetime as dt
import io
from types import SimpleNamespace

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reformledger.ledger import services
from reformledger.ledger.choices import RatingStatus, TaskStatus
from reformledger.ledger.models import Rating, RatingGrade, Task
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import UnitKind
from tests.factories import TaskFactory

LEDGER = "ledger:ledger"


def _rate(task, period, suggested, *, final=None, by=None, status=RatingStatus.SUGGESTED):
    """A rating row as the engine and a leader leave it (the rating tests prove how)."""
    return Rating.objects.create(
        task=task,
        period=period,
        suggested=suggested,
        computed_at=timezone.now(),
        status=status,
        final=final,
        decided_by=by,
        decided_at=timezone.now() if by else None,
        override_reason="实地核查后调整" if status == RatingStatus.OVERRIDDEN else "",
    )


def rated_world(world, director) -> SimpleNamespace:
    """The city ledger of 2016 rated in May and June:

    - 2016-001 suggested D in June, undecided;
    - 2016-002 suggested B in June, overridden to E by the director;
    - 2016-003 suggested C in June, confirmed;
    - 2016-004 never rated;
    - 2016-010 rated D in May only (closed since);
    - 2016-011 suggested B in June.
    """
    periods = services.periods_ensure(office=world.office, year=2016)
    may, june = periods[4], periods[5]
    grade = {g.letter: g for g in services.scale_for(world.office, 2016).grades.all()}
    earlier = TaskFactory(
        office=world.office,
        code="2016-010",
        area=world.economy,
        lead_unit=world.boluo,
        status=TaskStatus.CLOSED,
    )
    on_track = TaskFactory(
        office=world.office,
        code="2016-011",
        area=world.economy,
        lead_unit=world.boluo,
        status=TaskStatus.IN_PROGRESS,
    )
    _rate(world.task_huiyang, june, grade["D"])
    _rate(
        world.task_helped,
        june,
        grade["B"],
        final=grade["E"],
        by=director,
        status=RatingStatus.OVERRIDDEN,
    )
    _rate(world.task_boluo, june, grade["C"], final=grade["C"], by=director, status="confirmed")
    _rate(earlier, may, grade["D"])
    _rate(on_track, june, grade["B"])
    return SimpleNamespace(may=may, june=june, grade=grade, earlier=earlier, on_track=on_track)


def _page(client, **params):
    response = client.get(reverse(LEDGER), {"year": 2016, **params})
    assert response.status_code == 200
    return response


def _codes(response) -> set[str]:
    return {t.code for t in response.context["page"]}


def _shown(response) -> dict[str, str | None]:
    """Each row's code and the letter its rating column shows (None for "—")."""
    return {t.code: (t.rating.grade.letter if t.rating else None) for t in response.context["page"]}


def test_a_leader_opens_the_d_and_e_tasks_in_one_click(world, director, client_for):
    rated_world(world, director)
    client = client_for(director)
    page = _page(client, rating=["seriously_behind", "stalled"])
    # The undecided suggestion counts as it stands; the overridden grade, not its
    # suggestion; a D of an earlier period only does not.
    assert _shown(page) == {"2016-001": "D", "2016-002": "E"}
    assert _codes(_page(client, rating="D,E")) == {"2016-001", "2016-002"}
    assert _codes(_page(client, rating=["D", "E"])) == {"2016-001", "2016-002"}
    assert page.context["totals"]["total"] == 2


def test_the_filter_picks_exactly_the_tasks_whose_shown_grade_was_asked_for(
    world, director, client_for
):
    rated_world(world, director)
    client = client_for(director)
    everything = _shown(_page(client))
    assert everything["2016-010"] is None  # rated in May only: June's column shows none
    for letters in (["B"], ["C"], ["D"], ["E"], ["B", "C"], ["A"]):
        picked = _page(client, rating=letters)
        assert _shown(picked) == {c: g for c, g in everything.items() if g in letters}, letters
    # The overridden task is E, not the B it was suggested.
    assert _codes(_page(client, rating="B")) == {"2016-011"}


def test_not_rated_yet_is_a_task_with_no_rating_at_all(world, director, client_for):
    rated_world(world, director)
    client = client_for(director)
    unrated = _page(client, rating="none")
    # 2016-010 has a rating (May's): it is neither "not rated yet" nor June's D.
    assert _shown(unrated) == {"2016-004": None}
    both = _page(client, rating=["D", "none"])
    assert _shown(both) == {"2016-001": "D", "2016-004": None}


def test_as_of_a_closed_period_the_filter_reads_that_periods_ratings(world, director, client_for):
    rated = rated_world(world, director)
    services.period_close(period=rated.may, by=director)
    client = client_for(director)
    as_of_may = _page(client, as_of=rated.may.pk, rating="D")
    assert _shown(as_of_may) == {"2016-010": "D"}
    assert as_of_may.context["ratings"].as_of == rated.may
    assert "2016-010" not in _codes(_page(client, as_of=rated.may.pk, rating="none"))
    assert _codes(_page(client, as_of=rated.may.pk, rating="none")) >= {"2016-001", "2016-004"}


def test_levels_work_across_offices_whose_letters_differ(world, director, client_for):
    """A county office grades "seriously behind" 丁: the level finds both ledgers' tasks,
    the letter only the ledger that spells it so."""
    rated_world(world, director)
    county_office = orgs.unit_create(
        by=None, code="HZ-HY-GGB", name="惠阳区委改革办", kind=UnitKind.OFFICE, parent=world.huiyang
    )
    county_task = TaskFactory(
        office=county_office,
        code="HY-2016-001",
        area=world.economy,
        lead_unit=world.huiyang_town,
        status=TaskStatus.IN_PROGRESS,
    )
    june = services.periods_ensure(office=county_office, year=2016)[5]
    scale = services.scale_for(county_office, 2016)
    RatingGrade.objects.filter(scale=scale, level="seriously_behind").update(letter="丁")
    _rate(county_task, june, scale.grades.get(level="seriously_behind"))
    client = client_for(director)
    level = _page(client, rating="seriously_behind")
    assert _shown(level) == {"2016-001": "D", "HY-2016-001": "丁"}
    assert _shown(_page(client, rating="D")) == {"2016-001": "D"}
    assert _shown(_page(client, rating="丁")) == {"HY-2016-001": "丁"}
    # The checkbox says both letters.
    assert "D/丁" in level.content.decode()


def test_the_checkboxes_keep_the_choice_through_paging_sorting_and_exports(
    world, director, client_for, settings
):
    rated_world(world, director)
    settings.LEDGER_PAGE_SIZE = 1
    client = client_for(director)
    page = _page(client, rating=["D", "E"])
    html = page.content.decode()
    assert 'data-testid="rating-filter"' in html
    # A letter from a link ticks its level's box.
    assert 'value="seriously_behind" id="id_rating_4" checked' in html
    assert 'value="stalled" id="id_rating_5" checked' in html
    assert 'value="none" id="id_rating_6">' in html
    kept = "rating=D&amp;rating=E"
    assert f"?year=2016&amp;{kept}&page=2" in html  # the pager
    assert f"?year=2016&amp;{kept}&amp;ordering=code" in html  # a sort link
    assert f"ledger.csv?year=2016&amp;{kept}" in html  # the export buttons
    assert f"ledger.xlsx?year=2016&amp;{kept}" in html
    second = _page(client, rating=["D", "E"], page=2)
    assert _codes(second) == {"2016-002"}


def test_the_export_holds_the_rows_and_grades_of_the_filtered_page(world, director, client_for):
    rated_world(world, director)
    client = client_for(director)
    for rating in (["D", "E"], ["none"]):
        response = client.get(reverse("ledger:ledger_csv"), {"year": 2016, "rating": rating})
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
        page = _shown(_page(client, rating=rating))
        grade = rows[0].index("评价")  # the rating column, by its header
        exported = {code: (row[grade] or None) for row in rows[1:] for code in row if code in page}
        assert len(rows) - 1 == len(page) and exported == page, rating


def test_an_empty_or_unknown_rating_shows_no_rows_rather_than_all(world, director, client_for):
    rated_world(world, director)
    client = client_for(director)
    assert _codes(_page(client, rating="")) == set()
    assert _codes(_page(client, rating="D,,E")) == set()
    assert _codes(_page(client, rating="Z")) == set()  # no scale has a Z


def _count(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(LEDGER), params).status_code == 200
    return len(ctx.captured_queries)


def test_the_filtered_ledger_runs_the_same_queries_for_10_and_200_tasks(
    world, director, client_for, settings
):
    settings.LEDGER_PAGE_SIZE = 1000
    rated = rated_world(world, director)
    services.period_close(period=rated.may, by=director)
    client = client_for(director)

    def add(n: int) -> None:
        tasks = Task.objects.bulk_create(
            Task(
                office=world.office,
                year=2016,
                code=f"R-{i:04d}",
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
        letters = "DEB"
        Rating.objects.bulk_create(
            Rating(
                task=t,
                period=period,
                suggested=rated.grade[letters[i % 3]],
                computed_at=timezone.now(),
            )
            for i, t in enumerate(tasks)
            for period in (rated.may, rated.june)
        )

    cases = [
        {"year": 2016, "rating": ["D", "E"]},
        {"year": 2016, "rating": ["seriously_behind", "none"]},
        {"year": 2016, "rating": "D", "as_of": rated.may.pk},
    ]
    add(10)
    small = [_count(client, params) for params in cases]
    Rating.objects.filter(task__code__startswith="R-").delete()
    Task.objects.filter(code__startswith="R-").delete()
    add(200)
    assert [_count(client, params) for params in cases] == small
    assert len(_page(client, rating=["D", "E"]).context["page"]) == 2 + 134
