"""Whether an indicator is on track: the path from the year's start to its target, the
actual on the right or wrong side of it for its direction, and the owner unit told
once when it falls behind."""

import datetime as dt
from decimal import Decimal

import pytest

from reformledger.audit.models import AuditRecord
from reformledger.indicators import selectors, services, tasks, tracking
from reformledger.indicators.choices import Track
from reformledger.notifications.models import Notification


def _report_checked(indicator, period, value, *, by, checker):
    row = services.indicator_report(indicator=indicator, period=period, value=value, by=by)
    return services.indicator_check(value=row, by=checker)


def test_the_path_runs_straight_from_the_start_to_the_target():
    assert tracking.path_at(Decimal(0), Decimal(366), dt.date(2016, 12, 31), 2016) == 366
    assert tracking.path_at(Decimal(0), Decimal(366), dt.date(2016, 6, 30), 2016) == 182
    assert tracking.path_at(Decimal(10), Decimal(0), dt.date(2015, 12, 31), 2016) == 10


@pytest.mark.parametrize(
    ("direction", "actual", "expected"),
    [
        ("higher", 100, Track.ON_TRACK),
        ("higher", 99.5, Track.ON_TRACK),  # within 1% of the planned change (200)
        ("higher", 97, Track.BEHIND),
        ("higher", 150, Track.ON_TRACK),
        ("lower", 100, Track.ON_TRACK),
        ("lower", 101.5, Track.ON_TRACK),
        ("lower", 103, Track.BEHIND),
        ("lower", 50, Track.ON_TRACK),
    ],
)
def test_an_actual_on_the_wrong_side_of_the_path_is_behind(direction, actual, expected):
    allowed = tracking.tolerance(Decimal(0), Decimal(200), 0)
    verdict = tracking.judge(
        direction=direction, actual=Decimal(str(actual)), path=Decimal(100), allowed=allowed
    )
    assert verdict == expected


def test_the_loans_indicator_falls_behind_and_catches_up(
    world, office_staff, huiyang_liaison, loans, periods
):
    """Target 66 firms in 2016 from a baseline of 0: by the end of June the path stands
    at about 33."""
    services.indicator_set_target(indicator=loans, by=office_staff, year=2016, target=66)
    tracks = selectors.indicator_tracks([loans], year=2016)
    assert tracks[loans.pk] == Track.NO_DATA
    services.indicator_report(indicator=loans, period=periods[6], value=20, by=huiyang_liaison)
    assert selectors.indicator_tracks([loans], year=2016)[loans.pk] == Track.BEHIND
    services.indicator_report(indicator=loans, period=periods[7], value=40, by=huiyang_liaison)
    assert selectors.indicator_tracks([loans], year=2016)[loans.pk] == Track.ON_TRACK
    assert selectors.indicator_tracks([loans], year=2017)[loans.pk] == Track.NO_TARGET


def test_a_lower_is_better_indicator_is_behind_above_its_path(
    world, office_staff, huiyang_liaison, periods
):
    days = services.indicator_create(
        office=world.office,
        by=office_staff,
        code="D-01",
        name="项目审批平均天数",
        measure="天",
        owner_unit=world.huiyang,
        direction="lower",
        baseline=Decimal(120),
    )
    services.indicator_set_target(indicator=days, by=office_staff, year=2016, target=60)
    # The end of June: the path stands near 90 days.
    services.indicator_report(indicator=days, period=periods[6], value=100, by=huiyang_liaison)
    assert selectors.indicator_tracks([days], year=2016)[days.pk] == Track.BEHIND
    services.indicator_report(indicator=days, period=periods[6], value=85, by=huiyang_liaison)
    assert selectors.indicator_tracks([days], year=2016)[days.pk] == Track.ON_TRACK


def test_a_new_year_starts_from_the_last_value_of_the_year_before(
    world, office_staff, huiyang_liaison, loans, periods
):
    from reformledger.ledger.services.periods import periods_ensure

    next_year = {p.number: p for p in periods_ensure(office=world.office, year=2017)}
    services.indicator_report(indicator=loans, period=periods[12], value=66, by=huiyang_liaison)
    services.indicator_set_target(indicator=loans, by=office_staff, year=2017, target=90)
    services.indicator_report(indicator=loans, period=next_year[6], value=70, by=huiyang_liaison)
    facts = selectors.indicator_facts([loans], year=2017)[loans.pk]
    assert facts.start == 66  # not the baseline of 0
    assert facts.track == Track.BEHIND  # the path is near 78 at the end of June
    assert 77 < facts.path < 79


def test_the_zombie_closure_rate_is_on_track_at_74_percent(
    world, office_staff, fgj_liaison, zombies, periods
):
    services.indicator_set_target(indicator=zombies.rate, by=office_staff, year=2016, target=70)
    services.indicator_report(
        indicator=zombies.total, period=periods[12], value=454, by=fgj_liaison
    )
    services.indicator_report(
        indicator=zombies.closed, period=periods[12], value=336, by=fgj_liaison
    )
    facts = selectors.indicator_facts([zombies.rate], year=2016)[zombies.rate.pk]
    assert facts.track == Track.ON_TRACK
    series = selectors.indicator_series(zombies.rate)
    december = next(p for p in series if p.period == periods[12])
    assert december.path == 70 and round(december.actual.value, 1) == Decimal("74.0")
    assert len(series) == 12  # one point per period of the year


def test_an_owner_unit_behind_its_path_is_told_once_after_the_check(
    world, office_staff, huiyang_liaison, huiyang_head, boluo_liaison, loans, periods
):
    services.indicator_set_target(indicator=loans, by=office_staff, year=2016, target=66)
    value = services.indicator_report(
        indicator=loans, period=periods[6], value=20, by=huiyang_liaison
    )
    # Not yet checked: nobody is told of an unchecked figure.
    assert services.indicators_notify_behind(as_of=dt.date(2016, 7, 10)) == 0
    services.indicator_check(value=value, by=office_staff)
    told = Notification.objects.filter(key=f"indicator:{loans.pk}:behind:{periods[6].pk}")
    assert {n.recipient for n in told} == {huiyang_liaison, huiyang_head}
    assert "进度落后" in told.first().title  # "is behind its path"
    # The daily run does not tell them again for the same period.
    assert services.indicators_notify_behind(as_of=dt.date(2016, 7, 10)) == 0
    assert tasks.indicators_notify_behind.call_local() == 0
    assert told.count() == 2
    assert not Notification.objects.filter(recipient=boluo_liaison).exists()
    record = AuditRecord.objects.get(verb="indicator.behind_notified")
    assert record.changes["period"] == "2016-06"


def test_the_daily_run_tells_of_each_period_behind(
    world, office_staff, huiyang_liaison, loans, periods
):
    services.indicator_set_target(indicator=loans, by=office_staff, year=2016, target=66)
    _report_checked(loans, periods[6], 20, by=huiyang_liaison, checker=office_staff)
    _report_checked(loans, periods[7], 22, by=huiyang_liaison, checker=office_staff)
    Notification.objects.all().delete()  # as if the checks had told no one
    assert services.indicators_notify_behind(as_of=dt.date(2016, 8, 10)) == 1
    keys = set(Notification.objects.values_list("key", flat=True))
    assert keys == {f"indicator:{loans.pk}:behind:{periods[7].pk}"}


def test_the_daily_job_is_scheduled_every_morning():
    from huey.contrib.djhuey import HUEY

    job = tasks.indicators_notify_behind
    assert job.task_class in HUEY._registry._periodic_tasks
    assert job.task_class().validate_datetime(dt.datetime(2016, 7, 1, 6, 45))
    assert not job.task_class().validate_datetime(dt.datetime(2016, 7, 1, 7, 45))


def test_the_dashboard_gets_the_indicators_behind_their_path(
    world, office_staff, city_leader, huiyang_liaison, boluo_liaison, loans, zombies, periods
):
    services.indicator_set_target(indicator=loans, by=office_staff, year=2016, target=66)
    services.indicator_report(indicator=loans, period=periods[6], value=20, by=huiyang_liaison)
    for user in (office_staff, city_leader, huiyang_liaison):
        behind = selectors.indicators_off_track(user, world.office, 2016)
        assert [i.code for i in behind] == ["F-01"]
        assert behind[0].facts.judged.period == periods[6]
    assert selectors.indicators_off_track(boluo_liaison, world.office, 2016) == []
    assert selectors.indicators_off_track(office_staff, world.office, 2017) == []


def test_the_command_tells_of_indicators_behind_on_the_day_given(
    world, office_staff, huiyang_liaison, loans, periods, capsys
):
    from django.core.management import CommandError, call_command

    services.indicator_set_target(indicator=loans, by=office_staff, year=2016, target=66)
    value = services.indicator_report(
        indicator=loans, period=periods[6], value=20, by=huiyang_liaison
    )
    services.indicator_check(value=value, by=office_staff)
    Notification.objects.all().delete()
    call_command("notify_indicators_behind", today="2016-05-31")  # June not yet ended
    assert "indicators reported behind: 0" in capsys.readouterr().out
    call_command("notify_indicators_behind", today="2016-07-01")
    assert "indicators reported behind: 1" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("notify_indicators_behind", today="1.7.2016")
