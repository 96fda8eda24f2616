"""Fixtures of the notification tests: the queue in immediate mode, a real SMTP
server on loopback, and the work-cycle rows reminders are about.

Periods, reports and closing requests are written directly as rows here: the
services that make them belong to other parts of the ledger, and what is tested
here is what the reminders read, not how those rows came to be.
"""

import datetime as dt
import email
import email.policy
import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from reformledger.ledger.choices import ClosingStatus, ReportStatus
from reformledger.ledger.models import ClosingRequest, Period, ProgressReport

YEAR = 2016


@pytest.fixture(autouse=True)
def huey_immediate():
    """Tasks run at once, in memory, as they are queued; tests of the consumer path
    switch it off themselves."""
    was = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = was


@dataclass
class Mailbox:
    """What the loopback SMTP server received: (envelope recipients, parsed message)."""

    messages: list = field(default_factory=list)
    raw: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        self.raw.append(envelope.content)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for rcpts, m in self.messages if address in rcpts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port; Django's SMTP
    backend is pointed at it. Yields the Mailbox its messages land in."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield mailbox
    finally:
        controller.stop()


def make_period(world, number: int, *, status: str = "open") -> Period:
    """Month `number` of 2016 in the city ledger, reports due on the 5th after it."""
    start = dt.date(YEAR, number, 1)
    end = (dt.date(YEAR, number % 12 + 1, 1) if number < 12 else dt.date(YEAR + 1, 1, 1)) - (
        dt.timedelta(days=1)
    )
    return Period.objects.create(
        office=world.office,
        year=YEAR,
        number=number,
        start=start,
        end=end,
        report_due=end + dt.timedelta(days=5),
        status=status,
    )


def file_report(task, period, author, *, status=ReportStatus.SUBMITTED, on=None):
    """A progress report on `task` for `period`, filed (submitted) on `on`."""
    submitted = timezone.make_aware(dt.datetime.combine(on or period.report_due, dt.time(10)))
    return ProgressReport.objects.create(
        task=task,
        period=period,
        status=status,
        done="按计划推进",
        percent=40,
        author=author,
        submitted_at=submitted if status != ReportStatus.DRAFT else None,
    )


def request_closing(task, by, *, status=ClosingStatus.REQUESTED, days_ago: int = 0):
    closing = ClosingRequest.objects.create(
        task=task,
        status=status,
        summary="已出台文件",
        document_no="惠府〔2016〕12号",
        document_date=dt.date(YEAR, 11, 30),
        requested_by=by,
    )
    if days_ago:
        ClosingRequest.objects.filter(pk=closing.pk).update(
            requested_at=timezone.now() - dt.timedelta(days=days_ago)
        )
    return closing


@pytest.fixture
def receiver(settings):
    """A stand-in for the WeCom and DingTalk robot webhooks on 127.0.0.1 and a free
    port (`notifications.testing.RobotReceiver`), with short time-outs for the robots."""
    from reformledger.notifications.testing import RobotReceiver

    settings.RL_MESSENGER_TIMEOUT = 2
    with RobotReceiver() as robots:
        yield robots


def add_robot(unit, by, url: str, *, platform="wecom", secret="", topics=None, name="工作群"):
    """A robot of `unit`, added through the service as the office would."""
    from reformledger.notifications import messengers

    return messengers.messenger_create(
        unit=unit,
        by=by,
        fields=messengers.RobotFields(
            name=name,
            platform=platform,
            webhook_url=url,
            secret=secret,
            topics=tuple(topics or ("reminders", "orders", "returned", "other")),
        ),
    )
