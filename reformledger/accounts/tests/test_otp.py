"""The second factor (双因素认证, TOTP): needed by office leaders and the three
administrators, offered to everyone, asked for after the password."""

import re
from base64 import b32decode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from reformledger.accounts import services
from reformledger.accounts.testing import code_for, otp_device_for
from reformledger.audit.models import AuditRecord, Outcome
from tests.factories import PASSWORD

LEDGER = "/ledger/"


def sign_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("persona", ["director", "sysadmin", "auditor", "security_admin"])
def test_leaders_and_administrators_must_give_a_code_after_the_password(request, persona):
    user = request.getfixturevalue(persona)
    otp_device_for(user)
    client = sign_in(user.username)
    response = client.get(LEDGER)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.get("/api/v1/units/").status_code == 403

    response = client.post(
        reverse("accounts:otp_verify"), {"token": code_for(user), "next": LEDGER}
    )
    assert response.status_code == 302
    assert response["Location"] == LEDGER
    assert client.get(reverse("accounts:me")).status_code == 200


def test_office_staff_sign_in_without_a_code(world):
    client = sign_in(world.office_staff.username)
    assert client.get(LEDGER).status_code == 200


def test_a_wrong_code_is_refused_and_recorded(world, director):
    otp_device_for(director)
    client = sign_in(director.username)
    response = client.post(reverse("accounts:otp_verify"), {"token": "000000"})
    assert response.status_code == 200
    assert "token" in response.context["form"].errors
    assert client.get(LEDGER).status_code == 302
    failed = AuditRecord.objects.get(verb="auth.otp_failed")
    assert (failed.actor, failed.outcome) == (director, Outcome.FAILURE)


def test_a_right_code_is_recorded_and_gives_a_new_session_key(world, director):
    otp_device_for(director)
    client = sign_in(director.username)
    before = client.session.session_key
    client.post(reverse("accounts:otp_verify"), {"token": code_for(director)})
    assert client.session.session_key != before
    verified = AuditRecord.objects.get(verb="auth.otp_verified")
    assert (verified.actor, verified.outcome) == (director, Outcome.SUCCESS)


def test_a_code_is_good_only_once(world, director):
    device = otp_device_for(director)
    token = code_for(director)
    first = sign_in(director.username)
    first.post(reverse("accounts:otp_verify"), {"token": token})
    assert first.get(LEDGER).status_code == 200
    second = sign_in(director.username)
    device.refresh_from_db()
    device.throttle_reset()
    response = second.post(reverse("accounts:otp_verify"), {"token": token})
    assert "token" in response.context["form"].errors


def test_a_leader_without_an_app_is_sent_to_set_one_up(world, director):
    client = sign_in(director.username)
    response = client.get(reverse("accounts:otp_verify"))
    assert response["Location"].startswith(reverse("accounts:otp_enrol"))
    page = client.get(reverse("accounts:otp_enrol"))
    assert page.status_code == 200
    uri = page.context["uri"]
    assert uri.startswith("otpauth://totp/Reform%20Ledger%3Adirector?secret=")
    secret = page.context["secret"].replace(" ", "")
    assert secret in uri
    assert client.get(LEDGER).status_code == 302  # not yet: the code confirms the app

    key = b32decode(secret)
    response = client.post(reverse("accounts:otp_enrol"), {"token": f"{TOTP(key).token():06d}"})
    assert response.status_code == 302
    assert client.get(LEDGER).status_code == 200
    assert TOTPDevice.objects.get(user=director).confirmed
    assert AuditRecord.objects.filter(verb="account.otp_enrolled", actor=director).exists()
    assert not AuditRecord.objects.filter(changes__icontains=secret).exists()
    assert not AuditRecord.objects.filter(reason__icontains=secret).exists()


def test_a_leader_with_an_app_cannot_replace_it_before_giving_a_code(world, director):
    otp_device_for(director)
    client = sign_in(director.username)
    response = client.get(reverse("accounts:otp_enrol"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


def test_anyone_may_add_an_app_and_is_then_asked_for_codes(world, huiyang_liaison, client_for):
    client = client_for(huiyang_liaison)
    page = client.get(reverse("accounts:otp_enrol"))
    key = b32decode(page.context["secret"].replace(" ", ""))
    client.post(reverse("accounts:otp_enrol"), {"token": f"{TOTP(key).token():06d}"})
    assert TOTPDevice.objects.filter(user=huiyang_liaison, confirmed=True).exists()

    again = sign_in(huiyang_liaison.username)
    assert again.get(LEDGER)["Location"].startswith(reverse("accounts:otp_verify"))


def test_a_liaison_may_remove_its_own_app_but_a_leader_may_not(
    world, huiyang_liaison, director, client_for
):
    otp_device_for(huiyang_liaison)
    response = client_for(huiyang_liaison).post(reverse("accounts:otp_remove"))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=huiyang_liaison).exists()
    response = client_for(director).post(reverse("accounts:otp_remove"))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=director).exists()


def test_the_security_admin_removes_a_lost_app(world, director, security_admin, client_for):
    otp_device_for(director)
    response = client_for(security_admin).post(
        reverse("accounts:user_act", args=[director.pk, "otp_remove"]), {"reason": "手机丢失"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=director).exists()
    record = AuditRecord.objects.get(verb="account.otp_removed")
    assert (record.actor, record.reason) == (security_admin, "手机丢失")


def test_my_account_offers_the_app_and_shows_the_roles(world, huiyang_liaison, client_for):
    page = client_for(huiyang_liaison).get(reverse("accounts:me"))
    html = page.content.decode()
    assert 'data-testid="enrol"' in html
    assert re.search(r"惠阳区", html)


def test_client_for_signs_a_leader_in_with_the_second_factor_given(world, director, client_for):
    assert client_for(director).get(LEDGER).status_code == 200


def test_the_demo_key_of_an_account_gives_the_printed_code(world, director):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from reformledger.accounts.otp import DEMO_DEVICE_NAME, demo_key

    with pytest.raises(CommandError):
        call_command("otp_code", director.username, stdout=StringIO())
    services.otp_device_install(
        by=None, user=director, key=demo_key(director.username), name=DEMO_DEVICE_NAME
    )
    out = StringIO()
    call_command("otp_code", director.username, stdout=out)
    client = sign_in(director.username)
    client.post(reverse("accounts:otp_verify"), {"token": out.getvalue().strip()})
    assert client.get(LEDGER).status_code == 200


def test_otp_code_refuses_an_account_whose_key_is_not_the_demos(world, director, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    otp_device_for(director)
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("otp_code", director.username, stdout=StringIO())
    settings.DEBUG = True
    call_command("otp_code", director.username, stdout=StringIO())
