"""The demo's sign-in: its leaders and administrators have published TOTP keys, and
`otp_code` prints a code that lets them in (what `make run` users do)."""

import io
from base64 import b32encode

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from reformledger.accounts.models import User
from reformledger.accounts.otp import demo_key
from reformledger.demo import data
from reformledger.demo.loader import _Loader
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def _demo_accounts() -> None:
    """The demo's units, people and accounts only (not its year of work, which takes
    long and is tested in demo/tests)."""
    loader = _Loader()
    loader._load_units()
    loader._load_people()
    loader._load_accounts()


def test_load_demo_prints_the_keys_and_otp_code_lets_the_director_in():
    _demo_accounts()
    TaskFactory()  # a ledger that holds a task: load_demo --if-empty prints the logins only
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    text = out.getvalue()
    for username in ("director", "deputy", "hy_director", "sysadmin", "auditor", "secadmin"):
        assert TOTPDevice.objects.get(user__username=username, confirmed=True)
        key = b32encode(bytes.fromhex(demo_key(username))).decode()
        assert key[:4] + " " + key[4:8] in text, username
    assert not TOTPDevice.objects.filter(user__username="office").exists()
    # Demo accounts are not forced to change their password.
    assert not User.objects.filter(must_change_password=True).exists()

    code = io.StringIO()
    call_command("otp_code", "director", stdout=code)
    client = Client()
    client.post(reverse("login"), {"username": "director", "password": data.DEMO_PASSWORD})
    response = client.post(reverse("accounts:otp_verify"), {"token": code.getvalue().strip()})
    assert response.status_code == 302
    assert client.get(reverse("ledger:ledger")).status_code == 200
