"""Messages to a unit's group robots (WeCom, DingTalk) through a real HTTP receiver on
loopback (`notifications.testing`): what arrives and in which shape, DingTalk's
signature, refusals retried later and failing for good after the last try, and each
message posted once whatever runs twice (the sweep, two senders, a sender killed)."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import subprocess
import sys
import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.notifications import messengers, platforms, services, tasks
from reformledger.notifications.models import Delivery
from reformledger.notifications.testing import Fault
from reformledger.notifications.tests.conftest import add_robot, free_port

SECRET = "SEC" + "0123456789abcdef" * 4
OTHER_SECRET = "SEC" + "fedcba9876543210" * 4


def _notice(user, unit, *, key="meeting:1", kind="notice", title="会议通知", body="请准时参加"):
    return services.notify(
        recipient=user, kind=kind, key=key, title=title, body=body, link="/ledger/", unit=unit
    )


def _told(user, unit, capture, **notice):
    """Write a notice as a service would, and run what waits on its commit."""
    with capture(execute=True):
        return _notice(user, unit, **notice)


def _due_now(delivery) -> None:
    """As if the wait before its next try were over."""
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


def test_wecom_robot_gets_the_notice_as_markdown_in_utf8(
    world, office_staff, huiyang_liaison, receiver, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://ggb.example.cn"
    add_robot(world.huiyang, office_staff, receiver.wecom_url("k-wecom"))

    _told(huiyang_liaison, world.huiyang, django_capture_on_commit_callbacks)

    [got] = receiver.of("k-wecom")
    assert got.accepted
    assert got.platform == "wecom"
    assert got.body["msgtype"] == "markdown"
    assert set(got.body["markdown"]) == {"content"}
    for words in ("会议通知", "请准时参加", "惠阳区", "https://ggb.example.cn/ledger/"):
        assert words in got.content
    assert "会议通知".encode() in got.raw  # UTF-8 on the wire, not \\u escapes
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None


def test_dingtalk_robot_gets_a_signed_markdown_message(
    world, office_staff, huiyang_liaison, receiver, django_capture_on_commit_callbacks
):
    receiver.sign_with("t-ding", SECRET)
    add_robot(
        world.huiyang,
        office_staff,
        receiver.dingtalk_url("t-ding"),
        platform="dingtalk",
        secret=SECRET,
    )

    _told(huiyang_liaison, world.huiyang, django_capture_on_commit_callbacks)

    [got] = receiver.of("t-ding")
    assert got.accepted, got.answer
    assert got.body["msgtype"] == "markdown"
    assert got.body["markdown"]["title"] == "会议通知"
    assert "惠阳区" in got.body["markdown"]["text"]
    # The signature, recomputed from the secret and the timestamp the request carried.
    stamp = got.query["timestamp"]
    expected = hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256)
    assert got.query["sign"] == base64.b64encode(expected.digest()).decode()
    assert abs(int(stamp) - time.time() * 1000) < 60_000
    assert Delivery.objects.get().status == "sent"


def test_a_wrong_dingtalk_secret_is_refused_and_tried_again_later(
    world, office_staff, huiyang_liaison, receiver, django_capture_on_commit_callbacks
):
    receiver.sign_with("t-ding", SECRET)
    add_robot(
        world.huiyang,
        office_staff,
        receiver.dingtalk_url("t-ding"),
        platform="dingtalk",
        secret=OTHER_SECRET,
    )

    _told(huiyang_liaison, world.huiyang, django_capture_on_commit_callbacks)

    [got] = receiver.of("t-ding")
    assert got.answer["errcode"] == 310000 and not got.accepted
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "errcode 310000: sign not match"
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)


@pytest.mark.parametrize(
    ("fault", "error"),
    [(Fault(errcode=45009), "errcode 45009: refused"), (Fault(status=500), "HTTP 500")],
)
def test_a_refusing_platform_leaves_the_message_for_a_later_try(
    fault,
    error,
    world,
    office_staff,
    huiyang_liaison,
    receiver,
    django_capture_on_commit_callbacks,
):
    receiver.fail_next(fault)
    add_robot(world.huiyang, office_staff, receiver.wecom_url("k"))

    _told(huiyang_liaison, world.huiyang, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, error)
    assert delivery.is_failing
    # Its time has not come: the sweep leaves it …
    assert messengers.deliveries_sweep() == 0
    # … until it has; then it goes, once.
    _due_now(delivery)
    assert messengers.deliveries_sweep() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert len(receiver.of("k")) == 2
    assert len(receiver.accepted("k")) == 1


def test_tries_wait_longer_each_time_then_the_message_fails_for_good(
    world,
    office_staff,
    huiyang_liaison,
    receiver,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.RL_MESSENGER_MAX_ATTEMPTS = 3
    receiver.always = Fault(errcode=93000)
    add_robot(world.huiyang, office_staff, receiver.wecom_url("k"))

    _told(huiyang_liaison, world.huiyang, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    waits = []
    for _ in range(2):
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - timezone.now())
        _due_now(delivery)
        messengers.deliveries_sweep()

    assert dt.timedelta(seconds=50) < waits[0] <= dt.timedelta(minutes=1)
    assert dt.timedelta(minutes=4) < waits[1] <= dt.timedelta(minutes=5)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.last_error == "errcode 93000: refused"
    _due_now(delivery)
    assert messengers.deliveries_sweep() == 0
    assert len(receiver.of("k")) == 3


def test_no_answer_in_time_and_no_connection_are_failures_with_their_reason(
    world,
    office_staff,
    huiyang_liaison,
    receiver,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.RL_MESSENGER_TIMEOUT = 0.5
    receiver.delay = 1.5
    add_robot(world.huiyang, office_staff, receiver.wecom_url("slow"), name="慢")
    add_robot(world.huiyang, office_staff, f"http://127.0.0.1:{free_port()}/x?key=k", name="关")

    _told(huiyang_liaison, world.huiyang, django_capture_on_commit_callbacks)

    errors = dict(Delivery.objects.values_list("robot__name", "last_error"))
    assert errors["慢"] == "no answer within 0.5 s"
    assert errors["关"].startswith("cannot connect")
    assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}


def test_a_lost_queue_is_made_good_by_the_sweep_and_a_second_sweep_sends_nothing(
    world,
    office_staff,
    huiyang_liaison,
    receiver,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    add_robot(world.huiyang, office_staff, receiver.wecom_url("k"))
    with monkeypatch.context() as m:
        m.setattr(messengers, "_queue", lambda ids: None)  # the queue (Redis) lost it
        _told(huiyang_liaison, world.huiyang, django_capture_on_commit_callbacks)
    assert receiver.requests == []
    assert Delivery.objects.get().status == "pending"

    tasks.messenger_sweep()  # the periodic job (the queue runs inline)
    tasks.messenger_sweep()
    assert messengers.deliveries_sweep() == 0
    assert len(receiver.of("k")) == 1
    assert Delivery.objects.get().status == "sent"


def test_the_sweep_runs_every_minute():
    sweep = tasks.messenger_sweep.task_class()
    assert sweep.validate_datetime(dt.datetime(2016, 4, 3, 9, 31))
    assert sweep.validate_datetime(dt.datetime(2016, 4, 3, 9, 32))


def test_a_sender_killed_mid_send_holds_the_message_until_its_lease_runs_out(
    world,
    office_staff,
    huiyang_liaison,
    receiver,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    add_robot(world.huiyang, office_staff, receiver.wecom_url("k"))
    with monkeypatch.context() as m:
        m.setattr(messengers, "_queue", lambda ids: None)
        _told(huiyang_liaison, world.huiyang, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert messengers._claim(delivery.pk)  # a worker took it, then was killed

    # While its claim holds, neither the sweep nor another sender posts it.
    assert messengers.deliveries_sweep() == 0
    assert messengers.delivery_send(delivery_id=delivery.pk) is False
    assert receiver.requests == []
    # Its lease runs out: the sweep hands it to a live sender, once.
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert messengers.deliveries_sweep() == 1
    assert messengers.deliveries_sweep() == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(receiver.accepted("k")) == 1


@pytest.mark.django_db(transaction=True)
def test_senders_racing_on_one_message_post_it_once(
    world, office_staff, huiyang_liaison, receiver, monkeypatch
):
    add_robot(world.huiyang, office_staff, receiver.wecom_url("k"))
    with monkeypatch.context() as m:
        m.setattr(messengers, "_queue", lambda ids: None)
        _notice(huiyang_liaison, world.huiyang)  # committed: no test transaction here
    delivery = Delivery.objects.get()
    receiver.delay = 0.3  # every sender is inside its send while the others try
    start = threading.Barrier(4)
    results: list[bool] = []

    def send():
        try:
            start.wait()
            results.append(messengers.delivery_send(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [False, False, False, True]
    assert len(receiver.of("k")) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_one_message_per_occasion_whoever_is_told(
    world,
    office_staff,
    huiyang_liaison,
    huiyang_head,
    receiver,
    django_capture_on_commit_callbacks,
):
    add_robot(world.huiyang, office_staff, receiver.wecom_url("k"))
    with django_capture_on_commit_callbacks(execute=True):
        told = services.notify_each(
            [huiyang_liaison, huiyang_head],
            kind="notice",
            key="meeting:2",
            title="会议通知",
            body="",
            unit=world.huiyang,
        )
    with django_capture_on_commit_callbacks(execute=True):
        _notice(huiyang_head, world.huiyang, key="meeting:2")  # told again: nothing new
    assert told == 2
    assert len(receiver.of("k")) == 1
    assert Delivery.objects.count() == 1


def test_a_robot_posts_only_the_kinds_it_was_given_and_nothing_once_off(
    world, office_staff, huiyang_liaison, receiver, django_capture_on_commit_callbacks
):
    orders = add_robot(world.huiyang, office_staff, receiver.wecom_url("o"), topics=["orders"])
    other = add_robot(world.huiyang, office_staff, receiver.wecom_url("n"), topics=["other"])
    messengers.messenger_set_active(robot=other, by=office_staff, active=False)

    _told(huiyang_liaison, world.huiyang, django_capture_on_commit_callbacks)

    assert receiver.requests == []
    assert not Delivery.objects.filter(robot__in=[orders, other]).exists()


def test_switching_a_robot_off_fails_its_waiting_messages(
    world, office_staff, huiyang_liaison, receiver, django_capture_on_commit_callbacks
):
    receiver.fail_next(Fault(status=502))
    robot = add_robot(world.huiyang, office_staff, receiver.wecom_url("k"))
    _told(huiyang_liaison, world.huiyang, django_capture_on_commit_callbacks)

    messengers.messenger_set_active(robot=robot, by=office_staff, active=False)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("failed", "robot switched off")
    record = AuditRecord.objects.get(verb="messenger.disabled")
    assert record.changes == {"active": [True, False], "deliveries": [1, 0]}
    # Sent again once the robot is back on.
    messengers.messenger_set_active(robot=robot, by=office_staff, active=True)
    with django_capture_on_commit_callbacks(execute=True):
        messengers.delivery_resend(delivery=delivery, by=office_staff)
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(receiver.accepted("k")) == 1
    assert AuditRecord.objects.filter(verb="messenger.delivery_resent").count() == 1


def test_only_the_office_staff_over_the_unit_manage_its_robots(
    world, office_staff, huiyang_liaison, director, receiver
):
    url = receiver.wecom_url("k")
    for someone in (huiyang_liaison, director):
        with pytest.raises(PermissionDenied):
            add_robot(world.huiyang, someone, url)
    robot = add_robot(world.huiyang, office_staff, url)
    with pytest.raises(PermissionDenied):
        messengers.messenger_test(robot=robot, by=huiyang_liaison)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"webhook_url": "file:///etc/passwd"}, "webhook_url"),
        ({"webhook_url": ""}, "webhook_url"),
        ({"secret": SECRET}, "secret"),  # a WeCom robot takes no secret
        ({"topics": ()}, "topics"),
        ({"name": "  "}, "name"),
    ],
)
def test_a_robot_with_a_wrong_field_is_refused_naming_it(world, office_staff, fields, field):
    given = {
        "name": "工作群",
        "platform": "wecom",
        "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        "topics": ("reminders",),
    } | fields
    with pytest.raises(ValidationError) as err:
        messengers.messenger_create(
            unit=world.huiyang, by=office_staff, fields=messengers.RobotFields(**given)
        )
    assert field in err.value.message_dict


def test_the_key_and_secret_stay_out_of_the_trail_and_the_log(
    world,
    office_staff,
    huiyang_liaison,
    receiver,
    caplog,
    django_capture_on_commit_callbacks,
):
    token = "tok-very-secret-7c1e"
    receiver.sign_with(token, SECRET)
    robot = add_robot(
        world.huiyang,
        office_staff,
        receiver.dingtalk_url(token),
        platform="dingtalk",
        secret=OTHER_SECRET,  # wrong: the refusals are logged
    )
    messengers.messenger_update(
        robot=robot,
        by=office_staff,
        fields=messengers.RobotFields(
            name="区改革办群",
            platform="dingtalk",
            webhook_url="",  # kept
            secret=SECRET.replace("0", "1"),
            topics=("reminders", "other"),
        ),
    )
    with caplog.at_level(logging.INFO, logger="reformledger.notifications"):
        _told(huiyang_liaison, world.huiyang, django_capture_on_commit_callbacks)
        reason = messengers.messenger_test(robot=robot, by=office_staff)

    assert reason == "errcode 310000: sign not match"
    robot.refresh_from_db()
    assert robot.webhook_url == receiver.dingtalk_url(token)
    records = AuditRecord.objects.filter(verb__startswith="messenger.").order_by("id")
    assert [r.verb for r in records] == [
        "messenger.created",
        "messenger.updated",
        "messenger.tested",
    ]
    assert records[2].outcome == "failure"
    written = json.dumps(list(records.values("changes", "reason")), ensure_ascii=False)
    written += caplog.text + Delivery.objects.get().last_error
    assert "messenger delivery" in caplog.text
    for secret in (token, SECRET, OTHER_SECRET, SECRET.replace("0", "1")):
        assert secret not in written
    assert "••••7c1e" in written  # enough to tell robots apart


def test_the_receiver_runs_as_a_process_of_its_own_and_logs_each_message(tmp_path):
    """As the stack's fault test runs it: a port, a log of one JSON line per request."""
    port, log = free_port(), tmp_path / "robots.jsonl"
    receiver = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [
            sys.executable,
            "-m",
            "reformledger.notifications.testing",
            "--port",
            str(port),
            "--log",
            str(log),
            "--dingtalk-secret",
            f"tok={SECRET}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert receiver.stdout.readline().startswith("robot receiver on")
        base = f"http://127.0.0.1:{port}"
        body = platforms.payload("dingtalk", title="会议通知", content="请准时参加")
        url = f"{base}/robot/send?access_token=tok"
        platforms.post(platform="dingtalk", url=url, secret=SECRET, body=body, timeout=2)
        with pytest.raises(platforms.SendError, match="310000"):
            platforms.post(platform="dingtalk", url=url, secret=OTHER_SECRET, body=body, timeout=2)
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(x["key"], x["accepted"], x["errcode"]) for x in lines] == [
        ("tok", True, 0),
        ("tok", False, 310000),
    ]
    assert lines[0]["title"] == "会议通知"
