"""Sign-in through the government's LDAP directory (单点登录), against a real slapd.

A directory user signs in on the ordinary sign-in page with the directory's password
and gets a local account with no role; the security administrator grants roles as for
any account. The three administrators and accounts with a local password stay local;
people disabled in the directory, or here, are refused with the ordinary answer; the
second factor and the lock-out apply as to everyone.
"""

import datetime as dt
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from reformledger.accounts import services
from reformledger.accounts.models import User
from reformledger.accounts.testing import code_for, otp_device_for
from reformledger.accounts.tests import ldap_server as ds
from reformledger.audit.models import AuditRecord, Outcome
from reformledger.orgs.choices import Role
from tests.factories import PASSWORD, UserFactory

LOGIN = "/login/"
DIRECTORY_BACKEND = "reformledger.accounts.ldap.DirectoryBackend"
WRONG_ANSWER = "Your user name and password didn't match"


@pytest.fixture
def directory(settings, ldap_directory, world):
    """LDAP switched on (as RL_LDAP_SERVER_URI would), pointed at the test's slapd."""
    settings.RL_LDAP_SERVER_URI = ldap_directory.uri
    settings.RL_LDAP_BIND_DN = ds.SERVICE_DN
    settings.RL_LDAP_BIND_PASSWORD = ds.SERVICE_PASSWORD
    settings.RL_LDAP_USER_SEARCH_BASE = ds.PEOPLE
    settings.RL_LDAP_DENY_GROUP = ds.DENY_GROUP
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        DIRECTORY_BACKEND,
        "django.contrib.auth.backends.ModelBackend",
    ]
    return ldap_directory


def sign_in(username: str, password: str, client: Client | None = None, address="10.1.0.1"):
    client = client or Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_directory_user_signs_in_gets_an_account_with_no_role_and_is_told_so(directory):
    client, response = sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == DIRECTORY_BACKEND

    user = User.objects.get(username=ds.ACTIVE)
    assert (user.full_name, user.email) == ds.NAMES[ds.ACTIVE]
    assert not user.has_usable_password()
    assert not user.must_change_password
    assert not user.memberships.exists()

    home = client.get(reverse("web:home"))
    assert home.status_code == 200
    page = home.content.decode()
    assert 'data-testid="no-role"' in page
    assert "Your account has no role yet." in page
    assert "The security administrator grants roles" in page
    # Their password is the directory's: "my account" offers no change of a local one.
    me = client.get(reverse("accounts:me")).content.decode()
    assert 'data-testid="directory-password"' in me
    assert 'data-testid="change-password"' not in me

    created = AuditRecord.objects.get(verb="account.created", obj_id=str(user.pk))
    assert created.actor is None
    assert created.reason == services.FROM_DIRECTORY
    assert created.changes["username"] == [None, ds.ACTIVE]
    login = AuditRecord.objects.get(verb="auth.login")
    assert (login.actor_id, login.address, login.outcome) == (user.pk, "10.1.0.1", Outcome.SUCCESS)
    assert login.changes == {"source": "directory"}


def test_authenticate_returns_the_directory_user_and_refuses_a_wrong_password(directory):
    request = RequestFactory().post(LOGIN, REMOTE_ADDR="10.1.0.2")
    user = authenticate(request, username=ds.ACTIVE, password=ds.PASSWORDS[ds.ACTIVE])
    assert user is not None and user.username == ds.ACTIVE
    assert user.backend == DIRECTORY_BACKEND
    request = RequestFactory().post(LOGIN, REMOTE_ADDR="10.1.0.2")
    assert authenticate(request, username=ds.ACTIVE, password="Wrong#Guess1") is None


def test_a_second_sign_in_creates_nothing_and_takes_the_name_from_the_directory(directory):
    sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    User.objects.filter(username=ds.ACTIVE).update(full_name="旧名字")
    _client, response = sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    assert response.status_code == 302
    assert User.objects.filter(username=ds.ACTIVE).count() == 1
    assert User.objects.get(username=ds.ACTIVE).full_name == "张伟"
    updated = AuditRecord.objects.get(verb="account.directory_updated")
    assert updated.changes == {"full_name": ["旧名字", "张伟"]}
    assert AuditRecord.objects.filter(verb="account.created").count() == 1
    assert AuditRecord.objects.filter(verb="auth.login").count() == 2


def test_once_the_security_admin_grants_a_role_the_user_sees_their_work(
    directory, world, security_admin
):
    client, _response = sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    user = User.objects.get(username=ds.ACTIVE)
    services.role_grant(by=security_admin, user=user, unit=world.huiyang, role=Role.UNIT_REPORTER)

    home = client.get(reverse("web:home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("ledger:my_work")
    work = client.get(reverse("ledger:my_work"))
    assert work.status_code == 200
    assert world.task_huiyang.title in work.content.decode()


def test_a_directory_account_is_never_sent_to_change_a_password_it_does_not_have(
    directory, world, security_admin
):
    sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    user = User.objects.get(username=ds.ACTIVE)
    services.role_grant(by=security_admin, user=user, unit=world.office, role=Role.OFFICE_ADMIN)
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=400)
    )
    client, _response = sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    assert client.get(reverse("ledger:ledger")).status_code == 200


def test_a_role_that_needs_the_second_factor_sends_the_directory_user_to_set_it_up(
    directory, world, security_admin
):
    sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    user = User.objects.get(username=ds.ACTIVE)
    services.role_grant(by=security_admin, user=user, unit=world.office, role=Role.OFFICE_LEADER)

    client, _response = sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    response = client.get(reverse("ledger:ledger"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_enrol"))
    assert client.get(reverse("ledger:ledger")).status_code == 302

    # With an authenticator app set up, the code is asked for after the password.
    otp_device_for(user)
    client, _response = sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    response = client.get(reverse("ledger:ledger"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    client.post(reverse("accounts:otp_verify"), {"token": code_for(user)})
    assert client.get(reverse("ledger:ledger")).status_code == 200


def test_a_user_disabled_in_the_directory_is_refused_with_the_ordinary_answer(directory):
    client, response = sign_in(ds.DISABLED, ds.PASSWORDS[ds.DISABLED])
    assert response.status_code == 200
    assert WRONG_ANSWER in response.content.decode()
    assert not signed_in(client)
    assert not User.objects.filter(username=ds.DISABLED).exists()
    failed = AuditRecord.objects.get(verb="auth.login_failed")
    assert (failed.actor_label, failed.outcome, failed.reason) == (ds.DISABLED, "failure", "")


def test_a_locked_entry_is_refused_by_the_password_policy_filter(directory, settings):
    # Without the filter the locked entry would sign in (this slapd does not enforce
    # the lock at bind): the filter is what refuses it.
    _client, response = sign_in(ds.LOCKED, ds.PASSWORDS[ds.LOCKED])
    assert response.status_code == 302
    settings.RL_LDAP_USER_FILTER = "(&(uid=%(user)s)(!(pwdAccountLockedTime=*)))"
    client, response = sign_in(ds.LOCKED, ds.PASSWORDS[ds.LOCKED])
    assert response.status_code == 200
    assert not signed_in(client)
    client, response = sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    assert response.status_code == 302


def test_only_the_required_group_signs_in_when_one_is_set(directory, settings):
    settings.RL_LDAP_REQUIRE_GROUP = ds.STAFF_GROUP
    client, response = sign_in(ds.OUTSIDE_STAFF_GROUP, ds.PASSWORDS[ds.OUTSIDE_STAFF_GROUP])
    assert response.status_code == 200
    assert not signed_in(client)
    assert sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])[1].status_code == 302


def test_an_account_disabled_here_stays_refused_and_its_session_ends(directory, security_admin):
    client, _response = sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    user = User.objects.get(username=ds.ACTIVE)
    services.user_disable(by=security_admin, user=user, reason="left the office")

    # The open session ends at its next request.
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # The directory still says yes; the account stays refused, with the ordinary answer.
    client, response = sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    assert response.status_code == 200
    assert WRONG_ANSWER in response.content.decode()
    assert not signed_in(client)


def test_wrong_directory_passwords_are_counted_and_lock_the_user_name(directory):
    for n in range(4):
        _client, response = sign_in(ds.ACTIVE, "Wrong#Guess1")
        assert response.status_code == 200, n
    failures = AccessAttempt.objects.get(username=ds.ACTIVE, ip_address="10.1.0.1")
    assert failures.failures_since_start == 4
    assert sign_in(ds.ACTIVE, "Wrong#Guess1")[1].status_code == 429
    client, response = sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    assert response.status_code == 429
    assert not signed_in(client)
    assert AuditRecord.objects.filter(verb="auth.locked_out").exists()


@pytest.mark.parametrize("persona", ["sysadmin", "auditor", "security_admin"])
def test_administrators_sign_in_with_their_local_password_with_ldap_on(request, directory, persona):
    admin = request.getfixturevalue(persona)
    client, response = sign_in(admin.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    # ... and still give their second factor.
    assert client.get(reverse("accounts:me"))["Location"].startswith(reverse("accounts:otp_verify"))
    assert AuditRecord.objects.get(verb="auth.login").changes == {"source": "local"}


def test_a_directory_entry_named_like_an_administrator_never_signs_in_as_one(
    directory, security_admin
):
    assert security_admin.username == ds.ADMIN_NAMESAKE
    client, response = sign_in(ds.ADMIN_NAMESAKE, ds.PASSWORDS[ds.ADMIN_NAMESAKE])
    assert response.status_code == 200
    assert WRONG_ANSWER in response.content.decode()
    assert not signed_in(client)
    security_admin.refresh_from_db()
    assert security_admin.full_name == "钱安全"
    assert security_admin.has_usable_password()
    assert not AuditRecord.objects.filter(reason=services.FROM_DIRECTORY).exists()


def test_a_local_account_is_not_taken_over_by_a_directory_entry_of_its_name(directory):
    local = UserFactory(username=ds.ACTIVE, full_name="本地张伟")
    client, response = sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    assert response.status_code == 200
    assert not signed_in(client)
    client, response = sign_in(ds.ACTIVE, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    local.refresh_from_db()
    assert (local.full_name, local.has_usable_password()) == ("本地张伟", True)


def test_an_administrator_role_is_not_granted_to_a_directory_account(
    directory, world, security_admin
):
    sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    user = User.objects.get(username=ds.ACTIVE)
    with pytest.raises(services.ValidationError) as refused:
        services.role_grant(by=security_admin, user=user, unit=world.city, role=Role.AUDITOR)
    assert "role" in refused.value.message_dict
    assert not user.memberships.exists()


def test_the_directory_down_is_a_clear_refusal_and_administrators_still_sign_in(
    directory, settings, security_admin
):
    settings.RL_LDAP_SERVER_URI = f"ldap://127.0.0.1:{ds._free_port()}"
    client, response = sign_in(ds.ACTIVE, ds.PASSWORDS[ds.ACTIVE])
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="directory-unavailable"' in page
    assert "The directory (LDAP) could not be reached" in page
    assert not signed_in(client)
    failed = AuditRecord.objects.get(verb="auth.login_failed")
    assert failed.reason == services.DIRECTORY_UNAVAILABLE_REASON

    client, response = sign_in(security_admin.username, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_without_ldap_settings_nothing_imports_python_ldap():
    # `make run` installs no LDAP package: settings, URLs and backends load without it.
    code = (
        "import sys, django; django.setup();"
        "from django.contrib.auth import get_backends; get_backends();"
        "import reformledger.config.urls;"
        "print(sorted(m for m in sys.modules if m == 'ldap' or m.startswith('django_auth_ldap')))"
    )
    env = {"DJANGO_SETTINGS_MODULE": "reformledger.config.settings", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_directory_settings_are_checked_before_anyone_signs_in(settings):
    from reformledger.accounts.checks import directory_settings

    assert directory_settings() == []  # off: nothing to check
    settings.RL_LDAP_SERVER_URI = "ldap://ldap.huizhou.gov.cn"
    settings.RL_LDAP_USER_SEARCH_BASE = ""
    assert {m.id for m in directory_settings()} == {"accounts.E002", "accounts.W001"}
    settings.RL_LDAP_USER_SEARCH_BASE = ds.PEOPLE
    settings.RL_LDAP_START_TLS = True
    assert directory_settings() == []
