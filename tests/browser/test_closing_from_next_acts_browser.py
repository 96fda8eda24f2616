"""A task closed (销账) as its people live it, in Chromium, every step reached from the
page each lands on and never by a typed address: the liaison finds the task ready to
close in its 待办 and files the request on the task page; the county head finds the
request in its 待办 and signs it; the director finds it in theirs, sees the milestones
and the last progress it rests on, and approves it. A thin closing (a milestone not
reached), requested from a task the liaison opens from My work, is approved only with
a reason, which the audit trail and the task's history keep."""

import datetime as dt

import pytest

from reformledger.audit.models import AuditRecord
from reformledger.ledger import services
from reformledger.ledger.choices import ClosingStatus, PlanStatus, TaskStatus
from reformledger.ledger.models import ClosingRequest, Milestone, Period, Task
from tests.browser.signin import sign_in
from tests.files import PDF

pytestmark = pytest.mark.browser

REASON = "综合执法已在全区推开，总结报告随年度材料报送，视同节点完成。"


def _milestones(task) -> list[Milestone]:
    return list(
        Milestone.objects.filter(plan__task=task, plan__status=PlanStatus.APPROVED).order_by(
            "order"
        )
    )


def _reach(task, period: Period, liaison, staff, milestone, on: dt.date, percent: int) -> None:
    """The liaison reports `milestone` reached; the office accepts the report."""
    report = services.report_file(
        task=task,
        period=period,
        by=liaison,
        done=f"{milestone.title}已完成",
        percent=percent,
        reached=[(milestone, on)],
        submit=True,
    )
    services.report_accept(report=report, by=staff)


def _as(page, live_server, username: str) -> None:
    """Sign in afresh as `username`: the page opens on their landing page."""
    page.context.clear_cookies()
    sign_in(page, live_server, username)


def _next_act(page, kind: str, code: str):
    """The link of the 待办 row of `kind` about task `code`, on the landing page."""
    return page.locator(f'[data-kind="{kind}"] [data-testid="next-act"] a', has_text=code)


def _accept_dialogs(page) -> list[str]:
    """Answer yes to every question the page asks; the questions, as asked."""
    questions: list[str] = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    return questions


def _request_closing(page, document_no: str) -> None:
    """On the task page's closing tab: open the request form, fill it in and file it."""
    page.get_by_test_id("request-closing").click()
    page.wait_for_load_state()
    page.fill("#id_summary", "制度文件印发，改革在全区推开。")
    page.fill("#id_document_no", document_no)
    page.fill("#id_document_date", "2016-12-20")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "印发文件.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )


def test_a_task_is_closed_by_liaison_head_and_director_each_from_their_next_acts(
    transactional_db,
    live_server,
    world,
    office_staff,
    director,
    huiyang_liaison,
    huiyang_head,
    page,
    shot,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    task = world.task_huiyang
    periods = services.periods_ensure(office=world.office, year=2016, by=office_staff)
    first, last = _milestones(task)
    _reach(task, periods[5], huiyang_liaison, office_staff, first, dt.date(2016, 6, 28), 60)
    _reach(task, periods[11], huiyang_liaison, office_staff, last, dt.date(2016, 12, 10), 100)
    questions = _accept_dialogs(page)

    # a. The liaison lands on My work; the task waits there, ready to close.
    _as(page, live_server, "huiyang")
    assert page.url.endswith("/ledger/my-work/")
    item = _next_act(page, "ready_to_close", "2016-001")
    row = page.locator('[data-kind="ready_to_close"] [data-testid="next-act"]', has_text="2016-001")
    assert "2/2" in row.inner_text() and "100%" in row.inner_text()
    shot(page, "close-1-liaison-next-acts")
    item.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/ledger/tasks/{task.pk}/#closing")
    page.get_by_test_id("request-closing").wait_for(state="visible")  # the tab is open
    shot(page, "close-2-liaison-closing-tab")
    _request_closing(page, "惠阳府〔2016〕88号")
    shot(page, "close-3-liaison-request-form")
    with page.expect_navigation():
        page.get_by_role("button", name="提交销账申请").click()
    page.wait_for_load_state()
    closing = ClosingRequest.objects.get(task=task)
    assert closing.status == ClosingStatus.REQUESTED
    assert closing.document_no == "惠阳府〔2016〕88号"
    assert page.get_by_test_id("closing-pending").is_visible()
    shot(page, "close-4-liaison-requested")

    # b. The county head lands on My work; the request waits there to be signed.
    _as(page, live_server, "huiyang_head")
    item = _next_act(page, "closing_to_sign", "2016-001")
    shot(page, "close-5-head-next-acts")
    item.click()
    page.wait_for_load_state()
    assert "惠阳府〔2016〕88号" in page.get_by_test_id("document-no").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="签字").click()
    page.wait_for_load_state()
    assert ClosingRequest.objects.get(pk=closing.pk).status == ClosingStatus.SIGNED
    assert any("2016-001" in q for q in questions)  # asked before signing
    shot(page, "close-6-head-signed")

    # c. The director lands on the dashboard; the signed request waits there.
    _as(page, live_server, "director")
    assert page.url.endswith("/dashboard/")
    item = _next_act(page, "closing_to_approve", "2016-001")
    shot(page, "close-7-director-next-acts")
    item.click()
    page.wait_for_load_state()
    proof = page.get_by_test_id("closing-proof")
    assert "2 / 2" in proof.get_by_test_id("proof-milestones").inner_text()
    assert page.get_by_test_id("proof-unreached").count() == 0
    assert "100%" in proof.get_by_test_id("proof-report").inner_text()
    assert "2016-12" in proof.get_by_test_id("proof-report").inner_text()
    assert page.get_by_test_id("proof-concerns").count() == 0  # no reason needed
    shot(page, "close-8-director-proof")
    asked = len(questions)
    with page.expect_navigation():
        page.get_by_test_id("approve-closing").click()
    page.wait_for_load_state()
    assert "100%" in questions[asked]  # the proof is in the question
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CLOSED
    assert ClosingRequest.objects.get(pk=closing.pk).status == ClosingStatus.APPROVED
    assert page.get_by_test_id("closing-approved").is_visible()
    record = AuditRecord.objects.get(verb="closing.approved")
    assert record.actor_id == director.pk
    assert record.changes["milestones_reached"] == [None, "2/2"]
    shot(page, "close-9-director-approved")


def test_a_thin_closing_requested_from_my_work_is_approved_only_with_a_reason(
    transactional_db,
    live_server,
    world,
    office_staff,
    director,
    huiyang_liaison,
    huiyang_head,
    page,
    shot,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    task = world.task_huiyang
    periods = services.periods_ensure(office=world.office, year=2016, by=office_staff)
    first, _last = _milestones(task)  # 全区推开并总结 is never reported reached
    _reach(task, periods[5], huiyang_liaison, office_staff, first, dt.date(2016, 6, 28), 60)
    questions = _accept_dialogs(page)

    # d. Not ready by its milestones: the liaison opens the task from My work's lists.
    _as(page, live_server, "huiyang")
    assert page.locator('[data-kind="ready_to_close"]').count() == 0
    page.get_by_role("link", name="2016-001", exact=True).first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/ledger/tasks/{task.pk}/")
    page.click("[data-bs-target='#tab-closing']")
    page.get_by_test_id("request-closing").wait_for(state="visible")
    _request_closing(page, "惠阳府〔2016〕99号")
    with page.expect_navigation():
        page.get_by_role("button", name="提交销账申请").click()
    page.wait_for_load_state()
    closing = ClosingRequest.objects.get(task=task)
    assert closing.status == ClosingStatus.REQUESTED

    _as(page, live_server, "huiyang_head")
    _next_act(page, "closing_to_sign", "2016-001").click()
    page.wait_for_load_state()
    with page.expect_navigation():
        page.get_by_role("button", name="签字").click()
    page.wait_for_load_state()
    assert ClosingRequest.objects.get(pk=closing.pk).status == ClosingStatus.SIGNED

    _as(page, live_server, "director")
    _next_act(page, "closing_to_approve", "2016-001").click()
    page.wait_for_load_state()
    proof = page.get_by_test_id("closing-proof")
    assert "1 / 2" in proof.get_by_test_id("proof-milestones").inner_text()
    assert "全区推开并总结" in proof.get_by_test_id("proof-unreached").inner_text()
    assert "60%" in proof.get_by_test_id("proof-report").inner_text()
    assert page.get_by_test_id("proof-concerns").is_visible()
    shot(page, "close-thin-1-director-proof")

    # Without a reason: asked (the milestone not reached in the question), then refused,
    # the message asking for the reason.
    with page.expect_navigation():
        page.get_by_test_id("approve-closing").click()
    page.wait_for_load_state()
    assert "全区推开并总结" in questions[-1]
    refusal = page.locator(".alert-danger").first
    assert "理由" in refusal.inner_text()
    assert ClosingRequest.objects.get(pk=closing.pk).status == ClosingStatus.SIGNED
    assert not AuditRecord.objects.filter(verb="closing.approved").exists()
    shot(page, "close-thin-2-refused")

    # With a reason: approved, and the reason kept.
    page.fill("#id_closing_note", REASON)
    with page.expect_navigation():
        page.get_by_test_id("approve-closing").click()
    page.wait_for_load_state()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CLOSED
    record = AuditRecord.objects.get(verb="closing.approved")
    assert record.reason == REASON
    assert record.changes["milestones_reached"] == [None, "1/2"]

    # The reason is in the task's history, reached from the page through the task.
    page.get_by_role("link", name="2016-001", exact=True).first.click()
    page.wait_for_load_state()
    page.get_by_test_id("history-tab").click()
    history = page.get_by_test_id("history")
    history.wait_for(state="visible")
    assert REASON in history.inner_text()
    shot(page, "close-thin-3-history")
