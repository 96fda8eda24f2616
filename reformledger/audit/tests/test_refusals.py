"""Every refused access of a signed-in user writes one record (access.denied, outcome
refused, with the user, the address, the method and the path): pages, the API and the
CSRF check alike. Anonymous requests and 401s write nothing (see audit/middleware.py)."""

from django.conf import settings
from django.test import Client
from django.urls import reverse

from reformledger.audit.models import AuditRecord, Outcome
from reformledger.audit.selectors import verify_chain

AUDIT_API = "/api/v1/audit-records/"


def refusals():
    return AuditRecord.objects.filter(verb="access.denied").order_by("id")


def test_a_refused_page_writes_one_record_with_user_address_and_path(
    world, huiyang_liaison, client_for
):
    url = reverse("ledger:task_edit", args=[world.task_huiyang.pk])

    response = client_for(huiyang_liaison).get(url, REMOTE_ADDR="10.20.30.40")

    assert response.status_code == 403
    rec = refusals().get()
    assert rec.outcome == Outcome.DENIED
    assert rec.actor == huiyang_liaison and rec.actor_label == "huiyang"
    assert rec.address == "10.20.30.40"
    assert rec.changes == {"method": [None, "GET"], "path": [None, url]}
    assert rec.at is not None
    assert verify_chain() is None


def test_a_refused_post_names_its_method(world, huiyang_liaison, client_for):
    response = client_for(huiyang_liaison).post(reverse("ledger:task_create"), {})

    assert response.status_code == 403
    rec = refusals().get()
    assert rec.changes["method"] == [None, "POST"]


def test_the_system_administrator_is_refused_the_audit_trail_and_that_is_recorded(
    sysadmin, client_for
):
    response = client_for(sysadmin).get(reverse("audit:trail"))

    assert response.status_code == 403
    rec = refusals().get()
    assert rec.actor == sysadmin
    assert rec.reason == "audit_trail"


def test_a_refused_csrf_check_of_a_signed_in_user_is_recorded(world, office_staff):
    client = Client(enforce_csrf_checks=True)
    backend = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b.lower())
    client.force_login(office_staff, backend=backend)

    response = client.post(reverse("notifications:read_all"))

    assert response.status_code == 403
    assert refusals().get().actor == office_staff


def test_an_anonymous_refusal_writes_nothing(world):
    client = Client(enforce_csrf_checks=True)
    before = AuditRecord.objects.count()

    assert client.post(reverse("notifications:read_all")).status_code == 403
    assert client.get(reverse("audit:trail")).status_code == 302  # to the login page

    assert AuditRecord.objects.count() == before


def test_a_refused_api_call_writes_one_record(world, office_staff, client_for):
    response = client_for(office_staff).get(AUDIT_API, REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 403
    rec = refusals().get()  # one, though the middleware sees the 403 too
    assert rec.actor == office_staff and rec.address == "10.0.0.9"
    assert rec.changes["path"] == [None, AUDIT_API]


def test_a_refused_api_call_with_a_token_names_the_tokens_user(world, huiyang_liaison):
    from reformledger.accounts import services as accounts

    _token, raw = accounts.token_create(by=huiyang_liaison, name="county system")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    response = client.get(AUDIT_API)

    assert response.status_code == 403
    assert refusals().get().actor == huiyang_liaison


def test_an_unauthenticated_api_call_is_a_401_and_writes_nothing(world):
    before = AuditRecord.objects.count()

    response = Client().get(AUDIT_API)

    assert response.status_code == 401
    assert AuditRecord.objects.count() == before


def test_a_404_for_an_object_out_of_scope_is_not_a_refusal(world, boluo_liaison, client_for):
    response = client_for(boluo_liaison).get(reverse("ledger:task", args=[world.task_huiyang.pk]))

    assert response.status_code == 404
    assert not refusals().exists()
