"""The security administrator (安全管理员, 三员分立): accounts, roles and the password
policy, and nothing of the ledger."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reformledger.accounts import permissions, services
from reformledger.accounts.models import User
from reformledger.accounts.tasks import disable_inactive
from reformledger.audit.models import AuditRecord
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Membership
from tests.factories import PASSWORD, MembershipFactory, UserFactory

# --- who may --------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["office_staff", "director", "sysadmin", "auditor", "huiyang_liaison", "outsider"]
)
def test_only_the_security_admin_opens_the_account_pages(request, world, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    target = world.office_staff
    for url in (
        reverse("accounts:users"),
        reverse("accounts:user_new"),
        reverse("accounts:user", args=[target.pk]),
        reverse("accounts:policy"),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("accounts:user_act", args=[target.pk, "disable"]))
    assert response.status_code == 403
    assert User.objects.get(pk=target.pk).is_active


def test_the_security_admin_sees_no_ledger_content(world, security_admin, client_for):
    client = client_for(security_admin)
    task = world.task_huiyang
    assert client.get(reverse("ledger:task", args=[task.pk])).status_code == 404
    assert client.get(reverse("ledger:task_edit", args=[task.pk])).status_code == 404
    assert client.get(reverse("ledger:task_create")).status_code == 403
    ledger = client.get(reverse("ledger:ledger"))
    assert task.title not in ledger.content.decode()
    assert client.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    assert client.get("/api/v1/tasks/").json()["count"] == 0
    assert client.get(reverse("web:unit", args=[world.huiyang.pk])).status_code == 404


def test_the_security_admin_sees_the_accounts_menu(world, security_admin, office_staff, client_for):
    assert (
        'data-testid="accounts-nav"'
        in client_for(security_admin).get(reverse("accounts:me")).content.decode()
    )
    assert (
        'data-testid="accounts-nav"'
        not in client_for(office_staff).get(reverse("accounts:me")).content.decode()
    )


# --- the pages --------------------------------------------------------------------


def test_the_list_finds_accounts_by_name_and_shows_roles(world, security_admin, client_for):
    client = client_for(security_admin)
    page = client.get(reverse("accounts:users"), {"q": "林文"})
    users = list(page.context["page"].object_list)
    assert [u.username for u in users] == ["office"]
    assert "Office staff" in page.content.decode() or "改革办" in page.content.decode()


def test_the_list_runs_the_same_queries_for_5_and_60_accounts(
    world, security_admin, client_for, settings
):
    settings.LEDGER_PAGE_SIZE = 100
    client = client_for(security_admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:users")).status_code == 200
        return len(ctx.captured_queries)

    for _n in range(5):
        MembershipFactory(unit=world.huiyang)
    few = queries()
    for _n in range(55):
        MembershipFactory(unit=world.huiyang)
    assert queries() == few


def test_the_security_admin_creates_an_account_with_an_initial_password(
    world, security_admin, client_for
):
    client = client_for(security_admin)
    response = client.post(
        reverse("accounts:user_new"),
        {
            "username": "new_liaison",
            "full_name": "王新",
            "email": "wx@example.org",
            "password": "Initial#2016",
            "password_again": "Initial#2016",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="new_liaison")
    assert user.must_change_password and user.check_password("Initial#2016")
    record = AuditRecord.objects.get(verb="account.created")
    assert record.actor == security_admin
    assert "Initial" not in str(record.changes)


def test_a_weak_initial_password_or_a_taken_name_is_refused_on_the_form(
    world, security_admin, client_for
):
    client = client_for(security_admin)
    weak = client.post(
        reverse("accounts:user_new"),
        {"username": "someone", "password": "password", "password_again": "password"},
    )
    assert "password" in weak.context["form"].errors
    taken = client.post(
        reverse("accounts:user_new"),
        {"username": "OFFICE", "password": "Initial#2016", "password_again": "Initial#2016"},
    )
    assert "username" in taken.context["form"].errors
    assert not User.objects.filter(username="someone").exists()


def test_the_security_admin_resets_a_password(world, security_admin, client_for):
    user = world.office_staff
    response = client_for(security_admin).post(
        reverse("accounts:user_act", args=[user.pk, "reset"]),
        {"password": "Reset#20161", "password_again": "Reset#20161", "reason": "忘记密码"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Reset#20161") and user.must_change_password
    record = AuditRecord.objects.get(verb="account.password_reset")
    assert (record.actor, record.reason) == (security_admin, "忘记密码")


def test_the_security_admin_disables_and_enables_an_account(world, security_admin, client_for):
    client = client_for(security_admin)
    user = world.office_staff
    client.post(reverse("accounts:user_act", args=[user.pk, "disable"]), {"reason": "调离"})
    assert not User.objects.get(pk=user.pk).is_active
    assert (
        Client()
        .post(reverse("login"), {"username": user.username, "password": PASSWORD})
        .status_code
        == 200
    )  # the sign-in form again: refused
    client.post(reverse("accounts:user_act", args=[user.pk, "enable"]), {"reason": "返岗"})
    assert User.objects.get(pk=user.pk).is_active
    verbs = list(
        AuditRecord.objects.filter(obj_id=str(user.pk), verb__startswith="account.").values_list(
            "verb", "reason"
        )
    )
    assert verbs == [("account.disabled", "调离"), ("account.enabled", "返岗")]


def test_the_security_admin_grants_and_ends_roles_through_orgs(world, security_admin, client_for):
    client = client_for(security_admin)
    user = UserFactory(username="newcomer")
    response = client.post(
        reverse("accounts:user_act", args=[user.pk, "grant"]),
        {"role": Role.UNIT_REPORTER, "unit": world.boluo.pk, "title": "联络员"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.unit, membership.is_active) == (
        Role.UNIT_REPORTER,
        world.boluo,
        True,
    )
    assert AuditRecord.objects.filter(verb="membership.granted", actor=security_admin).exists()
    client.post(reverse("accounts:role_revoke", args=[user.pk, membership.pk]), {"reason": "调岗"})
    membership.refresh_from_db()
    assert not membership.is_active
    assert AuditRecord.objects.get(verb="membership.revoked").reason == "调岗"


def test_a_second_administrator_role_is_refused_on_the_page(
    world, sysadmin, security_admin, client_for
):
    response = client_for(security_admin).post(
        reverse("accounts:user_act", args=[sysadmin.pk, "grant"]),
        {"role": Role.AUDITOR, "unit": world.city.pk},
    )
    assert response.status_code == 400
    assert response.context["grant_form"].errors
    assert not Membership.objects.filter(user=sysadmin, role=Role.AUDITOR).exists()


def test_the_security_admin_cannot_act_on_its_own_account(world, security_admin, client_for):
    client = client_for(security_admin)
    response = client.post(
        reverse("accounts:user_act", args=[security_admin.pk, "grant"]),
        {"role": Role.OFFICE_LEADER, "unit": world.office.pk},
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=security_admin, role=Role.OFFICE_LEADER).exists()
    with pytest.raises(PermissionDenied):
        services.user_disable(by=security_admin, user=security_admin)


# --- accounts unused for 90 days -------------------------------------------------


def _unused_for(days: int, **fields) -> User:
    then = timezone.now() - dt.timedelta(days=days)
    return UserFactory(date_joined=then, last_login=then, **fields)


def test_accounts_unused_for_90_days_are_disabled_each_with_a_record(world):
    stale = _unused_for(91, username="stale")
    never = UserFactory(username="never", date_joined=timezone.now() - dt.timedelta(days=120))
    recent = _unused_for(30, username="recent")
    disabled = services.users_disable_inactive()
    assert disabled == ["never", "stale"]
    assert not User.objects.get(pk=stale.pk).is_active
    assert not User.objects.get(pk=never.pk).is_active
    assert User.objects.get(pk=recent.pk).is_active
    assert world.office_staff in User.objects.filter(is_active=True)
    records = AuditRecord.objects.filter(verb="account.disabled")
    assert records.count() == 2
    assert {r.reason for r in records} == {"unused for 90 days"}


def test_an_account_used_by_api_token_is_not_unused(world):
    user = _unused_for(200, username="system_link")
    token, _raw = services.token_create(by=user, name="外部系统")
    type(token).objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    assert services.users_disable_inactive() == []


def test_an_account_enabled_again_counts_as_fresh(world, security_admin):
    user = _unused_for(200, username="back", is_active=False)
    services.user_enable(by=security_admin, user=user)
    assert services.users_disable_inactive() == []


def test_the_nightly_job_and_the_command_disable_unused_accounts(world, settings):
    settings.RL_ACCOUNT_INACTIVE_DAYS = 10
    _unused_for(11, username="a_stale")
    assert disable_inactive.call_local() == ["a_stale"]
    _unused_for(11, username="b_stale")
    out = io.StringIO()
    call_command("disable_inactive_accounts", "--dry-run", stdout=out)
    assert "b_stale" in out.getvalue()
    assert User.objects.get(username="b_stale").is_active
    call_command("disable_inactive_accounts", stdout=out)
    assert not User.objects.get(username="b_stale").is_active


def test_enable_account_is_the_way_back_for_a_disabled_security_admin(world, security_admin):
    User.objects.filter(pk=security_admin.pk).update(is_active=False)
    call_command("enable_account", "secadmin", "--reason", "休假返岗", stdout=io.StringIO())
    assert User.objects.get(pk=security_admin.pk).is_active
    assert AuditRecord.objects.get(verb="account.enabled").reason == "休假返岗"


def test_create_account_sets_up_an_administrator_from_the_shell(world, monkeypatch):
    answers = iter(["Initial#2016", "Initial#2016"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command(
        "create_account",
        "sec2",
        "--role",
        Role.SECURITY_ADMIN,
        "--unit",
        "HZ",
        stdout=io.StringIO(),
    )
    user = User.objects.get(username="sec2")
    assert user.must_change_password
    assert Membership.objects.filter(user=user, role=Role.SECURITY_ADMIN, is_active=True).exists()
    assert AuditRecord.objects.filter(verb="account.created", obj_id=str(user.pk)).exists()


def test_create_account_refuses_a_weak_password_and_writes_nothing(world, monkeypatch):
    answers = iter(["weak", "weak"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError):
        call_command("create_account", "sec3", stdout=io.StringIO())
    assert not User.objects.filter(username="sec3").exists()


def test_an_account_act_by_anyone_but_the_security_admin_is_refused_by_name(
    world, office_staff, security_admin
):
    """The refusal names the act refused (the logs and the access.denied record read it);
    the security administrator and a command (no one) pass."""
    with pytest.raises(PermissionDenied, match=r"^manage accounts$"):
        permissions.require_account_manager(office_staff)
    permissions.require_account_manager(security_admin)
    permissions.require_account_manager(None)
