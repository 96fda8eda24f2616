"""An office works its own ledger, never another office's: a persona for each kind of
office — the city office's staff and its director, a county office's staff and its
leader, another county office's staff — tried against every other office's ledger,
for every act, through the rule, the services, the pages and the API.

Three ledgers of 2016: the city office's (the world's four tasks), 惠阳区委改革办's
and 博罗县委改革办's (one task each, with an approved plan, a submitted report, a
suggested rating and a closing request signed by the county head). Offices read
the tasks led by units under their host unit (docs/permissions.md), so a city office
sees the county tasks and 惠阳's office sees the city's tasks given to 惠阳: it reads
them, and may do nothing else with them.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reformledger.audit.models import AuditRecord
from reformledger.ledger import permissions, services
from reformledger.ledger.models import ClosingRequest, Plan, ProgressReport, Rating, Task
from reformledger.ledger.permissions import ACTS, can, visible_tasks
from reformledger.ledger.tests.test_evidence import pdf
from reformledger.ledger.validation import MilestoneRow
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import Role, UnitKind
from tests.factories import UserFactory

YEAR = 2016
#: The acts of an office on its own ledger; a leader's add deciding ratings, approving
#: closings and reopening. No office signs a closing (the lead unit's head does).
STAFF_ACTS = set(ACTS) - {"decide_rating", "approve_closing", "reopen", "sign_closing"}
LEADER_ACTS = set(ACTS) - {"sign_closing"}
#: persona -> (its office, its role)
PERSONAS = {
    "city_staff": ("city", Role.OFFICE_ADMIN),
    "city_director": ("city", Role.OFFICE_LEADER),
    "huiyang_staff": ("huiyang", Role.OFFICE_ADMIN),
    "huiyang_leader": ("huiyang", Role.OFFICE_LEADER),
    "boluo_staff": ("boluo", Role.OFFICE_ADMIN),
}
LEDGERS = ("city", "huiyang", "boluo")


def _member(username, unit, role):
    user = UserFactory(username=username, full_name=username)
    orgs.membership_grant(by=None, user=user, unit=unit, role=role)
    return user


def _county_ledger(o, key: str, office, lead_unit, staff, head):
    """One task of a county office's ledger, carried to the point where every act has
    an object: an approved plan, a submitted report, a suggestion, a signed closing."""
    task = services.task_create(
        by=staff,
        office=office,
        year=YEAR,
        code=f"{key.upper()}2016-01",
        title=f"{office.name}的改革任务",
        area=o.world.economy,
        lead_unit=lead_unit,
        deliverable_kind="policy",
        start_date=dt.date(YEAR, 1, 1),
        deadline=dt.date(YEAR, 12, 31),
    )
    rows = [MilestoneRow(title="出台方案", planned_date=dt.date(YEAR, 3, 31), weight=100)]
    plan = services.plan_save(task=task, by=staff, summary="先试点", milestones=rows)
    services.plan_submit(plan=plan, by=staff)
    services.plan_approve(plan=plan, by=staff)
    period = services.periods_ensure(office=office, year=YEAR, by=staff)[0]
    report = services.report_file(
        task=task, period=period, by=staff, done="起草方案", percent=30, submit=True
    )
    rating = services.rating_compute(task=task, period=period, by=staff)
    closing = services.closing_request(
        task=task,
        by=staff,
        summary="方案已出台",
        document_no=f"{key}府〔2016〕1号",
        document_date=dt.date(YEAR, 3, 20),
        files=[pdf("方案.pdf")],
    )
    services.closing_sign(closing=closing, by=head)
    task.refresh_from_db()
    return SimpleNamespace(
        office=office,
        task=task,
        plan=Plan.objects.get(pk=plan.pk),
        report=ProgressReport.objects.get(pk=report.pk),
        rating=Rating.objects.get(pk=rating.pk),
        closing=ClosingRequest.objects.get(pk=closing.pk),
    )


@pytest.fixture
def offices(world, director, huiyang_head, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    o = SimpleNamespace(world=world)
    units = {
        "huiyang": orgs.unit_create(
            by=None,
            code="HZ-HY-GGB",
            name="惠阳区委改革办",
            kind=UnitKind.OFFICE,
            parent=world.huiyang,
        ),
        "boluo": orgs.unit_create(
            by=None,
            code="HZ-BL-GGB",
            name="博罗县委改革办",
            kind=UnitKind.OFFICE,
            parent=world.boluo,
        ),
    }
    for unit in units.values():
        unit.refresh_from_db()
    o.office = {"city": world.office, **units}
    o.user = {"city_staff": world.office_staff, "city_director": director}
    for name, (key, role) in PERSONAS.items():
        if key != "city":
            o.user[name] = _member(name, o.office[key], role)
    boluo_head = _member("boluo_head", world.boluo, Role.UNIT_HEAD)
    o.ledger = {
        "huiyang": _county_ledger(
            o,
            "hy",
            o.office["huiyang"],
            world.huiyang_town,
            o.user["huiyang_staff"],
            huiyang_head,
        ),
        "boluo": _county_ledger(
            o, "bl", o.office["boluo"], world.boluo, o.user["boluo_staff"], boluo_head
        ),
    }
    o.city_tasks = [world.task_huiyang, world.task_helped, world.task_boluo, world.task_town]
    return o


def foreign(o, persona: str) -> list[Task]:
    """The tasks of every ledger but the persona's own office's."""
    own = PERSONAS[persona][0]
    tasks = [] if own == "city" else list(o.city_tasks)
    tasks += [o.ledger[k].task for k in ("huiyang", "boluo") if k != own]
    return tasks


def sees(user, task) -> bool:
    return visible_tasks(user).filter(pk=task.pk).exists()


def state() -> tuple:
    return (
        Task.objects.count(),
        list(Task.objects.order_by("pk").values_list("pk", "title", "status", "version")),
        list(Plan.objects.order_by("pk").values_list("pk", "status", "revision")),
        list(ProgressReport.objects.order_by("pk").values_list("pk", "status")),
        list(Rating.objects.order_by("pk").values_list("pk", "status", "final_id")),
        list(ClosingRequest.objects.order_by("pk").values_list("pk", "status")),
        AuditRecord.objects.exclude(verb="access.denied").count(),
    )


def new_task(office, **extra) -> dict:
    return {
        "office": office,
        "year": YEAR,
        "code": "2016-999",
        "title": "越权新增的任务",
        "lead_unit": None,
        "deliverable_kind": "policy",
        "start_date": dt.date(YEAR, 1, 1),
        "deadline": dt.date(YEAR, 12, 31),
        **extra,
    }


# --- the rule ------------------------------------------------------------------------


def test_the_personas_are_each_kind_of_office_against_each_ledger():
    kinds = {(key, role) for key, role in PERSONAS.values()}
    assert {key for key, _ in kinds} == set(LEDGERS)
    assert {role for _, role in kinds} == {Role.OFFICE_ADMIN, Role.OFFICE_LEADER}
    assert ("city", Role.OFFICE_LEADER) in kinds and ("huiyang", Role.OFFICE_LEADER) in kinds


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_every_act_of_an_office_is_its_own_ledgers_only(persona, offices):
    user = offices.user[persona]
    own_key, role = PERSONAS[persona]
    allowed = LEADER_ACTS if role == Role.OFFICE_LEADER else STAFF_ACTS
    own = offices.city_tasks if own_key == "city" else [offices.ledger[own_key].task]
    for task in own:
        assert {act for act in ACTS if can(user, act, task)} == allowed, task.code
    for task in foreign(offices, persona):
        expected = {"view"} if sees(user, task) else set()
        assert {act for act in ACTS if can(user, act, task)} == expected, task.code


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_an_office_creates_and_runs_only_its_own_ledger(persona, offices):
    user = offices.user[persona]
    own_key, role = PERSONAS[persona]
    for key in LEDGERS:
        office = offices.office[key]
        mine = key == own_key
        assert permissions.can_create_task(user, office) is mine, key
        assert permissions.can_run_office(user, office) is mine, key
        assert permissions.can_run_office(user, office, leader=True) is (
            mine and role == Role.OFFICE_LEADER
        ), key
    assert list(permissions.offices_of(user)) == [offices.office[own_key]]


def test_an_office_sees_every_task_of_its_ledger_whoever_leads_it(offices):
    """A county office's task led by a city department (not a unit under its county)
    is its own: its staff and leader see it and work it; another county does not."""
    w, huiyang = offices.world, offices.office["huiyang"]
    task = services.task_create(
        by=offices.user["huiyang_staff"],
        office=huiyang,
        year=YEAR,
        code="HY2016-02",
        title="惠阳区承接市发改局下放事项",
        area=w.economy,
        lead_unit=w.fgj,
        deliverable_kind="policy",
        start_date=dt.date(YEAR, 1, 1),
        deadline=dt.date(YEAR, 12, 31),
    )
    for persona in ("huiyang_staff", "huiyang_leader"):
        user = offices.user[persona]
        assert can(user, "view", task) and can(user, "edit", task), persona
        assert visible_tasks(user).filter(pk=task.pk).exists(), persona
    assert not can(offices.user["boluo_staff"], "view", task)
    assert not visible_tasks(offices.user["boluo_staff"]).filter(pk=task.pk).exists()


def test_offices_read_the_tasks_of_units_under_their_host_and_no_other(offices):
    w = offices.world
    hy, bl = offices.ledger["huiyang"].task, offices.ledger["boluo"].task
    city = {t.pk for t in offices.city_tasks}
    seen = {p: set(visible_tasks(offices.user[p]).values_list("pk", flat=True)) for p in PERSONAS}
    assert seen["city_staff"] == seen["city_director"] == city | {hy.pk, bl.pk}
    hy_reads = {w.task_huiyang.pk, w.task_helped.pk, w.task_town.pk, hy.pk}
    assert seen["huiyang_staff"] == seen["huiyang_leader"] == hy_reads
    assert seen["boluo_staff"] == {w.task_boluo.pk, bl.pk}


# --- the services --------------------------------------------------------------------


def every_act_by_service(o, user, task) -> dict:
    """Each act of ACTS (and creating a task) done on `task` through its service."""
    ledger = next((x for x in o.ledger.values() if x.task.pk == task.pk), None)
    plan = ledger.plan if ledger else Plan.objects.filter(task=task).first()
    report = ledger.report if ledger else ProgressReport(task=task)
    rating = ledger.rating if ledger else Rating(task=task)
    closing = ledger.closing if ledger else ClosingRequest(task=task)
    period = ledger.report.period if ledger else None
    rows = [MilestoneRow(title="越权", planned_date=dt.date(YEAR, 9, 30), weight=100)]
    return {
        "create": lambda: services.task_create(
            by=user, **new_task(task.office, lead_unit=task.lead_unit, area=task.area)
        ),
        "edit": lambda: services.task_update(task=task, by=user, title="越权修改"),
        "change_status": lambda: services.task_set_status(
            task=task, by=user, status="blocked", reason="越权"
        ),
        "edit_plan": lambda: services.plan_save(task=task, by=user, summary="", milestones=rows),
        "submit_plan": lambda: services.plan_submit(plan=plan or Plan(task=task), by=user),
        "revise_plan": lambda: services.plan_revise(task=task, by=user, reason="越权"),
        "approve_plan": lambda: services.plan_approve(plan=plan or Plan(task=task), by=user),
        "return_plan": lambda: services.plan_reject(
            plan=plan or Plan(task=task), by=user, note="越权"
        ),
        "report": lambda: services.report_save(
            task=task, period=period, by=user, done="越权", percent=50
        ),
        "accept_report": lambda: services.report_accept(report=report, by=user),
        "return_report": lambda: services.report_return(report=report, by=user, reason="越权"),
        "suggest_rating": lambda: services.rating_compute(task=task, period=period, by=user),
        "decide_rating": lambda: services.rating_confirm(rating=rating, by=user),
        "request_closing": lambda: services.closing_request(
            task=task, by=user, summary="越权", document_no="1", document_date=None, files=[]
        ),
        "sign_closing": lambda: services.closing_sign(closing=closing, by=user),
        "approve_closing": lambda: services.closing_approve(closing=closing, by=user, note="越权"),
        "reject_closing": lambda: services.closing_reject(closing=closing, by=user, reason="越权"),
        "reopen": lambda: services.task_reopen(task=task, by=user, reason="越权"),
    }


#: Every act of ACTS but viewing, and creating a task and the returning and rejecting
#: that share a rule with approving and accepting.
_SERVICE_ACTS = (
    "create",
    "edit",
    "change_status",
    "edit_plan",
    "submit_plan",
    "revise_plan",
    "approve_plan",
    "return_plan",
    "report",
    "accept_report",
    "return_report",
    "suggest_rating",
    "decide_rating",
    "request_closing",
    "sign_closing",
    "approve_closing",
    "reject_closing",
    "reopen",
)


def test_the_services_tried_are_every_act_of_the_rule():
    assert set(ACTS) - {"view"} <= set(_SERVICE_ACTS)


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_the_services_refuse_every_act_on_another_offices_ledger(persona, offices):
    user = offices.user[persona]
    before = state()
    for task in foreign(offices, persona):
        acts = every_act_by_service(offices, user, task)
        assert set(acts) == set(_SERVICE_ACTS)
        for name, act in acts.items():
            with pytest.raises(PermissionDenied):
                act()
                pytest.fail(f"{persona} did {name} on {task.code}")
    assert state() == before
    for key in LEDGERS:
        if key != PERSONAS[persona][0]:
            with pytest.raises(PermissionDenied):
                services.periods_ensure(office=offices.office[key], year=YEAR + 1, by=user)
    assert state() == before


# --- the pages -----------------------------------------------------------------------


def task_pages(o, task) -> list[tuple[str, str]]:
    """(method, url) of every page of an act on `task` and on its plan, report, rating
    and closing."""
    ledger = next((x for x in o.ledger.values() if x.task.pk == task.pk), None)
    plan = ledger.plan if ledger else Plan.objects.filter(task=task).first()
    pages = [
        ("get", reverse("ledger:task_edit", args=[task.pk])),
        ("post", reverse("ledger:task_status", args=[task.pk])),
        ("get", reverse("ledger:plan_edit", args=[task.pk])),
        ("post", reverse("ledger:plan_revise", args=[task.pk])),
        ("get", reverse("ledger:report_file", args=[task.pk])),
        ("get", reverse("ledger:closing_request", args=[task.pk])),
        ("post", reverse("ledger:task_reopen", args=[task.pk])),
    ]
    if plan is not None:
        for name in ("plan_submit", "plan_approve", "plan_reject"):
            pages.append(("post", reverse(f"ledger:{name}", args=[task.pk, plan.pk])))
    if ledger is not None:
        pages += [
            ("post", reverse("ledger:report_accept", args=[ledger.report.pk])),
            ("post", reverse("ledger:report_return", args=[ledger.report.pk])),
            ("post", reverse("ledger:rating_decide", args=[ledger.rating.pk])),
            ("post", reverse("ledger:closing_sign", args=[ledger.closing.pk])),
            ("post", reverse("ledger:closing_approve", args=[ledger.closing.pk])),
            ("post", reverse("ledger:closing_reject", args=[ledger.closing.pk])),
        ]
    return pages


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_the_pages_refuse_every_act_on_another_offices_ledger(persona, offices, client_for):
    user = offices.user[persona]
    client = client_for(user)
    before = state()
    for task in foreign(offices, persona):
        expected = 403 if sees(user, task) else 404
        for method, url in task_pages(offices, task):
            response = getattr(client, method)(
                url, {"reason": "越权", "note": "越权", "status": "blocked"}
            )
            assert response.status_code == expected, (method, url, task.code)
    for key in LEDGERS:
        if key == PERSONAS[persona][0]:
            continue
        office = offices.office[key]
        url = reverse("ledger:task_create")
        assert client.get(url, {"office": office.pk}).status_code == 403
        form = {k: v for k, v in new_task(office.pk).items() if v is not None}
        assert client.post(url, form).status_code == 403
    assert state() == before


# --- the API --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_the_api_refuses_every_act_on_another_offices_ledger(persona, offices, client_for):
    user = offices.user[persona]
    client = client_for(user)
    api = "/api/v1"
    before = state()
    for task in foreign(offices, persona):
        expected = 403 if sees(user, task) else 404
        plan = Plan.objects.filter(task=task).first()
        calls = [
            ("patch", f"{api}/tasks/{task.pk}/", {"title": "越权", "version": task.version}),
            ("post", f"{api}/tasks/{task.pk}/status/", {"status": "blocked", "reason": "越权"}),
            ("post", f"{api}/tasks/{task.pk}/plan/", {"summary": "", "milestones": []}),
            ("post", f"{api}/tasks/{task.pk}/plan/revise/", {"reason": "越权"}),
        ]
        if plan is not None:
            for act in ("submit", "approve", "reject"):
                calls.append(("post", f"{api}/plans/{plan.pk}/{act}/", {"note": "越权"}))
        ledger = next((x for x in offices.ledger.values() if x.task.pk == task.pk), None)
        if ledger is not None:
            why = {"reason": "越权", "note": "越权"}
            calls += [
                ("post", f"{api}/tasks/{task.pk}/report/", {"done": "越权", "percent": 50}),
                ("post", f"{api}/tasks/{task.pk}/closing/", {"summary": "越权"}),
                ("post", f"{api}/reports/{ledger.report.pk}/accept/", {}),
                ("post", f"{api}/reports/{ledger.report.pk}/return/", why),
                ("post", f"{api}/ratings/{ledger.rating.pk}/confirm/", {}),
                ("post", f"{api}/closings/{ledger.closing.pk}/sign/", {}),
                ("post", f"{api}/closings/{ledger.closing.pk}/approve/", why),
                ("post", f"{api}/closings/{ledger.closing.pk}/reject/", why),
            ]
        for method, url, body in calls:
            response = getattr(client, method)(url, body, content_type="application/json")
            assert response.status_code == expected, (method, url, response.content)
    for key in LEDGERS:
        if key == PERSONAS[persona][0]:
            continue
        w = offices.world
        body = {
            **{k: str(v) for k, v in new_task(offices.office[key].pk).items() if v is not None},
            "office": offices.office[key].pk,
            "area": w.economy.pk,
            "lead_unit": w.boluo.pk,
            "source": "deployed",
        }
        response = client.post(f"{api}/tasks/", body, content_type="application/json")
        assert response.status_code == 403, response.content
    assert state() == before
