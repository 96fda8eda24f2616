"""The summary rows of closed periods: after every act that closes a period or could
change what a closed period counts, they equal a count of the raw rows made here in
Python (not by the SQL that wrote them), and the dashboard reads the same page from them
as from the raw rows.

Ratings and reports are written as plain rows (as in web/tests/test_dashboard.py); the
acts under test go through their services.
"""

import datetime as dt
from collections import Counter
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import override

from reformledger.ledger import services
from reformledger.ledger.choices import PeriodStatus, ReportStatus, TaskStatus
from reformledger.ledger.models import (
    Period,
    PeriodSummary,
    ProgressReport,
    Rating,
    RatingGrade,
    RatingScale,
    RatingTally,
    ReportTally,
    Task,
)
from reformledger.ledger.services.summaries import summaries_rebuild
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import UnitKind
from reformledger.web import dashboard
from tests.factories import TaskFactory

TODAY = dt.date(2016, 8, 15)
LEVELS = ["ahead", "on_schedule", "slightly_behind", "seriously_behind", "stalled"]


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _month(office, number: int) -> Period:
    start = dt.date(2016, number, 1)
    end = dt.date(2016, number + 1, 1) - dt.timedelta(days=1)
    return Period.objects.create(
        office=office,
        year=2016,
        number=number,
        start=start,
        end=end,
        report_due=end + dt.timedelta(days=5),
    )


def _scale(office) -> SimpleNamespace:
    scale = RatingScale.objects.create(office=office, year=2016)
    return SimpleNamespace(
        **{
            letter: RatingGrade.objects.create(
                scale=scale, level=level, letter=letter, name=letter, colour="#000000"
            )
            for letter, level in zip("ABCDE", LEVELS, strict=True)
        }
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


def _report(task, period, author, submitted: dt.date | None) -> ProgressReport:
    return ProgressReport.objects.create(
        task=task,
        period=period,
        status=ReportStatus.ACCEPTED if submitted else ReportStatus.DRAFT,
        done="按计划推进",
        percent=50,
        author=author,
        submitted_at=_at(submitted) if submitted else None,
    )


@pytest.fixture
def year(world, director):
    """The city's ledger (and a county office's, whose task the city office sees only
    through its host) with January and February rated and reported, March open."""
    w = world
    w.director = director
    g = _scale(w.office)
    w.grades = g
    w.jan, w.feb, w.mar = (_month(w.office, n) for n in (1, 2, 3))
    author = w.office_staff
    for task, grades in [
        (w.task_huiyang, (g.B, g.A, g.A)),
        (w.task_helped, (g.C, g.C, None)),
        (w.task_boluo, (g.B, g.E, g.E)),
        (w.task_town, (g.D, None, g.C)),
    ]:
        for period, grade in zip((w.jan, w.feb, w.mar), grades, strict=True):
            if grade is not None:
                _rate(task, period, grade)
    # February: 惠阳 suggested B, decided A (the decision counts).
    Rating.objects.filter(task=w.task_huiyang, period=w.feb).update(
        suggested=g.B, final=g.A, status="overridden"
    )
    _report(w.task_huiyang, w.jan, author, dt.date(2016, 2, 3))
    _report(w.task_huiyang, w.feb, author, dt.date(2016, 3, 4))
    _report(w.task_helped, w.jan, author, dt.date(2016, 2, 3))
    _report(w.task_town, w.feb, author, None)
    _report(w.task_boluo, w.mar, author, dt.date(2016, 4, 2))
    Task.objects.filter(pk__in=[w.task_huiyang.pk, w.task_helped.pk]).update(
        status=TaskStatus.IN_PROGRESS
    )
    Task.objects.filter(pk=w.task_boluo.pk).update(status=TaskStatus.CLOSED)

    # 惠阳区's own reform office: its ledger's task is led by 惠阳区, under the city the
    # city office's staff read as its host.
    w.county_office = orgs.unit_create(
        by=None, code="HZ-HY-GGB", name="惠阳区委改革办", kind=UnitKind.OFFICE, parent=w.huiyang
    )
    w.huiyang.refresh_from_db()
    w.county_office.refresh_from_db()
    cg = _scale(w.county_office)
    w.county_jan = _month(w.county_office, 1)
    w.county_task = TaskFactory(
        office=w.county_office, lead_unit=w.huiyang, area=w.society, code="HY-001"
    )
    _rate(w.county_task, w.county_jan, cg.D)
    _report(w.county_task, w.county_jan, author, dt.date(2016, 2, 4))
    return w


def _recount(period: Period) -> tuple[Counter, Counter, dict]:
    """The period's counts from its raw rows, as the summary rows key them."""
    ratings, reports, last = Counter(), Counter(), {}
    for r in Rating.objects.filter(period=period).select_related("task"):
        t, grade = r.task, r.final_id or r.suggested_id
        ratings[t.office_id, t.year, t.lead_unit_id, None, grade] += 1
        ratings[t.office_id, t.year, None, t.area_id, grade] += 1
    for r in ProgressReport.objects.filter(period=period).select_related("task"):
        t = r.task
        key = (t.office_id, t.year, t.lead_unit_id)
        reports[key] += 1
        if r.submitted_at is not None:
            last[key] = max(filter(None, (last.get(key), r.submitted_at)))
        else:
            last.setdefault(key, None)
    return ratings, reports, last


def _kept(period: Period) -> tuple[Counter, Counter, dict]:
    ratings = Counter(
        {
            (r.office_id, r.year, r.lead_unit_id, r.area_id, r.grade_id): r.ratings
            for r in RatingTally.objects.filter(period=period)
        }
    )
    rows = list(ReportTally.objects.filter(period=period))
    reports = Counter({(r.office_id, r.year, r.lead_unit_id): r.reports for r in rows})
    last = {(r.office_id, r.year, r.lead_unit_id): r.last_submitted for r in rows}
    return ratings, reports, last


def _assert_summaries_match_raw_rows():
    """Every closed period has its summary, equal to a recount of its raw rows; no open
    period has one."""
    for period in Period.objects.all():
        summary = PeriodSummary.objects.filter(period=period).first()
        if period.status != PeriodStatus.CLOSED:
            assert summary is None, period
            assert not RatingTally.objects.filter(period=period).exists()
            continue
        assert summary is not None, period
        assert _kept(period) == _recount(period), period.label
        assert summary.ratings == Rating.objects.filter(period=period).count()
        assert summary.reports == ProgressReport.objects.filter(period=period).count()


def _close_all(w):
    services.period_close(period=w.jan, by=w.director)
    services.period_close(period=w.feb, by=w.director)
    # The county's own leader would close its month; here it is closed by hand and its
    # summary written as the bench fixture writes it.
    Period.objects.filter(pk=w.county_jan.pk).update(status=PeriodStatus.CLOSED)
    summaries_rebuild(w.county_jan)


def test_closing_a_period_writes_summary_rows_equal_to_its_raw_rows(year):
    services.period_close(period=year.jan, by=year.director)

    assert PeriodSummary.objects.get(period=year.jan).ratings == 4
    assert not PeriodSummary.objects.filter(period=year.feb).exists()
    _assert_summaries_match_raw_rows()


def test_a_rating_of_a_closed_period_cannot_change_so_its_summary_stands(year):
    _close_all(year)
    rating = Rating.objects.get(task=year.task_helped, period=year.feb)

    with pytest.raises(ValidationError):
        services.rating_override(rating=rating, by=year.director, grade=year.grades.A, reason="x")
    with pytest.raises(ValidationError):
        services.rating_confirm(rating=rating, by=year.director)

    _assert_summaries_match_raw_rows()


def test_a_task_moved_to_another_lead_unit_moves_its_closed_counts(year):
    _close_all(year)

    services.task_update(task=year.task_huiyang, by=year.office_staff, lead_unit=year.boluo)

    _assert_summaries_match_raw_rows()
    unit_rows = RatingTally.objects.filter(period=year.feb, lead_unit=year.boluo)
    assert sum(r.ratings for r in unit_rows) == 2  # 博罗's own task and 惠阳's, moved
    assert not RatingTally.objects.filter(period=year.feb, lead_unit=year.huiyang).exists()


def test_a_task_moved_to_another_area_moves_its_closed_counts(year):
    _close_all(year)

    services.task_update(task=year.task_town, by=year.office_staff, area=year.economy)

    _assert_summaries_match_raw_rows()
    assert not RatingTally.objects.filter(period=year.jan, area=year.society, office=year.office)


def test_closing_reopening_and_blocking_tasks_leave_the_summaries_equal(year):
    _close_all(year)

    services.task_reopen(task=year.task_boluo, by=year.director, reason="验收不合格")
    services.task_set_status(
        task=year.task_helped, by=year.office_staff, status=TaskStatus.BLOCKED, reason="资金"
    )
    services.task_update(task=year.task_helped, by=year.office_staff, title="投融资体制改革（二）")

    _assert_summaries_match_raw_rows()


def test_a_period_no_longer_closed_loses_its_summary(year):
    _close_all(year)
    Period.objects.filter(pk=year.feb.pk).update(status=PeriodStatus.OPEN)

    assert summaries_rebuild(year.feb) is None

    _assert_summaries_match_raw_rows()
    assert not ReportTally.objects.filter(period=year.feb).exists()


def test_rebuilding_twice_writes_the_same_rows(year):
    _close_all(year)
    before = _kept(year.jan)

    summaries_rebuild(period=year.jan)

    assert _kept(year.jan) == before
    _assert_summaries_match_raw_rows()


def test_the_command_summarises_periods_closed_without_summaries(year):
    Period.objects.filter(pk__in=[year.jan.pk, year.county_jan.pk]).update(
        status=PeriodStatus.CLOSED
    )
    out = StringIO()

    call_command("summarise_periods", stdout=out)

    assert "2 closed periods summarised" in out.getvalue()
    _assert_summaries_match_raw_rows()


def _read(user):
    with override("en"):
        dash = dashboard.dashboard(user, year=2016, today=TODAY)
    return {
        "status": dash.status,
        "by_area": (dash.by_area.categories, dash.by_area.rows, dash.by_area.period),
        "by_unit": (dash.by_unit.categories, dash.by_unit.rows, dash.by_unit.of),
        "over": (dash.over_periods.categories, dash.over_periods.rows),
        "staleness": dash.staleness,
        "key_paths": dash.key_paths,
        "cards": dash.cards,
    }


@pytest.mark.parametrize("latest_open", [False, True], ids=["latest-closed", "latest-open"])
@pytest.mark.parametrize("who", ["office_staff", "city_leader", "huiyang_liaison"])
def test_the_dashboard_reads_the_same_page_from_summaries_as_from_raw_rows(
    year, request, who, latest_open
):
    user = request.getfixturevalue(who)
    if not latest_open:  # the charts by area and unit then show February, closed
        Rating.objects.filter(period=year.mar).delete()
    _close_all(year)
    services.task_update(task=year.task_town, by=year.office_staff, lead_unit=year.fgj)
    from_summaries = _read(user)

    PeriodSummary.objects.all().delete()  # every period read from its raw rows
    from_raw = _read(user)

    assert from_summaries == from_raw
    assert from_raw["over"][0] == (
        ["2016-01", "2016-02", "2016-03"] if latest_open else ["2016-01", "2016-02"]
    )


def test_the_dashboard_counts_closed_periods_from_their_summary_rows(year, office_staff):
    Rating.objects.filter(period=year.mar).delete()
    _close_all(year)
    # A summary row the raw rows do not back: only a page reading it can show it.
    RatingTally.objects.filter(period=year.jan, area__isnull=False).update(ratings=10)
    RatingTally.objects.filter(period=year.feb, lead_unit__isnull=False).update(ratings=10)

    page = _read(office_staff)

    # January: three area rows of ten, and the county task's rating (read raw); February
    # as it was (its area rows untouched).
    assert [row["total"] for row in page["over"][1]] == [31, 3]
    assert [row["total"] for row in page["by_unit"][1]] == [10, 10, 10]
