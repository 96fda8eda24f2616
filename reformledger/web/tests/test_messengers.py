"""The office's pages for a unit's messenger robots (WeCom, DingTalk): add, edit,
switch off, test; failing messages shown (and counted among the next acts) and sent
again; the key and secret never shown back; nobody else finds the pages."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from reformledger.audit.models import AuditRecord
from reformledger.ledger.selectors.next_acts import next_acts
from reformledger.notifications import services
from reformledger.notifications.models import Delivery, MessengerRobot
from reformledger.notifications.testing import Fault, RobotReceiver

KEY = "5f3c2a9e-41b7-4d0a-9c8e-2b7f61a0d4e2"
SECRET = "SEC" + "9f8e7d6c5b4a3210" * 4


@pytest.fixture
def robots(settings):
    settings.RL_MESSENGER_TIMEOUT = 2
    with RobotReceiver() as receiver:
        yield receiver


def _page(world):
    return reverse("web:unit_messengers", args=[world.huiyang.pk])


def _add(client, world, **fields):
    data = {
        "name": "惠阳区改革工作群",
        "platform": "wecom",
        "webhook_url": "",
        "secret": "",
        "topics": ["reminders", "orders", "returned"],
    } | fields
    return client.post(reverse("web:messenger_add", args=[world.huiyang.pk]), data)


def test_office_staff_add_a_robot_and_see_its_key_only_masked(
    world, office_staff, client_for, robots
):
    client = client_for(office_staff)
    unit_page = client.get(reverse("web:unit", args=[world.huiyang.pk])).content.decode()
    assert _page(world) in unit_page

    response = _add(
        client, world, platform="dingtalk", webhook_url=robots.dingtalk_url(KEY), secret=SECRET
    )

    assert response.status_code == 302
    robot = MessengerRobot.objects.get()
    assert (robot.unit, robot.platform, robot.secret) == (world.huiyang, "dingtalk", SECRET)
    page = client.get(_page(world)).content.decode()
    assert "惠阳区改革工作群" in page
    assert KEY not in page and SECRET not in page
    assert "••••d4e2" in page and "SEC••••3210" in page
    edit = client.get(reverse("web:messenger_edit", args=[world.huiyang.pk, robot.pk]))
    assert KEY not in edit.content.decode() and SECRET not in edit.content.decode()
    record = AuditRecord.objects.get(verb="messenger.created")
    assert record.actor == office_staff
    assert KEY not in str(record.changes) and SECRET not in str(record.changes)


def test_an_edit_with_empty_address_and_secret_keeps_them(world, office_staff, client_for, robots):
    client = client_for(office_staff)
    _add(client, world, platform="dingtalk", webhook_url=robots.dingtalk_url(KEY), secret=SECRET)
    robot = MessengerRobot.objects.get()

    response = client.post(
        reverse("web:messenger_edit", args=[world.huiyang.pk, robot.pk]),
        {"name": "改名后的群", "platform": "dingtalk", "topics": ["orders"]},
    )

    assert response.status_code == 302
    robot.refresh_from_db()
    assert (robot.name, robot.topics) == ("改名后的群", ["orders"])
    assert (robot.webhook_url, robot.secret) == (robots.dingtalk_url(KEY), SECRET)


def _in_english(client):
    """The pages answer in English from now on (the language cookie, as the switch sets)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_wrong_address_is_refused_on_the_form(world, office_staff, client_for):
    client = _in_english(client_for(office_staff))
    with translation.override("en"):
        response = _add(client, world, webhook_url="ftp://example.cn/robot")
    assert response.status_code == 200
    assert "The webhook address starts with https://" in response.content.decode()
    assert not MessengerRobot.objects.exists()


@pytest.mark.parametrize("persona", ["boluo_liaison", "huiyang_liaison", "city_leader", "outsider"])
def test_nobody_but_the_office_staff_finds_a_units_robots(
    persona, request, world, office_staff, client_for, robots
):
    _add(client_for(office_staff), world, webhook_url=robots.wecom_url(KEY))
    robot = MessengerRobot.objects.get()
    client = client_for(request.getfixturevalue(persona))

    assert client.get(_page(world)).status_code == 404
    assert client.get(reverse("web:messenger_add", args=[world.huiyang.pk])).status_code == 404
    test_url = reverse("web:messenger_test", args=[world.huiyang.pk, robot.pk])
    assert client.post(test_url).status_code == 404
    assert robots.requests == []
    unit_page = client.get(reverse("web:unit", args=[world.huiyang.pk]))
    assert _page(world) not in unit_page.content.decode()


def test_the_test_button_says_whether_the_group_got_it(world, office_staff, client_for, robots):
    client = client_for(office_staff)
    _add(client, world, webhook_url=robots.wecom_url(KEY))
    robot = MessengerRobot.objects.get()
    url = reverse("web:messenger_test", args=[world.huiyang.pk, robot.pk])

    _in_english(client)
    with translation.override("en"):
        ok = client.post(url, follow=True).content.decode()
        robots.fail_next(Fault(errcode=93000))
        refused = client.post(url, follow=True).content.decode()

    assert "was delivered" in ok
    assert "failed: errcode 93000" in refused
    [first, _second] = robots.of(KEY)
    assert "惠阳区" in first.content
    assert AuditRecord.objects.filter(verb="messenger.tested").count() == 2


def test_a_failing_message_is_shown_counted_and_sent_again(
    world, office_staff, huiyang_liaison, client_for, robots, django_capture_on_commit_callbacks
):
    client = client_for(office_staff)
    _add(client, world, webhook_url=robots.wecom_url(KEY), topics=["other"])
    robots.fail_next(Fault(status=500))
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipient=huiyang_liaison,
            kind="notice",
            key="meeting:1",
            title="改革推进会通知",
            body="",
            unit=world.huiyang,
        )

    page = client.get(_page(world)).content.decode()
    assert "改革推进会通知" in page and "HTTP 500" in page
    group = next_acts(office_staff).of("messenger_failing")
    assert group is not None and group.count == 1
    assert group.items[0].url == _page(world)
    assert next_acts(huiyang_liaison).of("messenger_failing") is None

    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("web:messenger_resend", args=[world.huiyang.pk, delivery.pk])
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(robots.accepted(KEY)) == 1
    assert next_acts(office_staff).of("messenger_failing") is None
    assert "改革推进会通知" not in client.get(_page(world)).content.decode()  # failing only


def test_switching_a_robot_off_and_on_from_its_page(world, office_staff, client_for, robots):
    client = client_for(office_staff)
    _add(client, world, webhook_url=robots.wecom_url(KEY))
    robot = MessengerRobot.objects.get()
    url = reverse("web:messenger_switch", args=[world.huiyang.pk, robot.pk])

    client.post(url, {"active": "0"})
    robot.refresh_from_db()
    assert not robot.is_active
    client.post(url, {"active": "1"})
    robot.refresh_from_db()
    assert robot.is_active
    assert [
        r.verb for r in AuditRecord.objects.filter(verb__startswith="messenger.").order_by("id")
    ] == [
        "messenger.created",
        "messenger.disabled",
        "messenger.enabled",
    ]


def _robots_and_deliveries(world, start: int, end: int) -> None:
    """Robots of the unit, each with one failing and one sent message, written as rows."""
    from django.utils import timezone

    for n in range(start, end):
        robot = MessengerRobot.objects.create(
            unit=world.huiyang,
            name=f"工作群{n}",
            platform="wecom",
            webhook_url=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k{n:04d}",
            topics=["reminders"],
        )
        for status in ("failed", "sent"):
            Delivery.objects.create(
                robot=robot,
                key=f"load-{n}-{status}",
                kind="other",
                title=f"通知{n}",
                status=status,
                attempts=3,
                next_attempt_at=timezone.now(),
                last_error="HTTP 500",
            )


def test_the_robots_page_runs_the_same_queries_for_3_and_30_robots(world, office_staff, client_for):
    client = client_for(office_staff)
    counts = []
    for start, end in ((0, 3), (3, 30)):
        _robots_and_deliveries(world, start, end)
        for params in ({}, {"all": "1"}):
            client.get(_page(world), params)  # warm: the session
            with CaptureQueriesContext(connection) as queries:
                response = client.get(_page(world), params)
            assert response.status_code == 200
            assert f"工作群{end - 1}" in response.content.decode()
            counts.append(len(queries))
    assert counts[:2] == counts[2:]
