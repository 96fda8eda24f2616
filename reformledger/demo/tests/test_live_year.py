"""The demo's 2017 is live on its business date (`data.BUSINESS_DATE`, which `make run`
serves it on): every login with a part in the ledger opens on something to do (待办),
and every page opens on 2017 and its running period, and says which day it takes as
today. Each 2017 act carries its own day; the audit trail keeps the real time."""

import datetime as dt

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.demo import data, live
from reformledger.ledger.choices import (
    ClosingStatus,
    PeriodStatus,
    PlanStatus,
    RatingStatus,
    ReportStatus,
)
from reformledger.ledger.models import ClosingRequest, Period, Plan, ProgressReport, Rating, Task
from reformledger.supervision.models import SupervisionOrder
from tests.next_acts import landing

pytestmark = pytest.mark.django_db

ON_THE_DAY = override_settings(RL_BUSINESS_DATE=data.BUSINESS_DATE)

#: What waits for each demo login on the business date (some of it, by kind).
WAITING = {
    "office": {"plan_to_approve", "report_to_accept", "not_ratable"},
    "director": {"rating_to_confirm", "answer_to_decide"},
    "deputy": {"rating_to_confirm"},
    "huiyang": {"report_due", "order_to_receive"},
    "huiyang_head": {"closing_to_sign"},
    "hy_office": {"plan_to_approve"},
    "hy_director": {"rating_to_confirm"},
    "fgj": {"report_due", "item_to_receive"},
    "fgj_head": {"closing_to_sign"},
    "leader": {"rated_worst", "red_order"},
}


def _user(username: str):
    return get_user_model().objects.get(username=username)


def test_the_business_date_is_a_day_of_2017_after_every_act_of_the_story(demo):
    assert data.BUSINESS_DATE.year == live.YEAR == 2017
    last = max(
        timezone.localdate(moment)
        for model, stamp in (
            (ProgressReport, "submitted_at"),
            (Plan, "submitted_at"),
            (Rating, "computed_at"),
            (ClosingRequest, "requested_at"),
        )
        for moment in model.objects.filter(**{f"{stamp}__year": 2017}).values_list(stamp, flat=True)
    )
    assert last <= data.BUSINESS_DATE


@pytest.mark.parametrize("username", sorted(WAITING))
def test_every_login_opens_on_something_to_do(demo, client_for, username):
    with ON_THE_DAY:
        seen = landing(client_for(_user(username)))
    assert seen.total > 0 and seen.nav_count == seen.total
    assert WAITING[username] <= set(seen.kinds), seen.kinds


def test_the_2017_ledger_is_live_as_the_story_says(demo):
    tasks = Task.objects.filter(year=2017)
    periods = Period.objects.filter(year=2017)
    assert periods.count() == 24  # both offices, monthly
    assert set(periods.filter(status=PeriodStatus.CLOSED).values_list("number", flat=True)) == {1}
    # Every task carried over has its 2017 plan, approved but one still waiting.
    carried = tasks.filter(carried_from__isnull=False)
    assert carried.count() == 12
    waiting = Plan.objects.filter(task__year=2017, status=PlanStatus.SUBMITTED)
    assert {p.task.code for p in waiting} == {"2016-063", "HY2017-01"}
    assert (
        carried.filter(plans__status=PlanStatus.APPROVED).distinct().count() == carried.count() - 1
    )
    # January decided; February's suggestions wait for the office leaders.
    ratings = Rating.objects.filter(period__year=2017)
    assert not ratings.filter(period__number=1, status=RatingStatus.SUGGESTED).exists()
    assert ratings.filter(period__number=2).exclude(status=RatingStatus.SUGGESTED).count() == 0
    assert ratings.filter(period__number=2).count() >= 10
    # March's reports: some in, waiting for the office; the rest not yet due.
    march = ProgressReport.objects.filter(period__year=2017, period__number=3)
    assert march.filter(status=ReportStatus.SUBMITTED).count() >= 3
    # Two short tasks are done: their closing requests wait for the head's signature.
    closings = ClosingRequest.objects.filter(task__year=2017)
    assert {(c.task.code, c.status) for c in closings} == {
        ("2017-001", ClosingStatus.REQUESTED),
        ("HY2016-03", ClosingStatus.REQUESTED),
    }
    assert SupervisionOrder.objects.filter(year=2017, received_at__isnull=True).count() == 1


def test_2017_acts_carry_their_own_days_and_the_trail_the_real_time(demo):
    report = ProgressReport.objects.get(task__code="2016-053", period__year=2017, period__number=2)
    # Filed on 6 March, a day after its due date, and accepted the next working day.
    assert timezone.localdate(report.submitted_at) == dt.date(2017, 3, 6)
    assert report.days_late == 1
    assert timezone.localdate(report.decided_at) == dt.date(2017, 3, 7)
    closing = ClosingRequest.objects.get(task__code="2017-001")
    assert timezone.localdate(closing.requested_at) == dt.date(2017, 3, 31)
    recorded = AuditRecord.objects.filter(verb="closing.requested", obj_id=str(closing.pk))
    assert timezone.localdate(recorded.get().at) == timezone.localdate()


def _working_year(client, name: str) -> list[str]:
    page = client.get(reverse(name))
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.content.decode())
    return [e.text_content().strip() for e in doc.xpath('//*[@data-testid="working-year"]')]


def test_the_ledger_dashboard_and_ratings_board_open_on_2017_on_the_business_date(demo, client_for):
    client = client_for(_user("director"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    pages = ("ledger:ledger", "web:dashboard", "ledger:ratings", "ledger:staleness")
    with ON_THE_DAY:
        said = {name: tuple(_working_year(client, name)) for name in pages}
        banner = client.get(reverse("web:dashboard")).content.decode()
    assert set(said.values()) == {("2017 · period 4 (2017-04)",)}, said
    assert 'data-testid="business-date"' in banner
    assert "Business date 2017-04-03" in banner
    # On the real date the same pages open on the same year, and say no business date.
    real = {name: tuple(_working_year(client, name)) for name in pages}
    assert len(set(real.values())) == 1 and next(iter(real.values()))[0].startswith("2017")
    assert (
        'data-testid="business-date"' not in client.get(reverse("web:dashboard")).content.decode()
    )
