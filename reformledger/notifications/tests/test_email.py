"""E-mail through a real SMTP server on loopback (aiosmtpd): what arrives, to whom,
and what an SMTP outage does (nothing is lost, nothing is raised)."""

import datetime as dt
import logging

from django.utils import translation

from reformledger.ledger.choices import ClosingStatus
from reformledger.ledger.services.reminders import reminders_send
from reformledger.notifications import services
from reformledger.notifications.models import Notification
from reformledger.notifications.tests.conftest import free_port, make_period, request_closing


def test_reminder_arrives_by_smtp_with_a_chinese_subject(world, huiyang_liaison, smtp_server):
    make_period(world, 3)
    reminders_send(dt.date(2016, 4, 3))
    [message] = smtp_server.to(huiyang_liaison.email)
    # On the wire the subject is ASCII (RFC 2047 encoded words) …
    raw_subject = smtp_server.raw[0].split(b"Subject:", 1)[1].split(b"\r\nTo:", 1)[0]
    assert raw_subject.isascii() and b"=?utf-8?" in raw_subject
    subject = message["Subject"]  # … and decodes back to the Chinese title
    assert "表格化捆绑式绩效考核改革" in subject
    assert "2016-001" in subject
    assert message["To"] == huiyang_liaison.email
    body = message.get_content()
    assert "表格化捆绑式绩效考核改革" in body
    assert f"/ledger/tasks/{world.task_huiyang.pk}/" in body
    assert Notification.objects.get(recipient=huiyang_liaison).emailed_at is not None


def test_each_recipient_gets_their_own_message(
    world, huiyang_liaison, huiyang_head, director, office_staff, smtp_server
):
    make_period(world, 3)
    request_closing(world.task_huiyang, huiyang_liaison, status=ClosingStatus.SIGNED)
    reminders_send(dt.date(2016, 4, 8))
    assert len(smtp_server.to(huiyang_liaison.email)) == 1
    assert len(smtp_server.to(huiyang_head.email)) == 1
    [to_director] = smtp_server.to(director.email)
    assert "2016-001" in to_director["Subject"]
    assert smtp_server.to(office_staff.email) == []


def test_user_without_email_gets_no_message_but_the_notice(
    world, huiyang_liaison, huiyang_head, smtp_server
):
    huiyang_head.email = ""
    huiyang_head.save(update_fields=["email"])
    make_period(world, 3)
    counts = reminders_send(dt.date(2016, 4, 8))
    assert counts["report_late"] == 2
    assert [rcpts for rcpts, _ in smtp_server.messages] == [[huiyang_liaison.email]]
    assert Notification.objects.filter(recipient=huiyang_head, emailed_at=None).count() == 1


def test_smtp_outage_keeps_the_notices_and_a_later_retry_sends_them(
    world, huiyang_liaison, settings, smtp_server, caplog
):
    live_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: the server is "down"
    make_period(world, 3)
    with caplog.at_level(logging.ERROR, logger="reformledger.notifications.services"):
        counts = reminders_send(dt.date(2016, 4, 3))
    assert counts["report_due"] == 1
    notice = Notification.objects.get(recipient=huiyang_liaison)
    assert notice.emailed_at is None
    assert "cannot reach the mail server" in caplog.text

    settings.EMAIL_PORT = live_port  # the server is back
    assert services.notifications_email_pending() == 1
    assert len(smtp_server.to(huiyang_liaison.email)) == 1
    assert services.notifications_email_pending() == 0  # sent once only


def test_notify_emails_after_commit_through_the_queue(
    world, huiyang_liaison, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        notice = services.notify(
            recipient=huiyang_liaison,
            kind="notice",
            key="welcome",
            title="欢迎使用改革台账",
            body="请及时报送进展。",
        )
    [message] = smtp_server.to(huiyang_liaison.email)
    assert "欢迎使用改革台账" in message["Subject"]
    notice.refresh_from_db()
    assert notice.emailed_at is not None
