"""The business date (业务日期, RL_BUSINESS_DATE): the ledger's today follows it — reports
due and late, the working year, the day stamped on an act — while sign-ins, sessions,
lock-outs, tokens and the audit trail keep the real clock; every page says so while it
is set."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from reformledger.accounts import services as accounts
from reformledger.accounts.models import ApiToken
from reformledger.audit.models import AuditRecord
from reformledger.core.clock import business_date, business_now, business_today, pinned
from reformledger.ledger import services as ledger
from reformledger.ledger.selectors.years import working_year
from reformledger.notifications.tests.conftest import make_period
from tests.factories import PASSWORD
from tests.next_acts import landing

#: Far beyond any real today: a security rule on this clock would age every password,
#: end every session and expire every token.
FAR_FUTURE = "2099-06-01"


def business(day: str):
    return override_settings(RL_BUSINESS_DATE=dt.date.fromisoformat(day))


# --- the clock ----------------------------------------------------------------------


def test_the_business_date_is_today_while_it_is_set_and_the_real_date_otherwise():
    assert business_date() is None
    assert business_today() == timezone.localdate()
    with business("2017-04-03"):
        assert business_date() == dt.date(2017, 4, 3)
        assert business_today() == dt.date(2017, 4, 3)
        now = business_now()
        assert timezone.localdate(now) == dt.date(2017, 4, 3)
        # The real time of day, so the acts of one day keep their order.
        assert abs(timezone.localtime(now).time().hour - timezone.localtime().time().hour) <= 1
        # A replay pins each act to its own day, or to the real date.
        with pinned(dt.date(2016, 5, 2)):
            assert business_today() == dt.date(2016, 5, 2)
        with pinned(None):
            assert business_today() == timezone.localdate()
        assert business_today() == dt.date(2017, 4, 3)


# --- the ledger's today ----------------------------------------------------------------


def test_a_report_falls_due_and_late_on_the_business_date(world, huiyang_liaison, client_for):
    march = make_period(world, 3)  # 2016-03, reports due 2016-04-05
    client = client_for(huiyang_liaison)
    with business("2016-03-20"):  # the period runs: nothing owed yet
        assert "report_due" not in landing(client).kinds
    with business("2016-04-02"):
        due = landing(client).rows("report_due")
        assert "2016-03, due 2016-04-05" in due
        assert "late" not in due
    with business("2016-04-10"):
        assert "2016-03, late since 2016-04-05" in landing(client).rows("report_due")
        report = ledger.report_file(
            task=world.task_huiyang,
            period=march,
            by=huiyang_liaison,
            done="按计划推进",
            percent=30,
            submit=True,
        )
        assert "report_due" not in landing(client).kinds
    # The act is stamped on the business date and counted late to it; its audit record
    # keeps the real time it was recorded.
    assert timezone.localdate(report.submitted_at) == dt.date(2016, 4, 10)
    assert report.days_late == 5
    record = AuditRecord.objects.filter(verb="report.submitted").latest("pk")
    assert timezone.localdate(record.at) == timezone.localdate()


def test_the_working_year_follows_the_business_date(world, office_staff):
    ledger.periods_ensure(office=world.office, year=2016, by=office_staff)
    with business("2016-06-15"):
        shown = working_year(office_staff)
        assert (shown.year, shown.period.label) == (2016, "2016-06")
    with business("2016-11-02"):
        assert working_year(office_staff).period.label == "2016-11"


def test_a_period_closes_only_once_it_has_ended_on_the_business_date(world, director):
    april = make_period(world, 4)
    with (
        business("2016-04-20"),
        translation.override("en"),
        pytest.raises(Exception, match="has not ended yet"),
    ):
        ledger.period_close(period=april, by=director)
    with business("2016-05-20"):
        closed = ledger.period_close(period=april, by=director)
    assert timezone.localdate(closed.closed_at) == dt.date(2016, 5, 20)


# --- the pages say so ------------------------------------------------------------------


def test_every_page_shows_the_business_date_while_it_is_set(world, office_staff, client_for):
    client = client_for(office_staff)
    pages = [reverse("web:dashboard"), reverse("ledger:ledger"), reverse("ledger:my_work")]
    with business("2017-04-03"):
        for url in [*pages, reverse("login")]:
            page = (client if url != reverse("login") else Client()).get(url)
            assert page.status_code == 200, url
            assert 'data-testid="business-date"' in page.content.decode(), url
            assert "2017-04-03" in page.content.decode(), url
    for url in pages:
        assert 'data-testid="business-date"' not in client.get(url).content.decode(), url


# --- security keeps the real clock ------------------------------------------------------


@pytest.mark.parametrize("day", ["2016-01-04", FAR_FUTURE])
def test_sign_in_sessions_and_passwords_keep_the_real_clock(world, day):
    user = world.office_staff
    client = Client()
    with business(day):
        signed_in = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        assert signed_in.status_code == 302
        # Neither signed out as idle nor sent to change an aged password.
        page = client.get(reverse("ledger:ledger"))
        assert page.status_code == 200
    record = AuditRecord.objects.filter(verb="auth.login").latest("pk")
    assert timezone.localdate(record.at) == timezone.localdate()


def test_lock_outs_are_counted_on_the_real_clock(world):
    user = world.office_staff
    with business("2016-01-04"):
        for _n in range(5):
            Client().post(reverse("login"), {"username": user.username, "password": "wrong"})
        locked = Client().post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    attempt = AccessAttempt.objects.get(username=user.username)
    assert timezone.localdate(attempt.attempt_time) == timezone.localdate()


def test_tokens_expire_on_the_real_clock(office_staff):
    token, raw = accounts.token_create(by=office_staff, name="省级平台")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with business(FAR_FUTURE):  # long after its expiry by the business date
        assert api.get("/api/v1/tasks/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with business("2016-01-04"):  # long before its expiry by the business date
        assert api.get("/api/v1/tasks/").status_code == 401
