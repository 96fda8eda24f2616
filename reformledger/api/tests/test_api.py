"""The API obeys the rules of the pages: same rows, same acts, same errors."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reformledger.accounts.models import ApiToken
from reformledger.accounts.tokens import hash_token
from reformledger.audit.models import AuditRecord
from reformledger.ledger.models import Plan, Task
from reformledger.ledger.permissions import can, visible_tasks

PERSONAS = [
    "office_staff",
    "director",
    "huiyang_liaison",
    "huiyang_head",
    "fgj_liaison",
    "boluo_liaison",
    "city_leader",
    "evaluator",
    "sysadmin",
    "auditor",
    "outsider",
]
TASKS = "/api/v1/tasks/"


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_and_pages_show_each_role_the_same_tasks(request, world, client_for, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    api_rows = _ids(client.get(TASKS, {"year": 2016}))
    page_rows = {t.pk for t in client.get(reverse("ledger:ledger"), {"year": 2016}).context["page"]}
    assert api_rows == page_rows == set(visible_tasks(user).values_list("pk", flat=True))


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_allows_each_role_the_same_acts_as_the_rule(request, world, client_for, persona):
    """Editing a task through the API succeeds exactly when `can(user, "edit")` says so,
    and a task the user cannot see is a 404, as on the pages."""
    user = request.getfixturevalue(persona)
    client = client_for(user)
    task = world.task_huiyang
    response = client.patch(
        f"{TASKS}{task.pk}/",
        {"title": "表格化捆绑式绩效考核改革（修订）", "version": task.version},
        content_type="application/json",
    )
    page = client.get(reverse("ledger:task_edit", args=[task.pk]))
    if not visible_tasks(user).filter(pk=task.pk).exists():
        assert response.status_code == page.status_code == 404
    elif can(user, "edit", task):
        assert response.status_code == 200 and page.status_code == 200
        assert response.json()["version"] == task.version + 1
    else:
        assert response.status_code == page.status_code == 403


def test_api_lists_filter_like_the_ledger_page(world, office_staff, client_for):
    client = client_for(office_staff)
    assert _ids(client.get(TASKS, {"lead_unit": world.huiyang.pk})) == {
        world.task_huiyang.pk,
        world.task_town.pk,
    }
    assert _ids(client.get(TASKS, {"q": "审批"})) == {world.task_boluo.pk}
    assert _ids(client.get(TASKS, {"is_key": "true"})) == {world.task_huiyang.pk}
    assert _ids(client.get(TASKS, {"lead_unit": 999999})) == set()
    codes = [r["code"] for r in client.get(TASKS, {"ordering": "-code"}).json()["results"]]
    assert codes == ["2016-004", "2016-003", "2016-002", "2016-001"]
    bad = client.get(TASKS, {"is_key": "maybe", "page_size": "many"})
    assert bad.status_code == 400
    assert set(bad.json()) >= {"is_key"} or set(bad.json()) >= {"page_size"}


def test_api_task_list_runs_the_same_queries_for_10_and_300_tasks(world, office_staff, client_for):
    from reformledger.web.tests.test_queries import _add_tasks

    client = client_for(office_staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(TASKS, {"page_size": 500}).status_code == 200
        return len(ctx.captured_queries)

    _add_tasks(world, 10)
    small = count()
    Task.objects.filter(code__startswith="V-").delete()
    _add_tasks(world, 300)
    assert count() == small


def test_creating_a_task_with_bad_input_names_the_field_and_writes_nothing(
    world, office_staff, client_for
):
    body = {
        "office": world.office.pk,
        "year": 2016,
        "code": "2016-001",  # taken
        "title": "重复的编号",
        "area": world.economy.pk,
        "source": "own",
        "lead_unit": world.huiyang.pk,
        "deliverable_kind": "policy",
        "start_date": "2016-03-01",
        "deadline": "2016-02-01",  # before the start
    }
    before = (Task.objects.count(), AuditRecord.objects.count())
    response = client_for(office_staff).post(TASKS, body, content_type="application/json")
    assert response.status_code == 400
    assert {"code", "deadline"} <= set(response.json())
    assert (Task.objects.count(), AuditRecord.objects.count()) == before


def test_the_office_creates_a_task_through_the_api(world, office_staff, client_for):
    body = {
        "office": world.office.pk,
        "year": 2016,
        "code": "2016-100",
        "title": "推进不动产统一登记",
        "area": world.economy.pk,
        "source": "deployed",
        "lead_unit": world.boluo.pk,
        "helping_units": [world.fgj.pk],
        "deliverable_kind": "mechanism",
        "start_date": "2016-03-01",
        "deadline": "2016-11-30",
    }
    response = client_for(office_staff).post(TASKS, body, content_type="application/json")
    assert response.status_code == 201, response.content
    task = Task.objects.get(code="2016-100")
    assert response.json()["id"] == task.pk
    assert list(task.helping_units.all()) == [world.fgj]
    assert AuditRecord.objects.filter(verb="task.created", obj_id=str(task.pk)).exists()


def test_a_stale_version_is_a_conflict_and_changes_nothing(world, office_staff, client_for):
    client = client_for(office_staff)
    task = world.task_boluo
    url = f"{TASKS}{task.pk}/"
    etag = client.get(url)["ETag"]
    assert etag == f'"{task.version}"'
    first = client.patch(
        url, {"title": "第一次修改"}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200
    stale_header = client.patch(
        url, {"title": "第二次修改"}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert stale_header.status_code == 412
    stale_body = client.patch(
        url, {"title": "第三次修改", "version": task.version}, content_type="application/json"
    )
    assert stale_body.status_code == 409
    task.refresh_from_db()
    assert task.title == "第一次修改"
    assert AuditRecord.objects.filter(verb="task.updated", obj_id=str(task.pk)).count() == 1


def test_plan_workflow_acts_call_the_same_services(world, boluo_liaison, office_staff, client_for):
    liaison = client_for(boluo_liaison)
    task = world.task_boluo
    saved = liaison.post(
        f"{TASKS}{task.pk}/plan/",
        {
            "summary": "两步走",
            "milestones": [
                {"title": "出台方案", "planned_date": "2016-05-31", "weight": 40},
                {"title": "全面实施", "planned_date": "2016-11-30", "weight": 60},
            ],
        },
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content
    plan_id = saved.json()["id"]
    assert liaison.post(f"/api/v1/plans/{plan_id}/submit/").status_code == 200
    # The liaison may not approve; the office may, once.
    assert (
        liaison.post(
            f"/api/v1/plans/{plan_id}/approve/", {}, content_type="application/json"
        ).status_code
        == 403
    )
    office = client_for(office_staff)
    assert (
        office.post(
            f"/api/v1/plans/{plan_id}/approve/", {}, content_type="application/json"
        ).status_code
        == 200
    )
    again = office.post(f"/api/v1/plans/{plan_id}/approve/", {}, content_type="application/json")
    assert again.status_code == 409
    assert Plan.objects.get(pk=plan_id).status == "approved"
    bad = liaison.post(
        f"{TASKS}{task.pk}/plan/revise/", {"reason": ""}, content_type="application/json"
    )
    assert bad.status_code == 400 and "reason" in bad.json()


def test_tokens_are_shown_once_stored_hashed_and_revocable(world, office_staff, client_for):
    session = client_for(office_staff)
    created = session.post("/api/v1/tokens/", {"name": "省级平台"}, content_type="application/json")
    assert created.status_code == 201
    raw = created.json()["token"]
    row = ApiToken.objects.get(pk=created.json()["id"])
    assert row.key_hash == hash_token(raw) and raw not in (row.key_hash, row.prefix)
    assert "token" not in session.get(f"/api/v1/tokens/{row.pk}/").json()

    system = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert system.get(TASKS).status_code == 200
    # A token cannot revoke itself (the caller would be locked out mid-request).
    assert system.delete(f"/api/v1/tokens/{row.pk}/").status_code == 409
    assert session.delete(f"/api/v1/tokens/{row.pk}/").status_code == 204
    assert system.get(TASKS).status_code == 401
    assert session.get(f"/api/v1/tokens/{row.pk}/").status_code == 404
    assert AuditRecord.objects.filter(verb="token.revoked", obj_id=str(row.pk)).exists()


def test_an_expired_or_foreign_token_is_refused(world, office_staff, huiyang_liaison, client_for):
    from reformledger.accounts import services

    token, raw = services.token_create(by=office_staff, name="短期", expires_at=None)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(TASKS).status_code == 401
    # Another user's token is not theirs to see or revoke.
    other = client_for(huiyang_liaison)
    assert other.delete(f"/api/v1/tokens/{token.pk}/").status_code == 404


def test_schema_and_docs_are_served_without_a_cdn(world, office_staff, client_for):
    client = client_for(office_staff)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/tasks/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "//unpkg" not in docs and "jsdelivr" not in docs


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("act", "page_name", "api_path"),
    [
        ("report", "ledger:report_file", "report"),
        ("request_closing", "ledger:closing_request", "closing"),
    ],
)
def test_api_and_pages_allow_each_role_the_same_unit_acts(
    request, world, client_for, persona, act, page_name, api_path
):
    """Filing a report and requesting closing: where the page opens (200) the API
    accepts the act and only finds the empty body wanting (400); a refusal is the
    same 403, an invisible task the same 404."""
    user = request.getfixturevalue(persona)
    client = client_for(user)
    task = world.task_huiyang
    page = client.get(reverse(page_name, args=[task.pk])).status_code
    api = client.post(f"{TASKS}{task.pk}/{api_path}/", {}, content_type="application/json")
    expected = {200: 400, 403: 403, 404: 404}[page]
    assert api.status_code == expected, (persona, page, api.content)
    assert can(user, act, task) == (page == 200)
