"""Reporting periods: a year set up from its cycle settings, and a period closed (frozen)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import services
from reformledger.ledger.choices import PeriodStatus, RatingStatus
from reformledger.ledger.models import CycleSettings, Period, Rating


def test_a_year_is_set_up_as_twelve_monthly_periods_with_reports_due_five_days_later(
    world, office_staff
):
    periods = services.periods_ensure(office=world.office, year=2016, by=office_staff)

    assert [p.label for p in periods] == [f"2016-{m:02d}" for m in range(1, 13)]
    feb = periods[1]
    assert (feb.start, feb.end, feb.report_due) == (
        dt.date(2016, 2, 1),
        dt.date(2016, 2, 29),
        dt.date(2016, 3, 5),
    )
    assert periods[-1].report_due == dt.date(2017, 1, 5)
    assert all(p.status == PeriodStatus.OPEN for p in periods)
    record = AuditRecord.objects.get(verb="period.created")
    assert record.actor == office_staff
    assert record.changes["periods"][1] == [p.label for p in periods]


def test_setting_up_a_year_twice_creates_nothing_the_second_time(world, office_staff):
    first = services.periods_ensure(office=world.office, year=2016, by=office_staff)
    again = services.periods_ensure(office=world.office, year=2016)

    assert [p.pk for p in again] == [p.pk for p in first]
    assert Period.objects.count() == 12
    assert AuditRecord.objects.filter(verb="period.created").count() == 1


def test_cycle_settings_make_quarterly_periods(world):
    CycleSettings.objects.create(
        office=world.office, year=2016, months_per_period=3, report_due_days=10
    )
    periods = services.periods_ensure(office=world.office, year=2016)

    assert [p.label for p in periods] == ["2016-01/03", "2016-04/06", "2016-07/09", "2016-10/12"]
    assert periods[1].end == dt.date(2016, 6, 30)
    assert periods[1].report_due == dt.date(2016, 7, 10)


def test_a_liaison_cannot_set_up_periods(world, huiyang_liaison):
    with pytest.raises(PermissionDenied):
        services.periods_ensure(office=world.office, year=2016, by=huiyang_liaison)
    assert not Period.objects.exists()


def test_period_for_finds_the_period_a_day_falls_in(world):
    services.periods_ensure(office=world.office, year=2016)
    assert services.period_for(world.office, dt.date(2016, 7, 31)).label == "2016-07"
    assert services.period_for(world.office, dt.date(2017, 1, 1)) is None


def test_only_an_office_leader_closes_a_period(world, office_staff, director):
    june = services.periods_ensure(office=world.office, year=2016)[5]
    with pytest.raises(PermissionDenied):
        services.period_close(period=june, by=office_staff)

    services.period_close(period=june, by=director)

    june.refresh_from_db()
    assert june.status == PeriodStatus.CLOSED
    assert june.closed_by == director
    record = AuditRecord.objects.get(verb="period.closed")
    assert record.obj_id == str(june.pk)
    assert record.changes["status"] == ["open", "closed"]


def test_closing_a_period_twice_is_a_conflict_and_writes_one_record(world, director):
    june = services.periods_ensure(office=world.office, year=2016)[5]
    stale = Period.objects.get(pk=june.pk)
    services.period_close(period=june, by=director)
    with pytest.raises(ConflictError):
        services.period_close(period=stale, by=director)
    assert AuditRecord.objects.filter(verb="period.closed").count() == 1


def test_a_period_that_has_not_ended_cannot_be_closed(world, director):
    today = timezone.localdate()
    services.periods_ensure(office=world.office, year=today.year)
    current = services.period_for(world.office, today)
    with pytest.raises(ValidationError) as refused:
        services.period_close(period=current, by=director)
    assert "period" in refused.value.message_dict
    current.refresh_from_db()
    assert current.status == PeriodStatus.OPEN


def test_closing_keeps_undecided_suggestions_as_they_are(world, director):
    june = services.periods_ensure(office=world.office, year=2016)[5]
    services.ratings_compute_period(period=june)
    services.period_close(period=june, by=director)

    rating = Rating.objects.get(period=june, task=world.task_huiyang)
    assert rating.status == RatingStatus.SUGGESTED
    assert rating.final is None
    record = AuditRecord.objects.get(verb="period.closed")
    assert record.changes["ratings_suggested"] == [None, 1]


def test_require_open_names_the_period_once_it_is_closed(world, director):
    june = services.periods_ensure(office=world.office, year=2016)[5]
    assert services.require_open(june) == june
    stale = Period.objects.get(pk=june.pk)
    services.period_close(period=june, by=director)

    with pytest.raises(ValidationError) as refused:
        services.require_open(stale)  # a stale copy still says "open": the database decides
    assert list(refused.value.message_dict) == ["period"]
