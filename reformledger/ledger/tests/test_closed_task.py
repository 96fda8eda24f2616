"""A closed task (销账) is read only, except through reopening with a reason.

Every act of `permissions.ACTS` but reading and reopening — and withdrawing — is walked
on a closed task: through its service (refused with TaskClosedError naming the task),
its page (no button, a note saying why, the act posted anyway refused with that
message) and its API route (409 naming why). Nothing changes, nothing is recorded.
The walks are built from ACTS, the services module, the ledger's URL patterns and the
API's routes, so an act added tomorrow fails here until a closed task refuses it."""

import base64
import datetime as dt
import inspect
import json
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import URLPattern, reverse
from django.utils import timezone

from reformledger.api.testing import write_operations
from reformledger.audit.models import AuditRecord
from reformledger.ledger import permissions, services
from reformledger.ledger import urls as ledger_urls
from reformledger.ledger.choices import (
    ClosingStatus,
    PlanStatus,
    RatingLevel,
    ReportStatus,
    TaskStatus,
)
from reformledger.ledger.models import ClosingRequest, Plan, ProgressReport, Rating, Task
from reformledger.ledger.services import TaskClosedError
from reformledger.ledger.tests.test_closing import reach_milestones, request_closing
from reformledger.ledger.tests.test_evidence import pdf
from reformledger.ledger.validation import MilestoneRow
from tests.factories import MilestoneFactory
from tests.files import PDF

JSON = "application/json"
CLOSED_ON = dt.date(2016, 6, 15)  # so the periods from July on begin after the closing
ROWS = [MilestoneRow(title="出台考核方案", planned_date=dt.date(2016, 6, 30), weight=100)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def closed(world, office_staff, director, huiyang_liaison, huiyang_head) -> SimpleNamespace:
    """2016-001 closed on 2016-06-15 as it should be: milestones reached, the liaison's
    request, the head's signature, the director's approval."""
    periods = services.periods_ensure(office=world.office, year=2016)
    task = world.task_huiyang
    reach_milestones(task, on=dt.date(2016, 6, 1))
    closing = request_closing(task, huiyang_liaison, document_date=dt.date(2016, 6, 10))
    services.closing_sign(closing=closing, by=huiyang_head)
    services.closing_approve(closing=closing, by=director)
    at = timezone.make_aware(dt.datetime.combine(CLOSED_ON, dt.time(10)))
    ClosingRequest.objects.filter(pk=closing.pk).update(decided_at=at)
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    return SimpleNamespace(
        task=task,
        period={p.number: p for p in periods},
        staff=office_staff,
        director=director,
        liaison=huiyang_liaison,
        head=huiyang_head,
    )


# --- what may linger on a closed task (written directly: the services refuse them now) ---


def pending_plan(c, status=PlanStatus.DRAFT) -> Plan:
    """A revision left pending when the task closed."""
    plan = Plan.objects.create(
        task=c.task, revision=2, status=status, summary="调整", reason="调整", created_by=c.liaison
    )
    MilestoneFactory(plan=plan, title="出台考核方案", planned_date=dt.date(2016, 6, 30))
    return plan


def report(c, status=ReportStatus.DRAFT, month: int = 5) -> ProgressReport:
    return ProgressReport.objects.create(
        task=c.task,
        period=c.period[month],
        status=status,
        done="推进中",
        percent=80,
        author=c.liaison,
        submitted_at=timezone.now() if status == ReportStatus.SUBMITTED else None,
    )


def pending_closing(c, status=ClosingStatus.REQUESTED) -> ClosingRequest:
    return ClosingRequest.objects.create(
        task=c.task,
        status=status,
        summary="再次申请",
        document_no="惠阳府〔2016〕99号",
        document_date=dt.date(2016, 6, 10),
        requested_by=c.liaison,
        signed_by=c.head if status == ClosingStatus.SIGNED else None,
    )


def later_rating(c) -> Rating:
    """A suggestion of July, a period that began after the task closed."""
    scale = services.scale_for(c.task.office, 2016)
    grade = scale.grades.get(level=RatingLevel.ON_SCHEDULE)
    return Rating.objects.create(
        task=c.task, period=c.period[7], suggested=grade, computed_at=timezone.now()
    )


def other_grade(rating: Rating):
    return rating.suggested.scale.grades.get(level=RatingLevel.AHEAD)


# --- the services ----------------------------------------------------------------------

#: (act of ACTS, service, arrange(c) -> what it acts on, act(c, obj)).
SERVICE_ACTS = [
    (
        "edit",
        "task_update",
        lambda c: c.task,
        lambda c, t: services.task_update(task=t, by=c.staff, version=t.version, title="改"),
    ),
    (
        "change_status",
        "task_set_status",
        lambda c: c.task,
        lambda c, t: services.task_set_status(
            task=t, by=c.staff, status=TaskStatus.BLOCKED, reason="受阻"
        ),
    ),
    (
        "edit_plan",
        "plan_save",
        lambda c: c.task,
        lambda c, t: services.plan_save(task=t, by=c.liaison, summary="改", milestones=ROWS),
    ),
    (
        "edit_plan",
        "plan_write",
        lambda c: c.task,
        lambda c, t: services.plan_write(
            task=t, by=c.liaison, summary="改", milestones=ROWS, submit=True
        ),
    ),
    (
        "revise_plan",
        "plan_revise",
        lambda c: c.task,
        lambda c, t: services.plan_revise(task=t, by=c.liaison, reason="调整"),
    ),
    (
        "submit_plan",
        "plan_submit",
        pending_plan,
        lambda c, plan: services.plan_submit(plan=plan, by=c.liaison),
    ),
    (
        "approve_plan",
        "plan_approve",
        lambda c: pending_plan(c, PlanStatus.SUBMITTED),
        lambda c, plan: services.plan_approve(plan=plan, by=c.staff, note="同意"),
    ),
    (
        "approve_plan",
        "plan_reject",
        lambda c: pending_plan(c, PlanStatus.SUBMITTED),
        lambda c, plan: services.plan_reject(plan=plan, by=c.staff, note="退回"),
    ),
    (
        "report",
        "report_save",
        lambda c: c.task,
        lambda c, t: services.report_save(
            task=t, period=c.period[6], by=c.liaison, done="收尾", percent=100
        ),
    ),
    (
        "report",
        "report_file",
        lambda c: c.task,
        lambda c, t: services.report_file(
            task=t,
            period=c.period[6],
            by=c.liaison,
            done="收尾",
            percent=100,
            files=[pdf()],
            submit=True,
        ),
    ),
    (
        "report",
        "report_submit",
        report,
        lambda c, r: services.report_submit(report=r, by=c.liaison),
    ),
    (
        "report",
        "evidence_add",
        report,
        lambda c, r: services.evidence_add(task=c.task, by=c.liaison, upload=pdf(), report=r),
    ),
    (
        "accept_report",
        "report_accept",
        lambda c: report(c, ReportStatus.SUBMITTED),
        lambda c, r: services.report_accept(report=r, by=c.staff),
    ),
    (
        "accept_report",
        "report_return",
        lambda c: report(c, ReportStatus.SUBMITTED),
        lambda c, r: services.report_return(report=r, by=c.staff, reason="补充材料"),
    ),
    (
        "suggest_rating",
        "rating_compute",
        lambda c: c.task,
        lambda c, t: services.rating_compute(task=t, period=c.period[7], by=c.staff),
    ),
    (
        "decide_rating",
        "rating_confirm",
        later_rating,
        lambda c, r: services.rating_confirm(rating=r, by=c.director),
    ),
    (
        "decide_rating",
        "rating_override",
        later_rating,
        lambda c, r: services.rating_override(
            rating=r, by=c.director, grade=other_grade(r), reason="实际已完成"
        ),
    ),
    (
        "request_closing",
        "closing_request",
        lambda c: c.task,
        lambda c, t: request_closing(t, c.liaison),
    ),
    (
        "request_closing",
        "evidence_add (closing)",
        pending_closing,
        lambda c, cl: services.evidence_add(task=c.task, by=c.liaison, upload=pdf(), closing=cl),
    ),
    (
        "sign_closing",
        "closing_sign",
        pending_closing,
        lambda c, cl: services.closing_sign(closing=cl, by=c.head),
    ),
    (
        "approve_closing",
        "closing_approve",
        lambda c: pending_closing(c, ClosingStatus.SIGNED),
        lambda c, cl: services.closing_approve(closing=cl, by=c.director, note="同意"),
    ),
    (
        "approve_closing",
        "closing_reject",
        pending_closing,
        lambda c, cl: services.closing_reject(closing=cl, by=c.director, reason="不符合"),
    ),
    (
        "withdraw",
        "report_withdraw",
        lambda c: report(c, ReportStatus.SUBMITTED),
        lambda c, r: services.report_withdraw(report=r, by=c.liaison),
    ),
    (
        "withdraw",
        "closing_withdraw",
        pending_closing,
        lambda c, cl: services.closing_withdraw(closing=cl, by=c.liaison),
    ),
]

#: Services that take a task or what hangs on it and are not refused on a closed task.
NOT_CHANGES = {
    "task_reopen": "the way back, with its reason",
    "evidence_open": "reads (a download)",
    "pending_plan": "reads",
    "require_not_closed": "the guard itself",
}
CHANGING_ACTS = (set(permissions.ACTS) - permissions.ON_CLOSED_TASK) | {"withdraw"}


def test_the_walk_has_every_act_but_reading_and_reopening():
    assert {"view", "reopen"} == permissions.ON_CLOSED_TASK
    assert {act for act, *_ in SERVICE_ACTS} == CHANGING_ACTS


def test_the_walk_has_every_service_that_takes_a_task_or_what_hangs_on_it():
    hangs = {"task", "plan", "report", "closing", "rating"}
    takes = {
        name
        for name, fn in vars(services).items()
        if inspect.isfunction(fn)
        and fn.__module__.startswith("reformledger.ledger.services")
        and hangs & set(inspect.signature(fn).parameters)
    }
    walked = {name.split(" ")[0] for _act, name, *_ in SERVICE_ACTS}
    assert takes - set(NOT_CHANGES) == walked


def _closed_words(text: str, c) -> bool:
    return c.task.code in text and ("销账" in text or "closed" in text)


@pytest.mark.parametrize(
    ("act", "name", "arrange", "call"), SERVICE_ACTS, ids=[n for _a, n, *_ in SERVICE_ACTS]
)
def test_every_service_refuses_a_closed_task_naming_why(closed, act, name, arrange, call):
    target = arrange(closed)
    records, version = AuditRecord.objects.count(), closed.task.version
    with pytest.raises((TaskClosedError, ValidationError)) as refused:
        call(closed, target)
    if isinstance(refused.value, ValidationError):  # a period after the closing rates nothing
        assert refused.value.message_dict["task"], refused.value
        assert "销账" in " ".join(refused.value.message_dict["task"])
    else:
        assert _closed_words(str(refused.value), closed)
    task = Task.objects.get(pk=closed.task.pk)
    assert (task.status, task.version) == (TaskStatus.CLOSED, version)
    assert AuditRecord.objects.count() == records


def test_reopening_with_a_reason_opens_the_acts_again(closed):
    services.task_reopen(task=closed.task, by=closed.director, reason="验收发现遗漏")
    task = Task.objects.get(pk=closed.task.pk)
    updated = services.task_update(task=task, by=closed.staff, version=task.version, title="补")
    assert updated.title == "补"
    assert services.plan_revise(task=updated, by=closed.liaison, reason="补充节点").revision == 2


def test_the_period_a_task_closed_in_is_still_rated_and_decided(closed):
    june = services.rating_compute(task=closed.task, period=closed.period[6], by=closed.staff)
    assert june.suggested.level == RatingLevel.AHEAD  # done: A
    assert services.rating_confirm(rating=june, by=closed.director).status == "confirmed"


# --- the pages -------------------------------------------------------------------------

#: URL name of a page act -> (act, who, arrange(c) -> url kwargs, form data).
PAGE_ACTS = {
    "task_edit": ("edit", "staff", lambda c: {"pk": c.task.pk}, {"title": "改"}),
    "task_status": (
        "change_status",
        "staff",
        lambda c: {"pk": c.task.pk},
        {"status": TaskStatus.BLOCKED, "reason": "受阻"},
    ),
    "plan_edit": ("edit_plan", "liaison", lambda c: {"pk": c.task.pk}, {"summary": "改"}),
    "plan_revise": ("revise_plan", "liaison", lambda c: {"pk": c.task.pk}, {"reason": "调整"}),
    "plan_submit": (
        "submit_plan",
        "liaison",
        lambda c: {"pk": c.task.pk, "plan_pk": pending_plan(c).pk},
        {},
    ),
    "plan_approve": (
        "approve_plan",
        "staff",
        lambda c: {"pk": c.task.pk, "plan_pk": pending_plan(c, PlanStatus.SUBMITTED).pk},
        {"note": "同意"},
    ),
    "plan_reject": (
        "approve_plan",
        "staff",
        lambda c: {"pk": c.task.pk, "plan_pk": pending_plan(c, PlanStatus.SUBMITTED).pk},
        {"note": "退回"},
    ),
    "report_file": (
        "report",
        "liaison",
        lambda c: {"pk": c.task.pk},
        {"period": "", "done": "收尾", "percent": "100"},
    ),
    "report_submit": ("report", "liaison", lambda c: {"pk": report(c).pk}, {}),
    "report_accept": (
        "accept_report",
        "staff",
        lambda c: {"pk": report(c, ReportStatus.SUBMITTED).pk},
        {},
    ),
    "report_return": (
        "accept_report",
        "staff",
        lambda c: {"pk": report(c, ReportStatus.SUBMITTED).pk},
        {"reason": "补充"},
    ),
    "report_withdraw": (
        "withdraw",
        "liaison",
        lambda c: {"pk": report(c, ReportStatus.SUBMITTED).pk},
        {},
    ),
    "rating_decide": ("decide_rating", "director", lambda c: {"pk": later_rating(c).pk}, {}),
    "closing_request": (
        "request_closing",
        "liaison",
        lambda c: {"pk": c.task.pk},
        {"summary": "完成", "document_no": "惠阳府〔2016〕100号", "document_date": "2016-06-10"},
    ),
    "closing_sign": ("sign_closing", "head", lambda c: {"pk": pending_closing(c).pk}, {}),
    "closing_approve": (
        "approve_closing",
        "director",
        lambda c: {"pk": pending_closing(c, ClosingStatus.SIGNED).pk},
        {"reason": "同意"},
    ),
    "closing_reject": (
        "approve_closing",
        "director",
        lambda c: {"pk": pending_closing(c).pk},
        {"reason": "不符合"},
    ),
    "closing_withdraw": ("withdraw", "liaison", lambda c: {"pk": pending_closing(c).pk}, {}),
}
#: The ledger's other pages with an object in their path: they read, act on a whole
#: period, or reopen.
PAGE_READS = {
    "task",
    "task_history",
    "task_closing",
    "task_reports",
    "evidence",
    "work_point_document",
    "work_points_draft",
}
PAGE_OFFICE_WIDE = {"ratings_compute", "period_close", "ratings_confirm_untouched"}
PAGE_WAY_BACK = {"task_reopen"}
#: Acts the pages do for a whole period, not on one task: computing a period's
#: suggestions rates a task closed before the period not at all, with the reason.
PAGE_BY_PERIOD = {"suggest_rating": "ratings_compute"}


def _object_pages() -> set[str]:
    return {
        p.name
        for p in ledger_urls.urlpatterns
        if isinstance(p, URLPattern) and p.pattern.converters
    }


def test_the_page_walk_has_every_page_that_acts_on_a_task_or_what_hangs_on_it():
    assert _object_pages() == set(PAGE_ACTS) | PAGE_READS | PAGE_OFFICE_WIDE | PAGE_WAY_BACK
    assert {act for act, *_ in PAGE_ACTS.values()} | set(PAGE_BY_PERIOD) == CHANGING_ACTS


@pytest.mark.parametrize("name", sorted(PAGE_ACTS))
def test_every_page_act_on_a_closed_task_is_refused_saying_why(closed, client_for, name):
    _act, who, arrange, data = PAGE_ACTS[name]
    url = reverse(f"ledger:{name}", kwargs=arrange(closed))
    records, version = AuditRecord.objects.count(), closed.task.version
    answer = client_for(getattr(closed, who)).post(url, data, follow=True)
    assert answer.status_code == 200  # back to a page, not an error page
    said = [str(m) for m in get_messages(answer.wsgi_request)]
    assert any(_closed_words(m, closed) for m in said), said
    task = Task.objects.get(pk=closed.task.pk)
    assert (task.status, task.version) == (TaskStatus.CLOSED, version)
    assert AuditRecord.objects.count() == records


def test_the_task_page_offers_no_act_on_a_closed_task_and_says_why(closed, client_for):
    c = closed
    lingering = {
        "plan": pending_plan(c, PlanStatus.SUBMITTED),
        "report": report(c, ReportStatus.SUBMITTED),
    }
    offered = {
        "ledger:task_edit": {"pk": c.task.pk},
        "ledger:plan_edit": {"pk": c.task.pk},
        "ledger:plan_revise": {"pk": c.task.pk},
        "ledger:plan_approve": {"pk": c.task.pk, "plan_pk": lingering["plan"].pk},
        "ledger:plan_reject": {"pk": c.task.pk, "plan_pk": lingering["plan"].pk},
        "ledger:task_status": {"pk": c.task.pk},
        "ledger:report_file": {"pk": c.task.pk},
        "ledger:report_accept": {"pk": lingering["report"].pk},
        "ledger:report_withdraw": {"pk": lingering["report"].pk},
        "ledger:closing_request": {"pk": c.task.pk},
    }
    for who in ("staff", "liaison"):
        page = client_for(getattr(c, who)).get(reverse("ledger:task", args=[c.task.pk]))
        html = page.content.decode()
        assert 'data-testid="task-closed"' in html
        assert f"{c.task.code} 已销账" in html
        shown = [name for name, kwargs in offered.items() if reverse(name, kwargs=kwargs) in html]
        assert shown == [], who
    leader = client_for(c.director).get(reverse("ledger:task", args=[c.task.pk]))
    assert reverse("ledger:task_reopen", args=[c.task.pk]) in leader.content.decode()


@pytest.mark.parametrize("name", ["task_edit", "plan_edit", "report_file", "closing_request"])
def test_a_closed_tasks_form_pages_send_the_user_back_saying_why(closed, client_for, name):
    who = PAGE_ACTS[name][1]
    answer = client_for(getattr(closed, who)).get(
        reverse(f"ledger:{name}", args=[closed.task.pk]), follow=True
    )
    assert answer.redirect_chain  # no form: back to the task
    said = [str(m) for m in get_messages(answer.wsgi_request)]
    assert any(_closed_words(m, closed) for m in said), said


# --- the API ---------------------------------------------------------------------------


def _task_body(task: Task) -> dict:
    return {
        "code": task.code,
        "title": "改",
        "area": task.area_id,
        "source": task.source,
        "lead_unit": task.lead_unit_id,
        "deliverable_kind": task.deliverable_kind,
        "start_date": task.start_date.isoformat(),
        "deadline": task.deadline.isoformat(),
        "version": task.version,
    }


_PLAN_BODY = {"milestones": [{"title": "收尾", "planned_date": "2016-06-30", "weight": 100}]}
_CLOSING_BODY = {
    "summary": "完成",
    "document_no": "惠阳府〔2016〕100号",
    "document_date": "2016-06-10",
    "files": [{"name": "成果.pdf", "content_base64": base64.b64encode(PDF).decode()}],
}


def _no_body(c) -> dict:
    return {}


#: (method, route) -> (who, arrange(c) -> the object's id, body(c)).
API_ACTS = {
    ("PUT", "/api/v1/tasks/{id}/"): ("staff", lambda c: c.task.pk, lambda c: _task_body(c.task)),
    ("PATCH", "/api/v1/tasks/{id}/"): (
        "staff",
        lambda c: c.task.pk,
        lambda c: {"title": "改", "version": c.task.version},
    ),
    ("POST", "/api/v1/tasks/{id}/status/"): (
        "staff",
        lambda c: c.task.pk,
        lambda c: {"status": "blocked", "reason": "受阻"},
    ),
    ("POST", "/api/v1/tasks/{id}/plan/"): ("liaison", lambda c: c.task.pk, lambda c: _PLAN_BODY),
    ("POST", "/api/v1/tasks/{id}/plan/revise/"): (
        "liaison",
        lambda c: c.task.pk,
        lambda c: {"reason": "调整"},
    ),
    ("POST", "/api/v1/tasks/{id}/report/"): (
        "liaison",
        lambda c: c.task.pk,
        lambda c: {"period": c.period[6].pk, "done": "收尾", "percent": 100},
    ),
    ("POST", "/api/v1/tasks/{id}/closing/"): (
        "liaison",
        lambda c: c.task.pk,
        lambda c: _CLOSING_BODY,
    ),
    ("POST", "/api/v1/plans/{id}/submit/"): ("liaison", lambda c: pending_plan(c).pk, _no_body),
    ("POST", "/api/v1/plans/{id}/approve/"): (
        "staff",
        lambda c: pending_plan(c, PlanStatus.SUBMITTED).pk,
        lambda c: {"note": "同意"},
    ),
    ("POST", "/api/v1/plans/{id}/reject/"): (
        "staff",
        lambda c: pending_plan(c, PlanStatus.SUBMITTED).pk,
        lambda c: {"note": "退回"},
    ),
    ("POST", "/api/v1/reports/{id}/submit/"): ("liaison", lambda c: report(c).pk, _no_body),
    ("POST", "/api/v1/reports/{id}/accept/"): (
        "staff",
        lambda c: report(c, ReportStatus.SUBMITTED).pk,
        _no_body,
    ),
    ("POST", "/api/v1/reports/{id}/return/"): (
        "staff",
        lambda c: report(c, ReportStatus.SUBMITTED).pk,
        lambda c: {"reason": "补充"},
    ),
    ("POST", "/api/v1/reports/{id}/withdraw/"): (
        "liaison",
        lambda c: report(c, ReportStatus.SUBMITTED).pk,
        _no_body,
    ),
    ("POST", "/api/v1/ratings/{id}/confirm/"): ("director", lambda c: later_rating(c).pk, _no_body),
    ("POST", "/api/v1/ratings/{id}/override/"): (
        "director",
        lambda c: later_rating(c).pk,
        lambda c: {
            "grade": other_grade(Rating.objects.get(task=c.task, period=c.period[7])).pk,
            "reason": "实际已完成",
        },
    ),
    ("POST", "/api/v1/closings/{id}/sign/"): ("head", lambda c: pending_closing(c).pk, _no_body),
    ("POST", "/api/v1/closings/{id}/approve/"): (
        "director",
        lambda c: pending_closing(c, ClosingStatus.SIGNED).pk,
        lambda c: {"note": "同意"},
    ),
    ("POST", "/api/v1/closings/{id}/reject/"): (
        "director",
        lambda c: pending_closing(c).pk,
        lambda c: {"reason": "不符合"},
    ),
    ("POST", "/api/v1/closings/{id}/withdraw/"): (
        "liaison",
        lambda c: pending_closing(c).pk,
        _no_body,
    ),
}
#: The resources of a task and of what hangs on it.
_ON_A_TASK = ("/api/v1/tasks/{id}/", "/api/v1/plans/", "/api/v1/reports/", "/api/v1/ratings/")


def test_the_api_walk_has_every_route_that_acts_on_a_task_or_what_hangs_on_it():
    routes = {
        op.key
        for op in write_operations()
        if op.path.startswith((*_ON_A_TASK, "/api/v1/closings/"))
    }
    assert routes == set(API_ACTS)


@pytest.mark.parametrize("route", sorted(API_ACTS), ids=" ".join)
def test_every_api_act_on_a_closed_task_answers_409_naming_why(closed, client_for, route):
    method, path = route
    who, arrange, body = API_ACTS[route]
    url = path.format(id=arrange(closed))
    records, version = AuditRecord.objects.count(), closed.task.version
    answer = client_for(getattr(closed, who)).generic(
        method, url, json.dumps(body(closed)), content_type=JSON, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.status_code == 409, answer.content
    detail = answer.json()["detail"]
    assert f"{closed.task.code} is closed" in detail and "reopen" in detail
    task = Task.objects.get(pk=closed.task.pk)
    assert (task.status, task.version) == (TaskStatus.CLOSED, version)
    assert AuditRecord.objects.count() == records
