"""Messenger robots (WeCom 企业微信, DingTalk 钉钉) of a unit, and the outbox of their
messages (docs/decisions/0021-messenger-robots-outbox.md).

The office's acts — adding, editing, switching a robot off or on, sending a test
message, sending a failed delivery again — are services here, each with its audit
record; the robot's key and secret appear in the trail only masked.

The outbox: a notice about a unit (`services.notify` / `notify_many` with `unit`)
writes, in its own transaction, one `Delivery` per active robot of the unit that
posts its kind, once per robot and occasion (`deliveries_write`), and queues each
after commit. `delivery_send` (the queue's job) claims the row with a lease before
posting, so two workers never both post it; a failure waits (1, 5, 15, 60, 240
minutes) up to RL_MESSENGER_MAX_ATTEMPTS tries. `deliveries_sweep`, every minute,
queues again every pending delivery whose time came: what a lost queue (Redis
restarted empty), a worker killed mid-send or a retry waits on.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.audit.models import Outcome
from reformledger.notifications import permissions, platforms
from reformledger.notifications.choices import DeliveryStatus, MessengerPlatform, MessengerTopic
from reformledger.notifications.models import Delivery, MessengerRobot

logger = logging.getLogger(__name__)

#: Minutes to wait after the 1st, 2nd, … failed try; the last one repeats.
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
#: Deliveries the sweep queues at most per run (the rest on the next minute).
SWEEP_LIMIT = 500
_CHUNK = 1000


# --- The office's acts on robots ------------------------------------------------------


@dataclass(frozen=True)
class RobotFields:
    """What the office gives for a robot. On an edit, an empty `webhook_url` or
    `secret` keeps the stored one (pages never show them back); `clear_secret`
    removes the secret."""

    name: str
    platform: str
    webhook_url: str
    topics: tuple[str, ...]
    secret: str = ""
    clear_secret: bool = False


def _audit_view(robot: MessengerRobot) -> dict:
    """The robot as the trail keeps it: key and secret masked."""
    return {
        "name": robot.name,
        "platform": robot.platform,
        "webhook": platforms.mask_url(robot.webhook_url),
        "secret": platforms.mask_secret(robot.secret),
        "topics": sorted(robot.topics),
        "active": robot.is_active,
    }


def _apply(robot: MessengerRobot, fields: RobotFields, *, creating: bool) -> None:
    errors: dict[str, str] = {}
    name = " ".join((fields.name or "").split())
    if not name:
        errors["name"] = _("Give the robot a name, e.g. the group's.")
    if fields.platform not in MessengerPlatform.values:
        errors["platform"] = _("Choose WeCom or DingTalk.")
    url = (fields.webhook_url or "").strip()
    if url and not platforms.is_web_address(url):
        errors["webhook_url"] = _("The webhook address starts with https:// (or http://).")
    elif not url and creating:
        errors["webhook_url"] = _("Paste the robot's webhook address.")
    secret = (fields.secret or "").strip()
    if fields.platform == MessengerPlatform.WECOM and secret:
        errors["secret"] = _("A WeCom group robot has no signing secret.")
    topics = [t for t in MessengerTopic.values if t in set(fields.topics)]
    if not topics:
        errors["topics"] = _("Choose at least one kind of notice to post.")
    if errors:
        raise ValidationError(errors)
    robot.name, robot.platform, robot.topics = name[:100], fields.platform, topics
    if url:
        robot.webhook_url = url
    if secret:
        robot.secret = secret
    elif fields.clear_secret or fields.platform == MessengerPlatform.WECOM:
        robot.secret = ""


@transaction.atomic
def messenger_create(*, unit, by, fields: RobotFields) -> MessengerRobot:
    """Add a robot to a unit's group chat (office staff over the unit)."""
    permissions.require_messengers(by, unit)
    robot = MessengerRobot(unit=unit)
    _apply(robot, fields, creating=True)
    robot.save()
    audit.record(
        actor=by,
        verb="messenger.created",
        obj=robot,
        ctx=unit,
        changes={k: [None, v] for k, v in _audit_view(robot).items()},
    )
    return robot


@transaction.atomic
def messenger_update(*, robot: MessengerRobot, by, fields: RobotFields) -> MessengerRobot:
    """Change a robot's name, platform, address, secret or the notices it posts."""
    robot = MessengerRobot.objects.select_for_update().select_related("unit").get(pk=robot.pk)
    permissions.require_messengers(by, robot.unit)
    before = _audit_view(robot)
    _apply(robot, fields, creating=False)
    changes = audit.diff(before, _audit_view(robot))
    if changes:
        robot.save(update_fields=["name", "platform", "webhook_url", "secret", "topics"])
        audit.record(actor=by, verb="messenger.updated", obj=robot, ctx=robot.unit, changes=changes)
    return robot


@transaction.atomic
def messenger_set_active(*, robot: MessengerRobot, by, active: bool) -> MessengerRobot:
    """Switch a robot off (its waiting deliveries fail: the office may send them again
    once it is back on) or on again."""
    robot = MessengerRobot.objects.select_for_update().select_related("unit").get(pk=robot.pk)
    permissions.require_messengers(by, robot.unit)
    if robot.is_active == active:
        return robot
    robot.is_active = active
    robot.save(update_fields=["is_active"])
    dropped = 0
    if not active:
        dropped = Delivery.objects.filter(robot=robot, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED,
            claimed_until=None,
            last_error="robot switched off",
        )
    changes = {"active": [not active, active]}
    if dropped:
        changes["deliveries"] = [dropped, 0]
    audit.record(
        actor=by,
        verb="messenger.enabled" if active else "messenger.disabled",
        obj=robot,
        ctx=robot.unit,
        changes=changes,
    )
    return robot


def messenger_test(*, robot: MessengerRobot, by) -> str:
    """Post a test message to the robot now; returns "" when the platform took it, else
    the reason. Recorded in the trail either way (no lock is held while posting)."""
    robot = MessengerRobot.objects.select_related("unit").get(pk=robot.pk)
    permissions.require_messengers(by, robot.unit)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Test message from Reform Ledger")
        content = platforms.markdown(
            title=title,
            lines=[
                _("Unit: %(unit)s") % {"unit": robot.unit.name},
                _("This group will be told of: %(topics)s")
                % {"topics": "、".join(str(t) for t in robot.topic_labels)},
            ],
            link_label=_("Open Reform Ledger"),
            url=settings.SITE_URL.rstrip("/") + "/",
        )
    reason = ""
    try:
        platforms.post(
            platform=robot.platform,
            url=robot.webhook_url,
            secret=robot.secret,
            body=platforms.payload(robot.platform, title=title, content=content),
            timeout=settings.RL_MESSENGER_TIMEOUT,
        )
    except platforms.SendError as exc:
        reason = platforms.scrub(exc.reason, robot.webhook_url, robot.secret)
    with transaction.atomic():
        audit.record(
            actor=by,
            verb="messenger.tested",
            obj=robot,
            ctx=robot.unit,
            reason=reason,
            outcome=Outcome.FAILURE if reason else Outcome.SUCCESS,
        )
    return reason


@transaction.atomic
def delivery_resend(*, delivery: Delivery, by) -> Delivery:
    """Send a failed (or still retrying) delivery again, with a fresh count of tries."""
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("robot", "robot__unit")
        .get(pk=delivery.pk)
    )
    robot = delivery.robot
    permissions.require_messengers(by, robot.unit)
    if not delivery.is_failing:
        raise ValidationError({"delivery": _("Only a failed delivery is sent again.")})
    if not robot.is_active:
        raise ValidationError({"delivery": _("Switch the robot on first.")})
    previous = delivery.status
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_until=None,
        claim_token="",
    )
    delivery.refresh_from_db()
    audit.record(
        actor=by,
        verb="messenger.delivery_resent",
        obj=robot,
        ctx=robot.unit,
        changes={"status": [previous, delivery.status], "occasion": [None, delivery.key]},
        reason=delivery.last_error,
    )
    pk = delivery.pk
    transaction.on_commit(lambda: _queue([pk]), robust=True)
    return delivery


# --- The outbox -------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One notice's words for the robots of `unit_id` (one per occasion `key`)."""

    unit_id: int
    kind: str
    key: str
    title: str
    body: str
    link: str = ""


def deliveries_write(outgoing: Iterable[Outgoing]) -> int:
    """Write, in the caller's transaction, one delivery per active robot of each
    notice's unit that posts its kind — none for a robot already holding the occasion
    — and queue them once the transaction commits. Returns how many were written."""
    wanted: dict[tuple[int, str], Outgoing] = {}
    for out in outgoing:
        wanted.setdefault((out.unit_id, out.key), out)
    if not wanted:
        return 0
    robots: list[MessengerRobot] = []
    unit_ids = sorted({unit_id for unit_id, _key in wanted})
    for i in range(0, len(unit_ids), _CHUNK):
        robots += MessengerRobot.objects.filter(
            unit_id__in=unit_ids[i : i + _CHUNK], is_active=True
        )
    if not robots:
        return 0
    now = timezone.now()
    rows = [
        Delivery(
            robot=robot,
            key=out.key,
            kind=out.kind,
            title=out.title[:300],
            body=out.body,
            link=out.link,
            next_attempt_at=now,
        )
        for out in wanted.values()
        for robot in robots
        if robot.unit_id == out.unit_id and robot.posts(out.kind)
    ]
    if not rows:
        return 0
    keys = sorted({row.key for row in rows})
    robot_ids = {row.robot_id for row in rows}
    held = _held(robot_ids, keys)
    rows = [row for row in rows if (row.robot_id, row.key) not in held]
    if not rows:
        return 0
    # A twin written at the same moment by another transaction wins (the constraint).
    Delivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    mine = {(row.robot_id, row.key) for row in rows}
    ids = [
        pk
        for pk, robot_id, key in _rows(robot_ids, keys, status=DeliveryStatus.PENDING)
        if (robot_id, key) in mine
    ]
    # After commit, so the queue never sees a delivery that was rolled back; robust, so
    # a queue that cannot be reached leaves the deliveries to the sweep.
    transaction.on_commit(lambda: _queue(ids), robust=True)
    return len(rows)


def _rows(robot_ids: set[int], keys: list[str], **filters) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for i in range(0, len(keys), _CHUNK):
        found += Delivery.objects.filter(
            robot_id__in=robot_ids, key__in=keys[i : i + _CHUNK], **filters
        ).values_list("pk", "robot_id", "key")
    return found


def _held(robot_ids: set[int], keys: list[str]) -> set[tuple[int, str]]:
    return {(robot_id, key) for _pk, robot_id, key in _rows(robot_ids, keys)}


def _queue(ids: list[int]) -> None:
    from reformledger.notifications import tasks  # the tasks module imports the services

    for pk in ids:
        tasks.messenger_send(pk)


def _lease() -> dt.timedelta:
    """How long a claim holds: longer than any send (the HTTP time-out, twice, and a
    margin), so a claim expires only when its sender died."""
    return dt.timedelta(seconds=2 * settings.RL_MESSENGER_TIMEOUT + 30)


def _claim(delivery_id: int) -> str | None:
    """Take the delivery for this sender, if it is pending, due and not held by another
    sender's live claim: one UPDATE, which only one of several senders can win. Counts
    the try. Returns the claim's token, or None."""
    now = timezone.now()
    token = uuid.uuid4().hex
    won = Delivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
    ).update(claim_token=token, claimed_until=now + _lease(), attempts=F("attempts") + 1)
    return token if won else None


def message_of(delivery: Delivery) -> dict:
    """The JSON body the delivery's robot is sent: the notice's title and words, the
    unit, and the link to its page under RL_SITE_URL."""
    robot = delivery.robot
    with translation.override(settings.LANGUAGE_CODE):
        content = platforms.markdown(
            title=delivery.title,
            lines=[
                "> " + _("Unit: %(unit)s") % {"unit": robot.unit.name},
                delivery.body,
            ],
            link_label=_("Open in Reform Ledger"),
            url=settings.SITE_URL.rstrip("/") + (delivery.link or "/"),
        )
    return platforms.payload(robot.platform, title=delivery.title, content=content)


def delivery_send(*, delivery_id: int) -> bool:
    """Post one delivery to its robot (the queue's job): claim, post, mark. Returns True
    when this call posted it; False when another sender holds it, it was sent already,
    its time has not come, or the platform refused (then it waits for its next try,
    or has failed for good after RL_MESSENGER_MAX_ATTEMPTS)."""
    token = _claim(delivery_id)
    if token is None:
        return False
    delivery = Delivery.objects.select_related("robot", "robot__unit").get(pk=delivery_id)
    robot = delivery.robot
    if not robot.is_active:
        _give_up(delivery, token, "robot switched off")
        return False
    try:
        platforms.post(
            platform=robot.platform,
            url=robot.webhook_url,
            secret=robot.secret,
            body=message_of(delivery),
            timeout=settings.RL_MESSENGER_TIMEOUT,
        )
    except platforms.SendError as exc:
        reason = platforms.scrub(exc.reason, robot.webhook_url, robot.secret)
        _failed(delivery, token, reason)
        return False
    # The window: a sender that dies here has posted without marking; the lease runs
    # out and the sweep posts again (docs/decisions/0021-messenger-robots-outbox.md).
    Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        claimed_until=None,
        last_error="",
    )
    logger.info(
        "messenger delivery %s sent to %s (%s)",
        delivery.pk,
        platforms.mask_url(robot.webhook_url),
        robot.platform,
    )
    return True


def _failed(delivery: Delivery, token: str, reason: str) -> None:
    """Wait for the next try, or fail for good after the last one."""
    attempts = delivery.attempts  # counted by the claim
    if attempts >= settings.RL_MESSENGER_MAX_ATTEMPTS:
        _give_up(delivery, token, reason)
        return
    wait = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
    Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
        next_attempt_at=timezone.now() + dt.timedelta(minutes=wait),
        claimed_until=None,
        last_error=reason[:500],
    )
    logger.warning(
        "messenger delivery %s to %s failed (try %s, again in %s min): %s",
        delivery.pk,
        platforms.mask_url(delivery.robot.webhook_url),
        attempts,
        wait,
        reason,
    )


def _give_up(delivery: Delivery, token: str, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
        status=DeliveryStatus.FAILED, claimed_until=None, last_error=reason[:500]
    )
    logger.error(
        "messenger delivery %s to %s failed for good after %s tries: %s",
        delivery.pk,
        platforms.mask_url(delivery.robot.webhook_url),
        delivery.attempts,
        reason,
    )


def deliveries_due(*, limit: int = SWEEP_LIMIT) -> list[int]:
    """Pending deliveries whose time came and that no live claim holds, oldest first."""
    now = timezone.now()
    return list(
        Delivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def deliveries_sweep(*, limit: int = SWEEP_LIMIT) -> int:
    """Queue every delivery whose time came (the queue's job, every minute): retries,
    and those a lost queue or a killed worker dropped. Queuing one twice is harmless:
    only one sender wins its claim. Returns how many were queued."""
    ids = deliveries_due(limit=limit)
    _queue(ids)
    return len(ids)
