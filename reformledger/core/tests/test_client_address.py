"""The address the audit trail and the lock-out name: the user's, also behind a trusted
reverse proxy, and never one a client made up."""

from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from reformledger.audit.models import AuditRecord

PROXY = "10.0.0.2"


def _fail_sign_in(**headers):
    Client(REMOTE_ADDR=PROXY, **headers).post(
        reverse("login"), {"username": "office", "password": "Wrong#2016"}
    )
    return AuditRecord.objects.filter(verb="auth.login_failed").latest("id").address


def test_behind_a_trusted_proxy_the_users_address_is_recorded(world, settings):
    settings.RL_TRUSTED_PROXIES = ["10.0.0.0/24"]
    address = _fail_sign_in(HTTP_X_FORWARDED_FOR="198.51.100.4, 10.0.0.7")
    assert address == "198.51.100.4"
    assert AccessAttempt.objects.get(username="office").ip_address == "198.51.100.4"


def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(world, settings):
    settings.RL_TRUSTED_PROXIES = []
    assert _fail_sign_in(HTTP_X_FORWARDED_FOR="198.51.100.4") == PROXY


def test_a_client_cannot_hide_behind_a_made_up_forwarded_address(world, settings):
    settings.RL_TRUSTED_PROXIES = [PROXY]
    # The client sent "X-Forwarded-For: 203.0.113.1"; the proxy appended the real peer.
    assert _fail_sign_in(HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.8") == "198.51.100.8"
    assert _fail_sign_in(HTTP_X_FORWARDED_FOR="not-an-address") == PROXY
