"""The demo closes its periods through `period_close`, so its closed periods have summary
rows: they equal a recount of the raw rows, and every persona's dashboard of the closed
2016 and of the live 2017 (on the demo's business date) reads the same from them as from
the raw rows."""

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils.translation import override

from reformledger.demo import data
from reformledger.ledger.choices import PeriodStatus
from reformledger.ledger.models import Period, PeriodSummary
from reformledger.ledger.tests.test_summaries import _assert_summaries_match_raw_rows
from reformledger.web import dashboard

pytestmark = pytest.mark.django_db

PERSONAS = ["office", "director", "leader", "huiyang", "hy_office"]


def _page(username: str, year: int) -> dict:
    user = get_user_model().objects.get(username=username)
    with override("en"):
        dash = dashboard.dashboard(user, year=year)
    return {
        "status": dash.status,
        "by_area": (dash.by_area.categories, dash.by_area.rows, dash.by_area.period),
        "by_unit": (dash.by_unit.categories, dash.by_unit.rows, dash.by_unit.of),
        "over": (dash.over_periods.categories, dash.over_periods.rows),
        "staleness": dash.staleness,
        "key_paths": dash.key_paths,
        "cards": dash.cards,
    }


def test_the_demos_closed_periods_have_summaries_equal_to_their_raw_rows(demo):
    closed = Period.objects.filter(status=PeriodStatus.CLOSED)
    assert closed.count() > 12
    assert PeriodSummary.objects.count() == closed.count()
    _assert_summaries_match_raw_rows()


@override_settings(RL_BUSINESS_DATE=data.BUSINESS_DATE)
def test_every_personas_dashboard_reads_the_same_from_summaries_as_from_raw_rows(demo):
    pages = {(u, y): _page(u, y) for u in PERSONAS for y in (2016, 2017)}

    PeriodSummary.objects.all().delete()  # every period read from its raw rows

    for (username, year), page in pages.items():
        assert page == _page(username, year), (username, year)
    assert pages["director", 2016]["over"][0][-1] == "2016-12"
