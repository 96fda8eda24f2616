"""Supervision acts through the services: each changes what it says, refuses what it
must, tells whom it must, and leaves its audit record."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.core.exceptions import ConflictError
from reformledger.notifications.models import Notification
from reformledger.orgs.choices import Role
from reformledger.orgs.services import membership_grant
from reformledger.supervision import selectors, services
from reformledger.supervision.choices import AnswerDecision, DocumentStatus, MatterStatus
from reformledger.supervision.models import ActionItem, LeaderLink, SupervisionOrder
from tests.factories import UserFactory
from tests.files import PDF

TODAY = timezone.localdate()
IN_A_WEEK = TODAY + dt.timedelta(days=7)


def _issue(world, by, **extra):
    fields = {
        "office": world.office,
        "by": by,
        "task": world.task_huiyang,
        "basis": "领导小组第1次会议要求",
        "demand": "报送考核方案",
        "deadline": IN_A_WEEK,
    } | extra
    return services.order_issue(**fields)


def _verbs(obj) -> list[str]:
    return list(selectors.matter_history(obj).values_list("verb", flat=True))


def test_orders_are_numbered_per_office_and_year(world, director):
    first = _issue(world, director)
    second = _issue(world, director, task=world.task_boluo)
    assert (first.number, second.number) == (1, 2)
    assert second.label == f"督办〔{TODAY.year}〕2号"
    assert second.unit == world.boluo  # addressed to the task's lead unit
    earlier = _issue(world, director, year=TODAY.year - 1)
    assert earlier.number == 1


def test_issuing_tells_the_unit_and_its_head(world, director, huiyang_liaison, huiyang_head):
    order = _issue(world, director)
    told = Notification.objects.filter(key=f"order:{order.pk}:issued")
    assert set(told.values_list("recipient__username", flat=True)) == {"huiyang", "huiyang_head"}
    assert order.label in told.first().title
    assert _verbs(order) == ["order.issued"]


def test_only_office_leaders_issue_orders(world, office_staff, huiyang_liaison, city_leader):
    for user in (office_staff, huiyang_liaison, city_leader):
        with pytest.raises(PermissionDenied):
            _issue(world, user)
    assert not SupervisionOrder.objects.exists()


def test_an_order_concerns_one_matter_and_a_future_deadline(world, director):
    with pytest.raises(ValidationError):
        _issue(world, director, task=None)
    with pytest.raises(ValidationError) as err:
        _issue(world, director, deadline=TODAY - dt.timedelta(days=1))
    assert "deadline" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _issue(world, director, demand="  ")
    assert "demand" in err.value.message_dict
    assert not SupervisionOrder.objects.exists()


def test_the_database_refuses_an_order_about_nothing(world, director):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionOrder.objects.create(
            office=world.office,
            unit=world.huiyang,
            demand="x",
            deadline=IN_A_WEEK,
            year=2016,
            number=99,
            basis="x",
            issued_by=director,
            issued_at=timezone.now(),
        )


def test_an_unanswered_order_climbs_a_level_at_its_deadline(
    world, director, huiyang_liaison, settings
):
    settings.RL_ORDER_ESCALATION_DAYS = {"orange": 7, "red": 5}
    order = _issue(world, director)
    assert services.orders_escalate(today=IN_A_WEEK) == {"escalated": 0, "overdue": 0}

    day_after = IN_A_WEEK + dt.timedelta(days=1)
    assert services.orders_escalate(today=day_after)["escalated"] == 1
    order.refresh_from_db()
    assert (order.level, order.escalations) == ("orange", 1)
    assert order.deadline == day_after + dt.timedelta(days=7)
    notice = Notification.objects.get(
        recipient=huiyang_liaison, key=f"order:{order.pk}:level:orange"
    )
    assert str(order.deadline) in notice.title
    record = AuditRecord.objects.filter(verb="order.escalated").get()
    assert record.actor is None and record.changes["level"] == ["blue", "orange"]

    # A second run the same day changes nothing.
    assert services.orders_escalate(today=day_after)["escalated"] == 0
    red_day = order.deadline + dt.timedelta(days=1)
    services.orders_escalate(today=red_day)
    order.refresh_from_db()
    assert (order.level, order.deadline) == ("red", red_day + dt.timedelta(days=5))
    # Red is the top: past its deadline it stays red and the unit is told it is overdue.
    late = order.deadline + dt.timedelta(days=1)
    assert services.orders_escalate(today=late) == {"escalated": 0, "overdue": 1}
    assert services.orders_escalate(today=late) == {"escalated": 0, "overdue": 0}
    order.refresh_from_db()
    assert order.level == "red"


def test_each_level_holds_on_its_deadline_and_moves_the_day_after(
    world, director, huiyang_liaison, settings
):
    """RL_ORDER_ESCALATION_DAYS at both sides: unanswered on the very day of its
    deadline an order stays where it is; one day past it climbs (blue → orange → red,
    each new deadline so many days on), and red one day past is overdue."""
    settings.RL_ORDER_ESCALATION_DAYS = {"orange": 3, "red": 2}
    order = _issue(world, director)

    def run(today):
        result = services.orders_escalate(today=today)
        order.refresh_from_db()
        return result, order.level, order.deadline

    blue_day = IN_A_WEEK
    assert run(blue_day) == ({"escalated": 0, "overdue": 0}, "blue", blue_day)
    orange_from = blue_day + dt.timedelta(days=1)
    orange_day = orange_from + dt.timedelta(days=3)
    assert run(orange_from) == ({"escalated": 1, "overdue": 0}, "orange", orange_day)
    assert run(orange_day) == ({"escalated": 0, "overdue": 0}, "orange", orange_day)
    red_from = orange_day + dt.timedelta(days=1)
    red_day = red_from + dt.timedelta(days=2)
    assert run(red_from) == ({"escalated": 1, "overdue": 0}, "red", red_day)
    assert run(red_day) == ({"escalated": 0, "overdue": 0}, "red", red_day)
    assert not Notification.objects.filter(key__contains=":overdue:").exists()
    assert run(red_day + dt.timedelta(days=1)) == ({"escalated": 0, "overdue": 1}, "red", red_day)
    assert Notification.objects.filter(
        recipient=huiyang_liaison, key=f"order:{order.pk}:overdue:{red_day}"
    ).exists()


def test_an_answered_order_does_not_escalate(world, director, huiyang_liaison):
    order = _issue(world, director)
    services.matter_receive(matter=order, by=huiyang_liaison)
    services.answer_submit(matter=order, by=huiyang_liaison, body="方案已报送")
    services.orders_escalate(today=IN_A_WEEK + dt.timedelta(days=30))
    order.refresh_from_db()
    assert order.level == "blue"


def test_the_unit_answers_with_evidence_and_the_leader_accepts(world, director, huiyang_liaison):
    order = _issue(world, director)
    services.matter_receive(matter=order, by=huiyang_liaison)
    pdf = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    answer = services.answer_submit(
        matter=order, by=huiyang_liaison, body="考核方案已印发", files=[pdf]
    )
    assert answer.files.get().original_name == "方案.pdf"
    assert not answer.late
    order.refresh_from_db()
    assert order.status == MatterStatus.ANSWERED
    with pytest.raises(ConflictError):
        services.answer_submit(matter=order, by=huiyang_liaison, body="again")

    services.answer_accept(answer=answer, by=director, note="同意销号")
    order.refresh_from_db()
    answer.refresh_from_db()
    assert order.status == MatterStatus.ACCEPTED and order.closed_at is not None
    assert answer.decision == AnswerDecision.ACCEPTED
    assert _verbs(order) == ["order.issued", "order.received", "order.answered", "order.accepted"]
    with pytest.raises(ConflictError):
        services.answer_accept(answer=answer, by=director)


def test_a_returned_answer_reopens_the_order_with_a_new_deadline(
    world, director, huiyang_liaison, huiyang_head
):
    order = _issue(world, director)
    services.matter_receive(matter=order, by=huiyang_liaison)
    answer = services.answer_submit(matter=order, by=huiyang_liaison, body="在推进")
    with pytest.raises(ValidationError) as err:
        services.answer_return(answer=answer, by=director, reason="")
    assert "reason" in err.value.message_dict
    later = IN_A_WEEK + dt.timedelta(days=10)
    services.answer_return(answer=answer, by=director, reason="缺少佐证材料", deadline=later)
    order.refresh_from_db()
    assert (order.status, order.deadline) == (MatterStatus.RETURNED, later)
    assert Notification.objects.filter(
        recipient=huiyang_head, key=f"order:{order.pk}:returned:{answer.pk}"
    ).exists()
    second = services.answer_submit(matter=order, by=huiyang_liaison, body="补充材料")
    assert order.answers.count() == 2 and second.decision == AnswerDecision.PENDING


def test_an_answer_after_the_deadline_is_late(world, director, huiyang_liaison):
    order = _issue(world, director)
    SupervisionOrder.objects.filter(pk=order.pk).update(deadline=TODAY - dt.timedelta(days=2))
    order.refresh_from_db()
    services.matter_receive(matter=order, by=huiyang_liaison)
    answer = services.answer_submit(matter=order, by=huiyang_liaison, body="迟报")
    assert answer.late


def test_only_the_addressed_unit_answers_and_only_leaders_decide(
    world, director, office_staff, huiyang_liaison, boluo_liaison
):
    order = _issue(world, director)
    with pytest.raises(PermissionDenied):
        services.answer_submit(matter=order, by=boluo_liaison, body="不是我的")
    services.matter_receive(matter=order, by=huiyang_liaison)
    answer = services.answer_submit(matter=order, by=huiyang_liaison, body="已完成")
    for user in (office_staff, huiyang_liaison):
        with pytest.raises(PermissionDenied):
            services.answer_accept(answer=answer, by=user)


def test_escalating_by_hand_needs_a_leader_and_a_reason(world, director, office_staff):
    order = _issue(world, director)
    with pytest.raises(PermissionDenied):
        services.order_escalate(order=order, by=office_staff, reason="慢")
    with pytest.raises(ValidationError):
        services.order_escalate(order=order, by=director, reason=" ")
    services.order_escalate(order=order, by=director, reason="进展滞后")
    services.order_escalate(order=order, by=director, reason="仍无进展")
    order.refresh_from_db()
    assert (order.level, order.escalations) == ("red", 2)
    with pytest.raises(ValidationError):
        services.order_escalate(order=order, by=director, reason="再升")


def test_a_leader_link_follows_key_tasks_only_and_keeps_its_history(world, office_staff, director):
    deputy = UserFactory(username="deputy")
    membership_grant(by=None, user=deputy, unit=world.office, role=Role.OFFICE_LEADER)
    with pytest.raises(ValidationError):
        services.leader_link_set(task=world.task_boluo, leader=director, by=office_staff)
    with pytest.raises(ValidationError) as err:
        services.leader_link_set(task=world.task_huiyang, leader=office_staff, by=office_staff)
    assert "leader" in err.value.message_dict
    services.leader_link_set(task=world.task_huiyang, leader=director, by=office_staff)
    services.leader_link_set(task=world.task_huiyang, leader=deputy, by=office_staff)
    links = LeaderLink.objects.filter(task=world.task_huiyang).order_by("linked_at")
    assert [(lk.leader.username, lk.is_active) for lk in links] == [
        ("director", False),
        ("deputy", True),
    ]
    assert [r.task for r in selectors.leader_desk(deputy)] == [world.task_huiyang]
    assert selectors.leader_desk(director) == []


def test_a_supervision_meeting_sets_action_items_tracked_like_orders(
    world, office_staff, director, huiyang_liaison
):
    meeting = services.supervision_meeting_record(
        office=world.office,
        by=office_staff,
        held_on=TODAY,
        topic="绩效考核改革推进难题",
        attendees="陈志远、林文秀、黄晓梅",
        tasks=[world.task_huiyang],
        actions=[services.ActionRow(world.huiyang, "细化考核指标", IN_A_WEEK, world.task_huiyang)],
    )
    item = meeting.action_items.get()
    assert item.unit == world.huiyang and item.status == MatterStatus.OPEN
    services.matter_receive(matter=item, by=huiyang_liaison)
    answer = services.answer_submit(matter=item, by=huiyang_liaison, body="指标已细化")
    services.answer_accept(answer=answer, by=director)
    item.refresh_from_db()
    assert item.status == MatterStatus.ACCEPTED
    assert _verbs(item) == [
        "action_item.set",
        "action_item.received",
        "action_item.answered",
        "action_item.accepted",
    ]
    # An order can follow up on an action item; it goes to the item's unit.
    item2 = services.action_item_add(
        by=office_staff,
        meeting=meeting,
        unit=world.boluo,
        demand="报送审批清单",
        deadline=IN_A_WEEK,
    )
    order = _issue(world, director, task=None, action_item=item2)
    assert order.unit == world.boluo and order.action_item == item2


def test_an_action_item_needs_a_demand_naming_its_row(world, office_staff):
    with pytest.raises(ValidationError) as err:
        services.supervision_meeting_record(
            office=world.office,
            by=office_staff,
            held_on=TODAY,
            topic="专会",
            attendees="甲、乙",
            actions=[
                services.ActionRow(world.huiyang, "做事", IN_A_WEEK),
                services.ActionRow(world.boluo, "", IN_A_WEEK),
            ],
        )
    assert "2" in err.value.message_dict["actions"][0]
    assert not ActionItem.objects.exists()


def test_documents_go_from_draft_to_issued_with_a_number(world, office_staff):
    doc = services.document_register(
        office=world.office,
        by=office_staff,
        year=2016,
        title="《关于深化投融资体制改革的实施意见》",
        drafting_unit=world.fgj,
    )
    assert doc.title == "关于深化投融资体制改革的实施意见"
    meeting = services.leading_group_meeting_record(
        office=world.office,
        by=office_staff,
        year=2016,
        held_on=dt.date(2016, 3, 1),
        attendees="领导小组成员",
        documents=[doc],
    )
    doc.refresh_from_db()
    assert meeting.number == 1 and doc.status == DocumentStatus.REVIEWED
    with pytest.raises(ValidationError) as err:
        services.document_set_status(document=doc, by=office_staff, status="issued")
    assert "document_no" in err.value.message_dict
    services.document_set_status(
        document=doc,
        by=office_staff,
        status="issued",
        document_no="惠市改〔2016〕3号",
        issued_on=dt.date(2016, 3, 10),
    )
    with pytest.raises(ValidationError):
        services.document_set_status(document=doc, by=office_staff, status="draft")
    second = services.leading_group_meeting_record(
        office=world.office,
        by=office_staff,
        year=2016,
        held_on=dt.date(2016, 6, 1),
        attendees="领导小组成员",
    )
    assert second.number == 2
    with pytest.raises(ValidationError) as err:
        services.leading_group_meeting_record(
            office=world.office,
            by=office_staff,
            year=2016,
            held_on=dt.date(2016, 9, 1),
            attendees="x",
            number=2,
        )
    assert "number" in err.value.message_dict


def test_a_collective_review_has_four_parts_and_its_improvements_become_items(world, office_staff):
    meeting = services.leading_group_meeting_record(
        office=world.office,
        by=office_staff,
        year=2016,
        held_on=dt.date(2016, 3, 1),
        attendees="领导小组成员",
    )
    parts = {
        "achievements": "试点镇街全部推开",
        "problems": "指标偏多",
        "causes": "部门协同不足",
        "improvements": "精简指标，10月底前完成",
    }
    with pytest.raises(ValidationError) as err:
        services.collective_review_add(
            meeting=meeting, by=office_staff, task=world.task_huiyang, **(parts | {"causes": ""})
        )
    assert "causes" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.collective_review_add(
            meeting=meeting, by=office_staff, task=world.task_boluo, **parts
        )
    review = services.collective_review_add(
        meeting=meeting,
        by=office_staff,
        task=world.task_huiyang,
        actions=[services.ActionRow(world.huiyang, "精简考核指标", IN_A_WEEK)],
        **parts,
    )
    item = review.action_items.get()
    assert item.task == world.task_huiyang and item.office == world.office
    assert AuditRecord.objects.filter(verb="review.recorded", ctx_id=str(meeting.pk)).exists()
