"""Closing (销账): deliverables, the head's signature, the office leader's approval or
rejection, repeats from two tabs, reopening, and the closed ledger."""

import datetime as dt

import pytest
from django.contrib.messages import constants as message_levels
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import selectors, services
from reformledger.ledger.choices import ClosingStatus, PlanStatus, TaskStatus
from reformledger.ledger.models import ClosingRequest, Evidence, Milestone, Task
from reformledger.ledger.tests.test_evidence import EXE, pdf, upload


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def request_closing(task, by, **overrides):
    values = {
        "summary": "出台《惠阳区表格化捆绑式绩效考核办法》并全区推开",
        "document_no": "惠阳府〔2016〕88号",
        "document_date": dt.date(2016, 11, 20),
        "files": [pdf("考核办法.pdf")],
        **overrides,
    }
    return services.closing_request(task=task, by=by, **values)


def reach_milestones(task, on=dt.date(2016, 11, 30)) -> None:
    """Every milestone of the task's approved plan reached (as accepted reports would
    mark them; here only the fact counts): the proof a plain approval rests on."""
    Milestone.objects.filter(plan__task=task, plan__status=PlanStatus.APPROVED).update(
        reached_on=on
    )


@pytest.fixture
def signed(world, huiyang_liaison, huiyang_head):
    """A signed request of 2016-001 whose milestones are all reached."""
    reach_milestones(world.task_huiyang)
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    return services.closing_sign(closing=closing, by=huiyang_head)


@pytest.fixture
def unproven(world, huiyang_liaison, huiyang_head):
    """A signed request of 2016-001 with 0 of its 2 milestones reached."""
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    return services.closing_sign(closing=closing, by=huiyang_head)


def counts():
    return (ClosingRequest.objects.count(), Evidence.objects.count(), AuditRecord.objects.count())


def no_files(media) -> bool:
    return not media.exists() or not any(p.is_file() for p in media.rglob("*"))


# --- the request ---------------------------------------------------------------


def test_a_request_without_deliverables_is_refused_naming_each_missing_one(
    world, huiyang_liaison, media
):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        request_closing(
            world.task_huiyang, huiyang_liaison, document_no=" ", document_date=None, files=[]
        )

    assert {"document_no", "document_date", "files"} <= set(refused.value.message_dict)
    assert counts() == before
    assert no_files(media)


def test_a_document_date_in_the_future_is_refused(world, huiyang_liaison):
    future = timezone.localdate() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        request_closing(world.task_huiyang, huiyang_liaison, document_date=future)
    assert list(refused.value.message_dict) == ["document_date"]


def test_a_bad_file_refuses_the_whole_request_and_stores_nothing(world, huiyang_liaison, media):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        request_closing(
            world.task_huiyang, huiyang_liaison, files=[pdf(), upload("宏.docm", b"PK\x03\x04")]
        )
    assert list(refused.value.message_dict) == ["files"]
    assert counts() == before
    assert no_files(media)


def test_a_task_still_in_planning_cannot_be_closed(world, boluo_liaison):
    with pytest.raises(ValidationError) as refused:
        request_closing(world.task_boluo, boluo_liaison)
    assert "task" in refused.value.message_dict


def test_the_request_stores_its_deliverables_and_waits_for_the_head(world, huiyang_liaison):
    closing = request_closing(world.task_huiyang, huiyang_liaison)

    row = ClosingRequest.objects.get(pk=closing.pk)
    assert row.status == ClosingStatus.REQUESTED
    assert row.document_no == "惠阳府〔2016〕88号"
    assert [e.original_name for e in row.evidence.all()] == ["考核办法.pdf"]
    record = AuditRecord.objects.get(verb="closing.requested")
    assert record.ctx_id == str(world.task_huiyang.pk)
    assert record.changes["files"] == [None, ["考核办法.pdf"]]


def test_only_one_request_is_pending_per_task(world, huiyang_liaison):
    request_closing(world.task_huiyang, huiyang_liaison)
    with pytest.raises(ConflictError):
        request_closing(world.task_huiyang, huiyang_liaison)
    assert ClosingRequest.objects.count() == 1


def test_a_helping_unit_cannot_request_closing(world, huiyang_liaison):
    with pytest.raises(PermissionDenied):
        request_closing(world.task_helped, huiyang_liaison)


# --- sign, approve, reject -----------------------------------------------------


def test_head_signs_and_leader_approves_and_the_task_leaves_the_open_ledger(
    world, signed, director
):
    version = Task.objects.get(pk=world.task_huiyang.pk).version

    task = services.closing_approve(closing=signed, by=director, note="同意销账")

    row = Task.objects.get(pk=world.task_huiyang.pk)
    assert row.status == TaskStatus.CLOSED
    assert row.version == version + 1
    assert task.pk == row.pk
    assert not Task.objects.open().filter(pk=row.pk).exists()
    closing = ClosingRequest.objects.get(pk=signed.pk)
    assert (closing.status, closing.decided_by) == (ClosingStatus.APPROVED, director)
    verbs = [r.verb for r in history_of(row)]
    assert verbs[-3:] == ["closing.requested", "closing.signed", "closing.approved"]


def test_the_same_closing_approved_twice_is_approved_once(world, signed, director):
    stale = ClosingRequest.objects.get(pk=signed.pk)
    services.closing_approve(closing=signed, by=director)

    with pytest.raises(ConflictError):
        services.closing_approve(closing=stale, by=director)
    assert AuditRecord.objects.filter(verb="closing.approved").count() == 1


def test_two_tabs_approving_get_one_approval_and_a_conflict_message(
    world, signed, director, client_for
):
    first, second = client_for(director), client_for(director)
    url = reverse("ledger:closing_approve", args=[signed.pk])
    version = Task.objects.get(pk=world.task_huiyang.pk).version

    one = first.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    two = second.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert [m.level for m in one.context["messages"]] == [message_levels.SUCCESS]
    warnings = [m for m in two.context["messages"] if m.level == message_levels.WARNING]
    assert len(warnings) == 1 and "nothing was done again" in str(warnings[0])
    assert AuditRecord.objects.filter(verb="closing.approved").count() == 1
    assert Task.objects.get(pk=world.task_huiyang.pk).version == version + 1


def test_a_request_must_be_signed_before_approval(world, huiyang_liaison, director):
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    with pytest.raises(ConflictError):
        services.closing_approve(closing=closing, by=director)
    assert Task.objects.get(pk=world.task_huiyang.pk).status == TaskStatus.IN_PROGRESS


def test_a_liaison_cannot_sign_or_approve(world, signed, huiyang_liaison, office_staff):
    with pytest.raises(PermissionDenied):
        services.closing_approve(closing=signed, by=huiyang_liaison)
    with pytest.raises(PermissionDenied):
        services.closing_approve(closing=signed, by=office_staff)  # staff are not leaders
    assert ClosingRequest.objects.get(pk=signed.pk).status == ClosingStatus.SIGNED


def test_a_liaison_gets_403_on_the_approve_and_sign_pages(
    world, huiyang_liaison, huiyang_head, client_for
):
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    client = client_for(huiyang_liaison)
    assert client.post(reverse("ledger:closing_sign", args=[closing.pk])).status_code == 403
    services.closing_sign(closing=closing, by=huiyang_head)
    assert client.post(reverse("ledger:closing_approve", args=[closing.pk])).status_code == 403
    assert ClosingRequest.objects.get(pk=closing.pk).status == ClosingStatus.SIGNED


def test_another_units_closing_is_a_404(world, signed, boluo_liaison, client_for):
    url = reverse("ledger:closing_approve", args=[signed.pk])
    assert client_for(boluo_liaison).post(url).status_code == 404


def test_a_rejection_needs_a_reason_and_the_unit_may_ask_again(
    world, signed, director, huiyang_liaison
):
    with pytest.raises(ValidationError) as refused:
        services.closing_reject(closing=signed, by=director, reason=" ")
    assert "reason" in refused.value.message_dict

    services.closing_reject(closing=signed, by=director, reason="缺少全区推开的证明材料")

    row = ClosingRequest.objects.get(pk=signed.pk)
    assert (row.status, row.reject_reason) == (ClosingStatus.REJECTED, "缺少全区推开的证明材料")
    assert Task.objects.get(pk=world.task_huiyang.pk).status == TaskStatus.IN_PROGRESS
    again = request_closing(world.task_huiyang, huiyang_liaison, document_no="惠阳府〔2016〕99号")
    assert again.status == ClosingStatus.REQUESTED


def test_the_head_may_refuse_to_sign_but_not_reject_after_signing(
    world, huiyang_liaison, huiyang_head
):
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    services.closing_sign(closing=closing, by=huiyang_head)
    with pytest.raises(PermissionDenied):
        services.closing_reject(closing=closing, by=huiyang_head, reason="撤回")


# --- reopening -----------------------------------------------------------------


def test_a_leader_reopens_a_closed_task_with_a_reason_in_its_history(world, signed, director):
    services.closing_approve(closing=signed, by=director)
    with pytest.raises(ValidationError):
        services.task_reopen(task=world.task_huiyang, by=director, reason="")

    services.task_reopen(task=world.task_huiyang, by=director, reason="考核办法需修订")

    row = Task.objects.get(pk=world.task_huiyang.pk)
    assert row.status == TaskStatus.IN_PROGRESS
    record = history_of(row).get(verb="task.reopened")
    assert record.reason == "考核办法需修订"
    assert record.changes["status"] == ["closed", "in_progress"]
    with pytest.raises(ConflictError):
        services.task_reopen(task=row, by=director, reason="again")


def test_staff_and_liaisons_cannot_reopen(world, signed, director, office_staff, huiyang_liaison):
    services.closing_approve(closing=signed, by=director)
    for user in (office_staff, huiyang_liaison):
        with pytest.raises(PermissionDenied):
            services.task_reopen(task=world.task_huiyang, by=user, reason="x")


# --- pages ---------------------------------------------------------------------


def test_the_liaison_requests_closing_on_the_page(world, huiyang_liaison, client_for):
    client = client_for(huiyang_liaison)
    url = reverse("ledger:closing_request", args=[world.task_huiyang.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "summary": "全区推开",
            "document_no": "惠阳府〔2016〕88号",
            "document_date": "2016-11-20",
            "files": [pdf("办法.pdf")],
        },
    )

    assert response.status_code == 302
    closing = ClosingRequest.objects.get(task=world.task_huiyang)
    assert [e.original_name for e in closing.evidence.all()] == ["办法.pdf"]


def test_the_closing_page_names_missing_deliverables(world, huiyang_liaison, client_for):
    response = client_for(huiyang_liaison).post(
        reverse("ledger:closing_request", args=[world.task_huiyang.pk]),
        {"summary": "全区推开", "document_no": "", "document_date": "", "files": []},
    )
    assert response.status_code == 200
    assert {"document_no", "document_date", "files"} <= set(response.context["form"].errors)
    assert not ClosingRequest.objects.exists()


def test_a_helping_liaison_gets_403_on_the_closing_request_page(world, huiyang_liaison, client_for):
    url = reverse("ledger:closing_request", args=[world.task_helped.pk])
    assert client_for(huiyang_liaison).get(url).status_code == 403


def test_the_inbox_shows_the_head_what_to_sign_and_the_leader_what_to_approve(
    world, huiyang_liaison, huiyang_head, director, client_for
):
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    head_page = client_for(huiyang_head).get(reverse("ledger:closings"))
    assert [(c.pk, c.can_sign) for c in head_page.context["page"]] == [(closing.pk, True)]
    assert not client_for(director).get(reverse("ledger:closings")).context["page"].object_list

    services.closing_sign(closing=closing, by=huiyang_head)

    leader_page = client_for(director).get(reverse("ledger:closings"))
    assert [(c.pk, c.can_approve) for c in leader_page.context["page"]] == [(closing.pk, True)]
    assert not client_for(huiyang_head).get(reverse("ledger:closings")).context["page"].object_list


def test_the_closed_ledger_shows_date_document_and_approver(
    world, signed, director, boluo_liaison, client_for
):
    services.closing_approve(closing=signed, by=director)

    response = client_for(director).get(reverse("ledger:closed"), {"year": 2016})

    rows = list(response.context["page"])
    assert [t.code for t in rows] == ["2016-001"]
    assert timezone.localdate(rows[0].closed_at) == timezone.localdate()
    assert rows[0].approved_closings[0].document_no == "惠阳府〔2016〕88号"
    assert response.context["totals"]["total"] == 1
    html = response.content.decode()
    assert "惠阳府〔2016〕88号" in html and str(director) in html
    hidden = client_for(boluo_liaison).get(reverse("ledger:closed"))
    assert not hidden.context["page"].object_list


def test_the_closed_ledger_filters_by_unit_and_searches_document_numbers(world, signed, director):
    services.closing_approve(closing=signed, by=director)
    base = selectors.closed_rows(director)
    from reformledger.ledger.views.closing import ClosedFilter

    assert ClosedFilter({"lead_unit": world.boluo.pk}, queryset=base).qs.count() == 0
    assert ClosedFilter({"lead_unit": world.huiyang.pk}, queryset=base).qs.count() == 1
    assert ClosedFilter({"q": "88号"}, queryset=base).qs.count() == 1


def _closed_tasks(world, by, n: int) -> None:
    tasks = Task.objects.bulk_create(
        Task(
            office=world.office,
            year=2016,
            code=f"C-{i:04d}",
            title=f"已销账任务 {i}",
            area=world.economy,
            lead_unit=world.huiyang if i % 2 else world.boluo,
            deliverable_kind="policy",
            start_date=dt.date(2016, 1, 1),
            deadline=dt.date(2016, 12, 31),
            status=TaskStatus.CLOSED,
            is_key=i % 5 == 0,
        )
        for i in range(n)
    )
    ClosingRequest.objects.bulk_create(
        ClosingRequest(
            task=t,
            status=ClosingStatus.APPROVED,
            summary="完成",
            document_no=f"惠府〔2016〕{i}号",
            document_date=dt.date(2016, 10, 1),
            requested_by=by,
            decided_by=by,
            decided_at=timezone.now(),
        )
        for i, t in enumerate(tasks)
    )


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _clear() -> None:
    ClosingRequest.objects.filter(task__code__startswith="C-").delete()
    Task.objects.filter(code__startswith="C-").delete()


@pytest.mark.parametrize("persona", ["director", "huiyang_liaison", "city_leader"])
def test_the_closed_ledger_runs_the_same_queries_for_10_and_300_tasks(
    request, world, director, client_for, settings, persona
):
    settings.LEDGER_PAGE_SIZE = 1000
    client = client_for(request.getfixturevalue(persona))
    _closed_tasks(world, director, 10)
    small = _queries(client, reverse("ledger:closed"), {"year": 2016})
    _clear()
    _closed_tasks(world, director, 300)
    large = _queries(client, reverse("ledger:closed"), {"year": 2016})
    assert small == large


def test_the_closings_inbox_runs_the_same_queries_for_5_and_100_requests(
    world, director, client_for, settings
):
    settings.LEDGER_PAGE_SIZE = 1000
    client = client_for(director)

    def pending(n):
        _closed_tasks(world, director, n)
        ClosingRequest.objects.filter(task__code__startswith="C-").update(
            status=ClosingStatus.SIGNED, decided_by=None, decided_at=None
        )
        Task.objects.filter(code__startswith="C-").update(status=TaskStatus.IN_PROGRESS)

    pending(5)
    small = _queries(client, reverse("ledger:closings"))
    _clear()
    pending(100)
    large = _queries(client, reverse("ledger:closings"))
    assert small == large


def test_the_request_page_refuses_an_exe_named_pdf_on_the_files_field(
    world, huiyang_liaison, client_for, media
):
    response = client_for(huiyang_liaison).post(
        reverse("ledger:closing_request", args=[world.task_huiyang.pk]),
        {
            "summary": "全区推开",
            "document_no": "惠阳府〔2016〕88号",
            "document_date": "2016-11-20",
            "files": [upload("办法.pdf", EXE)],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert not ClosingRequest.objects.exists()
    assert no_files(media)


@pytest.mark.django_db(transaction=True)
def test_two_leaders_approving_at_the_same_moment_close_the_task_once(
    world, huiyang_liaison, huiyang_head, director
):
    """Two requests race for the row lock: one approves, the other is told it is done."""
    import threading

    from django.db import connections

    from reformledger.orgs import services as orgs
    from reformledger.orgs.choices import Role
    from tests.factories import UserFactory

    reach_milestones(world.task_huiyang)
    closing = services.closing_sign(
        closing=request_closing(world.task_huiyang, huiyang_liaison), by=huiyang_head
    )
    deputy = UserFactory(username="deputy", full_name="副主任")
    orgs.membership_grant(by=None, user=deputy, unit=world.office, role=Role.OFFICE_LEADER)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user):
        try:
            stale = ClosingRequest.objects.get(pk=closing.pk)
            start.wait()
            services.closing_approve(closing=stale, by=user)
            outcomes.append("approved")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (director, deputy)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["approved", "conflict"]
    assert AuditRecord.objects.filter(verb="closing.approved").count() == 1
    assert Task.objects.get(pk=world.task_huiyang.pk).status == TaskStatus.CLOSED


# --- pages × roles ---------------------------------------------------------------

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
SEES_HUIYANG = {"office_staff", "director", "huiyang_liaison", "huiyang_head", "city_leader"}
FILES_FOR_HUIYANG = {"office_staff", "director", "huiyang_liaison"}


def _expected(page: str, persona: str) -> int:
    if page in ("reports", "closed", "closings"):
        return 200  # scoped lists: everyone sees what is theirs
    if page == "carry_over":
        return 200 if persona in ("office_staff", "director") else 403
    if persona not in SEES_HUIYANG:
        return 404
    if page in ("task_reports", "task_closing"):
        return 200
    return 200 if persona in FILES_FOR_HUIYANG else 403  # report_file, closing_request


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_meets_the_report_and_closing_pages_as_the_rule_says(
    request, world, client_for, persona
):
    client = client_for(request.getfixturevalue(persona))
    task = world.task_huiyang.pk
    pages = {
        "reports": reverse("ledger:reports"),
        "closed": reverse("ledger:closed"),
        "closings": reverse("ledger:closings"),
        "carry_over": reverse("ledger:carry_over"),
        "task_reports": reverse("ledger:task_reports", args=[task]),
        "task_closing": reverse("ledger:task_closing", args=[task]),
        "report_file": reverse("ledger:report_file", args=[task]),
        "closing_request": reverse("ledger:closing_request", args=[task]),
    }
    got = {page: client.get(url).status_code for page, url in pages.items()}
    assert got == {page: _expected(page, persona) for page in pages}
