"""Every sign-in event is in the audit trail (安全审计): time, user, address, event and
outcome; never a password, token or secret."""

from django.test import Client
from django.urls import reverse

from reformledger.accounts import services
from reformledger.audit.models import AuditRecord, Outcome
from tests.factories import PASSWORD


def test_sign_in_and_sign_out_are_recorded_with_the_address(world):
    user = world.office_staff
    client = Client(REMOTE_ADDR="192.0.2.7")
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    client.post(reverse("logout"))
    records = list(
        AuditRecord.objects.filter(verb__startswith="auth.").values_list(
            "verb", "actor", "address", "outcome"
        )
    )
    assert records == [
        ("auth.login", user.pk, "192.0.2.7", Outcome.SUCCESS),
        ("auth.logout", user.pk, "192.0.2.7", Outcome.SUCCESS),
    ]


def test_a_failed_sign_in_names_the_user_name_tried_and_not_the_password(world):
    Client(REMOTE_ADDR="192.0.2.9").post(
        reverse("login"), {"username": "no-such-user", "password": "Guess#2016"}
    )
    record = AuditRecord.objects.get(verb="auth.login_failed")
    assert record.actor is None
    assert record.actor_label == "no-such-user"
    assert (record.address, record.outcome) == ("192.0.2.9", Outcome.FAILURE)
    assert record.changes == {"username": "no-such-user"}


def test_no_password_token_or_secret_reaches_the_audit_trail(world, security_admin):
    user = world.office_staff
    Client().post(reverse("login"), {"username": user.username, "password": "Wrong#Guess1"})
    services.user_password_reset(by=security_admin, user=user, password="Reset#Secret1")
    services.password_change(user=user, new_password="Own#Secret22")
    _token, raw = services.token_create(by=user, name="接口")
    device = services.otp_device_start(user=user)
    text = " ".join(
        f"{r.changes} {r.reason} {r.obj_repr} {r.actor_label}" for r in AuditRecord.objects.all()
    )
    for secret in ("Wrong#Guess1", "Reset#Secret1", "Own#Secret22", PASSWORD, raw, device.key):
        assert secret not in text
