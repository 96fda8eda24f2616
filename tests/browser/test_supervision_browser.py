"""A supervision order's whole life in Chromium: the office director issues a blue
order on a key task; its deadline passes and the daily run raises it to orange with
a new deadline, telling the unit; the unit's liaison answers with evidence; the
director accepts it. The order's page shows every step, and so does the audit trail."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.notifications.models import Notification
from reformledger.supervision.models import SupervisionOrder
from tests.browser.signin import sign_in
from tests.files import PDF

pytestmark = pytest.mark.browser


def _login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, username)  # with the TOTP code where the role needs one
    assert "/otp/" not in page.url


def test_an_order_is_issued_escalates_is_answered_and_accepted(
    transactional_db,
    live_server,
    world,
    director,
    huiyang_liaison,
    huiyang_head,
    page,
    shot,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm step of each act
    url = live_server.url
    task = world.task_huiyang
    deadline = timezone.localdate() + dt.timedelta(days=3)

    # 1. The director issues a blue order on the key task, from the task's link.
    _login(page, live_server, "director")
    page.goto(f"{url}/ledger/tasks/{task.pk}/")
    page.get_by_test_id("issue-order-on-task").click()
    page.wait_for_load_state()
    page.select_option("#id_level", "blue")
    page.fill("#id_deadline", deadline.isoformat())
    page.fill("#id_basis", "领导小组2016年第1次会议要求；考核方案未按期出台。")
    page.fill("#id_demand", "请报送表格化捆绑式绩效考核实施方案及镇街推进情况。")
    shot(page, "supervision-1-issue-form")
    page.get_by_test_id("issue").click()
    page.wait_for_load_state()
    order = SupervisionOrder.objects.get()
    assert page.url.endswith(f"/supervision/orders/{order.pk}/")
    assert order.label in page.get_by_test_id("order-label").inner_text()
    assert page.get_by_test_id("level").first.get_attribute("data-level") == "blue"
    assert page.get_by_test_id("addressee").inner_text() == "惠阳区"
    shot(page, "supervision-2-blue-order")
    page.goto(f"{url}/supervision/orders/")
    assert page.get_by_test_id("order-row").count() == 1
    shot(page, "supervision-2b-order-list")

    # 2. The clock passes the deadline: the daily run raises the order to orange.
    call_command("escalate_orders", today=(deadline + dt.timedelta(days=1)).isoformat())
    order.refresh_from_db()
    assert (order.level, order.escalations) == ("orange", 1)
    assert order.deadline > deadline
    page.goto(f"{url}/supervision/orders/{order.pk}/")
    assert page.get_by_test_id("level").first.get_attribute("data-level") == "orange"
    assert order.deadline.strftime("%Y-%m-%d") in page.get_by_test_id("deadline").inner_text()
    shot(page, "supervision-3-orange-order")

    # 3. The liaison has a notice of it, and answers with an evidence file.
    assert Notification.objects.filter(
        recipient=huiyang_liaison, key=f"order:{order.pk}:level:orange"
    ).exists()
    _login(page, live_server, "huiyang")
    page.goto(f"{url}/notifications/")
    assert page.get_by_text(order.label).first.is_visible()
    shot(page, "supervision-4-liaison-notice")
    page.goto(f"{url}/supervision/orders/{order.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())  # 签收 asks first
    page.get_by_test_id("receive").click()
    page.wait_for_load_state()
    page.fill("#id_body", "实施方案已印发，12个镇街全部启动考核。")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "实施方案.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    shot(page, "supervision-5-answer-form")
    page.get_by_test_id("send-answer").click()
    page.wait_for_load_state()
    order.refresh_from_db()
    assert order.status == "answered"
    assert page.get_by_test_id("answer-file").inner_text() == "实施方案.pdf"

    # 4. The director accepts the answer: the order is closed.
    _login(page, live_server, "director")
    page.goto(f"{url}/supervision/orders/{order.pk}/")
    page.fill("#id_note", "同意销号。")
    page.get_by_test_id("accept").click()
    page.wait_for_load_state()
    order.refresh_from_db()
    assert order.status == "accepted" and order.closed_at is not None
    shot(page, "supervision-6-accepted-order")

    # 5. The order's history on its page shows every step, as does the audit trail.
    steps = page.get_by_test_id("history").locator("li[data-verb]")
    verbs = [steps.nth(i).get_attribute("data-verb") for i in range(steps.count())]
    expected = [
        "order.issued",
        "order.escalated",
        "order.received",
        "order.answered",
        "order.accepted",
    ]
    assert [v for v in verbs if v in expected] == expected
    trail = list(
        AuditRecord.objects.filter(ctx_type="supervision.supervisionorder", ctx_id=str(order.pk))
        .order_by("id")
        .values_list("verb", "actor_label")
    )
    assert [v for v, _actor in trail if v in expected] == expected
    assert dict(trail)["order.escalated"] == "system"
    assert dict(trail)["order.answered"] == "huiyang"

    # 6. The printable order in the official layout.
    page.goto(f"{url}/supervision/orders/{order.pk}/print/")
    assert (
        "中共惠州市委全面深化改革领导小组办公室" in page.get_by_test_id("order-sheet").inner_text()
    )
    shot(page, "supervision-7-print")


def test_the_office_records_meetings_and_prepares_a_leading_group_review(
    transactional_db, live_server, world, office_staff, page, shot
):
    """The office records a supervision meeting (finding a task in the picker, adding
    an action row) and prepares a leading-group meeting from the ranked candidates,
    then writes the collective review of the task it ticked."""
    from reformledger.supervision import services
    from reformledger.supervision.models import (
        CollectiveReview,
        LeadingGroupMeeting,
        SupervisionMeeting,
    )

    page.on("dialog", lambda dialog: dialog.accept())
    url = live_server.url
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    services.document_register(
        office=world.office,
        by=office_staff,
        year=2016,
        title="表格化绩效考核办法",
        drafting_unit=world.huiyang,
    )
    _login(page, live_server, "office")

    # A supervision meeting: the task found by typing in the picker, a second action row.
    page.goto(f"{url}/supervision/meetings/new/")
    page.fill("#id_topic", "绩效考核改革专题督查")
    page.fill("#id_attendees", "陈志远、林文秀、惠阳区联络员")
    page.get_by_test_id("task-picker").locator("..").locator("input[type=search]").fill("绩效")
    assert page.get_by_label("2016-002 投融资体制改革").is_hidden()
    page.get_by_label("2016-001 表格化捆绑式绩效考核改革").check()
    page.select_option("#id_actions-0-unit", label="惠阳区")
    page.fill("#id_actions-0-demand", "月底前出台考核细则")
    page.fill("#id_actions-0-deadline", due)
    page.get_by_role("button", name="Add a row").or_(
        page.get_by_role("button", name="增加一行")
    ).click()
    page.select_option("#id_actions-3-unit", label="博罗县")
    page.fill("#id_actions-3-demand", "报送审批改革进展")
    page.fill("#id_actions-3-deadline", due)
    shot(page, "supervision-8-meeting-form")
    page.get_by_test_id("save-meeting").click()
    page.wait_for_load_state()
    meeting = SupervisionMeeting.objects.get()
    assert meeting.action_items.count() == 2 and meeting.tasks.count() == 1
    shot(page, "supervision-9-meeting")

    # A leading-group meeting prepared from the candidates; the ticked task reviewed.
    page.goto(f"{url}/supervision/group-meetings/prepare/?year=2016")
    assert page.get_by_test_id("candidate").count() == 1
    page.get_by_label("表格化绩效考核办法", exact=False).check()
    page.fill("#id_attendees", "领导小组成员")
    shot(page, "supervision-10-prepare")
    page.get_by_test_id("record-group-meeting").click()
    page.wait_for_load_state()
    group = LeadingGroupMeeting.objects.get()
    page.get_by_test_id("write-review").first.click()
    page.wait_for_load_state()
    page.fill("#id_achievements", "考核方案已出台")
    page.fill("#id_problems", "镇街推进不平衡")
    page.fill("#id_causes", "考核指标过细")
    page.fill("#id_improvements", "十月底前修订指标")
    page.fill("#id_actions-0-demand", "十月底前修订指标")
    page.fill("#id_actions-0-deadline", due)
    shot(page, "supervision-11-review-form")
    page.get_by_test_id("save-review").click()
    page.wait_for_load_state()
    review = CollectiveReview.objects.get(meeting=group)
    assert review.action_items.get().unit == world.huiyang  # the lead unit, as offered
    assert page.get_by_test_id("review").count() == 1
    shot(page, "supervision-12-group-meeting")
