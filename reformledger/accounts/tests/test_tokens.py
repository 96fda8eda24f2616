"""API tokens (接口令牌) as credentials: every token expires within the security
administrator's policy, only a signed-in person makes tokens, and the acts that need
the second factor on the pages need an elevated token through the API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reformledger.accounts import services
from reformledger.accounts.models import ApiToken, PasswordPolicy
from reformledger.audit.models import AuditRecord
from reformledger.ledger import services as ledger
from reformledger.ledger.models import Task
from tests.files import PDF

JSON = "application/json"
TOKENS = "/api/v1/tokens/"


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


def days_from_now(token: ApiToken) -> float:
    return (token.expires_at - timezone.now()) / dt.timedelta(days=1)


# --- lifetimes ----------------------------------------------------------------------


def test_a_token_created_without_an_expiry_gets_the_default_lifetime(office_staff, client_for):
    created = client_for(office_staff).post(TOKENS, {"name": "省级平台"}, content_type=JSON)

    assert created.status_code == 201, created.content
    token = ApiToken.objects.get(pk=created.json()["id"])
    assert 89.9 < days_from_now(token) <= 90
    assert created.json()["expires_at"] is not None


def test_a_token_asking_for_more_than_the_maximum_is_refused_naming_the_field(
    office_staff, client_for
):
    too_long = (timezone.now() + dt.timedelta(days=366)).isoformat()
    refused = client_for(office_staff).post(
        TOKENS,
        {"name": "省级平台", "expires_at": too_long},
        content_type=JSON,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert refused.status_code == 400
    assert "365 days" in " ".join(refused.json()["expires_at"])
    assert not ApiToken.objects.exists()
    just_right = (timezone.now() + dt.timedelta(days=364)).isoformat()
    body = {"name": "省级平台", "expires_at": just_right}
    assert client_for(office_staff).post(TOKENS, body, content_type=JSON).status_code == 201


def test_the_security_admin_sets_the_token_lifetimes_and_they_apply_at_once(
    world, security_admin, office_staff, client_for
):
    page = client_for(security_admin)
    numbers = {"min_length": 8, "min_classes": 3, "history_count": 5, "max_age_days": 90}
    wrong = page.post(
        reverse("accounts:policy"), {**numbers, "token_default_days": 60, "token_max_days": 30}
    )
    assert wrong.status_code == 200 and "token_default_days" in wrong.context["form"].errors
    saved = page.post(
        reverse("accounts:policy"), {**numbers, "token_default_days": 7, "token_max_days": 30}
    )
    assert saved.status_code == 302
    policy = PasswordPolicy.current()
    assert (policy.token_default_days, policy.token_max_days) == (7, 30)
    record = AuditRecord.objects.get(verb="password_policy.updated")
    assert record.changes["token_max_days"] == [365, 30]

    token, _raw = services.token_create(by=office_staff, name="短期")
    assert 6.9 < days_from_now(token) <= 7
    with pytest.raises(ValidationError) as refused:
        services.token_create(
            by=office_staff, name="长期", expires_at=timezone.now() + dt.timedelta(days=31)
        )
    assert "expires_at" in refused.value.message_dict


def test_a_token_from_before_expiries_stops_after_the_longest_lifetime(office_staff):
    token, raw = services.token_create(by=office_staff, name="旧令牌")
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=None, created_at=timezone.now() - dt.timedelta(days=364)
    )
    assert bearer(raw).get("/api/v1/tasks/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(created_at=timezone.now() - dt.timedelta(days=366))
    assert bearer(raw).get("/api/v1/tasks/").status_code == 401


# --- only a session makes tokens ------------------------------------------------------


def test_a_token_cannot_create_a_token(office_staff):
    _token, raw = services.token_create(by=office_staff, name="省级平台")
    system = bearer(raw)

    refused = system.post(TOKENS, {"name": "子令牌"}, content_type=JSON)

    assert refused.status_code == 403
    assert "A token cannot create tokens" in refused.json()["detail"]
    assert ApiToken.objects.count() == 1
    assert AuditRecord.objects.filter(verb="access.denied", actor=office_staff).exists()
    # Whatever the body says: the refusal comes before it is read.
    assert system.post(TOKENS, "[[[", content_type=JSON).status_code == 403


def test_revoking_a_token_leaves_nothing_it_made_working(office_staff, client_for):
    session = client_for(office_staff)
    created = session.post(TOKENS, {"name": "省级平台"}, content_type=JSON).json()
    system = bearer(created["token"])
    assert system.post(TOKENS, {"name": "后门"}, content_type=JSON).status_code == 403

    assert session.delete(f"{TOKENS}{created['id']}/").status_code == 204

    assert system.get("/api/v1/tasks/").status_code == 401
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()


# --- elevated tokens for the second-factor acts -------------------------------------------


@pytest.fixture
def signed_closing(world, huiyang_liaison, huiyang_head):
    closing = ledger.closing_request(
        task=world.task_huiyang,
        by=huiyang_liaison,
        summary="出台考核办法并全区推开",
        document_no="惠阳府〔2016〕88号",
        document_date=dt.date(2016, 11, 20),
        files=[ContentFile(PDF, name="考核办法.pdf")],
    )
    return ledger.closing_sign(closing=closing, by=huiyang_head)


def test_a_leaders_plain_token_cannot_approve_a_closing_but_an_elevated_one_can(
    world, director, signed_closing, client_for
):
    session = client_for(director)  # signed in with the second factor, as leaders are
    approve = f"/api/v1/closings/{signed_closing.pk}/approve/"
    plain = session.post(TOKENS, {"name": "督查平台"}, content_type=JSON).json()

    refused = bearer(plain["token"]).post(approve, {"note": "同意"}, content_type=JSON)

    assert refused.status_code == 403
    assert "second factor" in refused.json()["detail"]
    assert Task.objects.get(pk=world.task_huiyang.pk).status != "closed"
    assert bearer(plain["token"]).get(approve.replace("approve/", "")).status_code == 200

    body = {"name": "督查平台（决定）", "elevated": True}
    elevated = session.post(TOKENS, body, content_type=JSON).json()
    assert elevated["elevated"] is True
    done = bearer(elevated["token"]).post(approve, {"note": "同意"}, content_type=JSON)

    assert done.status_code == 200, done.content
    assert Task.objects.get(pk=world.task_huiyang.pk).status == "closed"
    record = AuditRecord.objects.get(verb="closing.approved")
    assert record.actor == director


def test_a_leaders_plain_token_cannot_confirm_a_rating(world, director, client_for):
    _token, raw = services.token_create(by=director, name="督查平台")
    refused = bearer(raw).post("/api/v1/ratings/1/confirm/", {}, content_type=JSON)
    assert refused.status_code == 403
    assert "second factor" in refused.json()["detail"]


def test_an_elevated_token_is_made_only_in_a_session_verified_with_the_second_factor(
    world, huiyang_liaison, director, client_for
):
    # A liaison signs in without a second factor: it cannot ask for an elevated token.
    refused = client_for(huiyang_liaison).post(
        TOKENS, {"name": "县平台", "elevated": True}, content_type=JSON
    )
    assert refused.status_code == 403
    assert not ApiToken.objects.exists()
    # Nor can a leader's session that has not given its code (the service checks too).
    with pytest.raises(PermissionDenied):
        services.token_create(by=director, name="督查平台", elevated=True)
    assert not ApiToken.objects.exists()


def test_a_plain_token_of_an_account_without_second_factor_roles_still_acts(world, office_staff):
    _token, raw = services.token_create(by=office_staff, name="省级平台")
    changed = bearer(raw).post(
        f"/api/v1/tasks/{world.task_boluo.pk}/status/",
        {"status": "blocked", "reason": "等待省级批复"},
        content_type=JSON,
    )
    assert changed.status_code == 200, changed.content
