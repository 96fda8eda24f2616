"""One working year, read on one day, with one definition per figure.

The ledger, the dashboard, the ratings board and the staleness page open on the same
year and say which year and period they show; a closed year's pages count "overdue"
and "days without a report" to its end; and a unit's days without a progress report
read the same on the dashboard, the staleness page and the meeting candidates.
Pages are read with the real clock."""

import datetime as dt

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from reformledger.ledger import services as ledger
from reformledger.ledger.choices import TaskStatus
from reformledger.ledger.models import Task
from reformledger.notifications.tests.conftest import file_report, make_period
from tests.factories import TaskFactory

PAGES = ("ledger:ledger", "web:dashboard", "ledger:ratings", "ledger:staleness")


def _english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def _doc(client, url: str, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def _said(doc, testid: str = "working-year") -> list[str]:
    return [e.text_content().strip() for e in doc.xpath(f'//*[@data-testid="{testid}"]')]


def _table(doc, testid: str) -> dict[str, list[str]]:
    rows = doc.xpath(f'//table[@data-testid="{testid}"]//tbody/tr')
    cells = [[c.text_content().strip() for c in r.xpath("th|td")] for r in rows]
    return {row[0]: row[1:] for row in cells}


def _close_2016(world) -> None:
    for number in range(1, 13):
        make_period(world, number, status="closed")


# --- the working year ------------------------------------------------------------------


def test_every_page_opens_on_the_year_whose_period_runs_today(world, director, client_for):
    # The city ledger's tasks are 2016's, but this year's periods are set up: its
    # period running today is where every page opens.
    today = timezone.localdate()
    ledger.periods_ensure(office=world.office, year=today.year, by=world.office_staff)
    client = _english(client_for(director))
    expected = f"{today.year} · period {today.month} ({today.year}-{today.month:02d})"
    for name in PAGES:
        assert _said(_doc(client, reverse(name))) == [expected], name
    # The export's default is the same year.
    response = client.get(reverse("ledger:ledger_csv"))
    assert f"ledger-{today.year}.csv" in response["Content-Disposition"]


def test_without_a_period_running_today_pages_open_on_the_latest_year_with_tasks(
    world, director, client_for
):
    make_period(world, 1)
    TaskFactory(office=world.office, lead_unit=world.boluo, area=world.economy, year=2017)
    client = _english(client_for(director))
    for name in PAGES:
        assert _said(_doc(client, reverse(name))) == ["2017 · no reporting period set up yet"]
    chosen = _doc(client, reverse("ledger:ledger"), {"year": 2016})
    assert _said(chosen) == ["2016 · period 1 (2016-01)"]  # the open one, the year is live


def test_a_closed_year_says_it_is_shown_as_of_its_last_period(world, director, client_for):
    _close_2016(world)
    client = _english(client_for(director))
    for name in PAGES:
        assert _said(_doc(client, reverse(name))) == [
            "showing 2016, as of period 2016-12 (closed)"
        ], name


# --- a closed year reads as of its end -----------------------------------------------------


def test_a_closed_years_pages_count_overdue_to_its_end(
    world, office_staff, huiyang_liaison, client_for
):
    """Every task of 2016 is due on 31 December: overdue today, not on 31 December.
    惠阳's milestones of 30 June and 15 December were overdue on 31 December by 184 and
    16 days."""
    Task.objects.filter(year=2016).update(status=TaskStatus.IN_PROGRESS)
    staff = _english(client_for(office_staff))
    live = _doc(staff, reverse("ledger:ledger"), {"year": 2016})
    assert _said(live, "total-overdue") == ["4"]
    assert _table(_doc(staff, reverse("web:dashboard")), "table-overdue")["惠阳区"] == [
        "0",
        "2",
        "1",
        "2",
    ]

    _close_2016(world)
    ledger_page = _doc(staff, reverse("ledger:ledger"), {"year": 2016})
    assert _said(ledger_page, "total-overdue") == ["0"]
    assert not ledger_page.xpath('//*[@data-testid="overdue"]')
    only = _doc(staff, reverse("ledger:ledger"), {"year": 2016, "overdue": "true"})
    assert _said(only, "total") == ["0"]
    task_page = _doc(staff, reverse("ledger:task", args=[world.task_huiyang.pk]))
    assert not _said(task_page, "task-overdue")
    # up to 30 days late, more than 30 days, of which key; total
    dashboard = _doc(staff, reverse("web:dashboard"), {"year": 2016})
    assert _table(dashboard, "table-overdue")["惠阳区"] == ["1", "1", "1", "2"]
    my_work = _doc(_english(client_for(huiyang_liaison)), reverse("ledger:my_work"))
    assert _said(my_work, "overdue-count") == ["2"]
    assert _said(my_work, "tasks-overdue-count") == ["0"]


# --- one definition of "days without a progress report" --------------------------------------


@pytest.mark.parametrize(
    "closed,reported",
    [(True, True), (False, True), (True, False)],
    ids=["closed year", "live year", "never reported"],
)
def test_a_units_days_without_a_report_read_the_same_on_every_page(
    world, office_staff, huiyang_liaison, client_for, closed, reported
):
    """惠阳 leads one task, key, last reported on 4 September 2016 (or never: then from
    the day it began, 1 January): the dashboard, the staleness page and the candidates
    for a leading-group meeting give it the same days without a progress report — to
    31 December once 2016 is closed, else to today."""
    periods = [make_period(world, n, status="closed" if closed else "open") for n in (8, 9)]
    if closed:
        for number in (*range(1, 8), *range(10, 13)):
            make_period(world, number, status="closed")
    since = dt.date(2016, 9, 4) if reported else world.task_huiyang.start_date
    if reported:
        file_report(world.task_huiyang, periods[0], huiyang_liaison, on=since)
    as_of = dt.date(2016, 12, 31) if closed else timezone.localdate()
    days = (as_of - since).days
    client = _english(client_for(office_staff))

    dashboard = _doc(client, reverse("web:dashboard"), {"year": 2016})
    # Lead unit, open tasks, last report, days since, missing
    assert _table(dashboard, "table-staleness")["惠阳区"][2] == str(days)

    staleness = _doc(client, reverse("ledger:staleness"), {"year": 2016})
    (cell,) = staleness.xpath('//tr[@data-unit="HZ-HY"]/td[@data-col="silent"]')
    assert cell.text_content().split()[0] == str(days)

    prepare = _doc(client, reverse("supervision:group_prepare"), {"year": 2016})
    (candidate,) = prepare.xpath('//tr[@data-testid="candidate"][@data-task="2016-001"]')
    reasons = [li.text_content() for li in candidate.xpath(".//li")]
    if reported:
        assert f"no progress report for {days} days" in reasons
    else:
        assert f"no progress report since it started ({days} days)" in reasons
