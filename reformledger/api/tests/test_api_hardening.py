"""Input the API must survive: the right is checked before the body is read (a 403,
never a 400 that tells an intruder what the act takes), ids no column can hold, and
JSON nested deeper than any body of this API — each a clean 4xx, never a 500."""

import datetime as dt
import json

import pytest
from django.core.files.base import ContentFile

from reformledger.audit.models import AuditRecord
from reformledger.ledger import services as ledger
from tests.files import PDF

JSON = "application/json"
BIG = "9" * 20
GARBAGE = [
    {"note": {"$ne": None}, "reason": ["x"] * 3, "grade": "A' OR 1=1"},
    "[[[",  # not even JSON
]


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


def _post(client, url, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data, content_type=JSON, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("body", GARBAGE, ids=["wrong-fields", "not-json"])
def test_a_liaison_posting_garbage_to_a_leader_only_act_gets_403_not_400(
    world, huiyang_liaison, signed_closing, client_for, body
):
    liaison = client_for(huiyang_liaison)  # sees the closing: its unit leads the task
    task = world.task_huiyang
    plan = task.plans.get()
    for url in (
        f"/api/v1/closings/{signed_closing.pk}/approve/",
        f"/api/v1/closings/{signed_closing.pk}/reject/",
        f"/api/v1/plans/{plan.pk}/approve/",
        f"/api/v1/plans/{plan.pk}/reject/",
        f"/api/v1/tasks/{task.pk}/status/",
        "/api/v1/periods/setup/",
    ):
        response = _post(liaison, url, body)
        assert response.status_code == 403, (url, response.content)
    patched = liaison.patch(
        f"/api/v1/tasks/{task.pk}/", "[[[", content_type=JSON, HTTP_IF_MATCH='"stale"'
    )
    assert patched.status_code == 403  # not 400 on the body, nor 412 on If-Match
    assert AuditRecord.objects.filter(verb="access.denied", actor=huiyang_liaison).count() == 7


def test_an_outsider_posting_garbage_to_create_a_task_gets_403(world, outsider, client_for):
    assert _post(client_for(outsider), "/api/v1/tasks/", {"office": "x"}).status_code == 403


def test_a_right_holder_still_gets_the_400_naming_the_field(
    world, director, signed_closing, client_for
):
    response = _post(client_for(director), f"/api/v1/closings/{signed_closing.pk}/reject/", {})
    assert response.status_code == 400 and "reason" in response.json()


@pytest.mark.parametrize("name", ["area", "system", "lead_unit", "year", "as_of"])
def test_a_twenty_digit_id_in_a_filter_is_a_400_naming_it(world, office_staff, client_for, name):
    response = client_for(office_staff).get(f"/api/v1/tasks/?{name}={BIG}")
    assert response.status_code == 400
    assert name in response.json()


@pytest.mark.parametrize(
    "path", ["tasks", "plans", "closings", "units", "supervision-orders", "reports"]
)
def test_a_twenty_digit_path_id_is_a_clean_not_found(world, office_staff, client_for, path):
    response = client_for(office_staff).get(f"/api/v1/{path}/{BIG}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_a_twenty_digit_id_in_a_body_is_a_400(world, office_staff, client_for):
    task = world.task_huiyang
    body = {"period": int(BIG), "done": "推进中", "percent": 10}
    response = _post(client_for(office_staff), f"/api/v1/tasks/{task.pk}/report/", body)
    assert response.status_code == 400


def _nested(depth: int) -> str:
    return '{"note": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [40, 100_000], ids=["over-the-limit", "past-recursion"])
def test_json_nested_deeper_than_the_limit_is_a_400(
    world, director, signed_closing, client_for, depth
):
    response = _post(
        client_for(director), f"/api/v1/closings/{signed_closing.pk}/approve/", _nested(depth)
    )

    assert response.status_code == 400
    assert "nests deeper than 32 levels" in response.json()["detail"]


def test_json_within_the_limit_is_read(world, director, signed_closing, client_for, settings):
    settings.RL_API_JSON_MAX_DEPTH = 3
    url = f"/api/v1/closings/{signed_closing.pk}/approve/"
    assert _post(client_for(director), url, '{"note": [[[]]]}').status_code == 400
    assert _post(client_for(director), url, '{"note": "同意"}').status_code == 200
