"""Sessions (会话): idle and absolute time-outs, a new key at each sign-in, no replay
after sign-out, and a disabled account's sessions and tokens ending at once."""

import time
from unittest import mock

from django.conf import settings
from django.test import Client
from django.urls import reverse

from reformledger.accounts import services
from reformledger.audit.models import AuditRecord
from tests.factories import PASSWORD

LEDGER = "/ledger/"


def sign_in(client: Client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def minutes_later(minutes: float):
    """Move the clock the session rules read forward by `minutes`."""
    return mock.patch(
        "reformledger.accounts.middleware.time.time", return_value=time.time() + minutes * 60
    )


def test_a_session_idle_for_31_minutes_is_gone(world):
    client = Client()
    sign_in(client, world.office_staff.username)
    assert client.get(LEDGER).status_code == 200
    with minutes_later(31):
        response = client.get(LEDGER)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    record = AuditRecord.objects.get(verb="auth.session_expired")
    assert (record.actor, record.reason) == (world.office_staff, "idle")


def test_a_session_used_every_20_minutes_lives_on(world):
    client = Client()
    sign_in(client, world.office_staff.username)
    for step in (20, 40, 60, 80):
        with minutes_later(step):
            assert client.get(LEDGER).status_code == 200, step


def test_a_session_ends_12_hours_after_sign_in_however_busy(world):
    client = Client()
    sign_in(client, world.office_staff.username)
    for minutes in range(25, 12 * 60, 25):  # a request every 25 minutes
        with minutes_later(minutes):
            assert client.get(reverse("accounts:me")).status_code == 200, minutes
    with minutes_later(12 * 60 + 1):
        response = client.get(LEDGER)
    assert response["Location"].startswith(reverse("login"))
    assert AuditRecord.objects.get(verb="auth.session_expired").reason == "absolute"


def test_the_time_outs_follow_the_settings(world, settings):
    settings.RL_SESSION_IDLE_MINUTES = 5
    client = Client()
    sign_in(client, world.office_staff.username)
    with minutes_later(6):
        assert client.get(LEDGER).status_code == 302


def test_each_sign_in_gets_a_new_session_key(world):
    client = Client()
    session = client.session  # an anonymous session exists before the sign-in
    session["probe"] = 1
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    sign_in(client, world.office_staff.username)
    first = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert first != before
    client.post(reverse("logout"))
    sign_in(client, world.office_staff.username)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value not in (before, first)


def test_a_cookie_replayed_after_sign_out_is_refused(world):
    client = Client()
    sign_in(client, world.office_staff.username)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(LEDGER).status_code == 200
    client.post(reverse("logout"))

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get(LEDGER)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert AuditRecord.objects.filter(verb="auth.logout", actor=world.office_staff).exists()


def test_a_disabled_accounts_session_ends_at_its_next_request(world, security_admin, client_for):
    user = world.office_staff
    client = client_for(user)
    assert client.get(LEDGER).status_code == 200
    services.user_disable(by=security_admin, user=user, reason="left the office")
    response = client.get(LEDGER)
    assert response["Location"].startswith(reverse("login"))
    # Enabling the account again does not bring the old session back.
    services.user_enable(by=security_admin, user=user)
    assert client.get(LEDGER)["Location"].startswith(reverse("login"))
    record = AuditRecord.objects.get(verb="account.disabled")
    assert (record.actor, record.reason) == (security_admin, "left the office")


def test_a_disabled_accounts_api_token_stops_working(world, security_admin):
    user = world.office_staff
    _token, raw = services.token_create(by=user, name="统计局系统")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/tasks/").status_code == 200
    services.user_disable(by=security_admin, user=user)
    assert api.get("/api/v1/tasks/").status_code == 401


def test_api_tokens_need_no_second_factor(world, director):
    _token, raw = services.token_create(by=director, name="督查系统")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/tasks/")
    assert response.status_code == 200
