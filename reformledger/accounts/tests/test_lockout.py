"""Lock-out after repeated failed sign-ins (登录失败处理), with django-axes: by user name
and address together, for 30 minutes, the same for unknown and known user names."""

import datetime as dt
from unittest import mock

from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reformledger.accounts import services
from reformledger.audit.models import AuditRecord, Outcome
from tests.factories import PASSWORD, UserFactory

LOGIN = "/login/"


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def later(minutes: int):
    """Move axes' clock (the time it stamps and compares attempts with) forward."""
    return mock.patch(
        "axes.handlers.proxy.now", return_value=timezone.now() + dt.timedelta(minutes=minutes)
    )


def test_five_wrong_passwords_lock_the_account_until_30_minutes_pass(world):
    user, client = world.office_staff, Client()
    for n in range(4):
        response = attempt(client, user.username, "wrong")
        assert response.status_code == 200, n  # the sign-in form again, with its error
    # The fifth failure locks; the sixth wrong password and the right one are refused.
    assert attempt(client, user.username, "wrong").status_code == 429
    sixth = attempt(client, user.username, "wrong")
    assert sixth.status_code == 429
    assert 'data-testid="locked-out"' in sixth.content.decode()
    right = attempt(client, user.username, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    with later(29):
        assert attempt(client, user.username, PASSWORD).status_code == 429
    with later(31):
        response = attempt(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("ledger:ledger")).status_code == 200


def test_the_lock_holds_the_user_name_from_that_address_only(world):
    user = world.office_staff
    for _n in range(5):
        attempt(Client(), user.username, "wrong", address="10.0.0.1")
    assert attempt(Client(), user.username, PASSWORD, address="10.0.0.1").status_code == 429
    # The same person from another address, and another user from the first, still sign in.
    assert attempt(Client(), user.username, PASSWORD, address="10.0.0.2").status_code == 302
    (other,) = accounts_with_fast_hashes(1)
    assert attempt(Client(), other.username, PASSWORD, address="10.0.0.1").status_code == 302


def test_four_failures_do_not_lock_and_the_fifth_does(world):
    """Both sides of the lock-out count: after four wrong passwords the right one signs
    in (and clears the count); four more and a fifth lock the account."""
    user = world.office_staff
    for _n in range(4):
        attempt(Client(), user.username, "wrong")
    assert attempt(Client(), user.username, PASSWORD).status_code == 302
    for _n in range(4):
        assert attempt(Client(), user.username, "wrong").status_code == 200
    assert attempt(Client(), user.username, "wrong").status_code == 429
    assert attempt(Client(), user.username, PASSWORD).status_code == 429


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(world):
    unknown = attempt(Client(), "nobody-here", "wrong")
    wrong = attempt(Client(), world.office_staff.username, "wrong")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].errors == wrong.context["form"].errors
    # Locked out alike, too: nothing tells a real user name from an invented one.
    for _n in range(5):
        attempt(Client(), "nobody-here", "wrong")
    assert attempt(Client(), "nobody-here", "wrong").status_code == 429


def test_a_disabled_account_with_the_right_password_gets_the_same_answer(world, security_admin):
    services.user_disable(by=security_admin, user=world.office_staff)
    disabled = attempt(Client(), world.office_staff.username, PASSWORD)
    wrong = attempt(Client(), "nobody-here", "wrong")
    assert disabled.status_code == wrong.status_code == 200
    assert disabled.context["form"].errors == wrong.context["form"].errors


def test_the_security_admin_unlocks_an_account(world, security_admin, client_for):
    user = world.office_staff
    for _n in range(5):
        attempt(Client(), user.username, "wrong")
    admin = client_for(security_admin)
    page = admin.get(reverse("accounts:user", args=[user.pk]))
    assert page.context["locked"]
    response = admin.post(reverse("accounts:user_act", args=[user.pk, "unlock"]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert attempt(Client(), user.username, PASSWORD).status_code == 302
    record = AuditRecord.objects.get(verb="account.unlocked")
    assert record.actor == security_admin
    assert record.obj_id == str(user.pk)


def test_the_lock_out_and_each_failure_are_in_the_audit_trail(world):
    user = world.office_staff
    for _n in range(6):
        attempt(Client(), user.username, "wrong", address="10.1.2.3")
    failures = AuditRecord.objects.filter(verb="auth.login_failed")
    assert failures.count() == 6
    first = failures.first()
    assert (first.outcome, first.address, first.changes) == (
        Outcome.FAILURE,
        "10.1.2.3",
        {"username": user.username},
    )
    locked = AuditRecord.objects.filter(verb="auth.locked_out")
    assert locked.exists()
    assert locked.first().outcome == Outcome.DENIED
    assert not AuditRecord.objects.filter(changes__icontains="wrong").exists()


def accounts_with_fast_hashes(count: int) -> list:
    """Accounts whose password is PASSWORD, hashed with the tests' fast hasher, so that
    dozens of sign-ins cost milliseconds."""
    return UserFactory.create_batch(count, password=make_password(PASSWORD))


def test_many_failures_on_many_accounts_from_one_address_lock_that_address(world):
    accounts = accounts_with_fast_hashes(13)
    sprayer = "10.6.6.6"
    answers = [
        attempt(Client(), user.username, "wrong", address=sprayer).status_code
        for user in accounts[:12]
        for _n in range(4)  # below the lock of each user name (5)
    ]
    assert answers[:39] == [200] * 39  # the address limit is 40 (RL_LOGIN_ADDRESS_FAILURE_LIMIT)
    assert set(answers[39:]) == {429}

    # The address is locked: the right password of an account never tried is refused ...
    right = attempt(Client(), accounts[12].username, PASSWORD, address=sprayer)
    assert right.status_code == 429
    assert 'data-testid="address-locked"' in right.content.decode()
    # ... while the same accounts sign in from another address.
    assert attempt(Client(), accounts[12].username, PASSWORD, address="10.6.6.7").status_code == 302
    assert attempt(Client(), accounts[0].username, PASSWORD, address="10.6.6.8").status_code == 302
    locked = AuditRecord.objects.filter(verb="auth.locked_out", address=sprayer).first()
    assert "from the address" in locked.reason
    with later(31):
        assert (
            attempt(Client(), accounts[12].username, PASSWORD, address=sprayer).status_code == 302
        )


def test_a_sign_in_from_the_address_does_not_wipe_its_count_of_failures(world):
    sprayer, (mine, *others) = "10.7.7.7", accounts_with_fast_hashes(11)
    for user in others[:9]:
        for _n in range(4):
            attempt(Client(), user.username, "wrong", address=sprayer)  # 36 failures
    # The attacker's own account signs in: only its own failures are cleared ...
    assert attempt(Client(), mine.username, PASSWORD, address=sprayer).status_code == 302
    assert AccessAttempt.objects.filter(ip_address=sprayer).count() == 9
    # ... so four more failures reach the address's limit (40) all the same.
    for _n in range(4):
        attempt(Client(), others[9].username, "wrong", address=sprayer)
    assert attempt(Client(), others[0].username, PASSWORD, address=sprayer).status_code == 429
