"""The reference date of a ledger year and the working year, as selectors."""

import datetime as dt

from reformledger.ledger import selectors
from reformledger.notifications.tests.conftest import make_period
from tests.factories import TaskFactory

TODAY = dt.date(2017, 3, 15)


def test_a_year_is_read_today_until_every_period_of_it_is_closed(world):
    office = world.office.pk
    assert selectors.reference_date(office, 2016, TODAY) == TODAY  # no period set up
    for number in range(1, 12):
        make_period(world, number, status="closed")
    december = make_period(world, 12)
    assert selectors.reference_date(office, 2016, TODAY) == TODAY  # December still open
    december.status = "closed"
    december.save(update_fields=["status"])
    assert selectors.reference_date(office, 2016, TODAY) == dt.date(2016, 12, 31)
    assert selectors.reference_date(office, 2017, TODAY) == TODAY  # another year


def test_the_working_year_is_the_one_whose_period_runs_today(world, office_staff):
    make_period(world, 3)
    shown = selectors.working_year(office_staff, today=dt.date(2016, 3, 10))
    assert (shown.year, shown.period.label, shown.closed) == (2016, "2016-03", False)
    TaskFactory(office=world.office, lead_unit=world.boluo, area=world.economy, year=2017)
    assert selectors.working_year(office_staff, today=dt.date(2016, 3, 10)).year == 2016
    # Without a period running on the day, the latest year with tasks.
    later = selectors.working_year(office_staff, today=TODAY)
    assert (later.year, later.period, later.as_of) == (2017, None, TODAY)


def test_a_closed_year_is_shown_as_of_its_last_period(world, office_staff):
    for number in range(1, 13):
        make_period(world, number, status="closed")
    shown = selectors.working_year(office_staff, today=TODAY)
    assert (shown.year, shown.closed, shown.as_of) == (2016, True, dt.date(2016, 12, 31))
    assert shown.period.label == "2016-12"
