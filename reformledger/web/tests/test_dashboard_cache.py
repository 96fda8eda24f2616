"""The dashboard kept in the cache (RL_DASHBOARD_CACHE_SECONDS): a second read is served
from it, and any act recorded in the audit trail shows at the next read."""

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reformledger.ledger import services as ledger


@pytest.fixture
def kept(settings):
    settings.RL_DASHBOARD_CACHE_SECONDS = 300
    settings.RL_DASHBOARD_FRESH_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


def _new_task(by, world, code: str):
    return ledger.task_create(
        by=by,
        office=world.office,
        year=2016,
        code=code,
        title="新增改革任务",
        area=world.economy,
        lead_unit=world.fgj,
        deliverable_kind="policy",
        start_date=dt.date(2016, 1, 1),
        deadline=dt.date(2016, 12, 31),
    )


def _total(response) -> int:
    return response.context["dash"].status.total


def _read(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("web:dashboard"), {"year": 2016})
    assert response.status_code == 200
    return response, len(queries)


def test_a_second_read_comes_from_the_cache_with_the_same_figures(
    world, office_staff, client_for, kept
):
    client = client_for(office_staff)
    first, computed = _read(client)
    again, kept_queries = _read(client)

    assert _total(again) == _total(first) == 4
    assert kept_queries < computed - 10  # the charts' queries are not run again
    assert again.content.count(b"<canvas") + again.content.count(b"json") > 0
    assert again.context["dash"].cards == first.context["dash"].cards


def test_an_act_shows_at_the_next_read(world, office_staff, client_for, kept):
    client = client_for(office_staff)
    assert _total(_read(client)[0]) == 4

    _new_task(office_staff, world, "2016-005")

    assert _total(_read(client)[0]) == 5


def test_a_user_never_gets_another_users_dashboard(
    world, office_staff, huiyang_liaison, client_for, kept
):
    assert _total(_read(client_for(office_staff))[0]) == 4
    # The county liaison sees its own task, the one it helps on and its town's.
    assert _total(_read(client_for(huiyang_liaison))[0]) == 3


def test_each_language_is_kept_apart(world, office_staff, client_for, kept):
    client = client_for(office_staff)
    chinese = _read(client)[0]
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = _read(client)[0]

    assert "驾驶舱".encode() in chinese.content
    assert b"Dashboard" in english.content
    assert english.context["dash"].cards == chinese.context["dash"].cards
    # The charts' own words (why a chart is empty) are in the language of the read.
    assert english.context["dash"].by_area.empty_reason.startswith("No ratings yet")
    assert (
        chinese.context["dash"].by_area.empty_reason != english.context["dash"].by_area.empty_reason
    )


def test_without_the_setting_every_read_computes_it(world, office_staff, client_for, settings):
    settings.RL_DASHBOARD_CACHE_SECONDS = 0
    cache.clear()
    client = client_for(office_staff)
    _first, computed = _read(client)
    _again, again = _read(client)
    assert again == computed


def test_a_sign_in_or_a_download_does_not_compute_it_again(world, office_staff, client_for, kept):
    from reformledger.audit import services as audit

    client = client_for(office_staff)
    _first, computed = _read(client)
    audit.record(actor=office_staff, verb="auth.login", obj=office_staff)
    audit.record(actor=office_staff, verb="export.ledger", obj=None)
    _again, kept_queries = _read(client)

    assert kept_queries < computed - 10


def test_an_act_shows_once_the_kept_dashboard_is_older_than_the_fresh_window(
    world, office_staff, client_for, kept, settings, monkeypatch
):
    settings.RL_DASHBOARD_FRESH_SECONDS = 30
    client = client_for(office_staff)
    assert _total(_read(client)[0]) == 4
    _new_task(office_staff, world, "2016-006")

    assert _total(_read(client)[0]) == 4  # within the window: the kept one
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 31)
    assert _total(_read(client)[0]) == 5
