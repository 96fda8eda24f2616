"""The pages as each role meets them: what opens (200), what is refused (403) and
what does not exist for them (404)."""

import pytest
from django.urls import reverse

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

# page -> expected status per persona (docs/permissions.md lists the same matrix).
MATRIX = {
    "dashboard": dict.fromkeys(PERSONAS, 200),
    "ledger": dict.fromkeys(PERSONAS, 200),
    "my_work": dict.fromkeys(PERSONAS, 200),
    "task_huiyang": {
        "office_staff": 200,
        "director": 200,
        "huiyang_liaison": 200,
        "huiyang_head": 200,
        "fgj_liaison": 404,
        "boluo_liaison": 404,
        "city_leader": 200,
        "evaluator": 404,
        "sysadmin": 404,
        "auditor": 404,
        "outsider": 404,
    },
    "task_helped": {
        "office_staff": 200,
        "director": 200,
        "huiyang_liaison": 200,
        "huiyang_head": 200,
        "fgj_liaison": 200,
        "boluo_liaison": 404,
        "city_leader": 200,
        "evaluator": 404,
        "sysadmin": 404,
        "auditor": 404,
        "outsider": 404,
    },
    "task_edit": {
        "office_staff": 200,
        "director": 200,
        "huiyang_liaison": 403,
        "huiyang_head": 403,
        "fgj_liaison": 404,
        "boluo_liaison": 404,
        "city_leader": 403,
        "evaluator": 404,
        "sysadmin": 404,
        "auditor": 404,
        "outsider": 404,
    },
    "plan_edit_boluo": {
        "office_staff": 200,
        "director": 200,
        "huiyang_liaison": 404,
        "huiyang_head": 404,
        "fgj_liaison": 404,
        "boluo_liaison": 200,
        "city_leader": 403,
        "evaluator": 404,
        "sysadmin": 404,
        "auditor": 404,
        "outsider": 404,
    },
    "plan_edit_helped": {
        "office_staff": 200,
        "director": 200,
        "huiyang_liaison": 403,
        "huiyang_head": 403,
        "fgj_liaison": 200,
        "boluo_liaison": 404,
        "city_leader": 403,
        "evaluator": 404,
        "sysadmin": 404,
        "auditor": 404,
        "outsider": 404,
    },
    "task_create": {
        "office_staff": 200,
        "director": 200,
        "huiyang_liaison": 403,
        "huiyang_head": 403,
        "fgj_liaison": 403,
        "boluo_liaison": 403,
        "city_leader": 403,
        "evaluator": 403,
        "sysadmin": 403,
        "auditor": 403,
        "outsider": 403,
    },
    "unit_huiyang": {
        "office_staff": 200,
        "director": 200,
        "huiyang_liaison": 200,
        "huiyang_head": 200,
        "fgj_liaison": 404,
        "boluo_liaison": 404,
        "city_leader": 200,
        "evaluator": 404,
        "sysadmin": 200,
        "auditor": 404,
        "outsider": 404,
    },
    "admin": {
        "office_staff": 302,
        "director": 302,
        "huiyang_liaison": 302,
        "huiyang_head": 302,
        "fgj_liaison": 302,
        "boluo_liaison": 302,
        "city_leader": 302,
        "evaluator": 302,
        "sysadmin": 200,
        "auditor": 302,
        "outsider": 302,
    },
}


def _url(page: str, world) -> str:
    return {
        "dashboard": reverse("web:dashboard"),
        "ledger": reverse("ledger:ledger"),
        "my_work": reverse("ledger:my_work"),
        "task_huiyang": reverse("ledger:task", args=[world.task_huiyang.pk]),
        "task_helped": reverse("ledger:task", args=[world.task_helped.pk]),
        "task_edit": reverse("ledger:task_edit", args=[world.task_huiyang.pk]),
        "plan_edit_boluo": reverse("ledger:plan_edit", args=[world.task_boluo.pk]),
        "plan_edit_helped": reverse("ledger:plan_edit", args=[world.task_helped.pk]),
        "task_create": reverse("ledger:task_create"),
        "unit_huiyang": reverse("web:unit", args=[world.huiyang.pk]),
        "admin": reverse("admin:index"),
    }[page]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_each_role_as_the_matrix_says(request, world, client_for, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    got = {page: client.get(_url(page, world)).status_code for page in MATRIX}
    want = {page: MATRIX[page][persona] for page in MATRIX}
    assert got == want


def test_anonymous_visitor_is_sent_to_login(world, client):
    response = client.get(reverse("ledger:ledger"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_county_liaison_sees_its_tasks_in_the_ledger_and_no_others(
    world, huiyang_liaison, client_for
):
    page = client_for(huiyang_liaison).get(reverse("ledger:ledger"), {"year": 2016})
    body = page.content.decode()
    for task in (world.task_huiyang, world.task_helped, world.task_town):
        assert task.title in body
    assert world.task_boluo.title not in body
    assert page.context["totals"]["total"] == 3


def test_ledger_filters_search_and_sort(world, office_staff, client_for):
    client = client_for(office_staff)
    url = reverse("ledger:ledger")
    by_unit = client.get(url, {"year": 2016, "lead_unit": world.huiyang.pk})
    # A county's filter includes the tasks of its towns.
    assert [t.code for t in by_unit.context["page"]] == ["2016-001", "2016-004"]
    searched = client.get(url, {"year": 2016, "q": "审批"})
    assert [t.code for t in searched.context["page"]] == ["2016-003"]
    key = client.get(url, {"year": 2016, "is_key": "true"})
    assert [t.code for t in key.context["page"]] == ["2016-001"]
    by_area = client.get(url, {"year": 2016, "area": world.society.pk})
    assert [t.code for t in by_area.context["page"]] == ["2016-004"]
    desc = client.get(url, {"year": 2016, "ordering": "-code"})
    assert next(t.code for t in desc.context["page"]) == "2016-004"
    overdue = client.get(url, {"year": 2016, "overdue": "true"})
    # Every 2016 task is past its 2016-12-31 deadline today, none is closed.
    assert overdue.context["totals"]["overdue"] == 4


def test_task_page_shows_plan_milestones_and_history(world, office_staff, client_for):
    page = client_for(office_staff).get(reverse("ledger:task", args=[world.task_huiyang.pk]))
    body = page.content.decode()
    assert "出台考核方案" in body and "全区推开并总结" in body
    # History in plain words, Chinese by default.
    assert "创建了任务" in body or "created the task" in body
    assert "批准了方案" in body or "approved the plan" in body


def test_english_is_served_on_request(world, office_staff, client_for):
    client = client_for(office_staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("ledger:ledger")).content.decode()
    assert "Reform task ledger" in body
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    body = client.get(reverse("ledger:ledger")).content.decode()
    assert "改革任务台账" in body


def test_healthz_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_an_evaluation_team_lands_on_its_evaluations_without_the_ledger_menus(
    world, office_staff, evaluator, client_for
):
    from reformledger.evaluation import services as evaluation

    client = client_for(evaluator)
    # Not yet on a team: the plain home page.
    assert client.get("/").status_code == 200
    team = evaluation.team_create(
        office=world.office,
        by=office_staff,
        name="南粤评估组",
        kind="third_party",
        organisation="南粤改革发展研究院",
    )
    evaluation.team_member_add(team=team, user=evaluator, by=office_staff)
    landing = client.get("/")
    assert landing.status_code == 302 and landing["Location"] == reverse("evaluation:list")
    page = client.get(reverse("evaluation:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="year-end-menu"' in page
    assert 'data-testid="ledger-menu"' not in page and reverse("web:dashboard") not in page
    # Office staff keep theirs.
    staff_page = client_for(office_staff).get(reverse("evaluation:list")).content.decode()
    assert 'data-testid="ledger-menu"' in staff_page
