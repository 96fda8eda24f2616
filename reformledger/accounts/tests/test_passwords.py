"""The password policy (口令复杂度、定期更换): its rules on every path that sets a
password, its history, and the forced change of initial, reset and expired passwords."""

import datetime as dt
import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reformledger.accounts import services
from reformledger.accounts.models import PasswordHistory, PasswordPolicy, User
from reformledger.audit.models import AuditRecord
from tests.factories import PASSWORD, UserFactory


def refusal(password: str, user=None) -> list[str]:
    """The codes of the rules `password` breaks."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [e.code for e in exc.error_list]
    return []


def sign_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client


# --- the rules -------------------------------------------------------------------


def test_a_password_needs_eight_characters(db):
    assert "password_too_short" in refusal("Ab#1xyz")
    assert refusal("Ab#1xyzw") == []


def test_a_password_mixes_three_of_the_four_character_classes(db):
    assert "password_too_simple" in refusal("abcdefgh12")  # lower + digits
    assert "password_too_simple" in refusal("ABCDEFGH!!")  # upper + other
    assert refusal("abcdEFGH12") == []  # lower + upper + digits
    assert refusal("abcdefg#12") == []  # lower + other + digits


def test_a_password_may_not_contain_the_user_name(db):
    user = UserFactory(username="huiyang")
    assert "password_contains_username" in refusal("HuiYang#2016", user)
    assert "password_contains_username" in refusal("huiyang", user)
    assert "password_contains_username" not in refusal("Reform#2016", user)


def test_a_password_may_not_repeat_one_of_the_last_five(world, security_admin):
    user = UserFactory(username="liaison")
    passwords = [f"Ledger#{n}x" for n in range(6)]
    for password in passwords:
        services.password_change(user=user, new_password=password)
    # The last five (the one in use among them) are refused; the sixth back is allowed.
    for password in passwords[1:]:
        assert "password_reused" in refusal(password, user), password
    assert refusal(passwords[0], user) == []
    assert PasswordHistory.objects.filter(user=user).count() == 6
    assert not PasswordHistory.objects.filter(password__contains="Ledger#").exists()


def test_a_common_password_is_refused_even_when_complex_enough(db):
    assert refusal("P@ssw0rd") == ["password_too_common"]


def test_the_password_in_use_counts_as_a_last_password_before_any_history(db):
    user = UserFactory()  # password set by the factory, no history row
    assert "password_reused" in refusal(PASSWORD, user)


def test_the_policy_numbers_come_from_the_settings_until_saved(db, settings):
    settings.RL_PASSWORD_MIN_LENGTH = 12
    assert PasswordPolicy.current().min_length == 12
    assert "password_too_short" in refusal("Ab#1xyzw")


def test_security_admin_changes_the_policy_and_it_applies_at_once(
    world, security_admin, client_for
):
    client = client_for(security_admin)
    response = client.post(
        reverse("accounts:policy"),
        {"min_length": 12, "min_classes": 4, "history_count": 3, "max_age_days": 60},
    )
    assert response.status_code == 302
    policy = PasswordPolicy.current()
    assert (policy.min_length, policy.min_classes, policy.history_count, policy.max_age_days) == (
        12,
        4,
        3,
        60,
    )
    record = AuditRecord.objects.get(verb="password_policy.updated")
    assert record.actor == security_admin
    assert record.changes["min_length"] == [8, 12]
    assert "password_too_short" in refusal("Ab#1xyzw1")
    assert "password_too_simple" in refusal("abcdEFGH1234")


def test_the_policy_cannot_go_below_eight_characters(world, security_admin, client_for):
    response = client_for(security_admin).post(
        reverse("accounts:policy"),
        {"min_length": 6, "min_classes": 3, "history_count": 5, "max_age_days": 90},
    )
    assert response.status_code == 200
    assert "min_length" in response.context["form"].errors
    assert not PasswordPolicy.objects.exists()


def test_only_the_security_admin_changes_the_policy(world, sysadmin, client_for):
    assert client_for(sysadmin).get(reverse("accounts:policy")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.password_policy_update(
            by=sysadmin, min_length=8, min_classes=1, history_count=0, max_age_days=0
        )


# --- every path that sets a password -------------------------------------------


def test_the_change_page_refuses_a_weak_password_and_names_the_rule(world, client_for):
    user = world.office_staff
    response = client_for(user).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "password": "short1", "password_again": "short1"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["password"]
    assert any("at least 8" in e or "至少" in e for e in errors)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_change_page_sets_a_good_password_keeps_the_session_and_records_it(world, client_for):
    user = world.office_staff
    client = client_for(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "password": "Better#2017", "password_again": "Better#2017"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Better#2017")
    assert (timezone.now() - user.password_changed_at).total_seconds() < 60
    assert client.get(reverse("ledger:ledger")).status_code == 200  # still signed in
    record = AuditRecord.objects.get(verb="account.password_changed")
    assert record.actor == user
    assert "Better" not in str(record.changes) + record.reason


def test_the_change_page_wants_the_current_password(world, client_for):
    response = client_for(world.office_staff).post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "password": "Better#2017", "password_again": "Better#2017"},
    )
    assert "old_password" in response.context["form"].errors


def test_django_admin_applies_the_same_rules(world, client_for):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    target = UserFactory(username="target")
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client_for(admin).post(
        url, {"password1": "abcdefgh", "password2": "abcdefgh", "usable_password": "true"}
    )
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    response = client_for(admin).post(
        url, {"password1": "Admin#Set99", "password2": "Admin#Set99", "usable_password": "true"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("Admin#Set99")
    assert PasswordHistory.objects.filter(user=target).count() == 1
    assert AuditRecord.objects.filter(
        verb="account.password_changed", obj_id=str(target.pk)
    ).exists()


def test_the_changepassword_command_applies_the_same_rules(db, monkeypatch):
    user = UserFactory(username="cmduser")
    answers = iter(["weakpass", "weakpass", "Strong#Pass1", "Strong#Pass1"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    out = io.StringIO()
    call_command("changepassword", "cmduser", stdout=out, stderr=out)
    user.refresh_from_db()
    assert user.check_password("Strong#Pass1")
    assert PasswordHistory.objects.filter(user=user).count() == 1


# --- forced changes -------------------------------------------------------------


def test_an_initial_password_must_be_changed_at_first_sign_in(world, security_admin):
    services.user_create(
        by=security_admin, username="newbie", full_name="新同事", password="Initial#2016"
    )
    client = sign_in("newbie", "Initial#2016")
    response = client.get(reverse("ledger:ledger"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:password_change"))
    page = client.get(reverse("accounts:password_change"))
    assert page.context["forced"]
    client.post(
        reverse("accounts:password_change"),
        {"old_password": "Initial#2016", "password": "Mine#2016x", "password_again": "Mine#2016x"},
    )
    assert client.get(reverse("ledger:ledger")).status_code == 200
    assert not User.objects.get(username="newbie").must_change_password


def test_a_reset_password_must_be_changed_at_the_next_sign_in(world, security_admin):
    user = world.office_staff
    services.user_password_reset(by=security_admin, user=user, password="Reset#2016x")
    client = sign_in(user.username, "Reset#2016x")
    response = client.get(reverse("web:home"))
    assert response["Location"].startswith(reverse("accounts:password_change"))
    assert AuditRecord.objects.filter(verb="account.password_reset", actor=security_admin).exists()


def test_a_password_older_than_90_days_must_be_changed(world):
    user = world.office_staff
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=91)
    )
    client = sign_in(user.username)
    response = client.get(reverse("ledger:ledger"))
    assert response["Location"].startswith(reverse("accounts:password_change"))
    assert client.get(reverse("accounts:password_change")).context["expired"]


def test_a_password_of_89_days_is_not_forced(world):
    user = world.office_staff
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=89)
    )
    assert sign_in(user.username).get(reverse("ledger:ledger")).status_code == 200


def test_factory_users_are_not_forced_to_change(world):
    user = world.office_staff
    assert not user.must_change_password
    assert sign_in(user.username).get(reverse("ledger:ledger")).status_code == 200


def test_a_forced_user_may_still_sign_out(world, security_admin):
    services.user_password_reset(by=security_admin, user=world.office_staff, password="Reset#2016x")
    client = sign_in(world.office_staff.username, "Reset#2016x")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("ledger:ledger"))["Location"].startswith(reverse("login"))


def test_the_api_refuses_a_session_whose_password_must_change(world, security_admin):
    services.user_password_reset(by=security_admin, user=world.office_staff, password="Reset#2016x")
    client = sign_in(world.office_staff.username, "Reset#2016x")
    assert client.get("/api/v1/tasks/").status_code == 403


def test_changing_the_password_ends_the_accounts_other_sessions(world, client_for):
    user = world.office_staff
    here, elsewhere = client_for(user), client_for(user)
    here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "password": "Better#2017", "password_again": "Better#2017"},
    )
    assert here.get(reverse("ledger:ledger")).status_code == 200
    assert elsewhere.get(reverse("ledger:ledger"))["Location"].startswith(reverse("login"))
