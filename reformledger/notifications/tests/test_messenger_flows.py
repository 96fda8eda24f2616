"""What reaches a unit's group robot from the acts that tell the unit: the daily
reminders, an escalated supervision order, a returned progress report — driven
through their own services, with the queue inline — and the outbox surviving a
Redis queue that restarted empty."""

import datetime as dt
import socket
import uuid

import pytest
from django.utils import timezone
from huey import RedisHuey
from huey.contrib.djhuey import HUEY

from reformledger.ledger import services as ledger
from reformledger.ledger.services.reminders import reminders_send
from reformledger.notifications import messengers, services, tasks
from reformledger.notifications.models import Delivery
from reformledger.notifications.tests.conftest import add_robot, file_report, make_period
from reformledger.supervision import services as supervision


def test_daily_reminders_reach_the_lead_units_robot_once_per_occasion(
    world,
    office_staff,
    huiyang_liaison,
    huiyang_head,
    receiver,
    django_capture_on_commit_callbacks,
):
    add_robot(world.huiyang, office_staff, receiver.wecom_url("hy"), topics=["reminders"])
    add_robot(world.boluo, office_staff, receiver.wecom_url("bl"), topics=["orders"])
    make_period(world, 3)

    with django_capture_on_commit_callbacks(execute=True):
        counts = reminders_send(dt.date(2016, 4, 8))  # March's report, due 5 April: late

    # The liaison and the head are told each; the group once.
    assert counts["report_late"] >= 2
    [got] = receiver.of("hy")
    assert got.accepted
    assert "表格化捆绑式绩效考核改革" in got.content and "惠阳区" in got.content
    assert f"/ledger/tasks/{world.task_huiyang.pk}/" in got.content
    delivery = Delivery.objects.get(robot__unit=world.huiyang)
    assert (delivery.kind, delivery.status) == ("report_late", "sent")
    # 博罗's robot posts orders only: nothing of its late report.
    assert receiver.of("bl") == []
    # A second run the same day tells no one anything.
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(dt.date(2016, 4, 8))
    assert len(receiver.of("hy")) == 1


def test_an_escalated_order_reaches_the_units_robot(
    world, office_staff, director, huiyang_liaison, receiver, django_capture_on_commit_callbacks
):
    add_robot(world.huiyang, office_staff, receiver.wecom_url("hy"), topics=["orders"])
    order = supervision.order_issue(
        office=world.office,
        by=director,
        task=world.task_huiyang,
        basis="领导小组第1次会议要求",
        demand="报送考核方案",
        deadline=timezone.localdate() + dt.timedelta(days=7),
    )
    assert receiver.requests == []  # issuing is an "other" notice, not posted here

    with django_capture_on_commit_callbacks(execute=True):
        supervision.order_escalate(order=order, by=director, reason="逾期未报送")

    [got] = receiver.of("hy")
    assert got.accepted
    assert order.label in got.content and "报送考核方案" in got.content
    assert Delivery.objects.get().kind == "order_escalated"


def test_a_returned_report_reaches_the_units_robot_with_the_reason(
    world,
    office_staff,
    huiyang_liaison,
    receiver,
    django_capture_on_commit_callbacks,
):
    receiver.sign_with("hy", "SEC" + "a1" * 32)
    add_robot(
        world.huiyang,
        office_staff,
        receiver.dingtalk_url("hy"),
        platform="dingtalk",
        secret="SEC" + "a1" * 32,
        topics=["returned"],
    )
    report = file_report(world.task_huiyang, make_period(world, 3), huiyang_liaison)

    with django_capture_on_commit_callbacks(execute=True):
        ledger.report_return(report=report, by=office_staff, reason="请补充佐证材料")

    [got] = receiver.of("hy")
    assert got.accepted, got.answer
    assert "2016-001" in got.title
    assert "请补充佐证材料" in got.content
    # The liaison who filed it is told in the app too.
    notice = huiyang_liaison.notifications.get(kind="report_returned")
    assert notice.body == "请补充佐证材料"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.django_db(transaction=True)
def test_a_redis_queue_restarted_empty_loses_no_message_and_sends_none_twice(
    world, office_staff, huiyang_liaison, receiver
):
    """The production queue: the delivery is queued into Redis, the queue is emptied (a
    restart without persistence), and the minute's sweep queues it again."""
    pytest.importorskip("redis")
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    add_robot(world.huiyang, office_staff, receiver.wecom_url("hy"))
    redis_huey = RedisHuey(f"rl-test-{uuid.uuid4().hex}", url="redis://127.0.0.1:6379/15")
    was_storage, was_immediate = HUEY.storage, HUEY.immediate
    HUEY.immediate = False
    HUEY.storage = redis_huey.storage
    try:
        services.notify(
            recipient=huiyang_liaison,
            kind="notice",
            key="meeting:9",
            title="会议通知",
            body="",
            unit=world.huiyang,
        )
        assert len(HUEY) == 2  # the e-mail and the robot's message
        HUEY.storage.flush_all()  # Redis restarted with nothing
        assert len(HUEY) == 0

        # The minute's sweep (`tasks.messenger_sweep`), twice before a worker runs: the
        # message is queued twice, and posted once.
        assert messengers.deliveries_sweep() == 1
        assert messengers.deliveries_sweep() == 1
        assert len(HUEY) == 2
        results = []
        while len(HUEY):
            task = HUEY.dequeue()
            assert task.name == tasks.messenger_send.name
            results.append(HUEY.execute(task))
        assert sorted(results) == [False, True]
        assert messengers.deliveries_sweep() == 0  # sent: nothing left to queue
    finally:
        HUEY.storage.flush_all()
        HUEY.storage = was_storage
        HUEY.immediate = was_immediate
    assert len(receiver.of("hy")) == 1
    assert Delivery.objects.get().status == "sent"
